package gitrepo

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

const checkpointRef = "refs/notion-git/checkpoints/main"

// gitRev is what the git CLI says name points at.
func gitRev(t *testing.T, dir, name string) string {
	t.Helper()
	return strings.TrimSpace(runGit(t, dir, "rev-parse", "--verify", "-q", name))
}

// fileContent reads a file of the test, "" if it does not exist.
func fileContent(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// deadPID is the id of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("git", "--version")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.Pid()
}

// TestRefWriteKilledBeforeRename: a kill between the lock's write and its
// rename leaves the old value in the ref, never an empty or half-written
// file, and the lock it leaves is recognised as its own and removed.
func TestRefWriteKilledBeforeRename(t *testing.T) {
	for _, clean := range []bool{false, true} {
		name := "next write"
		if clean {
			name = "RemoveStaleFiles"
		}
		t.Run(name, func(t *testing.T) {
			r := newRepo(t, false)
			dir := r.WorkDir()
			c1 := commitChange(t, r, map[string]string{"a.json": "a\n"})
			s := &stopAt{point: FailRefLockWritten, n: 1, kill: true, reached: make(chan struct{})}
			c2, _ := publish(t, dir, s, map[string]string{"a.json": "a v2\n"})
			<-s.reached

			mainFile := filepath.Join(r.GitDir(), "refs", "heads", "main")
			if got := fileContent(t, mainFile); got != c1.String()+"\n" {
				t.Fatalf("refs/heads/main = %q after the kill, want the old %s", got, c1)
			}
			if got := fileContent(t, mainFile+".lock"); got != c2.String()+"\n" {
				t.Fatalf("main.lock = %q, want the new value", got)
			}
			if got := gitRev(t, dir, "main"); got != c1.String() {
				t.Errorf("git sees main at %s, want %s", got, c1)
			}

			r2, err := Open(dir, OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if clean {
				if err := r2.RemoveStaleFiles(); err != nil {
					t.Fatal(err)
				}
				if _, err := os.Stat(mainFile + ".lock"); !os.IsNotExist(err) {
					t.Fatalf("the killed write's main.lock is still there: %v", err)
				}
				if entries, _ := os.ReadDir(filepath.Join(r.GitDir(), filepath.FromSlash(refLockNotesDir))); len(entries) > 0 {
					t.Errorf("notes left: %v", entries)
				}
			}
			if _, err := r2.FinishRefresh(); err != nil {
				t.Fatal(err)
			}
			assertHealed(t, dir)
			c3, err := publish(t, dir, &stopAt{reached: make(chan struct{})}, map[string]string{"a.json": "a v3\n"})
			if err != nil {
				t.Fatalf("the next publication: %v", err)
			}
			if got := gitRev(t, dir, "main"); got != c3.String() {
				t.Errorf("git sees main at %s, want %s", got, c3)
			}
			assertHealed(t, dir)
		})
	}
}

// TestCheckpointWriteKilledBeforeRename: the same for a checkpoint's ref.
func TestCheckpointWriteKilledBeforeRename(t *testing.T) {
	r := newRepo(t, true)
	c1 := newCommit(t, r, plumbing.ZeroHash, "1")
	c2 := newCommit(t, r, c1, "2")
	if err := r.UpdateRef(checkpointRef, plumbing.ZeroHash, c1); err != nil {
		t.Fatal(err)
	}
	s := &stopAt{point: FailRefLockWritten, n: 1, kill: true, reached: make(chan struct{})}
	killed, err := Open(r.GitDir(), OpenOptions{Failpoint: s.hook})
	if err != nil {
		t.Fatal(err)
	}
	go killed.UpdateRef(checkpointRef, c1, c2)
	<-s.reached

	again, err := Open(r.GitDir(), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if h, err := again.Ref(checkpointRef); err != nil || h != c1 {
		t.Fatalf("checkpoint at %s, %v after the kill, want the old %s", h, err, c1)
	}
	c3 := newCommit(t, again, c1, "3")
	if err := again.UpdateRef(checkpointRef, c1, c3); err != nil {
		t.Fatalf("the next checkpoint: %v", err)
	}
	if got := gitRev(t, r.GitDir(), checkpointRef); got != c3.String() {
		t.Errorf("git sees the checkpoint at %s, want %s", got, c3)
	}
}

// TestRefLockOfAnotherProcessIsRefused: a lock with no note of a dead
// notion-git write, or one whose note does not match it, is another
// process's: the write is refused, naming the file, and the lock is kept.
func TestRefLockOfAnotherProcessIsRefused(t *testing.T) {
	r := newRepo(t, true)
	c1 := newCommit(t, r, plumbing.ZeroHash, "1")
	c2 := newCommit(t, r, c1, "2")
	if err := r.UpdateBranch("main", plumbing.ZeroHash, c1); err != nil {
		t.Fatal(err)
	}
	const ref = "refs/heads/main"
	lock := filepath.Join(r.GitDir(), "refs", "heads", "main.lock")
	writeNote := func(n refLockNote) {
		t.Helper()
		if err := r.writeRefNote(n); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		setup func()
	}{
		{"no note", func() {}},
		{"the note's process runs", func() {
			writeNote(refLockNote{Ref: ref, Lock: c2.String() + "\n", PID: os.Getppid()})
		}},
		{"another value in the lock", func() {
			writeNote(refLockNote{Ref: ref, Lock: c1.String() + "\n", PID: deadPID(t)})
		}},
		{"the lock is older than the note", func() {
			writeNote(refLockNote{Ref: ref, Lock: c2.String() + "\n", PID: deadPID(t)})
			if err := os.Chtimes(lock, past, past); err != nil {
				t.Fatal(err)
			}
		}},
		{"an empty lock", func() {
			writeNote(refLockNote{Ref: ref, Lock: c2.String() + "\n", PID: deadPID(t)})
			if err := os.WriteFile(lock, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(lock, []byte(c2.String()+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			tc.setup()
			want := fileContent(t, lock)
			err := r.UpdateBranch("main", c1, c2)
			if !errors.Is(err, ErrRefLocked) || !strings.Contains(err.Error(), lock) {
				t.Fatalf("err = %v, want ErrRefLocked naming %s", err, lock)
			}
			if err := r.RemoveStaleFiles(); err != nil {
				t.Fatal(err)
			}
			if got := fileContent(t, lock); got != want {
				t.Fatalf("the lock became %q, want it kept", got)
			}
			if h, _, _ := r.Head("main"); h != c1 {
				t.Errorf("main moved to %s", h)
			}
			os.Remove(lock)
			os.Remove(r.refNotePath(ref))
		})
	}
	// The lock of a dead notion-git write of exactly that value is its own.
	if err := os.WriteFile(lock, []byte(c2.String()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeNote(refLockNote{Ref: ref, Lock: c2.String() + "\n", PID: deadPID(t)})
	if err := os.Chtimes(r.refNotePath(ref), past, past); err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateBranch("main", c1, c2); err != nil {
		t.Fatalf("over a dead write's lock: %v", err)
	}
	if got := gitRev(t, r.GitDir(), "main"); got != c2.String() {
		t.Errorf("git sees main at %s, want %s", got, c2)
	}
}

// TestBrokenCheckpointRefIsAbsent: an empty or corrupt checkpoint ref, as
// an older version's cut-short write left, reads as absent, is overwritten
// by the next checkpoint or removed by RemoveStaleFiles, after which git
// fsck is clean.
func TestBrokenCheckpointRefIsAbsent(t *testing.T) {
	for _, content := range []string{"", "3f4a37d", "ref: refs/heads/x\n"} {
		for _, repair := range []string{"write", "remove"} {
			t.Run(repair+" "+content, func(t *testing.T) {
				r := newRepo(t, true)
				c1 := newCommit(t, r, plumbing.ZeroHash, "1")
				p := filepath.Join(r.GitDir(), filepath.FromSlash(checkpointRef))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
				if out, err := tryGit(r.GitDir(), "fsck", "--strict"); err == nil && !strings.Contains(out, "error") {
					t.Fatalf("git fsck accepts the broken ref:\n%s", out)
				}
				if h, err := r.Ref(checkpointRef); err != nil || !h.IsZero() {
					t.Fatalf("Ref = %s, %v, want absent", h, err)
				}
				switch repair {
				case "write":
					if err := r.UpdateRef(checkpointRef, plumbing.ZeroHash, c1); err != nil {
						t.Fatal(err)
					}
					if got := gitRev(t, r.GitDir(), checkpointRef); got != c1.String() {
						t.Errorf("git sees the checkpoint at %s, want %s", got, c1)
					}
				case "remove":
					if err := r.RemoveStaleFiles(); err != nil {
						t.Fatal(err)
					}
					if _, err := os.Stat(p); !os.IsNotExist(err) {
						t.Errorf("the broken ref is still there: %v", err)
					}
				}
			})
		}
	}
}

// TestBrokenBranchIsRefusedWithItsRepair: an empty or corrupt branch ref is
// refused with one line naming the file and the command that repairs it,
// with the commit the pending refresh names when there is one; the branch
// is not overwritten.
func TestBrokenBranchIsRefusedWithItsRepair(t *testing.T) {
	for _, marked := range []bool{false, true} {
		for _, content := range []string{"", "0000000000000000000000000000000000000000\n", "3f4a"} {
			t.Run(strings.TrimSpace(content), func(t *testing.T) {
				r := newRepo(t, false)
				c1 := commitChange(t, r, map[string]string{"a.json": "a\n"})
				c2 := newCommit(t, r, c1, "2")
				p := filepath.Join(r.GitDir(), "refs", "heads", "main")
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
				hint := "git fsck --lost-found"
				if marked {
					b, _ := json.Marshal(refreshMarker{Branch: "main", From: plumbing.ZeroHash.String(), To: c1.String(), PID: deadPID(t)})
					if err := os.WriteFile(r.markerPath(), b, 0o644); err != nil {
						t.Fatal(err)
					}
					hint = "git update-ref refs/heads/main " + c1.String() + " (the commit"
				}
				_, _, err := r.Head("main")
				if !errors.Is(err, ErrBrokenRef) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), hint) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("Head: %v, want one line of ErrBrokenRef naming %s and %q", err, p, hint)
				}
				if err := r.UpdateBranch("main", plumbing.ZeroHash, c2); !errors.Is(err, ErrBrokenRef) {
					t.Errorf("UpdateBranch over the broken ref: %v, want ErrBrokenRef", err)
				}
				if _, err := r.FinishRefresh(); marked && !errors.Is(err, ErrBrokenRef) {
					t.Errorf("FinishRefresh: %v, want ErrBrokenRef", err)
				}
				if err := r.RemoveStaleFiles(); err != nil {
					t.Fatal(err)
				}
				if got := fileContent(t, p); got != content {
					t.Fatalf("the broken branch became %q", got)
				}
				// The repair the message gives.
				if !strings.Contains(err.Error(), "rm "+p+" && git update-ref refs/heads/main") {
					t.Fatalf("Head: %v, want the repair that removes %s first", err, p)
				}
				os.Remove(p)
				runGit(t, r.WorkDir(), "update-ref", "refs/heads/main", c1.String())
				os.Remove(r.markerPath())
				if h, _, err := r.Head("main"); err != nil || h != c1 {
					t.Errorf("after the repair: %s, %v", h, err)
				}
			})
		}
	}
}

// TestPackedRefDeleteAndOverride: a ref that lives only in packed-refs is
// updated by a loose ref that overrides it, and deleted from both, so that
// the packed value never shows through.
func TestPackedRefDeleteAndOverride(t *testing.T) {
	r := newRepo(t, true)
	c1 := newCommit(t, r, plumbing.ZeroHash, "1")
	c2 := newCommit(t, r, c1, "2")
	if err := r.UpdateBranch("main", plumbing.ZeroHash, c1); err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateRef(checkpointRef, plumbing.ZeroHash, c1); err != nil {
		t.Fatal(err)
	}
	runGit(t, r.GitDir(), "pack-refs", "--all")
	packed := filepath.Join(r.GitDir(), packedRefsFile)
	if !strings.Contains(fileContent(t, packed), checkpointRef) {
		t.Fatal("git pack-refs did not pack the checkpoint")
	}

	// Only packed: deleted from packed-refs.
	if err := r.DeleteRef(checkpointRef, c2); !errors.Is(err, ErrRefChanged) {
		t.Errorf("delete with a stale old: %v, want ErrRefChanged", err)
	}
	if err := os.WriteFile(packed+".lock", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteRef(checkpointRef, c1); !errors.Is(err, ErrRefLocked) || !strings.Contains(err.Error(), "packed-refs.lock") {
		t.Errorf("delete while packed-refs.lock exists: %v, want ErrRefLocked naming it", err)
	}
	os.Remove(packed + ".lock")
	if err := r.DeleteRef(checkpointRef, c1); err != nil {
		t.Fatal(err)
	}
	if h, _ := r.Ref(checkpointRef); !h.IsZero() || strings.Contains(fileContent(t, packed), checkpointRef) {
		t.Errorf("the packed checkpoint survived its deletion (%s)", h)
	}
	if got := gitRev(t, r.GitDir(), "main"); got != c1.String() {
		t.Errorf("deleting the checkpoint lost main: %q", got)
	}

	// Packed and overridden by a loose ref: both go.
	if err := r.UpdateRef(checkpointRef, plumbing.ZeroHash, c1); err != nil {
		t.Fatal(err)
	}
	runGit(t, r.GitDir(), "pack-refs", "--all")
	if err := r.UpdateRef(checkpointRef, c1, c2); err != nil {
		t.Fatal(err)
	}
	if got := gitRev(t, r.GitDir(), checkpointRef); got != c2.String() {
		t.Errorf("git sees the checkpoint at %s, want the loose %s", got, c2)
	}
	if err := r.DeleteRef(checkpointRef, c2); err != nil {
		t.Fatal(err)
	}
	if _, err := tryGit(r.GitDir(), "rev-parse", "--verify", "-q", checkpointRef); err == nil {
		t.Error("the packed value shows through after the deletion")
	}
	if h, ok, err := r.Head("main"); err != nil || !ok || h != c1 {
		t.Errorf("main (packed) reads %s, %v, %v", h, ok, err)
	}
}
