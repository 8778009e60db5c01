package layout

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Names is what a README shows of the objects around the one it renders:
// titles instead of ids, people's names, where attachment bytes are stored.
// A link is written only to an object the snapshot holds, so that every
// relative link in the tree resolves.
type Names interface {
	// Title returns the title of a page, database or data source of the
	// snapshot; ok is false when the snapshot does not hold it.
	Title(id string) (title string, ok bool)
	// User returns a user's name; ok is false when it is not known.
	User(id string) (name string, ok bool)
	// File returns the path under files/ of the bytes with this SHA-256,
	// "" when they are not stored.
	File(sha string) string
}

// RenderPage renders a page as Markdown without knowing anything around it:
// links to other pages carry no titles, and attachments are linked under
// their format 1 names. For a view of one page (show, diff); the tree's
// READMEs are rendered by RenderPageNamed.
func RenderPage(p *Page) []byte { return RenderPageNamed(p, nil) }

// RenderPageNamed renders a page as Markdown for people browsing the
// repository, naming what it links to through names (see FORMAT.md: what a
// README shows of other objects is as of when it was written). A nil names
// knows nothing and links everything.
func RenderPageNamed(p *Page, names Names) []byte {
	r := &renderer{page: p, names: names, root: "../../"}
	title := Title(p.Object)
	if title == "" {
		title = "Untitled"
	}
	r.line("# " + iconPrefix(p.Object) + escapeText(title))
	r.blank("")
	if isRow(p.Object) {
		r.properties(p.Object)
	}
	r.blocks(p.Children, "")
	if len(p.Comments) > 0 {
		r.line("## Comments")
		r.blank("")
		for _, c := range p.Comments {
			who := r.commentAuthor(c.Object)
			when, _ := c.Object["created_time"].(string)
			text := r.richText(c.Object["rich_text"])
			r.line("- " + escapeText(who) + " (" + when + "): " + text)
		}
		r.blank("")
	}
	return r.bytes()
}

// renderer accumulates Markdown; blank lines are collapsed as they are added.
type renderer struct {
	page  *Page
	names Names  // nil: link without looking anything up
	root  string // the repository root, relative to the README's folder
	b     strings.Builder
	// lastBlank says the last line written ends a paragraph; blankAt is
	// the quote markers it carries ("" for an empty line).
	lastBlank bool
	blankAt   string
}

// bytes returns the Markdown, ending in a single newline.
func (r *renderer) bytes() []byte {
	return []byte(strings.TrimRight(r.b.String(), "\n") + "\n")
}

// line writes one line.
func (r *renderer) line(s string) {
	r.b.WriteString(s + "\n")
	r.lastBlank = false
}

// blank ends a paragraph, never writing two blank lines in a row. Inside a
// quote the blank line keeps the quote's marker: an empty line would end
// the quote, and what follows in the callout would fall out of it.
func (r *renderer) blank(indent string) {
	at := strings.TrimRight(indent, " ")
	if r.b.Len() == 0 || r.lastBlank && strings.HasPrefix(at, r.blankAt) {
		return // an empty line ends the quotes too; one ">" ends a paragraph in it
	}
	r.b.WriteString(at + "\n")
	r.lastBlank, r.blankAt = true, at
}

// note writes the visible one-line note of a block that has no Markdown
// form: Notion shows it, the README says so.
func (r *renderer) note(indent, text string) {
	r.line(indent + "*" + escapeText(text) + "*")
	r.blank(indent)
}

// blocks renders a run of sibling blocks, every line prefixed by indent.
func (r *renderer) blocks(ids []string, indent string) {
	number := 0
	for i, id := range ids {
		blk := r.page.Blocks[id]
		if blk == nil {
			continue
		}
		typ, _ := blk.Object["type"].(string)
		if typ == "numbered_list_item" {
			number++
		} else {
			number = 0
		}
		next := ""
		if i+1 < len(ids) {
			if nb := r.page.Blocks[ids[i+1]]; nb != nil {
				next, _ = nb.Object["type"].(string)
			}
		}
		r.block(blk, typ, indent, number)
		if isListItem(typ) && next != "" && next != typ {
			// Lists stay tight; a blank line ends one.
			r.blank(indent)
		}
	}
}

// block renders one block and its children.
func (r *renderer) block(blk *Block, typ, indent string, number int) {
	body, _ := blk.Object[typ].(map[string]any)
	text := func() string { return r.richText(body["rich_text"]) }
	switch typ {
	case "paragraph":
		r.line(indent + text())
		r.blank(indent)
		r.blocks(blk.Children, indent+"  ")
	case "heading_1", "heading_2", "heading_3", "heading_4":
		n, _ := strconv.Atoi(typ[len(typ)-1:])
		r.line(indent + strings.Repeat("#", n+1) + " " + text())
		r.blank(indent)
		r.blocks(blk.Children, indent)
	case "bulleted_list_item":
		r.line(indent + "- " + text())
		r.blocks(blk.Children, indent+"  ")
	case "numbered_list_item":
		marker := strconv.Itoa(number) + ". "
		r.line(indent + marker + text())
		r.blocks(blk.Children, indent+strings.Repeat(" ", len(marker)))
	case "to_do":
		box := "[ ]"
		if body["checked"] == true {
			box = "[x]"
		}
		item := text()
		if item == "" {
			// "- [ ]" with nothing after it is no task item in GFM: it
			// shows the brackets.
			item = "&#8203;"
		}
		r.line(indent + "- " + box + " " + item)
		r.blocks(blk.Children, indent+"  ")
	case "toggle":
		r.line(indent + "<details><summary>" + text() + "</summary>")
		r.blank(indent)
		r.blocks(blk.Children, indent)
		r.blank(indent)
		r.line(indent + "</details>")
		r.blank(indent)
	case "quote":
		r.line(indent + "> " + text())
		if len(blk.Children) > 0 {
			r.blank(indent + "> ") // the text is a paragraph of its own
		}
		r.blocks(blk.Children, indent+"> ")
		r.blank(indent)
	case "callout":
		r.line(indent + "> " + iconPrefix(body) + text())
		if len(blk.Children) > 0 {
			r.blank(indent + "> ") // the text is a paragraph of its own
		}
		r.blocks(blk.Children, indent+"> ")
		r.blank(indent)
	case "code":
		r.code(indent, body)
	case "equation":
		expr, _ := body["expression"].(string)
		r.line(indent + "$$")
		for _, l := range strings.Split(expr, "\n") {
			r.line(indent + l)
		}
		r.line(indent + "$$")
		r.blank(indent)
	case "divider":
		r.line(indent + "---")
		r.blank(indent)
	case "table":
		r.table(blk, body, indent)
	case "image", "video", "pdf", "file", "audio":
		r.line(indent + r.media(blk, typ, body))
		r.blank(indent)
	case "bookmark", "embed", "link_preview":
		u, _ := body["url"].(string)
		label := r.richText(body["caption"])
		if label == "" {
			label = escapeText(u)
		}
		if label == "" {
			label = escapeText(typeName(typ))
		}
		r.line(indent + "[" + label + "](" + linkTarget(u) + ")")
		r.blank(indent)
	case "child_page":
		title, _ := body["title"].(string)
		r.line(indent + r.pageLink(blk.ID, title, ""))
		r.blank(indent)
	case "child_database":
		title, _ := body["title"].(string)
		r.line(indent + r.databaseLink(blk.ID, title, ""))
		r.blank(indent)
	case "link_to_page":
		r.line(indent + r.linkToPage(body))
		r.blank(indent)
	case "column_list", "column", "tab":
		// Containers: their content is their children.
		r.blocks(blk.Children, indent)
		r.blank(indent)
	case "synced_block":
		if len(blk.Children) == 0 {
			r.note(indent, "Synced block (its content is shown in Notion)")
		}
		r.blocks(blk.Children, indent)
		r.blank(indent)
	case "table_of_contents":
		r.tableOfContents(indent)
	default:
		r.note(indent, noteFor(typ))
		r.blocks(blk.Children, indent)
		r.blank(indent)
	}
}

// tocHeading is one heading a table of contents lists.
type tocHeading struct {
	level int
	text  string
}

// headingAnchors returns the anchors GitHub gives the headings, in document
// order after the page's title: lowercased, punctuation dropped, spaces as
// hyphens, a repeated anchor numbered -1, -2, ...
func headingAnchors(title string, hs []tocHeading) []string {
	seen := map[string]int{}
	slug := func(s string) string {
		var b strings.Builder
		for _, c := range strings.ToLower(s) {
			switch {
			case c == ' ':
				b.WriteByte('-')
			case c == '-' || c == '_' || unicode.IsLetter(c) || unicode.IsNumber(c) || unicode.Is(unicode.Mn, c):
				b.WriteRune(c)
			}
		}
		base := b.String()
		n := seen[base]
		seen[base] = n + 1
		if n > 0 {
			return base + "-" + strconv.Itoa(n)
		}
		return base
	}
	slug(title)
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = url.PathEscape(slug(h.text))
	}
	return out
}

// noteFor is the note shown for a block type without a Markdown form.
func noteFor(typ string) string {
	switch typ {
	case "breadcrumb":
		return "Breadcrumb (shown in Notion)"
	case "template":
		return "Template button (shown in Notion); its template follows"
	case "meeting_notes", "transcription":
		return "Meeting notes (shown in Notion)"
	case "ai_summary":
		return "AI summary (shown in Notion)"
	case "unsupported":
		return "A block the Notion API does not share (shown in Notion)"
	}
	return typeName(typ) + " (shown in Notion)"
}

// typeName turns a type name into words: "ai_summary" is "Ai summary".
func typeName(typ string) string {
	s := strings.ReplaceAll(typ, "_", " ")
	if s == "" {
		return "Block"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// tableOfContents lists the page's headings, linked to the anchors GitHub
// gives them; a page without headings gets the note.
func (r *renderer) tableOfContents(indent string) {
	var hs []tocHeading
	var walk func(ids []string)
	walk = func(ids []string) {
		for _, id := range ids {
			blk := r.page.Blocks[id]
			if blk == nil {
				continue
			}
			typ, _ := blk.Object["type"].(string)
			switch typ {
			case "heading_1", "heading_2", "heading_3", "heading_4":
				body, _ := blk.Object[typ].(map[string]any)
				n, _ := strconv.Atoi(typ[len(typ)-1:])
				hs = append(hs, tocHeading{n, PlainText(body["rich_text"])})
			}
			walk(blk.Children)
		}
	}
	walk(r.page.Children)
	if len(hs) == 0 {
		r.note(indent, "Table of contents (shown in Notion)")
		return
	}
	anchors := headingAnchors(iconPrefix(r.page.Object)+orUntitled(Title(r.page.Object)), hs)
	for i, h := range hs {
		r.line(indent + strings.Repeat("  ", h.level-1) + "- [" + escapeText(orUntitled(h.text)) + "](#" + anchors[i] + ")")
	}
	r.blank(indent)
}

// isListItem reports whether a block type renders as a list item.
func isListItem(typ string) bool {
	return typ == "bulleted_list_item" || typ == "numbered_list_item" || typ == "to_do"
}

// code renders a code block as a fence longer than any backtick run inside.
func (r *renderer) code(indent string, body map[string]any) {
	src := PlainText(body["rich_text"])
	lang, _ := body["language"].(string)
	if lang == "plain text" {
		lang = ""
	}
	fence := strings.Repeat("`", max(3, longestRun(src, '`')+1))
	r.line(indent + fence + strings.ReplaceAll(lang, " ", "-"))
	for _, l := range strings.Split(src, "\n") {
		r.line(indent + l)
	}
	r.line(indent + fence)
	r.blank(indent)
}

// maxTableWidth bounds the columns a table_width alone can ask for. The
// rows' own cells always count; table_width only pads short rows, and a file
// saying 100,000,000 must not make the renderer write gigabytes of empty
// cells. Notion's tables are far narrower.
const maxTableWidth = 1000

// table renders a table block from its table_row children.
func (r *renderer) table(blk *Block, body map[string]any, indent string) {
	width, _ := strconv.Atoi(scalarText(body["table_width"]))
	width = min(max(width, 0), maxTableWidth) // negative panicked in make and Repeat
	var rows [][]string
	for _, id := range blk.Children {
		row := r.page.Blocks[id]
		if row == nil {
			continue
		}
		rb, _ := row.Object["table_row"].(map[string]any)
		cells, _ := rb["cells"].([]any)
		var out []string
		for _, c := range cells {
			out = append(out, tableCell(r.richText(c)))
		}
		width = max(width, len(out))
		rows = append(rows, out)
	}
	if width == 0 {
		r.note(indent, "Empty table")
		return
	}
	pad := func(row []string) string {
		for len(row) < width {
			row = append(row, "")
		}
		return "| " + strings.Join(row, " | ") + " |"
	}
	if body["has_column_header"] != true || len(rows) == 0 {
		rows = append([][]string{make([]string, width)}, rows...)
	}
	r.line(indent + pad(rows[0]))
	r.line(indent + "|" + strings.Repeat(" --- |", width))
	for _, row := range rows[1:] {
		r.line(indent + pad(row))
	}
	r.blank(indent)
}

// media renders a file-like block as a link to the stored bytes when there
// are any, else to its URL.
func (r *renderer) media(blk *Block, typ string, body map[string]any) string {
	label := r.richText(body["caption"])
	if label == "" {
		name, _ := body["name"].(string)
		label = escapeText(name)
	}
	if label == "" {
		label = typ
	}
	target := r.fileTarget(blk.Extra, "/"+typ, body)
	if typ == "image" {
		return "![" + label + "](" + target + ")"
	}
	return "[" + label + "](" + target + ")"
}

// fileTarget returns the link for a file wrapper found at ptr: the stored
// bytes under files/, or the file's own URL.
func (r *renderer) fileTarget(extra Extra, ptr string, wrapper map[string]any) string {
	for _, k := range []string{"file", "external"} {
		if fi, ok := extra.Files[ptr+"/"+k]; ok && fi.SHA256 != "" {
			if r.names == nil {
				return r.root + FilePath(fi.SHA256)
			}
			if p := r.names.File(fi.SHA256); p != "" {
				return r.root + p
			}
		}
	}
	for _, k := range []string{"file", "external"} {
		if f, ok := wrapper[k].(map[string]any); ok {
			if u, ok := f["url"].(string); ok {
				if k == "file" {
					// The signature changes on every read, and expires: the
					// README shows the stable URL the file is stored with.
					u = stripQuery(u)
				}
				return linkTarget(u)
			}
		}
	}
	return "#"
}

// properties renders a row's properties (all but the title) as a table.
func (r *renderer) properties(obj Object) {
	props, _ := obj["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for name, v := range props {
		if m, _ := v.(map[string]any); m["type"] != "title" {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return
	}
	slices.Sort(names)
	r.line("| Property | Value |")
	r.line("| --- | --- |")
	for _, name := range names {
		v, _ := props[name].(map[string]any)
		r.line("| " + tableCell(escapeText(name)) + " | " + tableCell(r.propertyValue(v, propertyPointer(name))) + " |")
	}
	r.blank("")
}

// propertyPointer is the JSON Pointer of a property value in a page object.
func propertyPointer(name string) string { return "/properties/" + EscapePointer(name) }

// propertyValue renders one property value as inline Markdown.
func (r *renderer) propertyValue(v map[string]any, ptr string) string {
	typ, _ := v["type"].(string)
	val := v[typ]
	switch typ {
	case "rich_text", "title":
		return r.richText(val)
	case "checkbox", "boolean":
		switch val {
		case true:
			return "☑"
		case false:
			return "☐"
		}
		return ""
	case "number", "url", "email", "phone_number", "created_time", "last_edited_time", "string":
		return escapeText(scalarText(val))
	case "select", "status":
		m, _ := val.(map[string]any)
		name, _ := m["name"].(string)
		return escapeText(name)
	case "multi_select":
		var names []string
		for _, o := range asList(val) {
			m, _ := o.(map[string]any)
			name, _ := m["name"].(string)
			names = append(names, escapeText(name))
		}
		return strings.Join(names, ", ")
	case "date":
		return dateText(val)
	case "people":
		var names []string
		for _, u := range asList(val) {
			names = append(names, escapeText(r.userName(u)))
		}
		return strings.Join(names, ", ")
	case "created_by", "last_edited_by":
		if val == nil {
			return ""
		}
		return escapeText(r.userName(val))
	case "files":
		var links []string
		for i, f := range asList(val) {
			m, _ := f.(map[string]any)
			name, _ := m["name"].(string)
			links = append(links, "["+escapeText(orUntitled(name))+"]("+r.fileTarget(r.page.Extra, ptr+"/files/"+strconv.Itoa(i), m)+")")
		}
		return strings.Join(links, ", ")
	case "relation":
		var links []string
		for _, rel := range asList(val) {
			m, _ := rel.(map[string]any)
			if id, err := ParseID(scalarText(m["id"])); err == nil {
				links = append(links, r.pageLink(id, "", ""))
			}
		}
		return strings.Join(links, ", ")
	case "formula":
		m, _ := val.(map[string]any)
		return r.propertyValue(m, ptr)
	case "rollup":
		m, _ := val.(map[string]any)
		if t, _ := m["type"].(string); t == "array" {
			var parts []string
			for _, e := range asList(m["array"]) {
				em, _ := e.(map[string]any)
				if part := r.propertyValue(em, ptr); part != "" {
					parts = append(parts, part)
				}
			}
			return strings.Join(parts, ", ")
		}
		return r.propertyValue(m, ptr)
	case "unique_id":
		m, _ := val.(map[string]any)
		n := scalarText(m["number"])
		if p, ok := m["prefix"].(string); ok && p != "" && n != "" {
			n = p + "-" + n
		}
		return escapeText(n)
	case "verification":
		m, _ := val.(map[string]any)
		s, _ := m["state"].(string)
		return escapeText(s)
	case "button", "":
		return ""
	default:
		return "*" + escapeText(typeName(typ)) + "*"
	}
}

// scalarText renders a JSON string, number or boolean as text, and
// anything else (null, an object, an array) as "": a value of a shape this
// code does not expect must not come out as Go's formatting of it.
func scalarText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// richText renders a rich text array as inline Markdown.
func (r *renderer) richText(v any) string {
	var b strings.Builder
	for _, item := range asList(v) {
		m, _ := item.(map[string]any)
		b.WriteString(r.richTextItem(m))
	}
	return b.String()
}

// richTextItem renders one rich text item: text, mention or equation.
func (r *renderer) richTextItem(m map[string]any) string {
	plain, _ := m["plain_text"].(string)
	typ, _ := m["type"].(string)
	ann, _ := m["annotations"].(map[string]any)
	var s string
	switch typ {
	case "equation":
		eq, _ := m["equation"].(map[string]any)
		expr, _ := eq["expression"].(string)
		return "$" + expr + "$"
	case "mention":
		mention, _ := m["mention"].(map[string]any)
		if link := r.mentionLink(mention, plain, ann); link != "" {
			return link
		}
		s = applyAnnotations(escapeText(plain), ann)
		if href, ok := m["href"].(string); ok && href != "" {
			return "[" + s + "](" + linkTarget(href) + ")"
		}
		return s
	default:
		if ann["code"] == true {
			s = codeSpan(plain)
		} else {
			s = escapeText(plain)
		}
		s = applyAnnotations(s, ann)
		if href, ok := m["href"].(string); ok && href != "" {
			return "[" + s + "](" + linkTarget(href) + ")"
		}
		return s
	}
}

// mentionLink renders a page or database mention as a link to its README,
// under its title, when the snapshot holds it; "" otherwise.
func (r *renderer) mentionLink(mention map[string]any, plain string, ann map[string]any) string {
	typ, _ := mention["type"].(string)
	if typ != "page" && typ != "database" {
		return ""
	}
	m, _ := mention[typ].(map[string]any)
	id, err := ParseID(scalarText(m["id"]))
	if err != nil {
		return ""
	}
	title := plain
	if r.names != nil {
		t, ok := r.names.Title(id)
		if !ok {
			return ""
		}
		title = t
	}
	text := applyAnnotations(escapeText(orUntitled(title)), ann)
	if typ == "page" {
		return "[" + text + "](" + r.root + PageReadmePath(id) + ")"
	}
	return "[" + text + "](" + r.root + DatabaseReadmePath(id) + ")"
}

// pageLink links a page under its title (from names, else the title given),
// prefixed; a page the snapshot does not hold is named, not linked.
func (r *renderer) pageLink(id, title, prefix string) string {
	title, ok := r.title(id, title)
	if !ok {
		return escapeText(prefix) + "*a page not in this backup*"
	}
	return "[" + escapeText(prefix+orUntitled(title)) + "](" + r.root + PageReadmePath(id) + ")"
}

// databaseLink is pageLink for a database, linked to its README.
func (r *renderer) databaseLink(id, title, prefix string) string {
	title, ok := r.title(id, title)
	if !ok {
		return escapeText(prefix) + "*a database not in this backup*"
	}
	return "[" + escapeText(prefix+orUntitled(title)) + "](" + r.root + DatabaseReadmePath(id) + ")"
}

// title looks up an object's title; without names, the given one stands.
func (r *renderer) title(id, given string) (string, bool) {
	if r.names == nil {
		return given, true
	}
	t, ok := r.names.Title(id)
	if ok && t == "" {
		t = given
	}
	return t, ok
}

// applyAnnotations wraps s in the Markdown of bold, italic and strikethrough,
// keeping surrounding spaces outside the markers, where Markdown needs them.
func applyAnnotations(s string, ann map[string]any) string {
	core := strings.TrimSpace(s)
	if core == "" {
		return s
	}
	lead := s[:strings.Index(s, core)]
	trail := s[len(lead)+len(core):]
	if ann["strikethrough"] == true {
		core = "~~" + core + "~~"
	}
	if ann["italic"] == true {
		core = "*" + core + "*"
	}
	if ann["bold"] == true {
		core = "**" + core + "**"
	}
	return lead + core + trail
}

// codeSpan renders s as inline code, with enough backticks to hold any in s.
func codeSpan(s string) string {
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + strings.ReplaceAll(s, "\n", " ") + pad + fence
}

// longestRun returns the length of the longest run of c in s. Growing a
// fence until s no longer contains it took time quadratic in the run: a code
// block of 100,000 backticks took 2 s to render, 300,000 took 16 s.
func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// PlainText concatenates the plain_text of a rich text array: a title as
// people read it, without formatting. Anything that is not a rich text
// array gives "".
func PlainText(v any) string {
	var b strings.Builder
	for _, item := range asList(v) {
		m, _ := item.(map[string]any)
		s, _ := m["plain_text"].(string)
		b.WriteString(s)
	}
	return b.String()
}

// markdownEscaper escapes characters that would otherwise start Markdown or
// HTML; newlines become <br> so a line break never ends a list item or a row.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `&lt;`, `>`, `&gt;`, `#`, `\#`, `~`, `\~`, `$`, `\$`,
	"\r\n", "<br>", "\n", "<br>", "\r", "<br>",
)

// escapeText makes text from Notion literal in Markdown.
func escapeText(s string) string { return markdownEscaper.Replace(s) }

// tableCell makes inline Markdown safe inside a table cell.
func tableCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// linkTarget makes a URL safe as a Markdown link destination.
func linkTarget(u string) string {
	if u == "" {
		return "#"
	}
	return "<" + strings.NewReplacer("<", "%3C", ">", "%3E", "\n", "", "\r", "").Replace(u) + ">"
}

// linkToPage renders a link_to_page block under its target's title.
func (r *renderer) linkToPage(body map[string]any) string {
	switch body["type"] {
	case "page_id":
		if id, err := ParseID(scalarText(body["page_id"])); err == nil {
			return r.pageLink(id, "", "→ ")
		}
	case "database_id":
		if id, err := ParseID(scalarText(body["database_id"])); err == nil {
			return r.databaseLink(id, "", "→ ")
		}
	}
	return "*Link to a page (shown in Notion)*"
}

// dateText renders a date value as "start → end".
func dateText(v any) string {
	m, _ := v.(map[string]any)
	start, _ := m["start"].(string)
	if end, _ := m["end"].(string); end != "" {
		return escapeText(start + " → " + end)
	}
	return escapeText(start)
}

// userName returns a user's name as the object carries it, else as names
// knows it, never its id.
func (r *renderer) userName(v any) string {
	m, _ := v.(map[string]any)
	if name, _ := m["name"].(string); name != "" {
		return name
	}
	if r.names != nil {
		if id, err := ParseID(scalarText(m["id"])); err == nil {
			if name, ok := r.names.User(id); ok && name != "" {
				return name
			}
		}
	}
	if m["type"] == "bot" {
		return "A bot"
	}
	return "Unknown user"
}

// commentAuthor names the author of a comment as Notion displays it.
func (r *renderer) commentAuthor(c Object) string {
	if dn, ok := c["display_name"].(map[string]any); ok {
		if name, _ := dn["resolved_name"].(string); name != "" {
			return name
		}
	}
	return r.userName(c["created_by"])
}

// iconPrefix returns an emoji icon followed by a space, or nothing.
func iconPrefix(obj map[string]any) string {
	icon, _ := obj["icon"].(map[string]any)
	if icon["type"] == "emoji" {
		if e, _ := icon["emoji"].(string); e != "" {
			return e + " "
		}
	}
	return ""
}

// orUntitled gives an empty title a visible name.
func orUntitled(s string) string {
	if s == "" {
		return "Untitled"
	}
	return s
}

// asList returns v as a JSON array, or nil.
func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
