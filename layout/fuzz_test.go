package layout

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"strings"
	"testing"
)

func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"a":1.50,"b":[1,2e10,{"c":null}],"d":"<&>\u2028"}`, `[]`, `{"a":1}{}`,
		`{"type":"file","file":{"url":"https://x/y?sig=1","expiry_time":"t"}}`,
		`{"a":"\ud800"}`, `{"a":-0}`, `{"a":1E400}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		obj, err := Decode(in)
		if err != nil {
			return
		}
		first, err := Canonical(obj)
		if err != nil {
			t.Fatalf("Canonical of a decoded object: %v", err)
		}
		again, err := Decode(first)
		if err != nil {
			t.Fatalf("canonical bytes do not decode: %v\n%s", err, first)
		}
		second, err := Canonical(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("not a fixed point:\n%s\n%s", first, second)
		}
		// Normalisation and the file walk must cope with any shape.
		Normalize(again)
		for _, r := range FileRefs(again) {
			if _, ok := Lookup(again, r.Pointer); !ok {
				t.Fatalf("FileRefs pointer %q does not resolve", r.Pointer)
			}
		}
		if !json.Valid(first) {
			t.Fatalf("invalid JSON written: %s", first)
		}
	})
}

func FuzzParseID(f *testing.F) {
	for _, seed := range []string{
		"393abc1e-edcd-81f5-ae94-ec2d55fe98ed", "393ABC1EEDCD81F5AE94EC2D55FE98ED",
		"https://www.notion.so/Title-393abc1eedcd81f5ae94ec2d55fe98ed?pvs=4", "../x", "",
		"https://www.notion.so/../393abc1eedcd81f5ae94ec2d55fe98ed",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		id, err := ParseID(in)
		if err != nil {
			return
		}
		if !IsID(id) || len(id) != 36 || strings.ContainsAny(id, "./\\") {
			t.Fatalf("ParseID(%q) = %q, not a canonical id", in, id)
		}
		if again, err := ParseID(id); err != nil || again != id {
			t.Fatalf("ParseID not idempotent on %q: %q, %v", id, again, err)
		}
	})
}

// maxFuzzTree bounds the packed trees the tree targets try. The fuzzer
// minimises every input that finds new code by trying to delete each byte
// range in turn, quadratic in its length: one seed of the whole sample tree
// (190 KB) kept it minimising, at a few executions a minute. Small trees
// reach every branch of the decoder; size adds nothing but time.
const maxFuzzTree = 8 << 10

func FuzzDecodeSnapshot(f *testing.F) {
	// Seeds: the sample tree cut into small trees of one object each, and
	// hand-made trees given as "path\x00bytes\x00...".
	for _, tree := range sampleSeedTrees(f) {
		f.Add(packTree(tree))
	}
	f.Add(packTree(MapSource{MetaPath: []byte(`{"format_version":1,"api_version":"2025-09-03"}`)}))
	// A database with one view, its order in database.json.
	f.Add(packTree(MapSource{
		MetaPath:              []byte(`{"format_version":1,"api_version":"2025-09-03"}`),
		DatabasePath(dbID):    []byte(`{"id":"` + dbID + `","object":"database","notion_git":{"views":["` + b(70) + `"]}}`),
		ViewPath(dbID, b(70)): []byte(`{"id":"` + b(70) + `","object":"view","type":"table"}`),
	}))
	f.Add(packTree(MapSource{
		MetaPath:                []byte(`{"format_version":1,"api_version":"2025-09-03"}`),
		PagePath(rootID):        []byte(`{"id":"` + rootID + `","notion_git":{"children":["` + b(1) + `"]}}`),
		BlockPath(rootID, b(1)): []byte(`{"id":"` + b(1) + `","notion_git":{"children":["` + b(1) + `"]}}`),
	}))
	f.Fuzz(func(t *testing.T, packed []byte) {
		if len(packed) > maxFuzzTree {
			return
		}
		src := unpackTree(packed)
		s, err := DecodeSnapshot(src)
		// Opening checks the same files the same way, and decodes each
		// page's content to what DecodeSnapshot holds.
		o, oerr := OpenSnapshot(src)
		if (err == nil) != (oerr == nil) {
			t.Fatalf("DecodeSnapshot: %v; OpenSnapshot: %v", err, oerr)
		}
		if err != nil {
			return
		}
		for id, p := range s.Pages {
			got, err := o.PageContent(id)
			if err != nil || !reflect.DeepEqual(got, p) {
				t.Fatalf("page %s: decoded on demand differs (%v)", id, err)
			}
		}
		// Whatever decodes must encode, and decode again to the same bytes.
		files, err := EncodeSnapshot(s)
		if err != nil {
			t.Fatalf("a decoded snapshot does not encode: %v", err)
		}
		for p := range s.Files {
			files[s.StoredFile(p)] = src[s.StoredFile(p)]
		}
		s2, err := DecodeSnapshot(MapSource(files))
		if err != nil {
			t.Fatalf("re-encoded tree does not decode: %v", err)
		}
		files2, err := EncodeSnapshot(s2)
		if err != nil {
			t.Fatal(err)
		}
		// EncodeSnapshot writes no attachment bytes: files2 has all but those.
		if len(files2) != len(files)-len(s.Files) || !maps.Equal(s.Files, s2.Files) {
			t.Fatalf("the second round trip has %d files, the first %d", len(files2), len(files)-len(s.Files))
		}
		for p, b := range files {
			if strings.HasPrefix(p, filesDir+"/") {
				continue
			}
			if !bytes.Equal(files2[p], b) {
				t.Fatalf("%s: bytes changed on a second round trip", p)
			}
		}
	})
}

// sampleSeedTrees cuts the sample tree into small trees: the metadata with
// one database, data source, user or state file, and each page with one of
// its top-level blocks (and that block's descendants) at a time. JSON is
// compacted to keep the seeds short.
func sampleSeedTrees(t testing.TB) []MapSource {
	s, tree := sampleTree(t)
	meta := compactJSON(t, tree[MetaPath])
	var out []MapSource
	for p, b := range tree {
		if p == StatePath || strings.HasPrefix(p, databasesDir+"/") || strings.HasPrefix(p, dataSourcesDir+"/") ||
			strings.HasPrefix(p, usersDir+"/") || strings.HasPrefix(p, filesDir+"/") {
			out = append(out, MapSource{MetaPath: meta, p: compactJSONOrRaw(b)})
		}
	}
	for _, page := range s.Pages {
		tops := page.Children
		if len(tops) == 0 {
			tops = []string{""}
		}
		for i, top := range tops {
			cut := &Page{ID: page.ID, Object: page.Object, Blocks: map[string]*Block{}, Extra: page.Extra}
			if i == 0 {
				cut.Comments = page.Comments
			}
			var keep func(id string)
			keep = func(id string) {
				if blk := page.Blocks[id]; blk != nil {
					cut.Blocks[id] = blk
					for _, c := range blk.Children {
						keep(c)
					}
				}
			}
			if top != "" {
				cut.Children = []string{top}
				keep(top)
			}
			files, err := EncodePage(cut)
			if err != nil {
				t.Fatalf("seed of page %s: %v", page.ID, err)
			}
			seed := MapSource{MetaPath: meta}
			for p, b := range files {
				seed[p] = compactJSONOrRaw(b)
			}
			out = append(out, seed)
		}
	}
	return out
}

func compactJSON(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// compactJSONOrRaw compacts JSON files and keeps the others (README.md,
// attachment bytes) as they are.
func compactJSONOrRaw(b []byte) []byte {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return b
	}
	return buf.Bytes()
}

// packTree flattens a tree into one fuzz input.
func packTree(m MapSource) []byte {
	var b bytes.Buffer
	for _, p := range m.Paths() {
		b.WriteString(p)
		b.WriteByte(0)
		b.Write(m[p])
		b.WriteByte(0)
	}
	return b.Bytes()
}

// unpackTree reverses packTree, tolerating any input.
func unpackTree(in []byte) MapSource {
	m := MapSource{}
	parts := bytes.Split(in, []byte{0})
	for i := 0; i+1 < len(parts); i += 2 {
		m[string(parts[i])] = parts[i+1]
	}
	return m
}
