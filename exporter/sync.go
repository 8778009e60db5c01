package exporter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// Sync brings the snapshot in prev up to date with the workspace, writing the
// difference to sink. It returns an error, and the caller must not commit,
// when the snapshot could not be made whole: the listing failed, the token
// was refused, the context was cancelled. An object that alone could not be
// read is not such an error: it keeps its previous version and is listed in
// the report, which then says Partial.
//
// The new sync state is returned, not written: it changes on every run (crawl
// times), so the caller writes it only into a commit that has other changes,
// and keeps it outside the tree otherwise (see Options.State).
func Sync(ctx context.Context, client *notion.Client, prev Previous, sink Sink, opts Options) (*Result, error) {
	if err := opts.applyDefaults(); err != nil {
		return nil, err
	}
	if prev == nil {
		prev = emptyPrevious{}
	}
	x := &exporter{
		client: client, prev: prev, sink: sink, opts: opts,
		sem:      newRequestSlots(opts.Concurrency),
		report:   &Report{Started: opts.Now().UTC(), Full: opts.Full},
		pages:    map[string]layout.Object{},
		sources:  map[string]layout.Object{},
		dbs:      map[string]layout.Object{},
		owner:    map[string]string{},
		written:  map[string]bool{},
		filtered: map[string]bool{},

		hasContent: map[string]bool{},
		newDigests: map[string]string{},
		digests:    map[string]string{},
	}
	x.prevState = opts.State
	if x.prevState == nil {
		state, err := layout.ReadState(prev)
		if err != nil {
			return nil, err
		}
		x.prevState = state
	}
	// A first sync crawls everything, as --full does; so does one that
	// continues a first sync's checkpoint (no complete sync before it).
	x.report.Full = opts.Full || x.prevState == nil || x.prevState.LastSync == ""
	if x.prevState != nil {
		for _, o := range x.prevState.Objects {
			if o.Kind == layout.KindPage && !o.Pending() {
				x.report.Pages.Previous++
			}
		}
	}
	x.state = &layout.State{Version: layout.StateVersion, LastSync: x.report.Started.Format(time.RFC3339), Objects: map[string]layout.ObjectState{}}
	runCtx, halt := context.WithCancelCause(ctx)
	x.ckpt.halt = halt
	err := x.run(runCtx)
	timeUp := errors.Is(err, errStopped) || errors.Is(context.Cause(runCtx), errTimeUp)
	halt(nil)
	if ctx.Err() == nil {
		// A wait longer than the run may wait ends a time-boxed sync as
		// its time box does, with its progress kept: the box would run
		// out before the wait did. Without a box or a checkpoint to keep
		// the progress in, it stays what stops the run.
		wait := x.stoppedByWait(err)
		if wait != nil && !x.opts.StopAt.IsZero() && x.opts.Checkpoint != nil || err != nil && timeUp {
			return x.incomplete(ctx, wait)
		}
	}
	if err != nil {
		return nil, err
	}
	if x.fatal != nil {
		return nil, x.fatal
	}
	x.finishReport()
	return &Result{Report: x.report, State: x.state}, nil
}

// stoppedByWait returns the wait Notion asked for that stopped the run,
// if one did: in the error the run returned, in the crawl's when the crawl
// was cancelled for it, or, when the run went on to its end, in the first
// failure every object shared. Nil when the run failed of something else.
func (x *exporter) stoppedByWait(err error) error {
	var wait *notion.WaitTooLongError
	switch {
	case errors.As(err, &wait):
	case err == nil && errors.As(x.fatal, &wait):
	case errors.Is(err, context.Canceled) && x.crawl != nil && errors.As(x.crawl.stoppedBy(), &wait):
	default:
		return nil
	}
	return wait
}

// finishReport fills in the report's closing figures.
func (x *exporter) finishReport() {
	x.report.Duration = x.opts.Now().Sub(x.report.Started)
	x.report.Requests = x.client.Stats().Snapshot()
	x.report.Checkpoints = x.checkpointCounts()
	x.report.Refresh.Requests = int(x.requests[purposeRefresh].Load())
	x.report.Sweep.Requests = int(x.requests[purposeSweep].Load())
	x.report.BlockComments.Requests = int(x.requests[purposeBlockComments].Load())
	x.report.Freshness = x.opts.freshness()
	x.report.sortLists()
}

// Result is what a sync produced besides the files it wrote. A sync stopped
// by its time box returns one too, with its *IncompleteError.
type Result struct {
	Report *Report
	// State is the new sync state, for .notion-git/state.json; after an
	// incomplete sync, the state of its last checkpoint.
	State *layout.State
}

// exporter holds one sync's working state.
type exporter struct {
	client *notion.Client
	prev   Previous
	sink   Sink
	opts   Options
	sem    *requestSlots // bounds requests in flight, oldest page first

	prevState *layout.State // nil on a first sync
	state     *layout.State // what this sync will write

	mu      sync.Mutex
	report  *Report
	pages   map[string]layout.Object // listed page objects by id, rows included
	sources map[string]layout.Object // data source objects by id
	dbs     map[string]layout.Object // database objects by id
	views   viewSet                  // views of the databases fetched this run
	owner   map[string]string        // child page or database id -> the page whose block holds it
	written map[string]bool          // files/ paths put this run
	scoped  map[string]bool          // ids in scope; nil when everything is
	// filtered holds the data sources whose rows a scope filter chose this
	// run: a row of theirs that the query did not return is out of scope.
	filtered map[string]bool
	// hasContent says, for each page crawled this run, whether it has
	// blocks: its child_page block in its parent says so too.
	hasContent map[string]bool
	// settlingIDs are the pages carried while their edit minute's window
	// is open (see changeReason); settleMu guards it and the report's
	// counts of them, since changeReason runs in the crawl's goroutines.
	settleMu    sync.Mutex
	settlingIDs map[string]bool
	// digests holds the digest of each listed page whose stored object
	// planning compared and found the same although the state had no
	// (or another) digest of it: what its carried entry records.
	newDigests map[string]string
	crawl      *crawlQueue
	sinkMu     sync.Mutex
	ckpt       checkpointing
	// fatal is the first failure of one object that every other would
	// share (notion.IsFatal): the sync must not commit past it.
	fatal error
	// requests counts the requests made, by what they were for.
	requests requestCounts
	// digests holds the digest of each page as listed this run (set by
	// plan on an incremental sync).
	digests map[string]string
	// mirror is what the READMEs need (see readmes.go).
	mirror mirror
}

// A Previous is read by layout too (the sync state, single objects).
var _ layout.FileSource = Previous(nil)

func (x *exporter) run(ctx context.Context) error {
	bot, err := x.get(ctx, "users/me")
	if err != nil {
		return fmt.Errorf("identify the integration: %w", err)
	}
	if err := x.initMirror(); err != nil {
		return err
	}
	if err := x.listWorkspace(ctx); err != nil {
		return err
	}
	if err := x.syncDataSources(ctx); err != nil {
		return err
	}
	x.applyScope()
	if err := x.checkRoots(ctx); err != nil {
		return err
	}
	if err := x.queryRows(ctx); err != nil {
		return err
	}
	if err := x.confirmVanished(ctx); err != nil {
		return err
	}
	// Users before pages: a page's README names the people in it, and a
	// people property or created_by carries only an id.
	if err := x.syncUsers(ctx); err != nil {
		return err
	}
	if err := x.crawlPages(ctx); err != nil {
		return err
	}
	if err := x.removeUnreferencedFiles(); err != nil {
		return err
	}
	if err := x.writeReadmes(); err != nil {
		return err
	}
	return x.writeTop(bot)
}

// acquire and release bound the requests in flight. Every request passes
// here, which makes it where the time box is checked.
func (x *exporter) acquire(ctx context.Context) error {
	x.checkStop()
	if err := ctx.Err(); err != nil {
		return err
	}
	return x.sem.acquire(ctx, pageOrderOf(ctx))
}

func (x *exporter) release() { x.sem.release() }

// get fetches one object and decodes it generically.
func (x *exporter) get(ctx context.Context, path string) (layout.Object, error) {
	if err := x.acquire(ctx); err != nil {
		return nil, err
	}
	raw, err := x.client.Get(ctx, path, nil)
	x.release()
	x.countRequests(ctx, 1)
	if err != nil {
		return nil, err
	}
	obj, err := layout.Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", notion.Endpoint(path), err)
	}
	x.admit(obj)
	return obj, nil
}

// list walks a paginated endpoint, handing each decoded result to fn.
func (x *exporter) list(ctx context.Context, method, path string, query map[string][]string, body map[string]any, fn func(layout.Object) error) (*notion.List, error) {
	return x.listRaw(ctx, method, path, query, body, func(obj layout.Object, _ json.RawMessage) error { return fn(obj) })
}

// listRaw is list that hands fn each result's raw JSON too.
func (x *exporter) listRaw(ctx context.Context, method, path string, query map[string][]string, body map[string]any, fn func(layout.Object, json.RawMessage) error) (*notion.List, error) {
	var last *notion.List
	answers := 0
	defer func() { x.countRequests(ctx, max(answers, 1)) }()
	err := x.client.Paginate(ctx, method, path, query, body, func(l *notion.List) error {
		last = l
		answers++
		for _, r := range l.Results {
			obj, err := layout.Decode(r)
			if err != nil {
				return fmt.Errorf("%s %s: result: %w", method, notion.Endpoint(path), err)
			}
			x.admit(obj)
			if err := fn(obj, r); err != nil {
				return err
			}
		}
		return nil
	})
	return last, err
}

// listWorkspace is the listing pass: one search through everything shared
// with the integration, pages and data sources in one walk, which takes
// fewer requests than a walk for each.
func (x *exporter) listWorkspace(ctx context.Context) error {
	add := func(obj layout.Object, raw json.RawMessage) error {
		id, err := objectID(obj)
		if err != nil {
			return err
		}
		switch obj["object"] {
		case "page":
			if !isTrashed(obj) {
				x.pages[id] = x.compactListed(id, obj, raw)
			}
		case "data_source":
			if !isTrashed(obj) {
				x.sources[id] = obj
			}
		}
		return nil
	}
	if err := x.acquire(ctx); err != nil {
		return err
	}
	defer x.release()
	if _, err := x.listRaw(ctx, http.MethodPost, "search", nil, nil, add); err != nil {
		return fmt.Errorf("list the workspace: %w", err)
	}
	return nil
}

// objectID reads and validates an object's id: ids become paths.
func objectID(obj layout.Object) (string, error) {
	s, _ := obj["id"].(string)
	id, err := layout.ParseID(s)
	if err != nil {
		return "", fmt.Errorf("object %q from the API: %w", s, err)
	}
	return id, nil
}

func isTrashed(obj layout.Object) bool {
	return obj["in_trash"] == true || obj["archived"] == true
}

// lastEdited returns an object's last_edited_time as Notion sent it.
func lastEdited(obj layout.Object) string {
	s, _ := obj["last_edited_time"].(string)
	return s
}

// parentOf returns the id of the object above obj (page, block, database or
// data source) and its kind; "" at the top of the workspace.
func parentOf(obj layout.Object) (id, kind string) {
	p, _ := obj["parent"].(map[string]any)
	t, _ := p["type"].(string)
	if t == "workspace" || t == "" {
		return "", ""
	}
	s, _ := p[t].(string)
	id, err := layout.ParseID(s)
	if err != nil {
		return "", ""
	}
	return id, strings.TrimSuffix(t, "_id")
}

// fail records an object that could not be read.
func (x *exporter) fail(id, kind string, err error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if notion.IsFatal(err) && x.fatal == nil {
		x.fatal = err
	}
	x.report.Errors = append(x.report.Errors, ObjectError{ID: id, Kind: kind, Reason: reason(err)})
}

// reason turns an error into the short text of a report line.
func reason(err error) string {
	var e *notion.Error
	if errors.As(err, &e) && e.Code != "" {
		return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
	}
	return err.Error()
}

// put writes one file to the sink.
func (x *exporter) put(path string, data []byte) error {
	x.sinkMu.Lock()
	defer x.sinkMu.Unlock()
	if err := x.sink.Put(path, data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func (x *exporter) deleteDir(dir string) error {
	x.sinkMu.Lock()
	defer x.sinkMu.Unlock()
	if err := x.sink.DeleteDir(dir); err != nil {
		return fmt.Errorf("remove %s: %w", dir, err)
	}
	return nil
}

func (x *exporter) delete(path string) error {
	x.sinkMu.Lock()
	defer x.sinkMu.Unlock()
	if err := x.sink.Delete(path); err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}

// writeTop writes the files derived from the whole snapshot: meta and the
// index. The state is the caller's to write (see Sync).
func (x *exporter) writeTop(bot layout.Object) error {
	layout.Normalize(bot)
	meta := layout.Meta{FormatVersion: layout.FormatVersion, APIVersion: layout.APIVersion, Bot: bot}
	if b, ok := bot["bot"].(map[string]any); ok {
		meta.WorkspaceName, _ = b["workspace_name"].(string)
	}
	mb, err := layout.EncodeMeta(meta)
	if err != nil {
		return err
	}
	if err := x.put(layout.MetaPath, mb); err != nil {
		return err
	}
	return x.put(layout.IndexPath, layout.EncodeIndex(meta.WorkspaceName, x.state.Objects))
}

// sortedKeys returns a map's keys in order, for deterministic work order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// admit applies the sync's privacy rules to an object as it arrives, before
// anything compares or stores it: people's email addresses are removed from
// every user object inside it (people properties, mentions, the user list)
// unless they were asked for; and one read under 2026-03-11 is put in the
// layout's form (layoutForm).
func (x *exporter) admit(obj layout.Object) {
	x.layoutForm(obj)
	if !x.opts.UserEmails {
		stripEmails(map[string]any(obj))
	}
}

func stripEmails(v any) {
	switch v := v.(type) {
	case map[string]any:
		if v["object"] == "user" {
			if p, ok := v["person"].(map[string]any); ok {
				delete(p, "email")
			}
		}
		for _, e := range v {
			stripEmails(e)
		}
	case []any:
		for _, e := range v {
			stripEmails(e)
		}
	}
}
