package importer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// allContent writes the blocks of every restored page, several pages at a
// time. A page's own blocks go one request after the other, in order; a
// page holding synced copies starts once the pages holding their
// originals are written, since the copies name the originals' new ids.
//
// A page waiting for its originals is not started at all, rather than
// started to wait: a worker held by a waiting page sends nothing. And the
// pages with the most blocks start first: a page's requests go one after
// the other, so the longest page sets the phase's end, and started last it
// would leave the other workers idle (with --concurrency 1 the snapshot's
// order is kept, as Options says).
func (r *restorer) allContent(ctx context.Context) error {
	order := r.plan.contentOrder
	if r.opts.Concurrency > 1 {
		order = slices.Clone(order)
		size := func(pid string) int { return len(r.plan.outlines[pid].Blocks) }
		slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(size(b), size(a)) })
	}
	var mu sync.Mutex                   // guards waiting
	waiting := map[string]int{}         // page -> pages of its originals not written yet
	dependents := map[string][]string{} // page -> pages waiting for it
	for _, pid := range order {
		if r.opts.Concurrency <= 1 {
			break // one worker in contentOrder: originals are always written first
		}
		for _, d := range r.plan.originals[pid] {
			waiting[pid]++
			dependents[d] = append(dependents[d], pid)
		}
	}
	p := newPool(ctx)
	var start func(pid string)
	start = func(pid string) {
		p.add(func(ctx context.Context) error {
			r.countColumnLists(pid)
			r.countStrays(pid)
			if err := r.pageContent(ctx, pid); err != nil {
				return err
			}
			var ready []string
			mu.Lock()
			for _, q := range dependents[pid] {
				if waiting[q]--; waiting[q] == 0 {
					ready = append(ready, q)
				}
			}
			mu.Unlock()
			// Queued while this task still runs, so the pool does not end
			// before them.
			for _, q := range ready {
				start(q)
			}
			return nil
		})
	}
	for _, pid := range order {
		if waiting[pid] == 0 {
			start(pid)
		}
	}
	return p.run(r.opts.Concurrency)
}

// pageContent writes a page's blocks around the pages and databases the
// skeleton placed in it: each run of blocks goes after the child before it
// (or after the placeholder, or at the start without one, for the blocks
// before the first child).
func (r *restorer) pageContent(ctx context.Context, pid string) error {
	key := "content:" + pid
	if r.j.isDone(key) {
		return nil
	}
	pg, release, err := r.loadPage(pid)
	if err != nil {
		return err
	}
	defer release()
	nu, _ := r.j.id(pid)
	cursor, ph := "", ""
	if r.plan.leading[pid] {
		ph, _ = r.j.id(placeholderKey(pid))
		cursor = cmp.Or(ph, atStart)
	}
	var run []string
	flush := func() error {
		err := r.appendAll(ctx, pg, pid, nu, run, cursor, true)
		run = nil
		return err
	}
	for _, ev := range r.plan.events[pid] {
		if ev.block != "" {
			run = append(run, ev.block)
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		cursor, _ = r.j.id(ev.child)
	}
	if err := flush(); err != nil {
		return err
	}
	if ph != "" {
		if _, err := r.client.Delete(ctx, "blocks/"+ph); err != nil && !notion.IsValidation(err) {
			// A validation error is a placeholder already in the trash.
			return fmt.Errorf("page %s: remove placeholder: %w", pid, err)
		}
	}
	return r.j.finish(key, nil)
}

// appendAll creates the children kids of parentOld (new id parentNew) in
// order, depth first: after each request, the children of what it created
// are written before the next request, so every block is created after the
// blocks before it in the document, synced originals before their copies.
// In after mode the blocks go after the block `after`, else at the end.
func (r *restorer) appendAll(ctx context.Context, pg *layout.Page, parentOld, parentNew string, kids []string, after string, afterMode bool) error {
	cursor := after
	kids = r.plan.written(pg.ID, kids)
	for i := 0; i < len(kids); {
		k := kids[i]
		if r.plan.late[k] {
			i++
			continue
		}
		if nu, ok := r.j.id(k); ok {
			if nu != "" {
				cursor = nu
			}
			if err := r.descend(ctx, pg, k); err != nil {
				return err
			}
			i++
			continue
		}
		if parentNew == "" {
			return fmt.Errorf("page %s: block %s: the new id of its parent %s is unknown", pg.ID, k, parentOld)
		}
		req, err := r.pack(ctx, pg, kids[i:])
		if err != nil {
			return err
		}
		if len(req.top) == 0 {
			return fmt.Errorf("page %s: block %s cannot be written", pg.ID, k)
		}
		at := ""
		if afterMode {
			at = cursor
		}
		if err := r.sendAppend(ctx, pg, parentOld, parentNew, at, req); err != nil {
			if errors.Is(err, errRepack) {
				continue
			}
			return err
		}
	}
	return nil
}

// descend writes the children of a created block that are not created yet.
func (r *restorer) descend(ctx context.Context, pg *layout.Page, k string) error {
	b := pg.Blocks[k]
	kids := r.contentKids(pg, b)
	if len(kids) == 0 {
		return nil
	}
	nu, _ := r.j.id(k)
	return r.appendAll(ctx, pg, k, nu, kids, "", false)
}

// sendAppend sends one planned request as a journal step and learns the
// new ids the rest of the restore needs.
func (r *restorer) sendAppend(ctx context.Context, pg *layout.Page, parentOld, parentNew, after string, req *request) error {
	key := "append:" + parentOld + ":" + req.top[0]
	sent := sentAppend{Top: req.top, Nested: req.nested}
	var ids []string
	if prev, ok := r.j.sentFor(key); ok && r.j.pending(key) {
		adopted, err := r.reconcileAppend(ctx, parentNew, after, len(prev.Top))
		if err != nil {
			return fmt.Errorf("resume %s: %w", key, err)
		}
		if adopted != nil {
			ids, sent = adopted, prev
			r.mu.Lock()
			r.rep.Resumed++
			r.mu.Unlock()
		}
	}
	if ids == nil {
		if err := r.j.intendAppend(key, sent); err != nil {
			return err
		}
		body := map[string]any{"children": req.elements}
		r.placeAt(body, after)
		// An append whose answer is lost may have happened: look for its
		// blocks before sending it again, as a resumed run does.
		for lost := 0; ids == nil; lost++ {
			res, err := r.callIDs(notion.WithoutBlindRetry(ctx), http.MethodPatch, "blocks/"+parentNew+"/children", body)
			if err == nil {
				ids = res
				break
			}
			if !notion.MaybeApplied(err) || lost == maxLostAnswers {
				if r.rejected(key, pg, req, err) {
					return errRepack
				}
				return fmt.Errorf("page %s: append to %s: %w", pg.ID, parentOld, err)
			}
			if ids, err = r.reconcileAppend(ctx, parentNew, after, len(sent.Top)); err != nil {
				return fmt.Errorf("page %s: append to %s after a lost answer: %w", pg.ID, parentOld, err)
			}
		}
		for k, note := range req.notes {
			if k == req.top[0] || slices.Contains(req.top, k) || inNested(sent.Nested, k) {
				r.count(r.rep.Substituted, note)
			}
		}
	}
	if len(ids) != len(sent.Top) {
		return fmt.Errorf("page %s: append to %s: %d blocks created, %d sent", pg.ID, parentOld, len(ids), len(sent.Top))
	}
	m := map[string]string{}
	for i, t := range sent.Top {
		m[t] = ids[i]
	}
	for _, list := range sent.Nested {
		for _, c := range list {
			m[c] = ""
		}
	}
	for _, t := range sent.Top {
		if err := r.resolve(ctx, pg, t, m[t], sent.Nested, m); err != nil {
			return err
		}
	}
	r.mu.Lock()
	r.rep.Blocks += len(m)
	r.mu.Unlock()
	r.progress(len(m))
	return r.j.finish(key, m)
}

func inNested(nested map[string][]string, k string) bool {
	for _, list := range nested {
		if slices.Contains(list, k) {
			return true
		}
	}
	return false
}

// resolve learns, by listing, the new ids of blocks created inside old
// (new id nu) that are needed later.
func (r *restorer) resolve(ctx context.Context, pg *layout.Page, old, nu string, nested map[string][]string, m map[string]string) error {
	inc := nested[old]
	if len(inc) == 0 || !slices.ContainsFunc(inc, func(c string) bool { return r.needsID(pg, c, nested) }) {
		return nil
	}
	kids, err := r.list(ctx, http.MethodGet, "blocks/"+nu+"/children", nil)
	if err != nil {
		return fmt.Errorf("page %s: list %s: %w", pg.ID, old, err)
	}
	for i, c := range inc {
		if i < len(kids) {
			m[c] = idOf(kids[i])
		}
	}
	for _, c := range inc {
		if err := r.resolve(ctx, pg, c, m[c], nested, m); err != nil {
			return err
		}
	}
	return nil
}

// needsID reports whether the new id of a block created inside another
// must be learned: it has children still to write, or something refers
// to it.
func (r *restorer) needsID(pg *layout.Page, c string, nested map[string][]string) bool {
	if r.plan.needed[c] {
		return true
	}
	b := pg.Blocks[c]
	if b == nil {
		return false
	}
	if len(r.contentKids(pg, b)) > len(nested[c]) {
		return true
	}
	return slices.ContainsFunc(nested[c], func(x string) bool { return r.needsID(pg, x, nested) })
}

// reconcileAppend looks for the blocks of an append that may have been
// applied before the restore stopped: n blocks the journal does not know,
// right after `after` (or at the start, or the end). It returns their ids,
// or nil.
func (r *restorer) reconcileAppend(ctx context.Context, parentNew, after string, n int) ([]string, error) {
	kids, err := r.list(ctx, http.MethodGet, "blocks/"+parentNew+"/children", nil)
	if err != nil {
		return nil, err
	}
	at := len(kids) - n
	if after == atStart {
		at = 0
	} else if after != "" {
		at = slices.IndexFunc(kids, func(o layout.Object) bool { return idOf(o) == after }) + 1
		if at == 0 {
			return nil, nil
		}
	}
	if at < 0 || at+n > len(kids) {
		return nil, nil
	}
	var ids []string
	for _, o := range kids[at : at+n] {
		if r.j.ours(idOf(o)) {
			return nil, nil
		}
		ids = append(ids, idOf(o))
	}
	return ids, nil
}

// lateCopies adds the synced copies that come before their original in the
// document, now that every original exists, after the block they followed:
// page by page, several pages at a time.
func (r *restorer) lateCopies(ctx context.Context) error {
	p := newPool(ctx)
	for _, pid := range r.plan.contentOrder {
		p.add(func(ctx context.Context) error { return r.pageLateCopies(ctx, pid) })
	}
	return p.run(r.opts.Concurrency)
}

// pageLateCopies adds the late copies of one page in document order (a
// copy may follow another).
func (r *restorer) pageLateCopies(ctx context.Context, pid string) error {
	outline := r.plan.outlines[pid]
	var order []string
	var walk func(ids []string)
	walk = func(ids []string) {
		for _, id := range ids {
			if r.plan.late[id] {
				order = append(order, id)
			}
			if b := outline.Blocks[id]; b != nil {
				walk(b.Children)
			}
		}
	}
	walk(outline.Children)
	if len(order) == 0 {
		return nil // the page's content is not loaded again
	}
	pg, release, err := r.loadPage(pid)
	if err != nil {
		return err
	}
	defer release()
	for _, id := range order {
		if err := r.lateCopy(ctx, pg, id); err != nil {
			return err
		}
	}
	return nil
}

func (r *restorer) lateCopy(ctx context.Context, pg *layout.Page, id string) error {
	b := pg.Blocks[id]
	parentOld := pg.ID
	if par := blockParent(b.Object); par != "" && pg.Blocks[par] != nil {
		parentOld = par
	}
	parentNew, _ := r.j.id(parentOld)
	after := ""
	if prev := r.plan.previousSibling(r.plan.outlines[pg.ID], id); prev != "" {
		after, _ = r.j.id(prev)
	}
	if after == "" {
		r.count(r.rep.Substituted, "synced copy before its original, first in its parent → placed last")
	}
	_, err := r.create(ctx, "late:"+id, id, true, func(ctx context.Context) (string, error) {
		bd, err := r.blockBody(ctx, pg.ID, b)
		if err != nil {
			return "", err
		}
		body := map[string]any{"children": []any{map[string]any{"object": "block", "type": bd.typ, bd.typ: bd.content}}}
		r.placeAt(body, after)
		res, err := r.call(ctx, http.MethodPatch, "blocks/"+parentNew+"/children", body)
		if err != nil {
			return "", fmt.Errorf("page %s: synced copy %s: %w", pg.ID, id, err)
		}
		ids := resultIDs(res)
		if len(ids) != 1 {
			return "", fmt.Errorf("page %s: synced copy %s: unexpected answer", pg.ID, id)
		}
		r.mu.Lock()
		r.rep.Blocks++
		r.mu.Unlock()
		return ids[0], nil
	}, func() (string, error) {
		ids, err := r.reconcileAppend(ctx, parentNew, after, 1)
		if len(ids) == 1 {
			return ids[0], err
		}
		return "", err
	})
	return err
}
