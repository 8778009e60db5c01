package importer

import (
	"testing"
)

// TestRestoreChildPagesEverywhere: pages whose parent is a block (a toggle,
// a column, a synced block, a toggle inside a row) and pages at the top of
// a row come back as pages in place, never as links to the originals. One
// page ("Moved") names another parent than the page holding its child_page
// block, as a sync that raced a move reads it: it is restored once, under
// the parent it names, and the stray block in the other page is left out
// and counted, without moving the blocks after it.
func TestRestoreChildPagesEverywhere(t *testing.T) {
	const (
		root  = "c0000000-0000-4000-8000-000000000001"
		plain = "c1000000-0000-4000-8000-000000000004"
		moved = "c1000000-0000-4000-8000-000000000008"
		end   = "cb000000-0000-4000-8000-000000000105"
	)
	snap, got, rep, _, _ := structureRoundTrip(t, "child-pages.json")
	if len(snap.Pages) != 10 || snap.Pages[root].Blocks[moved] == nil || parentOf(snap.Pages[moved].Object) != plain {
		t.Fatalf("the fixture synced as %d pages, want 10 with page %s named under %s and its block in %s", len(snap.Pages), moved, plain, root)
	}
	if rep.Pages != 9 || rep.Rows != 1 {
		t.Errorf("restored %d pages and %d rows, want 9 and 1", rep.Pages, rep.Rows)
	}
	if n := rep.Substituted[noteStray("child_page")]; n != 1 {
		t.Errorf("%d stray child_page blocks counted, want 1 (%v)", n, rep.Substituted)
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
	if n := count("child_page"); n != 9 {
		t.Errorf("the copy has %d child_page blocks, want 9", n)
	}
	if n := count("link_to_page"); n != 0 {
		t.Errorf("the copy has %d link_to_page blocks, want 0", n)
	}
	newRoot, newPlain, newMoved := rep.IDs[root], rep.IDs[plain], rep.IDs[moved]
	if p := got.Pages[newMoved]; p == nil || parentOf(p.Object) != newPlain {
		t.Errorf("page %s was not restored under %s", moved, plain)
	}
	if kids := got.Pages[newRoot].Children; len(kids) == 0 || kids[len(kids)-1] != rep.IDs[end] {
		t.Errorf("the root's last block is not its last paragraph: %v", kids)
	}
}

func parentOf(obj map[string]any) string {
	par, _ := obj["parent"].(map[string]any)
	t, _ := par["type"].(string)
	id, _ := par[t].(string)
	return id
}
