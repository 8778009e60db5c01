package exporter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// crawlPages decides which pages to fetch, fetches them with bounded
// concurrency, writes each as soon as it is done (so memory holds a few
// pages, not the workspace), and follows child pages and databases found in
// blocks that the listing did not return.
func (x *exporter) crawlPages(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	x.crawl = &crawlQueue{x: x, ctx: ctx, cancel: cancel, slots: make(chan struct{}, 2*x.opts.Concurrency)}

	ids := sortedKeys(x.pages)
	plan, err := x.plan(ctx, ids)
	if err != nil {
		return err
	}
	x.ckpt.why = plan.why
	rewrite := map[string]bool{} // pages whose object alone changed
	for _, id := range ids {
		switch why := plan.why[id]; why {
		case "":
			plan.carried = append(plan.carried, id)
		case "object":
			rewrite[id] = true
		default:
			x.crawl.add(id, x.pages[id], why)
		}
	}
	for _, id := range x.refreshSlice(plan.carried) {
		plan.why[id] = "refresh"
		x.crawl.add(id, x.pages[id], "refresh")
	}
	// Checkpoints may be written from now on, between pages.
	x.ckpt.run.Lock()
	x.ckpt.last = x.opts.Now()
	x.ckpt.run.Unlock()
	x.ckpt.armed.Store(true)
	if err := x.crawl.wait(ctx); err != nil {
		return err
	}
	// Only now is every subpage's state known: patch the child_page blocks
	// of the pages that are not crawled, or crawl such a page when its
	// blocks cannot be patched.
	blocks := map[string]map[string]layout.Object{}
	stored := map[string]*layout.Page{}
	stale := x.staleChildBlocks(x.crawl.scheduled)
	for _, owner := range sortedKeys(stale) {
		if x.stopped() {
			break // the next run finds these blocks stale again
		}
		page, err := x.storedPage(owner)
		if err == nil {
			stored[owner] = page
			blocks[owner], err = x.fetchChildBlocks(ctx, page, stale[owner])
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			x.crawl.add(owner, x.pages[owner], "children")
		}
	}
	if err := x.crawl.wait(ctx); err != nil {
		return err
	}
	var sweep []string // carried pages whose comments this run sweeps
	for _, id := range ids {
		if x.crawl.scheduled(id) || plan.why[id] != "" && !rewrite[id] {
			continue
		}
		var obj layout.Object
		if rewrite[id] {
			obj = x.pages[id]
		}
		if obj == nil && blocks[id] == nil {
			x.carry(id)
			if x.sweepDue(id) {
				sweep = append(sweep, id)
			}
			continue
		}
		if x.stopped() {
			continue // left for the next run, as the checkpoint says
		}
		if err := x.rewritePage(ctx, id, stored[id], obj, blocks[id]); err != nil {
			x.crawl.pageFailed(id, err)
		}
	}
	if x.crawl.fatal != nil {
		return x.crawl.fatal
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := x.sweepCarried(ctx, sweep); err != nil {
		return err
	}
	if x.ckpt.skipped.Load() > 0 {
		return errStopped
	}
	// Whole: the time box no longer applies; finishing costs a request or two.
	x.ckpt.finished.Store(true)
	if err := x.writeDataSources(); err != nil {
		return err
	}
	return x.removePages()
}

// crawlQueue runs page crawls, each page once, with at most a fixed number of
// pages in progress.
type crawlQueue struct {
	x      *exporter
	ctx    context.Context
	cancel context.CancelCauseFunc
	slots  chan struct{}
	wg     sync.WaitGroup
	// started numbers the pages as their crawls begin: their requests
	// are served in that order (requestSlots).
	started atomic.Int64

	mu     sync.Mutex
	seen   map[string]bool
	queued int
	done   int
	fatal  error
}

// wait waits for every scheduled crawl; it returns the error that stopped
// the crawl, if one did.
func (q *crawlQueue) wait(ctx context.Context) error {
	q.wg.Wait()
	if q.fatal != nil {
		return q.fatal
	}
	return ctx.Err()
}

// scheduled reports whether a page was scheduled for a crawl this run.
func (q *crawlQueue) scheduled(id string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.seen[id]
}

// add schedules a page crawl unless the page is already scheduled.
func (q *crawlQueue) add(id string, obj layout.Object, why string) {
	q.mu.Lock()
	if q.seen == nil {
		q.seen = map[string]bool{}
	}
	if q.seen[id] {
		q.mu.Unlock()
		return
	}
	q.seen[id] = true
	q.queued++
	q.mu.Unlock()
	if obj != nil {
		if _, compact := obj[listedKey].(*listedRaw); compact {
			obj = q.x.full(obj)
		} else {
			// The crawl completes the object's long properties in
			// place, while READMEs rendered meanwhile read titles from
			// x.pages (exporterNames): it works on a copy of its own.
			obj = layout.Clone(obj)
		}
	}
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		select {
		case q.slots <- struct{}{}:
		case <-q.ctx.Done():
			return
		}
		defer func() { <-q.slots }()
		if q.x.stopped() {
			return // the time box's drain window: marked in the checkpoint
		}
		ctx := withPageOrder(q.ctx, q.started.Add(1))
		if why == "refresh" {
			ctx = withPurpose(ctx, purposeRefresh)
		}
		start := q.x.opts.Now()
		if obj == nil {
			var err error
			if obj, err = q.x.get(ctx, "pages/"+id); err != nil {
				q.pageFailed(id, err)
				return
			}
			if isTrashed(obj) {
				return
			}
		}
		err := q.x.processPage(ctx, id, obj, why)
		if err != nil {
			q.pageFailed(id, err)
		}
		q.x.pageTook(q.x.opts.Now().Sub(start))
		q.mu.Lock()
		q.done++
		p := Progress{PagesDone: q.done, PagesQueued: q.queued}
		q.mu.Unlock()
		if q.x.opts.Progress != nil {
			p.Requests = q.x.client.Stats().Snapshot().Total
			p.Elapsed = q.x.opts.Now().Sub(q.x.report.Started)
			q.x.opts.Progress(p)
		}
		if err := q.x.maybeCheckpoint(q.ctx); err != nil {
			q.stop(err)
		}
	}()
}

// pageFailed records a page that could not be read; an error that no other
// page could escape (a refused token, a failed write) stops the crawl.
func (q *crawlQueue) pageFailed(id string, err error) {
	if q.ctx.Err() != nil {
		return
	}
	var w *writeError
	if notion.IsFatal(err) || errors.As(err, &w) {
		q.stop(err)
		return
	}
	q.x.fail(id, layout.KindPage, err)
	q.x.carry(id)
}

// stop ends the crawl with an error no page could escape.
func (q *crawlQueue) stop(err error) {
	q.mu.Lock()
	if q.fatal == nil {
		q.fatal = err
	}
	q.mu.Unlock()
	q.cancel(err)
}

// stoppedBy is the error that stopped the crawl, nil if none did.
func (q *crawlQueue) stoppedBy() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.fatal
}

// writeError is a failure to write to the sink: fatal to the sync.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// carry keeps a page's previous version and state, without a request.
func (x *exporter) carry(id string) {
	old, ok := x.prevObject(id)
	if !ok || !x.pageStored(id) {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if d, ok := x.newDigests[id]; ok {
		old.Digest = d
	}
	x.state.Objects[id] = old
	x.report.Pages.Carried++
	x.report.Pages.Total++
}

// processPage crawls one page and writes its folder.
func (x *exporter) processPage(ctx context.Context, id string, obj layout.Object, why string) error {
	digest := pageDigest(obj) // before the crawl completes its long properties
	page, found, err := x.crawlPage(ctx, id, obj, why)
	if err != nil {
		return err
	}
	files, err := x.encodePage(page)
	if err != nil {
		return fmt.Errorf("page %s: %w", id, err)
	}
	dir := layout.PageDir(id) + "/"
	prevPaths := x.prev.PathsUnder(dir)
	changed := len(prevPaths) != len(files)
	for path, data := range files {
		if !changed && !x.prev.Same(path, data) {
			changed = true
		}
	}
	// A checkpoint sees a page's files, its state and the pages found in it
	// (queued, so marked if not crawled) together, or none of them.
	x.ckpt.writes.RLock()
	defer x.ckpt.writes.RUnlock()
	if changed {
		if err := x.deleteDir(layout.PageDir(id)); err != nil {
			return &writeError{err}
		}
		if err := x.putAll(files); err != nil {
			return &writeError{err}
		}
	}

	st := layout.ObjectState{Kind: layout.KindPage, LastEdited: lastEdited(obj),
		Crawled: x.report.Started.Format(timeLayout), Digest: digest, Title: layout.Title(obj), Parent: x.ownerOf(id, obj),
		Files: pageFiles(page)}
	if len(page.Extra.Incomplete) > 0 {
		// Crawl it again next time: it is not whole.
		st.LastEdited = ""
	}
	st.Volatile = volatileReason(page)
	old, existed := x.prevObject(id)
	if why == "refresh" && !changed && existed && old.LastEdited == st.LastEdited {
		// Verified and unchanged: the state stays as it was, crawl time
		// included, so that the refresh alone writes nothing. The phase,
		// not the crawl time, brings the page round again.
		volatile := st.Volatile
		st = old
		st.Volatile = volatile
		st.Digest = digest // a state from before digests gets one, once
	}
	x.mu.Lock()
	x.hasContent[id] = len(page.Children) > 0
	x.state.Objects[id] = st
	x.report.Pages.Total++
	x.report.Pages.Crawled++
	x.report.Blocks += len(page.Blocks)
	x.report.Comments += len(page.Comments)
	switch {
	case !existed || !x.pageStored(id):
		x.report.Pages.Added++
	case changed:
		x.report.Pages.Changed++
	}
	if why == "refresh" {
		x.report.Pages.Refreshed++
		x.report.Refresh.Pages++
		if x.refreshPeriod(id) < x.opts.RefreshPeriod {
			x.report.Refresh.Volatile++
		}
		if changed {
			x.report.Refresh.Changed++
		}
	}
	x.mu.Unlock()

	for _, f := range found {
		x.follow(ctx, id, f)
	}
	return nil
}

// child is a page or database found in a block of a crawled page.
type child struct {
	id   string
	kind string // "page" or "database"
}

// follow makes sure a child page or database found in a block is in the
// snapshot, even if the listing missed it (search is not exhaustive, and
// linked databases are never returned).
func (x *exporter) follow(ctx context.Context, owner string, c child) {
	x.mu.Lock()
	x.owner[c.id] = owner
	if x.scoped != nil {
		x.scoped[c.id] = true
	}
	_, listed := x.pages[c.id]
	x.mu.Unlock()
	switch c.kind {
	case "page":
		if listed {
			x.mu.Lock()
			obj := x.pages[c.id]
			x.mu.Unlock()
			if why := x.changeReason(c.id, obj); why != "" {
				x.crawl.add(c.id, obj, why)
			}
			return
		}
		if _, known := x.prevObject(c.id); known && x.pageStored(c.id) {
			return // confirmed by confirmVanished, or carried
		}
		x.crawl.add(c.id, nil, "found")
	case "database":
		x.mu.Lock()
		_, known := x.dbs[c.id]
		x.mu.Unlock()
		if !known && !x.prev.Has(layout.DatabasePath(c.id)) {
			x.followDatabase(ctx, c.id)
		}
	}
}

// followDatabase brings in a database the listing did not return, with its
// data sources and rows.
func (x *exporter) followDatabase(ctx context.Context, id string) {
	db, err := x.get(ctx, "databases/"+id)
	if err != nil {
		if !notion.IsNotFound(err) {
			x.fail(id, layout.KindDatabase, err)
		}
		return
	}
	x.fetchViews(ctx, id)
	x.mu.Lock()
	x.dbs[id] = db
	x.mu.Unlock()
	list, _ := db["data_sources"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		s, _ := m["id"].(string)
		dsID, err := layout.ParseID(s)
		if err != nil {
			continue
		}
		x.mu.Lock()
		_, have := x.sources[dsID]
		x.mu.Unlock()
		if have {
			continue
		}
		ds, err := x.get(ctx, "data_sources/"+dsID)
		if err != nil {
			x.fail(dsID, layout.KindDataSource, err)
			continue
		}
		x.mu.Lock()
		x.sources[dsID] = ds
		if x.scoped != nil {
			x.scoped[dsID] = true
		}
		x.mu.Unlock()
		before := x.rowIDs()
		if err := x.queryDataSource(ctx, dsID); err != nil {
			x.fail(dsID, layout.KindDataSource, fmt.Errorf("query rows: %w", err))
			continue
		}
		for rid, row := range x.rowsAddedSince(before) {
			if x.scoped != nil {
				x.mu.Lock()
				x.scoped[rid] = true
				x.mu.Unlock()
			}
			if why := x.changeReason(rid, row); why != "" {
				x.crawl.add(rid, row, why)
			}
		}
	}
}

func (x *exporter) rowIDs() map[string]bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	ids := make(map[string]bool, len(x.pages))
	for id := range x.pages {
		ids[id] = true
	}
	return ids
}

func (x *exporter) rowsAddedSince(before map[string]bool) map[string]layout.Object {
	x.mu.Lock()
	defer x.mu.Unlock()
	added := map[string]layout.Object{}
	for id, obj := range x.pages {
		if !before[id] {
			added[id] = obj
		}
	}
	return added
}

// crawlPage fetches a page's blocks to the bottom, its comments, the rest of
// its long properties and its attachments.
func (x *exporter) crawlPage(ctx context.Context, id string, obj layout.Object, why string) (*layout.Page, []child, error) {
	page := &layout.Page{ID: id, Object: obj, Blocks: map[string]*layout.Block{}}
	if err := x.completeProperties(ctx, page); err != nil {
		return nil, nil, fmt.Errorf("page %s: properties: %w", id, err)
	}
	found, err := x.crawlBlocks(ctx, page)
	if err != nil {
		return nil, nil, fmt.Errorf("page %s: blocks: %w", id, err)
	}
	if err := x.crawlComments(ctx, page, why); err != nil {
		return nil, nil, fmt.Errorf("page %s: comments: %w", id, err)
	}
	if err := x.storeFiles(ctx, page); err != nil {
		return nil, nil, err
	}
	return page, found, nil
}

// crawlBlocks walks the block tree level by level; the children of all
// blocks of one level are fetched concurrently.
func (x *exporter) crawlBlocks(ctx context.Context, page *layout.Page) ([]child, error) {
	var found []child
	level := []string{page.ID}
	for len(level) > 0 {
		results := make([][]layout.Object, len(level))
		errs := make([]error, len(level))
		var wg sync.WaitGroup
		for i, parent := range level {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = x.children(ctx, parent)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		var next []string
		for i, parent := range level {
			var ids []string
			for _, b := range results[i] {
				bid, err := objectID(b)
				if err != nil {
					return nil, err
				}
				if _, dup := page.Blocks[bid]; dup || bid == page.ID {
					continue // a block appears once; Notion does not nest a block in two places
				}
				page.Blocks[bid] = &layout.Block{ID: bid, Object: b}
				ids = append(ids, bid)
				typ, _ := b["type"].(string)
				switch typ {
				case "child_page":
					found = append(found, child{bid, "page"})
					continue // its content is its own page's folder
				case "child_database":
					found = append(found, child{bid, "database"})
					continue
				case "synced_block":
					if isSyncedCopy(b) {
						// A copy's children are its original's; they are
						// stored once, with the original.
						continue
					}
				}
				if b["has_children"] == true {
					next = append(next, bid)
				}
			}
			if parent == page.ID {
				page.Children = ids
			} else {
				page.Blocks[parent].Children = ids
			}
		}
		level = next
	}
	return found, nil
}

func isSyncedCopy(b layout.Object) bool {
	sb, _ := b["synced_block"].(map[string]any)
	from, _ := sb["synced_from"].(map[string]any)
	return from != nil
}

// children lists the children of a block or page.
func (x *exporter) children(ctx context.Context, parent string) ([]layout.Object, error) {
	if err := x.acquire(ctx); err != nil {
		return nil, err
	}
	defer x.release()
	var out []layout.Object
	_, err := x.list(ctx, http.MethodGet, "blocks/"+parent+"/children", nil, nil, func(o layout.Object) error {
		out = append(out, o)
		return nil
	})
	return out, err
}

// crawlComments reads the page's comments and, when blockComments says
// so, every block's. A crawl that does not read the blocks' comments keeps
// those stored with the page (on blocks it still has): the sweep reads them
// again.
func (x *exporter) crawlComments(ctx context.Context, page *layout.Page, why string) error {
	if x.opts.Comments == CommentsNone {
		return nil
	}
	own, err := x.readComments(ctx, []string{page.ID})
	if err != nil {
		return err
	}
	page.Comments = own
	switch read, p := x.blockComments(page.ID, why); {
	case read:
		targets := x.commentTargets(page.ID, sortedKeys(page.Blocks), childBlockOf(page))[1:]
		got, err := x.readComments(withPurpose(ctx, p), targets)
		if err != nil {
			return err
		}
		x.mu.Lock()
		if p == purposeSweep {
			x.report.Sweep.Pages++
			x.report.Sweep.Blocks += len(targets)
			x.report.Sweep.Comments += len(got) + len(own)
		} else {
			x.report.BlockComments.Pages++
			x.report.BlockComments.Blocks += len(targets)
		}
		x.mu.Unlock()
		page.Comments = append(page.Comments, got...)
	case x.opts.Comments == CommentsAll:
		kept, err := x.storedBlockComments(page)
		if err != nil {
			return err
		}
		for _, c := range kept {
			c.Extra.Files, c.Extra.Incomplete = nil, nil // storeFiles fills them again
		}
		page.Comments = append(page.Comments, kept...)
	}
	page.Comments = dedupComments(page.Comments)
	layout.SortComments(page.Comments)
	return nil
}

// dedupComments keeps the first of comments listed twice (a comment is
// answered for its block only, but a stored one may meet a fresh one).
func dedupComments(cs []*layout.Comment) []*layout.Comment {
	seen := make(map[string]bool, len(cs))
	out := cs[:0]
	for _, c := range cs {
		if !seen[c.ID] {
			seen[c.ID] = true
			out = append(out, c)
		}
	}
	return out
}

// completeProperties replaces property values that a page object cuts at 25
// references (relation, people, and mentions in title and rich text) with
// the whole list from the property item endpoint.
func (x *exporter) completeProperties(ctx context.Context, page *layout.Page) error {
	props, _ := page.Object["properties"].(map[string]any)
	for _, name := range sortedKeys(props) {
		prop, _ := props[name].(map[string]any)
		typ, _ := prop["type"].(string)
		if !truncated(prop, typ) {
			continue
		}
		pid, _ := prop["id"].(string)
		if pid == "" || strings.ContainsAny(pid, "/?#") {
			continue
		}
		// An empty list, not nil: a value marked has_more whose listing
		// holds nothing is [], as the API gives an empty value, in the
		// page object as in its file.
		items := []any{}
		if err := x.acquire(ctx); err != nil {
			return err
		}
		_, err := x.list(ctx, http.MethodGet, "pages/"+page.ID+"/properties/"+pid, nil, nil, func(o layout.Object) error {
			if v, ok := o[typ]; ok {
				items = append(items, v)
			}
			return nil
		})
		x.release()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		prop[typ] = items
		if _, ok := prop["has_more"]; ok {
			prop["has_more"] = false
		}
		page.Extra.PropertyItemsComplete = true
	}
	return nil
}

// truncated reports whether a property value may hold only the first 25 of
// its references.
func truncated(prop map[string]any, typ string) bool {
	switch typ {
	case "relation", "people", "title", "rich_text":
	default:
		return false
	}
	if prop["has_more"] == true {
		return true
	}
	list, _ := prop[typ].([]any)
	return len(list) >= 25
}
