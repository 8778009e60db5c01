package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openTerminal opens a pseudo-terminal: the side a program writes to,
// which is a terminal as a person's is, and everything written to it.
func openTerminal(t *testing.T) (tty *os.File, written func() string) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	var buf bytes.Buffer
	done := make(chan struct{})
	go func() { // drained, or a long output would fill the terminal's buffer
		io.Copy(&buf, master)
		close(done)
	}()
	return tty, func() string {
		tty.Close()
		<-done
		return buf.String()
	}
}

// TestDiffPager runs diff on a terminal: through the pager with colour;
// without colour under NO_COLOR; straight to the terminal with --no-pager;
// and a pager that quits before reading is no error. It sets environment
// variables, so it does not run in parallel.
func TestDiffPager(t *testing.T) {
	dir := newRepoDir(t)
	if r := runArgs(context.Background(), "sync", "--demo", "--repo", dir); r.code != exitOK {
		t.Fatalf("sync --demo: %s", r)
	}
	tmp := t.TempDir()
	ran, got := filepath.Join(tmp, "ran"), filepath.Join(tmp, "got")
	script := filepath.Join(tmp, "pager")
	// The pager records that it ran, with LESS as it saw it, and what it
	// was given.
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"LESS=$LESS\" >> '"+ran+"'\ncat > '"+got+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(pagerEnv, script)
	t.Setenv("PAGER", "false")
	t.Setenv("TERM", "xterm")
	t.Setenv("LESS", "") // restored after the test
	os.Unsetenv("LESS")
	diff := func(args ...string) (code int, stderr, onTerminal string) {
		t.Helper()
		os.Remove(ran)
		os.Remove(got)
		tty, written := openTerminal(t)
		var errOut bytes.Buffer
		code = runEnv(&Env{Ctx: context.Background(), Stdout: tty, Stderr: &errOut}, append([]string{"diff", "--repo", dir}, args...))
		return code, errOut.String(), written()
	}
	read := func(path string) string {
		b, _ := os.ReadFile(path)
		return string(b)
	}

	t.Setenv("NO_COLOR", "")
	code, stderr, term := diff()
	if code != exitOK || stderr != "" || term != "" {
		t.Fatalf("diff on a terminal: exit %d, stderr %q, %d bytes on the terminal", code, stderr, len(term))
	}
	if r := read(ran); r != "LESS=FRX\n" {
		t.Errorf("the pager ran %q, want once with LESS=FRX", r)
	}
	if out := read(got); !strings.Contains(out, "\x1b[1mdiff nothing .. HEAD") || !strings.Contains(out, "\n\x1b[32m+# ") {
		t.Errorf("the pager got no colour:\n%.300q", out)
	}

	t.Setenv("NO_COLOR", "1")
	if code, _, _ := diff(); code != exitOK || read(ran) == "" {
		t.Errorf("under NO_COLOR: exit %d, pager ran %q", code, read(ran))
	}
	if out := read(got); strings.Contains(out, "\x1b[") || !strings.Contains(out, "\n+# ") {
		t.Errorf("under NO_COLOR the pager got:\n%.300q", out)
	}
	if _, _, term := diff("--color=always", "--stat"); !strings.Contains(read(got), "\x1b[") || term != "" {
		t.Errorf("--color=always under NO_COLOR: no colour")
	}

	code, stderr, term = diff("--no-pager")
	if code != exitOK || stderr != "" || read(ran) != "" {
		t.Errorf("--no-pager: exit %d, stderr %q, pager ran %q", code, stderr, read(ran))
	}
	if !strings.Contains(term, "\r\n+# ") {
		t.Errorf("--no-pager wrote %d bytes to the terminal: %.300q", len(term), term)
	}

	// A pager that quits at once (the user pressed q): the rest of the
	// output goes nowhere, and the diff still succeeds.
	t.Setenv(pagerEnv, "true")
	if code, stderr, _ := diff(); code != exitOK || stderr != "" {
		t.Errorf("a pager that quit: exit %d, stderr %q", code, stderr)
	}
	// A pager that cannot start: said once, and the output on the terminal.
	t.Setenv(pagerEnv, filepath.Join(tmp, "no-such-pager"))
	if code, stderr, term := diff(); code != exitOK || !strings.Contains(term, "\r\n+# ") {
		t.Errorf("a missing pager: exit %d, stderr %q, %d bytes on the terminal", code, stderr, len(term))
	}
	// An empty pager setting means none, as in git.
	t.Setenv(pagerEnv, "")
	if code, _, term := diff(); code != exitOK || !strings.Contains(term, "\r\n+# ") {
		t.Errorf("an empty pager: exit %d, %d bytes on the terminal", code, len(term))
	}

	// To a pipe, diff neither pages nor colours, whatever the pager.
	t.Setenv(pagerEnv, "false")
	t.Setenv("NO_COLOR", "")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&out, r); close(done) }()
	var errOut bytes.Buffer
	code = runEnv(&Env{Ctx: context.Background(), Stdout: w, Stderr: &errOut}, []string{"diff", "--repo", dir})
	w.Close()
	<-done
	if code != exitOK || errOut.Len() != 0 || !strings.Contains(out.String(), "\n+# ") || strings.Contains(out.String(), "\x1b[") {
		t.Errorf("diff to a pipe: exit %d, stderr %q, %.200q", code, errOut.String(), out.String())
	}
}
