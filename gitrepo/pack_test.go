package gitrepo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// objectCounts returns the loose objects and the packs in the store.
func objectCounts(t *testing.T, r *Repo) (loose, packs int) {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(r.GitDir(), "objects", "??"))
	for _, d := range dirs {
		ents, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		loose += len(ents)
	}
	idx, _ := filepath.Glob(filepath.Join(r.GitDir(), "objects", "pack", "pack-*.idx"))
	return loose, len(idx)
}

// withPackThreshold lowers the pending pack's size limit for one test.
func withPackThreshold(t *testing.T, n int) {
	old := packThreshold
	packThreshold = n
	t.Cleanup(func() { packThreshold = old })
}

func TestCommitWritesOnePack(t *testing.T) {
	r := newRepo(t, false)
	files := map[string]string{}
	for i := range 50 {
		files[fmt.Sprintf("pages/p%02d/page.json", i)] = fmt.Sprintf("{\"page\": %d}\n", i)
	}
	c1 := commitChange(t, r, files)
	if loose, packs := objectCounts(t, r); loose != 0 || packs != 1 {
		t.Errorf("first commit: %d loose objects, %d packs; want 0 and 1", loose, packs)
	}
	// 50 blobs, 50 page folders, pages/, the root and the commit.
	if n := countObjects(t, r); n != 103 {
		t.Errorf("%d objects, want 103", n)
	}
	c2 := commitChange(t, r, map[string]string{"pages/p07/page.json": "changed\n"})
	if loose, packs := objectCounts(t, r); loose != 0 || packs != 2 {
		t.Errorf("second commit: %d loose objects, %d packs; want 0 and 2", loose, packs)
	}
	// git reads every object of both packs (fsck at cleanup), and so do we.
	if got := runGit(t, r.WorkDir(), "diff", "--name-only", c1.String(), c2.String()); got != "pages/p07/page.json\n" {
		t.Errorf("git diff: %q", got)
	}
	s, err := r.Snapshot(c2)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := s.Read("pages/p07/page.json"); err != nil || string(b) != "changed\n" {
		t.Errorf("Read = %q, %v", b, err)
	}
	// The same content again adds nothing: objects are deduplicated
	// against the packs.
	before := countObjects(t, r)
	b, _ := r.NewTreeBuilder(c2)
	for p, data := range files {
		if err := b.Put(p, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Put("pages/p07/page.json", []byte("changed\n")); err != nil {
		t.Fatal(err)
	}
	if len(r.pending.objects) != 0 {
		t.Errorf("%d stored objects written again", len(r.pending.objects))
	}
	if n := countObjects(t, r); n != before {
		t.Errorf("objects %d -> %d", before, n)
	}
}

func TestPendingObjectsAreReadable(t *testing.T) {
	r := newRepo(t, true)
	c1 := commitChange(t, r, map[string]string{"a/x.json": "x\n"})
	b, _ := r.NewTreeBuilder(c1)
	if err := b.Put("a/y.json", []byte("y\n")); err != nil {
		t.Fatal(err)
	}
	tree, err := b.Write()
	if err != nil {
		t.Fatal(err)
	}
	blob := plumbing.ComputeHash(plumbing.BlobObject, []byte("y\n"))
	for _, h := range []plumbing.Hash{tree, blob} {
		if !r.pending.has(h) || r.store.HasEncodedObject(h) == nil {
			t.Fatalf("%s is not (only) pending", h)
		}
	}
	// A builder on the pending tree, and a diff, read pending trees and blobs.
	base, _ := r.rootTree(c1)
	changes, err := r.diffTrees(base, tree, nil)
	if err != nil || len(changes) != 1 || changes[0].path != "a/y.json" {
		t.Fatalf("diff against a pending tree: %v, %v", changes, err)
	}
	if data, err := r.readBlob(blob); err != nil || string(data) != "y\n" {
		t.Errorf("readBlob(pending) = %q, %v", data, err)
	}
	if _, err := r.readTree(blob); err == nil {
		t.Error("a pending blob was read as a tree")
	}
	// A commit of a pending tree is allowed, and flushes it.
	c2, err := r.Commit(CommitOptions{Tree: tree, Parents: []plumbing.Hash{c1}, Author: Signature{Name: "a", Email: "a@example.com"}, Message: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.pending.objects) != 0 || r.store.HasEncodedObject(c2) != nil || r.store.HasEncodedObject(blob) != nil {
		t.Error("Commit left objects pending")
	}
}

// A sync killed before its commit leaves no trace: the pending objects
// existed only in memory.
func TestInterruptedSyncLeavesRepositoryAlone(t *testing.T) {
	r := newRepo(t, false)
	c1 := commitChange(t, r, map[string]string{"a.json": "a\n", "b/c.json": "c\n"})
	before := countObjects(t, r)

	b, _ := r.NewTreeBuilder(c1)
	b.Put("a.json", []byte("a2\n"))
	b.Put("d/e.json", []byte("e\n"))
	b.DeleteDir("b")
	if _, err := b.Write(); err != nil {
		t.Fatal(err)
	}
	// The process dies here: r is dropped without Commit.

	again, err := Open(r.WorkDir(), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if h, _, _ := again.Head("main"); h != c1 {
		t.Errorf("branch at %s, want %s", h, c1)
	}
	if n := countObjects(t, again); n != before {
		t.Errorf("objects %d -> %d after an interrupted sync", before, n)
	}
	assertClean(t, again)
	// The next sync goes through.
	commitChange(t, again, map[string]string{"a.json": "a2\n"})
	assertClean(t, again)
}

// A pending pack that fills up is written out mid-sync; a kill after that
// leaves unreferenced objects in a pack, which git accepts, and the branch
// where it was.
func TestFlushMidSync(t *testing.T) {
	withPackThreshold(t, 1<<10)
	r := newRepo(t, false)
	files := map[string]string{}
	for i := range 200 {
		files[fmt.Sprintf("pages/p%03d.json", i)] = fmt.Sprintf("{\"page\": %d, \"text\": %q}\n", i, strings.Repeat("z", i))
	}
	c1 := commitChange(t, r, files)
	if _, packs := objectCounts(t, r); packs < 3 {
		t.Errorf("%d packs, want several at a 1 KiB threshold", packs)
	}
	s, err := r.Snapshot(c1)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Paths() {
		if got, err := s.Read(p); err != nil || string(got) != files[p] {
			t.Fatalf("Read(%s) = %q, %v", p, got, err)
		}
	}

	_, before := objectCounts(t, r)
	b, _ := r.NewTreeBuilder(c1)
	for i := range 50 {
		b.Put(fmt.Sprintf("pages/p%03d.json", i), []byte(strings.Repeat("new", 100)+fmt.Sprint(i)))
	}
	if _, after := objectCounts(t, r); after == before {
		t.Fatal("no flush mid-sync")
	}
	// Killed here; an unfinished temporary pack is left behind too.
	tmp := filepath.Join(r.GitDir(), "objects", "pack", "tmp_pack_killed")
	if err := os.WriteFile(tmp, []byte("PACK\x00\x00\x00\x02"), 0o444); err != nil {
		t.Fatal(err)
	}
	again, _ := Open(r.WorkDir(), OpenOptions{})
	if h, _, _ := again.Head("main"); h != c1 {
		t.Errorf("branch at %s, want %s", h, c1)
	}
	assertClean(t, again)
	commitChange(t, again, map[string]string{"pages/p000.json": "done\n"})
	assertClean(t, again)
}
