package importer

import (
	"testing"
)

// TestRestoreChildPagesEverywhere: pages whose parent is a block (a toggle,
// a column, a synced block, a toggle inside a row) and pages at the top of
// a row come back as pages in place, never as links to the originals.
func TestRestoreChildPagesEverywhere(t *testing.T) {
	snap, got, rep, _, _ := structureRoundTrip(t, "child-pages.json")
	if len(snap.Pages) != 9 {
		t.Fatalf("the fixture synced as %d pages, want 9", len(snap.Pages))
	}
	if rep.Pages != 8 || rep.Rows != 1 {
		t.Errorf("restored %d pages and %d rows, want 8 and 1", rep.Pages, rep.Rows)
	}
	count := func(typ string) int {
		n := 0
		for _, p := range got.Pages {
			for _, b := range p.Blocks {
				if b.Object["type"] == typ {
					n++
				}
			}
		}
		return n
	}
	// The copy also holds the target page, with the restored root as its
	// child page.
	if n := count("child_page"); n != 8 {
		t.Errorf("the copy has %d child_page blocks, want 8", n)
	}
	if n := count("link_to_page"); n != 0 {
		t.Errorf("the copy has %d link_to_page blocks, want 0", n)
	}
}
