package importer

import (
	"context"
	"fmt"
	"slices"

	"github.com/notion-git/notion-git/layout"
)

// Fidelity says how faithfully one type is restored.
type Fidelity string

// The fidelities RESTORE.md uses.
const (
	// Exact: restored as it was (ids, times and authors aside).
	Exact Fidelity = "exact"
	// Substituted: restored in the closest form the API can create.
	Substituted Fidelity = "substituted"
	// NotRestorable: the API cannot write it; Notion computes it or it is lost.
	NotRestorable Fidelity = "not restorable"
)

// Rule is how the importer restores one block or property type.
type Rule struct {
	Fidelity Fidelity
	// How says what is written instead, or why nothing can be.
	How string
}

// BlockRules covers the 37 block types of the API. RESTORE.md is checked
// against it by a test.
var BlockRules = map[string]Rule{
	"paragraph":          {Exact, ""},
	"heading_1":          {Exact, ""},
	"heading_2":          {Exact, ""},
	"heading_3":          {Exact, ""},
	"heading_4":          {Exact, ""},
	"bulleted_list_item": {Exact, ""},
	"numbered_list_item": {Exact, ""},
	"quote":              {Exact, ""},
	"to_do":              {Exact, ""},
	"toggle":             {Exact, ""},
	"template":           {Substituted, "toggle with the same text and children (template blocks cannot be created since 2023)"},
	"synced_block":       {Exact, "originals first, copies point at the restored original"},
	"child_page":         {Exact, "created as a page in its place; outside the restore: link_to_page to the original id"},
	"child_database":     {Exact, "created as a database in its place; outside the restore: link_to_page to the original id"},
	"equation":           {Exact, ""},
	"code":               {Exact, ""},
	"callout":            {Exact, ""},
	"divider":            {Exact, ""},
	"breadcrumb":         {Exact, ""},
	"table_of_contents":  {Exact, ""},
	"tab":                {Exact, ""},
	"column_list":        {Exact, "one of fewer than two columns (old data, a partial read): its one column's blocks in its place, or nothing"},
	"column":             {Exact, "one without blocks gets an empty paragraph (a column is created with one block at least)"},
	"link_to_page":       {Exact, "target remapped"},
	"table":              {Exact, ""},
	"table_row":          {Exact, ""},
	"meeting_notes":      {Substituted, "toggle titled like the meeting, holding its summary, notes and transcript blocks; calendar and recording data are lost"},
	"transcription":      {Substituted, "as meeting_notes (its older name)"},
	"embed":              {Exact, ""},
	"bookmark":           {Exact, ""},
	"image":              {Exact, "Notion-hosted files re-uploaded"},
	"video":              {Exact, "Notion-hosted files re-uploaded"},
	"pdf":                {Exact, "Notion-hosted files re-uploaded"},
	"file":               {Exact, "Notion-hosted files re-uploaded"},
	"audio":              {Exact, "Notion-hosted files re-uploaded"},
	"link_preview":       {Substituted, "bookmark of the same URL"},
	"unsupported":        {Substituted, "callout naming the original type, with the block's children"},
}

// PropertyRules covers the 24 page property value types of the API.
var PropertyRules = map[string]Rule{
	"title":            {Exact, "mentions remapped"},
	"rich_text":        {Exact, "mentions remapped"},
	"number":           {Exact, ""},
	"select":           {Exact, "by option name"},
	"multi_select":     {Exact, "by option name"},
	"status":           {Exact, "by option name; status groups are Notion's defaults"},
	"date":             {Exact, ""},
	"people":           {Exact, "user ids kept (users cannot be created)"},
	"files":            {Exact, "Notion-hosted files re-uploaded"},
	"checkbox":         {Exact, ""},
	"url":              {Exact, ""},
	"email":            {Exact, ""},
	"phone_number":     {Exact, ""},
	"formula":          {NotRestorable, "computed by Notion from the restored formula"},
	"relation":         {Exact, "targets remapped; set after all rows exist; a two-way relation to a data source outside the restore comes back one-way to it"},
	"rollup":           {NotRestorable, "computed by Notion from the restored rollup"},
	"created_time":     {NotRestorable, "set by Notion at creation"},
	"created_by":       {NotRestorable, "set by Notion at creation"},
	"last_edited_time": {NotRestorable, "set by Notion"},
	"last_edited_by":   {NotRestorable, "set by Notion"},
	"button":           {NotRestorable, "no value; the property itself cannot be created through the API"},
	"unique_id":        {NotRestorable, "numbered by Notion in creation order"},
	"verification":     {NotRestorable, "read-only; the property itself cannot be created through the API"},
	"place":            {Exact, ""},
}

// readOnlyProperty reports whether a property value is Notion's to compute.
func readOnlyProperty(typ string) bool {
	return PropertyRules[typ].Fidelity == NotRestorable
}

// textTypes hold rich_text and color, and may hold children.
var textTypes = map[string]bool{
	"paragraph": true, "heading_1": true, "heading_2": true, "heading_3": true, "heading_4": true,
	"bulleted_list_item": true, "numbered_list_item": true, "quote": true, "to_do": true,
	"toggle": true, "callout": true,
}

var mediaTypes = map[string]bool{"image": true, "video": true, "pdf": true, "file": true, "audio": true}

// structural types must be the top level of their request: their children
// are created with them and the API takes no third level.
var structural = map[string]bool{"column_list": true, "table": true, "tab": true}

// keepsChildren reports whether a block of stored type typ is restored with
// its children.
func keepsChildren(typ string) bool {
	switch typ {
	case "child_page", "child_database", "link_preview", "link_to_page":
		return false
	}
	return true
}

// body is a block in request form, without its children.
type body struct {
	typ     string
	content map[string]any
	note    string // the substitution made, "" when exact
	uploads []string
}

// blockBody converts a stored block into request form.
func (r *restorer) blockBody(ctx context.Context, pageID string, b *layout.Block) (*body, error) {
	ctx = withUploadOwner(ctx, b.ID)
	typ, _ := b.Object["type"].(string)
	src, _ := b.Object[typ].(map[string]any)
	out := &body{typ: typ, content: map[string]any{}}
	st := &refState{}
	c := out.content
	switch {
	case textTypes[typ]:
		c["rich_text"] = r.richText(src["rich_text"], st)
		copyFields(c, src, "color", "is_toggleable", "checked")
		if icon, ok := src["icon"].(map[string]any); ok {
			ic, err := r.icon(ctx, b.Extra, "/"+typ+"/icon", icon)
			if err != nil {
				return nil, err
			}
			if ic != nil {
				c["icon"] = ic
			}
		}
	case typ == "code":
		c["rich_text"] = r.richText(src["rich_text"], st)
		c["caption"] = r.richText(src["caption"], st)
		copyFields(c, src, "language")
	case typ == "equation":
		copyFields(c, src, "expression")
	case typ == "divider", typ == "breadcrumb", typ == "column_list", typ == "tab":
	case typ == "table_of_contents":
		copyFields(c, src, "color")
	case typ == "column":
		copyFields(c, src, "width_ratio")
	case typ == "table":
		copyFields(c, src, "table_width", "has_column_header", "has_row_header")
	case typ == "table_row":
		cells, _ := src["cells"].([]any)
		out := make([]any, 0, len(cells))
		for _, cell := range cells {
			out = append(out, r.richText(cell, st))
		}
		c["cells"] = out
	case typ == "embed", typ == "bookmark":
		copyFields(c, src, "url")
		c["caption"] = r.richText(src["caption"], st)
	case mediaTypes[typ]:
		f, err := r.fileObject(ctx, b.Extra, "/"+typ, src)
		if err != nil {
			return nil, err
		}
		if f == nil {
			return r.lostFile(typ, src), nil
		}
		if u, ok := f["file_upload"].(map[string]any); ok {
			out.uploads = append(out.uploads, u["id"].(string))
		}
		c = f
		out.content = c
		c["caption"] = r.richText(src["caption"], st)
		if typ == "file" {
			copyFields(c, src, "name")
		}
	case typ == "synced_block":
		c["synced_from"] = nil
		if from, ok := src["synced_from"].(map[string]any); ok {
			id, _ := from["block_id"].(string)
			c["synced_from"] = map[string]any{"type": "block_id", "block_id": r.mapRef(id, "synced block original", st)}
		}
	case typ == "link_to_page":
		kind, _ := src["type"].(string)
		id, _ := src[kind].(string)
		if kind == "page_id" || kind == "database_id" {
			id = r.mapRef(id, "link_to_page target", st)
		}
		c["type"], c[kind] = kind, id
	case typ == "child_page", typ == "child_database":
		// Only reached for a page or database outside the restore.
		kind := map[string]string{"child_page": "page_id", "child_database": "database_id"}[typ]
		r.count(r.rep.External, typ+" outside the restore")
		return &body{typ: "link_to_page", content: map[string]any{"type": kind, kind: b.ID},
			note: typ + " outside the restore → link_to_page"}, nil
	case typ == "template":
		out.typ, out.note = "toggle", "template → toggle"
		c["rich_text"] = r.richText(src["rich_text"], st)
	case typ == "meeting_notes", typ == "transcription":
		out.typ, out.note = "toggle", typ+" → toggle"
		c["rich_text"] = r.richText(src["title"], st)
	case typ == "link_preview":
		out.typ, out.note = "bookmark", "link_preview → bookmark"
		copyFields(c, src, "url")
	default:
		// unsupported, and types this version does not know.
		what := typ
		if bt, _ := src["block_type"].(string); bt != "" {
			what = typ + " (" + bt + ")"
		}
		out.typ, out.note = "callout", typ+" → callout"
		text := []any{map[string]any{"type": "text", "text": map[string]any{
			"content": fmt.Sprintf("notion-git: a %s block was here; the Notion API cannot create it.", what)}}}
		if rt, ok := src["rich_text"]; ok {
			text = append(text, r.richText(rt, st)...)
		}
		if len(text) > maxArray {
			text = text[:maxArray]
		}
		out.content = map[string]any{"rich_text": text, "icon": map[string]any{"type": "emoji", "emoji": "🧩"}}
	}
	if st.pending {
		// Content is written after every page and database exists, so a
		// pending reference can only be to something not restored at all.
		r.count(r.rep.External, "reference to an object restored later")
	}
	return out, nil
}

// lostFile replaces a media block whose bytes were not stored.
func (r *restorer) lostFile(typ string, src map[string]any) *body {
	name := fileName(src)
	return &body{typ: "callout", note: typ + " without stored bytes → callout", content: map[string]any{
		"rich_text": []any{map[string]any{"type": "text", "text": map[string]any{
			"content": fmt.Sprintf("notion-git: the %s %q was not stored in the backup.", typ, name)}}},
		"icon": map[string]any{"type": "emoji", "emoji": "📎"},
	}}
}

// icon converts a page or callout icon; nil when it cannot be restored.
func (r *restorer) icon(ctx context.Context, extra layout.Extra, ptr string, icon map[string]any) (map[string]any, error) {
	switch t, _ := icon["type"].(string); t {
	case "emoji":
		return map[string]any{"type": "emoji", "emoji": icon["emoji"]}, nil
	case "custom_emoji":
		ce, _ := icon["custom_emoji"].(map[string]any)
		r.count(r.rep.External, "custom emoji")
		return map[string]any{"type": "custom_emoji", "custom_emoji": map[string]any{"id": ce["id"]}}, nil
	case "icon":
		ic, _ := icon["icon"].(map[string]any)
		out := map[string]any{}
		copyFields(out, ic, "name", "color")
		return map[string]any{"type": "icon", "icon": out}, nil
	case "external", "file":
		f, err := r.fileObject(ctx, extra, ptr, icon)
		if f == nil {
			r.count(r.rep.Substituted, "icon or cover without stored bytes → none")
		}
		return f, err
	}
	return nil, nil
}

// fileObject converts a file wrapper at ptr (the pointer of the wrapper in
// its object) into request form: external files stay links, Notion-hosted
// ones are uploaded again. nil means the bytes were not stored.
func (r *restorer) fileObject(ctx context.Context, extra layout.Extra, ptr string, f map[string]any) (map[string]any, error) {
	switch f["type"] {
	case "external":
		ext, _ := f["external"].(map[string]any)
		return map[string]any{"type": "external", "external": map[string]any{"url": ext["url"]}}, nil
	case "file":
		info, ok := extra.Files[ptr+"/file"]
		if !ok || info.SHA256 == "" {
			return nil, nil
		}
		inner, _ := f["file"].(map[string]any)
		url, _ := inner["url"].(string)
		id, err := r.upload(ctx, ptr, info, nameFromURL(url))
		if err != nil || id == "" {
			return nil, err
		}
		return map[string]any{"type": "file_upload", "file_upload": map[string]any{"id": id}}, nil
	}
	return nil, nil
}

func fileName(src map[string]any) string {
	if n, _ := src["name"].(string); n != "" {
		return n
	}
	inner, _ := src["file"].(map[string]any)
	u, _ := inner["url"].(string)
	return nameFromURL(u)
}

// copyFields copies the named fields that are present and not null.
func copyFields(dst, src map[string]any, keys ...string) {
	for _, k := range keys {
		if v, ok := src[k]; ok && v != nil {
			dst[k] = v
		}
	}
}

// Column lists that cannot be created as stored. Notion creates a column
// list only with two columns or more, each holding at least one block; old
// data or a partial read can hold fewer. Such a list is written in the
// closest form the API takes, and Verify expects exactly that form.
const (
	noteOneColumn  = "column list of one column → its blocks in place"
	noteNoColumns  = "column list without columns → left out"
	noteEmptyColum = "column without blocks → empty paragraph"
)

// columnsOf returns the columns of column list id of page pageID that are
// written. It reads the page's outline, so that the plan can ask without
// the page's content.
func (p *plan) columnsOf(pageID, id string) []string {
	o := p.outlines[pageID]
	var cols []string
	for _, c := range o.Blocks[id].Children {
		if cb := o.Blocks[c]; cb != nil && cb.Type == "column" && !p.isPlaced(c) {
			cols = append(cols, c)
		}
	}
	return cols
}

// degenerate reports whether block id of page pageID is a column list of
// fewer than two columns.
func (p *plan) degenerate(pageID, id string) bool {
	b := p.outlines[pageID].Blocks[id]
	return b != nil && b.Type == "column_list" && len(p.columnsOf(pageID, id)) < 2
}

// written is kids as they are written: a column list of one column is
// replaced by that column's blocks, and one without columns by nothing.
func (p *plan) written(pageID string, kids []string) []string {
	if !slices.ContainsFunc(kids, func(k string) bool { return p.degenerate(pageID, k) }) {
		return kids
	}
	var out []string
	for _, k := range kids {
		if !p.degenerate(pageID, k) {
			out = append(out, k)
			continue
		}
		if cols := p.columnsOf(pageID, k); len(cols) == 1 {
			out = append(out, p.contentKids(pageID, cols[0])...)
		}
	}
	return out
}

// noteStray is the substitution for a block of plan.strays, by its type.
func noteStray(typ string) string {
	return typ + " whose object names another parent → left out, the object restored there"
}

// countStrays counts the stray child_page and child_database blocks of a
// page whose content is still to write (see plan.strays).
func (r *restorer) countStrays(pid string) {
	if r.j.isDone("content:" + pid) {
		return
	}
	for _, id := range r.plan.strays[pid] {
		r.count(r.rep.Substituted, noteStray(r.plan.outlines[pid].Blocks[id].Type))
	}
}

// countColumnLists counts the column lists of a page whose content is
// still to write that are replaced (see plan.written).
func (r *restorer) countColumnLists(pid string) {
	if r.j.isDone("content:" + pid) {
		return
	}
	for id := range r.plan.outlines[pid].Blocks {
		if !r.plan.degenerate(pid, id) || r.plan.isPlaced(id) {
			continue
		}
		if len(r.plan.columnsOf(pid, id)) == 1 {
			r.count(r.rep.Substituted, noteOneColumn)
		} else {
			r.count(r.rep.Substituted, noteNoColumns)
		}
	}
}

// linkedText is what a mention the API cannot create (link_preview,
// link_mention) is written as: text linked to its URL. When Notion stored
// no text for it, the URL is the text, so the link stays visible.
func linkedText(it map[string]any) (content, url string) {
	content, _ = it["plain_text"].(string)
	url, _ = it["href"].(string)
	if url == "" {
		m, _ := it["mention"].(map[string]any)
		kind, _ := m["type"].(string)
		body, _ := m[kind].(map[string]any)
		for _, k := range []string{"href", "url"} {
			if s, _ := body[k].(string); s != "" {
				url = s
				break
			}
		}
	}
	if content == "" {
		content = url
	}
	return content, url
}
