package importer

import (
	"slices"
	"testing"
)

// FuzzNamedBlocks feeds namedBlocks Notion's error messages, real and
// mangled: it never fails, and names only blocks of the request, each
// inside the one before.
func FuzzNamedBlocks(f *testing.F) {
	for _, s := range []string{
		"body failed validation: body.children[1].column_list.children[0].column.children[1].paragraph.rich_text[0].text.content.length should be ≤ 2000, instead was 2001.",
		"body failed validation: body.children[0].toggle.children[2].quote should be not present",
		"body failed validation: body.children[99999999999999999999].paragraph",
		"body failed validation: body.children.length should be ≤ 100, instead was 101.",
		"Could not find block with ID",
		"body.children[-1]", "body.children[2].x.children[", "",
	} {
		f.Add(s)
	}
	top := []string{"a", "b", "c"}
	nested := map[string][]string{"a": {"a1", "a2", "a3"}, "b": {"b1", "b2"}, "b1": {"b11", "b12"}, "a2": {}}
	f.Fuzz(func(t *testing.T, msg string) {
		chain := namedBlocks(msg, top, nested)
		if len(chain) == 0 {
			return
		}
		if !slices.Contains(top, chain[0]) {
			t.Fatalf("%q names %q, not a top block", msg, chain[0])
		}
		for i := 1; i < len(chain); i++ {
			if !slices.Contains(nested[chain[i-1]], chain[i]) {
				t.Fatalf("%q: %q is not inside %q", msg, chain[i], chain[i-1])
			}
		}
	})
}
