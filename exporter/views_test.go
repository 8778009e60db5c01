package exporter_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

const (
	viewsDB   = "d0000000-0000-4000-8000-0000000000a1"
	viewsDS   = "d5000000-0000-4000-8000-0000000000a1"
	boardView = "e1000000-0000-4000-8000-000000000002"
)

// viewRequests counts the Views API requests the emulator answered.
func viewRequests(s *emulator.Server) (lists, gets int) {
	for k, n := range s.Counts() {
		switch k.Endpoint {
		case "GET /v1/views":
			lists += n
		case "GET /v1/views/{id}":
			gets += n
		}
	}
	return lists, gets
}

// TestSyncViews: a sync stores every view of a database, at one listing
// plus one GET per view; an incremental sync that does not fetch the
// database again reads no view; one that does drops the views gone.
func TestSyncViews(t *testing.T) {
	f, err := workspace.Load(filepath.Join("..", "testdata", "fixtures", "restore", "views.json"))
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, f, emulator.Options{})
	tree, _ := w.syncMemory(nil, exporter.Options{})
	n := 0
	for p := range tree {
		if info, _ := layout.ParsePath(p); info.Kind == layout.PathView {
			n++
		}
	}
	if n != len(f.Views) {
		t.Fatalf("%d view files, the workspace has %d views", n, len(f.Views))
	}
	if lists, gets := viewRequests(w.server); lists != 1 || gets != len(f.Views) {
		t.Errorf("views read with %d listings and %d GETs, want 1 and %d", lists, gets, len(f.Views))
	}

	w.clock.Advance(2 * time.Minute)
	w.server.ResetLog()
	again, _ := w.syncMemory(tree, exporter.Options{})
	if lists, gets := viewRequests(w.server); lists+gets != 0 {
		t.Errorf("an unchanged database's views were read again: %d listings, %d GETs", lists, gets)
	}
	if string(again[layout.ViewPath(viewsDB, boardView)]) != string(tree[layout.ViewPath(viewsDB, boardView)]) {
		t.Errorf("an unchanged database's views were not carried over")
	}

	if _, err := w.client().Delete(context.Background(), "views/"+boardView); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(2 * time.Minute)
	if err := w.server.UpdateSchema(viewsDS, func(map[string]any) {}); err != nil {
		t.Fatal(err)
	}
	w.server.ResetLog()
	third, _ := w.syncMemory(again, exporter.Options{})
	if _, ok := third[layout.ViewPath(viewsDB, boardView)]; ok {
		t.Errorf("a deleted view is still stored")
	}
	if strings.Contains(string(third[layout.DatabasePath(viewsDB)]), boardView) {
		t.Errorf("database.json still lists the deleted view")
	}
	if lists, gets := viewRequests(w.server); lists != 1 || gets != len(f.Views)-1 {
		t.Errorf("views read again with %d listings and %d GETs, want 1 and %d", lists, gets, len(f.Views)-1)
	}
	if _, err := layout.DecodeSnapshot(layout.MapSource(third)); err != nil {
		t.Fatal(err)
	}

	// Views that cannot be read this time: the stored ones are kept, and
	// the database says they may be stale.
	w.wrap = func(rw http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v1/views" {
			return false
		}
		rw.WriteHeader(http.StatusBadRequest)
		rw.Write([]byte(`{"object":"error","status":400,"code":"validation_error","message":"no views today"}`))
		return true
	}
	w.clock.Advance(2 * time.Minute)
	if err := w.server.UpdateSchema(viewsDS, func(map[string]any) {}); err != nil {
		t.Fatal(err)
	}
	fourth, _ := w.syncMemory(third, exporter.Options{})
	snap, err := layout.DecodeSnapshot(layout.MapSource(fourth))
	if err != nil {
		t.Fatal(err)
	}
	d := snap.Databases[viewsDB]
	if len(d.Views) != len(f.Views)-1 || len(d.Extra.Incomplete) != 1 || d.Extra.Incomplete[0].What != "views" {
		t.Errorf("after a failed read of views: %d views, incomplete %v", len(d.Views), d.Extra.Incomplete)
	}
}
