package emulator

import "strings"

// Notion keeps a mention as a reference and renders its text when it is
// read: a page mention reads as the page's title as it is now, so renaming
// a page renames every mention of it. The emulator does the same on every
// answer, so that a restore which points a mention at the wrong page (or at
// no page) shows up as wrong text, exactly as it would in Notion. See
// FIDELITY.md for what is recorded and what is guessed.

// mentionHref is the href Notion gives a page or database mention: the
// object's address without a title slug.
func mentionHref(id string) string {
	return "https://www.notion.so/" + strings.ReplaceAll(id, "-", "")
}

// untitled is how Notion shows a page or database without a title, or one
// the integration cannot read.
const untitled = "Untitled"

// resolveMentions fills in, inside v (an answer being built, never stored
// state), the plain_text and href of every mention from the workspace as it
// is now. It walks the whole value, so that rich text is resolved wherever
// it sits: block content, captions, table cells, titles, rich_text
// properties, descriptions and comments.
func (s *Server) resolveMentions(v any) {
	switch v := v.(type) {
	case map[string]any:
		if str(v["type"]) == "mention" {
			if m, ok := v["mention"].(map[string]any); ok {
				s.resolveMention(v, m)
				return
			}
		}
		for _, x := range v {
			s.resolveMentions(x)
		}
	case []any:
		for _, x := range v {
			s.resolveMentions(x)
		}
	}
}

func (s *Server) resolveMention(item, m map[string]any) {
	kind := str(m["type"])
	body, _ := m[kind].(map[string]any)
	switch kind {
	case "page", "database":
		id := str(body["id"])
		if id == "" {
			return
		}
		item["href"] = mentionHref(id)
		var title string
		var found bool
		if p := s.st.pages[id]; p != nil && kind == "page" {
			title, found = plainTitle(p), true
		} else if d := s.st.databases[id]; d != nil {
			title, found = plainText(d["title"]), true
		} else if p := s.st.pages[id]; p != nil {
			// A database mention of a page id: Notion resolves ids, not kinds.
			title, found = plainTitle(p), true
		}
		switch {
		case found && s.st.readable(id) && title != "":
			item["plain_text"] = title
		case found:
			item["plain_text"] = untitled
		case str(item["plain_text"]) == "":
			// Not in this workspace at all (a fixture that holds only part of
			// one): the stored text is all there is to show.
			item["plain_text"] = untitled
		}
	case "user":
		if u := s.st.users[str(body["id"])]; u != nil {
			if name := str(u["name"]); name != "" {
				item["plain_text"] = "@" + name
			}
		}
		if str(item["plain_text"]) == "" {
			item["plain_text"] = "@Anonymous"
		}
	}
}

// mentionPlainText is the text of a mention whose text does not depend on
// the workspace, as Notion renders it when it is written.
func mentionPlainText(m map[string]any) string {
	kind := str(m["type"])
	body, _ := m[kind].(map[string]any)
	switch kind {
	case "date":
		s := str(body["start"])
		if end := str(body["end"]); end != "" {
			s += " → " + end
		}
		return s
	case "template_mention":
		switch str(body[str(body["type"])]) {
		case "today":
			return "@Today"
		case "now":
			return "@Now"
		case "me":
			return "@Me"
		}
	case "custom_emoji":
		if name := str(body["name"]); name != "" {
			return ":" + name + ":"
		}
	case "link_preview":
		return str(body["url"])
	case "link_mention":
		return str(body["href"])
	}
	return ""
}

// normMention fills a request's mention in as Notion answers it: ids
// dashed, users as user objects, dates with every field, and the text and
// href that do not depend on the workspace. Page, database and user
// mentions get their text when they are read (resolveMentions).
func normMention(item, m map[string]any) {
	kind := str(m["type"])
	if kind == "" {
		for _, k := range []string{"page", "database", "user", "date", "template_mention", "custom_emoji", "link_preview", "link_mention"} {
			if m[k] != nil {
				kind = k
				break
			}
		}
		m["type"] = kind
	}
	body, _ := m[kind].(map[string]any)
	// Both are Notion's to compute; whatever a request said is ignored.
	item["href"], item["plain_text"] = nil, mentionPlainText(m)
	switch kind {
	case "page", "database":
		if body != nil {
			body["id"] = dashedID(str(body["id"]))
			item["href"] = mentionHref(str(body["id"]))
		}
	case "user":
		if body != nil {
			body["id"] = dashedID(str(body["id"]))
			body["object"] = "user"
		}
	case "date":
		if body != nil {
			for _, k := range []string{"end", "time_zone"} {
				if _, ok := body[k]; !ok {
					body[k] = nil
				}
			}
		}
	case "link_preview":
		if body != nil {
			item["href"] = body["url"]
		}
	case "link_mention":
		if body != nil {
			item["href"] = body["href"]
		}
	}
}

// dashedID is id in Notion's dashed lowercase form when it is a UUID with or
// without dashes, and id unchanged otherwise (for validation to report).
func dashedID(id string) string {
	if n := normID(id); isDashedUUID(n) {
		return n
	}
	return id
}

// isDashedUUID reports whether id is a UUID as Notion answers it:
// 8-4-4-4-12 lowercase hex digits.
func isDashedUUID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}
