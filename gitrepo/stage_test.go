package gitrepo

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// firstCommit builds the first commit of main from puts (in order, a later
// put of a path replacing the earlier), with the checkout staged, and
// returns it with the refresh prepared for it.
func firstCommit(t *testing.T, r *Repo, puts [][2]string) (plumbing.Hash, *Refresh) {
	t.Helper()
	b, err := r.NewTreeBuilder(plumbing.ZeroHash)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.StageCheckout("main"); err != nil {
		t.Fatal(err)
	}
	for _, p := range puts {
		if err := b.Put(p[0], []byte(p[1])); err != nil {
			t.Fatal(err)
		}
	}
	tree, err := b.Write()
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Commit(CommitOptions{Tree: tree, Message: "sync",
		Author: Signature{Name: "notion-git", Email: "sync@example.com", When: testWhen}})
	if err != nil {
		t.Fatal(err)
	}
	refresh, err := r.PrepareRefresh("main", plumbing.ZeroHash, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := refresh.MoveBranch(); err != nil {
		t.Fatal(err)
	}
	return c, refresh
}

func stageLeft(t *testing.T, r *Repo) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(r.GitDir(), checkoutStageDir))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "checkout-") {
			names = append(names, e.Name())
		}
	}
	return names
}

// TestFirstCheckoutNeedsNoPack: the checkout of a first sync moves into the
// working tree the files staged as they were written; it reads nothing back
// from the packs (here moved away while it runs), and leaves a clean
// working tree and no stage behind.
func TestFirstCheckoutNeedsNoPack(t *testing.T) {
	r := newRepo(t, false)
	_, refresh := firstCommit(t, r, [][2]string{
		{"notion-git.json", "{}\n"},
		{"pages/p1/page.json", "p1 draft\n"},
		{"pages/p1/page.json", "p1\n"}, // written again: the last version counts
		{"pages/p1/blocks/b1.json", "b1\n"},
		{"users/u1.json", "u1\n"},
	})
	// Every pack's objects are zeroed while the checkout runs (in place:
	// a reader may hold the file open), and put back after.
	packs, err := filepath.Glob(filepath.Join(r.GitDir(), "objects", "pack", "*.pack"))
	if err != nil || len(packs) == 0 {
		t.Fatalf("no pack written (%v)", err)
	}
	saved := map[string][]byte{}
	for _, p := range packs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		saved[p] = b
		zeroed := slices.Clone(b)
		clear(zeroed[12 : len(zeroed)-20])
		if err := os.WriteFile(p, zeroed, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	err = refresh.Apply()
	for p, b := range saved {
		if werr := os.WriteFile(p, b, 0o444); werr != nil {
			t.Fatal(werr)
		}
	}
	if err != nil {
		t.Fatalf("the checkout needed the packs: %v", err)
	}
	for path, want := range map[string]string{"notion-git.json": "{}\n", "pages/p1/page.json": "p1\n",
		"pages/p1/blocks/b1.json": "b1\n", "users/u1.json": "u1\n"} {
		if got := readWork(t, r, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	assertClean(t, r)
	if left := stageLeft(t, r); len(left) > 0 {
		t.Errorf("the stage is left in the git directory: %v", left)
	}
}

// TestFirstCheckoutFallsBackToThePacks: a file the stage cannot give (the
// same content at two paths, one staged file gone) is read from the packs.
func TestFirstCheckoutFallsBackToThePacks(t *testing.T) {
	r := newRepo(t, false)
	_, refresh := firstCommit(t, r, [][2]string{
		{"a.json", "same\n"},
		{"b/a.json", "same\n"},
		{"c.json", "c\n"},
	})
	if err := os.Remove(r.stage.path(plumbing.ComputeHash(plumbing.BlobObject, []byte("c\n")))); err != nil {
		t.Fatal(err)
	}
	if err := refresh.Apply(); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"a.json": "same\n", "b/a.json": "same\n", "c.json": "c\n"} {
		if got := readWork(t, r, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	assertClean(t, r)
}

// TestStageOnlyForAFirstCheckout: a bare repository, a branch that has
// commits, or a branch that is not checked out get no stage.
func TestStageOnlyForAFirstCheckout(t *testing.T) {
	bare := newRepo(t, true)
	b, err := bare.NewTreeBuilder(plumbing.ZeroHash)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.StageCheckout("main"); err != nil || bare.stage != nil {
		t.Errorf("a bare repository: stage %v, err %v", bare.stage, err)
	}

	r := newRepo(t, false)
	b, err = r.NewTreeBuilder(plumbing.ZeroHash)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.StageCheckout("other"); err != nil || r.stage != nil {
		t.Errorf("a branch not checked out: stage %v, err %v", r.stage, err)
	}
	first := commitChange(t, r, map[string]string{"a.json": "a\n"})
	b, err = r.NewTreeBuilder(first)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.StageCheckout("main"); err != nil || r.stage != nil {
		t.Errorf("a branch with a commit: stage %v, err %v", r.stage, err)
	}
}

// TestRemoveStaleFilesRemovesEndedStages: the stage of a sync killed before
// its checkout goes with the next run's repair; a running one's stays.
func TestRemoveStaleFilesRemovesEndedStages(t *testing.T) {
	r := newRepo(t, false)
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no process to outlive:", err)
	}
	dead := cmd.Process.Pid
	for _, pid := range []int{dead, os.Getppid()} {
		dir := stageDirOf(r.GitDir(), pid)
		if err := os.MkdirAll(filepath.Join(dir, "ab"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "ab", "cdef"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.RemoveStaleFiles(); err != nil {
		t.Fatal(err)
	}
	left := stageLeft(t, r)
	if len(left) != 1 || left[0] != "checkout-"+strconv.Itoa(os.Getppid()) {
		t.Fatalf("stages left: %v, want only the running process's", left)
	}
	os.RemoveAll(stageDirOf(r.GitDir(), os.Getppid()))
}
