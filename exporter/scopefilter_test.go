package exporter_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

const scopeDS = "0e3f9a52-7c4b-4d1e-9a86-5b2f1c0d7e41"

func scopeWithFilter(filter string) []byte {
	return []byte(`{"filters": {"` + scopeDS + `": ` + filter + `}}`)
}

// TestScopeFilterMalformedIsRefused: each malformed filter is refused with
// one line that names the file and the place in the filter.
func TestScopeFilterMalformedIsRefused(t *testing.T) {
	for _, c := range []struct{ filter, says string }{
		{`{}`, `a filter has "and", "or", "timestamp" or "property"`},
		{`"Done"`, `a filter is a JSON object`},
		{`{"property": "Done"}`, `one kind of condition`},
		{`{"property": "", "checkbox": {"equals": true}}`, `a filter has "and"`},
		{`{"property": "Done", "chekbox": {"equals": true}}`, `"chekbox" is not a kind of property filter`},
		{`{"property": "Done", "checkbox": {"equal": true}}`, `"equal" is not an operator of a checkbox filter`},
		{`{"property": "Done", "checkbox": {"equals": "yes"}}`, `filters["` + scopeDS + `"].checkbox.equals: a boolean is wanted, not a string`},
		{`{"property": "Done", "checkbox": {"equals": true, "does_not_equal": false}}`, `exactly one operator`},
		{`{"property": "Done", "checkbox": true}`, `a condition is a JSON object`},
		{`{"property": "Done", "type": "select", "checkbox": {"equals": true}}`, `.type: checkbox`},
		{`{"property": "Points", "number": {"greater_than": "3"}}`, `a number is wanted, not a string`},
		{`{"property": "ID", "unique_id": {"equals": "4"}}`, `.unique_id.equals: a number is wanted, not a string`},
		{`{"property": "Name", "title": {"contains": 7}}`, `a string is wanted, not a number`},
		{`{"property": "Check", "verification": {"is": "verified"}}`, `"is" is not an operator of a verification filter`},
		{`{"and": []}`, `.and: a list of at least one filter`},
		{`{"and": [{"property": "Done", "checkbox": {"equals": true}}], "property": "x"}`, `"and" stands alone`},
		{`{"or": [{"property": "Done", "checkbox": {"equals": true}}, {"timestamp": "edited_time"}]}`, `.or[1].timestamp: created_time or last_edited_time`},
		{`{"timestamp": "created_time", "last_edited_time": {"after": "2024-01-01"}}`, `unexpected key "last_edited_time"`},
		{`{"timestamp": "created_time", "created_time": {"since": "2024-01-01"}}`, `"since" is not an operator of a created_time filter`},
		{`{"and": [{"or": [{"property": "Tags", "multi_select": {"contains": 1}}]}]}`, `.and[0].or[0].multi_select.contains: a string is wanted, not a number`},
		{`{"property": "When", "date": {"on_or_after": 5}}`, `.date.on_or_after: a date string (ISO 8601) is wanted, not a number`},
		{`{"property": "When", "date": {"past_week": 5}}`, `.date.past_week: an empty object ({}) is wanted, not a number`},
		{`{"property": "Points", "number": {"equals": {}}}`, `.number.equals: a number is wanted, not an object`},
		{`{"property": "Name", "title": {"contains": ["a"]}}`, `.title.contains: a string is wanted, not a list`},
		{`{"property": "Done", "checkbox": {"equals": [true]}}`, `.checkbox.equals: a boolean is wanted, not a list`},
		{`{"property": "Stage", "select": {"equals": 5}}`, `.select.equals: a string or a list of strings is wanted, not a number`},
		{`{"property": "Notes", "rich_text": {"contains": null}}`, `.rich_text.contains: a value is wanted, not null`},
		{`{"property": "Check", "verification": {"status": null}}`, `.verification.status: a value is wanted, not null`},
		{`{"property": "Status", "status": {"equals": ["Done", null]}}`, `.status.equals[1]: a value is wanted, not null`},
		{`{"property": "Score", "formula": {"string": {"contains": null}}}`, `.formula.string.contains: a value is wanted, not null`},
		{`{"property": "Tasks", "rollup": {"any": {"rich_text": {"contains": 7}}}}`, `.rollup.any.rich_text.contains: a string is wanted, not a number`},
		{`{"property": "Notes", "rich_text": {"is_empty": false}}`, `.rich_text.is_empty: true is wanted`},
		{`{"property": "ID", "unique_id": {"is_not_empty": "yes"}}`, `.unique_id.is_not_empty: true is wanted`},
	} {
		_, err := exporter.ParseScope(scopeWithFilter(c.filter))
		if err == nil {
			t.Errorf("%s was accepted", c.filter)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, layout.ScopePath+": ") || !strings.Contains(msg, c.says) {
			t.Errorf("%s: error %q, want one line from %s saying %q", c.filter, msg, layout.ScopePath, c.says)
		}
		for _, wrong := range []string{"a object", "a array", "a list is wanted"} {
			if strings.Contains(msg, wrong) {
				t.Errorf("%s: error %q says %q", c.filter, msg, wrong)
			}
		}
	}
}

// TestScopeFilterValidIsKeptAsWritten: valid filters pass, including
// kinds, operators and values newer than jomei/notionapi, and the scope
// keeps each one's bytes exactly.
func TestScopeFilterValidIsKeptAsWritten(t *testing.T) {
	for _, filter := range []string{
		`{"property": "Done", "checkbox": {"equals": true}}`,
		`{ "property" : "Status", "type": "status", "status": {"does_not_equal": "Archived"} }`,
		`{"property": "Status", "status": {"equals": ["Done", "Shipped"]}}`,
		`{"property": "Stage", "select": {"does_not_equal": ["Old"]}}`,
		`{"property": "Tasks", "rollup": {"any": {"select": {"equals": ["a", "b"]}}}}`,
		`{"property": "When", "date": {"on_or_after": "2024-01-01"}}`,
		`{"property": "Score", "formula": {"string": {"is_empty": true}}}`,
		`{"property": "Stage", "select": {"is_not_empty": true}}`,
		`{"property": "ID", "unique_id": {"greater_than": 100}}`,
		`{"property": "ID", "unique_id": {"is_empty": true}}`,
		`{"property": "Check", "verification": {"status": "verified"}}`,
		`{"property": "Name", "title": {"starts_with": "RFC"}}`,
		`{"property": "Site", "url": {"contains": "example"}}`,
		`{"property": "Owner", "people": {"contains": "me"}}`,
		`{"property": "When", "date": {"this_week": {}}}`,
		`{"property": "When", "date": {"on_or_after": "today"}}`,
		`{"property": "Score", "formula": {"string": {"contains": "ok"}}}`,
		`{"property": "Tasks", "rollup": {"any": {"rich_text": {"contains": "x"}}}}`,
		`{"timestamp": "last_edited_time", "last_edited_time": {"past_week": {}}}`,
		`{"timestamp": "created_time", "type": "created_time", "created_time": {"on_or_after": "2024-01-01T00:00:00Z"}}`,
		`{"or": [{"property": "Done", "checkbox": {"equals": true}},
		         {"and": [{"property": "Points", "number": {"greater_than": 3}}, {"property": "Tags", "multi_select": {"contains": "a"}}]}]}`,
	} {
		s, err := exporter.ParseScope(scopeWithFilter(filter))
		if err != nil {
			t.Errorf("%s: %v", filter, err)
			continue
		}
		if got := s.Filters[scopeDS]; !bytes.Equal(got, []byte(filter)) {
			t.Errorf("kept %s, want %s", got, filter)
		}
	}
}

// TestScopeFilterIsSentAsWritten: the query carries the scope file's filter
// as its author wrote it (keys in their order; only the spacing is
// compacted), not re-encoded from a struct.
func TestScopeFilterIsSentAsWritten(t *testing.T) {
	f := small()
	var dsID, prop string
	for _, ds := range f.DataSources {
		props, _ := ds["properties"].(map[string]any)
		for name, v := range props {
			if v.(map[string]any)["type"] == "checkbox" && dsID == "" {
				dsID, prop = ds["id"].(string), name
			}
		}
	}
	if dsID == "" {
		t.Fatal("no data source with a checkbox property")
	}
	// Keys out of sorted order: a re-encoded map would sort them.
	filter := `{"type": "checkbox", "property": ` + string(must(json.Marshal(prop))) + `, "checkbox": {"equals": true}}`
	scope := must(exporter.ParseScope([]byte(`{"filters": {"` + dsID + `": ` + filter + `}}`)))
	w := newWorld(t, f, emulator.Options{Seed: 23, RecordBodies: true})
	newStore(t).sync(w, exporter.Options{Scope: scope, Full: true})
	var want bytes.Buffer
	if err := json.Compact(&want, []byte(filter)); err != nil {
		t.Fatal(err)
	}
	queries := 0
	for _, e := range w.server.Log() {
		if !strings.HasSuffix(e.Path, "/data_sources/"+dsID+"/query") {
			continue
		}
		queries++
		var body struct{ Filter json.RawMessage }
		if err := json.Unmarshal(e.RequestBody, &body); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(body.Filter, want.Bytes()) {
			t.Errorf("query sent filter %s, want %s", body.Filter, want.Bytes())
		}
	}
	if queries == 0 {
		t.Fatal("the data source was not queried")
	}
}
