package layout

import (
	"fmt"
	"strings"
)

// OpenSnapshot reads a tree as DecodeSnapshot does, checking every file the
// same way, but keeps of each page only a PageHeader and an Outline of its
// blocks and comments: its Pages hold ids alone. The page objects, blocks
// and comments are decoded again from src, one page at a time, by
// PageObject, PageContent and PageComments, so that a restore holds the
// pages it is writing rather than the whole snapshot. Databases, data
// sources and users are kept decoded: they are few, and a restore reads
// them throughout. src must stay readable while the snapshot is in use.
func OpenSnapshot(src Source) (*Snapshot, error) {
	return decodeSnapshot(src, true)
}

// lazyContent is where an opened snapshot finds its pages' content. A
// page's block and comment files are named by the ids in its outline, so
// no path is kept.
type lazyContent struct {
	src      Source
	outlines map[string]*Outline
	headers  map[string]*PageHeader
}

// PageHeader is what an opened snapshot keeps of a page object: what a
// restore plans with and an index lists, not what it writes.
type PageHeader struct {
	ParentType string // the type of the object's parent, e.g. "page_id", "data_source_id", "workspace"
	ParentID   string // the id that parent names, "" when it names none
	Title      string // the plain text of the title (Title)
	Created    string // created_time
	LastEdited string // last_edited_time
	Trashed    bool   // in_trash or archived
	// MaxRelation is the most references one relation property holds.
	MaxRelation int
	// Mentions are the ids of the objects that the title and rich_text
	// properties mention, in no particular order.
	Mentions []string
}

// HeaderOf derives the header of a page object.
func HeaderOf(obj Object) *PageHeader {
	h := &PageHeader{Title: Title(obj), Trashed: obj["in_trash"] == true || obj["archived"] == true}
	h.Created, _ = obj["created_time"].(string)
	h.LastEdited, _ = obj["last_edited_time"].(string)
	par, _ := obj["parent"].(map[string]any)
	h.ParentType, _ = par["type"].(string)
	h.ParentID = idField(par, h.ParentType)
	props, _ := obj["properties"].(map[string]any)
	for _, v := range props {
		m, _ := v.(map[string]any)
		switch typ, _ := m["type"].(string); typ {
		case "relation":
			rel, _ := m["relation"].([]any)
			h.MaxRelation = max(h.MaxRelation, len(rel))
		case "title", "rich_text":
			items, _ := m[typ].([]any)
			for _, x := range items {
				it, _ := x.(map[string]any)
				mention, _ := it["mention"].(map[string]any)
				kind, _ := mention["type"].(string)
				body, _ := mention[kind].(map[string]any)
				if id := idField(body, "id"); id != "" {
					h.Mentions = append(h.Mentions, id)
				}
			}
		}
	}
	return h
}

// interner makes equal strings share one copy while a snapshot is opened:
// a block's id is its file's name, an entry of its parent's children and
// the parent of its children, and would otherwise be held three times, the
// first as part of a path that the source holds anyway.
type interner map[string]string

func (in interner) get(s string) string {
	if s == "" {
		return ""
	}
	if t, ok := in[s]; ok {
		return t
	}
	s = strings.Clone(s)
	in[s] = s
	return s
}

// compactOutline is OutlineOf for an opened snapshot: each id and type
// held once, the slices cut to their length.
func compactOutline(p *Page, in interner) *Outline {
	o := OutlineOf(p)
	c := &Outline{Children: internAll(o.Children, in), Blocks: make(map[string]*BlockOutline, len(o.Blocks))}
	for id, b := range o.Blocks {
		c.Blocks[in.get(id)] = &BlockOutline{Type: in.get(b.Type), Parent: in.get(b.Parent), Children: internAll(b.Children, in), SyncedFrom: in.get(b.SyncedFrom)}
	}
	if len(o.Comments) > 0 {
		c.Comments = make([]CommentOutline, len(o.Comments))
		for i, cm := range o.Comments {
			c.Comments[i] = CommentOutline{ID: in.get(cm.ID), ParentPage: in.get(cm.ParentPage), ParentBlock: in.get(cm.ParentBlock)}
		}
	}
	return c
}

func internAll(ids []string, in interner) []string {
	if ids == nil {
		return nil
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = in.get(id)
	}
	return out
}

// Outline is the shape of one page's content without the content: what a
// plan needs to order, place and count blocks and comments.
type Outline struct {
	Children []string                 // top-level blocks, in order
	Blocks   map[string]*BlockOutline // every block of the page, at any depth
	Comments []CommentOutline         // in their stored order
}

// BlockOutline is one block's place and the few fields that say how it is
// written.
type BlockOutline struct {
	Type       string   // the block's type
	Parent     string   // the block its object names as parent; "" for the page
	Children   []string // child block ids, in order
	SyncedFrom string   // the original of a synced block copy, "" otherwise
}

// CommentOutline is where one comment was made.
type CommentOutline struct {
	ID          string
	ParentPage  string // the page its object names as parent, if any
	ParentBlock string // the block its object names as parent, if any
}

// OutlineOf derives the outline of a decoded page.
func OutlineOf(p *Page) *Outline {
	o := &Outline{Children: p.Children, Blocks: make(map[string]*BlockOutline, len(p.Blocks))}
	for id, b := range p.Blocks {
		typ, _ := b.Object["type"].(string)
		sb, _ := b.Object["synced_block"].(map[string]any)
		from, _ := sb["synced_from"].(map[string]any)
		bo := &BlockOutline{Type: typ, Parent: parentOfType(b.Object, "block_id"), Children: b.Children}
		if typ == "synced_block" {
			bo.SyncedFrom = idField(from, "block_id")
		}
		o.Blocks[id] = bo
	}
	for _, c := range p.Comments {
		o.Comments = append(o.Comments, CommentOutline{
			ID: c.ID, ParentPage: parentOfType(c.Object, "page_id"), ParentBlock: parentOfType(c.Object, "block_id"),
		})
	}
	return o
}

// parentOfType returns the id an object's parent names when the parent is of
// type typ, "" otherwise.
func parentOfType(obj Object, typ string) string {
	par, _ := obj["parent"].(map[string]any)
	if par["type"] != typ {
		return ""
	}
	return idField(par, typ)
}

// idField returns m[key] as a dashed id, "" when it is none.
func idField(m map[string]any, key string) string {
	s, _ := m[key].(string)
	id, err := ParseID(s)
	if err != nil {
		return ""
	}
	return id
}

// Opened reports whether the snapshot came from OpenSnapshot, so that its
// pages hold their ids alone.
func (s *Snapshot) Opened() bool { return s.lazy != nil }

// Outline returns the outline of page id, nil when the snapshot has no such
// page. For a decoded snapshot it is derived from the page each time.
func (s *Snapshot) Outline(id string) *Outline {
	if s.lazy != nil {
		return s.lazy.outlines[id]
	}
	if p := s.Pages[id]; p != nil {
		return OutlineOf(p)
	}
	return nil
}

// Header returns the header of page id, nil when the snapshot has no such
// page. For a decoded snapshot it is derived from the page each time.
func (s *Snapshot) Header(id string) *PageHeader {
	if s.lazy != nil {
		return s.lazy.headers[id]
	}
	if p := s.Pages[id]; p != nil {
		return HeaderOf(p.Object)
	}
	return nil
}

// PageObject returns page id with its object, Extra and child order but
// without its blocks and comments: the page itself for a decoded snapshot,
// a fresh decoding of its page.json for an opened one.
func (s *Snapshot) PageObject(id string) (*Page, error) {
	if p, held, err := s.heldPage(id); held || err != nil {
		return p, err
	}
	p, err := readPage(s.lazy.src, id, nil)
	if err != nil {
		return nil, err
	}
	p.Blocks = nil
	return p, nil
}

// heldPage answers for a page that needs no reading: the page itself of a
// decoded snapshot (held), or an error for an id the snapshot does not
// have. For a page of an opened snapshot it returns neither.
func (s *Snapshot) heldPage(id string) (_ *Page, held bool, _ error) {
	p := s.Pages[id]
	if p == nil {
		return nil, false, fmt.Errorf("page %s is not in the snapshot", id)
	}
	return p, s.lazy == nil, nil
}

// pageFiles names the block and comment files of page id of an opened
// snapshot, from its outline.
func (s *Snapshot) pageFiles(id string, blocks bool) []string {
	o := s.lazy.outlines[id]
	var paths []string
	if blocks {
		paths = make([]string, 0, len(o.Blocks)+len(o.Comments))
		for bid := range o.Blocks {
			paths = append(paths, BlockPath(id, bid))
		}
	}
	for _, c := range o.Comments {
		paths = append(paths, CommentPath(id, c.ID))
	}
	return paths
}

// PageContent returns page id with all of its blocks and comments: the page
// itself for a decoded snapshot, a fresh decoding of its files for an opened
// one, which the caller holds only as long as it needs it.
func (s *Snapshot) PageContent(id string) (*Page, error) {
	if p, held, err := s.heldPage(id); held || err != nil {
		return p, err
	}
	return decodePage(s.lazy.src, id, s.pageFiles(id, true))
}

// PageComments returns the comments of page id in their stored order,
// decoding only them for an opened snapshot.
func (s *Snapshot) PageComments(id string) ([]*Comment, error) {
	if s.lazy == nil {
		if p := s.Pages[id]; p != nil {
			return p.Comments, nil
		}
		return nil, fmt.Errorf("page %s is not in the snapshot", id)
	}
	if s.Pages[id] == nil {
		return nil, fmt.Errorf("page %s is not in the snapshot", id)
	}
	paths := s.pageFiles(id, false)
	if len(paths) == 0 {
		return nil, nil
	}
	// Only the comment files: the page's object is not needed.
	p := &Page{ID: id}
	if err := readPageFiles(s.lazy.src, p, paths, readObject); err != nil {
		return nil, err
	}
	SortComments(p.Comments)
	return p.Comments, nil
}
