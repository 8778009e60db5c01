package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// ErrTarget is returned (wrapped) when the target page cannot be used.
var ErrTarget = errors.New("target page not usable")

// ErrJournal is returned (wrapped) when the restore journal could not be
// saved: a rerun cannot then tell what this run created.
var ErrJournal = errors.New("restore journal not saved")

// ErrJournalStale is returned (wrapped) when a journal no longer matches
// what Notion holds in a way that neither resuming nor starting over can
// repair without the user: part of the copy it recorded is gone and part is
// still in the target.
var ErrJournalStale = errors.New("restore journal does not match Notion")

// restorer is one restore's working state.
type restorer struct {
	client *notion.Client
	snap   *layout.Snapshot
	plan   *plan
	opts   Options
	j      *journal

	mu      sync.Mutex // guards rep and held
	rep     *Report
	held    int // pages whose content is loaded (see loadPage)
	started time.Time
	done    int
	total   int
	phase   string

	// rejects shape the requests of blocks the API rejected.
	rejects rejects

	// fixups are objects written while a reference in them pointed at
	// something not created yet; they are written again at the end.
	fixups []string
}

// Restore writes snap under the page opts.Target and returns what it did.
// It checks the target before writing anything. With a journal, a restore
// that stopped part way resumes where it stopped.
func Restore(ctx context.Context, client *notion.Client, snap *layout.Snapshot, opts Options) (_ *Report, err error) {
	r, err := newRestorer(client, snap, opts)
	if err != nil {
		return nil, err
	}
	if err := r.checkTarget(ctx); err != nil {
		return nil, err
	}
	if r.j, err = r.openChecked(ctx); err != nil {
		return nil, err
	}
	defer func() {
		// A journal that did not reach the disk cannot make a rerun resume:
		// say so even when the restore failed for another reason first.
		if cerr := r.j.close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("%w: close %s: %w", ErrJournal, opts.Journal, cerr))
		}
	}()
	if err := r.run(ctx); err != nil {
		return r.finish(), err
	}
	return r.finish(), nil
}

// openChecked opens the journal and, when it resumes an earlier run,
// confirms first that the copy it recorded is still where it was written: a
// journal trusted blindly would skip everything a deleted copy held, or
// everything in a workspace that never held it, and report success.
//
// The check is one read per root of the copy (the objects created directly
// in the target) that the journal knows. All there: the restore resumes.
// None there (deleted, in the trash, moved out of the target, or never in
// this workspace): the journal describes nothing that exists, so it is
// replaced and the restore starts over, saying so through opts.Notice. Some
// there and some not: neither is safe (resuming leaves the missing ones
// out, starting over restores the others twice), so the restore stops with
// ErrJournalStale before writing anything.
func (r *restorer) openChecked(ctx context.Context) (*journal, error) {
	j, err := openJournal(r.opts.Journal, r.opts.Fresh)
	if err != nil {
		return nil, err
	}
	if !j.resumed {
		if r.opts.Journal != "" {
			// The first line names the target, so that a journal is never
			// taken for another page's, whatever its file is called.
			if err := j.write(record{Target: r.opts.Target}); err != nil {
				return nil, errors.Join(fmt.Errorf("%w: %w", ErrJournal, err), j.close())
			}
		}
		return j, nil
	}
	if j.target != "" && j.target != r.opts.Target {
		return nil, errors.Join(fmt.Errorf("%w: journal %s belongs to a restore into page %s, not %s; run again with --fresh to start over",
			ErrJournalStale, r.opts.Journal, j.target, r.opts.Target), j.close())
	}
	gone, there, err := r.checkRoots(ctx, j)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("resume: check the copy the journal recorded: %w", err), j.close())
	}
	switch {
	case len(gone) == 0:
		return j, nil
	case len(there) > 0:
		return nil, errors.Join(fmt.Errorf("%w: %s, but %s still in page %s; resuming would leave out what is gone and starting over would restore the rest twice: "+
			"bring back what is gone and run again, or run again with --fresh to restore everything anew (what the earlier run created stays in Notion)",
			ErrJournalStale, gone[0], plural(len(there), "object of the copy is", "objects of the copy are"), r.opts.Target), j.close())
	}
	if err := j.close(); err != nil {
		return nil, fmt.Errorf("%w: close %s: %w", ErrJournal, r.opts.Journal, err)
	}
	if r.opts.Notice != nil {
		r.opts.Notice(fmt.Sprintf("the copy the restore journal recorded is gone (%s); starting over with a new journal", gone[0]))
	}
	r.opts.Fresh = true
	return r.openChecked(ctx)
}

// checkRoots reads every root of the copy whose new id j knows and sorts
// them into those still in the target and those gone, each gone one with
// why, in the order of the plan.
func (r *restorer) checkRoots(ctx context.Context, j *journal) (gone, there []string, err error) {
	type result struct{ why string }
	res := make([]result, len(r.plan.roots))
	p := newPool(ctx)
	for i, old := range r.plan.roots {
		nu, ok := j.id(old)
		if !ok || nu == "" {
			continue
		}
		p.add(func(ctx context.Context) error {
			why, err := r.rootGone(ctx, old, nu)
			res[i] = result{why}
			if why == "" {
				res[i].why = "-" // there
			}
			return err
		})
	}
	if err := p.run(r.opts.Concurrency); err != nil {
		return nil, nil, err
	}
	for i, x := range res {
		switch x.why {
		case "":
		case "-":
			there = append(there, r.plan.roots[i])
		default:
			gone = append(gone, x.why)
		}
	}
	return gone, there, nil
}

// rootGone says why the restored root nu (of old) is no longer the journal's
// copy in the target, or "" if it is.
func (r *restorer) rootGone(ctx context.Context, old, nu string) (string, error) {
	kind, path := "page", "pages/"
	if r.plan.dbs[old] {
		kind, path = "database", "databases/"
	}
	raw, err := r.client.Get(ctx, path+nu, nil)
	if notion.IsNotFound(err) {
		return fmt.Sprintf("%s %s does not exist in this workspace or is not shared with the integration", kind, nu), nil
	}
	if err != nil {
		return "", err
	}
	obj, err := layout.Decode(raw)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", kind, nu, err)
	}
	if obj["in_trash"] == true || obj["archived"] == true {
		return fmt.Sprintf("%s %s is in the trash", kind, nu), nil
	}
	par, _ := obj["parent"].(map[string]any)
	pid, _ := par["page_id"].(string)
	if id, _ := layout.ParseID(pid); id != r.opts.Target {
		return fmt.Sprintf("%s %s is no longer in page %s", kind, nu, r.opts.Target), nil
	}
	return "", nil
}

// plural is "1 thing is" or "n things are".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func newRestorer(client *notion.Client, snap *layout.Snapshot, opts Options) (*restorer, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	target, err := layout.ParseID(opts.Target)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTarget, err)
	}
	opts.Target = target
	pl, err := planFor(snap, opts.Pages)
	if err != nil {
		return nil, err
	}
	r := &restorer{client: client, snap: snap, plan: pl, opts: opts, rep: newReport(), started: opts.Now(), j: newJournal()}
	r.total = len(pl.pages) + len(pl.dbs)
	for _, id := range pl.contentOrder {
		r.total += len(pl.outlines[id].Blocks)
	}
	return r, nil
}

// checkTarget makes sure the target is a page the integration can write to,
// with one read and no write.
func (r *restorer) checkTarget(ctx context.Context) error {
	raw, err := r.client.Get(ctx, "pages/"+r.opts.Target, nil)
	if err != nil {
		if notion.IsNotFound(err) {
			return fmt.Errorf("%w: page %s does not exist or is not shared with the integration (share it in Notion: ••• → Connections)", ErrTarget, r.opts.Target)
		}
		return fmt.Errorf("%w: %w", ErrTarget, err)
	}
	obj, err := layout.Decode(raw)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrTarget, err)
	}
	if obj["in_trash"] == true || obj["archived"] == true {
		return fmt.Errorf("%w: page %s is in the trash", ErrTarget, r.opts.Target)
	}
	return nil
}

func (r *restorer) run(ctx context.Context) error {
	steps := []struct {
		phase string
		fn    func(context.Context) error
	}{
		{"skeleton", r.skeleton},
		{"rows", r.createRows},
		{"schema", r.relationSchemas},
		{"views", r.restoreViews},
		{"content", r.allContent},
		{"synced copies", r.lateCopies},
		{"properties", r.properties},
		{"comments", r.comments},
	}
	for _, s := range steps {
		r.phase = s.phase
		if err := s.fn(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (r *restorer) finish() *Report {
	r.rep.Duration = r.opts.Now().Sub(r.started)
	r.rep.Requests = r.client.Stats().Snapshot()
	r.rep.IDs = r.j.snapshotIDs()
	for k, v := range r.rep.IDs {
		if id, ok := strings.CutPrefix(k, "fallback:"); ok {
			r.rep.Fallbacks[id] = v
			delete(r.rep.IDs, k)
			continue
		}
		if v == "" {
			delete(r.rep.IDs, k)
		}
	}
	return r.rep
}

// count adds one to a report counter.
func (r *restorer) count(m map[string]int, key string) {
	r.mu.Lock()
	m[key]++
	r.mu.Unlock()
}

func (r *restorer) progress(n int) {
	r.mu.Lock()
	r.done += n
	p := Progress{Phase: r.phase, Done: r.done, Total: r.total, Elapsed: r.opts.Now().Sub(r.started)}
	r.mu.Unlock()
	if r.opts.Progress != nil {
		p.Requests = r.client.Stats().Snapshot().Total
		r.opts.Progress(p)
	}
}

// call sends one request and decodes the answer generically.
func (r *restorer) call(ctx context.Context, method, path string, body any) (layout.Object, error) {
	raw, err := r.client.Do(ctx, method, path, nil, body)
	if err != nil {
		return nil, err
	}
	return layout.Decode(raw)
}

// callIDs sends one request whose answer lists objects and decodes the ids
// of its results alone: an append's answer repeats every block it created,
// whole, and the restore needs only their new ids, so pages in flight do
// not hold their answers decoded too.
func (r *restorer) callIDs(ctx context.Context, method, path string, body any) ([]string, error) {
	raw, err := r.client.Do(ctx, method, path, nil, body)
	if err != nil {
		return nil, err
	}
	var res struct {
		Results []struct {
			ID any `json:"id"`
		} `json:"results"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(res.Results))
	for _, o := range res.Results {
		s, _ := o.ID.(string)
		id, _ := layout.ParseID(s)
		ids = append(ids, id)
	}
	return ids, nil
}

// list reads a whole paginated listing.
func (r *restorer) list(ctx context.Context, method, path string, query map[string][]string) ([]layout.Object, error) {
	var out []layout.Object
	err := r.client.Paginate(ctx, method, path, query, nil, func(l *notion.List) error {
		for _, raw := range l.Results {
			o, err := layout.Decode(raw)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	return out, err
}

// create runs a write that is not idempotent as a journal step: skipped
// when done, reconciled when it may have happened, sent otherwise. It
// returns the new id.
//
// A checked step (an append, found again by its place; a page or comment,
// found by the typed text of its title or body) gets a context marked
// notion.WithoutBlindRetry: when its answer is lost it is looked for before
// it is sent again. Databases and data sources are still retried by the
// client.
func (r *restorer) create(ctx context.Context, key, old string, checked bool, send func(ctx context.Context) (string, error), reconcile func() (string, error)) (string, error) {
	if nu, ok := r.j.id(old); ok {
		r.mu.Lock()
		r.rep.Resumed++
		r.mu.Unlock()
		return nu, nil
	}
	if r.j.pending(key) && reconcile != nil {
		nu, err := reconcile()
		if err != nil {
			return "", fmt.Errorf("resume %s: %w", key, err)
		}
		if nu != "" {
			r.mu.Lock()
			r.rep.Resumed++
			r.mu.Unlock()
			return nu, r.j.finish(key, map[string]string{old: nu})
		}
	}
	if err := r.j.intend(key); err != nil {
		return "", err
	}
	if !checked || reconcile == nil {
		nu, err := send(ctx)
		if err != nil {
			return "", err
		}
		return nu, r.j.finish(key, map[string]string{old: nu})
	}
	for lost := 0; ; lost++ {
		nu, err := send(notion.WithoutBlindRetry(ctx))
		if err == nil {
			return nu, r.j.finish(key, map[string]string{old: nu})
		}
		if !notion.MaybeApplied(err) || lost == maxLostAnswers {
			return "", err
		}
		nu, rerr := reconcile()
		if rerr != nil {
			return "", fmt.Errorf("%s: after a lost answer: %w", key, rerr)
		}
		if nu != "" {
			return nu, r.j.finish(key, map[string]string{old: nu})
		}
	}
}

// maxLostAnswers bounds how often one write may lose its answer before the
// restore gives up (the journal lets a later run go on from there).
const maxLostAnswers = 5

func idOf(o layout.Object) string {
	s, _ := o["id"].(string)
	id, _ := layout.ParseID(s)
	return id
}

// jsonEqual compares two JSON values by their encoding.
func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// planFor plans the restore of snap, or of only the given pages (ids or
// URLs) and what is below them.
func planFor(snap *layout.Snapshot, pages []string) (*plan, error) {
	var only []string
	for _, p := range pages {
		id, err := layout.ParseID(p)
		if err != nil {
			return nil, err
		}
		only = append(only, id)
	}
	return newPlan(snap, only)
}
