package exporter

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/notion-git/notion-git/layout"
)

// The rolling refresh and the comment sweep each visit every page once per
// period. Which pages a run visits comes from time alone: a page's phase is
// a fixed point in [0, period), from a hash of its id, and a run visits the
// pages whose phase the clock passed since the previous run started (the
// LastSync of the state it starts from). Nothing per page has to be stored
// or rewritten for it, and consecutive runs tile the period whatever the
// schedule: a run an hour after the last takes an hour's slice, one a day
// after takes a day's.

// Salts keep the refresh's and the sweep's phases of one page apart, so a
// run does not meet both for the same pages.
const (
	refreshSalt = "refresh:"
	sweepSalt   = "comments:"
)

// phase is a page's fixed point in [0, period).
func phase(salt, id string, period time.Duration) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(salt))
	h.Write([]byte(id))
	return time.Duration(h.Sum64() % uint64(period))
}

// inWindow reports whether a run starting at now, whose previous run
// started at last, visits the page of this phase: whether its phase lies in
// (last mod period, now mod period], the window going round the end of the
// period when it must and covering it all once it is a period or longer.
func inWindow(p time.Duration, period time.Duration, last, now time.Time) bool {
	if period <= 0 || !now.After(last) {
		return false
	}
	if now.Sub(last) >= period {
		return true
	}
	a := time.Duration(last.UnixNano() % int64(period))
	b := time.Duration(now.UnixNano() % int64(period))
	if a < 0 { // before 1970: keep the remainders in [0, period)
		a += period
	}
	if b < 0 {
		b += period
	}
	if a <= b {
		return a < p && p <= b
	}
	return p > a || p <= b
}

// lastRun is the start of the previous complete sync, zero when there was
// none (a first sync, or one that continues a first sync's checkpoint).
func (x *exporter) lastRun() time.Time {
	if x.prevState == nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, x.prevState.LastSync)
	if err != nil {
		return time.Time{}
	}
	return t
}

// refreshPeriod is the period within which the refresh verifies a page:
// shorter for a page the last crawl marked volatile.
func (x *exporter) refreshPeriod(id string) time.Duration {
	if o, ok := x.prevObject(id); ok && o.Volatile != "" {
		return x.opts.RefreshPeriod / VolatileShare
	}
	return x.opts.RefreshPeriod
}

// refreshSlice picks the unchanged pages to crawl anyway: those whose
// refresh phase this run's window holds, so that a change Notion did not
// reflect in last_edited_time is caught within the refresh period.
func (x *exporter) refreshSlice(carried []string) []string {
	last := x.lastRun()
	if x.opts.RefreshPeriod <= 0 || last.IsZero() {
		return nil // off, or no complete sync yet: every page is fresh
	}
	var out []string
	for _, id := range carried {
		// A page crawled after the last complete sync began (by a sync
		// that stopped part way) is fresh: refreshing it would crawl it
		// twice.
		if ct, err := time.Parse(time.RFC3339, x.prevState.Objects[id].Crawled); err == nil && ct.After(last) {
			continue
		}
		period := x.refreshPeriod(id)
		if period > 0 && inWindow(phase(refreshSalt, id, period), period, last, x.report.Started) {
			out = append(out, id)
		}
	}
	return out
}

// inSweep reports whether this run sweeps the comments of a page. A first
// sync has no previous run: its window is the whole period, so it reads
// every block's comments (counted as the sweep's).
func (x *exporter) inSweep(id string) bool {
	p := x.opts.CommentSweepPeriod
	if x.opts.Comments == CommentsNone || p <= 0 {
		return false
	}
	last := x.lastRun()
	return last.IsZero() || inWindow(phase(sweepSalt, id, p), p, last, x.report.Started)
}

// sweepDue reports whether a page carried over this run has its comments
// swept: its phase is in the window, and it was not crawled after the last
// complete sync began (by a sync that stopped part way, whose crawl read
// them in the same window).
func (x *exporter) sweepDue(id string) bool {
	if !x.inSweep(id) || !x.pageStored(id) {
		return false
	}
	o, _ := x.prevObject(id)
	ct, err := time.Parse(time.RFC3339, o.Crawled)
	last := x.lastRun()
	return err != nil || !last.IsZero() && !ct.After(last)
}

// Requests are counted by what they are for where they are made, so that
// the report's figures for the refresh and the sweep are measured, not
// derived. A context carries the purpose down to get and list.
type purpose int

const (
	purposeOther purpose = iota
	purposeRefresh
	purposeSweep
	purposeBlockComments // block comments of pages crawled because they changed
	purposes
)

type purposeKey struct{}

func withPurpose(ctx context.Context, p purpose) context.Context {
	return context.WithValue(ctx, purposeKey{}, p)
}

func purposeOf(ctx context.Context) purpose {
	p, _ := ctx.Value(purposeKey{}).(purpose)
	return p
}

// requestCounts counts requests by purpose.
type requestCounts [purposes]atomic.Int64

func (x *exporter) countRequests(ctx context.Context, n int) {
	x.requests[purposeOf(ctx)].Add(int64(n))
}

// blockComments says whether a crawl of a page reads the comments of its
// blocks now, and for what: with CommentsAll, those of a page crawled
// because it changed are read at once, and those of a page this run's
// sweep reaches. A refreshed page's, and in a full sync every page's, are
// left to the sweep, which reads them within its period at a bounded cost
// per run; without a sweep, a full sync reads them all at once.
func (x *exporter) blockComments(id, why string) (bool, purpose) {
	switch {
	case x.opts.Comments != CommentsAll:
		return false, purposeOther
	case x.inSweep(id):
		return true, purposeSweep
	case why == "refresh":
		return false, purposeOther
	case x.opts.CommentSweepPeriod <= 0:
		return true, purposeBlockComments
	case x.report.Full || why == "full":
		return false, purposeOther
	}
	return true, purposeBlockComments
}

// commentTargets returns the ids whose comments are asked for: the page,
// and with CommentsAll each block that can hold comments of its own. A
// child_page block has its subpage's id and a child_database block its
// database's: comments asked with those ids are the subpage's own, stored
// in its folder, and a database takes none. isChild tells those blocks.
func (x *exporter) commentTargets(pageID string, blocks []string, isChild func(id string) bool) []string {
	targets := []string{pageID}
	if x.opts.Comments != CommentsAll {
		return targets
	}
	for _, id := range blocks {
		if !isChild(id) {
			targets = append(targets, id)
		}
	}
	return targets
}

// childBlockOf tells, in a crawled page, the blocks that are a page or a
// database of their own (commentTargets).
func childBlockOf(page *layout.Page) func(id string) bool {
	return func(id string) bool {
		t := page.Blocks[id].Object["type"]
		return t == "child_page" || t == "child_database"
	}
}

// readComments reads the comments of each target, in order, each once.
func (x *exporter) readComments(ctx context.Context, targets []string) ([]*layout.Comment, error) {
	// The targets are listed concurrently, so that a page's comments
	// take the request slots its crawl is first in line for (see
	// requestSlots) instead of one request at a time; the result is in
	// the targets' order whatever order the answers come in.
	// The first failure stops the rest: a page that cannot be read is
	// reported once, and does not hold every request slot through each
	// remaining target's retries.
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	found := make([][]*layout.Comment, len(targets))
	errs := make([]error, len(targets))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(len(targets), max(x.opts.Concurrency, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if found[i], errs[i] = x.readCommentsOf(ctx, targets[i]); errs[i] != nil {
					cancel()
				}
			}
		}()
	}
	for i := range targets {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := parent.Err(); err != nil {
		return nil, err
	}
	// A target's own failure, not a cancellation that followed it.
	var first error
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			first = err
			break
		}
	}
	if first == nil {
		for _, err := range errs {
			if err != nil {
				first = err
				break
			}
		}
	}
	if first != nil {
		return nil, first
	}
	var out []*layout.Comment
	seen := map[string]bool{}
	for _, list := range found {
		for _, c := range list {
			if !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// readCommentsOf lists the comments of one page or block.
func (x *exporter) readCommentsOf(ctx context.Context, target string) ([]*layout.Comment, error) {
	if err := x.acquire(ctx); err != nil {
		return nil, err
	}
	defer x.release()
	var out []*layout.Comment
	_, err := x.list(ctx, http.MethodGet, "comments", url.Values{"block_id": {target}}, nil, func(o layout.Object) error {
		cid, err := objectID(o)
		if err != nil {
			return err
		}
		out = append(out, &layout.Comment{ID: cid, Object: o})
		return nil
	})
	return out, err
}

// storedComments reads the comment files of a page of the last snapshot
// whose parent is a block still in the page: they are kept by a crawl that
// does not read block comments.
func (x *exporter) storedBlockComments(page *layout.Page) ([]*layout.Comment, error) {
	var out []*layout.Comment
	for _, path := range x.prev.PathsUnder(layout.PageDir(page.ID) + "/") {
		info, ok := layout.ParsePath(path)
		if !ok || info.Kind != layout.PathComment {
			continue
		}
		c, err := x.storedComment(path, info.CommentID)
		if err != nil {
			return nil, err
		}
		if on, kind := parentOf(c.Object); kind == "block" && page.Blocks[on] != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

func (x *exporter) storedComment(path, id string) (*layout.Comment, error) {
	b, err := x.prev.Read(path)
	if err != nil {
		return nil, err
	}
	obj, extra, _, err := layout.DecodeObjectFile(b, id)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &layout.Comment{ID: id, Object: obj, Extra: extra}, nil
}

// sweepCarried sweeps the comments of the pages this run carries over
// without a crawl and whose sweep phase its window holds. Each costs one
// request for the page and, with CommentsAll, one per block, whose ids come
// from the paths of the last snapshot: nothing is read unless the comments
// changed.
func (x *exporter) sweepCarried(ctx context.Context, ids []string) error {
	ctx = withPurpose(ctx, purposeSweep)
	slots := make(chan struct{}, x.opts.Concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var fatal error
	for _, id := range ids {
		if ctx.Err() != nil || x.stopped() {
			break
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			err := x.sweepPage(ctx, id)
			if err == nil || ctx.Err() != nil {
				return
			}
			var w *writeError
			if errors.As(err, &w) {
				mu.Lock()
				fatal = err
				mu.Unlock()
				return
			}
			x.fail(id, layout.KindPage, fmt.Errorf("comment sweep: %w", err))
		}()
	}
	wg.Wait()
	if fatal != nil {
		return fatal
	}
	return ctx.Err()
}

// sweepPage reads a carried page's comments again and writes what changed:
// comment files that differ, the removal of those Notion no longer returns
// (resolved or deleted), and the page's README, which shows comments.
func (x *exporter) sweepPage(ctx context.Context, id string) error {
	var blocks []string
	stored := map[string]string{} // comment id -> path
	for _, path := range x.prev.PathsUnder(layout.PageDir(id) + "/") {
		info, ok := layout.ParsePath(path)
		switch {
		case !ok:
		case info.Kind == layout.PathBlock:
			blocks = append(blocks, info.BlockID)
		case info.Kind == layout.PathComment:
			stored[info.CommentID] = path
		}
	}
	targets := x.commentTargets(id, blocks, x.isChildObject)
	got, err := x.readComments(ctx, targets)
	if err != nil {
		return err
	}
	x.mu.Lock()
	x.report.Sweep.Pages++
	x.report.Sweep.Blocks += len(targets) - 1
	x.report.Sweep.Comments += len(got)
	x.mu.Unlock()
	same := len(got) == len(stored)
	for _, c := range got {
		if !same {
			break
		}
		path, ok := stored[c.ID]
		if !ok {
			same = false
			break
		}
		old, err := x.storedComment(path, c.ID)
		if err != nil {
			return &writeError{err}
		}
		now := layout.Clone(c.Object)
		layout.Normalize(now)
		same = reflect.DeepEqual(old.Object, now)
	}
	if same {
		return nil // carried as it is: nothing to write
	}
	page, err := x.storedPage(id)
	if err != nil {
		return &writeError{err}
	}
	page.Comments = got
	layout.SortComments(page.Comments)
	for _, c := range page.Comments {
		if err := x.storeObjectFiles(ctx, layout.CommentPath(id, c.ID), c.Object, &c.Extra); err != nil {
			return err
		}
	}
	files, err := x.encodePage(page)
	if err != nil {
		return fmt.Errorf("page %s: %w", id, err)
	}
	x.ckpt.writes.RLock()
	defer x.ckpt.writes.RUnlock()
	removed, err := x.writeChanged(id, files)
	if err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	st := x.state.Objects[id]
	st.Files = pageFiles(page)
	x.state.Objects[id] = st
	x.report.Pages.Changed++
	x.report.Sweep.Changed++
	x.report.Sweep.Removed += removed
	return nil
}

// sweepStored reads again the comments of a stored page that is rewritten
// this run, in place of those stored.
func (x *exporter) sweepStored(ctx context.Context, page *layout.Page) error {
	ctx = withPurpose(ctx, purposeSweep)
	targets := x.commentTargets(page.ID, sortedKeys(page.Blocks), childBlockOf(page))
	got, err := x.readComments(ctx, targets)
	if err != nil {
		return err
	}
	layout.SortComments(got)
	for _, c := range got {
		if err := x.storeObjectFiles(ctx, layout.CommentPath(page.ID, c.ID), c.Object, &c.Extra); err != nil {
			return err
		}
	}
	page.Comments = got
	x.mu.Lock()
	x.report.Sweep.Pages++
	x.report.Sweep.Blocks += len(targets) - 1
	x.report.Sweep.Comments += len(got)
	x.mu.Unlock()
	return nil
}

// writeChanged writes the files of a page that differ from the last
// snapshot and removes its stored files that are no longer among them. It
// returns how many comment files it removed. The caller holds ckpt.writes.
func (x *exporter) writeChanged(id string, files map[string][]byte) (int, error) {
	for _, path := range sortedKeys(files) {
		if data := files[path]; !x.prev.Same(path, data) {
			if err := x.put(path, data); err != nil {
				return 0, &writeError{err}
			}
		}
	}
	removed := 0
	for _, path := range x.prev.PathsUnder(layout.PageDir(id) + "/") {
		if _, keep := files[path]; keep {
			continue
		}
		if err := x.delete(path); err != nil {
			return 0, &writeError{err}
		}
		if info, ok := layout.ParsePath(path); ok && info.Kind == layout.PathComment {
			removed++
		}
	}
	return removed, nil
}

// isChildObject reports whether a block id is a page or database of its
// own (the block is a child_page or child_database), from the listing and
// the last sync's state: no block file is read for it.
func (x *exporter) isChildObject(id string) bool {
	x.mu.Lock()
	_, page := x.pages[id]
	_, db := x.dbs[id]
	x.mu.Unlock()
	if page || db {
		return true
	}
	o, ok := x.prevObject(id)
	return ok && (o.Kind == layout.KindPage || o.Kind == layout.KindDatabase)
}

// volatileReason says why a crawled page's stored content can go stale
// without a new last_edited_time, "" when nothing known makes it so (see
// doc.go for the cases and why the others need no mark):
//   - "long property": a property held more than the 25 references a page
//     object carries; the listing shows the first 25 only, so a change
//     beyond them is not seen when the listing is compared with the store.
//   - "mention": a block mentions a page, a database or a person, whose
//     text Notion renders from the target's current title or name; a
//     rename changes it without touching this page.
func volatileReason(page *layout.Page) string {
	if page.Extra.PropertyItemsComplete {
		return "long property"
	}
	for _, id := range sortedKeys(page.Blocks) {
		if hasMention(map[string]any(page.Blocks[id].Object)) {
			return "mention"
		}
	}
	return ""
}

// hasMention reports whether v holds a mention of a page, a database or a
// user.
func hasMention(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		if v["type"] == "mention" {
			m, _ := v["mention"].(map[string]any)
			switch m["type"] {
			case "page", "database", "user":
				return true
			}
			return false
		}
		for _, e := range v {
			if hasMention(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasMention(e) {
				return true
			}
		}
	}
	return false
}
