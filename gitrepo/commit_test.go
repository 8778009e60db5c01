package gitrepo

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// newCommit writes a commit of one file on top of parent without moving any branch.
func newCommit(t *testing.T, r *Repo, parent plumbing.Hash, content string) plumbing.Hash {
	t.Helper()
	b, err := r.NewTreeBuilder(parent)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Put("f.json", []byte(content)); err != nil {
		t.Fatal(err)
	}
	tree, err := b.Write()
	if err != nil {
		t.Fatal(err)
	}
	var parents []plumbing.Hash
	if !parent.IsZero() {
		parents = []plumbing.Hash{parent}
	}
	c, err := r.Commit(CommitOptions{Tree: tree, Parents: parents, Author: Signature{Name: "a", Email: "a@example.com"}, Message: content})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestUpdateBranchCompareAndSet(t *testing.T) {
	r := newRepo(t, true)
	c1 := newCommit(t, r, plumbing.ZeroHash, "1")
	c2 := newCommit(t, r, c1, "2")
	theirs := newCommit(t, r, c1, "theirs")

	if err := r.UpdateBranch("main", plumbing.ZeroHash, c1); err != nil {
		t.Fatalf("create branch: %v", err)
	}
	if err := r.UpdateBranch("main", plumbing.ZeroHash, c2); !errors.Is(err, ErrRefChanged) {
		t.Errorf("create over an existing branch: err = %v, want ErrRefChanged", err)
	}
	// Someone else moves the branch between our read and our update.
	if err := r.UpdateBranch("main", c1, theirs); err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateBranch("main", c1, c2); !errors.Is(err, ErrRefChanged) {
		t.Errorf("stale old: err = %v, want ErrRefChanged", err)
	}
	if h, _, _ := r.Head("main"); h != theirs {
		t.Errorf("branch at %s after a failed update, want %s", h, theirs)
	}
	if err := r.UpdateBranch("other", c1, c2); !errors.Is(err, ErrRefChanged) {
		t.Errorf("missing branch with non-zero old: err = %v", err)
	}

	// A packed ref (after git gc or pack-refs) is compared too, and a
	// failed update leaves no empty loose ref file behind.
	runGit(t, r.GitDir(), "pack-refs", "--all")
	if err := r.UpdateBranch("main", c1, c2); !errors.Is(err, ErrRefChanged) {
		t.Errorf("packed ref, stale old: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(r.GitDir(), "refs", "heads", "main")); err == nil {
		t.Error("a failed update left a loose ref file")
	}
	if err := r.UpdateBranch("main", theirs, c2); err != nil {
		t.Errorf("packed ref, right old: %v", err)
	}
	if got := strings.TrimSpace(runGit(t, r.GitDir(), "rev-parse", "main")); got != c2.String() {
		t.Errorf("git sees main at %s, want %s", got, c2)
	}
}

func TestUpdateBranchRefusesMissingCommit(t *testing.T) {
	r := newRepo(t, true)
	missing := plumbing.NewHash("0123456789012345678901234567890123456789")
	if err := r.UpdateBranch("main", plumbing.ZeroHash, missing); err == nil {
		t.Error("moved a branch to a commit that is not stored")
	}
	if _, err := r.Commit(CommitOptions{Tree: missing, Author: Signature{Name: "a", Email: "a@example.com"}, Message: "m"}); err == nil {
		t.Error("committed a tree that is not stored")
	}
}

func TestCommitFields(t *testing.T) {
	r := newRepo(t, true)
	c1 := newCommit(t, r, plumbing.ZeroHash, "1")
	b, _ := r.NewTreeBuilder(c1)
	tree, _ := b.Write()
	c, err := r.Commit(CommitOptions{
		Tree: tree, Parents: []plumbing.Hash{c1},
		Author:    Signature{Name: "Author", Email: "author@example.com", When: testWhen},
		Committer: Signature{Name: "Bot", Email: "bot@example.com", When: testWhen.Add(3600e9)},
		Message:   "Sync 3 pages",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := runGit(t, r.GitDir(), "show", "-s", "--format=%an <%ae> %at|%cn <%ce> %ct|%P|%B", c.String())
	want := "Author <author@example.com> 1756900800|Bot <bot@example.com> 1756904400|" + c1.String() + "|Sync 3 pages\n\n"
	if got != want {
		t.Errorf("commit:\n%q\nwant\n%q", got, want)
	}
}

func TestRefOutsideBranchesCompareAndSetAndDelete(t *testing.T) {
	r := newRepo(t, true)
	c1 := newCommit(t, r, plumbing.ZeroHash, "1")
	c2 := newCommit(t, r, c1, "2")
	const name = "refs/notion-git/checkpoints/main"

	if h, err := r.Ref(name); err != nil || !h.IsZero() {
		t.Fatalf("missing ref: %s, %v", h, err)
	}
	if err := r.UpdateRef(name, plumbing.ZeroHash, c1); err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateRef(name, plumbing.ZeroHash, c2); !errors.Is(err, ErrRefChanged) {
		t.Errorf("create over an existing ref: err = %v, want ErrRefChanged", err)
	}
	if err := r.UpdateRef(name, c1, c2); err != nil {
		t.Fatal(err)
	}
	if h, _ := r.Ref(name); h != c2 {
		t.Errorf("ref at %s, want %s", h, c2)
	}
	if err := r.DeleteRef(name, c1); !errors.Is(err, ErrRefChanged) {
		t.Errorf("delete with a stale old: err = %v, want ErrRefChanged", err)
	}
	if err := r.DeleteRef(name, c2); err != nil {
		t.Fatal(err)
	}
	if h, _ := r.Ref(name); !h.IsZero() {
		t.Errorf("deleted ref still at %s", h)
	}
	if err := r.DeleteRef(name, c2); err != nil {
		t.Errorf("delete a missing ref: %v", err)
	}
	for _, bad := range []string{"main", "refs/", "refs/a/../b", "refs/a b", "refs/.x", "refs/a.lock"} {
		if err := r.UpdateRef(bad, plumbing.ZeroHash, c1); err == nil {
			t.Errorf("UpdateRef(%q) accepted", bad)
		}
	}
}
