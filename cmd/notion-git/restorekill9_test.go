package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

var (
	restoreKill9      = flag.Bool("restorekill9", false, "run TestRestoreKill9: kill -9 a real restore at random moments and resume it (minutes)")
	restoreKill9Tries = flag.Int("restorekill9-tries", 20, "with -restorekill9: how many times to kill the restore")
	restoreKill9Size  = flag.String("restorekill9-size", "medium", "with -restorekill9: the generated workspace, small or medium")
)

// TestRestoreKill9 builds the binary, syncs a generated workspace, and
// restores it over loopback into an emulated empty page, killing the
// `notion-git restore` process with SIGKILL at random moments and running
// it again each time, until a run finishes. The copy must then be the one
// an uninterrupted restore makes (checked by the final run's --verify, and
// by the emulator's counts): no comment posted twice, no file upload left
// unattached. Run it with
//
//	go test ./cmd/notion-git -run TestRestoreKill9 -restorekill9 -v
func TestRestoreKill9(t *testing.T) {
	if !*restoreKill9 {
		t.Skip("kill -9 of restores: pass -restorekill9 to run it (takes minutes)")
	}
	bin := filepath.Join(t.TempDir(), "notion-git")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	size := workspace.Medium()
	if *restoreKill9Size == "small" {
		size = workspace.Small()
	}
	src := httptest.NewServer(emulator.New(workspace.Generate(size), emulator.Options{}))
	t.Cleanup(src.Close)
	dir := filepath.Join(t.TempDir(), "repo")
	if code, _, errOut := runCLI(t, "sync", "--repo", dir, "--api-url", src.URL, "--token", emulator.DefaultToken,
		"--rate", "100000", "--full", "--comments", "all", "-q"); code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, errOut)
	}
	commit := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))

	// A target is an emulator with one empty page, with latency, on its own
	// real clock (uploads expire by it), counting the writes it serves.
	target := func() (*emulator.Server, string, *atomic.Int64) {
		s := emulator.New(workspace.Empty("Restored"), emulator.Options{Latency: time.Millisecond})
		var served atomic.Int64
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && !strings.HasSuffix(r.URL.Path, "/query") && !strings.HasSuffix(r.URL.Path, "/search") {
				served.Add(1)
			}
			s.ServeHTTP(w, r)
		}))
		t.Cleanup(hs.Close)
		return s, hs.URL, &served
	}
	restore := func(url string, extra ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"restore", commit, "--repo", dir, "--to", workspace.EmptyTargetID,
			"--api-url", url, "--token", emulator.DefaultToken, "--rate", "100000", "--quiet"}, extra...)...)
		cmd.Env = gitEnv()
		return cmd
	}

	ref, refURL, refServed := target()
	start := time.Now()
	if out, err := restore(refURL).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted restore: %v\n%s", err, out)
	}
	span := time.Since(start) // for the log only
	wantComments, wantUploads := ref.CommentTexts(), ref.Uploads()
	writes := refServed.Load()
	t.Logf("an uninterrupted restore takes %s and %d writes: %d comments, %d uploads (%d attached)", span, writes, total(wantComments), wantUploads.Created, wantUploads.Attached)
	// The kills fall at random points of the write sequence, one per run:
	// the copy's writes are the restore's progress (a resume reads again,
	// and writes only what is missing), so the kills spread along the
	// whole restore rather than over the decoding of the snapshot that
	// starts every run.
	// The points lie before an uninterrupted run's last write: a kill loses
	// the answers of the writes in flight, and those that are idempotent
	// (property and schema updates) are simply sent again, so a resumed
	// sequence is never shorter and every point is reached by a run.
	points := make([]int64, *restoreKill9Tries)
	rng := rand.New(rand.NewPCG(11, 9))
	for i := range points {
		points[i] = 1 + rng.Int64N(writes-1)
	}
	slices.Sort(points)

	dst, url, served := target()
	killed, ended := 0, 0
	var at []string // what the copy held at each kill: comments/uploads
	for i := range *restoreKill9Tries {
		cmd := restore(url)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The wall clock only bounds the wait for a run that ends first.
		goal := points[i]
		exited := make(chan struct{})
		var state *os.ProcessState
		go func() { state, _ = cmd.Process.Wait(); close(exited) }()
	wait:
		for served.Load() < goal {
			select {
			case <-exited:
				break wait
			case <-time.After(200 * time.Microsecond):
			}
		}
		cmd.Process.Kill() // SIGKILL
		<-exited
		if state != nil && state.Success() {
			ended++
		} else {
			killed++
		}
		at = append(at, fmt.Sprintf("%d:%d/%d", served.Load(), total(dst.CommentTexts()), dst.Uploads().Created))
	}
	t.Logf("comments/uploads in the copy at each kill: %s", strings.Join(at, " "))
	if killed != *restoreKill9Tries {
		t.Errorf("%d of %d runs were killed; %d ended first", killed, *restoreKill9Tries, ended)
	}
	out, err := restore(url, "--verify").CombinedOutput()
	if err != nil {
		t.Fatalf("final run after %d kills: %v\n%s", killed, err, out)
	}
	gotComments, gotUploads := dst.CommentTexts(), dst.Uploads()
	extra, missing := 0, 0
	for k, n := range gotComments {
		extra += max(0, n-wantComments[k])
	}
	for k, n := range wantComments {
		missing += max(0, n-gotComments[k])
	}
	t.Logf("%d runs killed, %d ended before the kill; then: %d comments (%d posted twice, %d missing), %d uploads created, %d attached, %d orphaned",
		killed, ended, total(gotComments), extra, missing, gotUploads.Created, gotUploads.Attached, gotUploads.Orphaned())
	// Writes a resumed copy took beyond an uninterrupted one, by endpoint:
	// what the kills cost.
	refCounts := ref.Counts()
	var more []string
	for k, n := range dst.Counts() {
		if k.Status/100 == 2 && n > refCounts[k] && !strings.HasPrefix(k.Endpoint, "GET") && !strings.HasSuffix(k.Endpoint, "/query") && !strings.HasSuffix(k.Endpoint, "/search") {
			more = append(more, fmt.Sprintf("%s +%d", k.Endpoint, n-refCounts[k]))
		}
	}
	slices.Sort(more)
	t.Logf("writes beyond an uninterrupted restore: %s", strings.Join(more, ", "))
	if extra != 0 || missing != 0 {
		t.Errorf("%d comments posted twice, %d missing", extra, missing)
	}
	if gotUploads.Orphaned() != 0 || gotUploads.Created != wantUploads.Created {
		t.Errorf("%d uploads created, %d attached (%d orphaned); uninterrupted: %d", gotUploads.Created, gotUploads.Attached, gotUploads.Orphaned(), wantUploads.Created)
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
