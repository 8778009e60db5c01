package exporter

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// marshalDigest is the definition of a page's digest (layout/FORMAT.md):
// the hash of json.Marshal of a normalised copy, cut values left out.
func marshalDigest(obj layout.Object) string {
	c := layout.Clone(obj)
	layout.Normalize(c)
	props, _ := c["properties"].(map[string]any)
	for _, v := range props {
		prop, _ := v.(map[string]any)
		typ, _ := prop["type"].(string)
		if truncated(prop, typ) {
			delete(prop, typ)
			delete(prop, "has_more")
		}
	}
	b, err := json.Marshal(c)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:layout.DigestLen/2])
}

func decodeOrSkip(t testing.TB, b []byte) layout.Object {
	obj, err := layout.Decode(b)
	if err != nil {
		t.Skip()
	}
	return obj
}

// TestDigestWalkIsMarshal holds the streamed digest to its definition on
// every page of a generated workspace (rows with every property type,
// icons and covers with signed URLs) and on objects made to hit each rule:
// escapes, hosted files, cut properties, request ids.
func TestDigestWalkIsMarshal(t *testing.T) {
	f := workspace.Generate(workspace.Small())
	n := 0
	for _, p := range f.Pages {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		obj := decodeOrSkip(t, b)
		if got, want := pageDigest(obj), marshalDigest(obj); got != want || got == "" {
			t.Fatalf("page %v: digest %q, want %q", p["id"], got, want)
		}
		n++
	}
	for _, s := range digestCases {
		obj := decodeOrSkip(t, []byte(s))
		before, _ := json.Marshal(obj)
		if got, want := pageDigest(obj), marshalDigest(obj); got != want {
			t.Errorf("%s: digest %q, want %q", s, got, want)
		}
		if after, _ := json.Marshal(obj); string(after) != string(before) {
			t.Errorf("%s: the digest changed the object", s)
		}
	}
	if n == 0 {
		t.Fatal("no pages")
	}
}

var digestCases = []string{
	`{"object":"page","id":"x","request_id":"r1","icon":{"type":"file","file":{"url":"https://h/a.png?X-Sig=1#frag","expiry_time":"2025-01-01T00:00:00.000Z"}}}`,
	`{"object":"page","properties":{"T":{"type":"title","title":[],"has_more":true},"R":{"type":"relation","relation":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25]},"S":{"type":"rich_text","rich_text":[]}}}`,
	`{"object":"page","properties":"odd","x":"<a href=\"&\">\u2028\u2029\t\n\r\b\f\u0001é😀\\"}`,
	`{"a":{"request_id":"kept below the top","file":{"url":"u?q"},"type":"file","category":"x"},"b":[{"category":"c","file":{"url":"https://f?sig","expiry_time":"t","name":"n"}}],"n":[1.5e300,-0,12345678901234567890,0.000001]}`,
	`{"file":{"url":"https://x?y#z?w","file":{"url":"https://inner?q","type":"file"},"type":"file"},"type":"file"}`,
	`{"properties":{"P":{"type":"people","people":[{"object":"user","avatar_url":"a?b"}],"has_more":true},"F":{"type":"files","files":[{"type":"file","name":"f","file":{"url":"https://s3/f?sig=1","expiry_time":"e"}}]}}}`,
}

// FuzzDigestWalkIsMarshal: any object the API could send digests as the
// definition says.
func FuzzDigestWalkIsMarshal(f *testing.F) {
	for _, s := range digestCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		obj := decodeOrSkip(t, b)
		if got, want := pageDigest(obj), marshalDigest(obj); got != want {
			t.Errorf("%s: digest %q, want %q", b, got, want)
		}
	})
}
