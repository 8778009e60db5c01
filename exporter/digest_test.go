package exporter_test

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// countingPrevious counts the stored page.json files a sync reads.
type countingPrevious struct {
	memoryPrevious
	mu    sync.Mutex
	reads map[string]int
}

func (c *countingPrevious) Read(path string) ([]byte, error) {
	if info, _ := layout.ParsePath(path); info.Kind == layout.PathPage {
		c.mu.Lock()
		c.reads[info.PageID]++
		c.mu.Unlock()
	}
	return c.memoryPrevious.Read(path)
}

// syncCounting syncs from tree, as a commit would, and returns the new tree
// and the number of stored page.json files read.
func syncCounting(t *testing.T, w *world, tree exporter.MemoryTree) (exporter.MemoryTree, *exporter.Report, int) {
	t.Helper()
	prev := &countingPrevious{memoryPrevious: memoryPrevious(tree), reads: map[string]int{}}
	sink := maps.Clone(tree)
	res, err := exporter.Sync(context.Background(), w.client(), prev, sink, exporter.Options{Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := putState(sink, res.State); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range prev.reads {
		n += c
	}
	return sink, res.Report, n
}

// TestPlanningReadsOnlyChangedPages: with a digest of every page in the
// state, an incremental sync reads the stored page.json of the pages that
// changed (and of the homes whose child_page blocks it patches), not of
// every page. A state without digests (written before them) costs one
// reading of each page, once: the sync records the digests.
func TestPlanningReadsOnlyChangedPages(t *testing.T) {
	f := small()
	w := newWorld(t, f, emulator.Options{Seed: 3})
	s := newStore(t)
	s.sync(w, exporter.Options{})
	tree := s.tree
	pages := 0
	for id, o := range readState(t, tree).Objects {
		if o.Kind != layout.KindPage {
			continue
		}
		pages++
		if len(o.Digest) != layout.DigestLen {
			t.Fatalf("page %s has no digest after its crawl: %+v", id, o)
		}
	}

	w.clock.Advance(time.Hour)
	tree, _, reads := syncCounting(t, w, tree)
	if reads != 0 {
		t.Errorf("an unchanged workspace of %d pages: %d page.json read, want none", pages, reads)
	}

	edited := plainPages(f)[:3]
	for _, id := range edited {
		if err := w.server.SetTitle(id, "Renamed "+id[:4]); err != nil {
			t.Fatal(err)
		}
	}
	w.clock.Advance(time.Hour)
	tree, rep, reads := syncCounting(t, w, tree)
	if rep.Pages.Crawled < len(edited) {
		t.Fatalf("crawled %d pages after %d renames", rep.Pages.Crawled, len(edited))
	}
	// Each renamed page, and the page holding its child_page block.
	if reads == 0 || reads > 2*len(edited) {
		t.Errorf("%d renames among %d pages: %d page.json read, want at most %d", len(edited), pages, reads, 2*len(edited))
	}
	t.Logf("%d renames among %d pages: %d page.json read", len(edited), pages, reads)

	// A state without digests: every page compared once, then none.
	st := readState(t, tree)
	for id, o := range st.Objects {
		o.Digest = ""
		st.Objects[id] = o
	}
	if err := putState(tree, st); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Hour)
	tree, _, reads = syncCounting(t, w, tree)
	if reads < pages {
		t.Errorf("a state without digests: %d page.json read of %d pages", reads, pages)
	}
	for id, o := range readState(t, tree).Objects {
		if o.Kind == layout.KindPage && o.Digest == "" {
			t.Errorf("page %s still has no digest", id)
		}
	}
	w.clock.Advance(time.Hour)
	if _, _, reads = syncCounting(t, w, tree); reads != 0 {
		t.Errorf("after the digests were recorded: %d page.json read, want none", reads)
	}
}
