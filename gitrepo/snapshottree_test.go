package gitrepo

import (
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestSnapshotOfTree: a tree written but not committed reads as the commit
// of it would, limited to the paths asked for; zero is the empty tree.
func TestSnapshotOfTree(t *testing.T) {
	r := newRepo(t, true)
	c := commitFiles(t, r, plumbing.ZeroHash, "first", map[string]string{"pages/a/page.json": "a", "pages/b/page.json": "b", "top.json": "t"})
	b, err := r.NewTreeBuilder(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Put("pages/a/page.json", []byte("a2")); err != nil {
		t.Fatal(err)
	}
	tree, err := b.Write()
	if err != nil {
		t.Fatal(err)
	}
	s, err := r.SnapshotOfTree(tree, []string{"pages/a", "top.json", "missing"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Paths(); !slices.Equal(got, []string{"pages/a/page.json", "top.json"}) || !s.Commit().IsZero() || s.TreeHash() != tree {
		t.Errorf("paths %v, commit %s, tree %s", got, s.Commit(), s.TreeHash())
	}
	if data, err := s.Read("pages/a/page.json"); err != nil || string(data) != "a2" {
		t.Errorf("read %q, %v", data, err)
	}
	empty, err := r.SnapshotOfTree(plumbing.ZeroHash, []string{""})
	if err != nil || empty.Len() != 0 {
		t.Errorf("the zero tree: %d paths, %v", empty.Len(), err)
	}
}
