package gitrepo

import (
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// commitFiles commits files (path → content; "" deletes) on top of parent.
func commitFiles(t *testing.T, r *Repo, parent plumbing.Hash, msg string, files map[string]string) plumbing.Hash {
	t.Helper()
	b, err := r.NewTreeBuilder(parent)
	if err != nil {
		t.Fatal(err)
	}
	for p, content := range files {
		if content == "" {
			err = b.Delete(p)
		} else {
			err = b.Put(p, []byte(content))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	tree, err := b.Write()
	if err != nil {
		t.Fatal(err)
	}
	var parents []plumbing.Hash
	if !parent.IsZero() {
		parents = []plumbing.Hash{parent}
	}
	c, err := r.Commit(CommitOptions{Tree: tree, Parents: parents, Author: Signature{Name: "a", Email: "a@example.com", When: testWhen}, Message: msg})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHistoryHelpers(t *testing.T) {
	r := newRepo(t, true)
	c1 := commitFiles(t, r, plumbing.ZeroHash, "first\n\nbody", map[string]string{
		"pages/a/page.json": "a1", "pages/a/blocks/x.json": "x1", "pages/b/page.json": "b1", "top.json": "t",
	})
	c2 := commitFiles(t, r, c1, "second", map[string]string{"pages/a/blocks/x.json": "x2", "pages/b/page.json": ""})
	if err := r.UpdateBranch("main", plumbing.ZeroHash, c2); err != nil {
		t.Fatal(err)
	}

	ci, err := r.ReadCommit(c2)
	if err != nil {
		t.Fatal(err)
	}
	if ci.FirstParent() != c1 || ci.Subject() != "second" || !ci.Author.When.Equal(testWhen) {
		t.Errorf("ReadCommit: parent %s, subject %q, when %s", ci.FirstParent(), ci.Subject(), ci.Author.When)
	}
	if first, _ := r.ReadCommit(c1); first.Subject() != "first" || !first.FirstParent().IsZero() {
		t.Errorf("root commit: subject %q, parent %s", first.Subject(), first.FirstParent())
	}

	a1, ok1, err1 := r.TreeHashOf(c1, "pages/a")
	a2, ok2, err2 := r.TreeHashOf(c2, "pages/a/")
	if err1 != nil || err2 != nil || !ok1 || !ok2 || a1 == a2 {
		t.Errorf("TreeHashOf pages/a: %s %v %v, %s %v %v: want two different folders", a1, ok1, err1, a2, ok2, err2)
	}
	if _, ok, err := r.TreeHashOf(c2, "pages/b"); ok || err != nil {
		t.Errorf("TreeHashOf of a removed folder: ok %v, err %v", ok, err)
	}
	if _, ok, _ := r.TreeHashOf(c2, "top.json/below"); ok {
		t.Errorf("TreeHashOf found a path below a file")
	}
	t1, _, _ := r.TreeHashOf(c1, "top.json")
	if t1 != plumbing.ComputeHash(plumbing.BlobObject, []byte("t")) {
		t.Errorf("TreeHashOf of a file is not its blob hash")
	}

	s, err := r.SnapshotOf(c1, []string{"pages/a", "pages/a/page.json", "missing", "top.json"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"pages/a/blocks/x.json", "pages/a/page.json", "top.json"}; !slices.Equal(s.Paths(), want) {
		t.Errorf("SnapshotOf paths %v, want %v", s.Paths(), want)
	}
	if b, err := s.Read("pages/a/blocks/x.json"); err != nil || string(b) != "x1" {
		t.Errorf("SnapshotOf read: %q, %v", b, err)
	}

	changed, err := r.ChangedPaths(c1, c2)
	if want := []string{"pages/a/blocks/x.json", "pages/b/page.json"}; err != nil || !slices.Equal(changed, want) {
		t.Errorf("ChangedPaths: %v, %v; want %v", changed, err, want)
	}
	all, err := r.ChangedPaths(plumbing.ZeroHash, c1)
	if err != nil || len(all) != 4 {
		t.Errorf("ChangedPaths from nothing: %v, %v", all, err)
	}
}
