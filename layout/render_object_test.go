package layout

import (
	"strings"
	"testing"
)

// TestRenderObject: each object file of a page renders as its own lines
// of the page's README.md, and anything else is refused.
func TestRenderObject(t *testing.T) {
	t.Parallel()
	text := func(s string) string {
		return `[{"type":"text","text":{"content":"` + s + `"},"plain_text":"` + s + `"}]`
	}
	blocks := map[string]string{
		"para":    `{"object":"block","id":"` + b(1) + `","type":"paragraph","paragraph":{"rich_text":` + text("The slow fox") + `}}`,
		"heading": `{"object":"block","id":"` + b(2) + `","type":"heading_2","heading_2":{"rich_text":` + text("Plans") + `}}`,
		"todo":    `{"object":"block","id":"` + b(3) + `","type":"to_do","to_do":{"checked":true,"rich_text":` + text("Ship it") + `}}`,
	}
	page := `{"object":"page","id":"` + rootID + `","properties":{"title":{"id":"title","type":"title","title":` + text("Roadmap") + `}},"notion_git":{"children":["` + b(1) + `","` + b(2) + `","` + b(3) + `"]}}`
	src := MapSource{PagePath(rootID): []byte(page)}
	for i, name := range []string{"para", "heading", "todo"} {
		src[BlockPath(rootID, b(i+1))] = []byte(blocks[name])
	}
	p, err := DecodePage(src, rootID, src.Paths())
	if err != nil {
		t.Fatal(err)
	}
	readme := string(RenderPage(p))
	for name, want := range map[string]string{"para": "The slow fox\n", "heading": "### Plans\n", "todo": "- [x] Ship it\n"} {
		got, ok := RenderObject([]byte(blocks[name]), nil)
		if !ok || string(got) != want {
			t.Errorf("%s renders %q (%v), want %q", name, got, ok, want)
		}
		if !strings.Contains(readme, want) {
			t.Errorf("%s: %q is not how README.md shows it:\n%s", name, want, readme)
		}
	}
	if got, ok := RenderObject([]byte(page), nil); !ok || string(got) != "# Roadmap\n" {
		t.Errorf("page.json renders %q (%v)", got, ok)
	}
	comment := `{"object":"comment","id":"` + b(4) + `","created_time":"2025-01-01T00:00:00.000Z","created_by":{"object":"user","id":"` + b(5) + `"},"rich_text":` + text("Looks good") + `}`
	if got, ok := RenderObject([]byte(comment), nil); !ok || !strings.HasPrefix(string(got), "- ") || !strings.Contains(string(got), "Looks good") {
		t.Errorf("a comment renders %q (%v)", got, ok)
	}
	for _, bad := range []string{``, `[]`, `{"object":"user","id":"` + b(1) + `"}`, `{"object":"block"}`, `{"object":"block","id":"x"}`, "not json"} {
		if got, ok := RenderObject([]byte(bad), nil); ok {
			t.Errorf("%q renders %q", bad, got)
		}
	}
}
