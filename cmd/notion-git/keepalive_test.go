package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/review"
)

// syncAt runs a sync whose clock (Env.Now) reads at, as NOTION_GIT_CLOCK
// would set it.
func (e *localNotion) syncAt(t *testing.T, at time.Time, dir string, want int, extra ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runEnv(&Env{Ctx: context.Background(), Stdout: &stdout, Stderr: &stderr, Now: func() time.Time { return at }}, e.syncArgs(dir, extra...))
	r := result{code, stdout.String(), stderr.String()}
	if code != want {
		t.Fatalf("sync %v at %s: want exit %d, got %s", extra, at, want, r)
	}
	return r
}

func TestKeepaliveCommitsTheSameSnapshotOnceTheBranchIsOld(t *testing.T) {
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	first := time.Now()
	e.syncAt(t, first, dir, exitOK)
	summary := filepath.Join(t.TempDir(), "summary.md")

	// 49 days on, with nothing changed: no commit.
	e.syncAt(t, first.Add(49*24*time.Hour), dir, exitOK, "--keepalive", "50d")
	if n := commitCount(t, dir); n != 1 {
		t.Fatalf("%d commits 49 days on, want 1", n)
	}
	// 51 days on: a commit of the same tree, with the usual trailers.
	day51 := first.Add(51 * 24 * time.Hour)
	r := e.syncAt(t, day51, dir, exitOK, "--keepalive", "50d", "--step-summary", summary)
	if n := commitCount(t, dir); n != 2 {
		t.Fatalf("%d commits 51 days on, want 2\n%s", n, r)
	}
	if !strings.Contains(r.stdout, "to keep the schedule alive") {
		t.Errorf("the summary line does not say why it committed:\n%s", r.stdout)
	}
	trees := strings.Fields(git(t, dir, "log", "--format=%T", "-2"))
	if len(trees) != 2 || trees[0] != trees[1] {
		t.Fatalf("trees %v: want the parent's tree again", trees)
	}
	msg := git(t, dir, "log", "-1", "--format=%B")
	subject := strings.SplitN(msg, "\n", 2)[0]
	if want := keepaliveSubject(first); subject != want {
		t.Errorf("subject %q, want %q", subject, want)
	}
	tr, ok := review.ParseTrailers(msg)
	if !ok || tr.Pages == 0 || tr.PagesAdded+tr.PagesChanged+tr.PagesRemoved != 0 {
		t.Errorf("trailers %+v (ok %v): want the snapshot's page count and no change", tr, ok)
	}
	if got := git(t, dir, "log", "-1", "--format=%ct"); strings.TrimSpace(got) != strconv.FormatInt(day51.Unix(), 10) {
		t.Errorf("commit time %s, want the sync's clock %d", got, day51.Unix())
	}
	s, err := os.ReadFile(summary)
	if err != nil || !strings.Contains(string(s), "so that the schedule stays active") {
		t.Errorf("step summary (%v):\n%s", err, s)
	}

	// notion-git's own log and diff read it as a sync that changed nothing.
	lr := runArgs(context.Background(), "log", "--repo", dir)
	if lr.code != 0 || !strings.Contains(lr.stdout, subject) || strings.Count(lr.stdout, "0 added, 0 changed, 0 removed") != 1 {
		t.Errorf("log:\n%s", lr)
	}
	dr := runArgs(context.Background(), "diff", "--repo", dir, "HEAD~1", "HEAD")
	if dr.code != 0 || !strings.HasSuffix(dr.stdout, "\nno change in Notion\n") {
		t.Errorf("diff of the keepalive commit:\n%s", dr)
	}

	// Dated by the sync's clock: on that clock, the next quiet run finds the
	// branch young and commits nothing.
	e.syncAt(t, day51.Add(time.Hour), dir, exitOK, "--keepalive", "50d")
	if n := commitCount(t, dir); n != 2 {
		t.Fatalf("%d commits an hour after the keepalive, want 2", n)
	}
	// Without --keepalive, nothing is committed however old the branch.
	e.syncAt(t, day51.Add(100*24*time.Hour), dir, exitOK)
	if n := commitCount(t, dir); n != 2 {
		t.Fatalf("%d commits without --keepalive, want 2", n)
	}
}

func TestKeepaliveFlag(t *testing.T) {
	for in, want := range map[string]time.Duration{"50d": 50 * 24 * time.Hour, "1.5d": 36 * time.Hour, "1200h": 1200 * time.Hour, "0": 0} {
		var d longDuration
		if err := d.UnmarshalText([]byte(in)); err != nil || time.Duration(d) != want {
			t.Errorf("%q: %v, %v; want %v", in, time.Duration(d), err, want)
		}
	}
	for _, in := range []string{"", "d", "-1d", "50 days", "-5h", "1e9d"} {
		var d longDuration
		if err := d.UnmarshalText([]byte(in)); err == nil {
			t.Errorf("%q: accepted as %v", in, time.Duration(d))
		}
	}
	r := runArgs(context.Background(), "sync", "--demo", "--repo", t.TempDir(), "--keepalive", "soon")
	if r.code != exitUsage || !strings.Contains(r.stderr, `want a number of days such as 50d`) {
		t.Errorf("a bad --keepalive: %s", r)
	}
}
