package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notion-git/notion-git/notion/emulator"
)

// TestClockFrom: the value is read as RFC 3339 (fractions allowed), the
// clock starts there and never goes back, and anything else is refused.
func TestClockFrom(t *testing.T) {
	t.Parallel()
	if now, err := clockFrom(""); now != nil || err != nil {
		t.Fatalf(`clockFrom("") set a clock: %v, error %v; want the real clock (nil)`, now != nil, err)
	}
	start := time.Date(2031, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	now, err := clockFrom("2031-03-04T07:06:07.89+02:00")
	if err != nil {
		t.Fatal(err)
	}
	first := now()
	if first.Before(start) || first.Sub(start) > time.Hour {
		t.Errorf("clock reads %v first, want %v plus the little real time since", first, start)
	}
	if second := now(); second.Before(first) {
		t.Errorf("clock went back from %v to %v", first, second)
	}
	for _, bad := range []string{"2031-03-04", "tomorrow", "2031-03-04 05:06:07Z", "1700000000"} {
		if _, err := clockFrom(bad); err == nil || !strings.Contains(err.Error(), clockEnv) {
			t.Errorf("clockFrom(%q) = %v, want an error naming %s", bad, err, clockEnv)
		}
	}
}

// TestClockEnv runs the real binary: a sync under NOTION_GIT_CLOCK reports
// the fake time as its start, a malformed value is one line and exit 2, and
// --help does not mention the variable.
func TestClockEnv(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "notion-git")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	report := filepath.Join(t.TempDir(), "report.json")
	exe := func(clock string, args ...string) (int, string, string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(gitEnv(), clockEnv+"="+clock)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), stdout.String(), stderr.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, stdout.String(), stderr.String()
	}

	fake := time.Date(2031, 3, 4, 5, 0, 0, 0, time.UTC)
	if code, _, stderr := exe(fake.Format(time.RFC3339), e.syncArgs(dir, "--quiet", "--report", report)...); code != exitOK {
		t.Fatalf("sync exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Started time.Time `json:"started"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Started.Before(fake) || rep.Started.Sub(fake) > time.Hour {
		t.Errorf("report started at %v, want the fake clock's %v", rep.Started, fake)
	}

	code, stdout, stderr := exe("next tuesday", e.syncArgs(dir, "--quiet")...)
	if code != exitUsage || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, clockEnv) {
		t.Errorf("malformed clock: exit %d, stdout %q, stderr %q; want exit %d and one line naming %s", code, stdout, stderr, exitUsage, clockEnv)
	}

	if _, stdout, _ := exe("", "sync", "--help"); strings.Contains(stdout, clockEnv) || !strings.Contains(stdout, "--report") {
		t.Errorf("sync --help shows %s or is not the help:\n%s", clockEnv, stdout)
	}
}
