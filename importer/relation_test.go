package importer

import (
	"context"
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
