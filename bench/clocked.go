package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/notion/emulator"
)

// What the schedule and year benchmarks share: a simulated clock that the
// emulator and the CLI (NOTION_GIT_CLOCK) both read, syncs measured from
// outside the binary, a full sync kept for reuse, edits on the clock, and
// the request log sorted by what each request was for.

// scheduleStart is the simulated time of the full sync: after every time the
// generated workspaces hold, so that nothing in them looks edited during a
// sync, and fixed, so that runs compare.
var scheduleStart = time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)

// simClock is simulated time: it runs on with real time and jumps forward
// when the schedule advances it to the next hour. It never goes back.
type simClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func newSimClock(start time.Time) *simClock { return &simClock{offset: time.Until(start)} }

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// advance moves the clock to t, if t is ahead of it.
func (c *simClock) advance(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := t.Sub(time.Now().Add(c.offset)); d > 0 {
		c.offset += d
	}
}

// syncRun is one run of the CLI, measured from outside: what it reported
// (typed, and as generic JSON for fields this harness does not know), its
// wall time, peak resident memory and CPU time (user + system, from the
// child's rusage, which unlike its maxrss is the child's own).
type syncRun struct {
	Report *exporter.Report
	Raw    map[string]any
	Wall   time.Duration
	RSS    int64
	CPU    time.Duration
	Start  time.Time // on the simulated clock
}

// requests counts the API requests and downloads of the run.
func (r *syncRun) requests() int { return r.Report.Requests.Total + r.Report.Requests.Downloads }

// clockedSync runs `notion-git sync` with its clock set to the simulated one.
func (c config) clockedSync(ctx context.Context, url, repo string, clock *simClock, extra ...string) (*syncRun, error) {
	report := repo + ".report.json"
	args := append([]string{"sync", "--repo", repo, "--api-url", url,
		"--rate", fmt.Sprint(c.rate()), "--concurrency", fmt.Sprint(c.Concurrency), "--report", report, "--quiet"}, extra...)
	cmd := exec.CommandContext(ctx, c.Binary, args...)
	run := &syncRun{Start: clock.Now()}
	cmd.Env = append(os.Environ(), "NOTION_TOKEN="+emulator.DefaultToken, "NOTION_GIT_CLOCK="+run.Start.Format(time.RFC3339Nano))
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	err := cmd.Wait()
	run.Wall, run.RSS = time.Since(start), peak()
	if err != nil {
		return nil, err
	}
	run.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	b, err := os.ReadFile(report)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &run.Report); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &run.Raw); err != nil {
		return nil, err
	}
	return run, nil
}

// reportFields lists the report's numeric fields whose path contains one of
// words ("pages.refreshed=103"), sorted: the refresh and sweep counts the
// sync reports, whatever their names in the binary measured.
func reportFields(raw map[string]any, words ...string) []string {
	var out []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				walk(strings.TrimPrefix(prefix+"."+k, "."), e)
			}
		case float64:
			for _, w := range words {
				if strings.Contains(strings.ToLower(prefix), w) {
					out = append(out, fmt.Sprintf("%s=%v", prefix, v))
					break
				}
			}
		}
	}
	walk("", raw)
	sort.Strings(out)
	return out
}

// seedMarker describes a kept full sync: which binary made it of which
// workspace, and when on the simulated clock it ended.
type seedMarker struct {
	Binary string `json:"binary"` // sha256 of the CLI
	// URL is the emulator's: attachments are known by their URL without
	// its query, so a full sync is only reused on the same port (keptAddr).
	URL      string        `json:"url"`
	Size     string        `json:"size"`
	Start    time.Time     `json:"start"`
	End      time.Time     `json:"end"`
	Requests int           `json:"requests"`
	RSS      int64         `json:"rss"`
	CPU      time.Duration `json:"cpu_ns"`
	Wall     time.Duration `json:"wall_ns"`
	GitBytes int64         `json:"git_bytes"`
	// BlockComments is how many block comment listings the full sync made:
	// whether it checked every block's comments.
	BlockComments int `json:"block_comments"`
}

// seed gives a repository at dir holding the full sync of the served
// workspace at scheduleStart, the clock advanced to that sync's end. With
// keep (-work given), the full sync is kept beside as <dir>.seed and copied
// by later runs of the same binary, which saves its whole time at large;
// another binary syncs afresh (its format may differ).
func (c config) seed(ctx context.Context, url, dir string, clock *simClock, model *workspaceModel, srv *emulator.Server, keep bool) (*seedMarker, bool, error) {
	sum, err := fileSHA256(c.Binary)
	if err != nil {
		return nil, false, err
	}
	kept := filepath.Join(filepath.Dir(dir), "seed-"+c.Size)
	if err := os.RemoveAll(dir); err != nil {
		return nil, false, err
	}
	if keep {
		var m seedMarker
		if b, err := os.ReadFile(kept + ".json"); err == nil && json.Unmarshal(b, &m) == nil && m.Binary == sum && m.Size == c.Size && m.URL == url && m.Start.Truncate(time.Hour).Equal(scheduleStart) {
			if out, err := exec.CommandContext(ctx, "cp", "-a", kept, dir).CombinedOutput(); err != nil {
				return nil, false, fmt.Errorf("cp: %v: %s", err, out)
			}
			clock.advance(m.End)
			return &m, true, nil
		}
	}
	clock.advance(scheduleStart)
	srv.ResetLog()
	full, err := c.clockedSync(ctx, url, dir, clock, "--full")
	if err != nil {
		return nil, false, fmt.Errorf("full sync: %w", err)
	}
	m := &seedMarker{Binary: sum, URL: url, Size: c.Size, Start: full.Start, End: clock.Now(), Requests: full.requests(),
		RSS: full.RSS, CPU: full.CPU, Wall: full.Wall, GitBytes: dirBytes(filepath.Join(dir, ".git"))}
	m.BlockComments = model.classify(srv.Log(), nil).BlockComments
	srv.ResetLog()
	if keep {
		if err := os.RemoveAll(kept); err != nil {
			return nil, false, err
		}
		if out, err := exec.CommandContext(ctx, "cp", "-a", dir, kept).CombinedOutput(); err != nil {
			return nil, false, fmt.Errorf("cp: %v: %s", err, out)
		}
		b, _ := json.Marshal(m)
		if err := os.WriteFile(kept+".json", b, 0o644); err != nil {
			return nil, false, err
		}
	}
	return m, false, nil
}

// keptAddr is the address the emulator served a kept full sync from, to
// serve from again ("" when there is none).
func keptAddr(work, size string) string {
	var m seedMarker
	if b, err := os.ReadFile(filepath.Join(work, "seed-"+size+".json")); err != nil || json.Unmarshal(b, &m) != nil {
		return ""
	}
	return strings.TrimPrefix(m.URL, "http://")
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// dirBytes is the size of the files under dir.
func dirBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// packCount is the number of pack files in the repository at dir.
func packCount(dir string) int {
	packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
	return len(packs)
}

// commentCoverage is how many of the workspace's comments the snapshot
// in dir holds: files named comments/<id>.json, wherever the format puts
// them, against the emulator's comments, of which onBlocks are on blocks.
func commentCoverage(ctx context.Context, dir string, srv *emulator.Server) (held, all, onBlocks int, err error) {
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "ls-tree", "-r", "--name-only", "HEAD").Output()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("git ls-tree: %w", err)
	}
	for _, p := range strings.Split(string(out), "\n") {
		if strings.HasSuffix(filepath.Dir(p), "/comments") && strings.HasSuffix(p, ".json") {
			held++
		}
	}
	for _, c := range srv.Fixture().Comments {
		all++
		if parent, _ := c["parent"].(map[string]any); parent["block_id"] != nil {
			onBlocks++
		}
	}
	return held, all, onBlocks, nil
}

func printCoverage(w io.Writer, held, all, onBlocks int) {
	fmt.Fprintf(w, "  comments in the snapshot: %d of the workspace's %d = %.1f%% (target 100%%; %d of them on blocks)\n",
		held, all, 100*float64(held)/float64(max(all, 1)), onBlocks)
}

// editor makes the edits of a schedule through the emulator, each at its
// own time on the simulated clock, and remembers which page each new
// block belongs to.
type editor struct {
	srv   *emulator.Server
	model *workspaceModel
	clock *simClock
	plain []string // pages (not rows) that edits pick from
	fresh *freshness
}

func newEditor(srv *emulator.Server, model *workspaceModel, clock *simClock, fresh *freshness) *editor {
	e := &editor{srv: srv, model: model, clock: clock, fresh: fresh}
	for _, p := range model.f.Pages {
		parent, _ := p["parent"].(map[string]any)
		if parent["type"] == "page_id" {
			e.plain = append(e.plain, p["id"].(string))
		}
	}
	return e
}

// edit appends a paragraph to n distinct pages picked at random (seeded
// by run), spread over the hour between from and from+1h: the first five
// minutes after from, then every 55/n minutes, so that no edit falls in the
// minute-rounding window of the sync before. It returns the pages edited.
func (e *editor) edit(run, n int, from time.Time) (map[string]bool, error) {
	r := rand.New(rand.NewPCG(uint64(run), 12))
	edited := map[string]bool{}
	for i := 0; i < n && len(edited) < len(e.plain); {
		id := e.plain[r.IntN(len(e.plain))]
		if edited[id] {
			continue
		}
		e.clock.advance(from.Add(5*time.Minute + time.Duration(i)*55*time.Minute/time.Duration(n)))
		ids, err := e.srv.AppendBlocks(id, map[string]any{"type": "paragraph", "paragraph": map[string]any{
			"rich_text": []any{map[string]any{"type": "text", "text": map[string]any{"content": fmt.Sprintf("edit %d of run %d", i, run)}}}}})
		if err != nil {
			return nil, err
		}
		for _, b := range ids {
			e.model.pageOf[b] = id
			e.fresh.created(b, e.clock.Now())
		}
		edited[id] = true
		i++
	}
	return edited, nil
}

// requestKinds sorts one run's requests by what they were for, from the
// emulator's log (the sync's report does not say, or not in every
// version). A request belongs to a page when it names the page or one of
// its blocks.
type requestKinds struct {
	Total    int
	Listing  int // search, data source queries, databases, users
	Edited   int // every request of a page edited since the run before
	Refresh  int // requests of other pages: the rolling re-verification
	Patch    int // one children listing of an unedited parent, for a moved or renamed child page
	Sweep    int // block comment listings of unedited pages
	Download int // attachment bytes (not the API)
	Other    int
	// BlockComments counts the comment listings of blocks, edited or not.
	BlockComments int
}

func (k requestKinds) share(n int) float64 {
	if k.Total == 0 {
		return 0
	}
	return float64(n) / float64(k.Total)
}

// canonID writes an id as the fixture does (dashed, lower case).
func canonID(s string) string {
	s = strings.ToLower(strings.ReplaceAll(s, "-", ""))
	if len(s) != 32 {
		return s
	}
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// target is the object a logged request names, and whether it is a block
// comment listing or the first page of a page's children (a verification).
func target(e emulator.LogEntry) (id string, comments, children bool) {
	parts := strings.Split(strings.Trim(e.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "v1" {
		return "", false, false
	}
	switch parts[1] {
	case "comments":
		for _, kv := range strings.Split(e.Query, "&") {
			if v, ok := strings.CutPrefix(kv, "block_id="); ok {
				return canonID(v), true, false
			}
		}
	case "blocks", "pages":
		if len(parts) >= 3 {
			first := parts[1] == "blocks" && len(parts) == 4 && parts[3] == "children" && !strings.Contains(e.Query, "start_cursor=")
			return canonID(parts[2]), false, first
		}
	}
	return "", false, false
}

func (m *workspaceModel) isPage(id string) bool {
	_, ok := m.pageSet[id]
	return ok
}

// classify sorts log by requestKinds; edited holds the pages edited before
// the run.
func (m *workspaceModel) classify(log []emulator.LogEntry, edited map[string]bool) requestKinds {
	var k requestKinds
	type pageUse struct{ children, other int }
	uses := map[string]*pageUse{}
	for _, e := range log {
		k.Total++
		if !strings.HasPrefix(e.Path, "/v1/") {
			k.Download++
			continue
		}
		id, comments, _ := target(e)
		page := id
		if id != "" && !m.isPage(id) {
			page = m.pageOf[id]
		}
		if comments && id != page {
			k.BlockComments++
		}
		switch {
		case id == "":
			k.Listing++
		case page == "":
			k.Other++
		case edited[page]:
			k.Edited++
		case comments && id != page:
			k.Sweep++
		default:
			u := uses[page]
			if u == nil {
				u = &pageUse{}
				uses[page] = u
			}
			if strings.HasSuffix(e.Path, "/children") && id == page {
				u.children++
			} else {
				u.other++
			}
		}
	}
	// An unedited parent whose only requests are its own children listing
	// was read to patch an edited child's child_page block, not re-verified.
	parents := map[string]bool{}
	for id := range edited {
		if p := m.parentOf[id]; p != "" {
			parents[p] = true
		}
	}
	for page, u := range uses {
		if parents[page] && u.other == 0 {
			k.Patch += u.children
		} else {
			k.Refresh += u.children + u.other
		}
	}
	return k
}

// freshness follows, on the simulated clock, when each page was last
// verified (the first page of its children listed, by an edit's crawl or
// the refresh) and each block's comments last listed, and the longest any
// of them went unchecked.
type freshness struct {
	pageLast, blockLast   map[string]time.Time
	pageWorst, blockWorst time.Duration
	pageWorstID           string
	blockWorstID          string
	start                 time.Time
}

// newFreshness starts following at the full sync, which verified every
// page at start, and every block's comments too if blocksChecked.
func newFreshness(m *workspaceModel, start time.Time, blocksChecked bool) *freshness {
	f := &freshness{pageLast: map[string]time.Time{}, blockLast: map[string]time.Time{}, start: start}
	for _, id := range m.pages {
		f.pageLast[id] = start
	}
	if blocksChecked {
		for id := range m.pageOf {
			if !m.isPage(id) {
				f.blockLast[id] = start
			}
		}
	}
	return f
}

// created counts a block added at t as checked then: nobody could have
// commented on it before.
func (f *freshness) created(id string, t time.Time) { f.blockLast[id] = t }

func (f *freshness) see(m *workspaceModel, log []emulator.LogEntry) {
	for _, e := range log {
		id, comments, children := target(e)
		switch {
		case comments && !m.isPage(id) && m.pageOf[id] != "":
			if last, ok := f.blockLast[id]; ok && e.Time.Sub(last) > f.blockWorst {
				f.blockWorst, f.blockWorstID = e.Time.Sub(last), id
			}
			f.blockLast[id] = e.Time
		case children && m.isPage(id):
			if last, ok := f.pageLast[id]; ok && e.Time.Sub(last) > f.pageWorst {
				f.pageWorst, f.pageWorstID = e.Time.Sub(last), id
			}
			f.pageLast[id] = e.Time
		}
	}
}

// freshnessAt is the worst age of a page's verification and of a block's
// comment check, over the whole period up to end, and how many blocks had
// theirs never checked.
type freshnessAt struct {
	Period                    time.Duration
	PageWorst, BlockWorst     time.Duration
	Blocks, BlocksNever       int
	PageWorstID, BlockWorstID string
}

func (f *freshness) at(m *workspaceModel, end time.Time) freshnessAt {
	r := freshnessAt{Period: end.Sub(f.start), PageWorst: f.pageWorst, BlockWorst: f.blockWorst, PageWorstID: f.pageWorstID, BlockWorstID: f.blockWorstID}
	for _, id := range m.pages {
		if age := end.Sub(f.pageLast[id]); age > r.PageWorst {
			r.PageWorst, r.PageWorstID = age, id
		}
	}
	for id := range m.pageOf {
		if m.isPage(id) {
			continue
		}
		r.Blocks++
		last, ok := f.blockLast[id]
		if !ok {
			r.BlocksNever++
			last = f.start
		}
		if age := end.Sub(last); age > r.BlockWorst {
			r.BlockWorst, r.BlockWorstID = age, id
		}
	}
	return r
}

// verdict says how an age compares with its bound over a period.
func verdict(age, bound, period time.Duration) string {
	switch {
	case age > bound:
		return "OVER the bound"
	case period <= bound:
		return fmt.Sprintf("inconclusive: the period is not longer than the bound (run ≥ %d hourly syncs)", int(bound/time.Hour)+2)
	}
	return "within the bound"
}

func printFreshness(w io.Writer, r freshnessAt, pageBound, commentBound time.Duration) {
	fmt.Fprintf(w, "  freshness over %s simulated:\n", hours(r.Period))
	fmt.Fprintf(w, "    pages:          worst age %s, bound %s: %s\n", hours(r.PageWorst), hours(pageBound), verdict(r.PageWorst, pageBound, r.Period))
	fmt.Fprintf(w, "    block comments: worst age %s, bound %s: %s; %d of %d blocks never checked\n",
		hours(r.BlockWorst), hours(commentBound), verdict(r.BlockWorst, commentBound, r.Period), r.BlocksNever, r.Blocks)
}

// hours writes d in hours and minutes ("170h05m").
func hours(d time.Duration) string {
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}
