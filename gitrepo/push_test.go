package gitrepo

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func TestPushToLocalRemote(t *testing.T) {
	remote := newRepo(t, true)
	r := newRepo(t, false)
	runGit(t, r.WorkDir(), "remote", "add", "origin", remote.GitDir())
	c1 := commitChange(t, r, map[string]string{"a.json": "1\n"})
	if err := r.Push(context.Background(), "origin", "main", nil); err != nil {
		t.Fatal(err)
	}
	c2 := commitChange(t, r, map[string]string{"a.json": "2\n"})
	if err := r.Push(context.Background(), "origin", "main", nil); err != nil {
		t.Fatal(err)
	}
	if err := r.Push(context.Background(), "origin", "main", nil); err != nil {
		t.Errorf("push with nothing new: %v", err)
	}
	if got := runGit(t, remote.GitDir(), "log", "--format=%H", "main"); got != c2.String()+"\n"+c1.String()+"\n" {
		t.Errorf("remote log: %q", got)
	}
	// A remote that moved on is not overwritten.
	other := newCommit(t, remote, c2, "theirs")
	if err := remote.UpdateBranch("main", c2, other); err != nil {
		t.Fatal(err)
	}
	commitChange(t, r, map[string]string{"a.json": "3\n"})
	if err := r.Push(context.Background(), "origin", "main", nil); err == nil || !strings.Contains(err.Error(), "push main to origin") {
		t.Errorf("non-fast-forward push: err = %v", err)
	}
}

// TestPushRefsCompareAndSwap: each update names the value it replaces on
// the remote; a stale one is refused with ErrRemoteMoved and nothing is
// overwritten, another one in the same push goes through, and a fetch
// brings back what the remote holds.
func TestPushRefsCompareAndSwap(t *testing.T) {
	ctx := context.Background()
	remote := newRepo(t, true)
	r := newRepo(t, false)
	m, err := ParseRemoteURL(remote.GitDir())
	if err != nil {
		t.Fatal(err)
	}
	c1 := commitChange(t, r, map[string]string{"a.json": "1\n"})
	up := []*RefUpdate{{Name: "refs/heads/main", New: c1}, {Name: "refs/notion-git/checkpoints/main", New: c1}}
	if err := r.PushRefs(ctx, m, nil, up); err != nil || up[0].Err != nil || up[1].Err != nil {
		t.Fatalf("first push: %v, %v, %v", err, up[0].Err, up[1].Err)
	}
	c2 := commitChange(t, r, map[string]string{"a.json": "2\n", "b/c.json": "3\n"})
	// Stale: the remote's main is c1, not zero.
	stale := []*RefUpdate{{Name: "refs/heads/main", New: c2}, {Name: "refs/notion-git/checkpoints/main", Old: c1}}
	if err := r.PushRefs(ctx, m, nil, stale); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(stale[0].Err, ErrRemoteMoved) || stale[1].Err != nil {
		t.Errorf("stale update: %v; delete: %v", stale[0].Err, stale[1].Err)
	}
	if got := strings.TrimSpace(runGit(t, remote.GitDir(), "rev-parse", "main")); got != c1.String() {
		t.Errorf("remote main %s, want %s", got, c1)
	}
	if _, err := tryGit(remote.GitDir(), "rev-parse", "--verify", "-q", "refs/notion-git/checkpoints/main"); err == nil {
		t.Error("the checkpoint ref was not deleted")
	}
	ok := []*RefUpdate{{Name: "refs/heads/main", Old: c1, New: c2}}
	if err := r.PushRefs(ctx, m, nil, ok); err != nil || ok[0].Err != nil {
		t.Fatalf("push: %v, %v", err, ok[0].Err)
	}
	fsck(t, remote.GitDir())

	other := newRepo(t, true)
	got, err := other.Fetch(ctx, m, nil, []string{"refs/heads/main", "refs/heads/none"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got["refs/heads/main"] != c2 || len(got) != 1 {
		t.Errorf("fetch: %v", got)
	}
	if ok, err := other.IsAncestor(c1, c2); err != nil || !ok {
		t.Errorf("IsAncestor(c1, c2) = %v, %v after the fetch", ok, err)
	}
	if err := other.UpdateBranch("main", plumbing.ZeroHash, c2); err != nil {
		t.Fatal(err)
	}
	fsck(t, other.GitDir())
}
