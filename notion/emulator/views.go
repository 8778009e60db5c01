package emulator

import (
	"fmt"
	"slices"
	"strings"
)

// Views API: the views of a database, each showing one of its data
// sources (or, for a dashboard, laying out widget views). Views are kept
// per database in tab order; a new database gets one table view, as
// Notion's does (the recorded listing of a database created through the
// API holds exactly one view).

// viewState is the views of the workspace. Guarded by Server.mu like the
// rest of the store.
type viewState struct {
	views   map[string]map[string]any // by view id, as served
	order   map[string][]string       // database id -> its view ids, in tab order
	queries map[string]*viewQuery     // by query id
}

// viewQuery is a query of a view, kept until deleted: its rows at the time
// it was made, paged through like any list.
type viewQuery struct {
	view string
	rows []string
}

// viewTypes are the view types of the API, in the SDK's order.
var viewTypes = []string{"table", "board", "list", "calendar", "timeline", "gallery", "form", "chart", "map", "dashboard"}

// viewConfigKeys are the members each configuration type accepts in a
// request (CreateViewBodyParameters, UpdateViewBodyParameters), and which
// of them are required. A dashboard has no configuration in a request: its
// rows are made by adding widget views to it.
var viewConfigKeys = map[string]struct{ allowed, required []string }{
	"table":    {[]string{"properties", "group_by", "subtasks", "wrap_cells", "frozen_column_index", "show_vertical_lines"}, nil},
	"board":    {[]string{"group_by", "sub_group_by", "properties", "cover", "cover_size", "cover_aspect", "card_layout"}, []string{"group_by"}},
	"calendar": {[]string{"date_property_id", "properties", "view_range", "show_weekends"}, []string{"date_property_id"}},
	"timeline": {[]string{"date_property_id", "end_date_property_id", "properties", "show_table", "table_properties", "preference", "arrows_by", "color_by"}, []string{"date_property_id"}},
	"gallery":  {[]string{"properties", "cover", "cover_size", "cover_aspect", "card_layout"}, nil},
	"list":     {[]string{"properties"}, nil},
	"map":      {[]string{"height", "map_by", "properties"}, nil},
	"form":     {[]string{"is_form_closed", "anonymous_submissions", "submission_permissions"}, nil},
	"chart": {[]string{"chart_type", "x_axis", "y_axis", "x_axis_property_id", "y_axis_property_id", "value", "sort", "color_theme",
		"height", "hide_empty_groups", "legend_position", "show_data_labels", "axis_labels", "grid_lines", "cumulative", "smooth_line",
		"hide_line_fill_area", "group_style", "y_axis_min", "y_axis_max", "donut_labels", "hide_title", "stack_by", "reference_lines",
		"caption", "color_by_value"}, []string{"chart_type"}},
}

// viewPropertyKeys are the configuration members, at any depth, that name
// a property of the view's data source by id.
var viewPropertyKeys = map[string]bool{
	"property_id": true, "date_property_id": true, "end_date_property_id": true, "map_by": true,
	"x_axis_property_id": true, "y_axis_property_id": true,
}

func newViewState() viewState {
	return viewState{views: map[string]map[string]any{}, order: map[string][]string{}, queries: map[string]*viewQuery{}}
}

// loadViews takes a fixture's views, in their order within each database.
func (st *store) loadViews(views []map[string]any) {
	st.views = newViewState()
	for _, v := range views {
		id, db := str(v["id"]), parentKey(v)
		st.views.views[id] = v
		st.views.order[db] = append(st.views.order[db], id)
	}
}

func viewTime(s *Server) string { return s.now().UTC().Format("2006-01-02T15:04:05.000+00:00") }

// addView stores a new view of database db after the view `after` ("" for
// the end, "^" for the start) and returns it.
func (s *Server) addView(db, ds, name, typ string, after string) map[string]any {
	id := s.NewID()
	now := viewTime(s)
	by := s.editor()
	v := map[string]any{
		"object": "view", "id": id, "parent": map[string]any{"type": "database_id", "database_id": db},
		"data_source_id": ds, "name": name, "type": typ,
		"created_time": now, "created_by": by, "last_edited_time": now, "last_edited_by": s.editor(),
		"url":    "https://www.notion.so/" + strings.ReplaceAll(db, "-", "") + "?v=" + strings.ReplaceAll(id, "-", ""),
		"filter": nil, "sorts": nil, "quick_filters": nil, "configuration": map[string]any{"type": typ},
	}
	if typ == "dashboard" {
		v["data_source_id"] = nil
		v["configuration"] = map[string]any{"type": "dashboard", "rows": []any{}}
	}
	s.st.views.views[id] = v
	order := s.st.views.order[db]
	at := len(order)
	switch {
	case after == "^":
		at = 0
	case after != "":
		if i := slices.Index(order, after); i >= 0 {
			at = i + 1
		}
	}
	s.st.views.order[db] = slices.Insert(slices.Clip(order), at, id)
	return v
}

// addDefaultView gives a new database the table view Notion makes with it.
// Its name is a guess: the recording shows only the listing, not the view.
func (s *Server) addDefaultView(db, ds string) {
	s.addView(db, ds, "Default view", "table", "")
}

func (s *Server) readableView(id string) (map[string]any, error) {
	v := s.st.views.views[id]
	if v == nil || s.readableDatabase(parentKey(v)) != nil || s.st.trashed(parentKey(v)) {
		return nil, errNotFound(id)
	}
	return v, nil
}

func (s *Server) listViews(c *call) (any, error) {
	q := c.r.URL.Query()
	db, ds := normID(q.Get("database_id")), normID(q.Get("data_source_id"))
	var ids []string
	switch {
	case db != "" && ds != "":
		return nil, errValidation("Provide either database_id or data_source_id, not both.")
	case db != "":
		if err := s.readableDatabase(db); err != nil {
			return nil, err
		}
		ids = s.st.views.order[db]
	case ds != "":
		if err := s.readableDataSource(ds); err != nil {
			return nil, err
		}
		for _, id := range s.st.views.order[parentKey(s.st.dataSources[ds])] {
			if str(s.st.views.views[id]["data_source_id"]) == ds {
				ids = append(ids, id)
			}
		}
	default:
		return nil, errValidation("One of database_id or data_source_id should be defined.")
	}
	start, end, next, more, err := window(c, len(ids))
	if err != nil {
		return nil, err
	}
	results := make([]any, 0, end-start)
	for _, id := range ids[start:end] {
		results = append(results, map[string]any{"object": "view", "id": id})
	}
	return list("view", results, next, more), nil
}

func (s *Server) getView(c *call) (any, error) {
	v, err := s.readableView(c.id("id"))
	if err != nil {
		return nil, err
	}
	return copyMap(v), nil
}

func (s *Server) createView(c *call) (any, error) {
	name, ok := c.body["name"].(string)
	if !ok {
		return nil, errBody("body.name should be a string, instead was `%v`.", c.body["name"])
	}
	typ := str(c.body["type"])
	if !slices.Contains(viewTypes, typ) {
		return nil, errBody("body.type should be one of %s, instead was `%v`.", strings.Join(viewTypes, ", "), c.body["type"])
	}
	for k := range c.body {
		switch k {
		case "data_source_id", "name", "type", "database_id", "view_id", "filter", "sorts", "quick_filters", "configuration", "position", "placement":
		case "create_database":
			return nil, errValidation("create_database is not supported by the emulator.")
		default:
			return nil, errBody("body.%s should be not present, instead was `%v`.", k, c.body[k])
		}
	}
	dsID := normID(str(c.body["data_source_id"]))
	if dsID == "" {
		return nil, errBody("body.data_source_id should be defined, instead was `undefined`.")
	}
	if err := s.readableDataSource(dsID); err != nil {
		return nil, err
	}
	db := parentKey(s.st.dataSources[dsID])
	if x := normID(str(c.body["database_id"])); x != "" && x != db {
		return nil, errValidation("Data source %s does not belong to database %s.", dsID, x)
	}
	schema, _ := s.st.dataSources[dsID]["properties"].(map[string]any)
	// A widget goes into a dashboard view of the same database.
	var dash map[string]any
	if x := normID(str(c.body["view_id"])); x != "" {
		d, err := s.readableView(x)
		if err != nil {
			return nil, err
		}
		if str(d["type"]) != "dashboard" || parentKey(d) != db {
			return nil, errValidation("View %s is not a dashboard of database %s.", x, db)
		}
		if typ == "dashboard" {
			return nil, errValidation("A dashboard cannot be placed in a dashboard.")
		}
		dash = d
	} else if c.body["placement"] != nil {
		return nil, errBody("body.placement is only valid with body.view_id.")
	}
	fields, err := s.viewFields(c.body, typ, schema)
	if err != nil {
		return nil, err
	}
	after := ""
	if p, ok := c.body["position"].(map[string]any); ok && dash == nil {
		switch str(p["type"]) {
		case "start":
			after = "^"
		case "end":
		case "after_view":
			after = normID(str(p["view_id"]))
			if o := s.st.views.views[after]; o == nil || parentKey(o) != db {
				return nil, errValidation("body.position.view_id %s is not a view of database %s.", after, db)
			}
		default:
			return nil, errBody("body.position.type should be `start`, `end` or `after_view`, instead was `%v`.", p["type"])
		}
	}
	v := s.addView(db, dsID, name, typ, after)
	for k, x := range fields {
		v[k] = x
	}
	if typ == "dashboard" {
		v["configuration"] = map[string]any{"type": "dashboard", "rows": []any{}}
	}
	if dash != nil {
		if err := s.placeWidget(dash, v, c.body["placement"]); err != nil {
			delete(s.st.views.views, str(v["id"]))
			s.st.views.order[db] = slices.DeleteFunc(s.st.views.order[db], func(id string) bool { return id == v["id"] })
			return nil, err
		}
	}
	return copyMap(v), nil
}

// placeWidget adds view w to dashboard d: in a new row (at row_index, or
// last) or at the end of an existing row.
func (s *Server) placeWidget(d, w map[string]any, placement any) error {
	conf := d["configuration"].(map[string]any)
	rows, _ := conf["rows"].([]any)
	p, _ := placement.(map[string]any)
	widget := map[string]any{"id": s.NewID(), "view_id": w["id"]}
	idx, hasIdx := numberField(p, "row_index")
	switch str(p["type"]) {
	case "", "new_row":
		at := len(rows)
		if hasIdx && idx >= 0 && idx < len(rows) {
			at = idx
		}
		rows = slices.Insert(rows, at, any(map[string]any{"id": s.NewID(), "widgets": []any{widget}}))
	case "existing_row":
		if !hasIdx || idx < 0 || idx >= len(rows) {
			return errValidation("body.placement.row_index %v is not a row of the dashboard.", p["row_index"])
		}
		row := rows[idx].(map[string]any)
		row["widgets"] = append(row["widgets"].([]any), widget)
	default:
		return errBody("body.placement.type should be `new_row` or `existing_row`, instead was `%v`.", p["type"])
	}
	conf["rows"] = rows
	w["dashboard_view_id"] = d["id"]
	touchView(s, d)
	return nil
}

func numberField(m map[string]any, k string) (int, bool) {
	var n int
	if m == nil || m[k] == nil {
		return 0, false
	}
	_, err := fmt.Sscan(fmt.Sprint(m[k]), &n)
	return n, err == nil
}

func touchView(s *Server, v map[string]any) {
	v["last_edited_time"] = viewTime(s)
	v["last_edited_by"] = s.editor()
}

// viewFields validates the filter, sorts, quick filters and configuration
// of a create or update and returns them as stored. Property names are
// accepted where an id is expected and stored as ids (a guess: Notion
// documents ids).
func (s *Server) viewFields(body map[string]any, typ string, schema map[string]any) (map[string]any, error) {
	out := map[string]any{}
	if x, ok := body["filter"]; ok {
		if x != nil {
			f, ok := x.(map[string]any)
			if !ok {
				return nil, errBody("body.filter should be an object or `null`, instead was `%v`.", x)
			}
			q := &rowQuery{s: s}
			if err := q.check(f, "body.filter"); err != nil {
				return nil, err
			}
			f = copyMap(f)
			if err := propertyRefs(f, schema, "body.filter"); err != nil {
				return nil, err
			}
			x = f
		}
		out["filter"] = x
	}
	if x, ok := body["sorts"]; ok {
		if x != nil {
			arr, ok := x.([]any)
			if !ok {
				return nil, errBody("body.sorts should be an array or `null`, instead was `%v`.", x)
			}
			arr = deepCopy(arr).([]any)
			for i, e := range arr {
				m, _ := e.(map[string]any)
				where := fmt.Sprintf("body.sorts[%d]", i)
				if d := str(m["direction"]); d != "ascending" && d != "descending" {
					return nil, errBody("%s.direction should be `ascending` or `descending`, instead was `%v`.", where, m["direction"])
				}
				if m["property"] == nil && m["timestamp"] == nil {
					return nil, errBody("%s.property should be defined, instead was `undefined`.", where)
				}
				if err := propertyRefs(m, schema, where); err != nil {
					return nil, err
				}
			}
			x = arr
		}
		out["sorts"] = x
	}
	if x, ok := body["quick_filters"]; ok {
		if x != nil {
			m, ok := x.(map[string]any)
			if !ok {
				return nil, errBody("body.quick_filters should be an object or `null`, instead was `%v`.", x)
			}
			qf := map[string]any{}
			for k, cond := range m {
				d := schemaProp(schema, k)
				if d == nil {
					return nil, errValidation("body.quick_filters: %s is not a property of the data source.", k)
				}
				qf[str(d["id"])] = deepCopy(cond)
			}
			x = qf
		}
		out["quick_filters"] = x
	}
	if x, ok := body["configuration"]; ok && x != nil {
		conf, ok := x.(map[string]any)
		if !ok {
			return nil, errBody("body.configuration should be an object, instead was `%v`.", x)
		}
		if str(conf["type"]) != typ {
			return nil, errBody("body.configuration.type should be `%s`, instead was `%v`.", typ, conf["type"])
		}
		keys, known := viewConfigKeys[typ]
		if !known {
			return nil, errBody("body.configuration: a %s view has no configuration in a request.", typ)
		}
		for k := range conf {
			if k != "type" && !slices.Contains(keys.allowed, k) {
				return nil, errBody("body.configuration.%s should be not present, instead was `%v`.", k, conf[k])
			}
		}
		for _, k := range keys.required {
			if conf[k] == nil {
				return nil, errBody("body.configuration.%s should be defined, instead was `undefined`.", k)
			}
		}
		conf = copyMap(conf)
		for k, v := range conf {
			if v == nil {
				delete(conf, k) // null in a request clears the setting
			}
		}
		if err := propertyRefs(conf, schema, "body.configuration"); err != nil {
			return nil, err
		}
		out["configuration"] = conf
	}
	return out, nil
}

// propertyRefs checks every property reference in v against the schema and
// rewrites names to ids: "property" in filters and sorts, the members of
// viewPropertyKeys in configurations.
func propertyRefs(v any, schema map[string]any, where string) error {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			s, isStr := x.(string)
			if isStr && (k == "property" || viewPropertyKeys[k]) {
				d := schemaProp(schema, s)
				if d == nil {
					return errValidation("%s.%s: %s is not a property of the data source.", where, k, s)
				}
				v[k] = str(d["id"])
				continue
			}
			if err := propertyRefs(x, schema, where+"."+k); err != nil {
				return err
			}
		}
	case []any:
		for i, x := range v {
			if err := propertyRefs(x, schema, fmt.Sprintf("%s[%d]", where, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Server) updateView(c *call) (any, error) {
	v, err := s.readableView(c.id("id"))
	if err != nil {
		return nil, err
	}
	for k := range c.body {
		switch k {
		case "name", "filter", "sorts", "quick_filters", "configuration":
		default:
			return nil, errBody("body.%s should be not present, instead was `%v`.", k, c.body[k])
		}
	}
	if x, ok := c.body["name"]; ok {
		if _, ok := x.(string); !ok {
			return nil, errBody("body.name should be a string, instead was `%v`.", x)
		}
	}
	schema, _ := s.st.dataSources[str(v["data_source_id"])]["properties"].(map[string]any)
	body := c.body
	if qf, ok := body["quick_filters"].(map[string]any); ok {
		// An update merges quick filters; null removes one.
		merged := map[string]any{}
		if cur, ok := v["quick_filters"].(map[string]any); ok {
			for k, x := range cur {
				merged[k] = x
			}
		}
		for k, x := range qf {
			if d := schemaProp(schema, k); d != nil {
				k = str(d["id"])
			}
			if x == nil {
				delete(merged, k)
			} else {
				merged[k] = x
			}
		}
		body = copyMap(body)
		body["quick_filters"] = merged
	}
	fields, err := s.viewFields(body, str(v["type"]), schema)
	if err != nil {
		return nil, err
	}
	if x, ok := c.body["name"]; ok {
		v["name"] = x
	}
	for k, x := range fields {
		v[k] = x
	}
	if qf, ok := v["quick_filters"].(map[string]any); ok && len(qf) == 0 {
		v["quick_filters"] = nil
	}
	touchView(s, v)
	return copyMap(v), nil
}

func (s *Server) deleteView(c *call) (any, error) {
	v, err := s.readableView(c.id("id"))
	if err != nil {
		return nil, err
	}
	s.dropView(v)
	return map[string]any{"object": "view", "id": v["id"], "parent": copyMap(v["parent"].(map[string]any)), "type": v["type"]}, nil
}

// dropView removes a view; a dashboard takes its widgets with it, and a
// widget leaves its dashboard's rows.
func (s *Server) dropView(v map[string]any) {
	id, db := str(v["id"]), parentKey(v)
	delete(s.st.views.views, id)
	s.st.views.order[db] = slices.DeleteFunc(slices.Clone(s.st.views.order[db]), func(x string) bool { return x == id })
	if v["type"] == "dashboard" {
		for _, w := range slices.Clone(s.st.views.order[db]) {
			if wv := s.st.views.views[w]; str(wv["dashboard_view_id"]) == id {
				s.dropView(wv)
			}
		}
	}
	if d := s.st.views.views[str(v["dashboard_view_id"])]; d != nil {
		conf := d["configuration"].(map[string]any)
		rows, _ := conf["rows"].([]any)
		var kept []any
		for _, r := range rows {
			row := r.(map[string]any)
			row["widgets"] = slices.DeleteFunc(row["widgets"].([]any), func(w any) bool { return str(w.(map[string]any)["view_id"]) == id })
			if len(row["widgets"].([]any)) > 0 {
				kept = append(kept, row)
			}
		}
		if kept == nil {
			kept = []any{}
		}
		conf["rows"] = kept
	}
}

// createViewQuery runs a view's filter and sorts over its data source's
// rows and keeps the result for paging.
func (s *Server) createViewQuery(c *call) (any, error) {
	v, err := s.readableView(c.id("id"))
	if err != nil {
		return nil, err
	}
	ds := str(v["data_source_id"])
	q := &rowQuery{s: s}
	q.filter, _ = v["filter"].(map[string]any)
	var rows []string
	for _, pid := range s.st.children[ds] {
		if p := s.st.pages[pid]; p != nil && !selfTrashed(p) && (q.filter == nil || q.match(q.filter, pid)) {
			rows = append(rows, pid)
		}
	}
	sorts, _ := v["sorts"].([]any)
	q.sortRows(rows, sorts)
	id := s.NewID()
	s.st.views.queries[id] = &viewQuery{view: str(v["id"]), rows: rows}
	start, end, next, more, err := window(c, len(rows))
	if err != nil {
		return nil, err
	}
	results := make([]any, 0, end-start)
	for _, pid := range rows[start:end] {
		results = append(results, map[string]any{"object": "page", "id": pid})
	}
	out := map[string]any{"object": "view_query", "id": id, "view_id": v["id"],
		"expires_at":  s.now().Add(15 * 60e9).UTC().Format("2006-01-02T15:04:05.000+00:00"),
		"total_count": len(rows), "results": results, "next_cursor": nil, "has_more": more}
	if more {
		out["next_cursor"] = next
	}
	return out, nil
}

func (s *Server) viewQuery(c *call) (*viewQuery, string, error) {
	if _, err := s.readableView(c.id("id")); err != nil {
		return nil, "", err
	}
	qid := c.id("query_id")
	q := s.st.views.queries[qid]
	if q == nil || q.view != c.id("id") {
		return nil, "", errNotFound(qid)
	}
	return q, qid, nil
}

func (s *Server) getViewQueryResults(c *call) (any, error) {
	q, _, err := s.viewQuery(c)
	if err != nil {
		return nil, err
	}
	start, end, next, more, err := window(c, len(q.rows))
	if err != nil {
		return nil, err
	}
	results := make([]any, 0, end-start)
	for _, pid := range q.rows[start:end] {
		results = append(results, map[string]any{"object": "page", "id": pid})
	}
	return list("page", results, next, more), nil
}

func (s *Server) deleteViewQuery(c *call) (any, error) {
	_, qid, err := s.viewQuery(c)
	if err != nil {
		return nil, err
	}
	delete(s.st.views.queries, qid)
	return map[string]any{"object": "view_query", "id": qid, "deleted": true}, nil
}
