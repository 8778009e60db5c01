package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/importer"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// restoreResult holds the figures of the restore benchmark for one size.
type restoreResult struct {
	Size          string
	Pages, Blocks int
	Rate          float64
	Version       string

	// The restore into an empty page.
	Requests    map[string]int // by endpoint, every status
	Total       int
	RateLimited int
	Wall, CPU   time.Duration
	RSS         int64
	// Placeholders are the placeholder blocks removed (DELETE blocks/{id}:
	// the restore deletes nothing else).
	Placeholders int
	WallPerRate  float64

	// The importer's own bound, from the plan, and the restore against it.
	Bound            *importer.Estimate
	RequestsPerBound float64

	// restore --dry-run.
	DryWall, DryCPU, DryFirstLine time.Duration
	DryRSS                        int64
}

// restoreMain runs the restore benchmark for each size.
func restoreMain(ctx context.Context, out io.Writer, sizes []string, scale float64, concurrency int, work, version, logPath string) error {
	work, bin, done, err := prepare(ctx, work)
	if err != nil {
		return err
	}
	defer done()
	for _, size := range sizes {
		start := time.Now()
		r, err := runRestore(ctx, config{Size: strings.TrimSpace(size), Scale: scale, Concurrency: concurrency, Binary: bin, WorkDir: work}, version, logPath)
		if err != nil {
			return fmt.Errorf("%s: %w", size, err)
		}
		printRestore(out, r)
		fmt.Fprintf(out, "  (measured in %s)\n\n", time.Since(start).Round(time.Second))
	}
	return nil
}

// runRestore measures one size: the generated workspace is synced once
// into <work>/<size>-restore (kept for the next run), then restored by the
// CLI binary into the empty page of a fresh emulator, then planned by
// `restore --dry-run`. With logPath, the emulator's request log of the
// restore is written to logPath.<size>.
func runRestore(ctx context.Context, c config, version, logPath string) (*restoreResult, error) {
	repo := filepath.Join(c.WorkDir, c.Size+"-restore")
	if err := c.syncOnce(ctx, repo); err != nil {
		return nil, err
	}
	res := &restoreResult{Size: c.Size, Rate: c.rate(), Version: version, Requests: map[string]int{}}

	snap, bound, err := planBound(repo, version)
	if err != nil {
		return nil, err
	}
	res.Bound = bound
	for _, p := range snap.Pages {
		res.Pages++
		res.Blocks += len(p.Blocks)
	}
	snap = nil // the bench's own memory is not measured, but it is shared with the child's machine

	target := emulator.New(workspace.Empty("Restore target"), emulator.Options{Seed: 1, Rate: c.rate(), Burst: serverBurst, Latency: c.latency(), Jitter: c.latency() / 5})
	hs, err := emulator.Listen("127.0.0.1:0", target)
	if err != nil {
		return nil, err
	}
	defer hs.Close()
	args := []string{"restore", "HEAD", "--to", workspace.EmptyTargetID, "--repo", repo, "--api-url", hs.URL,
		"--rate", fmt.Sprint(c.rate()), "--concurrency", fmt.Sprint(c.Concurrency), "--quiet",
		// The journal of the last run's restore, into the same page id of
		// another emulator, would make this one a resume.
		"--fresh"}
	if version != "" {
		args = append(args, "--notion-version", version)
	}
	start0 := time.Now()
	m, err := c.measure(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	res.Wall, res.CPU, res.RSS = m.wall, m.cpu, m.rss
	for k, n := range target.Counts() {
		res.Requests[k.Endpoint] += n
		res.Total += n
		if k.Status == 429 {
			res.RateLimited += n
		}
	}
	if logPath != "" {
		if err := writeLog(logPath+"."+c.Size, start0, target.Log()); err != nil {
			return nil, err
		}
	}
	res.Placeholders = res.Requests["DELETE /v1/blocks/{id}"]
	res.WallPerRate = res.Wall.Seconds() / (float64(res.Total) / c.rate())
	res.RequestsPerBound = float64(res.Total) / float64(bound.Total)

	// The dry run checks the target with one read; the emulator that was
	// restored into serves it as well as an empty one.
	dry := []string{"restore", "HEAD", "--dry-run", "--to", workspace.EmptyTargetID, "--repo", repo,
		"--api-url", hs.URL, "--rate", fmt.Sprint(c.rate())}
	if version != "" {
		dry = append(dry, "--notion-version", version)
	}
	m, err = c.measure(ctx, dry...)
	if err != nil {
		return nil, fmt.Errorf("restore --dry-run: %w", err)
	}
	res.DryWall, res.DryCPU, res.DryRSS, res.DryFirstLine = m.wall, m.cpu, m.rss, m.firstLine
	return res, nil
}

// syncOnce makes repo a full sync of the generated workspace of c's size,
// unless it already holds one.
func (c config) syncOnce(ctx context.Context, repo string) error {
	if _, err := gitOut(ctx, repo, "rev-parse", "--verify", "-q", "HEAD"); err == nil {
		return nil
	}
	if err := os.RemoveAll(repo); err != nil {
		return err
	}
	_, _, hs, err := serve(c)
	if err != nil {
		return err
	}
	defer hs.Close()
	if _, _, _, err := c.sync(ctx, hs.URL, repo, "--full", "--bare"); err != nil {
		return fmt.Errorf("sync the workspace to restore: %w", err)
	}
	return nil
}

// planBound decodes the snapshot at repo's HEAD and computes the
// importer's own bound of the restore's requests under API version
// version ("" for the CLI's default).
func planBound(repo, version string) (*layout.Snapshot, *importer.Estimate, error) {
	r, err := gitrepo.Open(repo, gitrepo.OpenOptions{})
	if err != nil {
		return nil, nil, err
	}
	commit, err := r.Resolve("HEAD")
	if err != nil {
		return nil, nil, err
	}
	tree, err := r.Snapshot(commit)
	if err != nil {
		return nil, nil, err
	}
	snap, err := layout.DecodeSnapshot(tree)
	if err != nil {
		return nil, nil, err
	}
	b, err := importer.EstimateRequests(snap, importer.Options{Target: workspace.EmptyTargetID, Files: tree}, version)
	if err != nil {
		return nil, nil, err
	}
	return snap, b, nil
}

// measured is one run of the binary.
type measured struct {
	wall, cpu, firstLine time.Duration
	rss                  int64
}

// measure runs the binary with args and measures its wall time, CPU time
// (user and system, from its rusage), peak resident memory (VmHWM, polled:
// the rusage's maxrss counts the parent's size at fork, see watchPeakRSS)
// and the time to its first line of output.
func (c config) measure(ctx context.Context, args ...string) (*measured, error) {
	cmd := exec.CommandContext(ctx, c.Binary, args...)
	cmd.Env = append(os.Environ(), "NOTION_TOKEN="+emulator.DefaultToken)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	first := make(chan time.Duration, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		seen := false
		for sc.Scan() {
			if !seen {
				first <- time.Since(start)
				seen = true
			}
		}
		if !seen {
			first <- 0
		}
	}()
	line := <-first // before Wait, which closes the pipe
	err = cmd.Wait()
	m := &measured{wall: time.Since(start), rss: peak(), firstLine: line}
	if err != nil {
		return nil, err
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return m, nil
}

func printRestore(w io.Writer, r *restoreResult) {
	version := r.Version
	if version == "" {
		version = "the default"
	}
	fmt.Fprintf(w, "%s: %d pages, %d blocks; rate %.0f/s; Notion-Version %s\n", r.Size, r.Pages, r.Blocks, r.Rate, version)
	fmt.Fprintf(w, "  restore:   wall/(requests/rate) %.3f (%d requests in %s)   peak RSS %d MB   CPU %s   429s %d\n",
		r.WallPerRate, r.Total, r.Wall.Round(time.Millisecond), r.RSS>>20, r.CPU.Round(10*time.Millisecond), r.RateLimited)
	fmt.Fprintf(w, "             requests/bound %.3f (%d/%d)   placeholder blocks %d\n", r.RequestsPerBound, r.Total, r.Bound.Total, r.Placeholders)
	fmt.Fprintf(w, "  --dry-run: peak RSS %d MB   CPU %s   first line after %s   wall %s\n",
		r.DryRSS>>20, r.DryCPU.Round(10*time.Millisecond), r.DryFirstLine.Round(time.Millisecond), r.DryWall.Round(time.Millisecond))
	bound := map[string]int{}
	for k, n := range r.Bound.Requests {
		bound[k.Method+" /v1/"+k.Path] += n
	}
	keys := slices.Collect(maps.Keys(r.Requests))
	for k := range bound {
		if _, ok := r.Requests[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(r.Requests[b], r.Requests[a]), cmp.Compare(a, b))
	})
	fmt.Fprintf(w, "  %-44s %8s %8s\n", "endpoint", "sent", "bound")
	for _, k := range keys {
		fmt.Fprintf(w, "  %-44s %8d %8d\n", k, r.Requests[k], bound[k])
	}
}

// writeLog writes one line per request of a restore: microseconds since
// the binary started, the endpoint, how long the emulator took to
// answer, and the path. Stretches with fewer requests than the rate allows show where
// the restore leaves its budget unused.
func writeLog(path string, start time.Time, log []emulator.LogEntry) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, e := range log {
		fmt.Fprintf(w, "%d %s %d %s\n", e.Time.Sub(start).Microseconds(), strings.ReplaceAll(e.Endpoint, " ", "_"), e.Duration.Microseconds(), e.Path)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
