package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// restoreMemoryTarget is the peak resident memory a restore of the large
// workspace may reach (issue 11: it holds the plan and the pages in flight,
// never the decoded snapshot).
const restoreMemoryTarget = 400 << 20

// streamMain measures the peak resident memory of `notion-git restore`: for
// each size it syncs the generated workspace into a repository through the
// CLI (kept in the working folder and reused when there), then restores
// HEAD into an emulator holding one empty page, unpaced, and follows the
// restore process's VmHWM. With baseline, the binary at that path restores
// the same snapshot too, for a before/after ratio. The restore inherits the
// environment: NOTION_GIT_MEMPROFILE=FILE makes it write a heap profile at
// the peak of its live heap (go tool pprof FILE), and GOMEMLIMIT=off
// measures it without its soft memory limit.
func streamMain(ctx context.Context, out io.Writer, sizes []string, concurrency int, work, baseline string) error {
	work, bin, done, err := prepare(ctx, work)
	if err != nil {
		return err
	}
	defer done()
	for _, size := range sizes {
		size = strings.TrimSpace(size)
		// Pacing is not measured here: rate and latency are scaled out of
		// the way so that the runs take minutes.
		c := config{Size: size, Scale: 1e4, Concurrency: concurrency, Binary: bin, WorkDir: work}
		f, _, hs, err := serve(c)
		if err != nil {
			return err
		}
		repo := filepath.Join(work, size+"-restore")
		if _, err := os.Stat(filepath.Join(repo, ".git")); err != nil {
			if _, _, _, err := c.sync(ctx, hs.URL, repo, "--full"); err != nil {
				hs.Close()
				return fmt.Errorf("%s: sync: %w", size, err)
			}
		}
		hs.Close()
		fmt.Fprintf(out, "%s: %d pages, %d blocks\n", size, len(f.Pages), len(f.Blocks))
		var peaks []int64
		for _, b := range []string{bin, baseline} {
			if b == "" {
				continue
			}
			rss, wall, err := restoreOnce(ctx, b, repo, concurrency)
			if err != nil {
				return fmt.Errorf("%s: restore with %s: %w", size, b, err)
			}
			peaks = append(peaks, rss)
			name := "this build"
			if b == baseline {
				name = "baseline " + b
			}
			fmt.Fprintf(out, "  restore (%s): peak RSS %d MB   peak/target(400 MB) %.3f   %.1f KB per block   wall %s\n",
				name, rss>>20, float64(rss)/restoreMemoryTarget, float64(rss)/1024/float64(max(len(f.Blocks), 1)), wall.Round(time.Second))
		}
		if len(peaks) == 2 {
			fmt.Fprintf(out, "  peak RSS this build / baseline %.3f\n", float64(peaks[0])/float64(peaks[1]))
		}
	}
	return nil
}

// restoreOnce restores HEAD of repo into a fresh emulator holding one empty
// page and returns the restore process's peak resident memory and wall time.
func restoreOnce(ctx context.Context, bin, repo string, concurrency int) (int64, time.Duration, error) {
	srv := emulator.New(workspace.Empty("Restored"), emulator.Options{Seed: 1})
	hs, err := emulator.Listen("127.0.0.1:0", srv)
	if err != nil {
		return 0, 0, err
	}
	defer hs.Close()
	cmd := exec.CommandContext(ctx, bin, "restore", "HEAD", "--repo", repo, "--to", workspace.EmptyTargetID, "--fresh",
		"--api-url", hs.URL, "--rate", "100000", "--concurrency", fmt.Sprint(concurrency), "--quiet")
	cmd.Env = append(os.Environ(), "NOTION_TOKEN="+emulator.DefaultToken)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	err = cmd.Wait()
	wall := time.Since(start)
	rss := peak()
	return rss, wall, err
}
