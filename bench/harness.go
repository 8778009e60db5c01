package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// config is one benchmark run.
type config struct {
	Size string
	// Rate and Latency are Notion's (3 requests/s, about 300 ms) scaled down
	// together by Scale, so the ratio of latency to pacing is Notion's and a
	// run takes minutes, not hours.
	Scale       float64
	Concurrency int
	Changed     int // pages edited before the incremental sync
	Binary      string
	WorkDir     string
	// CompareGit times `git add -A && git commit` on the same tree.
	CompareGit bool
	// Clock is the emulator's clock (time.Now when nil): the schedule's
	// simulated time, which the CLI is given too.
	Clock func() time.Time
	// Addr is where the emulator listens (any loopback port when empty,
	// or when it is taken).
	Addr string
}

// serverBurst is the emulator's bucket. The client's pacer sends at most 3
// at once, but at 100 times Notion's speed the machine's own scheduling
// delays bunch requests by a few milliseconds, which at Notion's real pace
// would be nothing; ten absorbs that without hiding a client that does not
// pace (it would see 429s within the first second).
const serverBurst = 10

func (c config) rate() float64 { return 3 * c.Scale }
func (c config) latency() time.Duration {
	return time.Duration(float64(300*time.Millisecond) / c.Scale)
}

func preset(size string) (workspace.Options, error) {
	switch size {
	case "small":
		return workspace.Small(), nil
	case "medium":
		return workspace.Medium(), nil
	case "large":
		return workspace.Large(), nil
	}
	return workspace.Options{}, fmt.Errorf("unknown size %q: want small, medium or large", size)
}

// result holds the measured figures of one size.
type result struct {
	Size                           string
	Pages, Blocks, Files           int
	Bound                          bound
	FullRequests                   int
	FullWall                       time.Duration
	FullRSS                        int64 // bytes
	FullSync, FullCommit           time.Duration
	RequestsPerBound, WallPerBound float64
	Rate                           float64
	IncRequests, IncExpected       int
	IncPerExpected, IncPerFull     float64
	IncWall                        time.Duration
	CommitTime, GitTime            time.Duration
	CommitPerGit                   float64
	RateLimited                    int
}

// serve generates the workspace of c's size and serves it from the
// emulator on loopback at c's scaled pace and latency.
func serve(c config) (*emulator.Fixture, *emulator.Server, *emulator.Local, error) {
	opts, err := preset(c.Size)
	if err != nil {
		return nil, nil, nil, err
	}
	f := workspace.Generate(opts)
	srv := emulator.New(f, emulator.Options{Seed: 1, Clock: c.Clock, Rate: c.rate(), Burst: serverBurst, Latency: c.latency(), Jitter: c.latency() / 5})
	hs, err := emulator.Listen(cmp.Or(c.Addr, "127.0.0.1:0"), srv)
	if err != nil && c.Addr != "" {
		hs, err = emulator.Listen("127.0.0.1:0", srv)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return f, srv, hs, nil
}

// run measures one size: a full sync, then an incremental one after editing
// Changed pages, through the real CLI binary against the emulator.
func run(ctx context.Context, c config) (*result, error) {
	f, srv, hs, err := serve(c)
	if err != nil {
		return nil, err
	}
	defer hs.Close()
	model := newModel(srv.Fixture())
	res := &result{Size: c.Size, Pages: len(f.Pages), Blocks: len(f.Blocks), Bound: model.fullBound(), Rate: c.rate()}
	for _, n := range model.files {
		res.Files += n
	}

	repo := filepath.Join(c.WorkDir, c.Size)
	if err := os.RemoveAll(repo); err != nil {
		return nil, err
	}
	full, wall, rss, err := c.sync(ctx, hs.URL, repo, "--full")
	if err != nil {
		return nil, fmt.Errorf("full sync: %w", err)
	}
	// Downloads are requests too, though not to the API.
	// Block comments (the sweep's, which a first sync does whole, and
	// those of changed pages) are counted apart from the crawl's bound.
	res.FullRequests, res.FullWall, res.FullRSS = full.Requests.Total+full.Requests.Downloads-full.Sweep.Requests-full.BlockComments.Requests, wall, rss
	res.FullCommit, res.FullSync = full.Commit, full.Duration
	res.RateLimited = full.Requests.RateLimited
	res.RequestsPerBound = float64(res.FullRequests) / float64(res.Bound.Total())
	res.WallPerBound = wall.Seconds() / (float64(res.FullRequests) / c.rate())

	// Edit Changed plain pages (not rows), spread over the workspace.
	var plain []string
	for _, p := range f.Pages {
		parent, _ := p["parent"].(map[string]any)
		if parent["type"] == "page_id" {
			plain = append(plain, p["id"].(string))
		}
	}
	changed := map[string]bool{}
	for i := 0; i < c.Changed && len(plain) > 0; i++ {
		id := plain[(i*len(plain))/c.Changed]
		if _, err := srv.AppendBlocks(id, map[string]any{"type": "paragraph", "paragraph": map[string]any{
			"rich_text": []any{map[string]any{"type": "text", "text": map[string]any{"content": fmt.Sprintf("edit %d", i)}}}}}); err != nil {
			return nil, err
		}
		changed[id] = true
	}
	model = newModel(srv.Fixture())
	inc, wall, _, err := c.sync(ctx, hs.URL, repo)
	if err != nil {
		return nil, fmt.Errorf("incremental sync: %w", err)
	}
	res.IncRequests, res.IncWall, res.CommitTime = inc.Requests.Total+inc.Requests.Downloads-inc.Sweep.Requests-inc.BlockComments.Requests, wall, inc.Commit
	res.IncExpected = model.incrementalExpected(changed)
	res.IncPerExpected = float64(res.IncRequests) / float64(res.IncExpected)
	res.IncPerFull = float64(res.IncRequests) / float64(res.FullRequests)

	if c.CompareGit {
		if res.GitTime, err = timeGitCommit(ctx, repo, changed); err != nil {
			return nil, err
		}
		res.CommitPerGit = res.CommitTime.Seconds() / res.GitTime.Seconds()
	}
	return res, nil
}

// incrementalExpected is the requests an incremental sync needs: the
// listing, the fixed calls, the changed pages, and one children listing for
// each parent, not crawled, whose child_page block of a changed page is
// patched. Attachments are not downloaded again. The refresh takes the
// slice of its period that passed since the full sync began, seconds of 90
// days: no page here; the block comments of the changed pages and the
// sweep are counted apart (see the caller).
func (m *workspaceModel) incrementalExpected(changed map[string]bool) int {
	b := m.fullBound()
	n := b.Search + 1 + max(1, ceilDiv(len(m.f.Users), 100))
	for id := range changed {
		n += m.pageCost(id, false)
	}
	crawled := maps.Clone(changed)
	// A changed page's child_page block in a parent that is not crawled is
	// patched from one listing of the parent's children.
	patched := map[string]bool{}
	for _, p := range m.f.Pages {
		parent, _ := p["parent"].(map[string]any)
		home, _ := parent["page_id"].(string)
		if id, _ := p["id"].(string); changed[id] && home != "" && !crawled[home] && !patched[home] {
			patched[home] = true
			n += max(1, ceilDiv(m.children[home], 100))
		}
	}
	return n
}

// sync runs the CLI binary once and returns its report, wall time and peak
// resident memory.
func (c config) sync(ctx context.Context, url, repo string, extra ...string) (*exporter.Report, time.Duration, int64, error) {
	report := repo + ".report.json"
	args := append([]string{"sync", "--repo", repo, "--api-url", url,
		"--rate", fmt.Sprint(c.rate()), "--concurrency", fmt.Sprint(c.Concurrency), "--report", report, "--quiet"}, extra...)
	cmd := exec.CommandContext(ctx, c.Binary, args...)
	cmd.Env = append(os.Environ(), "NOTION_TOKEN="+emulator.DefaultToken)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, 0, err
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	err := cmd.Wait()
	wall := time.Since(start)
	rss := peak()
	if err != nil {
		return nil, 0, 0, err
	}
	fmt.Fprintf(os.Stderr, "LOCALMEASURE %s %v: rss %d MB cpu %s\n", repo, extra, rss>>20, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	b, err := os.ReadFile(report)
	if err != nil {
		return nil, 0, 0, err
	}
	var r exporter.Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, 0, 0, err
	}
	return &r, wall, rss, nil
}

// watchPeakRSS follows a process's resident-memory high-water mark (VmHWM)
// until the returned function is called, which gives the last value seen.
// The rusage of a finished child is no use here: on Linux its maxrss starts
// from the parent's size at fork, and the parent holds the whole emulated
// workspace.
func watchPeakRSS(pid int) func() int64 {
	var peak atomic.Int64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			if kb := readHWM(pid); kb > 0 {
				peak.Store(kb * 1024)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() int64 {
		close(done)
		<-stopped
		return peak.Load()
	}
}

func readHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb
		}
	}
	return 0
}

// timeGitCommit makes the same kind of change with the git command line on
// the same working tree (an edit in each changed page's page.json) and times
// `git add -A && git commit`.
func timeGitCommit(ctx context.Context, repo string, changed map[string]bool) (time.Duration, error) {
	for id := range changed {
		p := filepath.Join(repo, filepath.FromSlash(layout.PagePath(id)))
		b, err := os.ReadFile(p)
		if err != nil {
			return 0, err
		}
		if err := os.WriteFile(p, append(b, '\n'), 0o644); err != nil {
			return 0, err
		}
	}
	start := time.Now()
	for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "-m", "bench"}} {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", repo, "-c", "user.name=bench", "-c", "user.email=bench@localhost"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return time.Since(start), nil
}
