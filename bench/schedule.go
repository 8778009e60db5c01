package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"time"
)

// The hourly schedule (-schedule): a full sync at scheduleStart, then Runs
// hourly syncs, each after Edits page edits spread over the hour before it,
// all on one simulated clock that the emulator and the CLI read. It prints
// what each run cost, by purpose of its requests, and the figures of the
// last runs against issue 12's targets; then how fresh the pages and the
// block comments were kept over the simulated period.

type scheduleConfig struct {
	config
	Runs, Edits, Last       int
	PageBound, CommentBound time.Duration
	Keep                    bool     // keep the full sync under -work for later runs
	Extra                   []string // sync flags given to every incremental run
}

type scheduleRun struct {
	*syncRun
	Kinds    requestKinds
	Packs    int
	GitBytes int64
}

type scheduleResult struct {
	Size          string
	Pages, Blocks int
	Bound         bound
	Seed          *seedMarker
	Reused        bool
	Runs          []scheduleRun
	Fresh         freshnessAt
	Fields        []string // the last run's refresh and sweep counts, as reported
	// Comments held in the last snapshot, in the workspace, and on blocks.
	CommentsHeld, Comments, BlockComments int
}

// last is the mean of f over the last n runs.
func (r *scheduleResult) last(n int, f func(scheduleRun) float64) float64 {
	n = min(n, len(r.Runs))
	if n == 0 {
		return 0
	}
	s := 0.0
	for _, run := range r.Runs[len(r.Runs)-n:] {
		s += f(run)
	}
	return s / float64(n)
}

func runSchedule(ctx context.Context, out io.Writer, c scheduleConfig) (*scheduleResult, error) {
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
	res := &scheduleResult{Size: c.Size, Pages: len(f.Pages), Blocks: len(f.Blocks), Bound: model.fullBound()}
	dir := filepath.Join(c.WorkDir, "schedule-"+c.Size)
	if res.Seed, res.Reused, err = c.seed(ctx, hs.URL, dir, clock, model, srv, c.Keep); err != nil {
		return nil, err
	}
	printSeed(out, res.Size, res.Pages, res.Blocks, res.Bound, res.Seed, res.Reused, c.rate())
	fresh := newFreshness(model, res.Seed.Start, res.Seed.BlockComments >= model.blockCount())
	ed := newEditor(srv, model, clock, fresh)
	fmt.Fprintf(out, "  %d hourly runs, %d page edits before each:\n", c.Runs, c.Edits)
	for k := 1; k <= c.Runs; k++ {
		edited, err := ed.edit(k, c.Edits, scheduleStart.Add(time.Duration(k-1)*time.Hour))
		if err != nil {
			return nil, err
		}
		clock.advance(scheduleStart.Add(time.Duration(k) * time.Hour))
		srv.ResetLog()
		run, err := c.clockedSync(ctx, hs.URL, dir, clock, c.Extra...)
		if err != nil {
			return nil, fmt.Errorf("run %d: %w", k, err)
		}
		log := srv.Log()
		r := scheduleRun{syncRun: run, Kinds: model.classify(log, edited), Packs: packCount(dir), GitBytes: dirBytes(filepath.Join(dir, ".git"))}
		fresh.see(model, log)
		res.Runs = append(res.Runs, r)
		res.Fields = reportFields(run.Raw, "refresh", "sweep")
		printScheduleRun(out, k, r)
	}
	srv.ResetLog()
	res.Fresh = fresh.at(model, clock.Now())
	res.CommentsHeld, res.Comments, res.BlockComments, err = commentCoverage(ctx, dir, srv)
	return res, err
}

// blockCount is the number of blocks that are not pages.
func (m *workspaceModel) blockCount() int {
	n := 0
	for id := range m.pageOf {
		if !m.isPage(id) {
			n++
		}
	}
	return n
}

func printSeed(w io.Writer, size string, pages, blocks int, b bound, s *seedMarker, reused bool, rate float64) {
	fmt.Fprintf(w, "%s: %d pages, %d blocks; rate %.0f/s; simulated clock from %s\n", size, pages, blocks, rate, s.Start.Format(time.RFC3339))
	how := ""
	if reused {
		how = " (kept from an earlier run of the same binary)"
	}
	// Block comment listings are counted apart: the bound has one comment
	// listing per page, and block comments are swept over time.
	fmt.Fprintf(w, "  full sync%s: requests/bound %.3f (%d/%d; block comment listings apart: %d)   peak RSS %d MB (target ≤ 300 MB at large)   CPU %.2f s   wall %s   .git %s\n",
		how, float64(s.Requests-s.BlockComments)/float64(b.Total()), s.Requests-s.BlockComments, b.Total(), s.BlockComments,
		s.RSS>>20, s.CPU.Seconds(), s.Wall.Round(time.Millisecond), mb(s.GitBytes))
}

func printScheduleRun(w io.Writer, k int, r scheduleRun) {
	q := r.Kinds
	fmt.Fprintf(w, "  run %3d at %s: %4d requests = listing %d + edited %d + parents %d + refresh %d + sweep %d + downloads %d + other %d; refresh+sweep %5.1f%%   RSS %3d MB   CPU %.2f s   wall %s   packs %d   .git %s\n",
		k, r.Start.Format("01-02 15:04"), q.Total, q.Listing, q.Edited, q.Patch, q.Refresh, q.Sweep, q.Download, q.Other,
		100*q.share(q.Refresh+q.Sweep), r.RSS>>20, r.CPU.Seconds(), r.Wall.Round(time.Millisecond), r.Packs, mb(r.GitBytes))
}

func printSchedule(w io.Writer, r *scheduleResult, c scheduleConfig) {
	n := min(c.Last, len(r.Runs))
	req := r.last(n, func(s scheduleRun) float64 { return float64(s.Kinds.Total) })
	rs := r.last(n, func(s scheduleRun) float64 { return float64(s.Kinds.Refresh + s.Kinds.Sweep) })
	fmt.Fprintf(w, "  last %d runs (mean): requests %.0f (the report: %.0f)   refresh + sweep %.0f = %.1f%% (target ≤ 25%%)   peak RSS %.0f MB (target ≤ 150 MB at large)   CPU %.2f s (target ≤ 1.5 s at large)\n",
		n, req, r.last(n, func(s scheduleRun) float64 { return float64(s.requests()) }), rs, 100*rs/req,
		r.last(n, func(s scheduleRun) float64 { return float64(s.RSS >> 20) }),
		r.last(n, func(s scheduleRun) float64 { return s.CPU.Seconds() }))
	if len(r.Fields) > 0 {
		fmt.Fprintf(w, "  the last report's refresh and sweep counts: %s\n", strings.Join(r.Fields, " "))
	}
	printFreshness(w, r.Fresh, c.PageBound, c.CommentBound)
	printCoverage(w, r.CommentsHeld, r.Comments, r.BlockComments)
}

// cpuExponent is the growth exponent of the incremental CPU from one size
// to another: log(cpu ratio) / log(pages ratio).
func cpuExponent(a, b *scheduleResult, n int) float64 {
	cpu := func(r *scheduleResult) float64 {
		return r.last(n, func(s scheduleRun) float64 { return s.CPU.Seconds() })
	}
	return math.Log(cpu(b)/cpu(a)) / math.Log(float64(b.Pages)/float64(a.Pages))
}

func scheduleMain(ctx context.Context, out io.Writer, sizes []string, c scheduleConfig) error {
	work, bin, done, err := prepare(ctx, c.WorkDir)
	if err != nil {
		return err
	}
	defer done()
	c.WorkDir, c.Binary = work, bin
	results := map[string]*scheduleResult{}
	for _, size := range sizes {
		start := time.Now()
		c.Size = strings.TrimSpace(size)
		r, err := runSchedule(ctx, out, c)
		if err != nil {
			return fmt.Errorf("%s: %w", size, err)
		}
		printSchedule(out, r, c)
		fmt.Fprintf(out, "  (measured in %s)\n\n", time.Since(start).Round(time.Second))
		results[c.Size] = r
	}
	if m, l := results["medium"], results["large"]; m != nil && l != nil {
		n := min(c.Last, len(m.Runs), len(l.Runs))
		fmt.Fprintf(out, "growth exponent of the incremental CPU, medium → large (last %d runs): %.2f (target ≤ 0.3): %.2f s at %d pages → %.2f s at %d pages\n",
			n, cpuExponent(m, l, n), m.last(n, func(s scheduleRun) float64 { return s.CPU.Seconds() }), m.Pages,
			l.last(n, func(s scheduleRun) float64 { return s.CPU.Seconds() }), l.Pages)
	}
	return nil
}

// mb writes a byte count in megabytes.
func mb(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/(1<<20)) }
