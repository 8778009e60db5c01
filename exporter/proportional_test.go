package exporter_test

import (
	"context"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// readLog records which files of the previous snapshot a sync
// reads, and which it only asks about.
type readLog struct {
	memoryPrevious
	mu    sync.Mutex
	reads []string
}

func (c *readLog) Read(path string) ([]byte, error) {
	c.mu.Lock()
	c.reads = append(c.reads, path)
	c.mu.Unlock()
	return c.memoryPrevious.Read(path)
}

// pageReads lists the files of pages/ read, other than those of the given pages.
func (c *readLog) pageReads(except ...string) []string {
	var out []string
	for _, p := range c.reads {
		info, ok := layout.ParsePath(p)
		if ok && info.PageID != "" && !strings.Contains(strings.Join(except, " "), info.PageID) {
			out = append(out, p)
		}
	}
	return out
}

func syncLogged(t *testing.T, w *world, prev exporter.MemoryTree) (exporter.MemoryTree, *exporter.Report, *readLog) {
	t.Helper()
	from := &readLog{memoryPrevious: memoryPrevious(prev)}
	sink := &recordingSink{MemoryTree: maps.Clone(prev)}
	res, err := exporter.Sync(context.Background(), w.client(), from, sink, exporter.Options{Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := putState(sink.MemoryTree, res.State); err != nil {
		t.Fatal(err)
	}
	return sink.MemoryTree, res.Report, from
}

// TestIncrementalReadsOnlyWhatChanged checks that an incremental sync reads
// of the stored pages only those the change concerns: a subpage renamed
// costs reading its parent's child_page block (to patch it, as a full sync
// would give it) and none of the other pages' files, and a sync with nothing
// changed reads no page file at all.
func TestIncrementalReadsOnlyWhatChanged(t *testing.T) {
	f := small()
	w := newWorld(t, f, emulator.Options{Seed: 11})
	tree, _ := w.syncMemory(nil, exporter.Options{})
	w.clock.Advance(time.Hour)

	tree, _, c := syncLogged(t, w, tree)
	if got := c.pageReads(); len(got) > 0 {
		t.Errorf("a sync with nothing changed read %d page files, e.g. %v", len(got), got[:min(3, len(got))])
	}
	w.clock.Advance(time.Hour)

	var child, parent string
	for _, p := range f.Pages {
		par, _ := p["parent"].(map[string]any)
		if par["type"] == "page_id" {
			child, parent = p["id"].(string), par["page_id"].(string)
			break
		}
	}
	child, _ = layout.ParseID(child)
	parent, _ = layout.ParseID(parent)
	if err := w.server.SetTitle(child, "Renamed subpage"); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Hour)
	tree, rep, c := syncLogged(t, w, tree)
	if got := c.pageReads(child, parent); len(got) > 0 {
		t.Errorf("renaming one subpage read %d files of other pages, e.g. %v", len(got), got[:min(3, len(got))])
	}
	if !strings.Contains(string(tree[layout.BlockPath(parent, child)]), "Renamed subpage") {
		t.Errorf("the parent's child_page block was not patched:\n%s", tree[layout.BlockPath(parent, child)])
	}
	if rep.Pages.Crawled == 0 {
		t.Error("the renamed page was not crawled")
	}
	full := newStore(t)
	full.sync(w, exporter.Options{Full: true})
	inc := &store{t: t, tree: tree}
	sameFiles(t, inc.files(), full.files())
}
