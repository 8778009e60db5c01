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

// Estimate is what a restore will do, found by rehearsing it.
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

// Rehearse plans a restore without touching Notion: it runs the restore
// through client into target, which the caller points at a stand-in that
// holds one empty page (the bundled emulator, in process), so the requests
// counted are the ones the real restore will send, apart from retries,
// planned by the same code. opts.Target, Journal and Fresh are ignored:
// nothing of a rehearsal is kept.
func Rehearse(ctx context.Context, client *notion.Client, target string, snap *layout.Snapshot, opts Options) (*Estimate, error) {
	opts.Target, opts.Journal, opts.Fresh, opts.Progress = target, "", false, nil
	rep, err := Restore(ctx, client, snap, opts)
	if err != nil {
		return nil, fmt.Errorf("rehearse the restore: %w", err)
	}
	e := &Estimate{Report: rep, Requests: map[Endpoint]int{}}
	for k, n := range rep.Requests.Requests {
		e.Requests[Endpoint{k.Method, k.Endpoint}] += n
		e.Total += n
		if k.Writes() {
			e.Writes += n
		}
	}
	// The real restore also checks the target page once; the rehearsal
	// did the same, so nothing is added.
	return e, nil
}

// EstimateRequests counts, from the snapshot's plan alone, the requests a
// restore of snap with opts into an empty page sends, by endpoint: an
// upper bound the restore does not exceed when no request is retried (a
// retry of a fault or a 429 is the client's, not the plan's). Nothing is
// sent and nothing is created, not even in an emulator: the plan is walked
// phase by phase as Restore walks it, and a page's content is packed into
// requests by the restore's own packer, so the chunking rules are the
// restore's. Ids are learned by the listings the restore sends only where
// it needs them (children still to write, comments, synced originals);
// the estimate counts those listings by the same rules.
//
// What cannot be known without Notion is counted at its most: every
// attachment is counted as uploaded (a file the API refuses is not), and
// every two-way relation as needing its other side renamed.
//
// The estimate holds the plan and the new-id map of one restore, nothing
// more: it answers in seconds where a rehearsal against the emulator
// would hold every object twice.
func EstimateRequests(snap *layout.Snapshot, opts Options) (*Estimate, error) {
	opts.Journal, opts.Fresh, opts.Progress = "", false, nil
	if opts.Target == "" {
		opts.Target = estimateTarget
	}
	// The packer converts blocks into request bodies, uploading the files
	// they attach on the way; here the uploads are answered locally, so
	// that bodies are the restore's and nothing leaves the process. They
	// are counted from the snapshot's files instead (see uploads).
	client, err := notion.New(notion.Config{BaseURL: "http://estimate.invalid", Token: "estimate",
		Version: layout.APIVersion, HTTPClient: &http.Client{Transport: uploadsOnly{}}})
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
	for k, n := range e.est.Requests {
		e.est.Total += n
		if (notion.RequestKey{Method: k.Method, Endpoint: k.Path}).Writes() {
			e.est.Writes += n
		}
	}
	e.est.Report.Uploads = e.files
	return e.est, nil
}

// estimateTarget stands for the target page when the caller names none.
const estimateTarget = "00000000-0000-4000-8000-000000000000"

// estimator walks a restore's plan and counts its requests.
type estimator struct {
	r     *restorer
	ctx   context.Context
	est   *Estimate
	next  int // fake ids handed out
	files int // attachments uploaded
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

	// Skeleton: pages and databases, then the other data sources; rows.
	for _, id := range pl.skeleton {
		e.create(id)
	}
	for _, ds := range sortedKeys(pl.rows) {
		for _, row := range pl.rows[ds] {
			e.create(row)
		}
	}
	// Schema: relations, then rollups and formulas, one PATCH per data
	// source and part; each two-way relation may read and rename its
	// other side.
	for _, part := range []int{schemaRelations, schemaComputed} {
		for _, id := range sortedKeys(pl.sources) {
			ds := r.snap.DataSources[id]
			props := r.schema(ds, part)
			if part == schemaRelations {
				r.dropBackSides(id, ds, props)
			}
			if len(props) == 0 {
				continue
			}
			e.add("PATCH", "data_sources/{id}", 1)
			if part != schemaRelations {
				continue
			}
			for name := range props {
				conf := relationConf(ds, name)
				if target, _ := conf["data_source_id"].(string); conf["type"] == "dual_property" && pl.sources[target] {
					e.add("GET", "data_sources/{id}", 1)
					e.add("PATCH", "data_sources/{id}", 1)
				}
			}
		}
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
		if n, err := e.laterProperties(id); err != nil {
			return err
		} else if n {
			e.add("PATCH", "pages/{id}", 1)
		}
	}
	// Comments, one POST each.
	seen := map[string]bool{}
	for _, pid := range pl.contentOrder {
		for _, c := range r.snap.Pages[pid].Comments {
			if !seen[c.ID] {
				seen[c.ID] = true
				e.add("POST", "comments", 1)
				r.rep.Comments++
				e.uploads(c.Extra)
			}
		}
	}
	return nil
}

// create counts the creation of a page, row or database placed by the
// skeleton, with its placeholder and its data sources.
func (e *estimator) create(id string) {
	r, pl := e.r, e.r.plan
	e.learn(id)
	if pl.dbs[id] {
		db := r.snap.Databases[id]
		e.add("POST", "databases", 1)
		r.rep.Databases++
		e.uploads(db.Extra)
		sources := r.sourcesOf(id)
		if len(sources) == 0 {
			return
		}
		e.add("GET", "databases/{id}", 1) // the first data source's id
		for i, ds := range sources {
			e.learn(ds)
			r.rep.DataSources++
			e.uploads(r.snap.DataSources[ds].Extra)
			if i > 0 {
				e.add("POST", "data_sources", 1)
			} else if layout.PlainText(r.snap.DataSources[ds].Object["title"]) != layout.PlainText(db.Object["title"]) {
				e.add("PATCH", "data_sources/{id}", 1) // its own title
			}
		}
		return
	}
	pg := r.snap.Pages[id]
	e.add("POST", "pages", 1)
	if r.isRow(id) {
		r.rep.Rows++
	} else {
		r.rep.Pages++
	}
	e.uploads(pg.Extra)
	if len(pl.placed[id]) > 0 && pl.leading[id] {
		e.add("PATCH", "blocks/{id}/children", 1)
		e.learn(placeholderKey(id))
	}
}

// uploads counts the attachments of one object: every Notion-hosted file
// whose bytes are stored is uploaded once per attachment, in parts above
// the single-part limit.
func (e *estimator) uploads(extra layout.Extra) {
	for _, info := range extra.Files {
		if info.SHA256 == "" {
			continue
		}
		size, ok := e.r.snap.Files[info.SHA256]
		if !ok {
			continue
		}
		e.files++
		e.add("POST", "file_uploads", 1)
		if size > maxSinglePart {
			e.add("POST", "file_uploads/{id}/send", int((size+partSize-1)/partSize))
			e.add("POST", "file_uploads/{id}/complete", 1)
		} else {
			e.add("POST", "file_uploads/{id}/send", 1)
		}
	}
}

// content counts one page's appends as pageContent sends them.
func (e *estimator) content(pid string) error {
	r, pl := e.r, e.r.plan
	pg := r.snap.Pages[pid]
	for _, b := range pg.Blocks {
		if !pl.isPlaced(b.ID) {
			e.uploads(b.Extra)
		}
	}
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
	if pl.leading[pid] && len(pl.placed[pid]) > 0 {
		e.add("DELETE", "blocks/{id}", 1)
	}
	return nil
}

// appendAll mirrors restorer.appendAll: one request per packed chunk, then
// the children each created block could not carry, depth first.
func (e *estimator) appendAll(pg *layout.Page, kids []string) error {
	r := e.r
	for i := 0; i < len(kids); {
		k := kids[i]
		if r.plan.late[k] {
			i++
			continue
		}
		if _, ok := r.j.ids[k]; ok {
			b := pg.Blocks[k]
			if err := e.appendAll(pg, r.contentKids(pg, b)); err != nil {
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
	e.add("GET", "blocks/{id}/children", max(1, (len(inc)+maxChildren-1)/maxChildren))
	for _, c := range inc {
		m[c] = e.fakeID()
	}
	for _, c := range inc {
		e.resolve(pg, c, nested, m)
	}
}

// laterProperties reports whether laterProperties writes page id.
func (e *estimator) laterProperties(id string) (bool, error) {
	r := e.r
	pg := r.snap.Pages[id]
	if r.isRow(id) {
		props, _, err := r.rowProperties(e.ctx, pg, true)
		if err != nil {
			return false, err
		}
		for name, v := range props {
			if rel, ok := v.(map[string]any)["relation"].([]any); ok && len(rel) == 0 {
				delete(props, name)
			}
		}
		return len(props) > 0, nil
	}
	stored, _ := pg.Object["properties"].(map[string]any)
	for _, v := range stored {
		if m, _ := v.(map[string]any); m["type"] == "title" && hasRestoredMention(r.plan, m["title"]) {
			return true, nil
		}
	}
	return false, nil
}

// uploadsOnly answers the File Upload API's requests of an estimate, so
// that the packer's bodies attach an upload as the restore's do; it
// refuses anything else, which an estimate must never send.
type uploadsOnly struct{}

func (uploadsOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	body := `{"object":"file_upload","id":"00000000-0000-4000-8000-00000000f11e","status":"uploaded"}`
	status := http.StatusOK
	if !strings.Contains(req.URL.Path, "/file_uploads") {
		status, body = http.StatusBadRequest, `{"object":"error","status":400,"code":"validation_error","message":"an estimate sends no request"}`
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
}
