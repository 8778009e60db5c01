package layout

import (
	"reflect"
	"slices"
	"testing"
)

// countingSource counts the reads of each path.
type countingSource struct {
	MapSource
	reads map[string]int
}

func (c *countingSource) Read(path string) ([]byte, error) {
	c.reads[path]++
	return c.MapSource.Read(path)
}

// TestOpenSnapshotMatchesDecode opens the sample tree and checks that each
// page's object and content, decoded on demand, are the page DecodeSnapshot
// gives, that its outline and header are the decoded page's, and that the
// opened snapshot keeps no page object, block or comment of its own.
func TestOpenSnapshotMatchesDecode(t *testing.T) {
	_, tree := sampleTree(t)
	whole, err := DecodeSnapshot(tree)
	if err != nil {
		t.Fatal(err)
	}
	src := &countingSource{tree, map[string]int{}}
	open, err := OpenSnapshot(src)
	if err != nil {
		t.Fatal(err)
	}
	if !open.Opened() || whole.Opened() {
		t.Fatalf("Opened: %v for the opened snapshot, %v for the decoded one", open.Opened(), whole.Opened())
	}
	if !reflect.DeepEqual(open.Databases, whole.Databases) || !reflect.DeepEqual(open.DataSources, whole.DataSources) ||
		!reflect.DeepEqual(open.Users, whole.Users) || !reflect.DeepEqual(open.Files, whole.Files) || !reflect.DeepEqual(open.Meta, whole.Meta) {
		t.Fatal("the opened snapshot's databases, data sources, users, files or meta differ from the decoded one's")
	}
	if !reflect.DeepEqual(open.Objects(), whole.Objects()) {
		t.Fatal("Objects differ between the opened and the decoded snapshot")
	}
	blocks, comments := 0, 0
	for id, wp := range whole.Pages {
		op := open.Pages[id]
		if op == nil || !reflect.DeepEqual(op, &Page{ID: id}) {
			t.Fatalf("page %s: the opened snapshot holds %v", id, op)
		}
		if !reflect.DeepEqual(open.Outline(id), OutlineOf(wp)) || !reflect.DeepEqual(whole.Outline(id), OutlineOf(wp)) {
			t.Fatalf("page %s: outlines differ", id)
		}
		if !reflect.DeepEqual(open.Header(id), HeaderOf(wp.Object)) || !reflect.DeepEqual(whole.Header(id), HeaderOf(wp.Object)) {
			t.Fatalf("page %s: headers differ: %+v, want %+v", id, open.Header(id), HeaderOf(wp.Object))
		}
		before := src.reads[PagePath(id)]
		obj, err := open.PageObject(id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(obj, &Page{ID: id, Object: wp.Object, Children: wp.Children, Extra: wp.Extra}) {
			t.Fatalf("page %s: object, children or extra decoded on demand differ", id)
		}
		if src.reads[PagePath(id)] != before+1 {
			t.Fatalf("page %s: PageObject did not read page.json again", id)
		}
		before = src.reads[PagePath(id)]
		got, err := open.PageContent(id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, wp) {
			t.Fatalf("page %s: content decoded on demand differs from DecodeSnapshot's", id)
		}
		if src.reads[PagePath(id)] != before+1 {
			t.Fatalf("page %s: PageContent did not read the page's files again", id)
		}
		cs, err := open.PageComments(id)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) > 0 || len(wp.Comments) > 0 {
			if !reflect.DeepEqual(cs, wp.Comments) {
				t.Fatalf("page %s: comments decoded on demand differ", id)
			}
		}
		blocks += len(wp.Blocks)
		comments += len(wp.Comments)
	}
	if blocks == 0 || comments == 0 {
		t.Fatalf("the sample has %d blocks and %d comments: the test compares nothing", blocks, comments)
	}
	for _, c := range []func(string) error{
		func(id string) error { _, err := open.PageContent(id); return err },
		func(id string) error { _, err := open.PageComments(id); return err },
		func(id string) error { _, err := open.PageObject(id); return err },
	} {
		if c(b(77)) == nil {
			t.Fatal("a page not in the snapshot gave no error")
		}
	}
}

// TestHeaderOf reads a row's header: its parent, title, times, trash, the
// longest relation and the ids its text properties mention.
func TestHeaderOf(t *testing.T) {
	row, err := Decode([]byte(`{
		"object": "page", "id": "` + b(1) + `", "in_trash": true,
		"created_time": "2024-01-02T03:04:00.000Z", "last_edited_time": "2024-02-02T03:04:00.000Z",
		"parent": {"type": "data_source_id", "data_source_id": "` + b(2) + `"},
		"properties": {
			"Name": {"id": "title", "type": "title", "title": [
				{"type": "text", "text": {"content": "see "}, "plain_text": "see "},
				{"type": "mention", "mention": {"type": "page", "page": {"id": "` + b(3) + `"}}, "plain_text": "Other"}]},
			"Notes": {"id": "n", "type": "rich_text", "rich_text": [
				{"type": "mention", "mention": {"type": "date", "date": {"start": "2024-01-01"}}, "plain_text": "2024-01-01"},
				{"type": "mention", "mention": {"type": "user", "user": {"object": "user", "id": "` + b(4) + `"}}, "plain_text": "@A"}]},
			"Few": {"id": "f", "type": "relation", "relation": [{"id": "` + b(5) + `"}], "has_more": false},
			"Many": {"id": "m", "type": "relation", "relation": [{"id": "` + b(5) + `"}, {"id": "` + b(6) + `"}, {"id": "` + b(7) + `"}], "has_more": false}
		}}`))
	if err != nil {
		t.Fatal(err)
	}
	h := HeaderOf(row)
	slices.Sort(h.Mentions)
	want := &PageHeader{
		ParentType: "data_source_id", ParentID: b(2), Title: "see Other",
		Created: "2024-01-02T03:04:00.000Z", LastEdited: "2024-02-02T03:04:00.000Z", Trashed: true,
		MaxRelation: 3, Mentions: []string{b(3), b(4)},
	}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("header\n%+v\nwant\n%+v", h, want)
	}
	if h := HeaderOf(Object{"parent": map[string]any{"type": "workspace", "workspace": true}}); h.ParentType != "workspace" || h.ParentID != "" {
		t.Errorf("a workspace page's header: %+v", h)
	}
}
