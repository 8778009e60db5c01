package layout

import (
	"reflect"
	"testing"
)

// outlineView is what an outline reads of a block or comment object.
func outlineView(obj Object) [5]string {
	typ, _ := obj["type"].(string)
	created, _ := obj["created_time"].(string)
	sb, _ := obj["synced_block"].(map[string]any)
	from, _ := sb["synced_from"].(map[string]any)
	return [5]string{typ, created, parentOfType(obj, "block_id"), parentOfType(obj, "page_id"), idField(from, "block_id")}
}

// FuzzOutlineFields checks the outline's shortcut against decodeObject:
// whatever file it answers, decodeObject accepts, with the same fields
// the outline reads, the same Extra and the same children.
func FuzzOutlineFields(f *testing.F) {
	const id = "0c1d2e3f-4a5b-4c6d-8e7f-8a9b0c1d2e3f"
	const child = "1c1d2e3f-4a5b-4c6d-8e7f-8a9b0c1d2e3f"
	for _, s := range []string{
		`{"id":"` + id + `","type":"paragraph","parent":{"type":"block_id","block_id":"` + child + `"},"paragraph":{"rich_text":[{"text":{"content":"a \" } ] b"}}]}}`,
		`{"id":"` + id + `","type":"synced_block","synced_block":{"synced_from":{"type":"block_id","block_id":"` + child + `"}},"notion_git":{"children":["` + child + `"]}}`,
		`{"id":"` + id + `","parent":{"type":"page_id","page_id":"` + child + `"},"created_time":"2024-01-01T00:00:00.000Z","object":"comment"}`,
		`{"id":"` + id + `","type":"a","type":5,"parent":{"type":"page_id","page_id":"x"},"parent":3}`,
		`{"id":"` + id + `","notion_git":{"children":[],"Children":["` + child + `"],"children":["` + child + `"]}}`,
		`{"id":"` + id + `","notion_git":{"files":{"/x":{"sha256":"zz"}}}}`,
		`{"id":"` + id + `","notion_git":{"views":["` + child + `"]}}`,
		`{"id":"` + id + `","type":"caf\u00e9","type":"é"}`,
		`{"id":"` + id + `"} {}`,
		`{"id":"other"}`,
		`[1,2]`,
		` {"id" : "` + id + `" , "n": [1, {"a": null}, true, -1.5e3] , "type" : "x" } `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		obj, r, ok := outlineFields(b, id)
		full, extra, children, err := decodeObject(b, id)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("the shortcut accepts what decodeObject refuses: %v", err)
		}
		if got, want := outlineView(obj), outlineView(full); got != want {
			t.Fatalf("fields %q, want %q", got, want)
		}
		if !reflect.DeepEqual(r.Extra, extra) || !reflect.DeepEqual(r.Children, children) {
			t.Fatalf("reserved %+v, want %+v %q", r, extra, children)
		}
	})
}

// TestOutlineFieldsTakesTheShortcut checks that a block as sync writes it
// is read by the shortcut, not left to decodeObject.
func TestOutlineFieldsTakesTheShortcut(t *testing.T) {
	const id, child = "0c1d2e3f-4a5b-4c6d-8e7f-8a9b0c1d2e3f", "1c1d2e3f-4a5b-4c6d-8e7f-8a9b0c1d2e3f"
	b := []byte("{\n  \"id\": \"" + id + "\",\n  \"notion_git\": {\n    \"children\": [\n      \"" + child + "\"\n    ]\n  },\n  \"parent\": {\n    \"block_id\": \"" + child + "\",\n    \"type\": \"block_id\"\n  },\n  \"toggle\": {\n    \"rich_text\": []\n  },\n  \"type\": \"toggle\"\n}\n")
	obj, r, ok := outlineFields(b, id)
	if !ok || obj["type"] != "toggle" || parentOfType(obj, "block_id") != child || len(r.Children) != 1 {
		t.Fatalf("ok %v, %v, %+v", ok, obj, r)
	}
}
