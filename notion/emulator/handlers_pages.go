package emulator

import (
	"net/url"
	"strings"
)

func (s *Server) readablePage(id string) (map[string]any, error) {
	p := s.st.pages[id]
	if p == nil || !s.st.readable(id) {
		return nil, errNotFound(id)
	}
	return p, nil
}

func pageURL(id, title string) string {
	slug := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, title)
	if slug != "" {
		slug += "-"
	}
	return "https://www.notion.so/" + slug + strings.ReplaceAll(id, "-", "")
}

// parentOf resolves a request's parent to its stored form and, for rows, the
// data source whose schema applies.
func (s *Server) parentOf(p map[string]any) (parent map[string]any, key string, ds map[string]any, err error) {
	switch {
	case p["page_id"] != nil:
		key = normID(str(p["page_id"]))
		if _, err := s.readablePage(key); err != nil {
			return nil, "", nil, err
		}
		return map[string]any{"type": "page_id", "page_id": key}, key, nil, nil
	case p["data_source_id"] != nil:
		key = normID(str(p["data_source_id"]))
	case p["database_id"] != nil:
		dbID := normID(str(p["database_id"]))
		db := s.st.databases[dbID]
		if db == nil || !s.st.readable(dbID) {
			return nil, "", nil, errNotFound(dbID)
		}
		sources, _ := db["data_sources"].([]any)
		if len(sources) != 1 {
			return nil, "", nil, errValidation("Databases with multiple data sources are not supported in this API version.")
		}
		key = str(sources[0].(map[string]any)["id"])
	case p["workspace"] == true:
		return map[string]any{"type": "workspace", "workspace": true}, "", nil, nil
	default:
		return nil, "", nil, errBody("body.parent should be an object with page_id, data_source_id, database_id or workspace.")
	}
	ds = s.st.dataSources[key]
	if ds == nil || !s.st.readable(key) {
		return nil, "", nil, errNotFound(key)
	}
	return map[string]any{"type": "data_source_id", "data_source_id": key, "database_id": parentKey(ds)}, key, ds, nil
}

func (s *Server) createPage(c *call) (any, error) {
	if len(c.raw) > maxBodyBytes {
		return nil, errBody("the request body should be ≤ %d bytes, instead was %d.", maxBodyBytes, len(c.raw))
	}
	reqParent, _ := c.body["parent"].(map[string]any)
	if reqParent == nil {
		return nil, errBody("body.parent should be defined, instead was `undefined`.")
	}
	parent, key, ds, err := s.parentOf(reqParent)
	if err != nil {
		return nil, err
	}
	var schema map[string]any
	if ds != nil {
		schema, _ = ds["properties"].(map[string]any)
	}
	props, _ := c.body["properties"].(map[string]any)
	v := &blockCheck{s: s}
	if err := v.properties(props, schema); err != nil {
		return nil, err
	}
	if err := v.iconCover(c.body); err != nil {
		return nil, err
	}
	children, hasChildren := c.body["children"].([]any)
	if hasChildren {
		if err := v.children(children, "body.children", 1); err != nil {
			return nil, err
		}
	}
	if err := v.uploadsOnce(); err != nil {
		return nil, err
	}

	// Everything is checked: from here on the write is applied whole.
	id := s.NewID()
	p := s.meta(id)
	p["object"] = "page"
	p["parent"] = parent
	p["properties"] = s.normProperties(props, schema)
	p["icon"], p["cover"] = s.normContent(deepCopy(c.body["icon"])), s.normContent(deepCopy(c.body["cover"]))
	p["is_locked"], p["is_archived"] = false, false
	p["url"], p["public_url"] = pageURL(id, plainTitle(p)), nil
	s.st.pages[id] = p
	s.st.pageOrder = append(s.st.pageOrder, id)
	if key == "" {
		s.st.shared[id] = true // a workspace-level page belongs to the integration
	} else {
		s.st.children[key] = append(s.st.children[key], id)
	}
	s.mirrorDuals(id, sortedNames(props))
	if hasChildren {
		s.createBlocks(id, "", children)
	}
	return s.renderPage(c, id), nil
}

func (s *Server) getPage(c *call) (any, error) {
	id := c.id("id")
	if _, err := s.readablePage(id); err != nil {
		return nil, err
	}
	return s.renderPage(c, id), nil
}

// trashChange reads in_trash or archived from a PATCH body.
func trashChange(body map[string]any) (trash, ok bool) {
	for _, k := range []string{"in_trash", "archived"} {
		if b, isBool := body[k].(bool); isBool {
			return b, true
		}
	}
	return false, false
}

func errArchived() error {
	return errValidation("Can't edit block that is archived. You must unarchive the block before editing.")
}

func (s *Server) updatePage(c *call) (any, error) {
	id := c.id("id")
	p, err := s.readablePage(id)
	if err != nil {
		return nil, err
	}
	trash, trashSet := trashChange(c.body)
	if s.st.trashed(id) && !(trashSet && !trash) {
		return nil, errArchived()
	}
	var schema map[string]any
	if ds := s.st.dataSources[str(p["parent"].(map[string]any)["data_source_id"])]; ds != nil {
		schema, _ = ds["properties"].(map[string]any)
	}
	props, _ := c.body["properties"].(map[string]any)
	v := &blockCheck{s: s}
	if err := v.properties(props, schema); err != nil {
		return nil, err
	}
	if err := v.iconCover(c.body); err != nil {
		return nil, err
	}
	if err := v.uploadsOnce(); err != nil {
		return nil, err
	}
	stored, _ := p["properties"].(map[string]any)
	if stored == nil {
		stored = map[string]any{}
		p["properties"] = stored
	}
	for name, val := range s.normProperties(props, schema) {
		// Replace a value stored under an older name of the same property.
		for old, ov := range stored {
			if om, _ := ov.(map[string]any); om != nil && om["id"] != nil && om["id"] == val.(map[string]any)["id"] {
				delete(stored, old)
			}
		}
		stored[name] = val
	}
	s.mirrorDuals(id, sortedNames(props))
	for _, k := range []string{"icon", "cover", "is_locked"} {
		if x, ok := c.body[k]; ok {
			p[k] = s.normContent(deepCopy(x))
		}
	}
	if trashSet {
		p["in_trash"], p["archived"] = trash, trash
	}
	touch(p, notionTime(s.now()), s.editor())
	return s.renderPage(c, id), nil
}

// propertyItemTypes are paginated by the property item endpoint.
var propertyItemTypes = map[string]bool{"title": true, "rich_text": true, "relation": true, "people": true}

func (s *Server) getPageProperty(c *call) (any, error) {
	id := c.id("id")
	if _, err := s.readablePage(id); err != nil {
		return nil, err
	}
	pid, _ := url.PathUnescape(c.r.PathValue("property_id"))
	var val map[string]any
	for name, v := range s.pageProperties(id) {
		m := v.(map[string]any)
		// Property ids arrive URL-encoded ("%3AxYz") and are used in the
		// path as they are; the path is decoded once on the way in.
		stored, err := url.PathUnescape(str(m["id"]))
		if err != nil {
			stored = str(m["id"])
		}
		if stored == pid || str(m["id"]) == pid || name == pid {
			val = m
		}
	}
	if val == nil {
		return nil, errNotFound(pid)
	}
	typ := str(val["type"])
	if !propertyItemTypes[typ] {
		item := copyMap(val)
		item["object"] = "property_item"
		s.signFiles(c, item)
		return item, nil
	}
	arr, _ := val[typ].([]any)
	start, end, next, more, err := window(c, len(arr))
	if err != nil {
		return nil, err
	}
	results := make([]any, 0, end-start)
	for _, x := range arr[start:end] {
		results = append(results, map[string]any{"object": "property_item", "id": val["id"], "type": typ, typ: deepCopy(x)})
	}
	out := list("property_item", results, next, more)
	out["property_item"] = map[string]any{"id": val["id"], "next_url": nil, "type": typ, typ: map[string]any{}}
	return out, nil
}
