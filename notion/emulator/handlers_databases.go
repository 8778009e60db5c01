package emulator

import (
	"cmp"
	"slices"
	"strings"
)

func (s *Server) createDatabase(c *call) (any, error) {
	reqParent, _ := c.body["parent"].(map[string]any)
	pageID := normID(str(reqParent["page_id"]))
	if reqParent["workspace"] != true {
		if _, err := s.readablePage(pageID); err != nil {
			return nil, err
		}
	}
	props := map[string]any{}
	if ids, ok := c.body["initial_data_source"].(map[string]any); ok {
		props, _ = ids["properties"].(map[string]any)
	} else if p, ok := c.body["properties"].(map[string]any); ok {
		props = p
	}
	v := &blockCheck{s: s}
	if t, ok := c.body["title"]; ok {
		if err := v.richText(t, "body.title"); err != nil {
			return nil, err
		}
	}
	if err := v.iconCover(c.body); err != nil {
		return nil, err
	}
	if err := v.uploadsOnce(); err != nil {
		return nil, err
	}
	id := s.NewID()
	db := s.meta(id)
	delete(db, "created_by")
	delete(db, "last_edited_by")
	db["object"] = "database"
	db["title"] = normRichText(c.body["title"])
	db["description"] = normRichText(c.body["description"])
	if reqParent["workspace"] == true {
		db["parent"] = map[string]any{"type": "workspace", "workspace": true}
		s.st.shared[id] = true
	} else {
		db["parent"] = map[string]any{"type": "page_id", "page_id": pageID}
		s.st.children[pageID] = append(s.st.children[pageID], id)
	}
	db["is_inline"] = c.body["is_inline"] == true
	db["is_locked"] = false
	db["icon"], db["cover"] = s.normContent(deepCopy(c.body["icon"])), s.normContent(deepCopy(c.body["cover"]))
	db["url"], db["public_url"] = "https://www.notion.so/"+strings.ReplaceAll(id, "-", ""), nil
	db["data_sources"] = []any{}
	s.st.databases[id] = db
	s.addDefaultView(id, s.addDataSource(id, db["title"], props))
	return s.renderDatabase(c, id), nil
}

// addDataSource creates a data source in database dbID.
func (s *Server) addDataSource(dbID string, title any, props map[string]any) string {
	db := s.st.databases[dbID]
	id := s.NewID()
	ds := s.meta(id)
	ds["object"] = "data_source"
	ds["title"] = deepCopy(title)
	ds["description"] = []any{}
	ds["is_inline"] = db["is_inline"]
	ds["icon"], ds["cover"] = deepCopy(db["icon"]), deepCopy(db["cover"])
	ds["properties"] = map[string]any{}
	s.applySchema(ds, props)
	ds["parent"] = map[string]any{"type": "database_id", "database_id": dbID}
	ds["database_parent"] = deepCopy(db["parent"])
	ds["url"], ds["public_url"] = db["url"], nil
	s.st.dataSources[id] = ds
	s.st.dsOrder = append(s.st.dsOrder, id)
	db["data_sources"] = append(db["data_sources"].([]any), map[string]any{"id": id, "name": plainText(title)})
	return id
}

// applySchema applies a schema change: null deletes a property, "name"
// renames it, a type configuration adds or replaces one.
func (s *Server) applySchema(ds map[string]any, change map[string]any) {
	schema := ds["properties"].(map[string]any)
	for key, x := range change {
		name, cur := key, schemaProp(schema, key)
		if cur != nil {
			for n, d := range schema {
				if d.(map[string]any)["id"] == cur["id"] {
					name = n
				}
			}
		}
		if x == nil {
			delete(schema, name)
			continue
		}
		def := copyMap(x.(map[string]any))
		if cur == nil {
			cur = map[string]any{"id": s.propertyID(def), "name": key, "description": nil}
		}
		if n := str(def["name"]); n != "" && n != name {
			delete(schema, name)
			name = n
			cur["name"] = n
		}
		typ := str(def["type"])
		if typ == "" {
			for k := range def {
				if k != "name" && k != "description" && k != "id" {
					typ = k
				}
			}
		}
		if typ != "" {
			if str(cur["type"]) != typ {
				delete(cur, str(cur["type"]))
			}
			cur["type"] = typ
			conf, _ := def[typ].(map[string]any)
			if conf == nil {
				conf = map[string]any{}
			}
			// Notion answers an option list even when none was given.
			if _, ok := conf["options"]; !ok && (typ == "select" || typ == "multi_select") {
				conf["options"] = []any{}
			}
			cur[typ] = conf
			if typ == "title" {
				cur["id"] = "title"
			}
		}
		schema[name] = cur
	}
	s.linkDuals(ds)
}

func (s *Server) propertyID(def map[string]any) string {
	if def["title"] != nil || str(def["type"]) == "title" {
		return "title"
	}
	return strings.ReplaceAll(s.NewID(), "-", "")[:4]
}

func (s *Server) readableDatabase(id string) error {
	if s.st.databases[id] == nil || !s.st.readable(id) {
		return errNotFound(id)
	}
	return nil
}

func (s *Server) getDatabase(c *call) (any, error) {
	id := c.id("id")
	if err := s.readableDatabase(id); err != nil {
		return nil, err
	}
	return s.renderDatabase(c, id), nil
}

func (s *Server) updateDatabase(c *call) (any, error) {
	id := c.id("id")
	if err := s.readableDatabase(id); err != nil {
		return nil, err
	}
	db := s.st.databases[id]
	v := &blockCheck{s: s}
	if err := v.iconCover(c.body); err != nil {
		return nil, err
	}
	if err := v.uploadsOnce(); err != nil {
		return nil, err
	}
	for _, k := range []string{"title", "description"} {
		if x, ok := c.body[k]; ok {
			db[k] = normRichText(x)
		}
	}
	for _, k := range []string{"icon", "cover", "is_inline", "is_locked"} {
		if x, ok := c.body[k]; ok {
			db[k] = s.normContent(deepCopy(x))
		}
	}
	if trash, ok := trashChange(c.body); ok {
		db["in_trash"], db["archived"] = trash, trash
	}
	touch(db, notionTime(s.now()), nil)
	return s.renderDatabase(c, id), nil
}

func (s *Server) createDataSource(c *call) (any, error) {
	p, _ := c.body["parent"].(map[string]any)
	dbID := normID(str(p["database_id"]))
	if err := s.readableDatabase(dbID); err != nil {
		return nil, err
	}
	props, _ := c.body["properties"].(map[string]any)
	id := s.addDataSource(dbID, normRichText(c.body["title"]), props)
	ds := s.st.dataSources[id]
	if x, ok := c.body["icon"]; ok {
		ds["icon"] = s.normContent(deepCopy(x))
	}
	return s.renderDataSource(c, id), nil
}

func (s *Server) readableDataSource(id string) error {
	if s.st.dataSources[id] == nil || !s.st.readable(id) {
		return errNotFound(id)
	}
	return nil
}

func (s *Server) getDataSource(c *call) (any, error) {
	id := c.id("id")
	if err := s.readableDataSource(id); err != nil {
		return nil, err
	}
	return s.renderDataSource(c, id), nil
}

func (s *Server) updateDataSource(c *call) (any, error) {
	id := c.id("id")
	if err := s.readableDataSource(id); err != nil {
		return nil, err
	}
	ds := s.st.dataSources[id]
	if props, ok := c.body["properties"].(map[string]any); ok {
		s.applySchema(ds, props)
	}
	for _, k := range []string{"title", "description"} {
		if x, ok := c.body[k]; ok {
			ds[k] = normRichText(x)
		}
	}
	if x, ok := c.body["icon"]; ok {
		ds["icon"] = s.normContent(deepCopy(x))
	}
	if trash, ok := trashChange(c.body); ok {
		ds["in_trash"], ds["archived"] = trash, trash
	}
	touch(ds, notionTime(s.now()), s.editor())
	return s.renderDataSource(c, id), nil
}

// queryDataSource filters and sorts a data source's rows. Like Notion, it
// stops after QueryResultLimit results and says so in request_status.
func (s *Server) queryDataSource(c *call) (any, error) {
	id := c.id("id")
	if err := s.readableDataSource(id); err != nil {
		return nil, err
	}
	q := &rowQuery{s: s}
	if f, ok := c.body["filter"].(map[string]any); ok {
		if err := q.check(f, "body.filter"); err != nil {
			return nil, err
		}
		q.filter = f
	}
	sorts, _ := c.body["sorts"].([]any)
	var rows []string
	for _, pid := range s.st.children[id] {
		p := s.st.pages[pid]
		if p == nil || selfTrashed(p) {
			continue
		}
		if q.filter == nil || q.match(q.filter, pid) {
			rows = append(rows, pid)
		}
	}
	q.sortRows(rows, sorts)
	limit := s.opts.QueryResultLimit
	start, end, next, more, err := window(c, len(rows))
	if err != nil {
		return nil, err
	}
	capped := false
	if end >= limit && len(rows) > limit {
		start, end, next, more, capped = min(start, limit), limit, "", false, true
	}
	results := make([]any, 0, end-start)
	for _, pid := range rows[start:end] {
		results = append(results, s.renderPage(c, pid))
	}
	out := list("page_or_data_source", results, next, more)
	if capped {
		out["request_status"] = map[string]any{"type": "incomplete", "incomplete_reason": "query_result_limit_reached"}
	}
	return out, nil
}

// sortRows orders rows by sorts, as a query or a view does; rows that
// compare equal, and all rows without sorts, come oldest first.
func (q *rowQuery) sortRows(rows []string, sorts []any) {
	slices.SortStableFunc(rows, func(a, b string) int {
		for _, x := range sorts {
			sort, _ := x.(map[string]any)
			d := q.compare(sort, a, b)
			if str(sort["direction"]) == "descending" {
				d = -d
			}
			if d != 0 {
				return d
			}
		}
		return cmp.Compare(str(q.s.st.pages[a]["created_time"]), str(q.s.st.pages[b]["created_time"]))
	})
}
