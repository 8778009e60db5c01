package layout

import "fmt"

// OpenSnapshot reads a tree as DecodeSnapshot does, checking every file the
// same way, but keeps of each page only its object, its child order and an
// Outline of its blocks and comments. The blocks and comments themselves are
// decoded again from src, one page at a time, by PageContent and
// PageComments, so that a restore holds the content of the pages it is
// writing rather than the whole snapshot. src must stay readable while the
// snapshot is in use.
func OpenSnapshot(src Source) (*Snapshot, error) {
	return decodeSnapshot(src, true)
}

// lazyContent is where an opened snapshot finds its pages' content.
type lazyContent struct {
	src      Source
	files    map[string][]string // page id -> its block and comment paths
	outlines map[string]*Outline
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
// pages' Blocks and Comments are nil.
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

// PageContent returns page id with all of its blocks and comments: the page
// itself for a decoded snapshot, a fresh decoding of its files for an opened
// one, which the caller holds only as long as it needs it.
func (s *Snapshot) PageContent(id string) (*Page, error) {
	if s.lazy == nil {
		if p := s.Pages[id]; p != nil {
			return p, nil
		}
		return nil, fmt.Errorf("page %s is not in the snapshot", id)
	}
	if s.Pages[id] == nil {
		return nil, fmt.Errorf("page %s is not in the snapshot", id)
	}
	return decodePage(s.lazy.src, id, s.lazy.files[id])
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
	var paths []string
	for _, path := range s.lazy.files[id] {
		if info, _ := ParsePath(path); info.Kind == PathComment {
			paths = append(paths, path)
		}
	}
	if len(paths) == 0 {
		return nil, nil
	}
	p, err := readPage(s.lazy.src, id, paths)
	if err != nil {
		return nil, err
	}
	SortComments(p.Comments)
	return p.Comments, nil
}
