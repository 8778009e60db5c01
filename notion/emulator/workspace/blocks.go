package workspace

import (
	"fmt"
	"time"
)

// BlockTypes are the 37 block types of the API (SDK 5.26). A generated
// workspace of at least Small size holds every one of them.
var BlockTypes = []string{
	"paragraph", "heading_1", "heading_2", "heading_3", "heading_4", "bulleted_list_item",
	"numbered_list_item", "quote", "to_do", "toggle", "template", "synced_block", "child_page",
	"child_database", "equation", "code", "callout", "divider", "breadcrumb", "table_of_contents",
	"tab", "column_list", "column", "link_to_page", "table", "table_row", "meeting_notes",
	"transcription", "embed", "bookmark", "image", "video", "pdf", "file", "audio",
	"link_preview", "unsupported",
}

// UnknownBlockType is a block type the API does not have (yet), present when
// Options.UnknownBlockTypes is set. Its payload has a field of its own
// ("model") that a consumer can only keep by keeping bytes it does not know.
const UnknownBlockType = "ai_summary"

// maxBlockDepth bounds nesting: a top-level block is depth 1. Notion allows
// more, but pages in the wild rarely go deeper, and the importer's two-level
// append limit is exercised well before this.
const maxBlockDepth = 4

// owner is where blocks are being written: the page they belong to, with its
// time span and author, so that block times fall within the page's life.
type owner struct {
	page            *page
	created, edited time.Time
	author          *user
}

// blockWeights drive the choice of ordinary blocks: mostly prose, sometimes
// structure, rarely the exotic types (those are covered by the tour).
var blockWeights = []struct {
	typ    string
	weight int
}{
	{"paragraph", 300}, {"heading_1", 30}, {"heading_2", 50}, {"heading_3", 40}, {"heading_4", 5},
	{"bulleted_list_item", 120}, {"numbered_list_item", 80}, {"to_do", 60}, {"toggle", 40},
	{"quote", 30}, {"callout", 30}, {"code", 30}, {"divider", 30}, {"image", 20}, {"bookmark", 20},
	{"equation", 8}, {"embed", 8}, {"table", 8}, {"column_list", 8}, {"link_to_page", 10},
	{"synced_block", 8}, {"video", 4}, {"pdf", 4}, {"file", 6}, {"audio", 3}, {"table_of_contents", 4},
	{"breadcrumb", 3}, {"link_preview", 3}, {"template", 1}, {"meeting_notes", 1},
	{"transcription", 1}, {"unsupported", 2}, {"tab", 1},
}

var blockWeightTotal = func() int {
	t := 0
	for _, w := range blockWeights {
		t += w.weight
	}
	return t
}()

// nestedTypes are what goes inside lists, toggles, callouts and columns.
var nestedTypes = []string{"paragraph", "paragraph", "bulleted_list_item", "numbered_list_item", "to_do", "toggle", "code", "image", "quote"}

func (g *gen) randomType() string {
	n := g.pick(blockWeightTotal)
	for _, w := range blockWeights {
		if n < w.weight {
			return w.typ
		}
		n -= w.weight
	}
	return "paragraph"
}

// newBlock appends a block to the fixture. Children must be emitted right
// after it (depth first), which keeps siblings in order in Fixture.Blocks.
func (g *gen) newBlock(o *owner, parent map[string]any, typ string, payload any) map[string]any {
	span := int(o.edited.Sub(o.created) / time.Minute)
	created := o.created.Add(time.Duration(g.pick(span+1)) * time.Minute)
	edited := created
	if span > 0 && g.chance(30) {
		edited = created.Add(time.Duration(g.pick(int(o.edited.Sub(created)/time.Minute)+1)) * time.Minute)
	}
	author := o.author
	if g.chance(15) {
		author = g.randomUser()
	}
	b := map[string]any{
		"object": "block", "id": g.id(), "parent": parent,
		"created_time": stamp(created), "last_edited_time": stamp(edited),
		"created_by": g.ref(author), "last_edited_by": g.ref(author),
		"has_children": false, "archived": false, "in_trash": false,
		"type": typ, typ: payload,
	}
	g.f.Blocks = append(g.f.Blocks, b)
	return b
}

func blockParent(id string) map[string]any { return map[string]any{"type": "block_id", "block_id": id} }
func pageParent(id string) map[string]any  { return map[string]any{"type": "page_id", "page_id": id} }

func (g *gen) caption() []any {
	if g.chance(30) {
		return plain(g.names.sentence())
	}
	return []any{}
}

// media is the payload of an image, video, pdf, file or audio block: a
// Notion-hosted file while the attachment budget lasts, else an external URL.
func (g *gen) media(typ string, hosted bool) map[string]any {
	exts := map[string]string{"image": "png", "video": "mp4", "pdf": "pdf", "file": "csv", "audio": "mp3"}
	var m map[string]any
	if hosted {
		m = g.hostedFile(exts[typ])
	} else {
		m = map[string]any{"type": "external", "external": map[string]any{
			"url": fmt.Sprintf("https://images.example.com/%s/%d.%s", typ, g.pick(10000), exts[typ])}}
	}
	m["caption"] = g.caption()
	if typ == "file" {
		m["name"] = fmt.Sprintf("report-%d.%s", g.pick(100), exts[typ])
	}
	return m
}

// emit writes one block of type typ, with its children, under parent; it
// returns how many blocks it wrote. budget caps optional children.
func (g *gen) emit(o *owner, parent map[string]any, typ string, depth, budget int) int {
	var payload map[string]any
	kids := 0 // optional children to add, from budget
	switch typ {
	case "paragraph", "quote", "bulleted_list_item", "numbered_list_item", "toggle":
		payload = map[string]any{"rich_text": g.richText(), "color": "default"}
		if typ == "paragraph" {
			payload["icon"] = nil // the API reports it on paragraphs only
		}
		if g.chance(5) {
			payload["color"] = colors[g.pick(len(colors))] + "_background"
		}
		if typ == "toggle" {
			kids = 1 + g.pick(3)
		} else if typ != "paragraph" && g.chance(15) {
			kids = 1 + g.pick(2)
		}
	case "heading_1", "heading_2", "heading_3", "heading_4":
		payload = map[string]any{"rich_text": plain(g.names.pageTitle(2)), "color": "default", "is_toggleable": g.chance(10)}
		if payload["is_toggleable"] == true {
			kids = 1 + g.pick(2)
		}
	case "to_do":
		payload = map[string]any{"rich_text": g.richText(), "checked": g.chance(40), "color": "default"}
	case "callout":
		payload = map[string]any{"rich_text": g.richText(), "color": "gray_background",
			"icon": map[string]any{"type": "emoji", "emoji": emojis[g.pick(len(emojis))]}}
		if g.chance(30) {
			kids = 1 + g.pick(2)
		}
	case "template":
		payload = map[string]any{"rich_text": append(plain("New meeting: "), g.mention("template_mention"))}
		kids = 2
	case "code":
		c := codeSamples[g.pick(len(codeSamples))]
		payload = map[string]any{"rich_text": plain(c.code), "caption": g.caption(), "language": c.lang}
	case "equation":
		payload = map[string]any{"expression": []string{`e^{i\pi} + 1 = 0`, `\sum_{k=1}^n k = \frac{n(n+1)}{2}`, `a^2 + b^2 = c^2`}[g.pick(3)]}
	case "divider", "breadcrumb":
		payload = map[string]any{}
	case "table_of_contents":
		payload = map[string]any{"color": "default"}
	case "link_to_page":
		if len(g.dbs) > 0 && g.chance(30) {
			payload = map[string]any{"type": "database_id", "database_id": g.dbs[g.pick(len(g.dbs))].id}
		} else {
			payload = map[string]any{"type": "page_id", "page_id": g.pages[g.pick(len(g.pages))].id}
		}
	case "embed":
		payload = map[string]any{"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "caption": g.caption()}
	case "bookmark":
		payload = map[string]any{"url": "https://developers.notion.com/reference/intro", "caption": g.caption()}
	case "link_preview":
		payload = map[string]any{"url": fmt.Sprintf("https://github.com/notion-git/notion-git/issues/%d", 1+g.pick(300))}
	case "image", "video", "pdf", "file", "audio":
		payload = g.media(typ, g.chance(50))
	case "unsupported":
		payload = map[string]any{"block_type": []string{"form", "button", "ai_block"}[g.pick(3)]}
	case UnknownBlockType:
		payload = map[string]any{"rich_text": plain("Summary: " + g.names.sentence()), "model": "notion-ai-2026-01", "color": "default"}
	case "synced_block":
		if len(g.synced) > 0 && g.chance(50) {
			return g.syncedCopy(o, parent)
		}
		return g.syncedOriginal(o, parent, depth, budget)
	case "column_list":
		return g.columns(o, parent, depth, budget)
	case "table":
		return g.table(o, parent)
	case "tab":
		return g.tabs(o, parent, depth)
	case "meeting_notes", "transcription":
		return g.meeting(o, parent, typ)
	default:
		panic("workspace: no generator for block type " + typ)
	}
	b := g.newBlock(o, parent, typ, payload)
	if isText(typ) {
		g.blockIDs = append(g.blockIDs, b["id"].(string))
	}
	n := 1
	if depth < maxBlockDepth {
		kids = min(kids, budget-1)
		for range kids {
			n += g.emit(o, blockParent(b["id"].(string)), nestedTypes[g.pick(len(nestedTypes))], depth+1, 1)
		}
	}
	b["has_children"] = n > 1
	return n
}

func isText(typ string) bool {
	switch typ {
	case "paragraph", "quote", "bulleted_list_item", "numbered_list_item", "toggle", "to_do", "callout",
		"heading_1", "heading_2", "heading_3":
		return true
	}
	return false
}

func (g *gen) syncedOriginal(o *owner, parent map[string]any, depth, budget int) int {
	b := g.newBlock(o, parent, "synced_block", map[string]any{"synced_from": nil})
	id := b["id"].(string)
	g.synced = append(g.synced, id)
	n := 1
	for range max(1, min(3, budget-1)) {
		n += g.emit(o, blockParent(id), []string{"paragraph", "bulleted_list_item", "callout"}[g.pick(3)], min(depth+1, maxBlockDepth), 1)
	}
	b["has_children"] = true
	return n
}

// syncedCopy references an original. The API lists the original's children
// under the copy and reports has_children true; the copy has none of its own.
func (g *gen) syncedCopy(o *owner, parent map[string]any) int {
	b := g.newBlock(o, parent, "synced_block", map[string]any{
		"synced_from": map[string]any{"type": "block_id", "block_id": g.synced[g.pick(len(g.synced))]},
	})
	b["has_children"] = true
	return 1
}

func (g *gen) columns(o *owner, parent map[string]any, depth, budget int) int {
	b := g.newBlock(o, parent, "column_list", map[string]any{})
	b["has_children"] = true
	id := b["id"].(string)
	cols := 2 + g.pick(2)
	n := 1
	for c := range cols {
		payload := map[string]any{}
		if c == 0 && g.chance(50) {
			payload["width_ratio"] = num(0.5)
		}
		col := g.newBlock(o, blockParent(id), "column", payload)
		col["has_children"] = true
		n++
		for range 1 + g.pick(max(1, min(3, budget/cols))) {
			n += g.emit(o, blockParent(col["id"].(string)), nestedTypes[g.pick(len(nestedTypes))], min(depth+2, maxBlockDepth), 1)
		}
	}
	return n
}

func (g *gen) table(o *owner, parent map[string]any) int {
	width := 2 + g.pick(3)
	rows := 2 + g.pick(4)
	b := g.newBlock(o, parent, "table", map[string]any{
		"table_width": num(width), "has_column_header": g.chance(70), "has_row_header": g.chance(20),
	})
	b["has_children"] = true
	for r := range rows {
		cells := make([]any, width)
		for c := range cells {
			switch {
			case r == 0:
				cells[c] = plain([]string{"Item", "Owner", "Status", "Notes", "Due"}[c])
			case c == width-1 && g.chance(20):
				cells[c] = []any{} // empty cell
			default:
				cells[c] = plain(topics[g.pick(len(topics))])
			}
		}
		g.newBlock(o, blockParent(b["id"].(string)), "table_row", map[string]any{"cells": cells})
	}
	return 1 + rows
}

// tabs is a tab block; its children are the tab panes' content.
func (g *gen) tabs(o *owner, parent map[string]any, depth int) int {
	b := g.newBlock(o, parent, "tab", map[string]any{})
	b["has_children"] = true
	n := 1
	for range 2 {
		n += g.emit(o, blockParent(b["id"].(string)), "paragraph", min(depth+1, maxBlockDepth), 1)
	}
	return n
}

// meeting is a meeting_notes (or, under its older name, transcription)
// block; its summary, notes and transcript are its children.
func (g *gen) meeting(o *owner, parent map[string]any, typ string) int {
	start := o.created.Add(time.Duration(g.pick(600)) * time.Minute)
	end := start.Add(30 * time.Minute)
	payload := map[string]any{
		"title":  plain("Weekly sync"),
		"status": "notes_ready",
		"calendar_event": map[string]any{
			"start_time": stamp(start), "end_time": stamp(end),
			"attendees": []any{g.randomUser().id, g.randomUser().id},
		},
		"recording": map[string]any{"start_time": stamp(start), "end_time": stamp(end)},
	}
	b := g.newBlock(o, parent, typ, payload)
	b["has_children"] = true
	ids := map[string]any{}
	for _, part := range []string{"summary_block_id", "notes_block_id", "transcript_block_id"} {
		c := g.newBlock(o, blockParent(b["id"].(string)), "paragraph", map[string]any{"rich_text": g.richText(), "color": "default", "icon": nil})
		ids[part] = c["id"]
	}
	payload["children"] = ids
	return 4
}

// content writes a page's blocks: about budget of them, with a child_page
// block for every subpage and a child_database block for every database in
// it, placed among the others.
func (g *gen) content(o *owner, budget int, tour bool) {
	p := o.page
	parent := pageParent(p.id)
	type special struct {
		id, typ, title string
	}
	var specials []special
	for _, c := range p.children {
		specials = append(specials, special{c.id, "child_page", c.title})
	}
	for _, db := range p.dbs {
		specials = append(specials, special{db.id, "child_database", db.title})
	}
	if tour {
		budget -= g.tour(o)
	}
	for budget > 0 || len(specials) > 0 {
		if len(specials) > 0 && (budget <= 0 || g.pick(budget+len(specials)) < len(specials)) {
			s := specials[0]
			specials = specials[1:]
			b := g.newBlock(o, parent, s.typ, map[string]any{"title": s.title})
			b["id"] = s.id // a child page's or database's block shares its id
			budget--
			continue
		}
		typ := g.randomType()
		if g.o.UnknownBlockTypes && g.chance(1) {
			typ = UnknownBlockType
		}
		budget -= g.emit(o, parent, typ, 1, budget)
	}
}

// tour writes one block of every type (but child_page and child_database,
// which content places) and returns how many blocks it wrote.
func (g *gen) tour(o *owner) int {
	parent := pageParent(o.page.id)
	n := 0
	g.reserved = 0
	b := g.newBlock(o, parent, "paragraph", map[string]any{"rich_text": g.tourRichText(), "color": "default", "icon": nil})
	g.blockIDs = append(g.blockIDs, b["id"].(string))
	n++
	for _, typ := range BlockTypes {
		switch typ {
		case "child_page", "child_database", "column", "table_row":
			continue // written by content, column_list and table
		case "heading_1", "heading_2", "heading_3", "heading_4", "toggle":
			n += g.emit(o, parent, typ, 1, 3)
		case "synced_block":
			n += g.syncedOriginal(o, parent, 1, 3)
			n += g.syncedCopy(o, parent)
		case "link_to_page":
			n += g.emit(o, parent, typ, 1, 1)
			if len(g.dbs) > 0 {
				g.newBlock(o, parent, typ, map[string]any{"type": "database_id", "database_id": g.dbs[0].id})
				n++
			}
			g.newBlock(o, parent, typ, map[string]any{"type": "page_id", "page_id": g.pages[len(g.pages)-1].id})
			n++
		case "image", "video", "pdf", "file", "audio":
			g.newBlock(o, parent, typ, g.media(typ, true))
			g.newBlock(o, parent, typ, g.media(typ, false))
			n += 2
		default:
			n += g.emit(o, parent, typ, 1, 3)
		}
	}
	if g.o.UnknownBlockTypes {
		n += g.emit(o, parent, UnknownBlockType, 1, 1)
	}
	return n
}
