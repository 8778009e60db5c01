package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// requestClock is the command's clock in a test: it moves on by step at
// every request Notion answers, so that --max-duration is a request budget.
type requestClock struct {
	mu       sync.Mutex
	now      time.Time
	step     time.Duration
	requests int
}

func (c *requestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *requestClock) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.now = c.now.Add(c.step)
		c.requests++
		c.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// take returns the requests counted since the last take.
func (c *requestClock) take() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.requests
	c.requests = 0
	return n
}

// syncOn runs a sync with the command's clock on c.
func (e *localNotion) syncOn(t *testing.T, c *requestClock, dir string, want int, extra ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runEnv(&Env{Ctx: context.Background(), Stdout: &stdout, Stderr: &stderr, Now: c.Now}, e.syncArgs(dir, extra...))
	r := result{code, stdout.String(), stderr.String()}
	if code != want {
		t.Fatalf("sync %v: want exit %d, got %s", extra, want, r)
	}
	return r
}

const checkpointRef = checkpointRefPrefix + "main"

func hasRef(dir, ref string) bool {
	_, err := tryGit(dir, "rev-parse", "--verify", "-q", ref)
	return err == nil
}

func TestMaxDurationKeepsACheckpointTheNextSyncCompletes(t *testing.T) {
	clock := &requestClock{now: fixtureTime, step: 100 * time.Millisecond}
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{}, clock.wrap)

	// Uninterrupted, for comparison: 426 requests, 42.6 s on this clock.
	whole := newRepoDir(t)
	e.syncOn(t, clock, whole, exitOK)
	full := clock.take()

	dir := newRepoDir(t)
	r := e.syncOn(t, clock, dir, exitIncomplete, "--max-duration", "25s", "--checkpoint-interval", "5s")
	line := oneStderrLine(t, r)
	for _, want := range []string{"incomplete after ", " pages crawled and kept as a checkpoint; run again to continue (the branch has not moved)"} {
		if !strings.Contains(line, want) {
			t.Errorf("stderr %q: want %q", line, want)
		}
	}
	if n := commitCount(t, dir); n != 0 {
		t.Fatalf("the branch moved: %d commits", n)
	}
	if !hasRef(dir, checkpointRef) {
		t.Fatalf("no %s after an incomplete sync", checkpointRef)
	}
	gitFsck(t, dir)
	first := clock.take()
	if first >= full {
		t.Fatalf("the time-boxed sync made %d requests, a whole one %d", first, full)
	}

	e.syncOn(t, clock, dir, exitOK)
	second := clock.take()
	if n := commitCount(t, dir); n != 1 {
		t.Errorf("%d commits after the sync that completed the snapshot: want 1", n)
	}
	if hasRef(dir, checkpointRef) {
		t.Errorf("%s kept after the branch got the complete snapshot", checkpointRef)
	}
	// The commit tells what changed on the branch, as an uninterrupted
	// first sync's does, not what changed since the checkpoint.
	if got, want := git(t, dir, "log", "-1", "--format=%s"), git(t, whole, "log", "-1", "--format=%s"); got != want {
		t.Errorf("the completing commit says %q, an uninterrupted first sync %q", got, want)
	}
	// Pages still in progress at the hard stop are crawled again; at this
	// size they are a sixth of the workspace (see bench -resume for the
	// ratio at scale).
	if total := first + second; total > full*5/4 {
		t.Errorf("%d + %d requests to complete the snapshot, a whole sync %d", first, second, full)
	}
	t.Logf("%d + %d requests, a whole sync %d", first, second, full)
	got, want := headBlobs(t, dir), headBlobs(t, whole)
	for _, m := range []map[string]string{got, want} {
		for p := range m {
			if isStateFile(p) {
				delete(m, p)
			}
		}
	}
	for p, h := range want {
		if got[p] != h {
			t.Errorf("%s: differs from, or missing beside, the uninterrupted sync's", p)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d files, the uninterrupted sync %d", len(got), len(want))
	}
}

func TestCheckpointOfAnOlderBranchTipIsDiscarded(t *testing.T) {
	clock := &requestClock{now: fixtureTime, step: 100 * time.Millisecond}
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{}, clock.wrap)
	dir := newRepoDir(t)
	e.syncOn(t, clock, dir, exitIncomplete, "--max-duration", "25s")

	// Someone else commits to the branch meanwhile.
	git(t, dir, "-c", "user.name=someone", "-c", "user.email=someone@localhost", "commit", "-q", "--allow-empty", "-m", "meanwhile")
	clock.take()
	r := e.syncOn(t, clock, dir, exitOK)
	if !strings.Contains(r.stderr, "starting afresh, not from the checkpoint of an incomplete sync: the branch has moved") {
		t.Errorf("no word of the discarded checkpoint:\n%s", r)
	}
	if hasRef(dir, checkpointRef) {
		t.Errorf("%s kept", checkpointRef)
	}
	if n := clock.take(); n < 426 {
		t.Errorf("%d requests: the sync did not start afresh", n)
	}
}

func TestCheckpointWithOtherOptionsIsDiscarded(t *testing.T) {
	clock := &requestClock{now: fixtureTime, step: 100 * time.Millisecond}
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{}, clock.wrap)
	dir := newRepoDir(t)
	e.syncOn(t, clock, dir, exitIncomplete, "--max-duration", "25s")
	for _, args := range [][]string{{"--comments", "none", "--max-duration", "25s"}, {"--full"}} {
		r := e.syncOn(t, clock, dir, map[bool]int{true: exitOK, false: exitIncomplete}[args[0] == "--full"], args...)
		if !strings.Contains(r.stderr, "starting afresh") {
			t.Errorf("sync %v: no word of the discarded checkpoint:\n%s", args, r)
		}
	}
	if hasRef(dir, checkpointRef) {
		t.Errorf("%s kept after a --full sync", checkpointRef)
	}
}

// TestFailedFirstSyncKeepsItsCheckpoint: a first sync that fails after
// checkpoints were written (here the token is revoked midway) exits 1 and
// says what it kept; the repository stays, with the checkpoint, and the
// next sync continues from it instead of crawling everything again.
func TestFailedFirstSyncKeepsItsCheckpoint(t *testing.T) {
	clock := &requestClock{now: fixtureTime, step: 100 * time.Millisecond}
	// Once revoked, every request after the 250th of a run is refused.
	var revoked sync.Map
	const revokeAfter = 250
	count := 0
	var mu sync.Mutex
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{}, func(h http.Handler) http.Handler {
		h = clock.wrap(h)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			count++
			cut := count > revokeAfter
			mu.Unlock()
			if _, ok := revoked.Load("on"); ok && cut {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				w.Write([]byte(`{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid."}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	})

	whole := newRepoDir(t)
	e.syncOn(t, clock, whole, exitOK)
	full := clock.take()

	dir := t.TempDir() + "/backup" // a folder the sync creates
	revoked.Store("on", true)
	mu.Lock()
	count = 0
	mu.Unlock()
	r := e.syncOn(t, clock, dir, exitError, "--checkpoint-interval", "2s")
	if line := oneStderrLine(t, r); !strings.Contains(line, "kept as a checkpoint; the next sync continues from it") {
		t.Errorf("stderr %q does not say the progress was kept", line)
	}
	if !hasRef(dir, checkpointRef) {
		t.Fatalf("the failed first sync left no %s (or no repository)", checkpointRef)
	}
	if n := commitCount(t, dir); n != 0 {
		t.Fatalf("the branch moved: %d commits", n)
	}
	gitFsck(t, dir)
	first := clock.take()

	revoked.Delete("on")
	e.syncOn(t, clock, dir, exitOK)
	second := clock.take()
	if second >= full {
		t.Errorf("the sync after the failed one made %d requests, a whole sync %d: it did not continue from the checkpoint", second, full)
	}
	if hasRef(dir, checkpointRef) || commitCount(t, dir) != 1 {
		t.Errorf("after completing: checkpoint ref kept %v, %d commits (want none and 1)", hasRef(dir, checkpointRef), commitCount(t, dir))
	}
	t.Logf("%d requests before the token was refused, %d after, a whole sync %d", first, second, full)
}

// sleepingClock is a requestClock the Notion client waits by too: a wait
// moves it on at once, and the pacer reads the time box's deadline on it.
type sleepingClock struct{ *requestClock }

func (c sleepingClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return nil
}

// refusingAfter answers with a 429 asking for a wait of 20 minutes every
// request after the first n, until it is turned off.
type refusingAfter struct {
	mu       sync.Mutex
	n, count int
	on       bool
}

func (ra *refusingAfter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ra.mu.Lock()
		ra.count++
		refuse := ra.on && ra.count > ra.n
		ra.mu.Unlock()
		if !refuse {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Retry-After", "1200")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited."}`))
	})
}

func (ra *refusingAfter) arm(on bool) {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	ra.on, ra.count = on, 0
}

// syncWaiting runs a sync with the command's clock, and the client's, on c.
func (e *localNotion) syncWaiting(t *testing.T, c *requestClock, dir string, want int, extra ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runEnv(&Env{Ctx: context.Background(), Stdout: &stdout, Stderr: &stderr, Now: c.Now, Clock: sleepingClock{c}}, e.syncArgs(dir, extra...))
	r := result{code, stdout.String(), stderr.String()}
	if code != want {
		t.Fatalf("sync %v: want exit %d, got %s", extra, want, r)
	}
	return r
}

// TestLongWaitUnderMaxDurationKeepsACheckpoint: Notion asks for a wait of
// 20 minutes with less than 10 left of --max-duration. The sync ends as
// the time box would end it, exit 5, its progress kept as a checkpoint,
// the line saying why it stopped early; the next sync completes from it.
func TestLongWaitUnderMaxDurationKeepsACheckpoint(t *testing.T) {
	clock := &requestClock{now: fixtureTime, step: 100 * time.Millisecond}
	refuse := &refusingAfter{n: 200} // of the 426 requests of a whole sync
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{}, func(h http.Handler) http.Handler {
		return clock.wrap(refuse.wrap(h))
	})
	whole := newRepoDir(t)
	e.syncWaiting(t, clock, whole, exitOK)
	full := clock.take()

	dir := newRepoDir(t)
	refuse.arm(true)
	r := e.syncWaiting(t, clock, dir, exitIncomplete, "--max-duration", "10m")
	line := oneStderrLine(t, r)
	want := regexp.MustCompile(`^notion-git: incomplete after 2\ds: Notion asked to wait 20m \(Retry-After: 1200\), ` +
		`longer than the 9m[34]\ds left of --max-duration; [1-9][0-9]* of [1-9][0-9]* pages crawled and kept as a checkpoint; ` +
		`run again to continue \(the branch has not moved\)$`)
	if !want.MatchString(line) {
		t.Fatalf("stderr\n%s\ndoes not match\n%s", line, want)
	}
	if n := commitCount(t, dir); n != 0 {
		t.Fatalf("the branch moved: %d commits", n)
	}
	// No checkpoint was due within the first minute: this one is the
	// final checkpoint, written when the wait stopped the crawl.
	if !hasRef(dir, checkpointRef) {
		t.Fatalf("no %s after the sync stopped by the wait", checkpointRef)
	}
	gitFsck(t, dir)
	first := clock.take()

	refuse.arm(false)
	e.syncWaiting(t, clock, dir, exitOK)
	second := clock.take()
	if hasRef(dir, checkpointRef) || commitCount(t, dir) != 1 {
		t.Errorf("after completing: checkpoint ref kept %v, %d commits (want none and 1)", hasRef(dir, checkpointRef), commitCount(t, dir))
	}
	if second >= full {
		t.Errorf("the sync after the wait made %d requests, a whole sync %d: it did not continue from the checkpoint", second, full)
	}
	if got, want := headFiles(t, dir), headFiles(t, whole); !slices.Equal(got, want) {
		t.Errorf("the completed snapshot has %d files, an uninterrupted sync %d", len(got), len(want))
	}
	t.Logf("%s\n%d requests before the wait, %d after, a whole sync %d", line, first, second, full)
}

// TestLongWaitWithoutMaxDurationSaysTheCheckpointIsKept: without a time
// box the wait still stops the run (exit 1), and the line says that what
// the checkpoints hold is kept.
func TestLongWaitWithoutMaxDurationSaysTheCheckpointIsKept(t *testing.T) {
	clock := &requestClock{now: fixtureTime, step: 100 * time.Millisecond}
	refuse := &refusingAfter{n: 250, on: true}
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{}, func(h http.Handler) http.Handler {
		return clock.wrap(refuse.wrap(h))
	})
	dir := newRepoDir(t)
	r := e.syncWaiting(t, clock, dir, exitError, "--checkpoint-interval", "2s")
	want := "notion-git: Notion asked to wait 20m0s (Retry-After: 1200) before the next request, longer than the 15m0s this run may wait; " +
		"nothing was committed to the branch; what was crawled before is kept as a checkpoint; run again later to continue from it"
	if line := oneStderrLine(t, r); line != want {
		t.Fatalf("stderr\n%s\nwant\n%s", line, want)
	}
	if !hasRef(dir, checkpointRef) || commitCount(t, dir) != 0 {
		t.Fatalf("checkpoint ref %v, %d commits: want the checkpoint and no commit", hasRef(dir, checkpointRef), commitCount(t, dir))
	}
	gitFsck(t, dir)
	refuse.arm(false)
	e.syncWaiting(t, clock, dir, exitOK)
	if hasRef(dir, checkpointRef) || commitCount(t, dir) != 1 {
		t.Errorf("after completing: checkpoint ref kept %v, %d commits (want none and 1)", hasRef(dir, checkpointRef), commitCount(t, dir))
	}
}

// TestTimeBoxedRunsFinishAFirstSync: a first sync too long for one run
// finishes over several, each keeping more pages than the one before. A
// run's pages in progress used to share the request slots evenly, and
// read their block comments one at a time, so that a short box ended
// with none of them done: the next run crawled the same pages from the
// start, and progress stopped (28 of 103 pages after four runs, no more
// after).
func TestTimeBoxedRunsFinishAFirstSync(t *testing.T) {
	clock := &requestClock{now: fixtureTime, step: 100 * time.Millisecond}
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{}, clock.wrap)
	whole := newRepoDir(t)
	e.syncOn(t, clock, whole, exitOK)
	full := clock.take()

	// Each run may make 400 requests (40 s on this clock): the sync needs
	// full/400 runs at the least. Allow twice that, and a run more.
	dir := newRepoDir(t)
	done, runs, limit := -1, 0, 2*full/400+2
	progress := regexp.MustCompile(`(\d+) of \d+ pages crawled`)
	for {
		runs++
		if runs > limit {
			t.Fatalf("not complete after %d runs of 400 requests (an uninterrupted sync makes %d)", limit, full)
		}
		var stdout, stderr bytes.Buffer
		code := runEnv(&Env{Ctx: context.Background(), Stdout: &stdout, Stderr: &stderr, Now: clock.Now}, e.syncArgs(dir, "--max-duration", "40s"))
		if code == exitOK {
			break
		}
		m := progress.FindStringSubmatch(stderr.String())
		if code != exitIncomplete || m == nil {
			t.Fatalf("run %d: exit %d\n%s", runs, code, stderr.String())
		}
		n, _ := strconv.Atoi(m[1])
		if n <= done {
			t.Fatalf("run %d kept %d pages, the run before %d: no progress", runs, n, done)
		}
		done = n
	}
	spent := clock.take()
	t.Logf("%d runs, %d requests; uninterrupted %d", runs, spent, full)
	if got, want := git(t, dir, "ls-tree", "-r", "--name-only", "HEAD", "pages"), git(t, whole, "ls-tree", "-r", "--name-only", "HEAD", "pages"); got != want {
		t.Errorf("the snapshot made over %d runs holds other page files than the uninterrupted one", runs)
	}
}
