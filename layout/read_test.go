package layout

import (
	"strings"
	"testing"
)

func TestTitle(t *testing.T) {
	t.Parallel()
	s := sampleSnapshot(t)
	for _, tc := range []struct {
		what string
		obj  Object
		want string
	}{
		{"page", s.Pages[rootID].Object, "Handbook <draft> & notes"},
		{"row", s.Pages[rowID].Object, "Ship v1"},
		{"database", s.Databases[dbID].Object, "Tasks"},
		{"data source", s.DataSources[dsID].Object, "Tasks"}, // its schema's title property is no title
		{"nothing", Object{}, ""},
		{"two title properties, by name", mustDecode(t, `{"properties":{"b":{"type":"title","title":`+rich("second")+`},"a":{"type":"title","title":`+rich("first")+`}}}`), "first"},
	} {
		if got := Title(tc.obj); got != tc.want {
			t.Errorf("Title of a %s = %q, want %q", tc.what, got, tc.want)
		}
	}
}

func TestPlainText(t *testing.T) {
	t.Parallel()
	two := mustDecode(t, `{"t":[{"plain_text":"a "},{"type":"mention","plain_text":"@Ann"},{"plain_text":7},"x"]}`)["t"]
	for _, tc := range []struct {
		in   any
		want string
	}{
		{two, "a @Ann"},
		{nil, ""},
		{"not rich text", ""},
		{map[string]any{"plain_text": "no array"}, ""},
	} {
		if got := PlainText(tc.in); got != tc.want {
			t.Errorf("PlainText(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReadState(t *testing.T) {
	t.Parallel()
	if s, err := ReadState(MapSource{}); s != nil || err != nil {
		t.Errorf("ReadState of a tree without state = %v, %v; want nil, nil", s, err)
	}
	want := &State{Version: StateVersion, LastSync: "2026-07-04T09:08:00Z", Objects: map[string]ObjectState{pageID: {Kind: KindPage, Title: "x"}}}
	b, err := EncodeState(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadState(MapSource{StatePath: b})
	if err != nil || got.LastSync != want.LastSync || got.Objects[pageID].Title != "x" {
		t.Errorf("ReadState = %+v, %v", got, err)
	}
	if _, err := ReadState(MapSource{StatePath: []byte(`{"version":9}`)}); err == nil || !strings.HasPrefix(err.Error(), StatePath+": ") {
		t.Errorf("ReadState of a bad state: %v, want an error naming %s", err, StatePath)
	}
}

func TestReadObject(t *testing.T) {
	t.Parallel()
	_, tree := sampleTree(t)
	for _, path := range []string{PagePath(rowID), DataSourcePath(dsID), DatabasePath(dbID), BlockPath(rootID, b(3)), CommentPath(rootID, commentID), UserPath(personID)} {
		obj, ok, err := ReadObject(tree, path)
		info, _ := ParsePath(path)
		if err != nil || !ok || obj["id"] != info.ObjectID() {
			t.Errorf("ReadObject(%s) = id %v, %v, %v", path, obj["id"], ok, err)
		}
		if _, isReserved := obj[ReservedKey]; isReserved {
			t.Errorf("ReadObject(%s) keeps %s", path, ReservedKey)
		}
	}
	if obj, ok, err := ReadObject(tree, PagePath(pageID[:35]+"0")); obj != nil || ok || err != nil {
		t.Errorf("ReadObject of a missing page = %v, %v, %v; want nothing", obj, ok, err)
	}
	for _, path := range []string{FilePath(imageSHA), IndexPath, "pages/x/page.json"} {
		if _, _, err := ReadObject(tree, path); err == nil {
			t.Errorf("ReadObject(%s): no error", path)
		}
	}
	tree[PagePath(rowID)] = []byte(strings.Replace(string(tree[PagePath(rowID)]), rowID, rootID, 1))
	if _, _, err := ReadObject(tree, PagePath(rowID)); err == nil || !strings.Contains(err.Error(), "does not match the path") {
		t.Errorf("ReadObject of a file whose id is another's: %v", err)
	}
}
