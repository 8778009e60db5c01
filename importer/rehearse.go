package importer

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// Estimate is what a restore will do, counted from its plan
// (EstimateRequests) or found by rehearsing it (Rehearse).
type Estimate struct {
	// Report is the rehearsal's report: objects, substitutions, limits.
	Report *Report
	// Requests counts the requests by endpoint, whatever their answer.
	Requests map[Endpoint]int
	// Total is the number of requests; Writes those that change Notion.
	Total, Writes int
}

// Endpoint is one kind of request: a method and a path template.
type Endpoint struct{ Method, Path string }

func (e Endpoint) String() string { return e.Method + " " + e.Path }

// Duration is how long the requests take at rate requests per second.
func (e *Estimate) Duration(rate float64) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(float64(e.Total)/rate)) * time.Second
}

// String lists the requests by endpoint.
func (e *Estimate) String() string {
	var b strings.Builder
	keys := slices.SortedFunc(maps.Keys(e.Requests), func(a, b Endpoint) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-44s %6d\n", k, e.Requests[k])
	}
	return b.String()
}

// EstimateRequests counts, from the snapshot's plan alone, the requests a
// restore of snap with opts into an empty page sends under API version
// version ("" for notion.DefaultVersion), by endpoint: an upper bound the
// restore does not exceed when no request is retried and none is rejected
// (a retry of a fault or a 429 is the client's, not the plan's; a block or
// view the API rejects is sent again in another form). Nothing is sent
// and nothing is created, not even in an emulator: the plan is walked
// phase by phase as Restore walks it, every request body is built by the
// restore's own code (so its uploads and its chunking are the restore's),
// and ids are learned by the listings the restore sends only where it
// needs them (children still to write, comments, synced originals); the
// estimate counts those listings by the same rules.
//
// What cannot be known without Notion is counted at its most: every
// attachment is counted as uploaded (a file the API refuses is not),
// every two-way relation as needing its other side renamed, and every
// data source of a database with stored views as getting a default view
// of Notion's, deleted.
//
// A page's blocks and comments are read one page at a time, as the restore
// reads them (an opened snapshot is never decoded whole); the estimate
// holds the plan and the new-id map of one restore, nothing more.
func EstimateRequests(snap *layout.Snapshot, opts Options, version string) (*Estimate, error) {
	opts.Journal, opts.Fresh, opts.Progress = "", false, nil
	if opts.Target == "" {
		opts.Target = estimateTarget
	}
	if version == "" {
		version = notion.DefaultVersion
	}
	// The request builders upload the files they attach and read restored
	// schemas; here those requests are answered locally, so that bodies
	// are the restore's and nothing leaves the process, and the client's
	// counters say how many the restore sends. The pacer is out of the way:
	// nothing is sent.
	client, err := notion.New(notion.Config{BaseURL: "http://estimate.invalid", Token: "estimate",
		Version: version, Rate: 1e9, Burst: 1 << 20, HTTPClient: &http.Client{Transport: localAnswers{}}})
	if err != nil {
		return nil, err
	}
	r, err := newRestorer(client, snap, opts)
	if err != nil {
		return nil, err
	}
	e := &estimator{r: r, ctx: context.Background(), est: &Estimate{Report: r.rep, Requests: map[Endpoint]int{}}}
	if err := e.run(); err != nil {
		return nil, fmt.Errorf("estimate the restore: %w", err)
	}
	for k, n := range client.Stats().Snapshot().Requests {
		e.add(k.Method, k.Endpoint, n)
	}
	for k, n := range e.est.Requests {
		e.est.Total += n
		if (notion.RequestKey{Method: k.Method, Endpoint: k.Path}).Writes() {
			e.est.Writes += n
		}
	}
	return e.est, nil
}

// estimateTarget stands for the target page when the caller names none.
const estimateTarget = "00000000-0000-4000-8000-000000000000"

// estimator walks a restore's plan and counts its requests.
type estimator struct {
	r    *restorer
	ctx  context.Context
	est  *Estimate
	next int // fake ids handed out
}

func (e *estimator) add(method, path string, n int) {
	e.est.Requests[Endpoint{method, path}] += n
}

// fakeID is a new id in the form of Notion's, so that request bodies that
// name it have their real size.
func (e *estimator) fakeID() string {
	e.next++
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", e.next>>24, e.next)
}

func (e *estimator) learn(old string) string {
	nu := e.fakeID()
	e.r.j.ids[old] = nu
	e.r.j.created[nu] = true
	return nu
}

func (e *estimator) run() error {
	r, pl := e.r, e.r.plan
	e.add("GET", "pages/{id}", 1) // the target's check

	// Skeleton and rows: every page, row and database top down, each
	// parent before what is created in it, at any depth.
	for _, id := range pl.tree {
		if err := e.create(id); err != nil {
			return err
		}
	}
	// Schema: relations, then rollups and formulas, one PATCH per data
	// source and part; each two-way relation may read and rename its
	// other side.
	for _, part := range []int{schemaRelations, schemaComputed} {
		for _, id := range sortedKeys(pl.sources) {
			props := r.schemaChange(id, part)
			if len(props) == 0 {
				continue
			}
			e.add("PATCH", "data_sources/{id}", 1)
			for name := range props {
				if part == schemaRelations && r.twoWay(r.snap.DataSources[id], name) != "" {
					e.add("GET", "data_sources/{id}", 1)
					e.add("PATCH", "data_sources/{id}", 1)
				}
			}
		}
	}
	if err := e.views(); err != nil {
		return err
	}
	// Content, page by page, then the synced copies placed late.
	for _, pid := range pl.contentOrder {
		if err := e.content(pid); err != nil {
			return err
		}
	}
	for range pl.late {
		e.add("PATCH", "blocks/{id}/children", 1)
		r.rep.Blocks++
	}
	// Properties that had to wait.
	for _, id := range pl.contentOrder {
		if !r.writesLater(id) {
			continue
		}
		pg, err := r.pageObject(id)
		if err != nil {
			return err
		}
		if props, err := r.laterValues(e.ctx, pg); err != nil {
			return err
		} else if len(props) > 0 {
			e.add("PATCH", "pages/{id}", 1)
		}
	}
	return e.comments()
}

// create counts the creation of a page, row or database, with its
// placeholder and its data sources.
func (e *estimator) create(id string) error {
	r, pl := e.r, e.r.plan
	var obj layout.Object
	var pg *layout.Page
	if pl.dbs[id] {
		obj = r.snap.Databases[id].Object
	} else {
		var err error
		if pg, err = r.pageObject(id); err != nil {
			return err
		}
		obj = pg.Object
	}
	// The new id of what it is created in: the target for a root.
	in, ok := r.j.id(pl.container(obj))
	if !ok {
		in = r.opts.Target
	}
	nu := e.learn(id)
	if pl.dbs[id] {
		if _, _, err := r.databaseRequest(e.ctx, r.snap.Databases[id], in); err != nil {
			return err
		}
		e.add("POST", "databases", 1)
		r.rep.Databases++
		sources := r.sourcesOf(id)
		if len(sources) == 0 {
			return nil
		}
		e.add("GET", "databases/{id}", 1) // the first data source's id
		for i, ds := range sources {
			e.learn(ds)
			r.rep.DataSources++
			if i > 0 {
				r.countDescription(ds)
				if _, err := r.sourceRequest(e.ctx, r.snap.DataSources[ds], nu); err != nil {
					return err
				}
				e.add("POST", "data_sources", 1)
				continue
			}
			req, err := r.sourceText(e.ctx, id, ds)
			if err != nil {
				return err
			}
			if len(req) > 0 {
				e.add("PATCH", "data_sources/{id}", 1) // its own title or icon
			}
		}
		return nil
	}
	parent := map[string]any{"type": "page_id", "page_id": in}
	if r.isRow(id) {
		parent = map[string]any{"type": "data_source_id", "data_source_id": in}
		r.rep.Rows++
	} else {
		r.rep.Pages++
	}
	if _, _, err := r.pageRequest(e.ctx, pg, parent); err != nil {
		return err
	}
	e.add("POST", "pages", 1)
	if len(pl.placed[id]) > 0 && pl.leading[id] {
		if r.positioned() {
			r.j.ids[placeholderKey(id)] = "" // the content goes at the start
		} else {
			e.add("PATCH", "blocks/{id}/children", 1)
			e.learn(placeholderKey(id))
		}
	}
	return nil
}

// views counts restoreViews: per database with stored views, one create
// per view (its request built by the restore, which reads each restored
// data source's schema once), a listing, and a DELETE per view Notion
// made by itself.
func (e *estimator) views() error {
	r := e.r
	schemas := map[string]map[string]string{}
	for _, db := range sortedKeys(r.plan.dbs) {
		d := r.snap.Databases[db]
		if len(d.Views) == 0 {
			continue
		}
		nuDB, _ := r.j.id(db)
		created := 0
		for _, v := range r.viewOrder(d) {
			if _, ok := r.j.id(v.ID); ok {
				continue
			}
			if _, err := r.viewRequest(e.ctx, d, nuDB, v, schemas); err != nil {
				return err
			}
			e.add("POST", "views", 1)
			e.learn(v.ID)
			r.rep.Views++
			created++
		}
		defaults := len(r.sourcesOf(db))
		e.add("GET", "views", max(1, (created+defaults+notion.PageSize-1)/notion.PageSize))
		e.add("DELETE", "views/{id}", defaults)
	}
	return nil
}

// content counts one page's appends as pageContent sends them, reading
// the page's blocks as it does.
func (e *estimator) content(pid string) error {
	r, pl := e.r, e.r.plan
	r.countColumnLists(pid)
	pg, release, err := r.loadPage(pid)
	if err != nil {
		return err
	}
	defer release()
	var run []string
	for _, ev := range pl.events[pid] {
		if ev.block != "" {
			run = append(run, ev.block)
			continue
		}
		if err := e.appendAll(pg, run); err != nil {
			return err
		}
		run = nil
	}
	if err := e.appendAll(pg, run); err != nil {
		return err
	}
	if ph, _ := r.j.id(placeholderKey(pid)); ph != "" && pl.leading[pid] {
		e.add("DELETE", "blocks/{id}", 1)
	}
	return nil
}

// appendAll mirrors restorer.appendAll: one request per packed chunk, then
// the children each created block could not carry, depth first.
func (e *estimator) appendAll(pg *layout.Page, kids []string) error {
	r := e.r
	kids = r.plan.written(pg.ID, kids)
	for i := 0; i < len(kids); {
		k := kids[i]
		if r.plan.late[k] {
			i++
			continue
		}
		if _, ok := r.j.ids[k]; ok {
			if err := e.appendAll(pg, r.contentKids(pg, pg.Blocks[k])); err != nil {
				return err
			}
			i++
			continue
		}
		req, err := r.pack(e.ctx, pg, kids[i:])
		if err != nil {
			return err
		}
		if len(req.top) == 0 {
			return fmt.Errorf("page %s: block %s cannot be written", pg.ID, k)
		}
		e.add("PATCH", "blocks/{id}/children", 1)
		for bid, note := range req.notes {
			if slices.Contains(req.top, bid) || inNested(req.nested, bid) {
				r.rep.Substituted[note]++
			}
		}
		m := map[string]string{}
		for _, t := range req.top {
			m[t] = e.fakeID()
		}
		for _, list := range req.nested {
			for _, c := range list {
				m[c] = ""
			}
		}
		for _, t := range req.top {
			e.resolve(pg, t, req.nested, m)
		}
		for old, nu := range m {
			r.j.ids[old] = nu
		}
		r.rep.Blocks += len(m)
	}
	return nil
}

// resolve mirrors restorer.resolve: one listing for each created block
// whose created children's ids are needed.
func (e *estimator) resolve(pg *layout.Page, old string, nested map[string][]string, m map[string]string) {
	inc := nested[old]
	if len(inc) == 0 || !slices.ContainsFunc(inc, func(c string) bool { return e.r.needsID(pg, c, nested) }) {
		return
	}
	e.add("GET", "blocks/{id}/children", max(1, (len(inc)+notion.PageSize-1)/notion.PageSize))
	for _, c := range inc {
		m[c] = e.fakeID()
	}
	for _, c := range inc {
		e.resolve(pg, c, nested, m)
	}
}

// comments counts one POST per comment, with its attachments uploaded by
// the restore's own code; each page's comments are read on their own, as
// the restore reads them.
func (e *estimator) comments() error {
	r := e.r
	seen := map[string]bool{}
	for _, pid := range r.plan.contentOrder {
		var mine []string
		for _, c := range r.plan.outlines[pid].Comments {
			if !seen[c.ID] {
				seen[c.ID] = true
				mine = append(mine, c.ID)
			}
		}
		if len(mine) == 0 {
			continue
		}
		list, err := r.snap.PageComments(pid)
		if err != nil {
			return fmt.Errorf("comments of page %s: %w", pid, err)
		}
		for _, c := range list {
			if !slices.Contains(mine, c.ID) {
				continue
			}
			if _, err := r.commentAttachments(e.ctx, c); err != nil {
				return err
			}
			e.add("POST", "comments", 1)
			r.rep.Comments++
		}
	}
	return nil
}

// localAnswers answers the requests an estimate's request builders send:
// the File Upload API's, so that bodies attach an upload as the restore's
// do, and the read of a restored data source's schema, answered as empty
// (a view's properties are then mapped as the copy lacks them, which
// changes its body, not the number of requests). It refuses anything else,
// which an estimate must never send.
type localAnswers struct{}

func (localAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	status, body := http.StatusOK, ""
	switch p := strings.TrimPrefix(req.URL.Path, "/v1/"); {
	case strings.HasPrefix(p, "file_uploads"):
		body = `{"object":"file_upload","id":"00000000-0000-4000-8000-00000000f11e","status":"uploaded"}`
	case req.Method == http.MethodGet && strings.HasPrefix(p, "data_sources/") && !strings.Contains(strings.TrimPrefix(p, "data_sources/"), "/"):
		body = `{"object":"data_source","id":"` + strings.TrimPrefix(p, "data_sources/") + `","properties":{}}`
	default:
		status, body = http.StatusBadRequest, `{"object":"error","status":400,"code":"validation_error","message":"an estimate sends no request"}`
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
}
