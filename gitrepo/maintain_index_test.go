package gitrepo

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestMaintainKeepsIndexedObjects: a file the owner staged in the working
// tree (git add) is in no commit, only in .git/index. Once git has packed it
// (git gc, git repack -a: both keep indexed objects), a merge that takes in
// every pack must keep it too, as git does; otherwise the index points at a
// missing blob and git status, git commit and git fsck fail.
func TestMaintainKeepsIndexedObjects(t *testing.T) {
	old := pruneGrace
	pruneGrace = 0
	defer func() { pruneGrace = old }()
	r := newRepo(t, false)
	w := newWorkspace(10)
	syncLike(t, r, w.all(), w.state())
	work := filepath.Dir(r.GitDir())
	runGit(t, work, "checkout", "-f", "main")
	if err := os.WriteFile(filepath.Join(work, "notes.txt"), []byte("staged, not committed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, work, "add", "notes.txt")
	staged := strings.TrimSpace(runGit(t, work, "rev-parse", ":notes.txt"))
	runGit(t, work, "repack", "-a", "-d")
	for i := 1; i < 4; i++ {
		syncLike(t, r, w.edit(2, i), w.state())
	}
	if _, err := r.maintain(true); err != nil {
		t.Fatal(err)
	}
	if _, err := tryGit(work, "cat-file", "-e", staged); err != nil {
		t.Fatalf("the staged blob %s was dropped by the merge", staged)
	}
	runGit(t, work, "fsck", "--strict")
}

// TestIndexObjects reads the objects of indexes git writes in each of its
// forms (versions 2 to 4, long names, a cache tree, a split index) and
// compares them with git ls-files.
func TestIndexObjects(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, "init", "-q")
	long := strings.Repeat("n", 5000)
	for i, name := range []string{"a.txt", "dir/b.txt", "dir/sub/c.txt", long[:200], "x\ny"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(strings.Repeat("content ", i+1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "write-tree") // the cache tree
	want := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(runGit(t, dir, "ls-files", "-s")), "\n") {
		want[strings.Fields(line)[1]] = true
	}
	rootTree := strings.TrimSpace(runGit(t, dir, "write-tree"))
	for _, form := range [][]string{{"--index-version", "2"}, {"--index-version", "3"}, {"--index-version", "4"}, {"--split-index"}} {
		runGit(t, dir, append([]string{"update-index"}, form...)...)
		paths, _ := filepath.Glob(filepath.Join(dir, ".git", "sharedindex.*"))
		paths = append(paths, filepath.Join(dir, ".git", "index"))
		got := map[string]bool{}
		var trees []string
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			blobs, ts, err := indexObjects(b)
			if err != nil {
				t.Fatalf("%v: %s: %v", form, filepath.Base(p), err)
			}
			for _, h := range blobs {
				if !h.IsZero() {
					got[h.String()] = true
				}
			}
			for _, h := range ts {
				trees = append(trees, h.String())
			}
		}
		for h := range want {
			if !got[h] {
				t.Errorf("%v: blob %s of git ls-files not found", form, h)
			}
		}
		if form[0] != "--split-index" && !slices.Contains(trees, rootTree) {
			t.Errorf("%v: the cache tree's root %s not found in %v", form, rootTree, trees)
		}
	}
}

// TestMaintainKeepsWhatASyncReuses: a sync that writes a file whose blob is
// already stored, unreachable (left by a sync that was killed, or a
// discarded checkpoint, in a pack older than the grace), stores nothing and
// relies on that copy. A merge of every pack by another process meanwhile
// (a sync of another branch) must not drop it, or the sync's commit names a
// missing blob. Reusing an object freshens its pack, as git freshens what
// it would have written.
func TestMaintainKeepsWhatASyncReuses(t *testing.T) {
	r := newRepo(t, true)
	w := newWorkspace(10)
	head, _ := syncLike(t, r, w.all(), w.state())
	data := []byte("left by a sync that was killed\n")
	orphan := plumbing.ComputeHash(plumbing.BlobObject, data)
	if err := r.writeBlob(orphan, data); err != nil {
		t.Fatal(err)
	}
	if err := r.flush(); err != nil {
		t.Fatal(err)
	}
	packs, _ := filepath.Glob(filepath.Join(r.GitDir(), "objects", "pack", "*.pack"))
	old := time.Now().Add(-3 * pruneGrace)
	for _, p := range packs {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}

	b, err := r.NewTreeBuilder(head)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Put("pages/again.json", data); err != nil {
		t.Fatal(err)
	}
	other, err := Open(r.GitDir(), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.maintain(true); err != nil {
		t.Fatal(err)
	}
	tree, err := b.Write()
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Commit(CommitOptions{Tree: tree, Parents: parentsOf(head),
		Author: Signature{Name: "notion-git", Email: "sync@example.com", When: testWhen}, Message: "sync"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateBranch("main", head, c); err != nil {
		t.Fatal(err)
	}
	if _, err := tryGit(r.GitDir(), "cat-file", "-e", orphan.String()); err != nil {
		t.Fatalf("the reused blob %s was dropped while the sync relied on it", orphan)
	}
}
