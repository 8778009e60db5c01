package exporter_test

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// requestTicker is a world's clock moved on by a fixed step at every
// request, so that a time box is a request budget, and a log of requests.
type requestTicker struct {
	mu   sync.Mutex
	log  []string
	step time.Duration
}

func (rt *requestTicker) attach(w *world) {
	w.wrap = func(_ http.ResponseWriter, r *http.Request) bool {
		w.clock.Advance(rt.step)
		rt.mu.Lock()
		rt.log = append(rt.log, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
		rt.mu.Unlock()
		return false
	}
}

// take returns the requests logged since the last take.
func (rt *requestTicker) take() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := rt.log
	rt.log = nil
	return out
}

// checkpoints keeps what Options.Checkpoint is handed: the tree the sink
// holds with the state in it, as a checkpoint commit would.
type checkpoints struct {
	t     *testing.T
	sink  exporter.MemoryTree
	trees []exporter.MemoryTree
}

func (c *checkpoints) write(_ context.Context, s *layout.State) error {
	tree := maps.Clone(c.sink)
	if err := putState(tree, s); err != nil {
		return err
	}
	c.trees = append(c.trees, tree)
	return nil
}

func TestStoppedSyncResumesFromItsCheckpoint(t *testing.T) {
	w := newWorld(t, workspace.Generate(workspace.Small()), emulator.Options{})
	ticker := &requestTicker{step: 100 * time.Millisecond}
	ticker.attach(w)
	// Edits go to rows: an edit to a page below another page also changes
	// the child_page block in its parent (its last_edited_time), which no
	// incremental sync crawls again, resumed or not.
	rows := map[string]bool{}
	for _, p := range w.server.Fixture().Pages {
		if parent, _ := p["parent"].(map[string]any); parent["type"] == "data_source_id" {
			rows[p["id"].(string)] = true
		}
	}

	// The first sync, a first sync, is stopped by its time box about half
	// way (Small takes 426 requests, 42.6 s on this clock), with room
	// for the pages in progress to finish.
	ck := &checkpoints{t: t, sink: exporter.MemoryTree{}}
	start := w.clock.Now()
	res, err := exporter.Sync(context.Background(), w.client(), nil, ck.sink, exporter.Options{
		Now: w.clock.Now, Checkpoint: ck.write, CheckpointInterval: 5 * time.Second,
		StopAt: start.Add(40 * time.Second), StopDrain: 15 * time.Second,
	})
	var inc *exporter.IncompleteError
	if !errors.As(err, &inc) || !errors.Is(err, exporter.ErrIncomplete) {
		t.Fatalf("want an incomplete sync, got %v", err)
	}
	if !inc.Checkpointed || inc.PagesDone == 0 || inc.PagesDone >= inc.PagesKnown {
		t.Fatalf("stopped with %+v: want part of the pages done", inc)
	}
	if len(ck.trees) < 2 {
		t.Fatalf("%d checkpoints: want periodic ones and the final one", len(ck.trees))
	}
	first := ticker.take()
	checkpoint := ck.trees[len(ck.trees)-1]
	state := readState(t, checkpoint)
	if state.LastSync != "" {
		t.Errorf("checkpoint of a first sync has watermark %q: want none", state.LastSync)
	}
	if res.State == nil || len(res.State.Objects) != len(state.Objects) {
		t.Errorf("the result's state is not the last checkpoint's")
	}

	// One edit to a page the first sync crawled, one to a page it did not.
	var crawled, notCrawled string
	for _, id := range sortedIDs(state.Objects) {
		o := state.Objects[id]
		switch {
		case !rows[id]:
		case crawled == "" && o.LastEdited != "" && checkpoint[layout.PagePath(id)] != nil:
			crawled = id
		case notCrawled == "" && o.Pending():
			notCrawled = id
		}
	}
	if crawled == "" || notCrawled == "" {
		t.Fatalf("no crawled (%q) or pending (%q) row in the checkpoint", crawled, notCrawled)
	}
	w.clock.Advance(5 * time.Minute)
	paragraph(t, w.server, crawled)
	paragraph(t, w.server, notCrawled)
	w.clock.Advance(5 * time.Minute)

	final, res2, err := w.trySyncMemory(checkpoint, exporter.Options{})
	if err != nil {
		t.Fatalf("second sync: %v", err)
	}
	second := ticker.take()

	// Nothing the first sync fetched is fetched again, but for the edited
	// page's content and the calls every sync makes.
	edited := map[string]bool{crawled: true}
	for p := range final {
		if info, ok := layout.ParsePath(p); ok && info.Kind == layout.PathBlock && info.PageID == crawled {
			edited[info.BlockID] = true
		}
	}
	seen := map[string]bool{}
	for _, r := range first {
		seen[r] = true
	}
	refetched := false
	for _, r := range second {
		if !seen[r] || everySync(r) {
			continue
		}
		if id := requestTarget(r); edited[id] {
			refetched = true
			continue
		}
		t.Errorf("fetched twice: %s", r)
	}
	if !refetched {
		t.Errorf("the page edited after the first sync crawled it was not crawled again")
	}
	t.Logf("stopped at %+v after %d requests, %d checkpoints; completed in %d requests", *inc, len(first), len(ck.trees), len(second))
	if n := len(first) + len(second); n > 426*103/100 {
		t.Errorf("%d requests in the two syncs: want at most 3%% over a full sync's 426", n)
	}
	if !res2.Report.Full {
		t.Errorf("the sync completing a first sync reports Full false")
	}

	// The result is the tree of one uninterrupted sync of the same workspace.
	want, _ := w.syncMemory(nil, exporter.Options{})
	sameTree(t, w.comparable(want), w.comparable(final))
	sameObjects(t, want, final)
	for _, id := range []string{crawled, notCrawled} {
		if !strings.Contains(string(final[layout.PageReadmePath(id)]), "to be edited") {
			t.Errorf("page %s: the edit between the syncs is missing", id)
		}
	}
}

// everySync reports whether a request is one each sync makes whatever it
// knows: who it is, the listing, the user list.
func everySync(r string) bool {
	for _, p := range []string{"GET /v1/users/me?", "POST /v1/search?", "GET /v1/users?"} {
		if strings.HasPrefix(r, p) {
			return true
		}
	}
	return false
}

// requestTarget returns the page or block a crawl request reads.
func requestTarget(r string) string {
	_, rest, _ := strings.Cut(r, " ")
	path, query, _ := strings.Cut(rest, "?")
	if v, err := url.ParseQuery(query); err == nil && v.Get("block_id") != "" {
		return v.Get("block_id")
	}
	parts := strings.Split(strings.TrimPrefix(path, "/v1/"), "/")
	if len(parts) >= 2 {
		if id, err := layout.ParseID(parts[1]); err == nil {
			return id
		}
	}
	return ""
}

// sameObjects compares two trees' sync states but for the crawl times.
func sameObjects(t *testing.T, want, got exporter.MemoryTree) {
	t.Helper()
	ws, gs := readState(t, want), readState(t, got)
	strip := func(m map[string]layout.ObjectState) map[string]layout.ObjectState {
		out := map[string]layout.ObjectState{}
		for id, o := range m {
			o.Crawled = ""
			out[id] = o
		}
		return out
	}
	a, b := strip(ws.Objects), strip(gs.Objects)
	for id, o := range a {
		if g, ok := b[id]; !ok {
			t.Errorf("state: %s missing", id)
		} else if !sameState(o, g) {
			t.Errorf("state of %s: got %+v, want %+v", id, g, o)
		}
	}
	for id := range b {
		if _, ok := a[id]; !ok {
			t.Errorf("state: unexpected %s", id)
		}
	}
}

func sameState(a, b layout.ObjectState) bool {
	return a.Kind == b.Kind && a.LastEdited == b.LastEdited && a.Parent == b.Parent &&
		a.Title == b.Title && a.Trashed == b.Trashed && strings.Join(a.Files, ",") == strings.Join(b.Files, ",")
}

func sortedIDs(m map[string]layout.ObjectState) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// refuseAfter answers every request after the first n with a 429 asking
// for a wait of retryAfter seconds, until it is disarmed.
type refuseAfter struct {
	mu         sync.Mutex
	n, served  int
	retryAfter string
	off        bool
}

func (ra *refuseAfter) attach(w *world, ticker *requestTicker) {
	ticker.attach(w)
	tick := w.wrap
	w.wrap = func(rw http.ResponseWriter, r *http.Request) bool {
		tick(rw, r)
		ra.mu.Lock()
		ra.served++
		refuse := !ra.off && ra.served > ra.n
		ra.mu.Unlock()
		if !refuse {
			return false
		}
		rw.Header().Set("Retry-After", ra.retryAfter)
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusTooManyRequests)
		rw.Write([]byte(`{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited."}`))
		return true
	}
}

// TestWaitLongerThanTheTimeBoxEndsTheSyncAsIncomplete: a Retry-After of
// 20 minutes with 10 left of the time box ends the sync as the time box
// would: its progress in a final checkpoint, and an *IncompleteError
// that says why; the next sync completes from it. Without a time box the
// same wait stops the run.
func TestWaitLongerThanTheTimeBoxEndsTheSyncAsIncomplete(t *testing.T) {
	w := newWorld(t, workspace.Generate(workspace.Small()), emulator.Options{})
	w.clientClock = w.clock
	ticker := &requestTicker{step: 100 * time.Millisecond}
	// Small takes 426 requests: Notion refuses after half of them.
	refuse := &refuseAfter{n: 200, retryAfter: "1200"}
	refuse.attach(w, ticker)

	ck := &checkpoints{t: t, sink: exporter.MemoryTree{}}
	start := w.clock.Now()
	client := w.client()
	client.SetDeadline(start.Add(10 * time.Minute)) // as --max-duration does
	res, err := exporter.Sync(context.Background(), client, nil, ck.sink, exporter.Options{
		Now: w.clock.Now, Checkpoint: ck.write, CheckpointInterval: time.Hour,
		StopAt: start.Add(10 * time.Minute),
	})
	var inc *exporter.IncompleteError
	if !errors.As(err, &inc) || notion.IsFatal(err) {
		t.Fatalf("want an incomplete sync, got %v", err)
	}
	var wait *notion.WaitTooLongError
	if !errors.As(inc.Cause, &wait) || wait.RetryAfter != "1200" || !wait.Deadline || wait.Limit >= 10*time.Minute {
		t.Fatalf("stopped by %v: want the wait of Retry-After: 1200, longer than what was left", inc.Cause)
	}
	if !inc.Checkpointed || inc.PagesDone == 0 || inc.PagesDone >= inc.PagesKnown {
		t.Fatalf("stopped with %+v: want part of the pages done", inc)
	}
	// The interval is an hour: the one checkpoint is the final one.
	if len(ck.trees) != 1 || res == nil || res.State == nil {
		t.Fatalf("%d checkpoints, result %v: want the final checkpoint and its state", len(ck.trees), res)
	}
	if waited := w.clock.Now().Sub(start); waited > time.Minute {
		t.Fatalf("%v of clock went by: the sync waited", waited)
	}
	first := ticker.take()

	refuse.mu.Lock()
	refuse.off = true
	refuse.mu.Unlock()
	final, _, err := w.trySyncMemory(ck.trees[0], exporter.Options{})
	if err != nil {
		t.Fatalf("the sync after the wait: %v", err)
	}
	second := ticker.take()
	want, _ := w.syncMemory(nil, exporter.Options{})
	sameTree(t, w.comparable(want), w.comparable(final))
	sameObjects(t, want, final)
	t.Logf("stopped at %+v after %d requests; completed in %d", *inc, len(first), len(second))
	if len(second) >= 426 {
		t.Errorf("the sync after the checkpoint made %d requests, a whole sync 426", len(second))
	}

	// Without a time box the wait stops the run, as before.
	refuse.mu.Lock()
	refuse.off, refuse.served = false, 0
	refuse.mu.Unlock()
	ck = &checkpoints{t: t, sink: exporter.MemoryTree{}}
	_, err = exporter.Sync(context.Background(), w.client(), nil, ck.sink, exporter.Options{
		Now: w.clock.Now, Checkpoint: ck.write,
	})
	if !errors.As(err, &wait) || errors.As(err, &inc) || !notion.IsFatal(err) {
		t.Fatalf("without a time box: got %v, want the wait that stops the run", err)
	}
}
