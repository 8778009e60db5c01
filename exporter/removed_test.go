package exporter_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// TestRemovedPageIsConfirmedBeforeItLeaves: a page that the listing no
// longer returns leaves the snapshot only once a GET of it answers 404
// (deleted, or no longer shared); the report names it, with its title and
// why.
func TestRemovedPageIsConfirmedBeforeItLeaves(t *testing.T) {
	t.Parallel()
	const scratchID = "30000000-0000-4000-8000-000000000001"
	for _, tc := range []struct {
		name, id, title string
		remove          func(s *emulator.Server) error
	}{
		{"deleted", releaseID, "Release notes", func(s *emulator.Server) error { return s.DeleteObject(releaseID) }},
		{"unshared", scratchID, "Scratchpad", func(s *emulator.Server) error { s.Unshare(scratchID); return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, basicFixture(t), emulator.Options{})
			// A second top-level page, shared on its own.
			_, err := w.server.AddPage(map[string]any{
				"id":     scratchID,
				"parent": map[string]any{"type": "workspace", "workspace": true},
				"properties": map[string]any{"title": map[string]any{"id": "title", "type": "title", "title": []any{
					map[string]any{"type": "text", "text": map[string]any{"content": "Scratchpad", "link": nil}, "plain_text": "Scratchpad", "href": nil,
						"annotations": map[string]any{"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"}},
				}}},
			})
			if err != nil {
				t.Fatal(err)
			}
			w.server.Share(scratchID)
			before, _ := w.syncMemory(nil, exporter.Options{})
			if _, ok := before[layout.PagePath(tc.id)]; !ok {
				t.Fatalf("%s is not in the first sync", tc.id)
			}
			w.clock.Advance(time.Hour)
			if err := tc.remove(w.server); err != nil {
				t.Fatal(err)
			}
			mark := len(w.server.Log())
			after, rep := w.syncMemory(before, exporter.Options{})
			for p := range pageFiles(after, tc.id) {
				t.Errorf("%s is still in the snapshot", p)
			}
			want := exporter.RemovedPage{ID: tc.id, Title: tc.title, Why: "deleted or no longer shared"}
			if len(rep.Removed) != 1 || rep.Removed[0] != want {
				t.Errorf("removed pages reported: %+v, want %+v", rep.Removed, want)
			}
			if rep.Pages.Removed != 1 {
				t.Errorf("Pages.Removed = %d, want 1", rep.Pages.Removed)
			}
			if rep.Partial() {
				t.Errorf("errors reported: %+v", rep.Errors)
			}
			confirmed := false
			for _, e := range w.server.Log()[mark:] {
				if e.Method == http.MethodGet && e.Path == "/v1/pages/"+tc.id && e.Status == http.StatusNotFound {
					confirmed = true
				}
			}
			if !confirmed {
				t.Error("the page was removed without a GET of it answering 404")
			}
		})
	}
}
