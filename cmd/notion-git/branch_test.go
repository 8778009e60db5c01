package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator"
)

// TestSyncBranchBesideCheckedOut: --branch naming another branch than the
// checked-out one commits there and leaves the working tree, the index and
// the checked-out branch alone.
func TestSyncBranchBesideCheckedOut(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK) // main, checked out, holds a snapshot
	mainHead := git(t, dir, "rev-parse", "main")
	mainFiles := headTree(t, dir)
	if err := e.SetTitle(onboardingID, "Welcome aboard"); err != nil {
		t.Fatal(err)
	}

	r := e.sync(t, dir, exitOK, "--branch", "backup2")
	if !strings.Contains(r.stdout, "on backup2") {
		t.Errorf("stdout does not name the branch:\n%s", r.stdout)
	}
	if got := strings.TrimSpace(git(t, dir, "symbolic-ref", "--short", "HEAD")); got != "main" {
		t.Errorf("HEAD is on %s, want main", got)
	}
	if git(t, dir, "rev-parse", "main") != mainHead {
		t.Error("main moved")
	}
	if got := git(t, dir, "status", "--porcelain", "--untracked-files=all"); got != "" {
		t.Errorf("the working tree changed:\n%s", got)
	}
	if !strings.Contains(git(t, dir, "ls-tree", "-r", "--name-only", "backup2"), "notion-git.json") {
		t.Error("backup2 holds no snapshot")
	}
	for path, want := range mainFiles {
		if got, err := os.ReadFile(filepath.Join(dir, path)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s of main's working tree changed (%v)", path, err)
		}
	}

	// Again, with a change: a second commit on backup2, the working tree
	// still alone.
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK, "--branch", "backup2")
	if got := strings.TrimSpace(git(t, dir, "rev-list", "--count", "backup2")); got != "2" {
		t.Errorf("backup2 has %s commits, want 2", got)
	}
	if got := git(t, dir, "status", "--porcelain", "--untracked-files=all"); got != "" {
		t.Errorf("the working tree changed:\n%s", got)
	}
}

// TestSyncDefaultsToCheckedOutBranch: without --branch, a sync commits to
// the branch HEAD points at (master here, or a bare repository's trunk), and
// a new repository starts on main.
func TestSyncDefaultsToCheckedOutBranch(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	branches := func(dir string) []string {
		out := strings.Fields(git(t, dir, "for-each-ref", "--format=%(refname:short)", "refs/heads"))
		slices.Sort(out)
		return out
	}

	t.Run("checked-out master", func(t *testing.T) {
		dir := newRepoDir(t)
		git(t, filepath.Dir(dir), "init", "-q", "-b", "master", dir)
		r := e.sync(t, dir, exitOK)
		if !strings.Contains(r.stdout, "on master") {
			t.Errorf("stdout: %s", r.stdout)
		}
		if got := branches(dir); !slices.Equal(got, []string{"master"}) {
			t.Errorf("branches %v, want only master", got)
		}
		if got := git(t, dir, "status", "--porcelain", "--untracked-files=all"); got != "" {
			t.Errorf("the working tree is not the commit:\n%s", got)
		}
	})
	t.Run("bare trunk", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "backup.git")
		git(t, filepath.Dir(dir), "init", "-q", "--bare", "-b", "trunk", dir)
		e.sync(t, dir, exitOK)
		gitFsck(t, dir)
		if got := branches(dir); !slices.Equal(got, []string{"trunk"}) {
			t.Errorf("branches %v, want only trunk", got)
		}
	})
	t.Run("new repository", func(t *testing.T) {
		dir := newRepoDir(t)
		e.sync(t, dir, exitOK)
		if got := branches(dir); !slices.Equal(got, []string{"main"}) {
			t.Errorf("branches %v, want only main", got)
		}
		if got := strings.TrimSpace(git(t, dir, "symbolic-ref", "--short", "HEAD")); got != "main" {
			t.Errorf("HEAD is on %s, want main", got)
		}
	})
	t.Run("detached HEAD", func(t *testing.T) {
		dir := newRepoDir(t)
		e.sync(t, dir, exitOK)
		git(t, dir, "checkout", "-q", "--detach")
		r := e.sync(t, dir, exitError)
		if !strings.Contains(r.stderr, "detached") || !strings.Contains(r.stderr, "--branch") {
			t.Errorf("stderr does not say what to do:\n%s", r.stderr)
		}
	})
}
