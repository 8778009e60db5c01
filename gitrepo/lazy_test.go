package gitrepo

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestLazySnapshotAnswersAsSnapshot checks that a lazy snapshot answers
// every lookup as the eager one does, and that it reads only the folders a
// lookup passes through: a question about one page of many reads the root,
// pages/ and that page's folders, not the other pages'.
func TestLazySnapshotAnswersAsSnapshot(t *testing.T) {
	r := newRepo(t, true)
	files := map[string]string{"a.b": "1", "a-b": "2", "a0": "3", "a/c": "4", "a/b/d": "5", "a/b-c": "7", "z": "6"}
	for i := range 60 {
		files[fmt.Sprintf("pages/%03d/blocks/%d.json", i%12, i)] = fmt.Sprint(i)
		files[fmt.Sprintf("pages/%03d/page.json", i%12)] = fmt.Sprint(i % 12)
	}
	c := commitFiles(t, r, plumbing.ZeroHash, "files", files)
	eager, err := r.Snapshot(c)
	if err != nil {
		t.Fatal(err)
	}
	lazy, err := r.LazySnapshot(c)
	if err != nil {
		t.Fatal(err)
	}
	if !lazy.Has("pages/004/page.json") || lazy.Has("pages/004/blocks") {
		t.Fatal("lazy lookups in pages/004 are wrong")
	}
	if got := lazy.TreeReads(); got != 3 {
		t.Errorf("a lookup of one page.json read %d trees, want 3 (root, pages, the page)", got)
	}
	if !lazy.HasDir("pages/007") || lazy.HasDir("pages/012") || lazy.HasDir("a.b") || !eager.HasDir("pages/007/") || eager.HasDir("pages/012") {
		t.Error("HasDir is wrong")
	}
	if got := lazy.TreeReads(); got != 3 {
		t.Errorf("HasDir read a page's folder: %d trees read, want 3", got)
	}
	if got, want := lazy.PathsUnder("pages/004/"), eager.PathsUnder("pages/004/"); !slices.Equal(got, want) {
		t.Errorf("PathsUnder(pages/004/) = %v, want %v", got, want)
	}
	if got := lazy.TreeReads(); got != 4 {
		t.Errorf("listing one page's files read %d trees in all, want 4", got)
	}
	for _, dir := range []string{"a", "a/", "a/b/", "pages/", "pages/011", "nothing/", "z/", ""} {
		if got, want := lazy.PathsUnder(dir), eager.PathsUnder(dir); !slices.Equal(got, want) {
			t.Errorf("PathsUnder(%q) = %v, want %v", dir, got, want)
		}
	}
	// Concurrent readers, as the crawl's are.
	var wg sync.WaitGroup
	for p, content := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if b, err := lazy.Read(p); err != nil || string(b) != content || !lazy.Same(p, []byte(content)) {
				t.Errorf("%s: read %q, %v", p, b, err)
			}
		}()
	}
	wg.Wait()
	for _, p := range []string{"a", "a/", "a/b", "pages/000", "", "zz", "0", "pages/000/blocks/"} {
		if lazy.Has(p) {
			t.Errorf("%q is not a file but was found", p)
		}
		if _, err := lazy.Read(p); err == nil {
			t.Errorf("%q is not a file but was read", p)
		}
	}
	if !slices.Equal(lazy.Paths(), eager.Paths()) || lazy.Len() != eager.Len() {
		t.Fatalf("lazy paths %v, want %v", lazy.Paths(), eager.Paths())
	}
	// After the full list, lookups answer from it.
	for p := range files {
		if !lazy.Has(p) {
			t.Errorf("%s not found after Paths", p)
		}
	}
	if lazy.TreeHash() != eager.TreeHash() || lazy.Commit() != c {
		t.Error("lazy snapshot has another tree or commit")
	}
}
