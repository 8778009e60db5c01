package gitrepo

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// subtree returns the hash of the folder at path in commit's tree.
func subtree(t *testing.T, r *Repo, commit plumbing.Hash, path string) plumbing.Hash {
	t.Helper()
	h, err := r.rootTree(commit)
	if err != nil {
		t.Fatal(err)
	}
	for _, seg := range strings.Split(path, "/") {
		entries, err := r.treeEntries(h)
		if err != nil {
			t.Fatal(err)
		}
		e, ok := entries[seg]
		if !ok {
			t.Fatalf("%s: no %s", path, seg)
		}
		h = e.Hash
	}
	return h
}

func TestSubtreeReuse(t *testing.T) {
	r := newRepo(t, true)
	files := map[string]string{}
	for p := range 100 {
		for b := range 100 {
			files[fmt.Sprintf("pages/p%03d/blocks/b%03d.json", p, b)] = fmt.Sprintf(`{"page":%d,"block":%d}`+"\n", p, b)
		}
	}
	c1 := commitChange(t, r, files)
	before := countObjects(t, r)

	c2 := commitChange(t, r, map[string]string{"pages/p042/blocks/b007.json": "changed\n"})
	// One blob, the four trees on its path (root, pages, pages/p042,
	// pages/p042/blocks) and the commit: nothing else is written.
	if got := countObjects(t, r) - before; got != 6 {
		t.Errorf("changing one file of 10,000 wrote %d objects, want 6", got)
	}
	for _, sibling := range []string{"pages/p041", "pages/p043", "pages/p099"} {
		if subtree(t, r, c1, sibling) != subtree(t, r, c2, sibling) {
			t.Errorf("%s was rewritten", sibling)
		}
	}
	if subtree(t, r, c1, "pages/p042/blocks") == subtree(t, r, c2, "pages/p042/blocks") {
		t.Error("the changed folder kept its hash")
	}
	if got := runGit(t, r.GitDir(), "diff", "--name-only", c1.String(), c2.String()); got != "pages/p042/blocks/b007.json\n" {
		t.Errorf("git diff: %q", got)
	}
}

func TestIdenticalContentKeepsTreeHash(t *testing.T) {
	r := newRepo(t, true)
	c := commitChange(t, r, map[string]string{"a/x.json": "x\n", "a/y.json": "y\n", "b.json": "b\n"})
	base, _ := r.rootTree(c)
	before := countObjects(t, r)

	b, err := r.NewTreeBuilder(c)
	if err != nil {
		t.Fatal(err)
	}
	for p, data := range map[string]string{"a/x.json": "x\n", "b.json": "b\n"} {
		if err := b.Put(p, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	b.Delete("a/missing.json")
	b.DeleteDir("nowhere")
	got, err := b.Write()
	if err != nil {
		t.Fatal(err)
	}
	if got != base {
		t.Errorf("identical content gave tree %s, want the base %s", got, base)
	}
	if n := countObjects(t, r) - before; n != 0 {
		t.Errorf("identical content wrote %d objects", n)
	}

	// A change and its undoing also end at the base tree.
	b.Put("a/x.json", []byte("other\n"))
	b.Put("a/x.json", []byte("x\n"))
	if got, _ := b.Write(); got != base {
		t.Errorf("change and undo gave %s, want %s", got, base)
	}
}

func TestDeleteDirAndEmptyFoldersCollapse(t *testing.T) {
	r := newRepo(t, true)
	commitChange(t, r, map[string]string{
		"pages/p1/page.json":      "1\n",
		"pages/p1/blocks/b1.json": "b1\n",
		"pages/p1/blocks/b2.json": "b2\n",
		"pages/p2/page.json":      "2\n",
		"deep/er/still/only.json": "o\n",
		"deep/keep.json":          "k\n",
	})
	c := commitChange(t, r, nil, "pages/p1/", "deep/er/still/only.json")
	got := runGit(t, r.GitDir(), "ls-tree", "-r", "-t", "--name-only", c.String())
	want := "deep\ndeep/keep.json\npages\npages/p2\npages/p2/page.json\n"
	if got != want {
		t.Errorf("after DeleteDir:\n%s\nwant:\n%s", got, want)
	}

	// Emptying everything leaves the empty tree, which git accepts.
	c = commitChange(t, r, nil, "pages/", "deep/")
	if got := strings.TrimSpace(runGit(t, r.GitDir(), "rev-parse", c.String()+"^{tree}")); got != emptyTree.String() {
		t.Errorf("empty snapshot tree = %s", got)
	}
	// And the tree grows again from there.
	commitChange(t, r, map[string]string{"pages/p3/page.json": "3\n"})
}

func TestGitSortOrder(t *testing.T) {
	r := newRepo(t, true)
	c := commitChange(t, r, map[string]string{"a.json": "1\n", "a/b": "2\n", "a-b": "3\n", "a0": "4\n"})
	// fsck --strict (at cleanup) rejects a misordered tree; ls-tree shows
	// the stored order.
	if got := runGit(t, r.GitDir(), "ls-tree", "--name-only", c.String()); got != "a-b\na.json\na\na0\n" {
		t.Errorf("tree order:\n%s", got)
	}
	s, err := r.Snapshot(c)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Paths(), " "); got != "a-b a.json a/b a0" {
		t.Errorf("Paths() = %s", got)
	}
}

func TestPutRejectsBadPaths(t *testing.T) {
	r := newRepo(t, true)
	commitChange(t, r, map[string]string{"a/b.json": "1\n"})
	head, _, _ := r.Head("main")
	b, _ := r.NewTreeBuilder(head)
	for _, p := range []string{"", "/a", "a/", "a//b", "./a", "a/../b", ".git/config", "x/.GIT/y", "a\x00b"} {
		if err := b.Put(p, nil); !errors.Is(err, ErrInvalidPath) {
			t.Errorf("Put(%q) err = %v, want ErrInvalidPath", p, err)
		}
	}
	if err := b.Put("a", []byte("x")); !errors.Is(err, ErrPathConflict) {
		t.Errorf("file over folder: err = %v", err)
	}
	if err := b.Put("a/b.json/c", []byte("x")); !errors.Is(err, ErrPathConflict) {
		t.Errorf("folder over file: err = %v", err)
	}
	// Delete of a folder path or DeleteDir of a file path changes nothing.
	b.Delete("a")
	b.DeleteDir("a/b.json")
	tree, _ := b.Write()
	if base, _ := r.rootTree(head); tree != base {
		t.Error("mismatched deletes changed the tree")
	}
}

func TestGitNameLess(t *testing.T) {
	// git's order: a folder sorts as if its name ended with '/'.
	sorted := []struct {
		name string
		dir  bool
	}{{"a", false}, {"a-b", false}, {"a.json", false}, {"a", true}, {"a0", false}, {"ab", true}, {"b", false}}
	for i, x := range sorted {
		for j, y := range sorted {
			if got := gitNameLess(x.name, x.dir, y.name, y.dir); got != (i < j) {
				t.Errorf("gitNameLess(%q dir=%v, %q dir=%v) = %v", x.name, x.dir, y.name, y.dir, got)
			}
		}
	}
}

// TestPairsOfAFolderWrittenAgain: a page written again from scratch, as the
// exporter writes a changed page (DeleteDir, then every file put), records
// the previous version of each file and folder it writes again, as an edit
// in place does; a new file records nothing, and a file deleted then put
// again records the deleted version.
func TestPairsOfAFolderWrittenAgain(t *testing.T) {
	r := newRepo(t, true)
	c1 := commitChange(t, r, map[string]string{
		"pages/p1/page.json": "{\"v\": 1}\n", "pages/p1/README.md": "# one\n",
		"pages/p1/blocks/b1.json": "{\"b\": 1}\n", "pages/p2/page.json": "{\"v\": 2}\n",
		"state.json": "1\n",
	})
	blob := func(p string) plumbing.Hash {
		h, _, ok, err := r.entryAt(c1, p)
		if err != nil || !ok {
			t.Fatalf("%s: %v %v", p, ok, err)
		}
		return h
	}
	b, err := r.NewTreeBuilder(c1)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteDir("pages/p1"); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete("state.json"); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"pages/p1/page.json": "{\"v\": 11}\n", "pages/p1/README.md": "# one, edited\n",
		"pages/p1/blocks/b1.json": "{\"b\": 1}\n", "pages/p1/blocks/b2.json": "{\"b\": 2}\n",
		"state.json": "2\n",
	}
	for p, s := range files {
		if err := b.Put(p, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	tree, err := b.Write()
	if err != nil {
		t.Fatal(err)
	}
	got := map[plumbing.Hash]plumbing.Hash{}
	for _, pr := range r.pending.pairs {
		got[pr.older] = pr.newer
	}
	c2, err := r.Commit(CommitOptions{Tree: tree, Parents: []plumbing.Hash{c1}, Author: Signature{Name: "t", Email: "t@example.com", When: testWhen}, Message: "again"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[plumbing.Hash]plumbing.Hash{}
	for _, p := range []string{"pages/p1/page.json", "pages/p1/README.md", "state.json"} {
		h, _, _, err := r.entryAt(c2, p)
		if err != nil {
			t.Fatal(err)
		}
		want[blob(p)] = h
	}
	for _, p := range []string{"pages", "pages/p1", "pages/p1/blocks"} {
		want[subtree(t, r, c1, p)] = subtree(t, r, c2, p)
	}
	t1, _ := r.rootTree(c1)
	want[t1] = tree
	if len(got) != len(want) {
		t.Errorf("%d pairs recorded, want %d", len(got), len(want))
	}
	for older, newer := range want {
		if got[older] != newer {
			t.Errorf("previous version %s: pair with %s, want %s", older, got[older], newer)
		}
	}
	if err := r.UpdateBranch("main", c1, c2); err != nil {
		t.Fatal(err)
	}
}
