package exporter_test

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// responseObjects returns the Notion objects in one recorded answer: the
// results of a list, or the object itself, without the answer's request_id
// (it names the request, not the object).
func responseObjects(t *testing.T, body []byte) []layout.Object {
	t.Helper()
	top, err := layout.Decode(body)
	if err != nil {
		t.Fatalf("recorded answer is not a JSON object: %v", err)
	}
	if top["object"] != "list" {
		delete(top, "request_id")
		return []layout.Object{top}
	}
	results, _ := top["results"].([]any)
	out := make([]layout.Object, 0, len(results))
	for _, r := range results {
		obj, ok := r.(map[string]any)
		if !ok {
			t.Fatalf("a list result is not an object: %v", r)
		}
		out = append(out, obj)
	}
	return out
}

// storedLayout indexes a synced tree by object id.
type storedLayout struct {
	tree     map[string][]byte
	blocks   map[string]string // block id -> path
	comments map[string]string // comment id -> path
}

func indexLayout(tree map[string][]byte) *storedLayout {
	l := &storedLayout{tree: tree, blocks: map[string]string{}, comments: map[string]string{}}
	for p := range tree {
		switch info, _ := layout.ParsePath(p); info.Kind {
		case layout.PathBlock:
			l.blocks[info.BlockID] = p
		case layout.PathComment:
			l.comments[info.CommentID] = p
		}
	}
	return l
}

// object reads the stored file at path.
func (l *storedLayout) object(t *testing.T, path string) (layout.Object, bool) {
	t.Helper()
	b, ok := l.tree[path]
	if !ok {
		return nil, false
	}
	obj, err := layout.Decode(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return obj, true
}

// pathOf is the file that must hold an object the API sent.
func (l *storedLayout) pathOf(endpoint string, obj layout.Object) string {
	id, _ := obj["id"].(string)
	switch obj["object"] {
	case "page":
		return layout.PagePath(id)
	case "block":
		return l.blocks[id]
	case "database":
		return layout.DatabasePath(id)
	case "data_source":
		return layout.DataSourcePath(id)
	case "view":
		par, _ := obj["parent"].(map[string]any)
		db, _ := par["database_id"].(string)
		return layout.ViewPath(db, id)
	case "comment":
		return l.comments[id]
	case "user":
		if endpoint == "GET /v1/users/me" {
			return layout.MetaPath
		}
		return layout.UserPath(id)
	}
	return ""
}

// missingIn returns the JSON pointer of the first member of api (an answer
// of the API) that stored does not hold with the same value, or "". The
// documented exceptions are the signature (URL query) and expiry_time of
// Notion-hosted files.
func missingIn(api, stored any, ptr string, hostedFile bool) string {
	switch a := api.(type) {
	case map[string]any:
		s, ok := stored.(map[string]any)
		if !ok {
			return ptr
		}
		for k, av := range a {
			kp := ptr + "/" + layout.EscapePointer(k)
			if hostedFile && k == "expiry_time" {
				continue
			}
			sv, ok := s[k]
			if !ok {
				return kp
			}
			if hostedFile && k == "url" {
				au, _ := av.(string)
				if su, _ := sv.(string); su != strings.SplitN(au, "?", 2)[0] {
					return kp
				}
				continue
			}
			_, isCategory := a["category"]
			hosted := k == "file" && (a["type"] == "file" || isCategory)
			if p := missingIn(av, sv, kp, hosted); p != "" {
				return p
			}
		}
		return ""
	case []any:
		s, ok := stored.([]any)
		if !ok || len(s) != len(a) {
			return ptr
		}
		for i := range a {
			if p := missingIn(a[i], s[i], ptr+"/"+strconv.Itoa(i), false); p != "" {
				return p
			}
		}
		return ""
	default:
		if !reflect.DeepEqual(api, stored) {
			return ptr
		}
		return ""
	}
}

// completedProperties checks the documented exception for page objects:
// a value cut at 25 references is replaced by the whole list, of which the
// API's list must be the start. It returns a copy of the page without those
// values, for the general comparison.
func completedProperties(errorf func(string, ...any), where string, api, stored layout.Object) layout.Object {
	ng, _ := stored[layout.ReservedKey].(map[string]any)
	if ng["property_items_complete"] != true {
		return api
	}
	page := layout.Object{}
	for k, v := range api {
		page[k] = v
	}
	apiProps, _ := api["properties"].(map[string]any)
	storedProps, _ := stored["properties"].(map[string]any)
	props := map[string]any{}
	for name, v := range apiProps {
		p, _ := v.(map[string]any)
		typ, _ := p["type"].(string)
		list, isList := p[typ].([]any)
		if !isList || (p["has_more"] != true && len(list) < 25) {
			props[name] = v
			continue
		}
		sp, _ := storedProps[name].(map[string]any)
		full, _ := sp[typ].([]any)
		if len(full) < len(list) {
			errorf("%s: property %q holds %d values, fewer than the %d the page object gave", where, name, len(full), len(list))
			continue
		}
		for i := range list {
			if ptr := missingIn(list[i], full[i], fmt.Sprintf("/properties/%s/%s/%d", name, typ, i), false); ptr != "" {
				errorf("%s: completed property %q does not start with the page object's values: %s", where, name, ptr)
			}
		}
		rest := map[string]any{}
		for k, pv := range p {
			if k != typ && k != "has_more" {
				rest[k] = pv
			}
		}
		props[name] = rest
	}
	page["properties"] = props
	return page
}

// checkLossless calls errorf for every field of every object the emulator
// sent during the sync that the synced tree does not hold. It returns how
// many objects of each kind were checked.
func checkLossless(t *testing.T, e *emulator.Server, tree map[string][]byte, errorf func(string, ...any)) map[string]int {
	t.Helper()
	l := indexLayout(tree)
	counts := map[string]int{}
	for _, entry := range e.Log() {
		if !strings.HasPrefix(entry.Path, "/v1/") || entry.Status != http.StatusOK {
			continue
		}
		if entry.ResponseBody == nil {
			t.Fatal("the emulator kept no answer bodies (Options.RecordBodies)")
		}
		for _, obj := range responseObjects(t, entry.ResponseBody) {
			kind, _ := obj["object"].(string)
			where := fmt.Sprintf("%s %s: %s %v", entry.Method, entry.Path, kind, obj["id"])
			if kind == "property_item" {
				checkPropertyItem(t, l, entry.Path, obj, where, errorf)
				counts[kind]++
				continue
			}
			if kind == "view" && len(obj) == 2 {
				// A listing of views names them only ({object, id}); each
				// is then read whole, and that answer is the one checked.
				continue
			}
			path := l.pathOf(entry.Endpoint, obj)
			if path == "" {
				errorf("%s: no file for this kind of object", where)
				continue
			}
			stored, ok := l.object(t, path)
			if !ok {
				errorf("%s: not in the layout (%s missing)", where, path)
				continue
			}
			if path == layout.MetaPath {
				stored, _ = stored["bot"].(map[string]any)
			}
			if kind == "page" {
				obj = completedProperties(errorf, where, obj, stored)
			}
			if ptr := missingIn(map[string]any(obj), map[string]any(stored), "", false); ptr != "" {
				av, _ := layout.Lookup(obj, ptr)
				sv, _ := layout.Lookup(stored, ptr)
				errorf("%s: field %s lost in %s: the API sent %v, the file holds %v", where, ptr, path, av, sv)
			}
			counts[kind]++
		}
	}
	return counts
}

// checkPropertyItem finds one property item (a reference beyond the 25 a page
// object carries) in its page's stored property.
func checkPropertyItem(t *testing.T, l *storedLayout, path string, item layout.Object, where string, errorf func(string, ...any)) {
	t.Helper()
	// /v1/pages/{id}/properties/{property_id}
	parts := strings.Split(path, "/")
	if len(parts) != 6 {
		errorf("%s: unexpected path", where)
		return
	}
	pageID := parts[3]
	page, ok := l.object(t, layout.PagePath(pageID))
	if !ok {
		errorf("%s: page %s not in the layout", where, pageID)
		return
	}
	typ, _ := item["type"].(string)
	props, _ := page["properties"].(map[string]any)
	for name, v := range props {
		p, _ := v.(map[string]any)
		if p["id"] != item["id"] {
			continue
		}
		values, _ := p[typ].([]any)
		for _, stored := range values {
			if missingIn(item[typ], stored, "", false) == "" {
				return
			}
		}
		errorf("%s: value %v not in the stored property %q", where, item[typ], name)
		return
	}
	errorf("%s: page %s has no property with id %v", where, pageID, item["id"])
}

// TestSyncIsLossless walks every answer the emulator sent during a sync and
// finds every field of every object in it in the layout, but for the
// documented exceptions: request_id, a Notion-hosted file's expiry_time and
// URL signature, and property values completed beyond 25 references.
func TestSyncIsLossless(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		fixture func(testing.TB) *emulator.Fixture
	}{
		{"basic fixture", basicFixture},
		// The demo workspace: every block and property type, a people
		// property with more than 25 members, attachments, comments.
		{"sample workspace", func(testing.TB) *emulator.Fixture { return workspace.Sample() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, tc.fixture(t), emulator.Options{RecordBodies: true})
			tree, _ := w.syncMemory(nil, exporter.Options{Comments: exporter.CommentsAll, UserEmails: true})
			counts := checkLossless(t, w.server, tree, t.Errorf)
			for _, kind := range []string{"page", "block", "database", "data_source", "comment", "user"} {
				if counts[kind] == 0 {
					t.Errorf("no %s object in the answers: nothing of that kind was checked", kind)
				}
			}
			if tc.name == "sample workspace" && counts["property_item"] == 0 {
				t.Error("no property item in the answers: the completion beyond 25 references was not checked")
			}
			t.Logf("checked %v", counts)
		})
	}
}

// TestLosslessCheckFindsALostField: the check above fails a sync that drops
// a field, changes a value or loses an object, and names what is lost.
func TestLosslessCheckFindsALostField(t *testing.T) {
	t.Parallel()
	w := newWorld(t, basicFixture(t), emulator.Options{RecordBodies: true})
	tree, _ := w.syncMemory(nil, exporter.Options{Comments: exporter.CommentsAll, UserEmails: true})
	blockPath := layout.BlockPath(releaseID, tableBlockID)
	for _, tc := range []struct {
		name   string
		damage func(tree exporter.MemoryTree)
		want   string
	}{
		{"a field dropped", func(tree exporter.MemoryTree) {
			tree[blockPath] = bytes.Replace(tree[blockPath], []byte(`"has_column_header"`), []byte(`"has_column_headers"`), 1)
		}, "field /table/has_column_header lost in " + blockPath},
		{"a value changed", func(tree exporter.MemoryTree) {
			tree[blockPath] = bytes.Replace(tree[blockPath], []byte(`"table_width": `), []byte(`"table_width": 1`), 1)
		}, "field /table/table_width lost in " + blockPath},
		{"an object lost", func(tree exporter.MemoryTree) { delete(tree, layout.PagePath(releaseID)) }, "not in the layout (" + layout.PagePath(releaseID) + " missing)"},
	} {
		damaged := maps.Clone(tree)
		tc.damage(damaged)
		if bytes.Equal(damaged[blockPath], tree[blockPath]) && damaged[layout.PagePath(releaseID)] != nil {
			t.Fatalf("%s: the damage changed nothing", tc.name)
		}
		var found []string
		checkLossless(t, w.server, damaged, func(format string, args ...any) { found = append(found, fmt.Sprintf(format, args...)) })
		if !slices.ContainsFunc(found, func(s string) bool { return strings.Contains(s, tc.want) }) {
			t.Errorf("%s: the check did not report %q; it reported %q", tc.name, tc.want, found)
		}
	}
}

// TestUnknownBlockTypeIsKeptByteForByte: a block type the API does not
// document (ai_summary) is stored exactly as the API sent it. (The sample
// workspace's unknown blocks are checked field by field by
// TestSyncIsLossless.)
func TestUnknownBlockTypeIsKeptByteForByte(t *testing.T) {
	t.Parallel()
	w := newWorld(t, basicFixture(t), emulator.Options{RecordBodies: true})
	tree, _ := w.syncMemory(nil, exporter.Options{})
	l := indexLayout(tree)
	found := 0
	for _, entry := range w.server.Log() {
		if entry.Endpoint != "GET /v1/blocks/{id}/children" || entry.Status != http.StatusOK {
			continue
		}
		for _, b := range responseObjects(t, entry.ResponseBody) {
			if b["type"] != workspace.UnknownBlockType {
				continue
			}
			found++
			id, _ := b["id"].(string)
			stored, ok := l.object(t, l.blocks[id])
			if !ok {
				t.Errorf("block %s (%s) is not in the layout", id, workspace.UnknownBlockType)
				continue
			}
			want, err := layout.Canonical(b[workspace.UnknownBlockType])
			if err != nil {
				t.Fatal(err)
			}
			got, err := layout.Canonical(stored[workspace.UnknownBlockType])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want, got) {
				t.Errorf("block %s: the %s payload changed:\nAPI:\n%s\nstored:\n%s", id, workspace.UnknownBlockType, want, got)
			}
			delete(stored, layout.ReservedKey)
			wantAll, _ := layout.Canonical(b)
			gotAll, _ := layout.Canonical(stored)
			if !bytes.Equal(wantAll, gotAll) {
				t.Errorf("block %s: the stored object is not the API's:\nAPI:\n%s\nstored:\n%s", id, wantAll, gotAll)
			}
		}
	}
	if found == 0 || l.blocks[unknownBlockID] == "" {
		t.Fatalf("the fixture's %s block %s was not served and stored: nothing was checked", workspace.UnknownBlockType, unknownBlockID)
	}
}
