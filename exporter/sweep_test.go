package exporter_test

import (
	"strings"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// commented generates a workspace with comments on pages and blocks.
func commented(seed uint64) *emulator.Fixture {
	o := workspace.Small()
	o.Seed = seed
	o.Pages, o.BlocksPerPage, o.RowsPerDataSource, o.Comments = 120, 16, 4, 150
	return workspace.Generate(o)
}

// storedComments returns the ids of the comments a tree holds.
func storedComments(tree exporter.MemoryTree) map[string]bool {
	out := map[string]bool{}
	for p := range tree {
		if info, ok := layout.ParsePath(p); ok && info.Kind == layout.PathComment {
			out[info.CommentID] = true
		}
	}
	return out
}

// textBlocks returns, page by page, a text block of each plain page.
func textBlocks(t *testing.T, tree exporter.MemoryTree) map[string]string {
	t.Helper()
	out := map[string]string{}
	for p := range tree {
		info, ok := layout.ParsePath(p)
		if !ok || info.Kind != layout.PathBlock || out[info.PageID] != "" {
			continue
		}
		if strings.Contains(string(tree[p]), `"type": "paragraph"`) {
			out[info.PageID] = info.BlockID
		}
	}
	return out
}

// TestSweepFindsEveryBlockCommentWithinItsPeriod: a first sync keeps every
// comment of the workspace; comments then added on blocks of pages nobody
// edits (which moves no last_edited_time) are all found by hourly syncs
// within the sweep period, in slices of bounded size; one that is resolved
// (Notion no longer returns it) leaves the snapshot, and its page's README
// with it.
func TestSweepFindsEveryBlockCommentWithinItsPeriod(t *testing.T) {
	t.Parallel()
	f := commented(31)
	w := newWorld(t, f, emulator.Options{Seed: 31})
	const period = 24 * time.Hour
	opts := exporter.Options{Comments: exporter.CommentsAll, CommentSweepPeriod: period}
	rp := newStore(t)
	rep, _ := rp.sync(w, opts)

	want := map[string]bool{}
	onBlocks := 0
	for _, c := range f.Comments {
		want[c["id"].(string)] = true
		if p, _ := c["parent"].(map[string]any); p["type"] == "block_id" {
			onBlocks++
		}
	}
	got := storedComments(rp.tree)
	for id := range want {
		if !got[id] {
			t.Errorf("comment %s is not in the first sync's snapshot", id)
		}
	}
	t.Logf("first sync: %d of %d comments (%d on blocks), %d sweep requests of %d", len(got), len(want), onBlocks, rep.Sweep.Requests, rep.Requests.Total)
	if onBlocks == 0 || rep.Sweep.Requests == 0 {
		t.Fatalf("the workspace has %d block comments and the first sync swept with %d requests", onBlocks, rep.Sweep.Requests)
	}

	// New discussions on blocks of many pages, without an edit.
	added := map[string]string{} // comment id -> page
	blocks := textBlocks(t, rp.tree)
	for page, block := range blocks {
		c, err := w.server.AddComment(block, "found by the sweep on "+page)
		if err != nil {
			t.Fatal(err)
		}
		added[c["id"].(string)] = page
	}
	if len(added) < 20 {
		t.Fatalf("only %d blocks to comment on", len(added))
	}
	// One stored comment is resolved: Notion no longer returns it.
	var resolved, resolvedPage string
	for p := range rp.tree {
		if info, ok := layout.ParsePath(p); ok && info.Kind == layout.PathComment {
			resolved, resolvedPage = info.CommentID, info.PageID
			break
		}
	}
	if err := w.server.DeleteObject(resolved); err != nil {
		t.Fatal(err)
	}

	runs := int(period / time.Hour)
	requests, most := 0, 0
	for run := 1; run <= runs; run++ {
		w.clock.Advance(time.Hour)
		mark := len(w.server.Log())
		rep, _ := rp.sync(w, opts)
		if n := len(commentRequestsSince(w, mark)); rep.Sweep.Requests != sumValues(commentRequestsSince(w, mark)) {
			t.Fatalf("run %d: the report counts %d sweep requests, the log shows %d comment listings (%d targets)", run, rep.Sweep.Requests, sumValues(commentRequestsSince(w, mark)), n)
		}
		requests += rep.Sweep.Requests
		most = max(most, rep.Sweep.Requests)
		if rep.Pages.Crawled != 0 {
			t.Fatalf("run %d crawled %d pages: nothing was edited", run, rep.Pages.Crawled)
		}
	}
	got = storedComments(rp.tree)
	missing := 0
	for id, page := range added {
		if !got[id] {
			missing++
			t.Errorf("comment %s on a block of page %s not found within the sweep period", id, page)
		}
	}
	t.Logf("%d runs: %d of %d new block comments found, %d sweep requests, at most %d in a run", runs, len(added)-missing, len(added), requests, most)
	if got[resolved] {
		t.Errorf("resolved comment %s is still in the snapshot after a sweep period", resolved)
	}
	readme := rp.read(layout.PageReadmePath(resolvedPage))
	for id, page := range added {
		if page == resolvedPage && !strings.Contains(readme, "found by the sweep on "+page) {
			t.Errorf("the README of page %s does not show comment %s", page, id)
		}
	}
	// A full sweep cycle holds every comment of the workspace.
	for _, c := range w.server.Fixture().Comments {
		if !got[c["id"].(string)] {
			t.Errorf("comment %s missing after a full sweep cycle", c["id"])
		}
	}
	// The sweep's cost is spread: no run takes more than a few times its
	// share of a whole cycle.
	if share := requests / runs; most > 4*share+40 {
		t.Errorf("one run swept with %d requests, the period's average is %d", most, share)
	}
}

func sumValues(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestChangedPageBlockCommentsAtOnce: the block comments of a page crawled
// because it changed are read in that run, whatever the sweep's phase; a
// page refreshed, not changed, keeps its stored block comments without
// asking for them.
func TestChangedPageBlockCommentsAtOnce(t *testing.T) {
	t.Parallel()
	f := commented(32)
	w := newWorld(t, f, emulator.Options{Seed: 32})
	// The sweep's window of an hour in a century holds no page, in all
	// likelihood; the test checks it did not.
	const century = 100 * 365 * 24 * time.Hour
	opts := exporter.Options{Comments: exporter.CommentsAll, CommentSweepPeriod: century}
	rp := newStore(t)
	rp.sync(w, opts)
	blocks := textBlocks(t, rp.tree)
	var page, block string
	for p, b := range blocks {
		page, block = p, b
		break
	}
	w.clock.Advance(time.Hour)
	c, err := w.server.AddComment(block, "on a page that changed")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.server.EditBlock(block, setText("edited with a comment")); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Hour)
	rep, _ := rp.sync(w, opts)
	if rep.Sweep.Pages != 0 {
		t.Fatalf("the sweep took %d pages in an hour of a century", rep.Sweep.Pages)
	}
	if _, ok := rp.tree[layout.CommentPath(page, c["id"].(string))]; !ok {
		t.Fatalf("the comment on a block of a changed page is not stored by the run that crawled it")
	}
	if rep.BlockComments.Pages != 1 || rep.BlockComments.Requests < rep.BlockComments.Blocks || rep.BlockComments.Blocks == 0 {
		t.Errorf("block comments of changed pages: %+v, want one page, a request per block", rep.BlockComments)
	}

	// A refresh of every page (its period passed) asks for no block's
	// comments and changes nothing.
	before := rp.files()
	w.clock.Advance(3 * time.Hour)
	mark := len(w.server.Log())
	rep, changed := rp.sync(w, exporter.Options{Comments: exporter.CommentsAll, CommentSweepPeriod: century, RefreshPeriod: time.Hour})
	if rep.Refresh.Pages == 0 || changed {
		t.Fatalf("refresh: %d pages, files changed %v", rep.Refresh.Pages, changed)
	}
	pages := map[string]bool{}
	for p := range rp.tree {
		if info, ok := layout.ParsePath(p); ok && info.Kind == layout.PathPage {
			pages[info.PageID] = true
		}
	}
	for target := range commentRequestsSince(w, mark) {
		if !pages[target] {
			t.Errorf("the refresh asked for the comments of block %s", target)
		}
	}
	sameFiles(t, rp.files(), before)
	if rep.BlockComments.Requests != 0 || rep.Sweep.Requests != 0 {
		t.Errorf("refresh run: %d block comment requests, %d sweep requests", rep.BlockComments.Requests, rep.Sweep.Requests)
	}
}
