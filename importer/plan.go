package importer

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/notion-git/notion-git/layout"
)

// plan is what a restore will create and in which order, worked out from
// the snapshot alone before any request.
type plan struct {
	snap *layout.Snapshot
	// outlines are every page's blocks and comments without their content:
	// the plan never holds a page's blocks, which the content phase loads
	// one page at a time.
	outlines map[string]*layout.Outline
	// headers are what the plan reads of every page object; the objects
	// themselves are read when their page is created or its properties
	// written (restorer.pageObject).
	headers map[string]*layout.PageHeader

	pages   map[string]bool // pages restored, rows included
	dbs     map[string]bool
	sources map[string]bool

	// roots are placed directly under the target, oldest first.
	roots []string
	// placed lists, for every restored page, the pages and databases
	// created in it, in the order their blocks appear.
	placed map[string][]string
	// events is each page's content: its top-level blocks, with the pages
	// and databases placed in it at their positions (see event).
	events map[string][]event
	// leading marks pages with content before their first placed child:
	// they need a placeholder to anchor that content (see restorer.content).
	leading map[string]bool
	// rows of each data source, oldest first, as a query returns them.
	rows map[string][]string
	// owner maps every block to its page.
	owner map[string]string
	// contentOrder is the order pages get their blocks in: a page holding a
	// synced block's original comes before the pages holding its copies.
	contentOrder []string
	// late are synced copies whose original comes later in contentOrder;
	// they are added once all content exists.
	late map[string]bool
	// originals lists, for each page, the other pages holding originals of
	// its synced copies (late copies aside): its content waits for theirs.
	// They come before it in contentOrder.
	originals map[string][]string
	// needed are blocks whose new id must be learned even when they are
	// created inside another block: commented blocks, synced originals and
	// blocks a late copy follows.
	needed map[string]bool
	// tree is every page, row and database top down: each parent before
	// what is created in it, the rows of a database after it, each row
	// before what its content holds (pages, and databases with their own
	// rows, at any depth).
	tree []string
	// inRow marks databases created inside a row, at any depth: the rows
	// phase creates them, once the row holding them exists, and then
	// their rows; the skeleton creates the others.
	inRow map[string]bool
	// strays are, for each page, its child_page and child_database blocks
	// whose restored page or database names another parent (a sync that
	// raced a move reads the block in the old place and the page in the
	// new one). The object is created once, under the parent it names; a
	// stray block is no content (its id is the object's, which the
	// journal maps to the new object), so it is left out and counted.
	strays map[string][]string
}

// event is one step of a page's content: a block to append, or a child
// page or database already created there.
type event struct {
	block string
	child string
}

// restores reports whether the restore creates id (a page, database or
// data source).
func (p *plan) restores(id string) bool {
	return p.pages[id] || p.dbs[id] || p.sources[id]
}

// container returns the id of the page or data source an object is created
// in, following a block parent up to its page and a data source up to its
// database; "" at the top of the workspace.
func (p *plan) container(obj layout.Object) string {
	par, _ := obj["parent"].(map[string]any)
	t, _ := par["type"].(string)
	id, _ := par[t].(string)
	id, _ = layout.ParseID(id)
	return p.containerOf(t, id)
}

// containerOf is container for a parent of type t naming id.
func (p *plan) containerOf(t, id string) string {
	switch t {
	case "block_id":
		return p.owner[id]
	case "page_id", "data_source_id", "database_id":
		return id
	}
	return ""
}

// newPlan works out the plan for a snapshot; only is the pages to restore
// with everything below them (all when empty).
func newPlan(s *layout.Snapshot, only []string) (*plan, error) {
	p := &plan{
		snap: s, pages: map[string]bool{}, dbs: map[string]bool{}, sources: map[string]bool{},
		placed: map[string][]string{}, events: map[string][]event{}, leading: map[string]bool{},
		rows: map[string][]string{}, owner: map[string]string{}, late: map[string]bool{}, needed: map[string]bool{},
		originals: map[string][]string{}, inRow: map[string]bool{}, strays: map[string][]string{}, outlines: make(map[string]*layout.Outline, len(s.Pages)),
		headers: make(map[string]*layout.PageHeader, len(s.Pages)),
	}
	for pid := range s.Pages {
		o := s.Outline(pid)
		p.outlines[pid] = o
		p.headers[pid] = s.Header(pid)
		for bid := range o.Blocks {
			p.owner[bid] = pid
		}
	}
	parent := map[string]string{}
	for id, h := range p.headers {
		parent[id] = p.containerOf(h.ParentType, h.ParentID)
	}
	for id, db := range s.Databases {
		parent[id] = p.container(db.Object)
	}
	for id, ds := range s.DataSources {
		parent[id] = p.container(ds.Object)
	}
	exists := func(id string) bool {
		return s.Pages[id] != nil || s.Databases[id] != nil || s.DataSources[id] != nil
	}
	rootSet := map[string]bool{}
	for _, id := range only {
		if s.Pages[id] == nil {
			return nil, fmt.Errorf("page %s is not in the snapshot", id)
		}
		rootSet[id] = true
	}
	// in reports whether id is restored: below a chosen root, or anything
	// when no root was chosen.
	memo := map[string]bool{}
	var in func(id string, depth int) bool
	in = func(id string, depth int) bool {
		if id == "" || depth > 512 || !exists(id) {
			return len(only) == 0
		}
		if rootSet[id] {
			return true
		}
		if v, ok := memo[id]; ok {
			return v
		}
		memo[id] = false
		v := in(parent[id], depth+1)
		memo[id] = v
		return v
	}
	for id := range s.Pages {
		if in(id, 0) {
			p.pages[id] = true
		}
	}
	for id := range s.Databases {
		if in(id, 0) {
			p.dbs[id] = true
		}
	}
	for id := range s.DataSources {
		// A data source is created inside its database, which must exist.
		if in(id, 0) && p.dbs[parent[id]] {
			p.sources[id] = true
		}
	}
	for id := range p.pages {
		if ds := parent[id]; s.DataSources[ds] != nil {
			if !p.sources[ds] {
				delete(p.pages, id) // a row cannot exist without its data source
				continue
			}
			p.rows[ds] = append(p.rows[ds], id)
		}
	}
	for ds := range p.rows {
		slices.SortFunc(p.rows[ds], p.byCreated)
	}
	// Roots: restored objects whose container is not restored.
	for id := range p.pages {
		if par := parent[id]; !p.pages[par] && !p.sources[par] {
			p.roots = append(p.roots, id)
		}
	}
	for id := range p.dbs {
		if !p.pages[parent[id]] {
			p.roots = append(p.roots, id)
		}
	}
	slices.SortFunc(p.roots, p.byCreated)

	// Placement: children of each page in the order of their blocks.
	byParent := map[string][]string{}
	for id := range p.pages {
		if par := parent[id]; p.pages[par] {
			byParent[par] = append(byParent[par], id)
		}
	}
	for id := range p.dbs {
		if par := parent[id]; p.pages[par] {
			byParent[par] = append(byParent[par], id)
		}
	}
	for pid := range p.pages {
		p.placePage(pid, byParent[pid], parent)
	}
	p.orderTree(parent)
	p.orderContent()
	p.markNeeded()
	return p, nil
}

func (p *plan) created(id string) string {
	if h := p.headers[id]; h != nil {
		return h.Created
	}
	var s string
	if db := p.snap.Databases[id]; db != nil {
		s, _ = db.Object["created_time"].(string)
	}
	return s
}

func (p *plan) byCreated(a, b string) int {
	return cmp.Or(cmp.Compare(p.created(a), p.created(b)), cmp.Compare(a, b))
}

// placePage finds where each child page and database of pid sits among its
// blocks. A child inside a block (a toggle, a column) is placed right after
// the top-level block that holds it: the API creates pages and databases
// only at the top of a page.
func (p *plan) placePage(pid string, kids []string, parent map[string]string) {
	pg := p.outlines[pid]
	mine := map[string]bool{}
	for _, k := range kids {
		mine[k] = true
	}
	placed := map[string]bool{}
	var evs []event
	for _, top := range pg.Children {
		if mine[top] {
			evs = append(evs, event{child: top})
			placed[top] = true
			continue
		}
		if p.isPlaced(top) {
			// Not content: see strays. A stray inside a block is left
			// out by contentKids, as every placed object is.
			p.strays[pid] = append(p.strays[pid], top)
			continue
		}
		evs = append(evs, event{block: top})
		var walk func(id string)
		walk = func(id string) {
			b := pg.Blocks[id]
			if b == nil {
				return
			}
			for _, c := range b.Children {
				if mine[c] && !placed[c] {
					evs = append(evs, event{child: c})
					placed[c] = true
				} else if !mine[c] && p.isPlaced(c) {
					p.strays[pid] = append(p.strays[pid], c)
				}
				walk(c)
			}
		}
		walk(top)
	}
	// Children with no block (the API did not list one) go last.
	var rest []string
	for _, k := range kids {
		if !placed[k] {
			rest = append(rest, k)
		}
	}
	slices.SortFunc(rest, p.byCreated)
	for _, k := range rest {
		evs = append(evs, event{child: k})
	}
	p.events[pid] = evs
	for i, e := range evs {
		if e.child != "" {
			p.placed[pid] = append(p.placed[pid], e.child)
			if i > 0 && p.events[pid][0].block != "" {
				p.leading[pid] = true
			}
		}
	}
}

// isPlaced reports whether a block is a child page or database that the
// skeleton creates (so it is not content).
func (p *plan) isPlaced(blockID string) bool {
	return p.pages[blockID] || p.dbs[blockID]
}

// orderTree lists pages, databases and rows top down, each parent before
// what is created in it, and marks the databases that sit inside a row.
func (p *plan) orderTree(parent map[string]string) {
	sources := map[string][]string{}
	for _, ds := range sortedKeys(p.sources) {
		sources[parent[ds]] = append(sources[parent[ds]], ds)
	}
	var walk func(id string, inRow bool)
	walk = func(id string, inRow bool) {
		p.tree = append(p.tree, id)
		if p.dbs[id] {
			p.inRow[id] = inRow
			for _, ds := range sources[id] {
				for _, row := range p.rows[ds] {
					walk(row, true)
				}
			}
			return
		}
		for _, c := range p.placed[id] {
			walk(c, inRow)
		}
	}
	for _, r := range p.roots {
		walk(r, false)
	}
}

// orderContent orders pages so that originals of synced blocks are written
// before their copies, and finds the copies that must wait anyway.
func (p *plan) orderContent() {
	deps := map[string][]string{}
	for pid := range p.pages {
		for _, b := range p.outlines[pid].Blocks {
			if orig := b.SyncedFrom; orig != "" {
				if op, ok := p.owner[orig]; ok && op != pid && p.pages[op] {
					deps[pid] = append(deps[pid], op)
				}
			}
		}
	}
	all := p.tree
	seen := map[string]bool{}
	var visit func(id string)
	visit = func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		for _, d := range deps[id] {
			visit(d)
		}
		if p.pages[id] {
			p.contentOrder = append(p.contentOrder, id)
		}
	}
	for _, id := range all {
		visit(id)
	}
	// Document order across the whole restore, to find copies written
	// before their original.
	pos := map[string]int{}
	n := 0
	var number func(pg *layout.Outline, ids []string)
	number = func(pg *layout.Outline, ids []string) {
		for _, id := range ids {
			pos[id] = n
			n++
			if b := pg.Blocks[id]; b != nil {
				number(pg, b.Children)
			}
		}
	}
	for _, pid := range p.contentOrder {
		pg := p.outlines[pid]
		number(pg, pg.Children)
	}
	for _, pid := range p.contentOrder {
		for id, b := range p.outlines[pid].Blocks {
			orig := b.SyncedFrom
			at, ok := pos[orig]
			switch {
			case !ok:
			case at > pos[id]:
				p.late[id] = true
			case p.owner[orig] != pid && !slices.Contains(p.originals[pid], p.owner[orig]):
				p.originals[pid] = append(p.originals[pid], p.owner[orig])
			}
		}
	}
}

// markNeeded finds the blocks whose new ids must be learned.
func (p *plan) markNeeded() {
	for pid := range p.pages {
		pg := p.outlines[pid]
		for _, c := range pg.Comments {
			if par := p.commentContainer(c); par != pid {
				if bid := c.ParentBlock; bid != "" {
					p.needed[bid] = true
				}
			}
		}
		for id, b := range pg.Blocks {
			if orig := b.SyncedFrom; orig != "" {
				p.needed[orig] = true
			}
			if p.late[id] {
				if prev := p.previousSibling(pg, id); prev != "" {
					p.needed[prev] = true
				}
			}
		}
	}
}

// commentContainer is container for a comment: the page it is on, or the
// page holding the block it is on.
func (p *plan) commentContainer(c layout.CommentOutline) string {
	if c.ParentBlock != "" {
		return p.owner[c.ParentBlock]
	}
	return c.ParentPage
}

// previousSibling returns the block before id among its parent's children.
func (p *plan) previousSibling(pg *layout.Outline, id string) string {
	kids := pg.Children
	if b := pg.Blocks[id]; b != nil {
		if par := b.Parent; par != "" && pg.Blocks[par] != nil {
			kids = pg.Blocks[par].Children
		}
	}
	i := slices.Index(kids, id)
	if i <= 0 {
		return ""
	}
	return kids[i-1]
}

// blockParent returns the block id an object's parent names, if any.
func blockParent(obj layout.Object) string {
	par, _ := obj["parent"].(map[string]any)
	if par["type"] != "block_id" {
		return ""
	}
	id, _ := par["block_id"].(string)
	id, _ = layout.ParseID(id)
	return id
}

// syncedFrom returns the original of a synced block copy, "" otherwise.
func syncedFrom(obj layout.Object) string {
	if obj["type"] != "synced_block" {
		return ""
	}
	sb, _ := obj["synced_block"].(map[string]any)
	from, _ := sb["synced_from"].(map[string]any)
	id, _ := from["block_id"].(string)
	id, _ = layout.ParseID(id)
	return id
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
