// Command bench measures notion-git sync against the emulator and prints the
// ratios the project's targets are stated in:
//
//	go run ./bench -sizes small,medium,large
//
// It builds the CLI, serves a generated workspace from the emulator with
// Notion's rate and latency scaled down together, and drives the binary: a
// full sync, then an incremental one after editing 10 pages, then the git
// command line's `git add -A && git commit` on the same tree.
//
//	go run ./bench -resume -sizes medium
//
// measures instead a first sync stopped by --max-duration at half its crawl
// time, and one killed with SIGKILL at half, each completed by a second run,
// against one uninterrupted first sync.
//
//	go run ./bench -restore-memory -sizes medium,large [-baseline OLD-BINARY]
//
// measures the peak resident memory of a restore (stream.go).
//
//	go run ./bench -restore -sizes medium,large
//
// measures a restore of the synced workspace into an empty page, and its
// --dry-run, against the importer's own bound (restore.go).
//
//	go run ./bench -schedule -sizes medium,large [-runs 6] [-work DIR]
//
// plays the hourly schedule on a simulated clock (schedule.go): a full
// sync, then hourly syncs after 10 page edits each, and prints what each
// costs by purpose of its requests, peak memory, CPU time, the medium →
// large growth of the CPU, and how fresh pages and block comments stay.
//
//	go run ./bench -year -sizes medium [-syncs N] [-work DIR]
//
// plays a year of hourly syncs with a few edits each (year.go), or as many
// as fit in -minutes, and prints the pack count, the repository's size and
// the time of `notion-git log -n 20` as it goes, with the extrapolation to a
// year. Both set the CLI's clock with NOTION_GIT_CLOCK (cmd/notion-git/clock.go).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	sizes := flag.String("sizes", "small", "comma-separated sizes: small, medium, large")
	scale := flag.Float64("scale", 100, "how much faster than Notion to run: rate ×scale, latency ÷scale")
	concurrency := flag.Int("concurrency", 8, "requests in flight")
	changed := flag.Int("changed", 10, "pages edited before the incremental sync")
	work := flag.String("work", "", "working directory (default: a temporary one)")
	gitCompare := flag.Bool("git", true, "time `git add -A && git commit` on the same tree")
	resume := flag.Bool("resume", false, "measure time-boxed and killed first syncs that a second run completes")
	restoreMemory := flag.Bool("restore-memory", false, "measure the peak resident memory of a restore instead (stream.go)")
	baseline := flag.String("baseline", "", "with -restore-memory: another notion-git binary to restore the same snapshot with, for a before/after ratio")
	restore := flag.Bool("restore", false, "measure a restore into an empty page and its --dry-run (restore.go)")
	restoreLog := flag.String("restore-log", "", "with -restore, write the emulator's request log of each restore to FILE.<size>")
	notionVersion := flag.String("notion-version", "", "Notion-Version the restore speaks (default: the CLI's)")
	pacing := flag.Bool("pacing", false, "measure the adaptive pacer instead: a sync at --rate twice the emulator's budget against one at the budget (pacing.go)")
	schedule := flag.Bool("schedule", false, "play the hourly schedule on a simulated clock (schedule.go)")
	runs := flag.Int("runs", 6, "with -schedule: hourly runs after the full sync")
	last := flag.Int("last", 3, "with -schedule: the figures are the mean of the last N runs")
	year := flag.Bool("year", false, "play a year of hourly syncs on a simulated clock (year.go)")
	syncs := flag.Int("syncs", 0, "with -year: hourly syncs to run (default: as many as fit in -minutes, at most 8760)")
	minutes := flag.Float64("minutes", 20, "with -year and no -syncs: how long the syncs may take, per size")
	every := flag.Int("every", 100, "with -year: print the figures every N syncs")
	yearEdits := flag.Int("year-edits", 3, "with -year: page edits before each sync")
	pageBound := flag.Duration("page-bound", 7*24*time.Hour, "with -schedule or -year: the documented bound on a page's re-verification, checked on the clock")
	commentBound := flag.Duration("comment-bound", 7*24*time.Hour, "with -schedule or -year: the documented bound on a block's comment check")
	syncFlags := flag.String("sync-flags", "", "with -schedule or -year: more flags for every incremental sync, space-separated (e.g. \"--comments all\")")
	flag.Parse()
	sc := scheduleConfig{config: config{Scale: *scale, Concurrency: *concurrency, WorkDir: *work},
		Runs: *runs, Edits: *changed, Last: *last, PageBound: *pageBound, CommentBound: *commentBound,
		Keep: *work != "", Extra: strings.Fields(*syncFlags)}
	if *schedule {
		if err := scheduleMain(context.Background(), os.Stdout, strings.Split(*sizes, ","), sc); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *year {
		sc.Edits = *yearEdits
		yc := yearConfig{scheduleConfig: sc, Syncs: *syncs, Budget: time.Duration(*minutes * float64(time.Minute)), Every: *every}
		if err := yearMain(context.Background(), os.Stdout, strings.Split(*sizes, ","), yc); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *restoreMemory {
		if err := streamMain(context.Background(), os.Stdout, strings.Split(*sizes, ","), *concurrency, *work, *baseline); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *pacing {
		if err := pacingMain(context.Background(), os.Stdout, *work); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *restore {
		if err := restoreMain(context.Background(), os.Stdout, strings.Split(*sizes, ","), *scale, *concurrency, *work, *notionVersion, *restoreLog); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *resume {
		if err := resumeMain(context.Background(), os.Stdout, strings.Split(*sizes, ","), *scale, *concurrency, *work); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := benchMain(context.Background(), os.Stdout, strings.Split(*sizes, ","), *scale, *concurrency, *changed, *work, *gitCompare); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// prepare makes the working directory (a temporary one when work is "";
// done removes it) and builds the CLI into it.
func prepare(ctx context.Context, work string) (dir, bin string, done func(), err error) {
	done = func() {}
	if work == "" {
		if work, err = os.MkdirTemp("", "notion-git-bench-"); err != nil {
			return "", "", nil, err
		}
		tmp := work
		done = func() { os.RemoveAll(tmp) }
	}
	bin = filepath.Join(work, "notion-git")
	if err := buildCLI(ctx, bin); err != nil {
		done()
		return "", "", nil, err
	}
	return work, bin, done, nil
}

func benchMain(ctx context.Context, out io.Writer, sizes []string, scale float64, concurrency, changed int, work string, gitCompare bool) error {
	work, bin, done, err := prepare(ctx, work)
	if err != nil {
		return err
	}
	defer done()
	for _, size := range sizes {
		start := time.Now()
		r, err := run(ctx, config{Size: strings.TrimSpace(size), Scale: scale, Concurrency: concurrency,
			Changed: changed, Binary: bin, WorkDir: work, CompareGit: gitCompare})
		if err != nil {
			return fmt.Errorf("%s: %w", size, err)
		}
		printResult(out, r)
		fmt.Fprintf(out, "  (measured in %s)\n\n", time.Since(start).Round(time.Second))
	}
	return nil
}

func resumeMain(ctx context.Context, out io.Writer, sizes []string, scale float64, concurrency int, work string) error {
	work, bin, done, err := prepare(ctx, work)
	if err != nil {
		return err
	}
	defer done()
	for _, size := range sizes {
		start := time.Now()
		r, err := runResume(ctx, config{Size: strings.TrimSpace(size), Scale: scale, Concurrency: concurrency, Binary: bin, WorkDir: work})
		if err != nil {
			return fmt.Errorf("%s: %w", size, err)
		}
		printResume(out, r)
		fmt.Fprintf(out, "  (measured in %s)\n\n", time.Since(start).Round(time.Second))
	}
	return nil
}

func printResult(w io.Writer, r *result) {
	fmt.Fprintf(w, "%s: %d pages, %d blocks, %d attachments; rate %.0f/s\n", r.Size, r.Pages, r.Blocks, r.Files, r.Rate)
	fmt.Fprintf(w, "  bound: %s\n", r.Bound)
	fmt.Fprintf(w, "  full crawl:   requests/bound %.3f (%d/%d)   wall/(requests/rate) %.3f (%s)   peak RSS %d MB   429s %d\n",
		r.RequestsPerBound, r.FullRequests, r.Bound.Total(), r.WallPerBound, r.FullWall.Round(time.Millisecond), r.FullRSS>>20, r.RateLimited)
	fmt.Fprintf(w, "                crawl/(requests/rate) %.3f (the crawl took %s; writing the commit and checking out %s files took %s more)\n",
		r.FullSync.Seconds()/(float64(r.FullRequests)/r.Rate), r.FullSync.Round(time.Millisecond), fmt.Sprint(r.Blocks+r.Pages), r.FullCommit.Round(time.Millisecond))
	fmt.Fprintf(w, "  incremental:  requests/expected %.3f (%d/%d)   requests/full %.4f   wall %s\n",
		r.IncPerExpected, r.IncRequests, r.IncExpected, r.IncPerFull, r.IncWall.Round(time.Millisecond))
	if r.GitTime > 0 {
		fmt.Fprintf(w, "  commit:       notion-git %s / git add -A && git commit %s = %.3f\n",
			r.CommitTime.Round(time.Millisecond), r.GitTime.Round(time.Millisecond), r.CommitPerGit)
	}
}

// moduleRoot finds the directory holding go.mod, from the working directory up.
func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// buildCLI builds cmd/notion-git into bin.
func buildCLI(ctx context.Context, bin string) error {
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/notion-git")
	build.Dir = moduleRoot()
	if b, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v: %s", err, b)
	}
	return nil
}
