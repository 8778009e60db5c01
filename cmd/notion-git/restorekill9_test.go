package main

import (
	"flag"
	"math/rand/v2"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
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
	// real clock (uploads expire by it).
	target := func() (*emulator.Server, string) {
		s := emulator.New(workspace.Empty("Restored"), emulator.Options{Latency: time.Millisecond})
		hs := httptest.NewServer(s)
		t.Cleanup(hs.Close)
		return s, hs.URL
	}
	restore := func(url string, extra ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"restore", commit, "--repo", dir, "--to", workspace.EmptyTargetID,
			"--api-url", url, "--token", emulator.DefaultToken, "--rate", "100000", "--quiet"}, extra...)...)
		cmd.Env = gitEnv()
		return cmd
	}

	ref, refURL := target()
	start := time.Now()
	if out, err := restore(refURL).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted restore: %v\n%s", err, out)
	}
	// The wall time only spreads the kills over a real run; no check
	// depends on it.
	span := time.Since(start)
	wantComments, wantUploads := ref.CommentTexts(), ref.Uploads()
	t.Logf("an uninterrupted restore takes %s: %d comments, %d uploads (%d attached)", span, total(wantComments), wantUploads.Created, wantUploads.Attached)

	dst, url := target()
	rng := rand.New(rand.NewPCG(11, 9))
	killed, ended := 0, 0
	for range *restoreKill9Tries {
		cmd := restore(url)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Each run gets a random share of a whole run's time, so that the
		// kills fall all along the restore and every run makes progress.
		time.Sleep(time.Duration(rng.Int64N(int64(span) * 2 / int64(*restoreKill9Tries))))
		cmd.Process.Kill() // SIGKILL
		if cmd.Wait() == nil {
			ended++
		} else {
			killed++
		}
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
