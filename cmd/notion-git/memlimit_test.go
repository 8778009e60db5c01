package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-git/notion-git/notion/emulator"
)

// TestRestoreMemoryLimit: a restore lowers the soft memory limit to
// restoreMemoryLimit and puts the previous one back, unless GOMEMLIMIT
// chose one or a lower limit is already set.
func TestRestoreMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prev)
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOMEMLIMIT")

	debug.SetMemoryLimit(1 << 40)
	undo := limitRestoreMemory()
	if got := debug.SetMemoryLimit(-1); got != restoreMemoryLimit {
		t.Errorf("limit during a restore %d, want %d", got, restoreMemoryLimit)
	}
	undo()
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("limit after the restore %d, want the previous %d", got, int64(1<<40))
	}

	debug.SetMemoryLimit(100 << 20)
	limitRestoreMemory()()
	if got := debug.SetMemoryLimit(-1); got != 100<<20 {
		t.Errorf("a lower limit was changed to %d", got)
	}

	debug.SetMemoryLimit(1 << 40)
	t.Setenv("GOMEMLIMIT", "1GiB")
	undo = limitRestoreMemory()
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("with GOMEMLIMIT set, the limit became %d", got)
	}
	undo()
}

// TestFullSyncMemoryLimit: a first sync, and a --full one, run under
// fullSyncMemoryLimit and leave the limit as they found it; an incremental
// sync keeps the process's limit.
func TestFullSyncMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prev)
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOMEMLIMIT")
	const process = 1 << 40
	debug.SetMemoryLimit(process)

	srv := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	sync := func(extra ...string) int64 {
		t.Helper()
		// The sync's clock is read while it runs: it sees the limit then.
		var during atomic.Int64 // the clock is read from every crawl
		now := func() time.Time {
			during.Store(debug.SetMemoryLimit(-1))
			return time.Now()
		}
		var stdout, stderr bytes.Buffer
		env := &Env{Ctx: context.Background(), Stdout: &stdout, Stderr: &stderr, Now: now}
		if code := runEnv(env, srv.syncArgs(dir, extra...)); code != 0 {
			t.Fatalf("sync %v: exit %d\n%s", extra, code, stderr.String())
		}
		if got := debug.SetMemoryLimit(-1); got != process {
			t.Errorf("limit after the sync %v: %d, want the process's %d", extra, got, int64(process))
		}
		return during.Load()
	}
	if got := sync(); got != fullSyncMemoryLimit {
		t.Errorf("limit during a first sync %d, want %d", got, int64(fullSyncMemoryLimit))
	}
	if got := sync(); got != process {
		t.Errorf("limit during an incremental sync %d, want the process's %d", got, int64(process))
	}
	if got := sync("--full"); got != fullSyncMemoryLimit {
		t.Errorf("limit during a --full sync %d, want %d", got, int64(fullSyncMemoryLimit))
	}
}

// TestMemProfileWritesAProfile: the diagnostic profile is written, as a
// gzipped pprof file, even when the heap never grew while it ran.
func TestMemProfileWritesAProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heap.prof")
	stop := startMemProfile(path, io.Discard)
	stop()
	stop() // a second stop is harmless
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Errorf("the profile is %d bytes and not gzipped", len(b))
	}
}

// TestProfilesUnwritable: a profile whose file cannot be created leaves the
// command running, with one line on stderr naming the variable.
func TestProfilesUnwritable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no such folder", "x.prof")
	for env, start := range map[string]func(string, io.Writer) func(){
		cpuProfileEnv: startCPUProfile, memProfileEnv: startMemProfile,
	} {
		var stderr bytes.Buffer
		stop := start(path, &stderr)
		stop()
		if n := strings.Count(stderr.String(), "\n"); n != 1 || !strings.Contains(stderr.String(), env) {
			t.Errorf("%s: stderr %q, want one line naming it", env, stderr.String())
		}
	}
}
