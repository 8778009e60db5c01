package gitrepo

import (
	"context"
	"strings"
	"testing"
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
