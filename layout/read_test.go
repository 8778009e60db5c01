package layout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
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
	want := &State{Version: StateVersion, LastSync: "2026-07-04T09:08:00Z", Objects: map[string]ObjectState{
		pageID: {Kind: KindPage, Title: "x", Digest: "0123456789abcdef0123456789abcdef"},
		dsID:   {Kind: KindDataSource, Parent: dbID},
	}}
	files, err := EncodeStateFiles(want)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 || files[StateShardPath(StateShard(pageID))] == nil || files[StateShardPath(StateShard(dsID))] == nil {
		t.Fatalf("EncodeStateFiles wrote %v, want the header and one shard per id prefix", slices.Sorted(maps.Keys(files)))
	}
	got, err := ReadState(MapSource(files))
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ReadState = %+v, %v; want %+v", got, err, want)
	}
	// Version 1, every object inline, reads as the same state.
	v1, err := os.ReadFile("testdata/state_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	old, err := ReadState(MapSource{StatePath: v1})
	if err != nil || old.Version != StateVersion || len(old.Objects) != 5 || old.Objects[rootID].Title != "Handbook <draft> & notes" {
		t.Errorf("ReadState of version 1 = %+v, %v", old, err)
	}
	inline, err := EncodeState(want)
	if err != nil {
		t.Fatal(err)
	}
	shard := StateShardPath(StateShard(pageID))
	for _, tc := range []struct {
		name string
		tree MapSource
		want string
	}{
		{"unknown version", MapSource{StatePath: []byte(`{"version":9}`)}, StatePath + ": state version 9"},
		{"objects inline in version 2", MapSource{StatePath: inline}, StatePath + ": version 2 keeps its objects in"},
		{"shards beside version 1", MapSource{StatePath: v1, shard: files[shard]}, StatePath + ": version 1 holds its objects inline"},
		{"shards without the header", MapSource{shard: files[shard]}, StatePath + ": missing"},
		{"entry in the wrong shard", MapSource{StatePath: files[StatePath], StateShardPath("00"): files[shard]}, StateShardPath("00") + ": " + pageID + " belongs in shard"},
		{"bad id", MapSource{StatePath: files[StatePath], shard: []byte(`{"../x":{"kind":"page"}}`)}, shard + `: objects: "../x": not a Notion id`},
		{"bad digest", MapSource{StatePath: files[StatePath], shard: []byte(`{"` + pageID + `":{"kind":"page","digest":"XYZ"}}`)}, shard + ": objects: " + pageID + ": digest"},
		{"not an object", MapSource{StatePath: files[StatePath], shard: []byte(`null`)}, shard + ": a shard is"},
	} {
		if _, err := ReadState(tc.tree); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: ReadState: %v, want an error beginning %q", tc.name, err, tc.want)
		}
	}
}

// TestStateChanges checks that a commit rewrites only the shards whose
// entries changed, deletes emptied ones, and that a tree of version 1 gets
// every shard (the migration).
func TestStateChanges(t *testing.T) {
	t.Parallel()
	id := func(prefix string, n int) string { return fmt.Sprintf("%s%06x-0000-4000-8000-000000000000", prefix, n) }
	old := &State{Version: StateVersion, LastSync: "2026-07-04T09:00:00Z", Objects: map[string]ObjectState{}}
	for i := range 256 {
		for n := range 3 {
			old.Objects[id(shardName(i), n)] = ObjectState{Kind: KindPage, Crawled: "2026-07-04T09:00:00Z", Title: "p"}
		}
	}
	files, err := EncodeStateFiles(old)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 257 {
		t.Fatalf("%d files for 256 shards and the header", len(files))
	}
	tree := MapSource(files)
	next := &State{Version: StateVersion, LastSync: "2026-07-04T10:00:00Z", Objects: maps.Clone(old.Objects)}
	changed := next.Objects[id("1a", 1)]
	changed.Title = "renamed"
	next.Objects[id("1a", 1)] = changed
	delete(next.Objects, id("2b", 0))
	for n := range 3 {
		delete(next.Objects, id("3c", n))
	}
	same := next.Objects[id("4d", 0)]
	same.Files = []string{} // written as none, as before
	next.Objects[id("4d", 0)] = same
	put, del, err := StateChanges(tree, old, next)
	if err != nil {
		t.Fatal(err)
	}
	wantPut := []string{StatePath, StateShardPath("1a"), StateShardPath("2b")}
	if got := slices.Sorted(maps.Keys(put)); !slices.Equal(got, wantPut) || !slices.Equal(del, []string{StateShardPath("3c")}) {
		t.Fatalf("StateChanges put %v and deleted %v; want %v and %v", got, del, wantPut, []string{StateShardPath("3c")})
	}
	for p, b := range put {
		tree[p] = b
	}
	for _, p := range del {
		delete(tree, p)
	}
	got, err := ReadState(tree)
	if err != nil || !reflect.DeepEqual(got.Objects, func() map[string]ObjectState {
		m := maps.Clone(next.Objects)
		same.Files = nil
		m[id("4d", 0)] = same
		return m
	}()) || got.LastSync != next.LastSync {
		t.Fatalf("the tree after the changes reads back as another state (%v)", err)
	}
	all, err := EncodeStateFiles(next)
	if err != nil {
		t.Fatal(err)
	}
	for p, b := range all {
		if !bytes.Equal(tree[p], b) {
			t.Errorf("%s after the changes differs from a fresh encoding", p)
		}
	}

	// A tree of version 1: the same objects, but every shard is written.
	v1, err := json.Marshal(map[string]any{"version": 1, "last_sync": old.LastSync, "objects": old.Objects})
	if err != nil {
		t.Fatal(err)
	}
	legacy := MapSource{StatePath: v1}
	from, err := ReadState(legacy)
	if err != nil {
		t.Fatal(err)
	}
	put, del, err = StateChanges(legacy, from, next)
	if err != nil {
		t.Fatal(err)
	}
	if len(put) != len(all) || len(del) != 0 {
		t.Fatalf("migration from version 1 put %d files and deleted %d; want all %d", len(put), len(del), len(all))
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
