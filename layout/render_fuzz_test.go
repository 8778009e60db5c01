package layout

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRenderPage renders every page directory that decodes: RenderPage
// must not panic, must give the same bytes each time, and must write valid
// UTF-8 ending in a newline (decoded JSON holds only valid UTF-8).
func FuzzRenderPage(f *testing.F) {
	for _, tree := range sampleSeedTrees(f) {
		delete(tree, MetaPath)
		if _, ok := pageOfTree(tree); ok {
			f.Add(packTree(tree))
		}
	}
	for _, seed := range []string{
		`{"object":"block","id":"` + b(1) + `","type":"table","table":{"table_width":3,"has_column_header":true}}`,
		`{"object":"block","id":"` + b(1) + `","type":"code","code":{"language":"plain text","rich_text":[{"type":"text","plain_text":"a` + "```" + `b\n"}]}}`,
		`{"object":"block","id":"` + b(1) + `","type":"paragraph","paragraph":{"rich_text":[{"type":"text","plain_text":" x ","annotations":{"bold":true,"code":true},"href":"a>b"},{"type":"mention","plain_text":"p","mention":{"type":"page","page":{"id":"` + pageID + `"}}}]}}`,
	} {
		f.Add(packTree(MapSource{
			PagePath(rootID):        []byte(`{"object":"page","id":"` + rootID + `","notion_git":{"children":["` + b(1) + `"]}}`),
			BlockPath(rootID, b(1)): []byte(seed),
		}))
	}
	f.Fuzz(func(t *testing.T, packed []byte) {
		if len(packed) > maxFuzzTree {
			return
		}
		src := unpackTree(packed)
		id, ok := pageOfTree(src)
		if !ok {
			return
		}
		p, err := DecodePage(src, id, src.Paths())
		if err != nil {
			return
		}
		md := RenderPage(p)
		if !utf8.Valid(md) {
			t.Fatalf("invalid UTF-8 rendered:\n%q", md)
		}
		if !bytes.HasSuffix(md, []byte("\n")) {
			t.Fatalf("no final newline:\n%q", md)
		}
		if again := RenderPage(p); !bytes.Equal(md, again) {
			t.Fatalf("two renderings differ:\n%s\n%s", md, again)
		}
	})
}

// pageOfTree returns the id of the first page.json in a tree.
func pageOfTree(src MapSource) (string, bool) {
	for _, p := range src.Paths() {
		if rest, ok := strings.CutPrefix(p, pagesDir+"/"); ok {
			if id, ok := strings.CutSuffix(rest, "/page.json"); ok && IsID(id) {
				return id, true
			}
		}
	}
	return "", false
}
