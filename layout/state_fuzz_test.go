package layout

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeState checks that whatever DecodeState accepts encodes, and
// that decode, encode, decode is a fixed point.
func FuzzDecodeState(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join(goldenDir, filepath.FromSlash(StatePath)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add(compactJSON(f, golden))
	v1, err := os.ReadFile("testdata/state_v1.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(v1)
	for _, seed := range []string{
		`{"version":1}`,
		`{"version":1,"objects":{}}`,
		`{"version":1,"last_sync":"2026-07-04T09:12:00Z","objects":{"` + rootID + `":{"kind":"page","crawled":"2026-07-04T09:12:00Z","files":["` + imageSHA + `","` + attachSHA + `"],"trashed":true,"title":"<a & b>\u2028"}}}`,
		`{"version":1,"objects":{"` + pageID + `":{"kind":"data_source","parent":"` + rootID + `","files":[]}}}`,
		`{"version":2}`, `{"version":1.0}`, `{"version":1,"extra":1}`, `{"version":1}{}`, `{"version":3}`,
		`{"version":2,"objects":{"` + rootID + `":{"kind":"page","digest":"0123456789abcdef0123456789abcdef"}}}`,
		`{"version":1,"objects":{"../x":{"kind":"page"}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeState(b)
		if err != nil {
			return
		}
		first, err := EncodeState(s)
		if err != nil {
			t.Fatalf("a decoded state does not encode: %v", err)
		}
		s2, err := DecodeState(first)
		if err != nil {
			t.Fatalf("an encoded state does not decode: %v\n%s", err, first)
		}
		second, err := EncodeState(s2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("not a fixed point:\n%s\n%s", first, second)
		}
		if len(s.Objects) != len(s2.Objects) || s.LastSync != s2.LastSync {
			t.Fatalf("objects or last_sync lost: %d/%d objects, %q/%q", len(s.Objects), len(s2.Objects), s.LastSync, s2.LastSync)
		}
	})
}

// FuzzDecodeStateShard checks that whatever DecodeStateShard accepts holds
// only valid ids of its shard, encodes, and reads back the same through a
// tree.
func FuzzDecodeStateShard(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join(goldenDir, filepath.FromSlash(StateShardPath(StateShard(rootID)))))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(StateShard(rootID), golden)
	f.Add(StateShard(rootID), compactJSON(f, golden))
	for _, seed := range []string{
		`{}`, `null`, `[]`, `{"` + rootID + `":{"kind":"page"}}{}`,
		`{"` + rootID + `":{"kind":"page","digest":"0123456789abcdef0123456789abcdef","files":["` + imageSHA + `"],"trashed":true,"title":"<a & b>\u2028"}}`,
		`{"` + dsID + `":{"kind":"data_source"}}`,
		`{"../x":{"kind":"page"}}`, `{"` + rootID + `":{"kind":"page","extra":1}}`,
	} {
		f.Add(StateShard(rootID), []byte(seed))
	}
	f.Add("3G", []byte(`{}`))
	f.Fuzz(func(t *testing.T, shard string, b []byte) {
		objects, err := DecodeStateShard(shard, b)
		if err != nil {
			return
		}
		for id := range objects {
			if !IsID(id) || StateShard(id) != shard {
				t.Fatalf("accepted %q in shard %q", id, shard)
			}
		}
		s := &State{Version: StateVersion, Objects: objects}
		files, err := EncodeStateFiles(s)
		if err != nil {
			t.Fatalf("a decoded shard does not encode: %v", err)
		}
		if len(objects) > 0 && len(files) != 2 {
			t.Fatalf("one shard's objects encode as %d files", len(files))
		}
		back, err := ReadState(MapSource(files))
		if err != nil {
			t.Fatalf("an encoded shard does not read back: %v", err)
		}
		if len(back.Objects) != len(objects) {
			t.Fatalf("%d objects read back of %d", len(back.Objects), len(objects))
		}
		for p, data := range files {
			if p == StatePath {
				continue
			}
			info, _ := ParsePath(p)
			again, err := DecodeStateShard(info.StateShard, data)
			if err != nil || len(again) != len(objects) {
				t.Fatalf("%s does not decode again: %v", p, err)
			}
		}
	})
}
