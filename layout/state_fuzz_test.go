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
	for _, seed := range []string{
		`{"version":1}`,
		`{"version":1,"objects":{}}`,
		`{"version":1,"last_sync":"2026-07-04T09:12:00Z","objects":{"` + rootID + `":{"kind":"page","crawled":"2026-07-04T09:12:00Z","files":["` + imageSHA + `","` + attachSHA + `"],"trashed":true,"title":"<a & b>\u2028"}}}`,
		`{"version":1,"objects":{"` + pageID + `":{"kind":"data_source","parent":"` + rootID + `","files":[]}}}`,
		`{"version":2}`, `{"version":1.0}`, `{"version":1,"extra":1}`, `{"version":1}{}`,
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
