package exporter_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// rootPages returns the shared top-level pages of a fixture.
func rootPages(f *emulator.Fixture) []map[string]any {
	shared := map[string]bool{}
	for _, id := range f.Shared {
		shared[id] = true
	}
	var roots []map[string]any
	for _, p := range f.Pages {
		if shared[p["id"].(string)] {
			roots = append(roots, p)
		}
	}
	return roots
}

// pagesIn lists the ids of the pages a store holds.
func pagesIn(rp *store) map[string]bool {
	ids := map[string]bool{}
	for p := range rp.files() {
		if info, _ := layout.ParsePath(p); info.Kind == layout.PathPage {
			ids[info.PageID] = true
		}
	}
	return ids
}

// childrenOf lists the pages whose parent is the page id.
func childrenOf(f *emulator.Fixture, id string) []string {
	var kids []string
	for _, p := range f.Pages {
		if parent, _ := p["parent"].(map[string]any); parent["page_id"] == id {
			kids = append(kids, p["id"].(string))
		}
	}
	return kids
}

// checkOnlyBelow asserts a synced store holds the root, its children,
// and nothing of the other roots.
func checkOnlyBelow(t *testing.T, f *emulator.Fixture, rp *store, root string) {
	t.Helper()
	got := pagesIn(rp)
	if !got[root] {
		t.Fatalf("the root %s is not in the snapshot", root)
	}
	kids := childrenOf(f, root)
	if len(kids) == 0 {
		t.Fatalf("root %s has no child pages to check", root)
	}
	for _, k := range kids {
		if !got[k] {
			t.Errorf("child page %s of the root is missing", k)
		}
	}
	for _, other := range rootPages(f) {
		id := other["id"].(string)
		if id == root {
			continue
		}
		if got[id] {
			t.Errorf("another root, %s, is in the snapshot", id)
		}
		for _, k := range childrenOf(f, id) {
			if got[k] {
				t.Errorf("page %s below another root is in the snapshot", k)
			}
		}
	}
	if len(got) >= len(f.Pages) {
		t.Errorf("the scoped snapshot holds %d of %d pages", len(got), len(f.Pages))
	}
}

func TestRootLimitsTheSync(t *testing.T) {
	f := small()
	roots := rootPages(f)
	if len(roots) < 2 {
		t.Fatalf("workspace has %d root pages", len(roots))
	}
	root := roots[1]["id"].(string)
	w := newWorld(t, f, emulator.Options{Seed: 21})
	rp := newStore(t)
	rp.sync(w, exporter.Options{Roots: []string{root}})
	checkOnlyBelow(t, f, rp, root)
}

func TestScopeTitleRuleLimitsTheSync(t *testing.T) {
	f := small()
	root := rootPages(f)[1]
	title := layout.Title(root)
	scope, err := exporter.ParseScope([]byte(`{"pages": [` + string(must(json.Marshal(strings.ToUpper(title)))) + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, f, emulator.Options{Seed: 22})
	rp := newStore(t)
	rp.sync(w, exporter.Options{Scope: scope})
	checkOnlyBelow(t, f, rp, root["id"].(string))
}

func TestScopeFilterKeepsMatchingRows(t *testing.T) {
	f := small()
	// A data source with a checkbox property, and its rows' values.
	var dsID, prop string
	for _, ds := range f.DataSources {
		props, _ := ds["properties"].(map[string]any)
		for name, v := range props {
			if v.(map[string]any)["type"] == "checkbox" {
				dsID, prop = ds["id"].(string), name
			}
		}
		if dsID != "" {
			break
		}
	}
	if dsID == "" {
		t.Fatal("no data source with a checkbox property")
	}
	want, other := map[string]bool{}, map[string]bool{}
	for _, p := range f.Pages {
		parent, _ := p["parent"].(map[string]any)
		if parent["data_source_id"] != dsID {
			continue
		}
		v, _ := p["properties"].(map[string]any)[prop].(map[string]any)
		if v["checkbox"] == true {
			want[p["id"].(string)] = true
		} else {
			other[p["id"].(string)] = true
		}
	}
	if len(want) == 0 || len(other) == 0 {
		t.Fatalf("rows do not split on %q: %d checked, %d not", prop, len(want), len(other))
	}
	filter, _ := json.Marshal(map[string]any{"property": prop, "checkbox": map[string]any{"equals": true}})
	_, err := exporter.ParseScope([]byte(`{"data_sources": ["` + "" + `"], "filters": {"` + dsID + `": ` + string(filter) + `}}`))
	if err == nil {
		t.Fatal("an empty title rule was accepted")
	}
	scope, err := exporter.ParseScope([]byte(`{"filters": {"` + dsID + `": ` + string(filter) + `}}`))
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, f, emulator.Options{Seed: 23})
	rp := newStore(t)
	rp.sync(w, exporter.Options{Scope: scope, Full: true})
	first := pagesIn(rp)
	// An incremental run, with the data source unchanged, keeps the choice.
	w.clock.Advance(time.Hour)
	rp.sync(w, exporter.Options{Scope: scope})
	got := pagesIn(rp)
	if len(got) != len(first) {
		t.Errorf("incremental run holds %d pages, the first %d", len(got), len(first))
	}
	for id := range want {
		if !got[id] {
			t.Errorf("matching row %s is missing", id)
		}
	}
	for id := range other {
		if got[id] {
			t.Errorf("row %s does not match the filter but was synced", id)
		}
	}
}

func TestParseScopeRejectsWhatItDoesNotKnow(t *testing.T) {
	for _, bad := range []string{
		`{"page": ["typo"]}`,
		`{"filters": {"../etc": {}}}`,
		`{"filters": {"0e3f9a52-7c4b-4d1e-9a86-5b2f1c0d7e41": [1]}}`,
		`{"pages": ["a"]} trailing`,
		`[]`,
	} {
		if _, err := exporter.ParseScope([]byte(bad)); err == nil {
			t.Errorf("%s was accepted", bad)
		} else if !strings.Contains(err.Error(), layout.ScopePath) {
			t.Errorf("%s: error does not name the file: %v", bad, err)
		}
	}
}

// FuzzParseScope: the scope file is the repository owner's input; no input
// may crash the parser, and what it accepts has only valid ids.
func FuzzParseScope(f *testing.F) {
	f.Add([]byte(`{"pages": ["Handbook"], "data_sources": ["Roadmap"], "filters": {"0e3f9a520e3f9a520e3f9a520e3f9a52": {"property": "Done", "checkbox": {"equals": true}}}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[{"searches": [{"filter": {"value": "page"}, "query": "Demo",}], "database_query_filters": [{"database_id": "0e3f9a520e3f9a520e3f9a520e3f9a52", "filter": {"property": "Done", "checkbox": {"equals": true}}}]}]`))
	f.Add([]byte(`{"roots": ["0e3f9a520e3f9a520e3f9a520e3f9a52"], "pages": ["a\",]"]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := exporter.ParseScope(b)
		if err != nil {
			return
		}
		for id := range s.Filters {
			if !layout.IsID(id) {
				t.Fatalf("accepted filter id %q", id)
			}
		}
		for _, id := range s.Roots {
			if !layout.IsID(id) {
				t.Fatalf("accepted root id %q", id)
			}
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
