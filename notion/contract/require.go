package contract

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// skipNotice says once per test binary, and once per go test run, why the
// contract tests skip and how to run them, so that a checkout without
// ../shared does not pass them without a word.
var skipNotice sync.Once

// noticeSkip prints the notice where a person sees it. go test ./...
// prints nothing of a package that passes, skips included, so the line goes
// to the go command's own stderr when it can be reached (the terminal, or
// the log of a pipeline), else to the terminal, else to this binary's
// stderr (seen with -v). The packages of one go test run share the go
// command as parent: a marker named after it keeps the notice to one line.
func noticeSkip(err error) {
	if !firstInRun() {
		return
	}
	line := fmt.Sprintf("contract tests skipped: %v (put notion-contract at ../shared/notion-contract beside the repository, or set %s=/path/to/notion-contract, to run them)\n", err, EnvDir)
	for _, path := range []string{fmt.Sprintf("/proc/%d/fd/2", os.Getppid()), "/dev/tty"} {
		if w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0); err == nil {
			_, werr := w.WriteString(line)
			w.Close()
			if werr == nil {
				return
			}
		}
	}
	fmt.Fprint(os.Stderr, line)
}

// firstInRun reports whether no other test binary of this go test run has
// printed the notice: it creates a marker named after the parent process
// and, where /proc tells it, the time that process started (so that a
// reused process id does not silence a later run).
func firstInRun() bool {
	id := strconv.Itoa(os.Getppid())
	if stat, err := os.ReadFile("/proc/" + id + "/stat"); err == nil {
		// Field 22 is the start time; the command name before it is in
		// parentheses and may hold spaces.
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 {
			if f := strings.Fields(string(stat[i+1:])); len(f) > 19 {
				id += "-" + f[19]
			}
		}
	}
	marker := filepath.Join(os.TempDir(), "notion-git-contract-skip-"+id)
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return !errors.Is(err, fs.ErrExist)
	}
	f.Close()
	return true
}

// Require skips a test when the contract directory is not beside the
// repository (a contributor's checkout without ../shared), and fails it
// when the environment says CI, where its absence is a broken setup that
// would silently let contract tests pass.
func Require(tb testing.TB) {
	tb.Helper()
	if _, err := Dir(); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("CI must have the contract directory: %v", err)
		}
		skipNotice.Do(func() { noticeSkip(err) })
		tb.Skipf("no contract directory: %v", err)
	}
}
