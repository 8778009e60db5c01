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
	// real clock (uploads expire by it), counting the requests it serves.
	target := func() (*emulator.Server, string, *atomic.Int64) {
		s := emulator.New(workspace.Empty("Restored"), emulator.Options{Latency: time.Millisecond})
		var served atomic.Int64
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			served.Add(1)
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
	requests := refServed.Load()
	t.Logf("an uninterrupted restore takes %s and %d requests: %d comments, %d uploads (%d attached)", span, requests, total(wantComments), wantUploads.Created, wantUploads.Attached)

	dst, url, served := target()
	rng := rand.New(rand.NewPCG(11, 9))
	killed, ended := 0, 0
	var at []string // what the copy held at each kill: comments/uploads
	for range *restoreKill9Tries {
		cmd := restore(url)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Each run is killed after a random share (on average 3/2 of its
		// share, as a resume reads again what it checks) of a whole run's
		// requests, counted from its own first one, so that the kills fall
		// all along the restore (not in the decoding of the snapshot before
		// it) and every run makes progress. The wall clock only bounds the
		// wait for a run that ends first.
		goal := served.Load() + 1 + rng.Int64N(3*requests/int64(*restoreKill9Tries))
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
		at = append(at, fmt.Sprintf("%d/%d", total(dst.CommentTexts()), dst.Uploads().Created))
	}
	t.Logf("comments/uploads in the copy at each kill: %s", strings.Join(at, " "))
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
