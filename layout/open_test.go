package layout

import (
	"reflect"
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
// page's content, decoded on demand, is the page DecodeSnapshot gives, that
// its outline is the decoded page's, and that the opened snapshot keeps no
// block or comment of its own.
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
		if op == nil || op.Blocks != nil || op.Comments != nil {
			t.Fatalf("page %s: the opened snapshot holds %v", id, op)
		}
		if !reflect.DeepEqual(op.Object, wp.Object) || !reflect.DeepEqual(op.Children, wp.Children) || !reflect.DeepEqual(op.Extra, wp.Extra) {
			t.Fatalf("page %s: object, children or extra differ", id)
		}
		if !reflect.DeepEqual(open.Outline(id), OutlineOf(wp)) || !reflect.DeepEqual(whole.Outline(id), OutlineOf(wp)) {
			t.Fatalf("page %s: outlines differ", id)
		}
		before := src.reads[PagePath(id)]
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
	} {
		if c(b(77)) == nil {
			t.Fatal("a page not in the snapshot gave no error")
		}
	}
}
