package layout

import (
	"bytes"
	"encoding/json"
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

func FuzzDecodeSnapshot(f *testing.F) {
	// Seeds: the sample tree, and small trees given as "path\x00bytes\x00...".
	_, tree := sampleTree(f)
	f.Add(packTree(tree))
	f.Add(packTree(MapSource{MetaPath: []byte(`{"format_version":1,"api_version":"2025-09-03"}`)}))
	f.Add(packTree(MapSource{
		MetaPath:                []byte(`{"format_version":1,"api_version":"2025-09-03"}`),
		PagePath(rootID):        []byte(`{"id":"` + rootID + `","notion_git":{"children":["` + b(1) + `"]}}`),
		BlockPath(rootID, b(1)): []byte(`{"id":"` + b(1) + `","notion_git":{"children":["` + b(1) + `"]}}`),
	}))
	f.Fuzz(func(t *testing.T, packed []byte) {
		src := unpackTree(packed)
		s, err := DecodeSnapshot(src)
		if err != nil {
			return
		}
		// Whatever decodes must encode, and decode again to the same bytes.
		files, err := EncodeSnapshot(s)
		if err != nil {
			t.Fatalf("a decoded snapshot does not encode: %v", err)
		}
		for p := range s.Files {
			files[FilePath(p)] = src[FilePath(p)]
		}
		s2, err := DecodeSnapshot(MapSource(files))
		if err != nil {
			t.Fatalf("re-encoded tree does not decode: %v", err)
		}
		files2, err := EncodeSnapshot(s2)
		if err != nil {
			t.Fatal(err)
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
