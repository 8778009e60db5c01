package emulator

import "maps"

var defaultAnnotations = map[string]any{
	"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default",
}

// normRichText fills a request's rich text in as Notion answers it.
func normRichText(x any) []any {
	arr, _ := x.([]any)
	out := make([]any, 0, len(arr))
	for _, it := range arr {
		m := copyMap(it.(map[string]any))
		ann := maps.Clone(defaultAnnotations)
		if a, ok := m["annotations"].(map[string]any); ok {
			maps.Copy(ann, a)
		}
		m["annotations"] = ann
		switch {
		case m["text"] != nil:
			m["type"] = "text"
			t := m["text"].(map[string]any)
			if _, ok := t["link"]; !ok {
				t["link"] = nil
			}
			m["plain_text"] = str(t["content"])
			if l, ok := t["link"].(map[string]any); ok {
				m["href"] = l["url"]
			}
		case m["equation"] != nil:
			m["type"] = "equation"
			m["plain_text"] = str(m["equation"].(map[string]any)["expression"])
		case m["mention"] != nil:
			m["type"] = "mention"
			if mm, ok := m["mention"].(map[string]any); ok {
				normMention(m, mm)
			}
		}
		if _, ok := m["href"]; !ok {
			m["href"] = nil
		}
		out = append(out, m)
	}
	return out
}

// normContent normalises the content of a request block or property in place:
// rich text is filled in and file uploads become Notion-hosted files.
func (s *Server) normContent(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if str(v["type"]) == "file_upload" {
			if fu, ok := v["file_upload"].(map[string]any); ok {
				return s.attachUpload(v, normID(str(fu["id"])))
			}
		}
		for k, x := range v {
			if k == "rich_text" || k == "caption" || k == "title" || k == "cells" {
				if arr, ok := x.([]any); ok {
					if k == "cells" {
						for i, c := range arr {
							arr[i] = normRichText(c)
						}
						continue
					}
					v[k] = normRichText(arr)
					continue
				}
			}
			v[k] = s.normContent(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = s.normContent(x)
		}
		return v
	}
	return v
}

// meta are the fields Notion sets on a new object.
func (s *Server) meta(id string) map[string]any {
	now := notionTime(s.now())
	by := map[string]any{"object": "user", "id": s.st.bot["id"]}
	return map[string]any{
		"id": id, "created_time": now, "last_edited_time": now,
		"created_by": by, "last_edited_by": maps.Clone(by), "in_trash": false, "archived": false,
	}
}

func (s *Server) editor() map[string]any {
	return map[string]any{"object": "user", "id": s.st.bot["id"]}
}

// createBlocks stores request blocks (already validated) under parent, after
// the child `after` ("" for the end), and returns their ids.
func (s *Server) createBlocks(parent, after string, children []any) []string {
	ptype := "block_id"
	if s.st.pages[parent] != nil {
		ptype = "page_id"
	}
	var ids []string
	for _, x := range children {
		req := x.(map[string]any)
		typ := blockType(req)
		id := s.NewID()
		b := s.meta(id)
		b["object"] = "block"
		b["parent"] = map[string]any{"type": ptype, ptype: parent}
		b["type"] = typ
		content, _ := deepCopy(req[typ]).(map[string]any)
		if content == nil {
			content = map[string]any{}
		}
		kids, _ := childrenOf(req, typ)
		delete(content, "children")
		content = s.normContent(content).(map[string]any)
		if _, ok := content["color"]; !ok && hasColor[typ] {
			content["color"] = "default"
		}
		for k, v := range blockDefaults[typ] {
			if _, ok := content[k]; !ok {
				content[k] = deepCopy(v)
			}
		}
		if mediaTypes[typ] && content["caption"] == nil {
			content["caption"] = []any{}
		}
		b[typ] = content
		s.st.blocks[id] = b
		ids = append(ids, id)
		if len(kids) > 0 {
			s.createBlocks(id, "", kids)
		}
	}
	s.st.insertChild(parent, after, ids...)
	return ids
}

// blockDefaults are the fields Notion fills in on a created block.
var blockDefaults = map[string]map[string]any{
	"paragraph": {"icon": nil},
	"callout":   {"icon": nil},
	"heading_1": {"is_toggleable": false}, "heading_2": {"is_toggleable": false},
	"heading_3": {"is_toggleable": false}, "heading_4": {"is_toggleable": false},
	"to_do":             {"checked": false},
	"code":              {"caption": []any{}, "language": "plain text"},
	"embed":             {"caption": []any{}},
	"bookmark":          {"caption": []any{}},
	"table_of_contents": {"color": "default"},
	"table":             {"has_column_header": false, "has_row_header": false},
	"synced_block":      {"synced_from": nil},
}

var hasColor = map[string]bool{
	"paragraph": true, "heading_1": true, "heading_2": true, "heading_3": true, "heading_4": true,
	"bulleted_list_item": true, "numbered_list_item": true, "quote": true, "to_do": true,
	"toggle": true, "callout": true,
}

// normProperties turns request property values into stored ones.
func (s *Server) normProperties(props map[string]any, schema map[string]any) map[string]any {
	out := map[string]any{}
	for name, val := range props {
		typ := propType(name, val, schema)
		payload := s.normContent(deepCopy(propPayload(val, typ)))
		if typ == "title" || typ == "rich_text" {
			payload = normRichText(propPayload(val, typ))
		}
		if typ == "people" {
			for _, u := range payload.([]any) {
				u.(map[string]any)["object"] = "user"
			}
		}
		if typ == "people" || typ == "relation" {
			// Requests may spell ids without dashes; answers never do.
			for _, r := range payload.([]any) {
				if m, ok := r.(map[string]any); ok {
					m["id"] = dashedID(str(m["id"]))
				}
			}
		}
		v := map[string]any{"type": typ, typ: payload}
		key := name
		if d := schemaProp(schema, name); d != nil {
			v["id"] = d["id"]
			for n, x := range schema {
				if x.(map[string]any)["id"] == d["id"] {
					key = n
				}
			}
		} else if typ == "title" {
			v["id"] = "title"
		}
		out[key] = v
	}
	return out
}
