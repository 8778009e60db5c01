package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// failAt is a failpoint hook for a sync: at the nth call of point it kills
// the run (the goroutine reports and then blocks for good, so nothing after
// the point runs, as with kill -9) or fails it with ENOSPC, as a full disk
// would.
type failAt struct {
	point   gitrepo.Failpoint
	n       int
	kill    bool
	seen    int
	reached chan struct{}
}

func (f *failAt) hook(p gitrepo.Failpoint) error {
	if p != f.point {
		return nil
	}
	f.seen++
	if f.seen != f.n {
		return nil
	}
	close(f.reached)
	if f.kill {
		select {}
	}
	return fmt.Errorf("injected: %w", syscall.ENOSPC)
}

// syncStopped runs a sync with f's hook and returns its result, or, if f
// killed it, a result with code -1.
func (e *localNotion) syncStopped(dir string, f *failAt, extra ...string) result {
	done := make(chan result, 1)
	go func() {
		var stdout, stderr bytes.Buffer
		code := runPrepared(context.Background(), e.syncArgs(dir, extra...), &stdout, &stderr, func(c *CLI) {
			c.Sync.failpoint = f.hook
		})
		done <- result{code, stdout.String(), stderr.String()}
	}()
	select {
	case r := <-done:
		return r
	case <-f.reached:
		if f.kill {
			return result{code: -1}
		}
		return <-done
	}
}

// assertWorktreeIsHead checks that the working tree and index equal HEAD
// but for the paths in except, and that no temporary file or pending mark
// is left.
func assertWorktreeIsHead(t *testing.T, dir string, except ...string) {
	t.Helper()
	var want []string
	for _, p := range except {
		want = append(want, " M "+p)
	}
	if got := strings.TrimRight(git(t, dir, "status", "--porcelain", "--untracked-files=all"), "\n"); got != strings.Join(want, "\n") {
		t.Errorf("git status --porcelain:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	args := append([]string{"diff", "HEAD", "--", "."}, exclude(except)...)
	if got := git(t, dir, args...); got != "" {
		t.Errorf("git diff HEAD:\n%s", got)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".notion-git-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
	if _, err := os.Stat(filepath.Join(dir, ".git", "notion-git", "refresh.json")); !os.IsNotExist(err) {
		t.Errorf("a refresh is still marked pending: %v", err)
	}
}

func exclude(paths []string) []string {
	var out []string
	for _, p := range paths {
		out = append(out, ":(exclude)"+p)
	}
	return out
}

// TestSyncHealsAfterKillOrFault is the kill and fault matrix of the command
// line: a sync that commits is killed or fails at each point of its
// publication; the next sync exits 0 by itself and leaves the working tree
// equal to HEAD, and a hand edit made before the interrupted run is still
// refused by name on the run that would overwrite it, and kept.
func TestSyncHealsAfterKillOrFault(t *testing.T) {
	t.Parallel()
	points := []struct {
		point gitrepo.Failpoint
		n     int
		exit  int // of the failed run
	}{
		{gitrepo.FailRefUpdate, 1, exitError}, // mid-checkpoint write
		{gitrepo.FailBeforeBranchMove, 1, exitError},
		{gitrepo.FailAfterBranchMove, 1, exitStale},
		{gitrepo.FailFileWritten, 2, exitStale},
		{gitrepo.FailIndexWrite, 1, exitStale},
		{gitrepo.FailIndexWritten, 1, exitStale},
	}
	for _, p := range points {
		for _, kill := range []bool{true, false} {
			name := string(p.point) + "/error"
			if kill {
				name = string(p.point) + "/kill"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
				dir := newRepoDir(t)
				e.sync(t, dir, exitOK)
				before := git(t, dir, "rev-parse", "HEAD")

				// A hand edit to a file the interrupted sync leaves alone.
				edited := layout.PagePath(releaseID)
				mine := append(headFile(t, dir, edited), "\n"...)
				if err := os.WriteFile(filepath.Join(dir, edited), mine, 0o644); err != nil {
					t.Fatal(err)
				}

				if err := e.SetTitle(onboardingID, "Welcome aboard"); err != nil {
					t.Fatal(err)
				}
				f := &failAt{point: p.point, n: p.n, kill: kill, reached: make(chan struct{})}
				// Checkpoints as often as they may be, so that one is written
				// before the publication.
				r := e.syncStopped(dir, f, "--checkpoint-interval", "1ns")
				select {
				case <-f.reached:
				default:
					t.Fatalf("the sync never reached %s:\n%s", p.point, r)
				}
				moved := git(t, dir, "rev-parse", "HEAD") != before
				if want := p.point != gitrepo.FailBeforeBranchMove && p.point != gitrepo.FailRefUpdate; moved != want {
					t.Errorf("the branch moved: %v, want %v", moved, want)
				}
				if !kill {
					if r.code != p.exit {
						t.Errorf("failed sync: want exit %d, got %s", p.exit, r)
					}
					if p.exit == exitStale && !strings.Contains(r.stderr, "but the working tree could not be updated") {
						t.Errorf("stderr does not say the commit was made:\n%s", r.stderr)
					}
				}
				if kill && p.point == gitrepo.FailFileWritten {
					// A kill inside a file's write leaves its temporary file.
					tmp := filepath.Join(dir, filepath.FromSlash(layout.PageDir(onboardingID)), ".notion-git-2718281828")
					if err := os.WriteFile(tmp, []byte("{"), 0o644); err != nil {
						t.Fatal(err)
					}
				}

				// The next run heals by itself and commits what is left.
				e.sync(t, dir, exitOK)
				gitFsck(t, dir)
				assertWorktreeIsHead(t, dir, edited)
				if !strings.Contains(string(headFile(t, dir, layout.PagePath(onboardingID))), "Welcome aboard") {
					t.Error("the rename is not committed")
				}

				// The sync that changes the edited file refuses it, names it, keeps it.
				if err := e.SetTitle(releaseID, "Changelog"); err != nil {
					t.Fatal(err)
				}
				head := git(t, dir, "rev-parse", "HEAD")
				r = e.sync(t, dir, exitError)
				if !strings.Contains(r.stderr, "local changes") || !strings.Contains(r.stderr, edited) || !strings.Contains(r.stderr, "commit, move or discard those edits") {
					t.Errorf("the refusal does not name %s:\n%s", edited, r.stderr)
				}
				if got, _ := os.ReadFile(filepath.Join(dir, edited)); !bytes.Equal(got, mine) {
					t.Error("the hand edit was not kept")
				}
				if git(t, dir, "rev-parse", "HEAD") != head {
					t.Error("the refused sync moved the branch")
				}

				// Once the edit is put aside, the sync goes on.
				git(t, dir, "checkout", "--", edited)
				e.sync(t, dir, exitOK)
				assertWorktreeIsHead(t, dir)
			})
		}
	}
}
