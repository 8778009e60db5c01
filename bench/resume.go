package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// exitIncomplete is the CLI's exit code of a sync stopped at --max-duration.
const exitIncomplete = 5

// resumeResult holds the figures of the resume benchmark for one size.
type resumeResult struct {
	Size          string
	Pages         int
	FullRequests  int
	FullCrawl     time.Duration
	Box           time.Duration // the --max-duration given
	BoxRequests   [2]int        // the time-boxed sync and the one completing it
	BoxRatio      float64
	BoxSame       bool // the completed tree is the uninterrupted sync's
	KillAfter     time.Duration
	KillRequests  [2]int
	KillRatio     float64
	KillSame      bool
	Checkpoints   exporter.CheckpointCounts // of the time-boxed sync
	CheckpointCap time.Duration             // its crawl time, to weigh them against
}

// runResume measures time-boxed and killed first syncs that a second run
// completes, against one uninterrupted first sync, all through the real
// binary against one emulator (a sync only reads it, so the three see the
// same workspace and their trees compare byte for byte).
func runResume(ctx context.Context, c config) (*resumeResult, error) {
	f, srv, hs, err := serve(c)
	if err != nil {
		return nil, err
	}
	defer hs.Close()
	res := &resumeResult{Size: c.Size, Pages: len(f.Pages)}
	// The checkpoint interval is a minute of Notion's pace, scaled as the
	// pace is; so is the share of the crawl checkpoints may take, since
	// writing one takes the same time at any pace.
	every := []string{"--checkpoint-interval", (time.Duration(float64(time.Minute) / c.Scale)).String(),
		"--checkpoint-budget", fmt.Sprint(exporter.DefaultCheckpointBudget * c.Scale)}
	requests := func() int {
		n := 0
		for _, v := range srv.Counts() {
			n += v
		}
		return n
	}

	whole := filepath.Join(c.WorkDir, c.Size+"-whole")
	box := filepath.Join(c.WorkDir, c.Size+"-box")
	killed := filepath.Join(c.WorkDir, c.Size+"-kill")
	for _, dir := range []string{whole, box, killed} {
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
	}
	before := requests()
	rep, code, _, err := c.syncCode(ctx, hs.URL, whole, nil, every...)
	if err != nil || code != 0 {
		return nil, fmt.Errorf("uninterrupted sync: exit %d: %v", code, err)
	}
	res.FullRequests, res.FullCrawl = requests()-before, rep.Duration

	// Time-boxed at half the crawl, then completed.
	res.Box = res.FullCrawl / 2
	before = requests()
	rep, code, _, err = c.syncCode(ctx, hs.URL, box, nil, append(every, "--max-duration", res.Box.String())...)
	if err != nil || code != exitIncomplete {
		return nil, fmt.Errorf("time-boxed sync: exit %d, want %d: %v", code, exitIncomplete, err)
	}
	res.BoxRequests[0] = requests() - before
	res.Checkpoints, res.CheckpointCap = rep.Checkpoints, rep.Duration
	if err := unmoved(ctx, box); err != nil {
		return nil, fmt.Errorf("time-boxed sync: %w", err)
	}
	before = requests()
	if _, code, _, err = c.syncCode(ctx, hs.URL, box, nil, every...); err != nil || code != 0 {
		return nil, fmt.Errorf("sync after the time-boxed one: exit %d: %v", code, err)
	}
	res.BoxRequests[1] = requests() - before
	res.BoxRatio = float64(res.BoxRequests[0]+res.BoxRequests[1]) / float64(res.FullRequests)
	if res.BoxSame, err = sameSnapshot(ctx, whole, box); err != nil {
		return nil, err
	}

	// Killed (SIGKILL) at half the crawl, then completed.
	res.KillAfter = res.FullCrawl / 2
	before = requests()
	if _, code, _, err = c.syncCode(ctx, hs.URL, killed, &res.KillAfter, every...); err != nil || code != -1 {
		return nil, fmt.Errorf("killed sync: exit %d, want killed: %v", code, err)
	}
	res.KillRequests[0] = requests() - before
	if err := unmoved(ctx, killed); err != nil {
		return nil, fmt.Errorf("killed sync: %w", err)
	}
	before = requests()
	if _, code, _, err = c.syncCode(ctx, hs.URL, killed, nil, every...); err != nil || code != 0 {
		return nil, fmt.Errorf("sync after the killed one: exit %d: %v", code, err)
	}
	res.KillRequests[1] = requests() - before
	res.KillRatio = float64(res.KillRequests[0]+res.KillRequests[1]) / float64(res.FullRequests)
	if res.KillSame, err = sameSnapshot(ctx, whole, killed); err != nil {
		return nil, err
	}
	return res, nil
}

// syncCode runs the CLI once, killing it with SIGKILL after killAfter if
// set, and returns its report (nil when it wrote none), exit code (-1 when
// killed) and wall time.
func (c config) syncCode(ctx context.Context, url, repo string, killAfter *time.Duration, extra ...string) (*exporter.Report, int, time.Duration, error) {
	report := repo + ".report.json"
	os.Remove(report)
	args := append([]string{"sync", "--repo", repo, "--api-url", url,
		"--rate", fmt.Sprint(c.rate()), "--concurrency", fmt.Sprint(c.Concurrency), "--report", report, "--quiet"}, extra...)
	cmd := exec.CommandContext(ctx, c.Binary, args...)
	cmd.Env = append(os.Environ(), "NOTION_TOKEN="+emulator.DefaultToken)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, 0, err
	}
	if killAfter != nil {
		timer := time.AfterFunc(*killAfter, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
		defer timer.Stop()
	}
	err := cmd.Wait()
	wall := time.Since(start)
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		return nil, 0, wall, err
	}
	b, err := os.ReadFile(report)
	if errors.Is(err, os.ErrNotExist) {
		return nil, code, wall, nil
	}
	if err != nil {
		return nil, code, wall, err
	}
	var r exporter.Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, code, wall, err
	}
	return &r, code, wall, nil
}

// unmoved checks that an incomplete sync left no branch (a first sync) and a
// checkpoint.
func unmoved(ctx context.Context, repo string) error {
	if _, err := gitOut(ctx, repo, "rev-parse", "--verify", "-q", "refs/heads/main"); err == nil {
		return errors.New("the branch moved")
	}
	if _, err := gitOut(ctx, repo, "rev-parse", "--verify", "-q", "refs/notion-git/checkpoints/main"); err != nil {
		return errors.New("no checkpoint ref")
	}
	return nil
}

// sameSnapshot compares two repositories' HEAD trees but for the sync
// state, whose crawl times differ, and checks that no checkpoint is left.
func sameSnapshot(ctx context.Context, a, b string) (bool, error) {
	if _, err := gitOut(ctx, b, "rev-parse", "--verify", "-q", "refs/notion-git/checkpoints/main"); err == nil {
		return false, errors.New("checkpoint ref kept after the snapshot was complete")
	}
	var trees [2]string
	for i, repo := range []string{a, b} {
		out, err := gitOut(ctx, repo, "ls-tree", "-r", "HEAD")
		if err != nil {
			return false, err
		}
		var lines []string
		for _, l := range strings.Split(out, "\n") {
			_, path, _ := strings.Cut(l, "\t")
			if info, _ := layout.ParsePath(path); info.Kind != layout.PathState && info.Kind != layout.PathStateShard {
				lines = append(lines, l)
			}
		}
		trees[i] = strings.Join(lines, "\n")
	}
	return trees[0] == trees[1], nil
}

func gitOut(ctx context.Context, repo string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "git", append([]string{"-C", repo}, args...)...).Output()
	return string(out), err
}

func printResume(w io.Writer, r *resumeResult) {
	fmt.Fprintf(w, "%s: %d pages; an uninterrupted first sync: %d requests, crawl %s\n", r.Size, r.Pages, r.FullRequests, r.FullCrawl.Round(time.Millisecond))
	fmt.Fprintf(w, "  --max-duration %s, then again: requests/uninterrupted %.3f (%d + %d)   same tree %v\n",
		r.Box.Round(time.Millisecond), r.BoxRatio, r.BoxRequests[0], r.BoxRequests[1], r.BoxSame)
	fmt.Fprintf(w, "  kill -9 after %s, then again:  requests/uninterrupted %.3f (%d + %d)   same tree %v\n",
		r.KillAfter.Round(time.Millisecond), r.KillRatio, r.KillRequests[0], r.KillRequests[1], r.KillSame)
	if n := r.Checkpoints.Count; n > 0 {
		fmt.Fprintf(w, "  checkpoints of the time-boxed sync: %d, %s in all (%.2f%% of its %s), longest %s, mean %s\n",
			n, r.Checkpoints.Total.Round(time.Millisecond), 100*r.Checkpoints.Total.Seconds()/r.CheckpointCap.Seconds(),
			r.CheckpointCap.Round(time.Millisecond), r.Checkpoints.Longest.Round(time.Millisecond),
			(r.Checkpoints.Total / time.Duration(n)).Round(time.Millisecond))
	}
}
