package importer

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// TestLongRelationFirst: a relation value over 100 pages is cut to 100 (a
// PATCH replaces the whole value) and counted, and written before every
// other relation value, so that in a two-way relation the rows on the other
// side add the rest back afterwards rather than being cut again.
func TestLongRelationFirst(t *testing.T) {
	src := tinySource(t)
	// Give one row a relation of 150 pages: the rows of the snapshot, again
	// and again. The snapshot is decoded whole, so that the change holds.
	snap, err := layout.DecodeSnapshot(layout.MapSource(src.tree))
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for id := range snap.Pages {
		if snap.Header(id).ParentType == "data_source_id" {
			rows = append(rows, id)
		}
	}
	var long, prop string
	for _, id := range sortedKeys(snap.Pages) {
		props, _ := snap.Pages[id].Object["properties"].(map[string]any)
		for _, name := range sortedKeys(props) {
			if m, _ := props[name].(map[string]any); m["type"] == "relation" && long == "" {
				var rel []any
				for i := range 150 {
					rel = append(rel, map[string]any{"id": rows[i%len(rows)]})
				}
				m["relation"] = rel
				long, prop = id, name
			}
		}
	}
	if long == "" {
		t.Fatal("no relation in the snapshot")
	}
	dst := emptyTarget(t, emulator.Options{})
	rep, err := Restore(context.Background(), dst.client, snap, Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree)})
	if err != nil {
		t.Fatal(err)
	}
	if n := rep.Truncated["relation beyond 100 items"]; n != 1 {
		t.Errorf("%d relations counted as cut, want 1", n)
	}
	first := ""
	for _, e := range dst.srv.Log() {
		if e.Endpoint == "PATCH /v1/pages/{id}" && strings.Contains(string(e.RequestBody), `"relation"`) {
			first = e.Path
			break
		}
	}
	if want := "/v1/pages/" + rep.IDs[long]; !strings.HasSuffix(first, rep.IDs[long]) {
		t.Errorf("first relation written to %s, want %s (%s)", first, want, prop)
	}
}

// TestTwoWayRelationToOutsideIsOneWay restores, into a page of the
// workspace it came from, a database whose two-way relation leads to a
// database the restore leaves out. The copy's relation is one-way to the
// original data source, counted: a dual one would have added a property
// to that original, in the user's own workspace.
func TestTwoWayRelationToOutsideIsOneWay(t *testing.T) {
	const (
		shelf   = "10000000-0000-4000-8000-0000000000c1"
		authors = "d5000000-0000-4000-8000-0000000000c1" // the data source left out
	)
	f, err := workspace.Load(filepath.Join("..", "testdata", "fixtures", "restore", "dual-relations.json"))
	if err != nil {
		t.Fatal(err)
	}
	src := startEmulator(t, f, emulator.Options{})
	snap, tree := syncTree(t, src)
	db, _ := layout.ParseID(snap.DataSources[authors].Object["parent"].(map[string]any)["database_id"].(string))
	delete(snap.DataSources, authors)
	delete(snap.Databases, db)
	for id, pg := range snap.Pages {
		if par, _ := pg.Object["parent"].(map[string]any); par["data_source_id"] == authors {
			delete(snap.Pages, id)
		}
	}
	before := schemaNames(t, src, authors)
	target, err := src.srv.AddPage(map[string]any{"parent": map[string]any{"type": "page_id", "page_id": shelf},
		"properties": map[string]any{"title": map[string]any{"id": "title", "type": "title", "title": []any{}}}})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Target: target, Files: layout.MapSource(tree)}
	rep, err := Restore(context.Background(), src.client, snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	if n := rep.Substituted["two-way relation to a data source outside the restore → one-way"]; n != 1 {
		t.Errorf("%d two-way relations counted as one-way, want 1", n)
	}
	if after := schemaNames(t, src, authors); !slices.Equal(after, before) {
		t.Errorf("the original data source now has %q, it had %q", after, before)
	}
	got, _ := syncTree(t, src, target)
	fid, err := Verify(snap, opts, rep, got)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range fid.Unexpected() {
		t.Error(u)
	}
	if fid.Kinds["schema relation"] == nil || fid.Kinds["schema relation"].Compared != 3 {
		t.Errorf("schema relations compared: %+v, want 3", fid.Kinds["schema relation"])
	}
}

// schemaNames reads a data source's property names from the emulator.
func schemaNames(t *testing.T, e *localNotion, ds string) []string {
	t.Helper()
	raw, err := e.client.Get(context.Background(), "data_sources/"+ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := layout.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	props, _ := obj["properties"].(map[string]any)
	return sortedKeys(props)
}

// TestSyncedSideFoundByItsLink: the other side of a two-way relation is
// found by what it is (a dual relation to the first data source, synced
// with the first side), whatever Notion named it, and the first side of a
// relation of a data source with itself is never taken for it.
func TestSyncedSideFoundByItsLink(t *testing.T) {
	const ds = "d5000000-0000-4000-8000-0000000000c2"
	dual := func(to, synced string) map[string]any {
		return map[string]any{"type": "relation", "relation": map[string]any{"data_source_id": to, "type": "dual_property",
			"dual_property": map[string]any{"synced_property_name": synced}}}
	}
	schema := map[string]any{
		"Name":                       map[string]any{"type": "title", "title": map[string]any{}},
		"Sequel":                     dual(ds, "Related to Books (Sequel)"),
		"Related to Books (Sequel)":  dual(strings.ReplaceAll(ds, "-", ""), "Sequel"),
		"Related to Books (Other)":   dual(ds, "Other"),
		"Related to Authors (Wrote)": dual("d5000000-0000-4000-8000-0000000000c1", "Sequel"),
	}
	if got := syncedSide(schema, ds, "Sequel"); got != "Related to Books (Sequel)" {
		t.Errorf("the other side of Sequel is %q, want %q", got, "Related to Books (Sequel)")
	}
	if got := syncedSide(schema, ds, "Missing"); got != "" {
		t.Errorf("the other side of a relation Notion did not link is %q, want none", got)
	}
}
