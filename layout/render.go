package layout

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// RenderPage renders a page as Markdown for people browsing the repository.
// It reads nothing but the page itself (see FORMAT.md), so its output changes
// only when the page's files do.
func RenderPage(p *Page) []byte {
	r := &renderer{page: p}
	title := Title(p.Object)
	if title == "" {
		title = "Untitled"
	}
	r.line("# " + iconPrefix(p.Object) + escapeText(title))
	r.blank()
	if isRow(p.Object) {
		r.properties(p.Object)
	}
	r.blocks(p.Children, "")
	if len(p.Comments) > 0 {
		r.line("## Comments")
		r.blank()
		for _, c := range p.Comments {
			who := commentAuthor(c.Object)
			when, _ := c.Object["created_time"].(string)
			text := richText(c.Object["rich_text"])
			r.line("- " + escapeText(who) + " (" + when + "): " + text)
		}
		r.blank()
	}
	return []byte(strings.TrimRight(r.b.String(), "\n") + "\n")
}

// renderer accumulates Markdown; blank lines are collapsed as they are added.
type renderer struct {
	page *Page
	b    strings.Builder
}

// line writes one line.
func (r *renderer) line(s string) { r.b.WriteString(s + "\n") }

// blank ends a paragraph, never writing two blank lines in a row.
func (r *renderer) blank() {
	s := r.b.String()
	if s == "" || strings.HasSuffix(s, "\n\n") {
		return
	}
	r.b.WriteString("\n")
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
			r.blank()
		}
	}
}

// block renders one block and its children.
func (r *renderer) block(blk *Block, typ, indent string, number int) {
	body, _ := blk.Object[typ].(map[string]any)
	text := func() string { return richText(body["rich_text"]) }
	switch typ {
	case "paragraph":
		r.line(indent + text())
		r.blank()
		r.blocks(blk.Children, indent+"  ")
	case "heading_1", "heading_2", "heading_3", "heading_4":
		n, _ := strconv.Atoi(typ[len(typ)-1:])
		r.line(indent + strings.Repeat("#", n+1) + " " + text())
		r.blank()
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
		r.line(indent + "- " + box + " " + text())
		r.blocks(blk.Children, indent+"  ")
	case "toggle":
		r.line(indent + "<details><summary>" + text() + "</summary>")
		r.blank()
		r.blocks(blk.Children, indent)
		r.blank()
		r.line(indent + "</details>")
		r.blank()
	case "quote":
		r.line(indent + "> " + text())
		r.blocks(blk.Children, indent+"> ")
		r.blank()
	case "callout":
		r.line(indent + "> " + iconPrefix(body) + text())
		r.blocks(blk.Children, indent+"> ")
		r.blank()
	case "code":
		r.code(indent, body)
	case "equation":
		expr, _ := body["expression"].(string)
		r.line(indent + "$$")
		for _, l := range strings.Split(expr, "\n") {
			r.line(indent + l)
		}
		r.line(indent + "$$")
		r.blank()
	case "divider":
		r.line(indent + "---")
		r.blank()
	case "table":
		r.table(blk, body, indent)
	case "image", "video", "pdf", "file", "audio":
		r.line(indent + r.media(blk, typ, body))
		r.blank()
	case "bookmark", "embed", "link_preview":
		u, _ := body["url"].(string)
		label := richText(body["caption"])
		if label == "" {
			label = escapeText(u)
		}
		r.line(indent + "[" + label + "](" + linkTarget(u) + ")")
		r.blank()
	case "child_page":
		title, _ := body["title"].(string)
		r.line(indent + "[" + escapeText(orUntitled(title)) + "](../" + blk.ID + "/README.md)")
		r.blank()
	case "child_database":
		title, _ := body["title"].(string)
		r.line(indent + "[" + escapeText(orUntitled(title)) + "](../../" + DatabasePath(blk.ID) + ")")
		r.blank()
	case "link_to_page":
		r.line(indent + linkToPage(body))
		r.blank()
	case "column_list", "column", "synced_block", "template", "tab":
		// Containers: their content is their children.
		if typ != "column_list" && typ != "column" {
			r.line(indent + "<!-- " + typ + " -->")
			r.blank()
		}
		r.blocks(blk.Children, indent)
		r.blank()
	default:
		r.line(indent + "<!-- " + escapeComment(typ) + " -->")
		r.blank()
		r.blocks(blk.Children, indent)
	}
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
	r.blank()
}

// maxTableWidth bounds the columns a table_width alone can ask for. The
// rows' own cells always count; table_width only pads short rows, and a file
// saying 100,000,000 must not make the renderer write gigabytes of empty
// cells. Notion's tables are far narrower.
const maxTableWidth = 1000

// table renders a table block from its table_row children.
func (r *renderer) table(blk *Block, body map[string]any, indent string) {
	width, _ := strconv.Atoi(fmt.Sprint(body["table_width"]))
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
			out = append(out, tableCell(richText(c)))
		}
		width = max(width, len(out))
		rows = append(rows, out)
	}
	if width == 0 {
		r.line(indent + "<!-- empty table -->")
		r.blank()
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
	r.blank()
}

// media renders a file-like block as a link to the stored bytes when there
// are any, else to its URL.
func (r *renderer) media(blk *Block, typ string, body map[string]any) string {
	label := richText(body["caption"])
	if label == "" {
		name, _ := body["name"].(string)
		label = escapeText(name)
	}
	if label == "" {
		label = typ
	}
	target := fileTarget(blk.Extra, "/"+typ, body)
	if typ == "image" {
		return "![" + label + "](" + target + ")"
	}
	return "[" + label + "](" + target + ")"
}

// fileTarget returns the link for a file wrapper found at ptr: the stored
// bytes under files/, or the file's own URL.
func fileTarget(extra Extra, ptr string, wrapper map[string]any) string {
	if fi, ok := extra.Files[ptr+"/file"]; ok && fi.SHA256 != "" {
		return "../../" + FilePath(fi.SHA256)
	}
	for _, k := range []string{"file", "external"} {
		if f, ok := wrapper[k].(map[string]any); ok {
			if u, ok := f["url"].(string); ok {
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
		ptr := "/properties/" + EscapePointer(name)
		r.line("| " + tableCell(escapeText(name)) + " | " + tableCell(r.propertyValue(v, ptr)) + " |")
	}
	r.blank()
}

// propertyValue renders one property value as inline Markdown.
func (r *renderer) propertyValue(v map[string]any, ptr string) string {
	typ, _ := v["type"].(string)
	val := v[typ]
	switch typ {
	case "rich_text", "title":
		return richText(val)
	case "number", "checkbox", "url", "email", "phone_number", "created_time", "last_edited_time":
		if val == nil {
			return ""
		}
		if b, ok := val.(bool); ok {
			return map[bool]string{true: "☑", false: "☐"}[b]
		}
		return escapeText(fmt.Sprint(val))
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
			names = append(names, escapeText(userName(u)))
		}
		return strings.Join(names, ", ")
	case "created_by", "last_edited_by":
		return escapeText(userName(val))
	case "files":
		var links []string
		for i, f := range asList(val) {
			m, _ := f.(map[string]any)
			name, _ := m["name"].(string)
			links = append(links, "["+escapeText(orUntitled(name))+"]("+fileTarget(r.page.Extra, ptr+"/files/"+strconv.Itoa(i), m)+")")
		}
		return strings.Join(links, ", ")
	case "relation":
		var links []string
		for _, rel := range asList(val) {
			m, _ := rel.(map[string]any)
			if id, err := ParseID(fmt.Sprint(m["id"])); err == nil {
				links = append(links, "["+id+"](../"+id+"/README.md)")
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
				parts = append(parts, r.propertyValue(em, ptr))
			}
			return strings.Join(parts, ", ")
		}
		return r.propertyValue(m, ptr)
	case "unique_id":
		m, _ := val.(map[string]any)
		n := fmt.Sprint(m["number"])
		if p, ok := m["prefix"].(string); ok && p != "" {
			n = p + "-" + n
		}
		return escapeText(n)
	case "string", "boolean":
		return escapeText(fmt.Sprint(val))
	case "verification":
		m, _ := val.(map[string]any)
		s, _ := m["state"].(string)
		return escapeText(s)
	case "button":
		return ""
	default:
		return "<!-- " + escapeComment(typ) + " -->"
	}
}

// richText renders a rich text array as inline Markdown.
func richText(v any) string {
	var b strings.Builder
	for _, item := range asList(v) {
		m, _ := item.(map[string]any)
		b.WriteString(richTextItem(m))
	}
	return b.String()
}

// richTextItem renders one rich text item: text, mention or equation.
func richTextItem(m map[string]any) string {
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
		s = applyAnnotations(escapeText(plain), ann)
		if target := mentionTarget(mention); target != "" {
			return "[" + s + "](" + target + ")"
		}
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

// mentionTarget links page and database mentions to their folders.
func mentionTarget(mention map[string]any) string {
	switch mention["type"] {
	case "page":
		m, _ := mention["page"].(map[string]any)
		if id, err := ParseID(fmt.Sprint(m["id"])); err == nil {
			return "../" + id + "/README.md"
		}
	case "database":
		m, _ := mention["database"].(map[string]any)
		if id, err := ParseID(fmt.Sprint(m["id"])); err == nil {
			return "../../" + DatabasePath(id)
		}
	}
	return ""
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

// escapeComment keeps a type name from closing an HTML comment.
func escapeComment(s string) string { return strings.ReplaceAll(s, "--", "- -") }

// linkTarget makes a URL safe as a Markdown link destination.
func linkTarget(u string) string {
	if u == "" {
		return "#"
	}
	return "<" + strings.NewReplacer("<", "%3C", ">", "%3E", "\n", "", "\r", "").Replace(u) + ">"
}

// linkToPage renders a link_to_page block from its target id alone.
func linkToPage(body map[string]any) string {
	switch body["type"] {
	case "page_id":
		if id, err := ParseID(fmt.Sprint(body["page_id"])); err == nil {
			return "[→ page " + id + "](../" + id + "/README.md)"
		}
	case "database_id":
		if id, err := ParseID(fmt.Sprint(body["database_id"])); err == nil {
			return "[→ database " + id + "](../../" + DatabasePath(id) + ")"
		}
	}
	return "<!-- link_to_page -->"
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

// userName returns a user's name as the page object carries it, or its id.
func userName(v any) string {
	m, _ := v.(map[string]any)
	if name, _ := m["name"].(string); name != "" {
		return name
	}
	id, _ := m["id"].(string)
	return id
}

// commentAuthor names the author of a comment as Notion displays it.
func commentAuthor(c Object) string {
	if dn, ok := c["display_name"].(map[string]any); ok {
		if name, _ := dn["resolved_name"].(string); name != "" {
			return name
		}
	}
	return userName(c["created_by"])
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
