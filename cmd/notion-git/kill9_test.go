package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

var (
	kill9      = flag.Bool("kill9", false, "run TestKill9: kill -9 real sync processes at random moments (minutes)")
	kill9Tries = flag.Int("kill9-tries", 30, "with -kill9: how many syncs to kill")
)

// TestKill9 builds the binary, serves a generated medium workspace with
// latency over loopback, and kills a real `notion-git sync` with SIGKILL at
// random moments of its run, each run having something to commit; the next
// run must recover by itself every time: exit 0, a clean working tree, and a
// repository git fsck accepts. Run it with
//
//	go test ./cmd/notion-git -run TestKill9 -kill9 -v
func TestKill9(t *testing.T) {
	if !*kill9 {
		t.Skip("kill -9 matrix: pass -kill9 to run it (takes minutes)")
	}
	bin := filepath.Join(t.TempDir(), "notion-git")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f := workspace.Generate(workspace.Medium())
	srv := emulator.New(f, emulator.Options{Clock: pinnedClock, Latency: 2 * time.Millisecond})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	e := &localNotion{Server: srv, URL: hs.URL, Token: emulator.DefaultToken}
	dir := newRepoDir(t)

	syncCmd := func() *exec.Cmd {
		cmd := exec.Command(bin, e.syncArgs(dir, "--quiet")...)
		cmd.Env = gitEnv()
		return cmd
	}
	runSync := func() (int, string) {
		out, err := syncCmd().CombinedOutput()
		if x, ok := err.(*exec.ExitError); ok {
			return x.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	var pageIDs []string
	for _, p := range f.Pages {
		if id, ok := p["id"].(string); ok {
			pageIDs = append(pageIDs, id)
		}
	}
	rng := rand.New(rand.NewPCG(9, 9))
	edits := 0
	// edit renames a few pages, so that the next sync has a commit to make
	// and a working tree to refresh.
	edit := func() {
		for range 150 {
			edits++
			if err := e.SetTitle(pageIDs[rng.IntN(len(pageIDs))], fmt.Sprintf("Renamed %d", edits)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if code, out := runSync(); code != exitOK {
		t.Fatalf("first sync: exit %d\n%s", code, out)
	}
	// The duration of a committing run, over which the kills are spread,
	// and of its commit phase (tree, commit, branch move, refresh), the
	// last part of the run, where every other kill is aimed.
	edit()
	report := filepath.Join(t.TempDir(), "report.json")
	start := time.Now()
	cmd := syncCmd()
	cmd.Args = append(cmd.Args, "--report", report)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("second sync: %v\n%s", err, out)
	}
	// The wall time of a sync only spreads the kills over a real run; no
	// check depends on it.
	span := time.Since(start)
	var counts struct {
		Commit time.Duration `json:"commit_ns"`
	}
	if b, err := os.ReadFile(report); err != nil || json.Unmarshal(b, &counts) != nil {
		t.Fatalf("read the report: %v", err)
	}
	commit := max(counts.Commit, time.Millisecond)
	t.Logf("a committing sync takes %s, its commit phase %s", span, commit)

	recovered, finished, moved, pending := 0, 0, 0, 0
	marker := filepath.Join(dir, ".git", "notion-git", "refresh.json")
	for i := range *kill9Tries {
		edit()
		before := git(t, dir, "rev-parse", "HEAD")
		cmd := syncCmd()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(rng.Int64N(int64(span)))
		if i%2 == 1 {
			// In or around the commit phase, which ends with the run.
			from := max(span-2*commit, 0)
			delay = from + time.Duration(rng.Int64N(int64(span+commit/4-from)))
		}
		time.Sleep(delay)
		cmd.Process.Kill() // SIGKILL
		waitErr := cmd.Wait()
		switch {
		case waitErr == nil:
			finished++ // it ended before the kill
		case git(t, dir, "rev-parse", "HEAD") != before:
			moved++
		}
		_, err := os.Stat(marker)
		wasPending := err == nil
		if wasPending {
			pending++
		}

		code, out := runSync()
		status := git(t, dir, "status", "--porcelain", "--untracked-files=all")
		fsck, fsckErr := tryGit(dir, "fsck", "--strict", "--no-progress", "--no-dangling")
		ok := code == exitOK && status == "" && fsckErr == nil && !strings.Contains(fsck, "error") && !strings.Contains(fsck, "warning")
		if ok {
			recovered++
		} else {
			t.Errorf("try %d (killed after %s, %v; refresh pending: %v): next sync exit %d\n%s\nstatus:\n%s\nfsck: %v\n%s",
				i, delay, waitErr, wasPending, code, out, status, fsckErr, fsck)
		}
	}
	t.Logf("%d of %d killed syncs recovered on the next run; %d had ended before the kill, %d were killed after the branch moved, %d with a refresh pending",
		recovered, *kill9Tries, finished, moved, pending)
}
