package layout

// RenderPage renders a page as Markdown for people browsing the repository.
func RenderPage(p *Page) []byte { return nil }
