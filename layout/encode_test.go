package layout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// apiForm turns a generated object into what a sync holds after reading it
// from the API: decoded from JSON with numbers as json.Number, with the
// top-level request_id and every Notion-hosted file signed (a query and an
// expiry_time), as the API answers each read.
func apiForm(t testing.TB, obj map[string]any, n int) Object {
	t.Helper()
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	v, err := decodeAny(raw)
	if err != nil {
		t.Fatal(err)
	}
	out := v.(map[string]any)
	out["request_id"] = fmt.Sprintf("req-%d", n)
	signFiles(out, n)
	return out
}

func signFiles(v any, n int) {
	switch v := v.(type) {
	case map[string]any:
		if file, ok := hostedFile(v); ok {
			file["url"] = file["url"].(string) + "?sig=" + strconv.Itoa(n) + "&exp=3600"
			file["expiry_time"] = "2025-09-03T10:00:00.000Z"
		}
		for _, e := range v {
			signFiles(e, n)
		}
	case []any:
		for _, e := range v {
			signFiles(e, n)
		}
	}
}

// encodeBothWays encodes obj with the canonical writer and with the copy,
// Normalize and encoding/json it replaced, and fails unless the bytes are
// the same. fast says the writer must not have left obj to encoding/json.
func encodeBothWays(t testing.TB, obj Object, r reserved, fast bool) {
	t.Helper()
	id, _ := obj["id"].(string)
	before, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	got, err := encodeReserved(id, obj, r)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	want, err := encodeReservedSlow(obj, r)
	if err != nil {
		t.Fatalf("%s: encoding/json: %v", id, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: the canonical writer wrote\n%s\nencoding/json wrote\n%s", id, got, want)
	}
	if after, _ := json.Marshal(obj); !bytes.Equal(before, after) {
		t.Fatalf("%s: encoding changed the object", id)
	}
	if fast {
		var w canonicalWriter
		rp := &r
		if r.empty() {
			rp = nil
		}
		if err := w.object(obj, rp); err != nil {
			t.Fatalf("%s: an API object was left to encoding/json: %v", id, err)
		}
	}
}

// TestEncodeGeneratedWorkspaceBothWays encodes every object of a generated
// workspace, as the API answers it, with the canonical writer and with
// encoding/json on a normalised copy: the files must be byte for byte the
// same, and the object untouched.
func TestEncodeGeneratedWorkspaceBothWays(t *testing.T) {
	f := workspace.Generate(workspace.Small())
	var objects []map[string]any
	for _, list := range [][]map[string]any{f.Pages, f.Blocks, f.Comments, f.Databases, f.DataSources, f.Views, f.Users} {
		objects = append(objects, list...)
	}
	if len(objects) < 100 {
		t.Fatalf("the small workspace has only %d objects", len(objects))
	}
	hosted := 0
	for i, o := range objects {
		obj := apiForm(t, o, i)
		refs := FileRefs(obj)
		hosted += len(refs)
		if want := fileRefsByPointers(obj); !slices.Equal(refs, want) {
			t.Fatalf("%v: FileRefs %v, want %v", obj["id"], refs, want)
		}
		var r reserved
		if i%3 == 0 {
			r.Children = []string{"01234567-89ab-cdef-0123-456789abcdef", "fedcba98-7654-3210-fedc-ba9876543210"}
		}
		for j, ref := range refs {
			if r.Files == nil {
				r.Files = map[string]FileInfo{}
			}
			if j%2 == 0 {
				r.Files[ref.Pointer] = FileInfo{SHA256: strings.Repeat("ab", 32), Size: int64(1000 + j)}
			} else {
				r.Files[ref.Pointer] = FileInfo{Size: 1 << 30, Skipped: "larger than --max-file-size (<1 GB> & more)"}
				r.Incomplete = append(r.Incomplete, Incomplete{What: "file " + ref.Pointer, Reason: "larger than --max-file-size"})
			}
		}
		r.PropertyItemsComplete = i%7 == 0
		encodeBothWays(t, obj, r, true)
	}
	if hosted == 0 {
		t.Fatal("no Notion-hosted file in the workspace: the normalisation of files went untested")
	}
}

// fileRefsByPointers is FileRefs as it was written before it kept the path
// as steps: a JSON Pointer string built for every key.
func fileRefsByPointers(obj Object) []FileRef {
	var refs []FileRef
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		switch v := v.(type) {
		case map[string]any:
			if file, ok := hostedFile(v); ok {
				u, _ := file["url"].(string)
				refs = append(refs, FileRef{Pointer: ptr + "/file", URL: u})
			}
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(v[k], ptr+"/"+EscapePointer(k))
			}
		case []any:
			for i, e := range v {
				walk(e, ptr+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(obj, "")
	return refs
}

// awkwardStrings are the strings whose JSON encoding has a rule of its own.
var awkwardStrings = []string{
	"", "plain", "a/b~c", `quote " and \ backslash`, "<tag> & more", "tab\tnew\nline\rcr\bbs\fff",
	"\x00\x01\x1f\x7f", "line\u2028para\u2029", "ünïcødé 日本 🎉", "bad \xff utf-8 \xc3", "\xed\xa0\x80", "?", "#",
}

// randomValue makes awkward generic JSON: the keys and strings above,
// empty and nil containers, numbers of every form, and hosted files (signed
// or not, with and without their query) at any depth.
func randomValue(r *rand.Rand, depth int) any {
	n := r.IntN(10)
	if depth > 4 {
		n = r.IntN(5)
	}
	switch n {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return awkwardStrings[r.IntN(len(awkwardStrings))]
	case 3:
		return json.Number([]string{"0", "-1", "3.25", "1e9", "-0.5E-3", "12345678901234567890", ""}[r.IntN(7)])
	case 4:
		return "https://example.invalid/f.png" + []string{"", "?sig=1", "#frag?x", "?a=1#top", "?"}[r.IntN(5)]
	case 5, 6:
		m := map[string]any{}
		for range r.IntN(5) {
			m[awkwardStrings[r.IntN(len(awkwardStrings))]] = randomValue(r, depth+1)
		}
		switch r.IntN(6) {
		case 0:
			m["type"], m["file"] = "file", hostedFileValue(r, depth)
		case 1:
			m["category"], m["file"] = "image", hostedFileValue(r, depth)
		case 2:
			m["type"], m["file"] = "external", hostedFileValue(r, depth)
		case 3:
			return map[string]any(nil)
		}
		return m
	case 7:
		return []any{}
	case 8:
		return []any(nil)
	default:
		s := make([]any, r.IntN(4))
		for i := range s {
			s[i] = randomValue(r, depth+1)
		}
		return s
	}
}

func hostedFileValue(r *rand.Rand, depth int) any {
	f := map[string]any{"url": randomValue(r, 9)}
	if r.IntN(2) == 0 {
		f["expiry_time"] = "2025-09-03T10:00:00.000Z"
	}
	if r.IntN(3) == 0 {
		f["more"] = randomValue(r, depth+1)
	}
	if r.IntN(4) == 0 {
		// A wrapper inside the file object: normalised too.
		f["type"], f["file"] = "file", map[string]any{"url": "https://example.invalid/in?sig=2", "expiry_time": "x"}
	}
	if r.IntN(8) == 0 {
		return map[string]any{"expiry_time": "only"}
	}
	return f
}

// TestCanonicalWriterMatchesOnAwkwardJSON compares the canonical writer with
// encoding/json on random objects made of every string, number and
// container that encoding/json treats specially, the reserved member
// included.
func TestCanonicalWriterMatchesOnAwkwardJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 5))
	for i := range 3000 {
		obj := Object{"id": "01234567-89ab-cdef-0123-456789abcdef", "request_id": "x"}
		for range r.IntN(8) {
			obj[awkwardStrings[r.IntN(len(awkwardStrings))]] = randomValue(r, 0)
		}
		if i%4 == 0 {
			obj["type"], obj["file"] = "file", hostedFileValue(r, 0)
		}
		var res reserved
		if i%2 == 0 {
			res.Children = []string{"01234567-89ab-cdef-0123-456789abcdef"}
			res.Views = []string{"fedcba98-7654-3210-fedc-ba9876543210"}
			s := awkwardStrings[r.IntN(len(awkwardStrings))]
			res.Files = map[string]FileInfo{"/" + EscapePointer(s) + "/file": {Skipped: s + " skipped", Size: int64(i)}, "/a/file": {SHA256: strings.Repeat("0", 64)}}
			res.Incomplete = []Incomplete{{What: s, Reason: awkwardStrings[r.IntN(len(awkwardStrings))]}}
		}
		encodeBothWays(t, obj, res, false)
	}
}

// TestCanonicalWriterLeavesOddValuesToEncodingJSON: values a decoded object
// never holds (Go numbers, an invalid json.Number) are still encoded as
// before, or refused with the same error.
func TestCanonicalWriterLeavesOddValuesToEncodingJSON(t *testing.T) {
	id := "01234567-89ab-cdef-0123-456789abcdef"
	for _, v := range []any{3, 2.5, int64(-7), []string{"a"}, map[string]string{"b": "<c>"}} {
		encodeBothWays(t, Object{"id": id, "v": v}, reserved{}, false)
	}
	_, err := encodeReserved(id, Object{"id": id, "n": json.Number("1.")}, reserved{})
	_, want := encodeReservedSlow(Object{"id": id, "n": json.Number("1.")}, reserved{})
	if err == nil || want == nil || err.Error() != want.Error() {
		t.Fatalf("an invalid number: error %v, encoding/json's %v", err, want)
	}
}

// FuzzCanonicalWriter: any JSON object encodes to the same bytes by the
// canonical writer and by encoding/json on a normalised copy.
func FuzzCanonicalWriter(f *testing.F) {
	f.Add([]byte(`{"id":"x","request_id":"r","type":"file","file":{"url":"https://h/p?sig=1#f","expiry_time":"t"},"a":[{},[],null,1.5e3,"\u2028<>&"]}`))
	f.Add([]byte(`{"id":"x","files":[{"category":"image","file":{"url":"u?q","expiry_time":"t","type":"file","file":{"url":"v?w"}}}]}`))
	f.Add([]byte(`{"id":"x","k\u0000/~":{"\ud800":"\ufffd"}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		obj, err := Decode(in)
		if err != nil {
			return
		}
		if _, ok := obj[ReservedKey]; ok {
			return
		}
		id, _ := obj["id"].(string)
		got, err := encodeReserved(id, obj, reserved{Children: []string{"01234567-89ab-cdef-0123-456789abcdef"}})
		if err != nil {
			return // an id that is not the object's
		}
		want, err := encodeReservedSlow(obj, reserved{Children: []string{"01234567-89ab-cdef-0123-456789abcdef"}})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("the canonical writer wrote\n%s\nencoding/json wrote\n%s", got, want)
		}
	})
}
