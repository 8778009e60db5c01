package workspace

import (
	"strings"
)

var colors = []string{"default", "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red"}

func annotations(bold, italic, strike, underline, code bool, color string) map[string]any {
	return map[string]any{
		"bold": bold, "italic": italic, "strikethrough": strike,
		"underline": underline, "code": code, "color": color,
	}
}

func plainAnnotations() map[string]any {
	return annotations(false, false, false, false, false, "default")
}

// textItem is a rich text item of type text; link may be "".
func textItem(content, link string, ann map[string]any) map[string]any {
	var l, href any
	if link != "" {
		l, href = map[string]any{"url": link}, link
	}
	return map[string]any{
		"type":        "text",
		"text":        map[string]any{"content": content, "link": l},
		"annotations": ann,
		"plain_text":  content,
		"href":        href,
	}
}

// plain is rich text of one unstyled text item.
func plain(s string) []any { return []any{textItem(s, "", plainAnnotations())} }

func equationItem(expr string) map[string]any {
	return map[string]any{
		"type": "equation", "equation": map[string]any{"expression": expr},
		"annotations": plainAnnotations(), "plain_text": expr, "href": nil,
	}
}

func mentionItem(mention map[string]any, plainText string, href any) map[string]any {
	return map[string]any{
		"type": "mention", "mention": mention,
		"annotations": plainAnnotations(), "plain_text": plainText, "href": href,
	}
}

func notionURL(title, id string) string {
	slug := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '-'
	}, title)
	slug = strings.Trim(slug, "-")
	if slug != "" {
		slug += "-"
	}
	return "https://www.notion.so/" + slug + strings.ReplaceAll(id, "-", "")
}

// mentionKinds are the mention types a rich text may hold, in the order the
// coverage tour uses them.
var mentionKinds = []string{"user", "date", "page", "database", "link_preview", "link_mention", "template_mention", "custom_emoji"}

func (g *gen) mention(kind string) map[string]any {
	switch kind {
	case "user":
		u := g.randomUser()
		return mentionItem(map[string]any{"type": "user", "user": userRef(u.id)}, "@"+u.name, nil)
	case "date":
		d := g.tick().Format("2006-01-02")
		return mentionItem(map[string]any{"type": "date", "date": map[string]any{"start": d, "end": nil, "time_zone": nil}}, d, nil)
	case "page":
		p := g.pages[g.pick(len(g.pages))]
		return mentionItem(map[string]any{"type": "page", "page": map[string]any{"id": p.id}}, p.title, notionURL("", p.id))
	case "database":
		if len(g.dbs) == 0 {
			return g.mention("page")
		}
		db := g.dbs[g.pick(len(g.dbs))]
		return mentionItem(map[string]any{"type": "database", "database": map[string]any{"id": db.id}}, db.title, notionURL("", db.id))
	case "link_preview":
		u := "https://github.com/notion-git/notion-git/pull/" + num(1+g.pick(400)).String()
		return mentionItem(map[string]any{"type": "link_preview", "link_preview": map[string]any{"url": u}}, u, u)
	case "link_mention":
		u := "https://go.dev/blog/go1.26"
		return mentionItem(map[string]any{"type": "link_mention", "link_mention": map[string]any{
			"href": u, "title": "Go 1.26 is released", "description": "The Go team announces Go 1.26.",
			"link_provider": "go.dev", "icon_url": "https://go.dev/favicon.ico",
		}}, u, u)
	case "template_mention":
		if g.chance(50) {
			return mentionItem(map[string]any{"type": "template_mention", "template_mention": map[string]any{
				"type": "template_mention_date", "template_mention_date": "today"}}, "@Today", nil)
		}
		return mentionItem(map[string]any{"type": "template_mention", "template_mention": map[string]any{
			"type": "template_mention_user", "template_mention_user": "me"}}, "@Me", nil)
	case "custom_emoji":
		return mentionItem(map[string]any{"type": "custom_emoji", "custom_emoji": cloneJSON(g.emoji)}, ":shipit:", nil)
	}
	panic("unknown mention kind " + kind)
}

// richText is one to three items of prose, now and then styled, linked, or
// holding a mention or an equation.
func (g *gen) richText() []any {
	n := 1
	if g.chance(35) {
		n += 1 + g.pick(2)
	}
	items := make([]any, 0, n)
	for i := range n {
		switch {
		case i > 0 && g.chance(15):
			items = append(items, g.mention(mentionKinds[g.pick(len(mentionKinds))]))
		case i > 0 && g.chance(5):
			items = append(items, equationItem("E = mc^2"))
		default:
			s := g.names.sentence()
			if i > 0 {
				s = " " + s
			}
			ann := g.ann
			link := ""
			if g.chance(12) {
				ann = annotations(g.chance(50), g.chance(40), g.chance(5), g.chance(10), g.chance(10), colors[g.pick(len(colors))])
			}
			if g.chance(6) {
				link = "https://example.com/" + strings.ToLower(topics[g.pick(len(topics))])
			}
			items = append(items, textItem(s, link, ann))
		}
	}
	return items
}

// tourRichText holds every kind of rich text item at least once: styled and
// linked text, an equation and every mention type.
func (g *gen) tourRichText() []any {
	items := []any{
		textItem("Bold, ", "", annotations(true, false, false, false, false, "default")),
		textItem("italic, ", "", annotations(false, true, false, false, false, "default")),
		textItem("struck, ", "", annotations(false, false, true, false, false, "default")),
		textItem("underlined, ", "", annotations(false, false, false, true, false, "default")),
		textItem("code", "", annotations(false, false, false, false, true, "red")),
		textItem(" and a link", "https://developers.notion.com/reference/rich-text", annotations(false, false, false, false, false, "blue_background")),
		textItem("; the equation ", "", plainAnnotations()),
		equationItem(`\int_0^1 x^2\,dx = \tfrac13`),
		textItem("; mentions: ", "", plainAnnotations()),
	}
	for _, k := range mentionKinds {
		items = append(items, g.mention(k), textItem(" ", "", plainAnnotations()))
	}
	return items
}
