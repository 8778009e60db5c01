package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/notion-git/notion-git/layout"
)

// request is one planned append: blocks at the top level of the request,
// the children created with each of them, and the JSON to send.
type request struct {
	top      []string
	nested   map[string][]string // block → children created with it
	elements []any
	count    int // block elements, for the 1,000 limit
	size     int // bytes of the elements, for the 500 KB limit
	notes    map[string]string
	uploads  []string
}

// packer builds append requests for the children of one parent. Its rules
// are Notion's: at most 100 children per array and two levels of nesting
// per request, 1,000 elements and 500 KB in all. Column lists, tables and
// tabs go at the top of a request with their columns, rows or tab items,
// which the API counts as one level with them.
type packer struct {
	r    *restorer
	page *layout.Page
	req  *request
	// inRequest are the blocks of the request so far: a synced copy of one
	// of them must wait for the next request, when the original's id is
	// known.
	inRequest map[string]bool
}

// pack fills one request from kids (the parent's remaining children, the
// first of which is not created yet).
func (r *restorer) pack(ctx context.Context, page *layout.Page, kids []string) (*request, error) {
	pk := &packer{r: r, page: page, req: &request{nested: map[string][]string{}, notes: map[string]string{}}, inRequest: map[string]bool{}}
	limit := maxChildren
	for _, k := range kids {
		if r.plan.late[k] {
			continue
		}
		if _, done := r.j.id(k); done {
			break // only a prefix of the children is ever created
		}
		if len(pk.req.top) == 0 {
			// A request the API rejected without naming a block is sent
			// again in halves (see rejected).
			limit = r.rejects.limitFor(k)
		}
		if len(pk.req.top) == limit || pk.waitsForOriginal(k) {
			break
		}
		el, count, size, err := pk.element(ctx, k)
		if err != nil {
			return nil, err
		}
		if len(pk.req.top) > 0 && (pk.req.count+count > maxBlockElements || pk.req.size+size > maxRequestBytes) {
			pk.unwind(k)
			break
		}
		pk.req.top = append(pk.req.top, k)
		pk.req.elements = append(pk.req.elements, el)
		pk.req.count += count
		pk.req.size += size
	}
	return pk.req, nil
}

// waitsForOriginal reports whether k is a synced copy whose original is in
// this very request, so its new id is not known yet.
func (pk *packer) waitsForOriginal(k string) bool {
	orig := syncedFrom(pk.page.Blocks[k].Object)
	return orig != "" && pk.inRequest[orig]
}

// unwind forgets a block (and what it carried) that did not fit.
func (pk *packer) unwind(k string) {
	delete(pk.inRequest, k)
	for _, c := range pk.req.nested[k] {
		delete(pk.inRequest, c)
		for _, cc := range pk.req.nested[c] {
			delete(pk.inRequest, cc)
		}
		delete(pk.req.nested, c)
	}
	delete(pk.req.nested, k)
}

// element builds block k at the top of the request with the children it
// can carry; the rest of its children are appended to it later.
func (pk *packer) element(ctx context.Context, k string) (map[string]any, int, int, error) {
	b := pk.page.Blocks[k]
	bd, err := pk.body(ctx, b)
	if err != nil {
		return nil, 0, 0, err
	}
	pk.inRequest[k] = true
	count := 1
	kids := pk.r.contentKids(pk.page, b)
	if !keepsChildren(typeOf(b)) || len(kids) == 0 || pk.r.form(k) >= formParagraph || pk.r.rejects.isAlone(k) {
		// A block replaced after a rejection takes none of its children
		// along: they follow in requests of their own, where a rejected one
		// is found on its own.
		return pk.finish(bd), count, pk.sizeOf(bd), nil
	}
	var children []any
	switch bd.typ {
	case "column_list":
		for _, col := range kids {
			cb := pk.page.Blocks[col]
			cbd, err := pk.body(ctx, cb)
			if err != nil {
				return nil, 0, 0, err
			}
			pk.inRequest[col] = true
			inner, n, err := pk.level2(ctx, col, pk.r.contentKids(pk.page, cb))
			if err != nil {
				return nil, 0, 0, err
			}
			if len(inner) == 0 {
				// A column is created with at least one block.
				inner = []any{emptyParagraph()}
				n++
				pk.req.notes[col] = columnLead(pk.r.contentKids(pk.page, cb))
			}
			cbd.content["children"] = inner
			children = append(children, pk.finish(cbd))
			pk.req.nested[k] = append(pk.req.nested[k], col)
			count += 1 + n
		}
	default:
		inner, n, err := pk.level2(ctx, k, kids)
		if err != nil {
			return nil, 0, 0, err
		}
		children, count = inner, count+n
	}
	if len(children) > 0 {
		bd.content["children"] = children
	}
	return pk.finish(bd), count, pk.sizeOf(bd), nil
}

// level2 builds the children of parent that can ride in the request, as
// blocks without children of their own: a prefix of kids, stopping before a
// block that must be at the top of a request and before a synced copy whose
// original is in the request.
func (pk *packer) level2(ctx context.Context, parent string, kids []string) ([]any, int, error) {
	var out []any
	for _, c := range kids {
		if len(out) == maxChildren || pk.r.plan.late[c] {
			break
		}
		cb := pk.page.Blocks[c]
		if structural[typeOf(cb)] || pk.waitsForOriginal(c) {
			break
		}
		bd, err := pk.body(ctx, cb)
		if err != nil {
			return nil, 0, err
		}
		if structural[bd.typ] {
			break
		}
		if bd.typ == "table" || bd.typ == "tab" {
			break
		}
		pk.inRequest[c] = true
		out = append(out, pk.finish(bd))
		pk.req.nested[parent] = append(pk.req.nested[parent], c)
	}
	// Table rows and tab items are created with their table or tab, which
	// is at the top of the request; they are leaves here either way.
	return out, len(out), nil
}

func (pk *packer) body(ctx context.Context, b *layout.Block) (*body, error) {
	bd, err := pk.r.blockBody(ctx, pk.page.ID, b)
	if err != nil {
		return nil, fmt.Errorf("block %s: %w", b.ID, err)
	}
	if f := pk.r.form(b.ID); f != formStored {
		var carried map[string][]string
		bd, carried = pk.r.fallbackBody(pk.page, b, f, bd)
		for c, list := range carried {
			pk.req.nested[c] = list
			pk.inRequest[c] = true
		}
	}
	if bd.note != "" {
		pk.req.notes[b.ID] = bd.note
	}
	pk.req.uploads = append(pk.req.uploads, bd.uploads...)
	return bd, nil
}

func (pk *packer) finish(bd *body) map[string]any {
	return map[string]any{"object": "block", "type": bd.typ, bd.typ: bd.content}
}

func (pk *packer) sizeOf(bd *body) int {
	b, _ := json.Marshal(pk.finish(bd))
	return len(b)
}

func emptyParagraph() map[string]any {
	return map[string]any{"object": "block", "type": "paragraph", "paragraph": map[string]any{"rich_text": []any{}}}
}

func typeOf(b *layout.Block) string {
	t, _ := b.Object["type"].(string)
	return t
}

func (r *restorer) contentKids(pg *layout.Page, b *layout.Block) []string {
	return r.plan.contentKids(pg.ID, b.ID)
}

// contentKids are the children of block id of page pageID that are restored
// as its blocks: child pages and databases of the restore are created by
// the skeleton, a synced copy's children are its original's, and a column
// list of fewer than two columns gives way to what is written in its place
// (see written). They are read from the page's outline, so that the plan
// can ask without the page's content.
func (p *plan) contentKids(pageID, id string) []string {
	pg := p.outlines[pageID]
	b := pg.Blocks[id]
	if b == nil || b.SyncedFrom != "" || !keepsChildren(b.Type) {
		return nil
	}
	return p.written(pageID, slices.DeleteFunc(slices.Clone(b.Children), func(id string) bool {
		return p.isPlaced(id) || pg.Blocks[id] == nil
	}))
}

// columnLead is the note for a column written with an empty paragraph
// first: it holds no blocks, or starts with one that must be at the top of
// a request.
func columnLead(kids []string) string {
	if len(kids) == 0 {
		return noteEmptyColum
	}
	return "column starting with a column list, table or tab → empty paragraph first"
}
