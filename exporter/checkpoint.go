package exporter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/notion-git/notion-git/layout"
)

// ErrIncomplete is wrapped by the error of a sync that stopped at
// Options.StopAt before its snapshot was complete.
var ErrIncomplete = errors.New("sync stopped before the snapshot was complete")

// IncompleteError is the error of a time-boxed sync that stopped part way.
type IncompleteError struct {
	// PagesDone of PagesKnown pages are crawled (or carried over) in the
	// checkpoint; the rest are marked for the next sync.
	PagesDone, PagesKnown int
	// Checkpointed is false when the sync stopped before its crawl began
	// (during the listing): there was nothing new to keep.
	Checkpointed bool
	// Cause is what stopped the sync before its time box ran out: a wait
	// Notion asked for that is longer than the run may wait (a
	// *notion.WaitTooLongError). Nil when the time box ran out.
	Cause error
}

func (e *IncompleteError) Error() string {
	msg := fmt.Sprintf("%s: %d of %d %s crawled", ErrIncomplete, e.PagesDone, e.PagesKnown, plural(e.PagesKnown, "page", "pages"))
	if !e.Checkpointed {
		msg = ErrIncomplete.Error() + ": stopped before the crawl began"
	}
	if e.Cause != nil {
		msg += " (" + e.Cause.Error() + ")"
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrIncomplete) true.
func (e *IncompleteError) Unwrap() error { return ErrIncomplete }

// errTimeUp is the cause with which a time-boxed sync cancels its requests
// at the hard stop; errStopped is what the crawl returns when it stopped
// starting pages (the soft stop) and left some unstarted.
var (
	errTimeUp  = errors.New("time limit reached")
	errStopped = errors.New("crawl stopped at the time limit")
)

// checkpointing is a sync's bookkeeping for checkpoints and the time box.
type checkpointing struct {
	// writes is held shared while a page's files and state are written and
	// alone by a checkpoint, so a checkpoint never sees half a page.
	writes sync.RWMutex
	// run lets one checkpoint run at a time; last is guarded by it.
	run  sync.Mutex
	last time.Time // end of the last checkpoint, or the start of the crawl
	// longest is the most a checkpoint took, longestPage the most a page's
	// crawl took, in nanoseconds.
	longest, longestPage atomic.Int64
	count                atomic.Int64
	total                atomic.Int64

	// why is the crawl plan's reason for each listed page; set before
	// armed. A page not in it was found during the crawl.
	why   map[string]string
	armed atomic.Bool // the crawl is planned: periodic checkpoints may run

	halt     context.CancelCauseFunc // cancels the run at the hard stop
	stopping atomic.Bool             // no new page starts
	skipped  atomic.Int64            // pages not started because of the stop
	finished atomic.Bool             // the crawl is complete: the time box no longer applies

	done, known int // counts of the last checkpoint state; guarded by run
}

// checkStop applies the time box before a request starts.
func (x *exporter) checkStop() {
	if x.opts.StopAt.IsZero() || x.ckpt.finished.Load() {
		return
	}
	now := x.opts.Now()
	box := x.opts.StopAt.Sub(x.report.Started)
	hard := x.opts.StopAt.Add(-min(stopMarginFloor, box/20) - 2*time.Duration(x.ckpt.longest.Load()))
	if !now.Before(hard.Add(-x.stopDrain())) {
		x.ckpt.stopping.Store(true)
	}
	if !now.Before(hard) {
		x.ckpt.halt(errTimeUp)
	}
}

// stopDrain is the time pages in progress get to finish before the hard
// stop: Options.StopDrain if set, else twice the longest page crawl so far,
// at least a twentieth of the time box (at most a minute) and at most a
// tenth of it.
func (x *exporter) stopDrain() time.Duration {
	if x.opts.StopDrain > 0 {
		return x.opts.StopDrain
	}
	box := x.opts.StopAt.Sub(x.report.Started)
	return min(box/10, max(2*time.Duration(x.ckpt.longestPage.Load()), min(box/20, maxStopDrain)))
}

// pageTook records how long one page's crawl took, for the drain window.
func (x *exporter) pageTook(d time.Duration) {
	for {
		cur := x.ckpt.longestPage.Load()
		if int64(d) <= cur || x.ckpt.longestPage.CompareAndSwap(cur, int64(d)) {
			return
		}
	}
}

// stopped reports whether a page or object rewrite must not start: the
// time box's drain window has begun. It counts what it holds back.
func (x *exporter) stopped() bool {
	if !x.ckpt.stopping.Load() {
		return false
	}
	x.ckpt.skipped.Add(1)
	return true
}

// maybeCheckpoint writes a checkpoint if one is due. It is called between
// pages, from the crawl's workers.
func (x *exporter) maybeCheckpoint(ctx context.Context) error {
	if x.opts.Checkpoint == nil || !x.ckpt.armed.Load() || x.ckpt.stopping.Load() {
		return nil
	}
	if !x.ckpt.run.TryLock() {
		return nil // one is being written
	}
	defer x.ckpt.run.Unlock()
	interval := max(x.opts.CheckpointInterval, time.Duration(float64(x.ckpt.longest.Load())/x.opts.CheckpointBudget))
	if x.opts.Now().Sub(x.ckpt.last) < interval {
		return nil
	}
	_, err := x.checkpointLocked(ctx, true)
	return err
}

// checkpointLocked builds the checkpoint state and, when write is set,
// hands it to Options.Checkpoint with the sink held still. The caller holds
// x.ckpt.run.
func (x *exporter) checkpointLocked(ctx context.Context, write bool) (*layout.State, error) {
	start := x.opts.Now()
	x.ckpt.writes.Lock()
	defer x.ckpt.writes.Unlock()
	state, err := x.checkpointState()
	if err != nil || !write {
		return state, err
	}
	x.sinkMu.Lock()
	err = x.opts.Checkpoint(ctx, state)
	x.sinkMu.Unlock()
	if err != nil {
		return nil, &writeError{fmt.Errorf("write a checkpoint: %w", err)}
	}
	end := x.opts.Now()
	cost := end.Sub(start)
	if int64(cost) > x.ckpt.longest.Load() {
		x.ckpt.longest.Store(int64(cost))
	}
	x.ckpt.count.Add(1)
	x.ckpt.total.Add(int64(cost))
	x.ckpt.last = end
	return state, nil
}

// checkpointState is the state of what the sink holds now. It starts from
// the previous state (what the sink held at the start), so that an object
// this run has not reached keeps what the last sync knew of it: a page that
// vanished meanwhile is still confirmed by the next sync before it leaves.
// Over it go the objects this run finished. Every page this run meant to
// crawl and did not is marked: its last_edited_time dropped so the next
// sync crawls it, or, if nothing of it is stored yet, entered as pending.
// The data sources and databases fetched before the crawl are written to
// the sink and recorded, so that their requests are not made again.
func (x *exporter) checkpointState() (*layout.State, error) {
	sources, _, err := x.putDataSources()
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	s := &layout.State{Version: layout.StateVersion, Objects: map[string]layout.ObjectState{}}
	if x.prevState != nil {
		s.LastSync = x.prevState.LastSync
		for id, o := range x.prevState.Objects {
			s.Objects[id] = o
		}
	}
	for id, o := range sources {
		s.Objects[id] = o
	}
	known := make(map[string]layout.Object, len(x.pages))
	for id, obj := range x.pages {
		known[id] = obj
	}
	if x.crawl != nil {
		x.crawl.mu.Lock()
		for id := range x.crawl.seen {
			if _, ok := known[id]; !ok {
				known[id] = nil
			}
		}
		x.crawl.mu.Unlock()
	}
	marked := 0
	for id, obj := range known {
		if _, done := x.state.Objects[id]; done {
			continue
		}
		if why, planned := x.ckpt.why[id]; planned && (why == "" || why == "object" || why == "refresh") {
			// Carried, or its stored files are whole: what the last
			// sync knew of it stays true.
			continue
		}
		marked++
		if old, ok := s.Objects[id]; ok && !old.Pending() {
			old.LastEdited = ""
			s.Objects[id] = old
			continue
		}
		st := layout.ObjectState{Kind: layout.KindPage}
		if obj != nil {
			st.Title, st.Parent = layout.Title(obj), x.ownerOfLocked(id, obj)
		}
		s.Objects[id] = st
	}
	for id, o := range x.state.Objects {
		s.Objects[id] = o
	}
	x.ckpt.known, x.ckpt.done = len(known), len(known)-marked
	return s, nil
}

// incomplete ends a sync stopped by its time box, or by cause before it: a
// final checkpoint if the crawl had begun, and the error that says how far
// it got.
func (x *exporter) incomplete(ctx context.Context, cause error) (*Result, error) {
	inc := &IncompleteError{Cause: cause}
	var state *layout.State
	if x.crawl != nil {
		var err error
		x.ckpt.run.Lock()
		state, err = x.checkpointLocked(ctx, x.opts.Checkpoint != nil)
		x.ckpt.run.Unlock()
		if err != nil {
			return nil, err
		}
		inc.Checkpointed = true
		inc.PagesDone, inc.PagesKnown = x.ckpt.done, x.ckpt.known
	}
	x.finishReport()
	return &Result{Report: x.report, State: state}, inc
}

// CheckpointCounts says how many checkpoints a sync wrote and what they cost.
type CheckpointCounts struct {
	Count   int           `json:"count"`
	Total   time.Duration `json:"total_ns"`
	Longest time.Duration `json:"longest_ns"`
}

func (x *exporter) checkpointCounts() CheckpointCounts {
	return CheckpointCounts{Count: int(x.ckpt.count.Load()), Total: time.Duration(x.ckpt.total.Load()),
		Longest: time.Duration(x.ckpt.longest.Load())}
}
