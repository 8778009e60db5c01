package exporter_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// elasticExamples are the examples of advanced sync rules in the
// documentation of Elastic's Notion connector, one per case it documents,
// with the placeholder "database_id" replaced by an id, and each mapped
// onto notion-git's own rules.
func elasticExamples(db string) []struct {
	name, rules string
	want        exporter.Scope
} {
	filter := `{"property": "Task completed", "checkbox": {"equals": true}}`
	return []struct {
		name, rules string
		want        exporter.Scope
	}{
		{"every page with title containing Demo Page",
			`[{"searches": [{"filter": {"value": "page"}, "query": "Demo Page"}]}]`,
			exporter.Scope{Pages: []string{"Demo Page"}}},
		{"every database with title containing Demo Database",
			`[{"searches": [{"filter": {"value": "database"}, "query": "Demo Database"}]}]`,
			exporter.Scope{DataSources: []string{"Demo Database"}}},
		{"databases and pages by title",
			`[{"searches": [{"filter": {"value": "database"}, "query": "Demo Database"},
			                {"filter": {"value": "page"}, "query": "Demo Page"}]}]`,
			exporter.Scope{Pages: []string{"Demo Page"}, DataSources: []string{"Demo Database"}}},
		{"all the pages connected with the integration",
			`[{"searches": [{"filter": {"value": "page"}, "query": ""}]}]`,
			exporter.Scope{Pages: []string{""}}},
		{"all the pages and databases connected with the integration",
			`[{"searches": [{"query": ""}]}]`,
			exporter.Scope{Pages: []string{""}, DataSources: []string{""}}},
		{"the rows of a database whose checkbox is true",
			`[{"database_query_filters": [{"filter": ` + filter + `, "database_id": "` + db + `"}]}]`,
			exporter.Scope{Roots: []string{db}, Filters: map[string]json.RawMessage{db: json.RawMessage(filter)}}},
		{"all the rows of a database",
			`[{"database_query_filters": [{"database_id": "` + db + `"}]}]`,
			exporter.Scope{Roots: []string{db}}},
		// Written as the documentation has it, trailing commas included.
		{"searches and database_query_filters together",
			`[{"searches" : [{"query": "External tasks", "filter": {"value": "database"},},
			                 {"query": "External tasks", "filter": {"value": "page"}}],
			   "database_query_filters" : [{"database_id": "` + db + `", "filter": ` + filter + `}]}]`,
			exporter.Scope{Pages: []string{"External tasks"}, DataSources: []string{"External tasks"},
				Roots: []string{db}, Filters: map[string]json.RawMessage{db: json.RawMessage(filter)}}},
		// The form the rules take in the connector's settings: one object.
		{"one object instead of a list",
			`{"searches": [{"filter": {"value": "page"}, "query": "Demo Page"}],
			  "database_query_filters": [{"database_id": "` + db + `"}]}`,
			exporter.Scope{Pages: []string{"Demo Page"}, Roots: []string{db}}},
	}
}

func TestElasticRulesMapOntoTheScope(t *testing.T) {
	const db = "0e3f9a52-7c4b-4d1e-9a86-5b2f1c0d7e41"
	for _, ex := range elasticExamples(db) {
		t.Run(ex.name, func(t *testing.T) {
			got, err := exporter.ParseScope([]byte(ex.rules))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Pages, ex.want.Pages) || !slices.Equal(got.DataSources, ex.want.DataSources) ||
				!slices.Equal(got.Roots, ex.want.Roots) {
				t.Errorf("got pages %q, data sources %q, roots %q; want %q, %q, %q",
					got.Pages, got.DataSources, got.Roots, ex.want.Pages, ex.want.DataSources, ex.want.Roots)
			}
			if len(got.Filters) != len(ex.want.Filters) {
				t.Fatalf("got %d filters, want %d", len(got.Filters), len(ex.want.Filters))
			}
			for id, f := range ex.want.Filters {
				if !jsonEqual(got.Filters[id], f) {
					t.Errorf("filter for %s: got %s, want %s", id, got.Filters[id], f)
				}
			}
		})
	}
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return fmt.Sprint(x) == fmt.Sprint(y)
}

func TestElasticRulesRefuseWhatTheyCannotMean(t *testing.T) {
	for _, c := range []struct{ rules, says string }{
		// The documentation's placeholder, copied without replacing it.
		{`[{"database_query_filters": [{"database_id": "database_id"}]}]`, "database_query_filters[0]: database_id"},
		{`[{"searches": [{"filter": {"value": "block"}, "query": "x"}]}]`, `filter.value "block"`},
		{`[{"searches": [{"filter": {"value": "page"}}]}]`, "no query"},
		{`[{"searches": [{"query": "x", "sort": {}}]}]`, "unknown field"},
		{`[{"searches": [{"query": "x", "filter": {"property": "title", "value": "page"}}]}]`, `filter.property "title"`},
		{`[{}]`, "no searches and no database_query_filters"},
		{`[]`, "holds no rule"},
		{`{"searches": [{"query": "x"}], "pages": ["y"]}`, "not both"},
		{`[{"database_query_filters": [{"database_id": "0e3f9a52-7c4b-4d1e-9a86-5b2f1c0d7e41", "filter": {"property": "Done", "checkbox": {"equals": "yes"}}}]}]`, "checkbox"},
	} {
		_, err := exporter.ParseScope([]byte(c.rules))
		if err == nil {
			t.Errorf("%s was accepted", c.rules)
			continue
		}
		if !strings.Contains(err.Error(), c.says) || !strings.HasPrefix(err.Error(), layout.ScopePath+": ") {
			t.Errorf("%s: error %q does not start with the file and say %q", c.rules, err, c.says)
		}
	}
}

// TestElasticRulesSyncWhatTheySay syncs a workspace under the rules and
// checks what the snapshot holds.
func TestElasticRulesSyncWhatTheySay(t *testing.T) {
	f := small()
	t.Run("a page search keeps that page and what is below it", func(t *testing.T) {
		root := rootPages(f)[1]
		title, _ := json.Marshal(strings.ToLower(layout.Title(root)))
		scope := mustScope(t, `[{"searches": [{"filter": {"value": "page"}, "query": `+string(title)+`}]}]`)
		rp := newStore(t)
		rp.sync(newWorld(t, f, emulator.Options{Seed: 31}), exporter.Options{Scope: scope})
		checkOnlyBelow(t, f, rp, root["id"].(string))
	})
	t.Run("an empty query keeps every page", func(t *testing.T) {
		rp := newStore(t)
		rp.sync(newWorld(t, f, emulator.Options{Seed: 32}), exporter.Options{Scope: mustScope(t, `[{"searches": [{"query": ""}]}]`)})
		if got := len(pagesIn(rp)); got != len(f.Pages) {
			t.Errorf("the snapshot holds %d of %d pages", got, len(f.Pages))
		}
	})
	t.Run("a database query keeps that database and its matching rows only", func(t *testing.T) {
		db, ds, prop := databaseWithCheckbox(t, f)
		want, other := rowsByCheckbox(f, ds, prop)
		filter, _ := json.Marshal(map[string]any{"property": prop, "checkbox": map[string]any{"equals": true}})
		scope := mustScope(t, `[{"database_query_filters": [{"database_id": "`+db+`", "filter": `+string(filter)+`}]}]`)
		rp := newStore(t)
		rp.sync(newWorld(t, f, emulator.Options{Seed: 33}), exporter.Options{Scope: scope, Full: true})
		got := pagesIn(rp)
		for id := range want {
			if !got[id] {
				t.Errorf("matching row %s is missing", id)
			}
		}
		for id := range got {
			if !want[id] {
				t.Errorf("page %s is in the snapshot (a row not matching: %v)", id, other[id])
			}
		}
		if _, ok := rp.tree[layout.DatabasePath(db)]; !ok {
			t.Errorf("the database %s is not in the snapshot", db)
		}
	})
	t.Run("a database that is not shared stops the sync", func(t *testing.T) {
		scope := mustScope(t, `[{"database_query_filters": [{"database_id": "0e3f9a52-7c4b-4d1e-9a86-5b2f1c0d7e41"}]}]`)
		w := newWorld(t, f, emulator.Options{Seed: 34})
		_, _, _, err := w.syncFrom(nil, exporter.Options{Scope: scope})
		if err == nil || !strings.Contains(err.Error(), layout.ScopePath+": root 0e3f9a52-7c4b-4d1e-9a86-5b2f1c0d7e41") {
			t.Fatalf("got %v, want an error naming the scope file's root", err)
		}
	})
}

func mustScope(t *testing.T, rules string) *exporter.Scope {
	t.Helper()
	s, err := exporter.ParseScope([]byte(rules))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// databaseWithCheckbox finds a database with one data source that has a
// checkbox property whose rows take both values.
func databaseWithCheckbox(t *testing.T, f *emulator.Fixture) (db, ds, prop string) {
	t.Helper()
	for _, d := range f.DataSources {
		parent, _ := d["parent"].(map[string]any)
		props, _ := d["properties"].(map[string]any)
		for name, v := range props {
			if v.(map[string]any)["type"] != "checkbox" {
				continue
			}
			want, other := rowsByCheckbox(f, d["id"].(string), name)
			if len(want) > 0 && len(other) > 0 {
				return parent["database_id"].(string), d["id"].(string), name
			}
		}
	}
	t.Fatal("no data source with a checkbox its rows split on")
	return
}

func rowsByCheckbox(f *emulator.Fixture, ds, prop string) (checked, unchecked map[string]bool) {
	checked, unchecked = map[string]bool{}, map[string]bool{}
	for _, p := range f.Pages {
		parent, _ := p["parent"].(map[string]any)
		if parent["data_source_id"] != ds {
			continue
		}
		v, _ := p["properties"].(map[string]any)[prop].(map[string]any)
		if v["checkbox"] == true {
			checked[p["id"].(string)] = true
		} else {
			unchecked[p["id"].(string)] = true
		}
	}
	return checked, unchecked
}
