package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// A block the API rejects never stops a restore. Each rejection of an
// append moves one step, and the request is planned again:
//
//   - a request of several blocks whose message names none of them is sent
//     in halves, until one block is alone;
//   - a block named by the message (or alone) first goes without the
//     children it carried, then is written in ever plainer forms: its own
//     type with plain text, a paragraph of its plain text, a code block of
//     its JSON with its descendants.
//
// Every step is one more request and there are few steps per block, so a
// restore with rejected blocks stays within a small multiple of its plan.
// The form a block got is kept in the journal, so a resumed restore writes
// it the same way, and the report lists it for Verify.

// Forms of a block, from the stored one to the one that always creates.
const (
	formStored    = iota
	formPlain     // its own type, its text without mentions, links or styles
	formParagraph // a paragraph of its plain text
	formCode      // a code block ("json") of the block and its descendants
)

var formNames = []string{"", "plain text", "paragraph", "code"}

// errRepack says that an append was rejected and its blocks must be
// planned again with what the rejection taught.
var errRepack = errors.New("append rejected: plan it again")

// rejects is what rejections taught about request shapes.
type rejects struct {
	mu    sync.Mutex
	limit map[string]int  // first block of a request → most top blocks it takes
	alone map[string]bool // blocks sent without the children they could carry
}

func (rj *rejects) limitFor(first string) int {
	rj.mu.Lock()
	defer rj.mu.Unlock()
	if n, ok := rj.limit[first]; ok {
		return n
	}
	return maxChildren
}

func (rj *rejects) isAlone(id string) bool {
	rj.mu.Lock()
	defer rj.mu.Unlock()
	return rj.alone[id]
}

func (rj *rejects) setLimit(first string, n int) {
	rj.mu.Lock()
	defer rj.mu.Unlock()
	if rj.limit == nil {
		rj.limit = map[string]int{}
	}
	rj.limit[first] = n
}

func (rj *rejects) setAlone(id string) {
	rj.mu.Lock()
	defer rj.mu.Unlock()
	if rj.alone == nil {
		rj.alone = map[string]bool{}
	}
	rj.alone[id] = true
}

// fallbackKey is the journal entry holding the form a block is written in.
func fallbackKey(id string) string { return "fallback:" + id }

// form is the form block id is written in.
func (r *restorer) form(id string) int {
	name, ok := r.j.id(fallbackKey(id))
	if !ok {
		return formStored
	}
	for f, n := range formNames {
		if n == name && f > 0 {
			return f
		}
	}
	return formStored
}

// rejectPath finds the blocks a validation message names:
// body.children[3] or body.children[0].column_list.children[1].column.children[2].
var rejectPath = regexp.MustCompile(`body\.children\[(\d+)\]((?:\.\w+\.children\[\d+\])*)`)
var rejectStep = regexp.MustCompile(`\.\w+\.children\[(\d+)\]`)

// rejected learns from an append the API rejected (key is its journal
// step) and says whether the blocks can be planned again; false leaves
// the error to the caller. A rejection that is not a validation error,
// or of a block already in the form that always creates, is not the
// block's fault.
func (r *restorer) rejected(key string, pg *layout.Page, req *request, err error) bool {
	var e *notion.Error
	if !errors.As(err, &e) || e.Code != "validation_error" || len(req.top) == 0 {
		return false
	}
	target := ""
	if chain := namedBlocks(e.Message, req.top, req.nested); len(chain) > 0 {
		// A column or a table row cannot be anything else where it is:
		// the list or the table holding it is replaced.
		for len(chain) > 1 {
			t := typeOf(pg.Blocks[chain[len(chain)-1]])
			if t != "column" && t != "table_row" {
				break
			}
			chain = chain[:len(chain)-1]
		}
		target = chain[len(chain)-1]
	}
	switch {
	case target == "" && len(req.top) > 1:
		r.rejects.setLimit(req.top[0], len(req.top)/2)
	case target == "":
		target = req.top[0]
		if len(req.nested[target]) > 0 && !r.rejects.isAlone(target) && r.form(target) < formParagraph {
			r.rejects.setAlone(target)
			target = ""
		}
	}
	if target != "" {
		next := r.form(target) + 1
		if next == formPlain && !hasPlainForm(typeOf(pg.Blocks[target])) {
			next = formParagraph
		}
		if next > formCode {
			return false
		}
		if r.j.mapIDs(map[string]string{fallbackKey(target): formNames[next]}) != nil {
			return false
		}
	}
	// Nothing was created: the step is closed, so that the next request
	// for these blocks is not taken for one that may have been applied.
	return r.j.finish(key, nil) == nil
}

// namedBlocks follows the path a validation message names through a
// request (top blocks, and the blocks each carries): the top block first,
// then each block inside it down to the deepest one the request holds.
// nil when the message names no top block of the request.
func namedBlocks(msg string, top []string, nested map[string][]string) []string {
	m := rejectPath.FindStringSubmatch(msg)
	if m == nil {
		return nil
	}
	i, err := strconv.Atoi(m[1])
	if err != nil || i >= len(top) {
		return nil
	}
	chain := []string{top[i]}
	for _, s := range rejectStep.FindAllStringSubmatch(m[2], -1) {
		j, err := strconv.Atoi(s[1])
		list := nested[chain[len(chain)-1]]
		if err != nil || j >= len(list) {
			break // a block the packer added (an empty paragraph)
		}
		chain = append(chain, list[j])
	}
	return chain
}

// hasPlainForm reports whether a type can be written again as itself with
// plain text.
func hasPlainForm(typ string) bool { return textTypes[typ] || typ == "code" }

// fallbackBody is the request form of block b in form f (bd is its stored
// request form). carried lists, for a code block, the descendants written
// inside it, by parent.
func (r *restorer) fallbackBody(pg *layout.Page, b *layout.Block, f int, bd *body) (*body, map[string][]string) {
	typ := typeOf(b)
	note := "block " + typ + " rejected by the API → " + formNames[f]
	switch f {
	case formPlain:
		src, _ := b.Object[typ].(map[string]any)
		out := &body{typ: bd.typ, note: note, content: map[string]any{}}
		for _, k := range []string{"rich_text", "caption"} {
			if _, ok := bd.content[k]; ok {
				out.content[k] = r.plainItems(src[k])
			}
		}
		copyFields(out.content, bd.content, "checked")
		if out.typ == "code" {
			out.content["language"] = "plain text"
		}
		return out, nil
	case formParagraph:
		return &body{typ: "paragraph", note: note, content: map[string]any{"rich_text": r.textItems(blockText(b))}}, nil
	}
	carried := map[string][]string{}
	tree := r.subtree(pg, b, carried)
	js, _ := json.MarshalIndent(tree, "", "  ")
	return &body{typ: "code", note: note, content: map[string]any{"language": "json", "rich_text": r.textItems(string(js))}}, carried
}

// subtree is b as stored with its descendants under "children"; carried
// gets every parent's children, which are written inside the code block.
func (r *restorer) subtree(pg *layout.Page, b *layout.Block, carried map[string][]string) map[string]any {
	out := map[string]any{}
	for k, v := range b.Object {
		out[k] = v
	}
	kids := r.contentKids(pg, b)
	if len(kids) == 0 {
		return out
	}
	carried[b.ID] = kids
	var list []any
	for _, k := range kids {
		list = append(list, r.subtree(pg, pg.Blocks[k], carried))
	}
	out["children"] = list
	return out
}

// textItems is s as rich text: items of at most 2,000 characters, at most
// 100 of them (the rest is cut and counted).
func (r *restorer) textItems(s string) []any {
	out := []any{}
	if s == "" {
		return out
	}
	for _, part := range splitText(s, maxTextContent) {
		out = append(out, map[string]any{"type": "text", "text": map[string]any{"content": part}})
	}
	if len(out) > maxArray {
		r.count(r.rep.Truncated, "text of a rejected block beyond 100 items")
		out = out[:maxArray]
	}
	return out
}

// plainItems is stored rich text as text items only: each item's plain
// text with its style, without links or mentions.
func (r *restorer) plainItems(v any) []any {
	arr, _ := v.([]any)
	var out []any
	for _, x := range arr {
		it, _ := x.(map[string]any)
		c, _ := it["plain_text"].(string)
		if c == "" {
			continue
		}
		ann := annotationsOf(it)
		for _, part := range splitText(c, maxTextContent) {
			item := map[string]any{"type": "text", "text": map[string]any{"content": part}}
			if len(ann) > 0 {
				item["annotations"] = ann
			}
			out = append(out, item)
		}
	}
	if len(out) > maxArray {
		out = mergeText(out)
	}
	if len(out) > maxArray {
		r.count(r.rep.Truncated, "rich text beyond 100 items")
		out = out[:maxArray]
	}
	if out == nil {
		out = []any{}
	}
	return out
}

// blockText is the plain text of a stored block: its text, cells, caption,
// expression or URL, one part a line.
func blockText(b *layout.Block) string {
	typ := typeOf(b)
	src, _ := b.Object[typ].(map[string]any)
	var parts []string
	add := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	for _, k := range []string{"title", "rich_text"} {
		add(layout.PlainText(src[k]))
	}
	if cells, ok := src["cells"].([]any); ok {
		var cs []string
		for _, c := range cells {
			cs = append(cs, layout.PlainText(c))
		}
		add(strings.Join(cs, " | "))
	}
	if e, _ := src["expression"].(string); e != "" {
		add(e)
	}
	if u, _ := src["url"].(string); u != "" {
		add(u)
	}
	if ext, ok := src["external"].(map[string]any); ok {
		u, _ := ext["url"].(string)
		add(u)
	}
	add(layout.PlainText(src["caption"]))
	return strings.Join(parts, "\n")
}

// fallbackNote is how Verify names a block written in another form after
// a rejection.
func fallbackNote(typ, form string) string {
	return fmt.Sprintf("block %s (rejected by the API → %s)", typ, form)
}
