package emulator

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
)

// maxRefs is how many references a page object carries per property; the
// rest are served by the property item endpoint.
const maxRefs = 25

// renderPage is a page as GET pages/{id} answers it.
func (s *Server) renderPage(c *call, id string) map[string]any {
	st := s.st
	p := copyMap(st.pages[id])
	if st.trashed(id) {
		p["in_trash"], p["archived"] = true, true
	}
	p["properties"] = s.pageProperties(id)
	for name, v := range p["properties"].(map[string]any) {
		p["properties"].(map[string]any)[name] = truncateRefs(v.(map[string]any))
	}
	s.signFiles(c, p)
	return p
}

// pageProperties are a page's values as its data source's schema names them
// now: renamed properties follow, deleted ones vanish, missing ones read empty.
func (s *Server) pageProperties(id string) map[string]any {
	p := s.st.pages[id]
	stored, _ := p["properties"].(map[string]any)
	ds := s.st.dataSources[str(p["parent"].(map[string]any)["data_source_id"])]
	if ds == nil {
		out := copyMap(stored)
		s.resolveMentions(out)
		return out
	}
	byID := map[string]map[string]any{}
	for name, v := range stored {
		if m, ok := v.(map[string]any); ok {
			byID[str(m["id"])] = m
			byID["name:"+name] = m
		}
	}
	out := map[string]any{}
	schema, _ := ds["properties"].(map[string]any)
	for name, def := range schema {
		d, _ := def.(map[string]any)
		pid := str(d["id"])
		v := byID[pid]
		if v == nil {
			v = byID["name:"+name]
		}
		if v == nil {
			v = emptyValue(str(d["type"]), p)
		}
		if v == nil {
			continue
		}
		v = copyMap(v)
		v["id"] = pid
		out[name] = v
	}
	s.resolveMentions(out)
	return out
}

// emptyValue is how Notion shows a property a row has no value for.
func emptyValue(typ string, p map[string]any) map[string]any {
	var v any
	switch typ {
	case "title", "rich_text", "multi_select", "people", "files", "relation":
		v = []any{}
	case "checkbox":
		v = false
	case "number", "select", "status", "date", "url", "email", "phone_number", "place", "verification":
		v = nil
	case "created_time", "last_edited_time", "created_by", "last_edited_by":
		v = p[typ]
	case "formula":
		v = map[string]any{"type": "string", "string": nil}
	default:
		return nil
	}
	return map[string]any{"type": typ, typ: v}
}

// truncateRefs keeps the first 25 references of a property value.
func truncateRefs(v map[string]any) map[string]any {
	typ := str(v["type"])
	arr, _ := v[typ].([]any)
	switch typ {
	case "relation", "people":
		if len(arr) > maxRefs {
			v[typ] = arr[:maxRefs]
			v["has_more"] = true
		}
	case "title", "rich_text":
		mentions := 0
		var kept []any
		for _, it := range arr {
			if m, _ := it.(map[string]any); str(m["type"]) == "mention" {
				mentions++
				if mentions > maxRefs {
					continue
				}
			}
			kept = append(kept, it)
		}
		if mentions > maxRefs {
			v[typ] = kept
		}
	}
	return v
}

// renderBlock is a block (or a page or database seen as a child block).
func (s *Server) renderBlock(c *call, id string) map[string]any {
	st := s.st
	var b map[string]any
	switch {
	case st.pages[id] != nil:
		p := st.pages[id]
		b = childBlock(p, s.editor(), "child_page", map[string]any{"title": s.titleText(titleOf(p))})
	case st.databases[id] != nil:
		d := st.databases[id]
		b = childBlock(d, s.editor(), "child_database", map[string]any{"title": s.titleText(d["title"])})
	default:
		b = copyMap(st.blocks[id])
		s.resolveMentions(b)
	}
	b["has_children"] = s.hasChildren(id)
	if st.trashed(id) {
		b["in_trash"], b["archived"] = true, true
	}
	s.signFiles(c, b)
	return b
}

// childBlock is a page or database as its parent's child block. A database
// carries no authors, so the block shows who (the bot) when it has none.
func childBlock(o, who map[string]any, typ string, content map[string]any) map[string]any {
	b := map[string]any{"object": "block", "id": o["id"], "parent": deepCopy(o["parent"])}
	for _, k := range []string{"created_time", "last_edited_time", "created_by", "last_edited_by"} {
		b[k] = deepCopy(o[k])
		if b[k] == nil && (k == "created_by" || k == "last_edited_by") {
			b[k] = deepCopy(who)
		}
	}
	b["in_trash"], b["archived"] = selfTrashed(o), selfTrashed(o)
	b["type"], b[typ] = typ, content
	return b
}

func (s *Server) hasChildren(id string) bool {
	for _, c := range s.st.children[id] {
		if o := s.st.object(c); o != nil && !selfTrashed(o) {
			return true
		}
	}
	return false
}

func plainTitle(p map[string]any) string { return plainText(titleOf(p)) }

// titleOf is a page's title rich text, nil when it has none.
func titleOf(p map[string]any) any {
	props, _ := p["properties"].(map[string]any)
	for _, v := range props {
		if m, _ := v.(map[string]any); str(m["type"]) == "title" {
			return m["title"]
		}
	}
	return nil
}

// titleText is the plain text of a title with its mentions read as they
// are now, as a child_page or child_database block shows it.
func (s *Server) titleText(rt any) string {
	c := deepCopy(rt)
	s.resolveMentions(c)
	return plainText(c)
}

func plainText(v any) string {
	arr, _ := v.([]any)
	var b strings.Builder
	for _, it := range arr {
		m, _ := it.(map[string]any)
		if pt, ok := m["plain_text"].(string); ok {
			b.WriteString(pt)
		} else if t, _ := m["text"].(map[string]any); t != nil {
			b.WriteString(str(t["content"]))
		}
	}
	return b.String()
}

func (s *Server) renderDatabase(c *call, id string) map[string]any {
	d := copyMap(s.st.databases[id])
	if s.st.trashed(id) {
		d["in_trash"], d["archived"] = true, true
	}
	s.resolveMentions(d)
	s.signFiles(c, d)
	return d
}

func (s *Server) renderDataSource(c *call, id string) map[string]any {
	d := copyMap(s.st.dataSources[id])
	if s.st.trashed(id) {
		d["in_trash"], d["archived"] = true, true
	}
	s.resolveMentions(d)
	s.signFiles(c, d)
	return d
}

// list is a paginated answer of the given result type.
func list(typ string, results []any, next string, more bool) map[string]any {
	if results == nil {
		results = []any{}
	}
	out := map[string]any{"object": "list", "results": results, "next_cursor": nil, "has_more": more, "type": typ, typ: map[string]any{}}
	if more {
		out["next_cursor"] = next
	}
	return out
}

// window reads start_cursor and page_size (from the query for GET, the body
// otherwise) and returns the slice bounds of the requested page.
func window(c *call, total int) (start, end int, next string, more bool, err error) {
	var cursor string
	size := 100
	if c.r.Method == "GET" {
		q := c.r.URL.Query()
		cursor = q.Get("start_cursor")
		if ps := q.Get("page_size"); ps != "" {
			n, e := strconv.Atoi(ps)
			if e != nil {
				return 0, 0, "", false, &apiError{400, "validation_error", "page_size should be a number, instead was `" + ps + "`."}
			}
			size = n
		}
	} else {
		cursor = str(c.body["start_cursor"])
		if ps, ok := c.body["page_size"].(json.Number); ok {
			n, _ := ps.Int64()
			size = int(n)
		}
	}
	where := "body."
	if c.r.Method == "GET" {
		where = "query."
	}
	if size > 100 {
		return 0, 0, "", false, errBody("%spage_size should be ≤ `100`, instead was `%d`.", where, size)
	}
	if size < 1 {
		return 0, 0, "", false, errBody("%spage_size should be ≥ `1`, instead was `%d`.", where, size)
	}
	if cursor != "" {
		start, err = decodeCursor(cursor)
		if err != nil {
			return 0, 0, "", false, errBody("%sstart_cursor should be a valid cursor, instead was `%q`.", where, cursor)
		}
	}
	start = min(start, total)
	end = min(start+size, total)
	if end < total {
		return start, end, encodeCursor(end), true, nil
	}
	return start, end, "", false, nil
}

// Cursors are opaque to clients; they carry the offset of the next item.
func encodeCursor(off int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("ntc1:" + strconv.Itoa(off)))
}

func decodeCursor(s string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, err
	}
	n, ok := strings.CutPrefix(string(b), "ntc1:")
	if !ok {
		return 0, strconv.ErrSyntax
	}
	return strconv.Atoi(n)
}
