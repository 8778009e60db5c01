package gitrepo

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// stopAt is a failpoint hook that acts at the nth call of point: it kills
// (the goroutine reports and then blocks for good, so that nothing after the
// point runs, not even a deferred cleanup, as with kill -9) or fails (it
// returns ENOSPC, as a full disk would).
type stopAt struct {
	point   Failpoint
	n       int // 1 for the first call
	kill    bool
	seen    int
	reached chan struct{}
}

func (s *stopAt) hook(p Failpoint) error {
	if p != s.point {
		return nil
	}
	s.seen++
	if s.seen != s.n {
		return nil
	}
	close(s.reached)
	if s.kill {
		select {} // killed: this goroutine never runs again
	}
	return fmt.Errorf("injected at %s: %w", p, syscall.ENOSPC)
}

// publish commits puts and deletes on top of main in the repository at dir,
// opened with hook, and publishes the commit as a sync does: prepare, move
// the branch, refresh. It returns the commit and the error, once done or
// once the hook has killed it.
func publish(t *testing.T, dir string, s *stopAt, puts map[string]string, deletes ...string) (plumbing.Hash, error) {
	t.Helper()
	r, err := Open(dir, OpenOptions{Failpoint: s.hook})
	if err != nil {
		t.Fatal(err)
	}
	old, _, err := r.Head("main")
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.NewTreeBuilder(old)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range deletes {
		if err := b.Delete(p); err != nil {
			t.Fatal(err)
		}
	}
	for p, c := range puts {
		if err := b.Put(p, []byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	tree, err := b.Write()
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Commit(CommitOptions{Tree: tree, Parents: parentsOf(old), Message: "sync",
		Author: Signature{Name: "t", Email: "t@localhost", When: testWhen}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		f, err := r.PrepareRefresh("main", old, c, nil)
		if err == nil {
			err = f.MoveBranch()
		}
		if err == nil {
			err = f.Apply()
		}
		done <- err
	}()
	select {
	case err := <-done:
		return c, err
	case <-s.reached:
		if s.kill {
			return c, nil
		}
		return c, <-done
	}
}

// tempFiles lists the temporary files left in the working tree.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if strings.HasPrefix(d.Name(), tempPrefix) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// assertHealed checks that the working tree and index equal HEAD, with no
// temporary file and no pending mark.
func assertHealed(t *testing.T, dir string) {
	t.Helper()
	if got := runGit(t, dir, "status", "--porcelain", "--untracked-files=all"); got != "" {
		t.Errorf("git status --porcelain:\n%s", got)
	}
	if got := runGit(t, dir, "diff", "HEAD"); got != "" {
		t.Errorf("git diff HEAD:\n%s", got)
	}
	if got := tempFiles(t, dir); len(got) > 0 {
		t.Errorf("temporary files left: %v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", filepath.FromSlash(refreshMarkerFile))); !os.IsNotExist(err) {
		t.Errorf("the refresh is still marked pending: %v", err)
	}
}

// TestPublishStoppedAnywhereHeals is the kill and fault matrix: a
// publication killed or failed at each point leaves a repository that the
// next FinishRefresh brings to HEAD, after which the next commit publishes
// normally, and a hand edit made before is still refused and kept.
func TestPublishStoppedAnywhereHeals(t *testing.T) {
	points := []struct {
		point Failpoint
		n     int
	}{
		{FailBeforeBranchMove, 1},
		{FailRefLockWritten, 1}, // the branch's new value in main.lock
		{FailAfterBranchMove, 1},
		{FailFileWritten, 2}, // some files written, others not
		{FailIndexWrite, 1},
		{FailIndexWritten, 1},
	}
	for _, p := range points {
		for _, kill := range []bool{true, false} {
			name := string(p.point) + "/error"
			if kill {
				name = string(p.point) + "/kill"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				r := newRepo(t, false)
				dir := r.WorkDir()
				commitChange(t, r, map[string]string{
					"notion-git.json":         "{}\n",
					".notion-git/state.json":  "s1\n",
					"pages/p1/page.json":      "p1\n",
					"pages/p1/blocks/b1.json": "b1\n",
					"pages/p2/page.json":      "p2\n",
					"users/u1.json":           "u1\n",
				})
				// A person's edit to a file this publication leaves alone
				// and the next one changes.
				if err := os.WriteFile(filepath.Join(dir, "users", "u1.json"), []byte("mine\n"), 0o644); err != nil {
					t.Fatal(err)
				}

				s := &stopAt{point: p.point, n: p.n, kill: kill, reached: make(chan struct{})}
				_, err := publish(t, dir, s, map[string]string{
					".notion-git/state.json":  "s2\n",
					"pages/p1/blocks/b1.json": "b1 v2\n",
					"pages/p3/page.json":      "p3\n",
				}, "pages/p2/page.json")
				select {
				case <-s.reached:
				default:
					t.Fatalf("the publication never reached %s (err %v)", p.point, err)
				}
				if !kill && !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("err = %v, want the injected ENOSPC", err)
				}
				if kill && p.point == FailFileWritten {
					// A kill inside a file's write leaves its temporary file.
					if err := os.WriteFile(filepath.Join(dir, "pages", "p1", "blocks", tempPrefix+"123456"), []byte("b1 v"), 0o644); err != nil {
						t.Fatal(err)
					}
				}

				// The next run.
				r2, err := Open(dir, OpenOptions{})
				if err != nil {
					t.Fatal(err)
				}
				pending, err := r2.FinishRefresh()
				if err != nil {
					t.Fatalf("FinishRefresh: %v", err)
				}
				// A failure before the branch moves clears its own mark.
				failedBeforeMove := p.point == FailBeforeBranchMove || p.point == FailRefLockWritten
				if want := kill || !failedBeforeMove; pending != want {
					t.Errorf("FinishRefresh found a refresh pending: %v, want %v", pending, want)
				}
				// Restore the hand edit to see the rest healed, then put it back.
				mine := readWork(t, r2, "users/u1.json")
				runGit(t, dir, "checkout", "--", "users/u1.json")
				assertHealed(t, dir)
				if err := os.WriteFile(filepath.Join(dir, "users", "u1.json"), []byte(mine), 0o644); err != nil {
					t.Fatal(err)
				}

				// The next commit changes the edited file: refused, named, kept.
				next := &stopAt{reached: make(chan struct{})}
				_, err = publish(t, dir, next, map[string]string{"users/u1.json": "u1 v2\n", ".notion-git/state.json": "s3\n"})
				if !errors.Is(err, ErrLocalChanges) || !strings.Contains(err.Error(), "users/u1.json") {
					t.Fatalf("next publication: %v, want ErrLocalChanges naming users/u1.json", err)
				}
				if got := readWork(t, r2, "users/u1.json"); got != "mine\n" {
					t.Errorf("the hand edit became %q", got)
				}
				// Without it, the next commit publishes and the tree is clean.
				runGit(t, dir, "checkout", "--", "users/u1.json")
				c, err := publish(t, dir, next, map[string]string{"users/u1.json": "u1 v2\n", ".notion-git/state.json": "s3\n"})
				if err != nil {
					t.Fatalf("next publication: %v", err)
				}
				if tip, _, _ := r2.Head("main"); tip != c {
					t.Error("the next publication did not move main")
				}
				assertHealed(t, dir)
			})
		}
	}
}

// TestFinishRefreshRefusesHandEditOfPendingFile: a file the interrupted
// refresh had yet to write, edited by hand since, is refused by name and
// kept; once it is put back, the refresh finishes.
func TestFinishRefreshRefusesHandEditOfPendingFile(t *testing.T) {
	r := newRepo(t, false)
	dir := r.WorkDir()
	commitChange(t, r, map[string]string{"a.json": "a\n", "b.json": "b\n"})
	s := &stopAt{point: FailAfterBranchMove, n: 1, kill: true, reached: make(chan struct{})}
	publish(t, dir, s, map[string]string{"a.json": "a v2\n", "b.json": "b v2\n"})
	if err := os.WriteFile(filepath.Join(dir, "b.json"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r2, err := Open(dir, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r2.FinishRefresh(); !errors.Is(err, ErrLocalChanges) || !strings.Contains(err.Error(), "b.json") || strings.Contains(err.Error(), "a.json") {
		t.Fatalf("FinishRefresh: %v, want ErrLocalChanges naming b.json only", err)
	}
	if got := readWork(t, r2, "b.json"); got != "mine\n" {
		t.Errorf("b.json = %q, want the hand edit kept", got)
	}
	os.Remove(filepath.Join(dir, "b.json"))
	if _, err := r2.FinishRefresh(); err != nil {
		t.Fatal(err)
	}
	assertHealed(t, dir)
}

// TestFinishRefreshAfterReset: a person who ran git reset --hard after the
// interruption has done the refresh's work; FinishRefresh only clears up.
func TestFinishRefreshAfterReset(t *testing.T) {
	r := newRepo(t, false)
	dir := r.WorkDir()
	commitChange(t, r, map[string]string{"a.json": "a\n", "d/b.json": "b\n"})
	s := &stopAt{point: FailFileWritten, n: 1, kill: true, reached: make(chan struct{})}
	publish(t, dir, s, map[string]string{"a.json": "a v2\n", "d/b.json": "b v2\n"})
	if err := os.WriteFile(filepath.Join(dir, "d", tempPrefix+"42"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, dir, "reset", "-q", "--hard")
	r2, err := Open(dir, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r2.FinishRefresh(); err != nil {
		t.Fatal(err)
	}
	assertHealed(t, dir)
}

// TestFinishRefreshLeavesOthersAlone: a pending mark of a process that still
// runs, or an index lock older than the mark (another git command's), stops
// FinishRefresh with ErrRefreshBusy and changes nothing.
func TestFinishRefreshLeavesOthersAlone(t *testing.T) {
	setup := func(t *testing.T) (*Repo, string) {
		r := newRepo(t, false)
		dir := r.WorkDir()
		commitChange(t, r, map[string]string{"a.json": "a\n"})
		s := &stopAt{point: FailAfterBranchMove, n: 1, kill: true, reached: make(chan struct{})}
		publish(t, dir, s, map[string]string{"a.json": "a v2\n"})
		r2, err := Open(dir, OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return r2, dir
	}
	t.Run("live owner", func(t *testing.T) {
		r, dir := setup(t)
		var m refreshMarker
		b, err := os.ReadFile(r.markerPath())
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		m.PID = os.Getppid() // the go command, running while this test does
		if err := r.markRefresh(m); err != nil {
			t.Fatal(err)
		}
		if _, err := r.FinishRefresh(); !errors.Is(err, ErrRefreshBusy) {
			t.Fatalf("FinishRefresh: %v, want ErrRefreshBusy", err)
		}
		if got := readWork(t, r, "a.json"); got != "a\n" {
			t.Errorf("a.json = %q, want it untouched", got)
		}
		os.Remove(r.markerPath())
		runGit(t, dir, "reset", "-q", "--hard")
	})
	t.Run("older index lock", func(t *testing.T) {
		r, dir := setup(t)
		lock := filepath.Join(r.GitDir(), "index.lock")
		if err := os.WriteFile(lock, []byte("DIRC"), 0o644); err != nil {
			t.Fatal(err)
		}
		past := time.Now().Add(-time.Hour)
		if err := os.Chtimes(lock, past, past); err != nil {
			t.Fatal(err)
		}
		if _, err := r.FinishRefresh(); !errors.Is(err, ErrRefreshBusy) || !strings.Contains(err.Error(), "index.lock") {
			t.Fatalf("FinishRefresh: %v, want ErrRefreshBusy naming index.lock", err)
		}
		if _, err := os.Stat(lock); err != nil {
			t.Errorf("the lock was removed: %v", err)
		}
		os.Remove(lock)
		if _, err := r.FinishRefresh(); err != nil {
			t.Fatal(err)
		}
		assertHealed(t, dir)
	})
}

// TestUnmarkedRefreshIsFinished: a repository that a run killed before
// refreshes were marked left behind (the branch moved, the working tree
// part old, part new, a temporary file beside) publishes the next commit
// after finishing that refresh; a person's edit in such a tree is still
// refused and kept.
func TestUnmarkedRefreshIsFinished(t *testing.T) {
	for _, edited := range []bool{false, true} {
		t.Run(fmt.Sprintf("hand edit %v", edited), func(t *testing.T) {
			r := newRepo(t, false)
			dir := r.WorkDir()
			commitChange(t, r, map[string]string{
				".notion-git/state.json":  "s1\n",
				"pages/p1/blocks/b1.json": "b1\n",
				"pages/p2/page.json":      "p2\n",
			})
			v1 := map[string]string{".notion-git/state.json": "s1\n", "pages/p1/blocks/b1.json": "b1\n", "pages/p2/page.json": "p2\n"}
			// The old way of a kill after the branch moved: the commit is
			// made and the branch moved, but only one file was written.
			old, _, _ := r.Head("main")
			b, err := r.NewTreeBuilder(old)
			if err != nil {
				t.Fatal(err)
			}
			b.Put(".notion-git/state.json", []byte("s2\n"))
			b.Put("pages/p1/blocks/b1.json", []byte("b1 v2\n"))
			b.Delete("pages/p2/page.json")
			tree, err := b.Write()
			if err != nil {
				t.Fatal(err)
			}
			c2, err := r.Commit(CommitOptions{Tree: tree, Parents: []plumbing.Hash{old}, Message: "sync",
				Author: Signature{Name: "t", Email: "t@localhost", When: testWhen}})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.UpdateBranch("main", old, c2); err != nil {
				t.Fatal(err)
			}
			write := func(p, content string) {
				if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for p, content := range v1 {
				write(p, content)
			}
			write("pages/p1/blocks/b1.json", "b1 v2\n")
			write("pages/p1/blocks/"+tempPrefix+"4242", "b1 v")
			if edited {
				write("pages/p2/page.json", "mine\n")
			}

			// Before the fix every later sync failed here, on state.json.
			s := &stopAt{point: "none", reached: make(chan struct{})}
			_, err = publish(t, dir, s, map[string]string{".notion-git/state.json": "s3\n"})
			if edited {
				if !errors.Is(err, ErrLocalChanges) || !strings.Contains(err.Error(), "pages/p2/page.json") {
					t.Fatalf("err = %v, want the hand edit named", err)
				}
				if b, _ := os.ReadFile(filepath.Join(dir, "pages", "p2", "page.json")); string(b) != "mine\n" {
					t.Errorf("the hand edit was overwritten: %q", b)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			assertHealed(t, dir)
			if got := runGit(t, dir, "show", "HEAD:.notion-git/state.json"); got != "s3\n" {
				t.Errorf("HEAD's state = %q, want the new commit's", got)
			}
		})
	}
}
