package importer

import (
	"unicode/utf16"

	"github.com/notion-git/notion-git/layout"
)

// Write limits of the Notion API (see notion-api.md). The importer plans its
// requests to stay inside them.
const (
	maxTextContent   = 2000    // characters (UTF-16 units) in one text item
	maxArray         = 100     // items in a rich text, relation, people or multi_select array
	maxChildren      = 100     // children in one array of an append
	maxBlockElements = 1000    // blocks in one request
	maxRequestBytes  = 450_000 // Notion's limit is 500 KB; the margin covers the wrapper
)

// refState is what remapping found in one value.
type refState struct {
	// pending: a reference to an object of the snapshot that does not exist
	// yet; the value must be written again once it does.
	pending bool
}

// mapRef returns the id a reference to old must use now: its new id when it
// was restored, else old itself. pending is set when old will be restored
// later; a reference to something outside the restore is counted.
func (r *restorer) mapRef(old, kind string, st *refState) string {
	id, err := layout.ParseID(old)
	if err != nil {
		return old
	}
	if nu, ok := r.j.id(id); ok && nu != "" {
		return nu
	}
	if r.plan.restores(id) {
		st.pending = true
	} else {
		r.count(r.rep.External, kind)
	}
	return old
}

// richText converts a stored rich text array into request form: response
// fields dropped, mentions remapped, long text split at 2,000 characters,
// and the array kept within 100 items.
func (r *restorer) richText(v any, st *refState) []any {
	arr, _ := v.([]any)
	out := make([]any, 0, len(arr))
	for _, x := range arr {
		it, _ := x.(map[string]any)
		if it == nil {
			continue
		}
		out = append(out, r.richTextItem(it, st)...)
	}
	if len(out) > maxArray {
		out = mergeText(out)
	}
	if len(out) > maxArray {
		r.count(r.rep.Truncated, "rich text beyond 100 items")
		out = out[:maxArray]
	}
	return out
}

func annotationsOf(it map[string]any) map[string]any {
	a, _ := it["annotations"].(map[string]any)
	out := map[string]any{}
	for _, k := range []string{"bold", "italic", "strikethrough", "underline", "code"} {
		if b, ok := a[k].(bool); ok && b {
			out[k] = true
		}
	}
	if c, ok := a["color"].(string); ok && c != "" && c != "default" {
		out["color"] = c
	}
	return out
}

// richTextItem converts one item; a long text item becomes several.
func (r *restorer) richTextItem(it map[string]any, st *refState) []any {
	ann := annotationsOf(it)
	with := func(m map[string]any) map[string]any {
		if len(ann) > 0 {
			m["annotations"] = ann
		}
		return m
	}
	switch it["type"] {
	case "text":
		t, _ := it["text"].(map[string]any)
		content, _ := t["content"].(string)
		var link map[string]any
		if l, ok := t["link"].(map[string]any); ok {
			if u, _ := l["url"].(string); u != "" {
				link = map[string]any{"url": u}
			}
		}
		return textItems(content, link, with)
	case "equation":
		e, _ := it["equation"].(map[string]any)
		return []any{with(map[string]any{"type": "equation", "equation": map[string]any{"expression": e["expression"]}})}
	case "mention":
		if m := r.mention(it, st); m != nil {
			return []any{with(map[string]any{"type": "mention", "mention": m})}
		}
		// A mention the API cannot create (link preview, link mention) keeps
		// its text and its link; without text, the URL is the text.
		content, url := linkedText(it)
		mt, _ := it["mention"].(map[string]any)
		kind, _ := mt["type"].(string)
		r.count(r.rep.Substituted, "mention "+kind+" → linked text")
		if content == "" {
			return nil
		}
		var link map[string]any
		if url != "" && len(url) <= 2000 {
			link = map[string]any{"url": url}
		}
		return textItems(content, link, with)
	}
	return nil
}

// mention returns the request form of a mention, or nil when the API cannot
// create its kind.
func (r *restorer) mention(it map[string]any, st *refState) map[string]any {
	m, _ := it["mention"].(map[string]any)
	kind, _ := m["type"].(string)
	body, _ := m[kind].(map[string]any)
	switch kind {
	case "user":
		return map[string]any{"type": "user", "user": map[string]any{"id": body["id"]}}
	case "date":
		return map[string]any{"type": "date", "date": dateRequest(body)}
	case "page", "database":
		id, _ := body["id"].(string)
		return map[string]any{"type": kind, kind: map[string]any{"id": r.mapRef(id, kind+" mention", st)}}
	case "template_mention":
		t, _ := body["type"].(string)
		return map[string]any{"type": kind, kind: map[string]any{"type": t, t: body[t]}}
	case "custom_emoji":
		r.count(r.rep.External, "custom emoji")
		return map[string]any{"type": kind, kind: map[string]any{"id": body["id"]}}
	}
	return nil
}

// dateRequest keeps the fields a date value may be written with.
func dateRequest(d map[string]any) map[string]any {
	out := map[string]any{"start": d["start"]}
	for _, k := range []string{"end", "time_zone"} {
		if v, ok := d[k]; ok && v != nil {
			out[k] = v
		}
	}
	return out
}

// splitText cuts s into pieces of at most n UTF-16 units, never inside a
// surrogate pair. An empty string stays one empty piece.
func splitText(s string, n int) []string {
	if len(s) <= n {
		return []string{s} // n bytes are at most n UTF-16 units
	}
	var parts []string
	start, units := 0, 0
	for i, c := range s {
		w := len(utf16.Encode([]rune{c}))
		if units+w > n {
			parts = append(parts, s[start:i])
			start, units = i, 0
		}
		units += w
	}
	return append(parts, s[start:])
}

// mergeText joins neighbouring text items of the same style and link, to
// bring an array back under 100 items before anything is cut.
func mergeText(items []any) []any {
	var out []any
	for _, x := range items {
		it := x.(map[string]any)
		if len(out) > 0 {
			prev := out[len(out)-1].(map[string]any)
			if prev["type"] == "text" && it["type"] == "text" && sameStyle(prev, it) {
				pt, ct := prev["text"].(map[string]any), it["text"].(map[string]any)
				joined := pt["content"].(string) + ct["content"].(string)
				if len(utf16.Encode([]rune(joined))) <= maxTextContent {
					pt["content"] = joined
					continue
				}
			}
		}
		out = append(out, it)
	}
	return out
}

func sameStyle(a, b map[string]any) bool {
	return jsonEqual(a["annotations"], b["annotations"]) && jsonEqual(a["text"].(map[string]any)["link"], b["text"].(map[string]any)["link"])
}

// textItems is content as text items of at most 2,000 characters, each
// linked to link when there is one, each finished by with.
func textItems(content string, link map[string]any, with func(map[string]any) map[string]any) []any {
	var items []any
	for _, part := range splitText(content, maxTextContent) {
		text := map[string]any{"content": part}
		if link != nil {
			text["link"] = link
		}
		items = append(items, with(map[string]any{"type": "text", "text": text}))
	}
	return items
}
