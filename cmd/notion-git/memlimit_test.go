package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
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
