package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator"
)

// The tests below hold the emulator to Notion's write limits and rules. Each
// rejection is checked for its status, code and message, and for leaving the
// workspace exactly as it was.

const rootChildren = "/v1/blocks/" + rootID + "/children"

func txt(s string) map[string]any { return map[string]any{"text": map[string]any{"content": s}} }

// blk is a request block of type typ with content and children.
func blk(typ string, content map[string]any, kids ...any) map[string]any {
	if content == nil {
		content = map[string]any{}
	}
	if kids != nil {
		content["children"] = kids
	}
	return map[string]any{"type": typ, typ: content}
}

func toggle(kids ...any) map[string]any {
	return blk("toggle", map[string]any{"rich_text": []any{txt("t")}}, kids...)
}

func column(kids ...any) map[string]any {
	if kids == nil {
		kids = []any{}
	}
	return blk("column", nil, kids...)
}

func columnList(cols ...any) map[string]any { return blk("column_list", nil, cols...) }

func table(width int, rows ...any) map[string]any {
	return blk("table", map[string]any{"table_width": width, "has_column_header": false}, rows...)
}

func row(cells int) map[string]any {
	var cs []any
	for i := range cells {
		cs = append(cs, []any{txt(fmt.Sprint("c", i))})
	}
	return blk("table_row", map[string]any{"cells": cs})
}

func richText(n int) []any {
	var out []any
	for i := range n {
		out = append(out, txt(fmt.Sprint(i)))
	}
	return out
}

// repeat is n copies of a block.
func repeat(n int, b map[string]any) []any {
	var out []any
	for range n {
		out = append(out, b)
	}
	return out
}

// childIDs lists all children of a page or block, page by page.
func (e *env) childIDs(id string) []string {
	e.t.Helper()
	var ids []string
	path := "/v1/blocks/" + id + "/children"
	for {
		out := e.must("GET", path, nil)
		for _, r := range results(out) {
			ids = append(ids, field(r, "id").(string))
		}
		if out["has_more"] != true {
			return ids
		}
		path = "/v1/blocks/" + id + "/children?start_cursor=" + url.QueryEscape(out["next_cursor"].(string))
	}
}

// snapshot is the whole workspace as JSON.
func (e *env) snapshot() string {
	e.t.Helper()
	b, err := json.Marshal(e.srv.Fixture())
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

// rejected sends a request that must fail validation with message msg ("" to
// skip the message check), and checks that it changed nothing: the root page
// has as many children as before and the workspace is the same.
func (e *env) rejected(method, path string, body any, msg string) {
	e.t.Helper()
	before, kids := e.snapshot(), len(e.childIDs(rootID))
	status, out := e.do(method, path, body)
	wantError(e.t, status, out, 400, "validation_error")
	if msg != "" && out["message"] != msg {
		e.t.Fatalf("message %q\n   want %q", out["message"], msg)
	}
	if n := len(e.childIDs(rootID)); n != kids {
		e.t.Fatalf("root page has %d children after a rejected request, had %d", n, kids)
	}
	if e.snapshot() != before {
		e.t.Fatal("a rejected request changed the workspace")
	}
}

// types lists the types of blocks in order.
func (e *env) types(ids []string) []string {
	e.t.Helper()
	var out []string
	for _, id := range ids {
		out = append(out, field(e.must("GET", "/v1/blocks/"+id, nil), "type").(string))
	}
	return out
}

func TestTwoLevelsOfNesting(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	// Children, grandchildren and great-grandchildren of the page appended
	// to: the top-level blocks and two levels of nesting below them.
	out := e.must("PATCH", rootChildren, map[string]any{"children": []any{toggle(toggle(para("deep")))}})
	top := field(results(out)[0], "id").(string)
	mid := e.childIDs(top)
	if len(mid) != 1 {
		t.Fatalf("toggle has %d children, want 1", len(mid))
	}
	leaf := e.childIDs(mid[0])
	if got := e.types(leaf); !slices.Equal(got, []string{"paragraph"}) {
		t.Fatalf("inner toggle holds %v", got)
	}

	// A third level of nesting is rejected, where it appears.
	e.rejected("PATCH", rootChildren, map[string]any{"children": []any{para("fine"), toggle(toggle(toggle(para("too deep"))))}},
		"body failed validation: body.children[1].toggle.children[0].toggle.children[0].toggle.children should be not present, instead was `[{\"paragraph\":{\"rich_text\":[{\"text\":{\"content\":\"too dee...`.")
	e.rejected("POST", "/v1/pages", map[string]any{"parent": map[string]any{"page_id": rootID},
		"properties": map[string]any{"title": []any{txt("New")}},
		"children":   []any{toggle(toggle(toggle(para("too deep"))))}},
		"body failed validation: body.children[0].toggle.children[0].toggle.children[0].toggle.children should be not present, instead was `[{\"paragraph\":{\"rich_text\":[{\"text\":{\"content\":\"too dee...`.")
	// A page create takes two levels below its top-level blocks too.
	e.must("POST", "/v1/pages", map[string]any{"parent": map[string]any{"page_id": rootID},
		"properties": map[string]any{"title": []any{txt("New")}},
		"children":   []any{toggle(toggle(para("deep")))}})

	// A column list and its columns count as one level.
	e.must("PATCH", rootChildren, map[string]any{"children": []any{columnList(column(toggle(para("a"))), column(para("b")))}})
	e.rejected("PATCH", rootChildren, map[string]any{"children": []any{columnList(column(toggle(toggle(para("a")))), column(para("b")))}},
		"body failed validation: body.children[0].column_list.children[0].column.children[0].toggle.children[0].toggle.children should be not present, instead was `[{\"paragraph\":{\"rich_text\":[{\"text\":{\"content\":\"a\"}}]}}...`.")
	// Column lists are created at the top of a request only.
	e.rejected("PATCH", rootChildren, map[string]any{"children": []any{toggle(columnList(column(para("a")), column(para("b"))))}}, "")
	// A table's rows are a level: a table can be nested once.
	e.must("PATCH", rootChildren, map[string]any{"children": []any{toggle(table(1, row(1)))}})
	e.rejected("PATCH", rootChildren, map[string]any{"children": []any{toggle(toggle(table(1, row(1))))}},
		"body failed validation: body.children[0].toggle.children[0].toggle.children[0].table.children should be not present, instead was `[{\"table_row\":{\"cells\":[[{\"text\":{\"content\":\"c0\"}}]]},\"...`.")
}

func TestThousandBlockElements(t *testing.T) {
	const msg = "body failed validation: the request has more than 1000 block elements."
	// 90 toggles of 10 paragraphs are 990 elements.
	toggles := repeat(90, toggle(repeat(10, para("x"))...))
	with := func(more ...any) map[string]any {
		return map[string]any{"children": append(slices.Clone(toggles), more...)}
	}
	for _, c := range []struct {
		name string
		body map[string]any
		ok   bool
	}{
		{"1000 blocks", with(repeat(10, para("y"))...), true},
		{"1001 blocks", with(append(repeat(9, para("y")), toggle(para("z")))...), false},
		{"100 blocks of 10 children", map[string]any{"children": repeat(100, toggle(repeat(10, para("x"))...))}, false},
		{"table rows count, 1000", with(table(1, repeat(9, row(1))...)), true},
		{"table rows count, 1001", with(table(1, repeat(10, row(1))...)), false},
		{"columns count, 1000", with(columnList(column(repeat(4, para("a"))...), column(repeat(3, para("b"))...))), true},
		{"columns count, 1001", with(columnList(column(repeat(4, para("a"))...), column(repeat(4, para("b"))...))), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := start(t, smallWorkspace(), emulator.Options{})
			if !c.ok {
				e.rejected("PATCH", rootChildren, c.body, msg)
				return
			}
			out := e.must("PATCH", rootChildren, c.body)
			if n := len(results(out)); n != len(c.body["children"].([]any)) {
				t.Fatalf("append answered %d blocks", n)
			}
		})
	}
	t.Run("page create", func(t *testing.T) {
		e := start(t, smallWorkspace(), emulator.Options{})
		page := func(kids []any) map[string]any {
			return map[string]any{"parent": map[string]any{"page_id": rootID},
				"properties": map[string]any{"title": []any{txt("Big")}}, "children": kids}
		}
		e.rejected("POST", "/v1/pages", page(with(append(repeat(9, para("y")), toggle(para("z")))...)["children"].([]any)), msg)
		id := e.must("POST", "/v1/pages", page(with(repeat(10, para("y"))...)["children"].([]any)))["id"].(string)
		if n := len(e.childIDs(id)); n != 100 {
			t.Fatalf("new page has %d children, want 100", n)
		}
	})
}

// sized sets body's children to paragraphs of long texts so that body is
// exactly n bytes of JSON.
func sized(t *testing.T, body map[string]any, n int) map[string]any {
	t.Helper()
	var items []any
	measure := func(a, b int) int {
		all := append(slices.Clone(items), txt(strings.Repeat("a", a)), txt(strings.Repeat("b", b)))
		var paras []any
		for len(all) > 0 {
			k := min(len(all), 100)
			paras = append(paras, map[string]any{"paragraph": map[string]any{"rich_text": all[:k]}})
			all = all[k:]
		}
		body["children"] = paras
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		return len(raw)
	}
	long := txt(strings.Repeat("x", 2000))
	for gap := n - measure(0, 0) - 4000; gap > 0; gap = n - measure(0, 0) - 4000 {
		for range max(1, gap/2100) {
			items = append(items, long)
		}
	}
	x := n - measure(0, 0)
	if x < 0 || x > 4000 {
		t.Fatalf("cannot size a body to %d bytes (%d left)", n, x)
	}
	if got := measure(x/2, x-x/2); got != n {
		t.Fatalf("body is %d bytes, want %d", got, n)
	}
	return body
}

func TestFiveHundredKilobytes(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	e.rejected("PATCH", rootChildren, sized(t, map[string]any{}, 500_001),
		"body failed validation: the request body should be ≤ 500000 bytes, instead was 500001.")
	page := func() map[string]any {
		return map[string]any{"parent": map[string]any{"page_id": rootID}, "properties": map[string]any{"title": []any{txt("Big")}}}
	}
	e.rejected("POST", "/v1/pages", sized(t, page(), 500_001),
		"body failed validation: the request body should be ≤ 500000 bytes, instead was 500001.")
	e.must("PATCH", rootChildren, sized(t, map[string]any{}, 500_000))
	e.must("POST", "/v1/pages", sized(t, page(), 500_000))
}

// withProperties adds properties of the given types (named after them) to
// the data source of withDataSource.
func withProperties(t *testing.T, e *env, types ...string) {
	t.Helper()
	err := e.srv.UpdateSchema(dsID, func(props map[string]any) {
		for _, typ := range types {
			props[typ] = map[string]any{"id": "p_" + typ, "name": typ, "description": nil, "type": typ, typ: map[string]any{}}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

const firstRow = "66666666-6666-4666-8666-000000000000"

func TestHundredItemsPerArray(t *testing.T) {
	t.Run("rich text in a block", func(t *testing.T) {
		e := start(t, smallWorkspace(), emulator.Options{})
		e.rejected("PATCH", rootChildren, map[string]any{"children": []any{para("ok"), blk("paragraph", map[string]any{"rich_text": richText(101)})}},
			"body failed validation: body.children[1].paragraph.rich_text.length should be ≤ 100, instead was 101.")
		e.rejected("PATCH", "/v1/blocks/33333333-3333-4333-8333-333333333333", blk("paragraph", map[string]any{"rich_text": richText(101)}),
			"body failed validation: body.paragraph.rich_text.length should be ≤ 100, instead was 101.")
		e.must("PATCH", rootChildren, map[string]any{"children": []any{blk("paragraph", map[string]any{"rich_text": richText(100)})}})
	})
	t.Run("title of a page", func(t *testing.T) {
		e := start(t, smallWorkspace(), emulator.Options{})
		page := func(n int) map[string]any {
			return map[string]any{"parent": map[string]any{"page_id": rootID}, "properties": map[string]any{"title": map[string]any{"title": richText(n)}}}
		}
		e.rejected("POST", "/v1/pages", page(101), "body failed validation: body.properties.title.title.length should be ≤ 100, instead was 101.")
		e.must("POST", "/v1/pages", page(100))
	})
	values := map[string]func(i int) any{
		"rich_text":    func(i int) any { return txt(fmt.Sprint(i)) },
		"multi_select": func(i int) any { return map[string]any{"name": fmt.Sprint("tag", i)} },
		"relation":     func(i int) any { return map[string]any{"id": fmt.Sprintf("00000000-0000-4000-8000-%012d", i)} },
		"people":       func(i int) any { return map[string]any{"id": fmt.Sprintf("00000000-0000-4000-9000-%012d", i)} },
	}
	for _, typ := range slices.Sorted(func(yield func(string) bool) {
		for k := range values {
			if !yield(k) {
				return
			}
		}
	}) {
		t.Run(typ, func(t *testing.T) {
			e := start(t, withDataSource(smallWorkspace(), 1, 0), emulator.Options{})
			withProperties(t, e, typ)
			value := func(n int) map[string]any {
				var arr []any
				for i := range n {
					arr = append(arr, values[typ](i))
				}
				return map[string]any{typ: map[string]any{typ: arr}}
			}
			create := func(n int) map[string]any {
				return map[string]any{"parent": map[string]any{"data_source_id": dsID}, "properties": value(n)}
			}
			msg := fmt.Sprintf("body failed validation: body.properties.%s.%s.length should be ≤ 100, instead was 101.", typ, typ)
			e.rejected("POST", "/v1/pages", create(101), msg)
			e.rejected("PATCH", "/v1/pages/"+firstRow, map[string]any{"properties": value(101)}, msg)
			e.must("POST", "/v1/pages", create(100))
			e.must("PATCH", "/v1/pages/"+firstRow, map[string]any{"properties": value(100)})
		})
	}
}

func TestLinkAndExpressionLength(t *testing.T) {
	link := func(n int) map[string]any {
		return blk("paragraph", map[string]any{"rich_text": []any{
			map[string]any{"text": map[string]any{"content": "see", "link": map[string]any{"url": "https://e.com/" + strings.Repeat("a", n-14)}}}}})
	}
	equation := func(expr string) map[string]any { return blk("equation", map[string]any{"expression": expr}) }
	inline := func(expr string) map[string]any {
		return blk("paragraph", map[string]any{"rich_text": []any{map[string]any{"equation": map[string]any{"expression": expr}}}})
	}
	e := start(t, smallWorkspace(), emulator.Options{})
	for _, c := range []struct {
		block map[string]any
		msg   string
	}{
		{link(2001), "body failed validation: body.children[0].paragraph.rich_text[0].text.link.url.length should be ≤ 2000, instead was 2001."},
		{equation(strings.Repeat("x", 1001)), "body failed validation: body.children[0].equation.expression.length should be ≤ 1000, instead was 1001."},
		// Lengths are counted in UTF-16 units, as JavaScript does.
		{equation(strings.Repeat("😀", 501)), "body failed validation: body.children[0].equation.expression.length should be ≤ 1000, instead was 1002."},
		{inline(strings.Repeat("x", 1001)), "body failed validation: body.children[0].paragraph.rich_text[0].equation.expression.length should be ≤ 1000, instead was 1001."},
	} {
		e.rejected("PATCH", rootChildren, map[string]any{"children": []any{c.block}}, c.msg)
	}
	e.must("PATCH", rootChildren, map[string]any{"children": []any{
		link(2000), equation(strings.Repeat("x", 1000)), equation(strings.Repeat("😀", 500)), inline(strings.Repeat("x", 1000))}})
}

func TestColumnLists(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	e.rejected("PATCH", rootChildren, map[string]any{"children": []any{columnList(column(para("only")))}},
		"body failed validation: body.children[0].column_list.children.length should be ≥ 2, instead was 1.")
	e.rejected("PATCH", rootChildren, map[string]any{"children": []any{columnList(column(para("a")), column())}},
		"body failed validation: body.children[0].column_list.children[1].column.children.length should be ≥ 1, instead was 0.")
	e.rejected("PATCH", rootChildren, map[string]any{"children": []any{columnList(column(para("a")), para("b"))}},
		"body failed validation: body.children[0].column_list.children[1].type should be `column`, instead was `\"paragraph\"`.")

	out := e.must("PATCH", rootChildren, map[string]any{"children": []any{columnList(column(para("a")), column(para("b")))}})
	list := field(results(out)[0], "id").(string)
	cols := e.childIDs(list)
	if got := e.types(cols); !slices.Equal(got, []string{"column", "column"}) {
		t.Fatalf("column list holds %v", got)
	}
	for _, c := range cols {
		if got := e.types(e.childIDs(c)); !slices.Equal(got, []string{"paragraph"}) {
			t.Fatalf("column holds %v", got)
		}
	}
}

func TestTables(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	e.rejected("PATCH", rootChildren, map[string]any{"children": []any{table(2, row(2), row(3))}},
		"body failed validation: body.children[0].table.children[1].table_row.cells.length should be 2 (table_width), instead was 3.")
	e.rejected("PATCH", rootChildren, map[string]any{"children": []any{table(2, repeat(101, row(2))...)}},
		"body failed validation: body.children[0].table.children.length should be ≤ 100, instead was 101.")

	out := e.must("PATCH", rootChildren, map[string]any{"children": []any{table(2, row(2), row(2))}})
	tbl := field(results(out)[0], "id").(string)
	rows := e.childIDs(tbl)
	if got := e.types(rows); !slices.Equal(got, []string{"table_row", "table_row"}) {
		t.Fatalf("table holds %v", got)
	}

	// Rows appended later have the table's width.
	e.rejected("PATCH", "/v1/blocks/"+tbl+"/children", map[string]any{"children": []any{row(2), row(1)}},
		"body failed validation: body.children[1].table_row.cells.length should be 2 (table_width), instead was 1.")
	e.must("PATCH", "/v1/blocks/"+tbl+"/children", map[string]any{"children": []any{row(2)}})
	// So do rows updated.
	e.rejected("PATCH", "/v1/blocks/"+rows[0], map[string]any{"table_row": row(3)["table_row"]},
		"body failed validation: body.table_row.cells.length should be 2 (table_width), instead was 3.")
	e.must("PATCH", "/v1/blocks/"+rows[0], map[string]any{"table_row": row(2)["table_row"]})

	// The width cannot change; the headers can.
	e.rejected("PATCH", "/v1/blocks/"+tbl, map[string]any{"table": map[string]any{"table_width": 3}},
		"body failed validation: body.table.table_width should be not present: a table's width cannot change, it is 2.")
	got := e.must("PATCH", "/v1/blocks/"+tbl, map[string]any{"table": map[string]any{"has_column_header": true}})
	if field(got, "table", "has_column_header") != true || fmt.Sprint(field(got, "table", "table_width")) != "2" {
		t.Fatalf("table after update: %v", got["table"])
	}
	e.must("PATCH", "/v1/blocks/"+tbl, map[string]any{"table": map[string]any{"table_width": 2, "has_row_header": true}})
}

func TestUncreatableBlockTypes(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	for _, typ := range []string{"child_page", "child_database", "link_preview", "meeting_notes", "transcription", "template", "unsupported"} {
		content := map[string]any{"title": "x", "url": "https://e.com", "rich_text": []any{}}
		msg := fmt.Sprintf("body failed validation: body.children[1].type should be a block type that can be created, instead was `%q`.", typ)
		e.rejected("PATCH", rootChildren, map[string]any{"children": []any{para("ok"), blk(typ, content)}}, msg)
		// Without "type", the content key names the type.
		e.rejected("PATCH", rootChildren, map[string]any{"children": []any{para("ok"), map[string]any{typ: content}}}, msg)
	}
	e.rejected("PATCH", rootChildren, map[string]any{"children": []any{map[string]any{"hologram": map[string]any{}}}},
		"body failed validation: body.children[0].hologram should be not present: `hologram` is not a known block type.")
	e.rejected("PATCH", rootChildren, map[string]any{"children": []any{toggle(blk("hologram", nil))}},
		"body failed validation: body.children[0].toggle.children[0].hologram should be not present: `hologram` is not a known block type.")
	e.rejected("POST", "/v1/pages", map[string]any{"parent": map[string]any{"page_id": rootID},
		"properties": map[string]any{"title": []any{txt("New")}}, "children": []any{blk("child_page", map[string]any{"title": "x"})}},
		"body failed validation: body.children[0].type should be a block type that can be created, instead was `\"child_page\"`.")
}

func TestReadOnlyPropertyValues(t *testing.T) {
	values := map[string]any{
		"formula":          map[string]any{"type": "string", "string": "x"},
		"rollup":           map[string]any{"type": "number", "number": 1, "function": "sum"},
		"created_time":     "2024-01-01T00:00:00.000Z",
		"created_by":       map[string]any{"object": "user", "id": authorID},
		"last_edited_time": "2024-01-01T00:00:00.000Z",
		"last_edited_by":   map[string]any{"object": "user", "id": authorID},
		"unique_id":        map[string]any{"prefix": "T", "number": 1},
		"button":           map[string]any{},
		"verification":     map[string]any{"state": "verified"},
	}
	for _, typ := range slices.Sorted(func(yield func(string) bool) {
		for k := range values {
			if !yield(k) {
				return
			}
		}
	}) {
		t.Run(typ, func(t *testing.T) {
			e := start(t, withDataSource(smallWorkspace(), 1, 0), emulator.Options{})
			withProperties(t, e, typ)
			props := map[string]any{"Name": map[string]any{"title": []any{txt("Row")}}, typ: map[string]any{typ: values[typ]}}
			msg := fmt.Sprintf("body failed validation: body.properties.%s.%s should be not present: %s values are computed by Notion and cannot be written.", typ, typ, typ)
			e.rejected("POST", "/v1/pages", map[string]any{"parent": map[string]any{"data_source_id": dsID}, "properties": props}, msg)
			e.rejected("PATCH", "/v1/pages/"+firstRow, map[string]any{"properties": props}, msg)
			// The same request without the read-only value is fine.
			delete(props, typ)
			e.must("POST", "/v1/pages", map[string]any{"parent": map[string]any{"data_source_id": dsID}, "properties": props})
			e.must("PATCH", "/v1/pages/"+firstRow, map[string]any{"properties": props})
		})
	}
}

func TestMentionsAndPeopleBeyond25(t *testing.T) {
	e := start(t, withDataSource(smallWorkspace(), 0, 0), emulator.Options{})
	withProperties(t, e, "rich_text", "people")
	// 30 mentions between 31 texts, and 30 people.
	mentions := func() []any {
		out := []any{txt("t0")}
		for i := range 30 {
			out = append(out, map[string]any{"mention": map[string]any{"type": "page", "page": map[string]any{"id": rootID}}, "plain_text": fmt.Sprint("m", i)},
				txt(fmt.Sprint("t", i+1)))
		}
		return out
	}
	var people []any
	for i := range 30 {
		people = append(people, map[string]any{"id": fmt.Sprintf("00000000-0000-4000-9000-%012d", i)})
	}
	page := e.must("POST", "/v1/pages", map[string]any{"parent": map[string]any{"data_source_id": dsID}, "properties": map[string]any{
		"Name": map[string]any{"title": mentions()}, "rich_text": map[string]any{"rich_text": mentions()},
		"people": map[string]any{"people": people}}})
	id := page["id"].(string)
	for _, got := range []map[string]any{page, e.must("GET", "/v1/pages/"+id, nil)} {
		for name, typ := range map[string]string{"Name": "title", "rich_text": "rich_text"} {
			items := field(got, "properties", name, typ).([]any)
			var m, texts int
			for _, it := range items {
				if field(it, "type") == "mention" {
					m++
				} else {
					texts++
				}
			}
			if m != 25 || texts != 31 {
				t.Fatalf("%s carries %d mentions and %d texts, want 25 and 31", name, m, texts)
			}
		}
		if n := len(field(got, "properties", "people", "people").([]any)); n != 25 || field(got, "properties", "people", "has_more") != true {
			t.Fatalf("page carries %d people, has_more %v", n, field(got, "properties", "people", "has_more"))
		}
	}
	// All of them come from the property item endpoint.
	for prop, want := range map[string]int{"title": 61, "p_rich_text": 61, "p_people": 30} {
		var n int
		path := "/v1/pages/" + id + "/properties/" + prop + "?page_size=20"
		for {
			out := e.must("GET", path, nil)
			n += len(results(out))
			if out["has_more"] != true {
				break
			}
			path = "/v1/pages/" + id + "/properties/" + prop + "?page_size=20&start_cursor=" + url.QueryEscape(out["next_cursor"].(string))
		}
		if n != want {
			t.Fatalf("property %s lists %d items, want %d", prop, n, want)
		}
	}
}

func TestAppendAfter(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	first := "33333333-3333-4333-8333-333333333333"
	text := func() []string {
		var out []string
		for _, id := range e.childIDs(rootID) {
			b := e.must("GET", "/v1/blocks/"+id, nil)
			rt, _ := field(b, "paragraph", "rich_text").([]any)
			s := "-"
			if len(rt) > 0 {
				s = field(rt[0], "plain_text").(string)
			}
			out = append(out, s)
		}
		return out
	}
	ids := func(out map[string]any) []string {
		var s []string
		for _, r := range results(out) {
			s = append(s, field(r, "id").(string))
		}
		return s
	}
	xy := ids(e.must("PATCH", rootChildren, map[string]any{"children": []any{para("x"), para("y")}}))
	e.must("PATCH", rootChildren, map[string]any{"after": first, "children": []any{para("z")}})
	out := e.must("PATCH", rootChildren, map[string]any{"after": xy[0], "children": []any{para("p"), para("q")}})
	if got := len(results(out)); got != 2 {
		t.Fatalf("append after answered %d blocks, want the 2 new ones", got)
	}
	if got, want := text(), []string{"-", "z", "x", "p", "q", "y"}; !slices.Equal(got, want) {
		t.Fatalf("children read %v, want %v", got, want)
	}
	// after must name a child of the block appended to.
	status, res := e.do("PATCH", rootChildren, map[string]any{"after": rootID, "children": []any{para("r")}})
	wantError(t, status, res, 400, "validation_error")
	if got := len(e.childIDs(rootID)); got != 6 {
		t.Fatalf("%d children after a rejected append, want 6", got)
	}
}

func TestRejectedRequestChangesNothing(t *testing.T) {
	e := start(t, withDataSource(smallWorkspace(), 1, 0), emulator.Options{})
	withProperties(t, e, "formula")
	before := len(e.childIDs(rootID))
	// The bad block comes last, after 99 good ones.
	bad := append(repeat(99, para("good")), blk("child_page", map[string]any{"title": "x"}))
	for _, req := range []struct {
		method, path string
		body         map[string]any
	}{
		{"PATCH", rootChildren, map[string]any{"children": bad}},
		{"POST", "/v1/pages", map[string]any{"parent": map[string]any{"page_id": rootID},
			"properties": map[string]any{"title": []any{txt("New")}}, "children": bad}},
		{"POST", "/v1/pages", map[string]any{"parent": map[string]any{"data_source_id": dsID}, "properties": map[string]any{
			"Name": map[string]any{"title": []any{txt("New")}}, "formula": map[string]any{"formula": map[string]any{"string": "x"}}}}},
		{"PATCH", "/v1/pages/" + firstRow, map[string]any{"properties": map[string]any{
			"Name": map[string]any{"title": []any{txt("Renamed")}}, "formula": map[string]any{"formula": map[string]any{"string": "x"}}}}},
	} {
		status, out := e.do(req.method, req.path, req.body)
		wantError(t, status, out, 400, "validation_error")
	}
	if n := len(e.childIDs(rootID)); n != before {
		t.Fatalf("root page has %d children after rejected requests, had %d", n, before)
	}
	rows := results(e.must("POST", "/v1/data_sources/"+dsID+"/query", map[string]any{}))
	if len(rows) != 1 {
		t.Fatalf("data source has %d rows after a rejected create, want 1", len(rows))
	}
	if title := field(e.must("GET", "/v1/pages/"+firstRow, nil), "properties", "Name", "title").([]any); len(title) != 0 {
		t.Fatalf("rejected update renamed the row: %v", title)
	}
}
