package main

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The year (-year): a full sync, then hourly syncs with a few page edits
// each, on the simulated clock, for a year (8,760 syncs) or as many as fit
// in the time budget. It follows what a year of a scheduled job does to the
// repository: the pack count (after every sync), the size of .git and the
// time of `notion-git log -n 20` (every Every syncs), and at the end
// `git fsck --strict`; and prints the per-sync growth and where it leads
// after a year.

// yearSyncs is a year of hourly syncs.
const yearSyncs = 8760

type yearConfig struct {
	scheduleConfig
	Syncs  int           // 0: as many as fit in Budget
	Budget time.Duration // for the syncs, per size
	Every  int
}

// calibration is how many syncs are timed to choose how many fit the budget.
const calibration = 5

// logRuns is how many times `notion-git log -n 20` is timed (the median is kept).
const logRuns = 5

type yearPoint struct {
	Sync     int
	Packs    int
	GitBytes int64
	Log      time.Duration
}

// yearResult is what the smoke test checks of a year.
type yearResult struct {
	Points      []yearPoint
	MaxPacks    int
	Unreachable int
}

func runYear(ctx context.Context, out io.Writer, c yearConfig) (*yearResult, error) {
	clock := newSimClock(scheduleStart)
	c.Clock = clock.Now
	if c.Keep {
		c.Addr = keptAddr(c.WorkDir, c.Size)
	}
	f, srv, hs, err := serve(c.config)
	if err != nil {
		return nil, err
	}
	defer hs.Close()
	model := newModel(srv.Fixture())
	dir := filepath.Join(c.WorkDir, "year-"+c.Size)
	seed, reused, err := c.seed(ctx, hs.URL, dir, clock, model, srv, c.Keep)
	if err != nil {
		return nil, err
	}
	printSeed(out, c.Size, len(f.Pages), len(f.Blocks), model.fullBound(), seed, reused, c.rate())
	fresh := newFreshness(model, seed.Start, seed.BlockComments >= model.blockCount())
	ed := newEditor(srv, model, clock, fresh)

	first := yearPoint{Packs: packCount(dir), GitBytes: dirBytes(filepath.Join(dir, ".git"))}
	if first.Log, err = c.logTime(ctx, dir); err != nil {
		return nil, err
	}
	points := []yearPoint{first}
	maxPacks := first.Packs
	fmt.Fprintf(out, "  after the first sync: packs %d   .git %s   log -n 20 %s\n", first.Packs, mb(first.GitBytes), first.Log.Round(10*time.Microsecond))
	n := c.Syncs
	if n <= 0 {
		n = yearSyncs
	}
	var requests, synced, refresh int64
	var cpuTime time.Duration
	started := time.Now()
	for k := 1; k <= n; k++ {
		edited, err := ed.edit(k, c.Edits, scheduleStart.Add(time.Duration(k-1)*time.Hour))
		if err != nil {
			return nil, err
		}
		clock.advance(scheduleStart.Add(time.Duration(k) * time.Hour))
		srv.ResetLog()
		run, err := c.clockedSync(ctx, hs.URL, dir, clock, c.Extra...)
		if err != nil {
			return nil, fmt.Errorf("sync %d: %w", k, err)
		}
		log := srv.Log()
		kinds := model.classify(log, edited)
		fresh.see(model, log)
		requests += int64(kinds.Total)
		refresh += int64(kinds.Refresh + kinds.Sweep)
		cpuTime += run.CPU
		synced++
		maxPacks = max(maxPacks, packCount(dir))
		if k == calibration && c.Syncs <= 0 {
			per := time.Since(started) / calibration
			n = max(calibration, min(yearSyncs, int(c.Budget/per)))
			fmt.Fprintf(out, "  one sync takes %s here (with the bench's own work): running %d syncs (about %s; the year is %d)\n",
				per.Round(time.Millisecond), n, (per * time.Duration(n)).Round(time.Minute), yearSyncs)
		}
		if k%c.Every == 0 || k == n {
			p := yearPoint{Sync: k, Packs: packCount(dir), GitBytes: dirBytes(filepath.Join(dir, ".git"))}
			if p.Log, err = c.logTime(ctx, dir); err != nil {
				return nil, err
			}
			points = append(points, p)
			fmt.Fprintf(out, "  sync %5d (day %3d): packs %3d (max %d)   .git %s = %.2f × first, %s a sync   log -n 20 %s = %.2f × first   requests %.0f a sync (refresh + sweep %.1f%%)   CPU %.2f s a sync\n",
				k, k/24, p.Packs, maxPacks, mb(p.GitBytes), float64(p.GitBytes)/float64(first.GitBytes),
				kb(float64(p.GitBytes-first.GitBytes)/float64(k)), p.Log.Round(10*time.Microsecond), p.Log.Seconds()/first.Log.Seconds(),
				float64(requests)/float64(synced), 100*float64(refresh)/float64(requests), cpuTime.Seconds()/float64(synced))
		}
	}
	srv.ResetLog()
	last := points[len(points)-1]
	// The growth of the later half, not of the whole: maintenance that
	// consolidates packs makes the first syncs look dearer or cheaper than
	// the steady state.
	mid := points[len(points)/2]
	if mid.Sync == last.Sync {
		mid = points[0]
	}
	growth := float64(last.GitBytes-mid.GitBytes) / float64(last.Sync-mid.Sync)
	year := float64(last.GitBytes) + growth*float64(yearSyncs-last.Sync)
	fmt.Fprintf(out, "  after %d syncs: packs at most %d (target ≤ 20)   .git %.2f × first   log -n 20 %.2f × first (target flat)\n",
		last.Sync, maxPacks, float64(last.GitBytes)/float64(first.GitBytes), last.Log.Seconds()/first.Log.Seconds())
	fmt.Fprintf(out, "  growth %s a sync over syncs %d–%d: after a year (%d syncs) .git ≈ %s = %.2f × the first sync's (target ≤ 3)\n",
		kb(growth), mid.Sync, last.Sync, yearSyncs, mb(int64(year)), year/float64(first.GitBytes))
	printFreshness(out, fresh.at(model, clock.Now()), c.PageBound, c.CommentBound)
	held, all, onBlocks, err := commentCoverage(ctx, dir, srv)
	if err != nil {
		return nil, err
	}
	printCoverage(out, held, all, onBlocks)
	unreachable, err := fsck(ctx, out, dir)
	return &yearResult{Points: points, MaxPacks: maxPacks, Unreachable: unreachable}, err
}

// logTime is the median time of `notion-git log -n 20` in dir, after one
// run untimed: the first after a sync reads what the page cache lost.
func (c config) logTime(ctx context.Context, dir string) (time.Duration, error) {
	var times []time.Duration
	for i := range logRuns + 1 {
		start := time.Now()
		if b, err := exec.CommandContext(ctx, c.Binary, "log", "-n", "20", "--repo", dir).CombinedOutput(); err != nil {
			return 0, fmt.Errorf("notion-git log: %v: %s", err, b)
		}
		if i > 0 {
			times = append(times, time.Since(start))
		}
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}

// fsck runs `git fsck --strict` and says how many unreachable objects it
// found: a sync should leave none behind.
func fsck(ctx context.Context, out io.Writer, dir string) (int, error) {
	b, err := exec.CommandContext(ctx, "git", "-C", dir, "fsck", "--strict", "--unreachable", "--no-progress").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("git fsck --strict: %v: %s", err, b)
	}
	unreachable := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "unreachable ") {
			unreachable++
		}
	}
	fmt.Fprintf(out, "  git fsck --strict: clean; %d unreachable objects\n", unreachable)
	return unreachable, nil
}

func yearMain(ctx context.Context, out io.Writer, sizes []string, c yearConfig) error {
	work, bin, done, err := prepare(ctx, c.WorkDir)
	if err != nil {
		return err
	}
	defer done()
	c.WorkDir, c.Binary = work, bin
	for _, size := range sizes {
		start := time.Now()
		c.Size = strings.TrimSpace(size)
		if _, err := runYear(ctx, out, c); err != nil {
			return fmt.Errorf("%s: %w", size, err)
		}
		fmt.Fprintf(out, "  (measured in %s)\n\n", time.Since(start).Round(time.Second))
	}
	return nil
}

// kb writes a byte count in kilobytes.
func kb(n float64) string { return fmt.Sprintf("%.1f KB", n/1024) }
