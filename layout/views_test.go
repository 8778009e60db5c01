package layout

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// withViews is the sample tree with two views of its database, the second
// one with a filter that names a property by id.
func withViews(t *testing.T) (*Snapshot, MapSource) {
	t.Helper()
	s := sampleSnapshot(t)
	view := func(id, typ, extra string) *View {
		return &View{ID: id, Object: mustDecode(t, `{"object":"view","id":"`+id+`","parent":{"type":"database_id","database_id":"`+dbID+`"},`+
			`"data_source_id":"`+dsID+`","name":"`+typ+`","type":"`+typ+`","created_time":"2026-07-04T09:10:20.602+00:00",`+
			`"last_edited_time":"2026-07-04T09:10:20.602+00:00","url":"https://www.notion.so/x?v=1","configuration":{"type":"`+typ+`"`+extra+`}}`)}
	}
	s.Databases[dbID].Views = []*View{
		view(b(71), "table", `,"properties":[{"property_id":"title","visible":true,"width":1.50}]`),
		view(b(70), "board", `,"group_by":{"type":"select","property_id":"%3AUPp","sort":{"type":"manual"}}`),
	}
	files, err := EncodeSnapshot(s)
	if err != nil {
		t.Fatal(err)
	}
	return s, MapSource(files)
}

func TestViewsRoundTrip(t *testing.T) {
	want, tree := withViews(t)
	if _, ok := tree[ViewPath(dbID, b(70))]; !ok {
		t.Fatalf("no file at %s", ViewPath(dbID, b(70)))
	}
	if !bytes.Contains(tree[DatabasePath(dbID)], []byte(`"views": [`+"\n      \""+b(71)+`",`)) {
		t.Errorf("database.json does not hold the tab order:\n%s", tree[DatabasePath(dbID)])
	}
	if !bytes.Contains(tree[ViewPath(dbID, b(71))], []byte(`"width": 1.50`)) {
		t.Errorf("a number of a view was not kept as sent:\n%s", tree[ViewPath(dbID, b(71))])
	}
	got, err := DecodeSnapshot(tree)
	if err != nil {
		t.Fatal(err)
	}
	normalizeSnapshot(want)
	for _, v := range want.Databases[dbID].Views {
		Normalize(v.Object)
	}
	if !reflect.DeepEqual(got.Databases[dbID], want.Databases[dbID]) {
		t.Fatalf("database read back differs:\n got %#v\nwant %#v", got.Databases[dbID], want.Databases[dbID])
	}
	again, err := EncodeSnapshot(got)
	if err != nil {
		t.Fatal(err)
	}
	for p, b := range again {
		if !bytes.Equal(b, tree[p]) {
			t.Errorf("%s: re-encoding changed its bytes", p)
		}
	}
}

// TestSnapshotWithoutViews: a tree written before views were backed up
// reads back with no views, and writes back byte for byte.
func TestSnapshotWithoutViews(t *testing.T) {
	_, tree := sampleTree(t)
	if bytes.Contains(tree[DatabasePath(dbID)], []byte(`"views"`)) {
		t.Fatalf("a database without views lists views:\n%s", tree[DatabasePath(dbID)])
	}
	got, err := DecodeSnapshot(tree)
	if err != nil {
		t.Fatal(err)
	}
	if got.Databases[dbID].Views != nil {
		t.Errorf("views of a database that has none: %v", got.Databases[dbID].Views)
	}
}

func TestViewsDecodeErrors(t *testing.T) {
	cases := []struct {
		name   string
		change func(MapSource)
		want   string
	}{
		{"listed view without file", func(m MapSource) { delete(m, ViewPath(dbID, b(70))) }, DatabasePath(dbID) + ": notion_git.views: view " + b(70) + " has no file"},
		{"view file not listed", func(m MapSource) {
			m[ViewPath(dbID, b(72))] = bytes.ReplaceAll(m[ViewPath(dbID, b(70))], []byte(b(70)), []byte(b(72)))
		}, ViewPath(dbID, b(72)) + ": not listed"},
		{"view of a database not in the tree", func(m MapSource) {
			m[ViewPath(b(73), b(70))] = m[ViewPath(dbID, b(70))]
		}, ViewPath(b(73), b(70)) + ": the view's database has no"},
		{"id does not match path", func(m MapSource) {
			m[ViewPath(dbID, b(70))] = bytes.ReplaceAll(m[ViewPath(dbID, b(70))], []byte(b(70)), []byte(b(74)))
		}, ViewPath(dbID, b(70)) + `: id "` + b(74)},
		{"views on a page", func(m MapSource) {
			m[PagePath(rowID)] = bytes.Replace(m[PagePath(rowID)], []byte(`"property_items_complete"`), []byte(`"views": ["`+b(70)+`"], "property_items_complete"`), 1)
		}, PagePath(rowID) + ": notion_git: views: only a database has views"},
		{"bad id in the order", func(m MapSource) {
			m[DatabasePath(dbID)] = bytes.Replace(m[DatabasePath(dbID)], []byte(b(71)), []byte(".."), 1)
		}, DatabasePath(dbID) + ": notion_git: children: \"..\""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, tree := withViews(t)
			m := MapSource{}
			for k, v := range tree {
				m[k] = v
			}
			tc.change(m)
			_, err := DecodeSnapshot(m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
