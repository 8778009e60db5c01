package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf16"
)

// Notion's write limits (see notion-api.md).
const (
	maxChildren      = 100
	maxNesting       = 2
	maxBlockElements = 1000
	maxBodyBytes     = 500_000
	maxTextContent   = 2000
	maxURL           = 2000
	maxExpression    = 1000
	maxArray         = 100
)

// creatable are the block types a request may create.
var creatable = map[string]bool{
	"paragraph": true, "heading_1": true, "heading_2": true, "heading_3": true, "heading_4": true,
	"bulleted_list_item": true, "numbered_list_item": true, "quote": true, "to_do": true, "toggle": true,
	"synced_block": true, "equation": true, "code": true, "callout": true, "divider": true,
	"breadcrumb": true, "table_of_contents": true, "tab": true, "column_list": true, "column": true,
	"link_to_page": true, "table": true, "table_row": true, "embed": true, "bookmark": true,
	"image": true, "video": true, "pdf": true, "file": true, "audio": true,
}

// readOnly block types exist in responses but cannot be created by a request.
var readOnly = map[string]bool{
	"child_page": true, "child_database": true, "link_preview": true, "meeting_notes": true,
	"transcription": true, "template": true, "unsupported": true,
}

var mediaTypes = map[string]bool{"image": true, "video": true, "pdf": true, "file": true, "audio": true}

// readOnlyProperties are property types whose values Notion computes.
var readOnlyProperties = map[string]bool{
	"formula": true, "rollup": true, "created_time": true, "created_by": true, "last_edited_time": true,
	"last_edited_by": true, "unique_id": true, "button": true, "verification": true,
}

// jsLen is a string's length as Notion (JavaScript) counts it: UTF-16 units.
func jsLen(s string) int { return len(utf16.Encode([]rune(s))) }

// blockCheck validates the blocks of one request.
type blockCheck struct {
	s       *Server
	count   int
	uploads []string
}

// blockType is the type of a request block: "type", or its one content key.
func blockType(b map[string]any) string {
	if t := str(b["type"]); t != "" {
		return t
	}
	for k := range b {
		if k != "object" && k != "children" && k != "type" {
			return k
		}
	}
	return ""
}

func childrenOf(b map[string]any, typ string) ([]any, bool) {
	if content, ok := b[typ].(map[string]any); ok {
		if ch, ok := content["children"].([]any); ok {
			return ch, true
		}
	}
	ch, ok := b["children"].([]any)
	return ch, ok
}

// children checks a children array at path; depth is its nesting level (1 for
// the top-level children of an append or a page create, which may nest
// maxNesting levels below them).
func (v *blockCheck) children(arr []any, path string, depth int) error {
	if depth > maxNesting+1 {
		return errBody("%s should be not present, instead was `%s`.", path, preview(arr))
	}
	if len(arr) > maxChildren {
		return errBody("%s.length should be ≤ %d, instead was %d.", path, maxChildren, len(arr))
	}
	for i, x := range arr {
		b, ok := x.(map[string]any)
		if !ok {
			return errBody("%s[%d] should be an object, instead was `%v`.", path, i, x)
		}
		if err := v.block(b, fmt.Sprintf("%s[%d]", path, i), depth); err != nil {
			return err
		}
	}
	return nil
}

func (v *blockCheck) block(b map[string]any, path string, depth int) error {
	v.count++
	if v.count > maxBlockElements {
		return errBody("the request has more than %d block elements.", maxBlockElements)
	}
	typ := blockType(b)
	switch {
	case typ == "":
		return errBody("%s should be a block object, instead was `{}`.", path)
	case readOnly[typ]:
		return errBody("%s.type should be a block type that can be created, instead was `%q`.", path, typ)
	case !creatable[typ]:
		return errBody("%s.%s should be not present: `%s` is not a known block type.", path, typ, typ)
	}
	if reject := v.s.opts.RejectBlock; reject != nil {
		if why := reject(b); why != "" {
			if v.s.opts.RejectUnnamed {
				return errBody("%s", why)
			}
			return errBody("%s.%s %s", path, typ, why)
		}
	}
	content, _ := b[typ].(map[string]any)
	if content == nil && b[typ] != nil {
		return errBody("%s.%s should be an object, instead was `%v`.", path, typ, b[typ])
	}
	p := path + "." + typ
	for _, k := range []string{"rich_text", "caption"} {
		if rt, ok := content[k]; ok {
			if err := v.richText(rt, p+"."+k); err != nil {
				return err
			}
		}
	}
	switch typ {
	case "equation":
		if n := jsLen(str(content["expression"])); n > maxExpression {
			return errBody("%s.expression.length should be ≤ %d, instead was %d.", p, maxExpression, n)
		}
	case "bookmark", "embed":
		if n := jsLen(str(content["url"])); n > maxURL {
			return errBody("%s.url.length should be ≤ %d, instead was %d.", p, maxURL, n)
		}
	case "table":
		rows, hasRows := childrenOf(b, typ)
		width, _ := content["table_width"].(json.Number)
		w, err := width.Int64()
		if err != nil || w < 1 {
			return errBody("%s.table_width should be a number ≥ 1, instead was `%v`.", p, content["table_width"])
		}
		// The rows are a level of nesting, like any children.
		if hasRows && depth+1 > maxNesting+1 {
			return errBody("%s.children should be not present, instead was `%s`.", p, preview(rows))
		}
		if len(rows) > maxChildren {
			return errBody("%s.children.length should be ≤ %d, instead was %d.", p, maxChildren, len(rows))
		}
		for i, r := range rows {
			row, _ := r.(map[string]any)
			if err := v.tableRow(row, fmt.Sprintf("%s.children[%d]", p, i), w); err != nil {
				return err
			}
		}
	case "column_list":
		// Column lists are created only at the top of a request.
		if depth > 1 {
			return errBody("%s should be not present, instead was `%s`.", p, preview(content))
		}
		cols, _ := childrenOf(b, typ)
		if len(cols) < 2 {
			return errBody("%s.children.length should be ≥ 2, instead was %d.", p, len(cols))
		}
		for i, c := range cols {
			col, _ := c.(map[string]any)
			inner, _ := childrenOf(col, "column")
			if blockType(col) != "column" {
				return errBody("%s.children[%d].type should be `column`, instead was `%q`.", p, i, blockType(col))
			}
			if len(inner) < 1 {
				return errBody("%s.children[%d].column.children.length should be ≥ 1, instead was 0.", p, i)
			}
		}
	}
	if mediaTypes[typ] {
		if err := v.fileObject(content, p); err != nil {
			return err
		}
	}
	if ch, ok := childrenOf(b, typ); ok {
		switch typ {
		case "table":
			v.count += len(ch) // the rows were checked above
			if v.count > maxBlockElements {
				return errBody("the request has more than %d block elements.", maxBlockElements)
			}
		case "column_list":
			// A column list and its columns count as one level, as in the
			// SDK's request types (column_list > column > block).
			return v.columns(ch, p+".children", depth)
		default:
			return v.children(ch, p+".children", depth+1)
		}
	}
	return nil
}

func (v *blockCheck) columns(cols []any, path string, depth int) error {
	for i, c := range cols {
		col := c.(map[string]any)
		v.count++
		inner, _ := childrenOf(col, "column")
		if err := v.children(inner, fmt.Sprintf("%s[%d].column.children", path, i), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// preview is a request value as Notion quotes it in a message: JSON, cut
// after 55 characters.
func preview(x any) string {
	b, _ := json.Marshal(x)
	if r := []rune(string(b)); len(r) > 55 {
		return string(r[:55]) + "..."
	}
	return string(b)
}

// tableRow checks a table_row against the width of its table.
func (v *blockCheck) tableRow(row map[string]any, path string, width int64) error {
	rc, _ := row["table_row"].(map[string]any)
	cells, _ := rc["cells"].([]any)
	if blockType(row) != "table_row" || int64(len(cells)) != width {
		return errBody("%s.table_row.cells.length should be %d (table_width), instead was %d.", path, width, len(cells))
	}
	for j, cell := range cells {
		if err := v.richText(cell, fmt.Sprintf("%s.table_row.cells[%d]", path, j)); err != nil {
			return err
		}
	}
	return nil
}

// fileObject checks a file object in a request: external or file_upload.
// Notion-hosted "file" objects cannot be written back.
func (v *blockCheck) fileObject(f map[string]any, path string) error {
	switch str(f["type"]) {
	case "external":
		ext, _ := f["external"].(map[string]any)
		if n := jsLen(str(ext["url"])); n > maxURL {
			return errBody("%s.external.url.length should be ≤ %d, instead was %d.", path, maxURL, n)
		}
	case "file_upload":
		fu, _ := f["file_upload"].(map[string]any)
		id := normID(str(fu["id"]))
		if err := v.s.checkUpload(id, path+".file_upload.id"); err != nil {
			return err
		}
		v.uploads = append(v.uploads, id)
	case "file":
		return errBody("%s.file should be not present: Notion-hosted files are attached with a file_upload.", path)
	default:
		if f["external"] == nil && f["file_upload"] == nil {
			return errBody("%s.external should be defined, instead was `undefined`.", path)
		}
	}
	return nil
}

// richText checks a rich text array.
func (v *blockCheck) richText(x any, path string) error {
	arr, ok := x.([]any)
	if !ok {
		return errBody("%s should be an array, instead was `%v`.", path, x)
	}
	if len(arr) > maxArray {
		return errBody("%s.length should be ≤ %d, instead was %d.", path, maxArray, len(arr))
	}
	for i, it := range arr {
		m, _ := it.(map[string]any)
		p := fmt.Sprintf("%s[%d]", path, i)
		if t, ok := m["text"].(map[string]any); ok {
			if n := jsLen(str(t["content"])); n > maxTextContent {
				return errBody("%s.text.content.length should be ≤ %d, instead was %d.", p, maxTextContent, n)
			}
			if l, ok := t["link"].(map[string]any); ok {
				if n := jsLen(str(l["url"])); n > maxURL {
					return errBody("%s.text.link.url.length should be ≤ %d, instead was %d.", p, maxURL, n)
				}
			}
		}
		if e, ok := m["equation"].(map[string]any); ok {
			if n := jsLen(str(e["expression"])); n > maxExpression {
				return errBody("%s.equation.expression.length should be ≤ %d, instead was %d.", p, maxExpression, n)
			}
		}
		if mm, ok := m["mention"].(map[string]any); ok {
			if err := checkMention(mm, p+".mention"); err != nil {
				return err
			}
		}
		if m["text"] == nil && m["equation"] == nil && m["mention"] == nil {
			return errBody("%s should be a rich text item (text, mention or equation), instead was `%v`.", p, it)
		}
	}
	return nil
}

// properties checks page property values against a schema (nil for a page
// under a page, where only the title may be set).
func (v *blockCheck) properties(props map[string]any, schema map[string]any) error {
	for name, val := range props {
		p := "body.properties." + name
		typ := propType(name, val, schema)
		if schema != nil && schemaProp(schema, name) == nil {
			return errValidation("%s is not a property that exists.", name)
		}
		if schema == nil && typ != "title" {
			return errValidation("Invalid property identifier for a page that is not in a data source: %s.", name)
		}
		if readOnlyProperties[typ] {
			return errBody("%s.%s should be not present: %s values are computed by Notion and cannot be written.", p, typ, typ)
		}
		raw := propPayload(val, typ)
		switch typ {
		case "title", "rich_text":
			if err := v.richText(raw, p+"."+typ); err != nil {
				return err
			}
		case "relation", "people", "multi_select", "files":
			arr, ok := raw.([]any)
			if !ok {
				return errBody("%s.%s should be an array, instead was `%v`.", p, typ, raw)
			}
			if len(arr) > maxArray {
				return errBody("%s.%s.length should be ≤ %d, instead was %d.", p, typ, maxArray, len(arr))
			}
			if typ == "files" {
				for i, f := range arr {
					fm, _ := f.(map[string]any)
					if err := v.fileObject(fm, fmt.Sprintf("%s.files[%d]", p, i)); err != nil {
						return err
					}
				}
			}
		case "url":
			if n := jsLen(str(raw)); n > maxURL {
				return errBody("%s.url.length should be ≤ %d, instead was %d.", p, maxURL, n)
			}
		case "email", "phone_number":
			if n := jsLen(str(raw)); n > 200 {
				return errBody("%s.%s.length should be ≤ 200, instead was %d.", p, typ, n)
			}
		}
	}
	return nil
}

// iconCover checks an icon or a cover in a request.
func (v *blockCheck) iconCover(body map[string]any) error {
	for _, k := range []string{"icon", "cover"} {
		f, ok := body[k].(map[string]any)
		if !ok {
			continue
		}
		if t := str(f["type"]); t == "file_upload" || t == "external" || t == "file" {
			if err := v.fileObject(f, "body."+k); err != nil {
				return err
			}
		}
	}
	return nil
}

func schemaProp(schema map[string]any, nameOrID string) map[string]any {
	if d, ok := schema[nameOrID].(map[string]any); ok {
		return d
	}
	for _, d := range schema {
		if m, _ := d.(map[string]any); str(m["id"]) == nameOrID {
			return m
		}
	}
	return nil
}

// propType is the type of a property value in a request.
func propType(name string, val any, schema map[string]any) string {
	if schema != nil {
		if d := schemaProp(schema, name); d != nil {
			return str(d["type"])
		}
	}
	if _, ok := val.([]any); ok {
		return "title" // the shorthand {"title": [...]} Notion accepts
	}
	m, _ := val.(map[string]any)
	if t := str(m["type"]); t != "" {
		return t
	}
	for k := range m {
		if k != "id" && k != "name" {
			return k
		}
	}
	return ""
}

// propPayload is the value part of a property value in a request.
func propPayload(val any, typ string) any {
	if m, ok := val.(map[string]any); ok {
		if x, ok := m[typ]; ok {
			return x
		}
		return nil
	}
	return val
}

// writableMentions are the mention kinds a request may create; link
// previews and link mentions are Notion's own (RichTextItemRequest).
var writableMentions = []string{"user", "date", "page", "database", "template_mention", "custom_emoji"}

// checkMention checks a request's mention: a kind the API creates, with
// the object it names.
func checkMention(m map[string]any, path string) error {
	kind := str(m["type"])
	if kind == "" {
		for _, k := range writableMentions {
			if m[k] != nil {
				kind = k
				break
			}
		}
	}
	if !slices.Contains(writableMentions, kind) {
		return errBody("%s should be a mention of a user, date, page, database, template_mention or custom_emoji, instead was `%v`.", path, m)
	}
	body, ok := m[kind].(map[string]any)
	if !ok {
		return errBody("%s.%s should be an object, instead was `%v`.", path, kind, m[kind])
	}
	switch kind {
	case "user", "page", "database", "custom_emoji":
		if str(body["id"]) == "" {
			return errBody("%s.%s.id should be defined, instead was `undefined`.", path, kind)
		}
	case "date":
		if str(body["start"]) == "" {
			return errBody("%s.date.start should be defined, instead was `undefined`.", path)
		}
	}
	return nil
}
