package gitrepo

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

func readWork(t *testing.T, r *Repo, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.WorkDir(), filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func assertClean(t *testing.T, r *Repo) {
	t.Helper()
	if got := runGit(t, r.WorkDir(), "status", "--porcelain", "--untracked-files=all"); got != "" {
		t.Errorf("git status --porcelain:\n%s", got)
	}
}

func TestRefreshWorktree(t *testing.T) {
	r := newRepo(t, false)
	// The first commit of a fresh repository writes every file and the index.
	commitChange(t, r, map[string]string{
		"notion-git.json":         "{}\n",
		"pages/p1/page.json":      "p1\n",
		"pages/p1/blocks/b1.json": "b1\n",
		"pages/p2/page.json":      "p2\n",
		"pages/p2/blocks/b2.json": "b2\n",
		"users/u1.json":           "u1\n",
	})
	assertClean(t, r)
	if got := readWork(t, r, "pages/p1/blocks/b1.json"); got != "b1\n" {
		t.Errorf("b1 = %q", got)
	}

	// Age an unchanged file: a refresh that rewrote it would reset its mtime.
	untouched := filepath.Join(r.WorkDir(), "users", "u1.json")
	past := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(untouched, past, past); err != nil {
		t.Fatal(err)
	}
	runGit(t, r.WorkDir(), "update-index", "--refresh")

	// Add, change and delete files, and a whole folder.
	commitChange(t, r, map[string]string{
		"pages/p1/blocks/b1.json": "b1 v2\n",
		"pages/p3/page.json":      "p3\n",
		"notion-git.json":         `{"v":2}` + "\n",
	}, "pages/p2/")
	assertClean(t, r)
	if got := readWork(t, r, "pages/p1/blocks/b1.json"); got != "b1 v2\n" {
		t.Errorf("changed file = %q", got)
	}
	if got := readWork(t, r, "pages/p3/page.json"); got != "p3\n" {
		t.Errorf("added file = %q", got)
	}
	if _, err := os.Stat(filepath.Join(r.WorkDir(), "pages", "p2")); !os.IsNotExist(err) {
		t.Errorf("deleted folder still on disk: %v", err)
	}
	if fi, err := os.Stat(untouched); err != nil || !fi.ModTime().Equal(past) {
		t.Errorf("unchanged file was rewritten: mtime %v, want %v (%v)", fi.ModTime(), past, err)
	}
	if got := runGit(t, r.WorkDir(), "ls-files"); got != "notion-git.json\npages/p1/blocks/b1.json\npages/p1/page.json\npages/p3/page.json\nusers/u1.json\n" {
		t.Errorf("index:\n%s", got)
	}
	// The git CLI can go on from the refreshed index.
	runGit(t, r.WorkDir(), "commit", "--allow-empty", "-m", "by hand")
	assertClean(t, r)
}

func TestRefreshRefusesLocalChanges(t *testing.T) {
	r := newRepo(t, false)
	c1 := commitChange(t, r, map[string]string{"a.json": "a\n", "b.json": "b\n", "c/d.json": "d\n"})
	if err := os.WriteFile(filepath.Join(r.WorkDir(), "b.json"), []byte("edited by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	indexBefore, _ := os.ReadFile(filepath.Join(r.GitDir(), "index"))

	b, _ := r.NewTreeBuilder(c1)
	b.Put("a.json", []byte("a2\n"))
	b.Put("b.json", []byte("b2\n"))
	b.Delete("c/d.json")
	tree, _ := b.Write()
	c2, _ := r.Commit(CommitOptions{Tree: tree, Parents: []plumbing.Hash{c1}, Author: Signature{Name: "a", Email: "a@example.com"}, Message: "m"})

	err := r.CheckWorktree(c1, c2, nil)
	if !errors.Is(err, ErrLocalChanges) || !strings.Contains(err.Error(), "b.json") {
		t.Errorf("CheckWorktree err = %v, want ErrLocalChanges naming b.json", err)
	}
	if err := r.UpdateBranch("main", c1, c2); err != nil {
		t.Fatal(err)
	}
	err = r.RefreshWorktree(c1, c2, nil)
	if !errors.Is(err, ErrLocalChanges) || !strings.Contains(err.Error(), "b.json") || strings.Contains(err.Error(), "a.json") {
		t.Errorf("RefreshWorktree err = %v, want ErrLocalChanges naming b.json only", err)
	}
	// Nothing was touched: not the other changed file, not the deleted
	// one, not the local edit, not the index.
	if got := readWork(t, r, "a.json"); got != "a\n" {
		t.Errorf("a.json = %q", got)
	}
	if got := readWork(t, r, "c/d.json"); got != "d\n" {
		t.Errorf("c/d.json = %q", got)
	}
	if got := readWork(t, r, "b.json"); got != "edited by hand\n" {
		t.Errorf("b.json = %q", got)
	}
	if indexAfter, _ := os.ReadFile(filepath.Join(r.GitDir(), "index")); !bytes.Equal(indexBefore, indexAfter) {
		t.Error("the index changed")
	}

	// A change staged in the index blocks the refresh too.
	os.WriteFile(filepath.Join(r.WorkDir(), "b.json"), []byte("b\n"), 0o644)
	os.WriteFile(filepath.Join(r.WorkDir(), "a.json"), []byte("staged\n"), 0o644)
	runGit(t, r.WorkDir(), "add", "a.json")
	os.WriteFile(filepath.Join(r.WorkDir(), "a.json"), []byte("a\n"), 0o644)
	if err := r.RefreshWorktree(c1, c2, nil); !errors.Is(err, ErrLocalChanges) || !strings.Contains(err.Error(), "a.json") {
		t.Errorf("staged change: err = %v", err)
	}
	runGit(t, r.WorkDir(), "reset", "-q", c1.String())

	// An untracked file where the new tree puts one blocks it as well.
	b.Put("new.json", []byte("new\n"))
	tree, _ = b.Write()
	c3, _ := r.Commit(CommitOptions{Tree: tree, Parents: []plumbing.Hash{c1}, Author: Signature{Name: "a", Email: "a@example.com"}, Message: "m"})
	os.WriteFile(filepath.Join(r.WorkDir(), "new.json"), []byte("mine\n"), 0o644)
	if err := r.CheckWorktree(c1, c3, nil); !errors.Is(err, ErrLocalChanges) || !strings.Contains(err.Error(), "new.json") {
		t.Errorf("untracked file: err = %v", err)
	}
	os.Remove(filepath.Join(r.WorkDir(), "new.json"))

	// Once the edit is gone, the refresh goes through.
	if err := r.RefreshWorktree(c1, c2, nil); err != nil {
		t.Fatal(err)
	}
	runGit(t, r.WorkDir(), "reset", "-q", "--hard", "main")
	assertClean(t, r)
}

func TestRefreshWithHint(t *testing.T) {
	r := newRepo(t, false)
	c1 := commitChange(t, r, map[string]string{"a/x.json": "x\n", "b/y.json": "y\n", "c.json": "c\n"})
	b, _ := r.NewTreeBuilder(c1)
	b.Put("a/x.json", []byte("x2\n"))
	b.DeleteDir("b")
	b.Put("c.json", []byte("c2\n"))
	tree, _ := b.Write()
	c2, _ := r.Commit(CommitOptions{Tree: tree, Parents: []plumbing.Hash{c1}, Author: Signature{Name: "a", Email: "a@example.com"}, Message: "m"})
	if err := r.UpdateBranch("main", c1, c2); err != nil {
		t.Fatal(err)
	}
	if err := r.RefreshWorktree(c1, c2, []string{"a/x.json", "b/"}); err != nil {
		t.Fatal(err)
	}
	// c.json was not in the hint: left alone, in the index too, so git
	// sees the old content staged against the new HEAD.
	if got := readWork(t, r, "c.json"); got != "c\n" {
		t.Errorf("c.json outside the hint = %q", got)
	}
	if got := runGit(t, r.WorkDir(), "status", "--porcelain"); got != "M  c.json\n" {
		t.Errorf("status: %q", got)
	}
}

func TestRefreshSkipsOtherBranch(t *testing.T) {
	r := newRepo(t, false)
	c1 := commitChange(t, r, map[string]string{"a.json": "a\n"})
	c2 := newCommit(t, r, c1, "other")
	if err := r.UpdateBranch("other", plumbing.ZeroHash, c2); err != nil {
		t.Fatal(err)
	}
	if err := r.RefreshWorktree(c1, c2, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r.WorkDir(), "f.json")); !os.IsNotExist(err) {
		t.Error("refreshed the worktree for a branch that is not checked out")
	}
	assertClean(t, r)
}

// A file in the way of a folder the new tree adds is refused before
// anything changes, unless the refresh deletes that file itself.
func TestRefreshFileInTheWayOfFolder(t *testing.T) {
	r := newRepo(t, false)
	c1 := commitChange(t, r, map[string]string{"a.json": "a\n"})
	b, _ := r.NewTreeBuilder(c1)
	b.Put("x/y.json", []byte("y\n"))
	b.Put("a.json", []byte("a2\n"))
	tree, _ := b.Write()
	c2, err := r.Commit(CommitOptions{Tree: tree, Parents: []plumbing.Hash{c1}, Author: Signature{Name: "a", Email: "a@example.com"}, Message: "m"})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(r.WorkDir(), "x"), []byte("mine\n"), 0o644)
	if err := r.CheckWorktree(c1, c2, nil); !errors.Is(err, ErrLocalChanges) || !strings.Contains(err.Error(), "x/y.json") {
		t.Errorf("untracked file in the way: err = %v", err)
	}
	os.Remove(filepath.Join(r.WorkDir(), "x"))
	if err := r.UpdateBranch("main", c1, c2); err != nil {
		t.Fatal(err)
	}
	if err := r.RefreshWorktree(c1, c2, nil); err != nil {
		t.Fatal(err)
	}
	assertClean(t, r)
}

// TestPrepareRefreshThenApply: a refresh planned and checked before the
// branch moves is applied after it, and a local edit is refused while the
// branch still stands where it was.
func TestPrepareRefreshThenApply(t *testing.T) {
	r := newRepo(t, false)
	first := commitChange(t, r, map[string]string{"a.json": "a\n", "b/c.json": "c\n"})
	build := func(content string) plumbing.Hash {
		b, err := r.NewTreeBuilder(first)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Put("b/c.json", []byte(content)); err != nil {
			t.Fatal(err)
		}
		tree, err := b.Write()
		if err != nil {
			t.Fatal(err)
		}
		c, err := r.Commit(CommitOptions{Tree: tree, Parents: []plumbing.Hash{first}, Message: "next",
			Author: Signature{Name: "t", Email: "t@localhost"}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	next := build("c v2\n")
	refresh, err := r.PrepareRefresh("main", first, next, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateBranch("main", first, next); err != nil {
		t.Fatal(err)
	}
	if err := refresh.Apply(); err != nil {
		t.Fatal(err)
	}
	if got := readWork(t, r, "b/c.json"); got != "c v2\n" {
		t.Fatalf("b/c.json = %q", got)
	}
	assertClean(t, r)

	// A local edit to a file the next commit changes is refused up front.
	if err := os.WriteFile(filepath.Join(r.WorkDir(), "b", "c.json"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := build("c v3\n")
	if _, err := r.PrepareRefresh("main", next, other, nil); !errors.Is(err, ErrLocalChanges) {
		t.Fatalf("err = %v, want ErrLocalChanges", err)
	}
	if tip, _, _ := r.Head("main"); tip != next {
		t.Fatal("the branch moved")
	}
}
