package exporter

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"time"

	"github.com/notion-git/notion-git/layout"
)

// A child_page block, the block in a parent page that stands for a subpage,
// is the subpage seen from its parent: it carries the subpage's times,
// authors, title and whether it has content; a child_database block does the
// same for a database. Editing or renaming a subpage or a database changes
// that block without changing the parent's last_edited_time, so a parent
// carried from the last snapshot would keep a stale block. The
// functions below find such blocks from what the listing and the crawl
// already know, and fetch only the children lists that hold them again.

// staleChildBlocks returns, for each page that is not crawled this run, the
// ids of the child_page and child_database blocks in its stored folder that
// no longer agree with the subpages and databases they stand for.
func (x *exporter) staleChildBlocks(crawled func(id string) bool) map[string][]string {
	stale := map[string][]string{}
	check := func(id string, obj layout.Object, typ, title string) {
		parent, kind := parentOf(obj)
		switch kind {
		case "page":
		case "block":
			parent = x.ownerOf(id, obj)
		default:
			return // rows and top-level objects have no block in a page
		}
		if parent == "" || x.pages[parent] == nil || crawled(parent) {
			return
		}
		if typ == "child_page" && x.childSettled(id, obj, parent) {
			return
		}
		path := layout.BlockPath(parent, id)
		if !x.prev.Has(path) {
			return // not there yet: the parent is crawled for a new child
		}
		b, err := x.prev.Read(path)
		if err != nil {
			return
		}
		block, _, _, err := layout.DecodeObjectFile(b, id)
		if err != nil || block["type"] != typ {
			return
		}
		x.mu.Lock()
		content, known := x.hasContent[id]
		x.mu.Unlock()
		if childBlockStale(block, obj, title, content, known) {
			stale[parent] = append(stale[parent], id)
		}
	}
	for _, id := range sortedKeys(x.pages) {
		check(id, x.pages[id], "child_page", layout.Title(x.pages[id]))
	}
	for _, id := range sortedKeys(x.dbs) {
		check(id, x.dbs[id], "child_database", layout.Title(x.dbs[id]))
	}
	for _, ids := range stale {
		sort.Strings(ids)
	}
	return stale
}

// childSettled reports whether a subpage's block in its carried parent
// cannot be stale, so that it need not be read: the subpage was not crawled
// this run (which may find whether it has content changed), the listing
// gives the object the last sync recorded (its digest), and its last edit,
// rounded down to the minute as Notion gives it, came before the parent's
// blocks were read. Then the block was read after that edit, and nothing it
// carries changed since. Otherwise, a subpage edited, moved or crawled this
// run, or one crawled after its parent without its parent's block being
// patched (a run stopped or failed before it), is compared. This keeps
// the check proportional to the change instead of reading a block for every
// page of the workspace.
func (x *exporter) childSettled(id string, obj layout.Object, parent string) bool {
	x.mu.Lock()
	_, crawledNow := x.hasContent[id]
	x.mu.Unlock()
	old, ok := x.prevObject(id)
	if crawledNow || !ok || old.Pending() || old.Digest == "" || x.digests[id] != old.Digest {
		return false
	}
	home, ok := x.prevObject(parent)
	if !ok || home.Pending() {
		return false
	}
	read, err1 := time.Parse(time.RFC3339, home.Crawled)
	edited, err2 := time.Parse(time.RFC3339, lastEdited(obj))
	return err1 == nil && err2 == nil && !edited.Add(time.Minute+x.opts.SafetyWindow).After(read)
}

// childBlockStale reports whether a stored child_page or child_database
// block disagrees with the page or database it stands for: a field both
// carry (times, authors, trash, parent) differs, the title differs, or, when
// the page was crawled, whether it has content.
func childBlockStale(block, obj layout.Object, title string, hasContent, known bool) bool {
	for k, v := range block {
		if k == "object" {
			continue
		}
		if ov, ok := obj[k]; ok && !reflect.DeepEqual(v, ov) {
			return true
		}
	}
	typ, _ := block["type"].(string)
	body, _ := block[typ].(map[string]any)
	if t, _ := body["title"].(string); t != title {
		return true
	}
	return known && block["has_children"] != hasContent
}

// errRecrawl says that a page's stored blocks cannot be patched: its child
// pages moved inside it since the last snapshot.
var errRecrawl = errors.New("child pages moved inside the page")

// fetchChildBlocks fetches the given child_page and child_database blocks
// of a stored page as the API answers them now, by listing the children of
// each container that holds them (the page, or a block in it): one request
// per container of up to 100 children, shared by all its stale blocks. A
// GET of each block would cost as much for one block, but only the listing
// shows a child page moved within its parent, which changes no parent and
// no time but the child's; a container whose children are no longer those
// stored, in that order, makes the page be crawled instead (errRecrawl).
func (x *exporter) fetchChildBlocks(ctx context.Context, page *layout.Page, kids []string) (map[string]layout.Object, error) {
	byContainer := map[string][]string{}
	for _, id := range kids {
		b := page.Blocks[id]
		if b == nil {
			return nil, errRecrawl
		}
		container, _ := parentOf(b.Object)
		byContainer[container] = append(byContainer[container], id)
	}
	out := make(map[string]layout.Object, len(kids))
	for _, container := range sortedKeys(byContainer) {
		stored := page.Children
		if container != page.ID {
			c := page.Blocks[container]
			if c == nil {
				return nil, errRecrawl
			}
			stored = c.Children
		}
		listed, err := x.children(ctx, container)
		if err != nil {
			return nil, err
		}
		if len(listed) != len(stored) {
			return nil, errRecrawl
		}
		fresh := map[string]layout.Object{}
		for i, b := range listed {
			bid, err := objectID(b)
			if err != nil || bid != stored[i] {
				return nil, errRecrawl
			}
			fresh[bid] = b
		}
		for _, id := range byContainer[container] {
			b, was := fresh[id], page.Blocks[id].Object
			if b["type"] != was["type"] || !sameParent(b, was) {
				return nil, errRecrawl
			}
			out[id] = b
		}
	}
	return out, nil
}

// storedPage reads a page's folder from the last snapshot.
func (x *exporter) storedPage(id string) (*layout.Page, error) {
	page, err := layout.DecodePage(prevSource{x.prev}, id, x.prev.PathsUnder(layout.PageDir(id)+"/"))
	if err != nil {
		return nil, fmt.Errorf("read the stored page %s: %w", id, err)
	}
	return page, nil
}
