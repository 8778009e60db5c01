package exporter_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// small is a workspace small enough for many syncs in one test.
func small() *emulator.Fixture {
	o := workspace.Small()
	o.Pages, o.RowsPerDataSource, o.BlocksPerPage = 30, 5, 8
	return workspace.Generate(o)
}

// plainPages returns the ids of pages that are neither rows nor the first
// (type-catalogue) page, in a stable order.
func plainPages(f *emulator.Fixture) []string {
	var ids []string
	for _, p := range f.Pages {
		parent, _ := p["parent"].(map[string]any)
		if parent["type"] == "page_id" {
			ids = append(ids, p["id"].(string))
		}
	}
	return ids
}

// paragraph adds a paragraph to a page for a test to edit, and returns its id.
func paragraph(t *testing.T, s *emulator.Server, pageID string) string {
	t.Helper()
	ids, err := s.AppendBlocks(pageID, map[string]any{"type": "paragraph", "paragraph": map[string]any{
		"rich_text": []any{map[string]any{"type": "text", "text": map[string]any{"content": "to be edited"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

func setText(text string) func(map[string]any) {
	return func(b map[string]any) {
		b["paragraph"] = map[string]any{"color": "default", "rich_text": []any{map[string]any{
			"type": "text", "plain_text": text, "href": nil,
			"text":        map[string]any{"content": text, "link": nil},
			"annotations": map[string]any{"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"},
		}}}
	}
}

func TestIncrementalSyncGivesTheTreeOfAFullSync(t *testing.T) {
	f := small()
	w := newWorld(t, f, emulator.Options{Seed: 7})
	pages := plainPages(f)
	if len(pages) < 6 {
		t.Fatalf("workspace has only %d subpages", len(pages))
	}
	block := paragraph(t, w.server, pages[0])
	inc := newStore(t)
	inc.sync(w, exporter.Options{})
	w.clock.Advance(time.Hour)
	// An edit, an added page, a move, a page trashed, a page unshared, a
	// schema change and a comment: every kind of change a scheduled sync meets.
	if err := w.server.EditBlock(block, setText("edited between syncs")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.server.AddPage(map[string]any{
		"parent":     map[string]any{"type": "page_id", "page_id": pages[1]},
		"properties": map[string]any{"title": map[string]any{"id": "title", "type": "title", "title": []any{map[string]any{"type": "text", "plain_text": "Added page", "text": map[string]any{"content": "Added page"}}}}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.server.MovePage(pages[2], pages[1]); err != nil {
		t.Fatal(err)
	}
	if err := w.server.TrashPage(pages[3]); err != nil {
		t.Fatal(err)
	}
	unshared := f.Shared[len(f.Shared)-1]
	w.server.Unshare(unshared)
	if _, err := w.server.AddComment(pages[5], "a new comment"); err != nil {
		t.Fatal(err)
	}
	if len(f.DataSources) == 0 {
		t.Fatal("the fixture has no data source")
	}
	err := w.server.UpdateSchema(f.DataSources[0]["id"].(string), func(props map[string]any) {
		props["Added"] = map[string]any{"id": "add1", "name": "Added", "type": "checkbox", "checkbox": map[string]any{}}
	})
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Hour)

	rep, changed := inc.sync(w, exporter.Options{})
	if !changed {
		t.Fatal("the changes changed no file")
	}
	full := newStore(t)
	full.sync(w, exporter.Options{Full: true})
	sameFiles(t, inc.files(), full.files())

	if rep.Pages.Crawled >= rep.Pages.Total/2 {
		t.Errorf("incremental sync crawled %d of %d pages", rep.Pages.Crawled, rep.Pages.Total)
	}
	for _, gone := range []string{pages[3], unshared} {
		if _, ok := inc.files()[layout.PagePath(gone)]; ok {
			t.Errorf("page %s is still in the snapshot", gone)
		}
	}
}

func TestEditInTheMinuteOfTheLastSyncIsNotMissed(t *testing.T) {
	f := small()
	w := newWorld(t, f, emulator.Options{Seed: 3})
	page := plainPages(f)[0]
	block := paragraph(t, w.server, page)
	rp := newStore(t)
	rp.sync(w, exporter.Options{})

	// An edit, then a sync in the same minute, then an edit later in that
	// minute: Notion shows both edits with the same last_edited_time.
	w.clock.Advance(time.Hour + 5*time.Second)
	if err := w.server.EditBlock(block, setText("first edit")); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(10 * time.Second)
	rp.sync(w, exporter.Options{})
	w.clock.Advance(20 * time.Second)
	if err := w.server.EditBlock(block, setText("second edit, same minute")); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(30 * time.Minute)
	rp.sync(w, exporter.Options{})
	if got := rp.read(layout.BlockPath(page, block)); !strings.Contains(got, "second edit, same minute") {
		t.Fatalf("the second edit was missed:\n%s", got)
	}
}

func TestVanishedPageThatAnswers503IsKept(t *testing.T) {
	f := small()
	w := newWorld(t, f, emulator.Options{Seed: 5})
	rp := newStore(t)
	rp.sync(w, exporter.Options{})
	page := plainPages(f)[0]
	before := rp.read(layout.PagePath(page))

	// The listing no longer returns the page, and asking for it fails.
	w.wrap = func(rw http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/search" {
			rec := httptest.NewRecorder()
			w.server.ServeHTTP(rec, r)
			var body map[string]any
			json.Unmarshal(rec.Body.Bytes(), &body)
			results, _ := body["results"].([]any)
			kept := results[:0]
			for _, o := range results {
				if o.(map[string]any)["id"] != page {
					kept = append(kept, o)
				}
			}
			body["results"] = kept
			json.NewEncoder(rw).Encode(body)
			return true
		}
		if r.Method == http.MethodGet && r.URL.Path == "/v1/pages/"+page {
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(rw, `{"object":"error","status":503,"code":"service_unavailable","message":"try later"}`)
			return true
		}
		return false
	}
	w.clock.Advance(time.Hour)
	rep, _ := rp.sync(w, exporter.Options{})
	if !rep.Partial() || rep.Errors[0].ID != page {
		t.Fatalf("report errors = %+v, want the page reported", rep.Errors)
	}
	if got := rp.read(layout.PagePath(page)); got != before {
		t.Fatal("the page's previous version was not kept")
	}
	if rep.Pages.Removed != 0 {
		t.Fatalf("%d pages removed", rep.Pages.Removed)
	}
}

func TestRollingRefreshCatchesAnEditNotionDidNotDate(t *testing.T) {
	f := small()
	w := newWorld(t, f, emulator.Options{Seed: 9, KeepPageTimeOnBlockEdit: true})
	pages := plainPages(f)
	page := pages[len(pages)-1]
	block := paragraph(t, w.server, page)
	rp := newStore(t)
	rp.sync(w, exporter.Options{})
	total := len(f.Pages)
	const period = 10 * time.Hour
	promised := 10 // hourly runs in a period

	w.clock.Advance(time.Hour)
	if err := w.server.EditBlock(block, func(b map[string]any) {
		b["last_edited_time"] = "2020-01-01T00:00:00.000Z" // hide it from the block too
		setText("silent edit")(b)
	}); err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= promised; run++ {
		w.clock.Advance(time.Hour)
		rep, _ := rp.sync(w, exporter.Options{RefreshPeriod: period})
		if want := total / 10; rep.Pages.Refreshed > 2*want+2 {
			t.Fatalf("run %d refreshed %d pages, want about %d", run, rep.Pages.Refreshed, want)
		}
		if strings.Contains(rp.read(layout.BlockPath(page, block)), "silent edit") {
			t.Logf("caught after %d runs", run)
			return
		}
	}
	t.Fatalf("the rolling refresh did not catch the edit within %d runs", promised)
}

// TestUnchangedWorkspaceChangesNothing: syncs of a workspace that did not
// change leave every file byte for byte as it was, and the sink sees no
// write that changes a file; the state differs only in crawl times. Whether
// that makes a commit is the CLI's to decide (see
// TestSyncWithoutChangeMakesNoCommit).
func TestUnchangedWorkspaceChangesNothing(t *testing.T) {
	w := newWorld(t, small(), emulator.Options{Seed: 11})
	prev, _, changes, err := w.syncFrom(nil, exporter.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) == 0 {
		t.Fatal("the first sync wrote nothing")
	}
	for run := 1; run <= 3; run++ {
		w.clock.Advance(time.Hour)
		tree, res, changes, err := w.syncFrom(prev, exporter.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) != 0 {
			t.Errorf("run %d: a sync without changes changed %v", run, changes)
		}
		for p, b := range tree {
			if !isState(p) && !bytes.Equal(b, prev[p]) {
				t.Errorf("run %d: %s changed", run, p)
			}
		}
		for p := range prev {
			if _, ok := tree[p]; !ok {
				t.Errorf("run %d: %s went", run, p)
			}
		}
		before := readState(t, prev)
		if diff := stateChanges(before, res.State); len(diff) > 0 {
			t.Errorf("run %d: the state changed beyond crawl times: %v", run, diff)
		}
		// Data sources and databases are fetched again, but unchanged they
		// keep their entries whole: their shards are not rewritten.
		for id, o := range before.Objects {
			if o.Kind != layout.KindPage && !o.Equal(res.State.Objects[id]) {
				t.Errorf("run %d: %s %s: entry %+v, was %+v", run, o.Kind, id, res.State.Objects[id], o)
			}
		}
		prev = tree
	}
}

// stateChanges lists the objects whose state differs between two syncs,
// the times they were crawled aside.
func stateChanges(before, after *layout.State) []string {
	var out []string
	for id, o := range after.Objects {
		was, ok := before.Objects[id]
		o.Crawled, was.Crawled = "", ""
		if !ok || o.Kind != was.Kind || o.LastEdited != was.LastEdited || o.Parent != was.Parent ||
			o.Title != was.Title || o.Trashed != was.Trashed || !slices.Equal(o.Files, was.Files) {
			out = append(out, fmt.Sprintf("%s: %+v, was %+v", id, o, was))
		}
	}
	for id := range before.Objects {
		if _, ok := after.Objects[id]; !ok {
			out = append(out, id+": gone")
		}
	}
	return out
}
