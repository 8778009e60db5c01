package exporter

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

const timeLayout = time.RFC3339

// prevObject returns what the last sync knew of an object.
func (x *exporter) prevObject(id string) (layout.ObjectState, bool) {
	if x.prevState == nil {
		return layout.ObjectState{}, false
	}
	o, ok := x.prevState.Objects[id]
	return o, ok
}

// changed decides whether a listed page or data source must be fetched
// again, and why not when it need not be.
func (x *exporter) changed(id string, obj layout.Object) bool {
	why := x.changeReason(id, obj)
	return why != ""
}

func (x *exporter) changeReason(id string, obj layout.Object) string {
	if x.opts.Full {
		return "full"
	}
	old, ok := x.prevObject(id)
	if !ok {
		return "new"
	}
	if obj["object"] == "data_source" {
		if !x.prev.Has(layout.DataSourcePath(id)) {
			return "missing"
		}
	} else if !x.pageStored(id) {
		return "missing"
	}
	edited := lastEdited(obj)
	if edited != old.LastEdited {
		return "edited"
	}
	if p, kind := parentOf(obj); kind != "block" && p != old.Parent {
		return "moved"
	}
	// last_edited_time is rounded down to the minute: an edit made in the
	// same minute as, but after, the last crawl shows the same time. Such a
	// page is crawled once more, by the first run that starts after its
	// minute and the safety window have passed: an edit before then shows
	// this time or a later one, and one after it a later one. While the
	// window is still open it is carried; crawling it then would only have
	// to be done again.
	et, err1 := time.Parse(time.RFC3339, edited)
	ct, err2 := time.Parse(time.RFC3339, old.Crawled)
	if err1 != nil || err2 != nil {
		return "recent"
	}
	closes := et.Add(time.Minute + x.opts.SafetyWindow)
	if closes.After(ct) {
		if !closes.After(x.report.Started) {
			return "recent"
		}
		x.settling(id, closes)
	}
	return ""
}

// settling notes a page carried while its minute's window is still open,
// for the report: the user sees when the edit will be read again.
func (x *exporter) settling(id string, closes time.Time) {
	x.settleMu.Lock()
	defer x.settleMu.Unlock()
	if x.settlingIDs == nil {
		x.settlingIDs = map[string]bool{}
	}
	if !x.settlingIDs[id] {
		x.settlingIDs[id] = true
		x.report.Pages.Settling++
	}
	if closes.After(x.report.Pages.SettledBy) {
		x.report.Pages.SettledBy = closes
	}
}

// ownerOf returns the id recorded as an object's parent in the state: the
// page, database or data source above it, or for an object inside a block,
// the page holding that block.
func (x *exporter) ownerOf(id string, obj layout.Object) string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.ownerOfLocked(id, obj)
}

// ownerOfLocked is ownerOf for a caller holding x.mu.
func (x *exporter) ownerOfLocked(id string, obj layout.Object) string {
	p, kind := parentOf(obj)
	if kind != "block" {
		return p
	}
	if owner, ok := x.owner[id]; ok {
		return owner
	}
	if old, ok := x.prevObject(id); ok {
		return old.Parent
	}
	return ""
}

// keepFailed reports whether an object failed to read this run, so its
// previous version stays.
func (x *exporter) keepFailed(id string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, e := range x.report.Errors {
		if e.ID == id {
			return true
		}
	}
	return false
}

// applyScope drops the pages and data sources outside --root and the scope
// file's rules. An object is in scope when a root is among its ancestors,
// followed through the listing and, for objects inside blocks, through the
// state of the last sync; the crawl brings in anything found below an
// in-scope page that this misses.
func (x *exporter) applyScope() {
	roots := map[string]bool{}
	for _, r := range x.roots() {
		roots[r] = true
	}
	if s := x.opts.Scope; s.narrows() {
		for id, p := range x.pages {
			if matchesAny(layout.Title(p), s.Pages) {
				roots[id] = true
			}
		}
		for id, ds := range x.sources {
			if matchesAny(layout.Title(ds), s.DataSources) {
				roots[id] = true
			}
		}
	}
	if len(x.opts.Roots) == 0 && !x.opts.Scope.narrows() {
		x.scoped = nil
		return
	}
	memo := map[string]bool{}
	var in func(id string, depth int) bool
	in = func(id string, depth int) bool {
		if id == "" || depth > 256 {
			return false
		}
		if roots[id] {
			return true
		}
		if v, ok := memo[id]; ok {
			return v
		}
		memo[id] = false // a cycle is out of scope
		var parent string
		switch {
		case x.pages[id] != nil:
			parent = x.ownerOf(id, x.pages[id])
		case x.sources[id] != nil:
			parent, _ = parentOf(x.sources[id])
		case x.dbs[id] != nil:
			parent = x.ownerOf(id, x.dbs[id])
		default:
			if old, ok := x.prevObject(id); ok {
				parent = old.Parent
			}
		}
		v := in(parent, depth+1)
		memo[id] = v
		return v
	}
	x.scoped = map[string]bool{}
	for id := range roots {
		x.scoped[id] = true
	}
	for id := range x.pages {
		if in(id, 0) {
			x.scoped[id] = true
		} else {
			delete(x.pages, id)
		}
	}
	for id := range x.sources {
		if in(id, 0) {
			x.scoped[id] = true
		} else {
			delete(x.sources, id)
		}
	}
}

// ErrRootNotFound means a root of the sync (Options.Roots) is not a page,
// database or data source that the integration can read.
var ErrRootNotFound = errors.New("no such page, or it is not shared with the integration")

// roots are the ids the sync is limited to: --root's and the scope file's.
func (x *exporter) roots() []string {
	if x.opts.Scope == nil {
		return x.opts.Roots
	}
	return append(slices.Clip(x.opts.Roots), x.opts.Scope.Roots...)
}

// checkRoots makes sure that each root names something. A root the listing
// did not return is asked for (search is not exhaustive); one Notion does not
// know stops the sync, which would otherwise commit an empty snapshot.
func (x *exporter) checkRoots(ctx context.Context) error {
	for _, id := range x.roots() {
		name := "--root " + id
		if !slices.Contains(x.opts.Roots, id) {
			name = ScopePath + ": root " + id
		}
		if x.pages[id] != nil || x.sources[id] != nil || x.dbs[id] != nil {
			continue
		}
		obj, err := x.get(ctx, "pages/"+id)
		kind := layout.KindPage
		for _, other := range []string{"data_sources/", "databases/"} {
			if !notion.IsNotFound(err) {
				break
			}
			obj, err = x.get(ctx, other+id)
			kind = ""
		}
		switch {
		case notion.IsNotFound(err):
			return fmt.Errorf("%s: %w", name, ErrRootNotFound)
		case err != nil:
			return fmt.Errorf("%s: %w", name, err)
		case isTrashed(obj):
			return fmt.Errorf("%s: it is in the trash", name)
		case kind == layout.KindPage:
			// A page search did not list: it is crawled as the listing's are.
			x.pages[id] = obj
			x.scoped[id] = true
		}
	}
	return nil
}

// confirmVanished asks Notion about every page and data source of the last
// snapshot that the listing did not return. Search is not exhaustive, so
// absence from it proves nothing: an object leaves the snapshot only when
// Notion says it is in the trash or gone. A fault keeps it.
func (x *exporter) confirmVanished(ctx context.Context) error {
	if x.prevState == nil {
		return nil
	}
	var ids []string
	for _, id := range sortedKeys(x.prevState.Objects) {
		o := x.prevState.Objects[id]
		switch {
		case o.Kind == layout.KindPage && x.pages[id] == nil,
			o.Kind == layout.KindDataSource && x.sources[id] == nil:
			if x.scoped != nil && !x.scoped[id] && !x.scoped[o.Parent] {
				x.removed(id, o.Title, "outside the sync scope")
				continue
			}
			if o.Kind == layout.KindPage && x.filtered[o.Parent] {
				x.removed(id, o.Title, "not matched by its data source's filter")
				continue
			}
			ids = append(ids, id)
		}
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		o := x.prevState.Objects[id]
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := "pages/" + id
			if o.Kind == layout.KindDataSource {
				path = "data_sources/" + id
			}
			obj, err := x.get(ctx, path)
			switch {
			case ctx.Err() != nil:
			case notion.IsNotFound(err):
				x.removed(id, o.Title, "deleted or no longer shared")
			case err != nil:
				x.fail(id, o.Kind, fmt.Errorf("confirm it still exists: %w", err))
			case isTrashed(obj):
				x.removed(id, o.Title, "in the trash")
			default:
				x.mu.Lock()
				if o.Kind == layout.KindPage {
					x.pages[id] = obj
				} else {
					x.sources[id] = obj
				}
				x.mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// removed records an object leaving the snapshot.
func (x *exporter) removed(id, title, why string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if old, ok := x.prevObject(id); ok && old.Kind == layout.KindPage && !old.Pending() {
		x.report.Removed = append(x.report.Removed, RemovedPage{ID: id, Title: title, Why: why})
	}
}

// pagePlan says what to do with each listed page: why it must be crawled
// ("" to carry it over, "object" to rewrite only its page.json).
type pagePlan struct {
	why     map[string]string
	carried []string
}

// plan compares every listed page with the last snapshot. Beyond pages whose
// last_edited_time moved, it finds pages whose object changed without a new
// time (a schema change adds a property to every row; a move changes the
// parent) and, since a page's own time need not move when a child page is
// added, moved or removed under it, it crawls the pages that hold such
// children again, old home and new.
func (x *exporter) plan(ctx context.Context, ids []string) (*pagePlan, error) {
	p := &pagePlan{why: map[string]string{}}
	if x.prevState == nil || x.opts.Full {
		for _, id := range ids {
			p.why[id] = x.changeReason(id, x.pages[id])
		}
		return p, nil // everything is crawled: no homes to look for
	}
	homes := map[string]bool{} // pages whose child pages changed
	for _, id := range ids {
		obj := x.pages[id]
		why := x.changeReason(id, obj)
		old, existed := x.prevObject(id)
		digest := listedDigest(obj)
		x.digests[id] = digest
		if existed && !old.Pending() && old.Digest == digest && why != "missing" {
			// The listing gives the object the stored page.json was
			// made from: same parent, same properties. Nothing to read.
			p.why[id] = why
			continue
		}
		stored := x.storedObject(id)
		if existed && stored != nil && !old.Pending() {
			// An object the state has no digest of (a state written
			// before digests) or another digest of: recorded once
			// compared, so that the next sync reads nothing for it.
			x.newDigests[id] = digest
		}
		switch {
		case existed && old.Pending():
			// Listed by a sync that stopped before crawling it: its home
			// was listed with it, and is crawled, or marked, after that.
			if p, kind := parentOf(obj); kind != "block" && p != old.Parent {
				homes[old.Parent] = true
				homes[p] = true
			}
		case !existed || stored == nil:
			homes[x.ownerOf(id, obj)] = true
			x.needOwner(ctx, id, obj, homes)
		case !sameParent(stored, obj):
			homes[old.Parent] = true
			homes[x.ownerOf(id, obj)] = true
			x.needOwner(ctx, id, obj, homes)
			if why == "" {
				why = "moved"
			}
		case why == "" && !sameObject(stored, obj):
			why = "object"
		}
		p.why[id] = why
	}
	if x.prevState != nil {
		for id, o := range x.prevState.Objects {
			if o.Kind == layout.KindPage && x.pages[id] == nil {
				homes[o.Parent] = true // a child page left it
			}
		}
	}
	for home := range homes {
		if home == "" || x.pages[home] == nil {
			continue
		}
		if w := p.why[home]; w == "" || w == "object" {
			p.why[home] = "children"
		}
	}
	return p, ctx.Err()
}

// storedObject returns a page's object as the last snapshot holds it.
func (x *exporter) storedObject(id string) layout.Object {
	path := layout.PagePath(id)
	if !x.prev.Has(path) {
		return nil
	}
	b, err := x.prev.Read(path)
	if err != nil {
		return nil
	}
	obj, _, _, err := layout.DecodeObjectFile(b, id)
	if err != nil {
		return nil
	}
	return obj
}

// needOwner finds, for a page inside a block, the page holding that block,
// by walking up the block's parents. It costs a request per level, and only
// happens for pages that are new or moved into a block.
func (x *exporter) needOwner(ctx context.Context, id string, obj layout.Object, homes map[string]bool) {
	parent, kind := parentOf(obj)
	for depth := 0; kind == "block" && depth < 16; depth++ {
		b, err := x.get(ctx, "blocks/"+parent)
		if err != nil {
			return
		}
		parent, kind = parentOf(b)
	}
	if kind == "page" {
		homes[parent] = true
		x.mu.Lock()
		x.owner[id] = parent
		x.mu.Unlock()
	}
}

func sameParent(a, b layout.Object) bool {
	return reflect.DeepEqual(a["parent"], b["parent"])
}

// sameObject compares a stored page object with a listed one, as they would
// be stored: normalised, and with values the listing cuts at 25 references
// taken from the stored, completed copy.
func sameObject(stored, listed layout.Object) bool {
	l := layout.Clone(listed)
	layout.Normalize(l)
	lp, _ := l["properties"].(map[string]any)
	sp, _ := stored["properties"].(map[string]any)
	for name, v := range lp {
		prop, _ := v.(map[string]any)
		typ, _ := prop["type"].(string)
		if truncated(prop, typ) {
			lp[name] = sp[name]
		}
	}
	return reflect.DeepEqual(stored, l)
}

// pageDigest is layout.PageDigest with the listing's cut: the values a
// page object holds at most 25 references of (truncated).
func pageDigest(obj layout.Object) string { return layout.PageDigest(obj, truncated) }
