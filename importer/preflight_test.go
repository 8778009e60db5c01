package importer

import (
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// TestBlocksToCreate counts from the snapshot alone what a rehearsal of the
// restore really creates: blocks, pages, rows, databases and anchors.
func TestBlocksToCreate(t *testing.T) {
	src := smallSource(t)
	opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree)}
	n, err := BlocksToCreate(src.snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	est, err := rehearse(t, src.snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := est.Report
	pl, _ := newPlan(src.snap, nil)
	leading := len(pl.leading)
	if want := r.Blocks + r.Pages + r.Rows + r.Databases + leading; n != want {
		t.Errorf("BlocksToCreate = %d; the rehearsal created %d blocks, %d pages, %d rows, %d databases and %d anchors (%d)",
			n, r.Blocks, r.Pages, r.Rows, r.Databases, leading, want)
	}
	w := FreeLimitWarning(n)
	if n <= FreeBlockLimit || !strings.Contains(w, thousands(n)+" blocks") || !strings.Contains(w, "1,000") || strings.Contains(w, "\n") {
		t.Errorf("%d blocks: warning %q", n, w)
	}
	if w := FreeLimitWarning(FreeBlockLimit); w != "" {
		t.Errorf("%d blocks: warning %q, want none", FreeBlockLimit, w)
	}
	for n, want := range map[int]string{7: "7", 1000: "1,000", 123456: "123,456", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
