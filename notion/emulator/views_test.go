package emulator_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/contract"
	"github.com/notion-git/notion-git/notion/emulator"
)

// TestViewsMatchContract creates a view of every type the API creates, with
// filters, sorts, grouping and visible properties, and checks every answer
// of the Views API against the SDK's strict types; request bodies are
// checked too where the SDK types them (it declares filters, sorts and
// quick filters as empty objects, so bodies carrying them are not).
func TestViewsMatchContract(t *testing.T) {
	contract.Require(t)
	e := start(t, smallWorkspace(), emulator.Options{})
	// sdkGap reports whether a body carries what the SDK types as an empty
	// object (filters, sorts and quick filters in requests, quick filter
	// conditions in answers): such a body cannot be checked against them.
	sdkGap := func(m map[string]any, request bool) bool {
		if qf, _ := m["quick_filters"].(map[string]any); len(qf) > 0 {
			return true
		}
		return request && (m["filter"] != nil || m["sorts"] != nil)
	}
	bodySchemas := map[string]string{"POST": "CreateViewBodyParameters", "PATCH": "UpdateViewBodyParameters"}
	check := func(schema, method, path string, body map[string]any, wantStatus int) map[string]any {
		t.Helper()
		isView := path == "/v1/views" || strings.HasPrefix(path, "/v1/views/") && !strings.Contains(path, "/queries")
		if bs := bodySchemas[method]; isView && bs != "" && wantStatus == 200 && !sdkGap(body, true) {
			if err := contract.Validate(bs, body); err != nil {
				t.Errorf("request %s %s against %s: %v", method, path, bs, err)
			}
		}
		var b any
		if body != nil {
			b = body
		}
		resp, raw := e.raw(method, path, b, apiHeaders)
		if resp.StatusCode != wantStatus {
			t.Fatalf("%s %s: status %d, want %d\n%.400s", method, path, resp.StatusCode, wantStatus, raw)
		}
		var out map[string]any
		json.Unmarshal(raw, &out)
		if sdkGap(out, false) {
			return out
		}
		if err := contract.ValidateResponse(schema, raw); err != nil {
			t.Errorf("%s %s against %s: %v\n%.400s", method, path, schema, err, raw)
		}
		return out
	}
	db := check("DatabaseObjectResponse", "POST", "/v1/databases", map[string]any{"parent": map[string]any{"page_id": rootID},
		"title": []any{map[string]any{"text": map[string]any{"content": "Tasks"}}},
		"initial_data_source": map[string]any{"properties": map[string]any{
			"Name": map[string]any{"title": map[string]any{}}, "Done": map[string]any{"checkbox": map[string]any{}},
			"Due": map[string]any{"date": map[string]any{}}, "Stage": map[string]any{"select": map[string]any{}},
			"Points": map[string]any{"number": map[string]any{}}, "Where": map[string]any{"place": map[string]any{}}}}}, 200)
	dbID := db["id"].(string)
	ds := db["data_sources"].([]any)[0].(map[string]any)["id"].(string)

	// A new database has one table view, as Notion's.
	l := check("ListDatabaseViewsResponse", "GET", "/v1/views?database_id="+dbID, nil, 200)
	if n := len(l["results"].([]any)); n != 1 {
		t.Fatalf("a new database has %d views, want 1", n)
	}
	def := l["results"].([]any)[0].(map[string]any)["id"].(string)
	check("DataSourceViewObjectResponse", "GET", "/v1/views/"+def, nil, 200)

	group := map[string]any{"type": "select", "property_id": "Stage", "sort": map[string]any{"type": "manual"}}
	configs := map[string]map[string]any{
		"table":    {"type": "table", "properties": []any{map[string]any{"property_id": "Done", "visible": false}}, "group_by": group, "wrap_cells": true},
		"board":    {"type": "board", "group_by": group, "card_layout": "compact"},
		"list":     {"type": "list", "properties": []any{map[string]any{"property_id": "title", "visible": true}}},
		"calendar": {"type": "calendar", "date_property_id": "Due", "view_range": "month"},
		"timeline": {"type": "timeline", "date_property_id": "Due", "preference": map[string]any{"zoom_level": "week"}},
		"gallery":  {"type": "gallery", "cover": map[string]any{"type": "page_cover"}, "cover_size": "large"},
		"form":     {"type": "form", "is_form_closed": false},
		"chart":    {"type": "chart", "chart_type": "bar", "x_axis": group, "y_axis": map[string]any{"aggregator": "sum", "property_id": "Points"}},
		"map":      {"type": "map", "map_by": "Where", "height": "large"},
	}
	var made []string
	for _, typ := range []string{"table", "board", "list", "calendar", "timeline", "gallery", "form", "chart", "map"} {
		v := check("DataSourceViewObjectResponse", "POST", "/v1/views", map[string]any{"data_source_id": ds, "database_id": dbID,
			"name": typ, "type": typ, "configuration": configs[typ]}, 200)
		made = append(made, v["id"].(string))
		if typ == "board" {
			conf := v["configuration"].(map[string]any)["group_by"].(map[string]any)
			if conf["property_id"] == "Stage" {
				t.Errorf("a property name in a configuration is stored as given, want its id")
			}
		}
	}
	filtered := check("DataSourceViewObjectResponse", "POST", "/v1/views", map[string]any{"data_source_id": ds, "name": "Open", "type": "table",
		"filter": map[string]any{"property": "Done", "checkbox": map[string]any{"equals": false}},
		"sorts":  []any{map[string]any{"property": "Due", "direction": "ascending"}}, "position": map[string]any{"type": "start"}}, 200)
	dash := check("DataSourceViewObjectResponse", "POST", "/v1/views", map[string]any{"data_source_id": ds, "name": "Overview", "type": "dashboard"}, 200)
	w := check("DataSourceViewObjectResponse", "POST", "/v1/views", map[string]any{"data_source_id": ds, "name": "Count", "type": "chart",
		"view_id": dash["id"], "placement": map[string]any{"type": "new_row"}, "configuration": map[string]any{"type": "chart", "chart_type": "number"}}, 200)
	if w["dashboard_view_id"] != dash["id"] {
		t.Errorf("widget's dashboard_view_id = %v, want %v", w["dashboard_view_id"], dash["id"])
	}
	d := check("DataSourceViewObjectResponse", "GET", "/v1/views/"+dash["id"].(string), nil, 200)
	rows := d["configuration"].(map[string]any)["rows"].([]any)
	if len(rows) != 1 {
		t.Fatalf("dashboard rows: %v", rows)
	}

	l = check("ListDatabaseViewsResponse", "GET", "/v1/views?database_id="+dbID+"&page_size=5", nil, 200)
	if l["has_more"] != true || l["results"].([]any)[0].(map[string]any)["id"] != filtered["id"] {
		t.Errorf("first page of views: %v", l)
	}
	check("ListDatabaseViewsResponse", "GET", "/v1/views?data_source_id="+ds, nil, 200)
	check("DataSourceViewObjectResponse", "PATCH", "/v1/views/"+made[0], map[string]any{"name": "Renamed",
		"configuration": map[string]any{"type": "table", "properties": []any{map[string]any{"property_id": "Points", "visible": true, "width": 120}}}}, 200)
	check("DataSourceViewObjectResponse", "PATCH", "/v1/views/"+made[0], map[string]any{"quick_filters": map[string]any{"Done": map[string]any{"checkbox": map[string]any{"equals": true}}}}, 200)
	q := check("CreateViewQueryResponse", "POST", "/v1/views/"+filtered["id"].(string)+"/queries", map[string]any{}, 200)
	check("GetViewQueryResultsResponse", "GET", "/v1/views/"+filtered["id"].(string)+"/queries/"+q["id"].(string), nil, 200)
	check("DeleteViewQueryResponse", "DELETE", "/v1/views/"+filtered["id"].(string)+"/queries/"+q["id"].(string), nil, 200)
	check("DeleteViewResponse", "DELETE", "/v1/views/"+made[1], nil, 200)
	check("APIErrorResponse", "GET", "/v1/views/"+made[1], nil, 404)

	// What Notion refuses: a configuration of another type, a property the
	// data source does not have, an unknown member, a missing required one.
	bad := []map[string]any{
		{"data_source_id": ds, "name": "x", "type": "board", "configuration": map[string]any{"type": "table"}},
		{"data_source_id": ds, "name": "x", "type": "calendar", "configuration": map[string]any{"type": "calendar", "date_property_id": "Nope"}},
		{"data_source_id": ds, "name": "x", "type": "list", "configuration": map[string]any{"type": "list", "colour": "red"}},
		{"data_source_id": ds, "name": "x", "type": "board", "configuration": map[string]any{"type": "board"}},
		{"data_source_id": ds, "name": "x", "type": "spreadsheet"},
		{"name": "x", "type": "table"},
	}
	for _, b := range bad {
		check("APIErrorResponse", "POST", "/v1/views", b, 400)
	}
	check("APIErrorResponse", "GET", "/v1/views", nil, 400)
	// A dashboard takes its widgets with it.
	check("DeleteViewResponse", "DELETE", "/v1/views/"+dash["id"].(string), nil, 200)
	check("APIErrorResponse", "GET", "/v1/views/"+w["id"].(string), nil, 404)
}
