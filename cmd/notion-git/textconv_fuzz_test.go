package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/notion-git/notion-git/layout"
)

// FuzzTextconv: git hands textconv any blob under pages/ or the state,
// from any commit, of any notion-git version or none. It must never panic,
// must print the same bytes for the same file, must print what it cannot
// read unchanged, and in state mode must print JSON or the file itself.
func FuzzTextconv(f *testing.F) {
	for _, seed := range []string{
		`{"object":"block","id":"` + askBlockID + `","type":"paragraph","paragraph":{"rich_text":[{"type":"text","text":{"content":"Ask"},"plain_text":"Ask"}]}}`,
		`{"object":"block","id":"` + askBlockID + `","type":"table_row","table_row":{"cells":[[{"plain_text":"a|b"}]]},"notion_git":{"children":[]}}`,
		`{"object":"block","id":"` + askBlockID + `","type":"image","image":{"type":"file","file":{"url":"x"}},"notion_git":{"extra":{"files":{"/image/file/url":"` + string(bytes.Repeat([]byte("a"), 64)) + `"}}}}`,
		`{"object":"page","id":"` + homeID + `","parent":{"type":"data_source_id","data_source_id":"` + homeID + `"},"properties":{"Name":{"type":"title","title":[]},"n":{"type":"number","number":null}}}`,
		`{"object":"comment","id":"` + askBlockID + `","rich_text":[],"created_by":{"object":"user","id":"` + homeID + `"}}`,
		`{"object":"block","id":"` + askBlockID + `","type":"mystery","mystery":{}}`,
		`{"object":"block","id":"` + askBlockID + `"}`,
		`{"object":"user","id":"` + homeID + `"}`,
		`{"last_sync":"2026-01-01T00:00:00Z","version":2}`,
		`{"` + homeID + `":{"crawled":"x","kind":"page","title":"T"}}`,
		`[1,2]`, `{"object":`, "\xff\xfe", "",
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, state bool) {
		out := textconv(b, state, nil)
		if again := textconv(b, state, nil); !bytes.Equal(out, again) {
			t.Fatalf("two runs differ:\n%q\n%q", out, again)
		}
		if _, err := layout.Decode(b); err != nil && !bytes.Equal(out, b) {
			t.Fatalf("a file that is no JSON object changed: %q -> %q", b, out)
		}
		if state && !bytes.Equal(out, b) && !json.Valid(out) {
			t.Fatalf("state mode printed neither JSON nor the file: %q", out)
		}
	})
}
