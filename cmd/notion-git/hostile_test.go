package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
)

// Syncs against a hostile or broken Notion, through the command line: each
// ends within a bounded number of requests and seconds of a fake clock,
// with one clear line on stderr and the exit code the README gives.

// instantClock advances at once by every wait it is asked for.
type instantClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func (c *instantClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *instantClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.slept += d
	}
	return nil
}

func (c *instantClock) waited() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}

// hostile stands between the emulator and the network: for each request
// matching match it answers with answer, else the emulator answers.
type hostile struct {
	match  func(r *http.Request) bool
	answer func(w http.ResponseWriter, r *http.Request, n int)
	hits   atomic.Int32 // requests that matched
	total  atomic.Int32
	armed  atomic.Bool
}

func (h *hostile) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.total.Add(1)
		if h.armed.Load() && h.match(r) {
			h.answer(w, r, int(h.hits.Add(1)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hostileSync syncs the basic fixture once, well, then arms h and syncs
// again (--full, so every page is read) on a fake clock.
func hostileSync(t *testing.T, h *hostile) (first, second result, dir string, clock *instantClock, e *localNotion) {
	t.Helper()
	e = startEmulator(t, basicFixture(t), emulator.Options{}, h.wrap)
	dir = newRepoDir(t)
	first = e.sync(t, dir, exitOK)
	return first, hostileRun(h, e, dir, &clock), dir, clock, e
}

// hostileRun arms h and syncs into dir on a fake clock.
func hostileRun(h *hostile, e *localNotion, dir string, clockOut **instantClock) result {
	h.armed.Store(true)
	clock := &instantClock{now: fixtureTime}
	*clockOut = clock
	return runArgsOn(clock, e.syncArgs(dir, "--full")...)
}

// hostileFirstSync is a first sync with h armed from the start.
func hostileFirstSync(t *testing.T, h *hostile) (result, *instantClock) {
	t.Helper()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, h.wrap)
	var clock *instantClock
	return hostileRun(h, e, newRepoDir(t), &clock), clock
}

func pathIs(method, suffix string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Method == method && strings.HasSuffix(r.URL.Path, suffix) }
}

func rateLimited(retryAfter string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Retry-After", retryAfter)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited.","additional_data":{"rate_limit_reason":"integration_rate_limit"}}`)
	}
}

func TestSyncStopsOnAHugeRetryAfter(t *testing.T) {
	h := &hostile{match: pathIs("GET", "/children"), answer: rateLimited("999999")}
	_, r, dir, clock, _ := hostileSync(t, h)
	want := "notion-git: Notion asked to wait 11d13h46m (Retry-After: 999999, rate_limit_reason: integration_rate_limit) " +
		"before the next request, longer than the 15m0s this run may wait; nothing was committed; run again later"
	if r.code != exitError || oneStderrLine(t, r) != want {
		t.Fatalf("want exit 1 and\n%s\ngot %s", want, r)
	}
	if n := commitCount(t, dir); n != 1 || clock.waited() > time.Minute {
		t.Fatalf("%d commits, %v waited; want the first sync's only, and no wait", n, clock.waited())
	}
	// Every request in flight stops; none is sent after the refusal but
	// those already past the pacer.
	if h.hits.Load() > 8 {
		t.Fatalf("%d requests refused; the client kept sending after the first", h.hits.Load())
	}
}

// TestSyncWaitsOutAnUnreadableRetryAfter: "1e300" is no number of seconds
// RFC 9110 knows; the client backs off on its own and the sync completes.
func TestSyncWaitsOutAnUnreadableRetryAfter(t *testing.T) {
	h := &hostile{match: pathIs("GET", "/children"), answer: rateLimited("1e300")}
	h.match = func(r *http.Request) bool { return pathIs("GET", "/children")(r) && h.hits.Load() < 3 }
	_, r, _, clock, _ := hostileSync(t, h)
	if r.code != exitOK || h.hits.Load() != 3 {
		t.Fatalf("want exit 0 after 3 refusals, got %d refusals and %s", h.hits.Load(), r)
	}
	if w := clock.waited(); w < time.Second || w > 5*time.Minute {
		t.Fatalf("waited %v of clock for three refusals", w)
	}
}

// TestSyncGivesUpOnEndlessRefusals: a Retry-After that cannot be read, on
// every request, ends after the client's bound on refusals with Notion's
// own error.
func TestSyncGivesUpOnEndlessRefusals(t *testing.T) {
	h := &hostile{match: func(*http.Request) bool { return true }, answer: rateLimited("soon")}
	_, r, dir, clock, _ := hostileSync(t, h)
	want := "notion-git: identify the integration: notion: GET users/me: 429 rate_limited: You have been rate limited."
	if r.code != exitError || oneStderrLine(t, r) != want {
		t.Fatalf("want exit 1 and\n%s\ngot %s", want, r)
	}
	if n := int(h.hits.Load()); n != notion.DefaultMaxRateLimited+1 || clock.waited() > time.Hour || commitCount(t, dir) != 1 {
		t.Fatalf("%d requests, %v of clock", n, clock.waited())
	}
}

func listPage(results, cursor string) string {
	return fmt.Sprintf(`{"object":"list","results":[%s],"next_cursor":%q,"has_more":true,"type":"block","block":{}}`, results, cursor)
}

func TestSyncReportsCyclingCursors(t *testing.T) {
	path := "/v1/blocks/" + releaseID + "/children"
	next := map[string]string{"": "A", "A": "B", "B": "A"}
	h := &hostile{match: pathIs("GET", path), answer: func(w http.ResponseWriter, r *http.Request, _ int) {
		io.WriteString(w, listPage("", next[r.URL.Query().Get("start_cursor")]))
	}}
	_, r, dir, _, _ := hostileSync(t, h)
	want := "could not read page " + releaseID + ": page " + releaseID + ": blocks: notion: GET blocks/{id}/children: the listing does not end: page 3 gave a cursor already given"
	if r.code != exitPartial || !strings.Contains(r.stderr, want+"\n") || h.hits.Load() != 3 {
		t.Fatalf("want exit 3 after 3 pages and\n%s\ngot %d pages and %s", want, h.hits.Load(), r)
	}
	// The page keeps its previous version: nothing else changed, so
	// there is no new commit at all.
	if n := commitCount(t, dir); n != 1 {
		t.Fatalf("%d commits, want the first sync's only", n)
	}
}

func TestSyncReportsAListingThatNeverEnds(t *testing.T) {
	const ds = "d5000000-0000-4000-8000-000000000001"
	h := &hostile{match: pathIs("POST", "/v1/data_sources/"+ds+"/query"), answer: func(w http.ResponseWriter, r *http.Request, n int) {
		io.WriteString(w, listPage("", fmt.Sprintf("fresh-%d", n)))
	}}
	_, r, _, clock, _ := hostileSync(t, h)
	bound := notion.ListBound("data_sources/{id}/query")
	want := fmt.Sprintf("could not read data_source %s: query rows: notion: POST data_sources/{id}/query: the listing does not end: %d pages in a row with no results and still more", ds, bound.EmptyPages)
	if r.code != exitPartial || !strings.Contains(r.stderr, want+"\n") || int(h.hits.Load()) != bound.EmptyPages {
		t.Fatalf("want exit 3 after %d pages and\n%s\ngot %d pages and %s", bound.EmptyPages, want, h.hits.Load(), r)
	}
	if clock.waited() > time.Minute {
		t.Fatalf("waited %v of clock", clock.waited())
	}
}

// TestSyncReportsEmptyChildPagesThatNeverEnd: a fresh cursor and an empty
// page with has_more, again and again, on one page's blocks: the page is
// reported unreadable after a few requests, not hours of them, and keeps
// its previous version.
func TestSyncReportsEmptyChildPagesThatNeverEnd(t *testing.T) {
	h := &hostile{match: pathIs("GET", "/v1/blocks/"+releaseID+"/children"), answer: func(w http.ResponseWriter, r *http.Request, n int) {
		io.WriteString(w, listPage("", fmt.Sprintf("fresh-%d", n)))
	}}
	e := startEmulator(t, basicFixture(t), emulator.Options{}, h.wrap)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	// The page changes in Notion; what cannot be read of it now must not
	// replace what was read before.
	if err := e.SetTitle(releaseID, "Release notes, renamed"); err != nil {
		t.Fatal(err)
	}
	before := headBlobs(t, dir)
	var clock *instantClock
	r := hostileRun(h, e, dir, &clock)
	bound := notion.ListBound("blocks/{id}/children")
	want := fmt.Sprintf("could not read page %s: page %s: blocks: notion: GET blocks/{id}/children: the listing does not end: %d pages in a row with no results and still more", releaseID, releaseID, bound.EmptyPages)
	if r.code != exitPartial || !strings.Contains(r.stderr, want+"\n") {
		t.Fatalf("want exit 3 and\n%s\ngot %s", want, r)
	}
	if n := int(h.hits.Load()); n != 3 || n != bound.EmptyPages {
		t.Fatalf("%d requests for the page's blocks, want 3", n)
	}
	// The rename reaches the parent (its child_page block), not the page:
	// each file of the page is as the first sync wrote it.
	after, kept := headBlobs(t, dir), 0
	for p, blob := range before {
		if strings.Contains(p, "/"+releaseID+"/") {
			kept++
			if after[p] != blob {
				t.Errorf("%s changed; the unreadable page must keep its previous version", p)
			}
		}
	}
	if n := commitCount(t, dir); n != 2 || kept == 0 {
		t.Fatalf("%d commits and %d files of the page; want the rename of the parent committed and the page's files kept", n, kept)
	}
	if clock.waited() > time.Minute {
		t.Fatalf("waited %v of clock", clock.waited())
	}
	gitFsck(t, dir)
}

// fileRedirect answers attachment downloads with a redirect to target.
func fileRedirect(target string) *hostile {
	return &hostile{match: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/files/") },
		answer: func(w http.ResponseWriter, r *http.Request, _ int) { http.Redirect(w, r, target, http.StatusFound) }}
}

func TestSyncRefusesAnAttachmentRedirectedToPlainHTTP(t *testing.T) {
	h := fileRedirect("http://files.example.com/f?X-Amz-Signature=s")
	r, clock := hostileFirstSync(t, h)
	want := "could not read page " + onboardingID + ": attachment at "
	tail := `download: refusing http URL of host "files.example.com": only HTTPS file hosts are allowed`
	if r.code != exitPartial || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, tail) || h.hits.Load() != 1 {
		t.Fatalf("want exit 3, one request and\n%s...%s\ngot %d requests and %s", want, tail, h.hits.Load(), r)
	}
	if strings.Contains(r.stderr, "Signature") || clock.waited() > time.Minute {
		t.Fatalf("signed query in the output, or %v of backoff: %s", clock.waited(), r)
	}
}

func TestSyncRefusesAnAttachmentRedirectedToAnotherScheme(t *testing.T) {
	h := fileRedirect("ftp://files.example.com/f")
	r, _ := hostileFirstSync(t, h)
	tail := `download: refusing ftp URL of host "files.example.com": only HTTPS file hosts are allowed`
	if r.code != exitPartial || !strings.Contains(r.stderr, tail) || h.hits.Load() != 1 {
		t.Fatalf("want exit 3, one request and %s; got %d requests and %s", tail, h.hits.Load(), r)
	}
}

// TestSyncNeverFollowsAnAPIRedirect: the token goes only to the API; a
// redirect from it is a fault of the page, and the host it points to hears
// nothing.
func TestSyncNeverFollowsAnAPIRedirect(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	h := &hostile{match: pathIs("GET", "/v1/blocks/"+releaseID+"/children"), answer: func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}}
	_, r, _, _, e := hostileSync(t, h)
	want := "could not read page " + releaseID + ": page " + releaseID + ": blocks: notion: GET blocks/{id}/children: Get: the API answered with a redirect, which is not followed"
	if r.code != exitPartial || !strings.Contains(r.stderr, want+"\n") || h.hits.Load() != 1 || elsewhere.Load() != 0 {
		t.Fatalf("want exit 3, one request, none elsewhere and\n%s\ngot %d, %d and %s", want, h.hits.Load(), elsewhere.Load(), r)
	}
	if strings.Contains(r.stderr+r.stdout, e.Token) {
		t.Fatal("the token is in the output")
	}
}

func TestSyncOverHTTPSToAPlainHTTPServer(t *testing.T) {
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	clock := &instantClock{now: fixtureTime}
	args := e.syncArgs(newRepoDir(t))
	for i, a := range args {
		if a == e.URL {
			args[i] = strings.Replace(a, "http://", "https://", 1)
		}
	}
	r := runArgsOn(clock, args...)
	want := "notion-git: identify the integration: notion: GET users/me: Get: http: server gave HTTP response to HTTPS client"
	if r.code != exitError || oneStderrLine(t, r) != want || clock.waited() > time.Second {
		t.Fatalf("want exit 1 at once and\n%s\ngot %v waited and %s", want, clock.waited(), r)
	}
}

// TestSyncTellsOfLongWaits: with -v, a wait of 42 s is one line saying
// why, and the sync goes on.
func TestSyncTellsOfLongWaits(t *testing.T) {
	h := &hostile{answer: rateLimited("42")}
	h.match = func(r *http.Request) bool { return pathIs("GET", "/children")(r) && h.hits.Load() < 1 }
	e := startEmulator(t, basicFixture(t), emulator.Options{}, h.wrap)
	h.armed.Store(true)
	clock := &instantClock{now: fixtureTime}
	r := runArgsOn(clock, e.syncArgs(newRepoDir(t), "-v")...)
	want := "notion-git: waiting 42s: Notion asked to slow down (rate_limit_reason: integration_rate_limit)\n"
	if r.code != exitOK || strings.Count(r.stderr, want) != 1 {
		t.Fatalf("want exit 0 and once\n%s\ngot %s", want, r)
	}
	if !strings.Contains(r.stderr, "1  429 with rate_limit_reason integration_rate_limit") {
		t.Fatalf("-v does not count the reason:\n%s", r.stderr)
	}
}
