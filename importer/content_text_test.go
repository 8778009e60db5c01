package importer

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// linkRuns is a copy's rich text as "text→url" runs.
func linkRuns(v any) []string {
	var out []string
	arr, _ := v.([]any)
	for _, x := range arr {
		it, _ := x.(map[string]any)
		s, _ := it["plain_text"].(string)
		if h, _ := it["href"].(string); h != "" {
			s += "→" + h
		}
		out = append(out, s)
	}
	return out
}

// TestRestoreLinkMentionsWithoutText restores link mentions and previews
// whose stored text is empty: each comes back as text linked to its URL,
// the URL being the text, and Verify expects exactly that.
func TestRestoreLinkMentionsWithoutText(t *testing.T) {
	_, fid, got, _ := fixtureRoundTrip(t, "content-link-mentions.json", emulator.Options{})
	pg := restoredRoot(t, got)
	want := [][]string{
		{"Empty text, href set: ", "https://example.com/empty→https://example.com/empty"},
		{"Empty text, no href: ", "https://example.com/bare→https://example.com/bare"},
		{"With text: ", "Titled page→https://example.com/titled"},
		{"https://example.com/preview→https://example.com/preview", " (a link preview)"},
	}
	if len(pg.Children) != len(want) {
		t.Fatalf("%d blocks restored, want %d", len(pg.Children), len(want))
	}
	for i, id := range pg.Children {
		b := pg.Blocks[id]
		src, _ := b.Object[typeOf(b)].(map[string]any)
		if have := linkRuns(src["rich_text"]); !slices.Equal(have, want[i]) {
			t.Errorf("block %d reads %q, want %q", i, have, want[i])
		}
	}
	if kf := fid.Kinds["block paragraph"]; kf == nil || kf.Equal != 3 {
		t.Errorf("Verify compared the paragraphs as %+v, want 3 equal", kf)
	}
}

// TestRestoreKeepsIDsInLiteralText restores a page whose code, text,
// caption, URLs and equation quote page and block ids, dashed and not:
// they come back byte for byte, the real references (a page mention, a
// link_to_page) point at the copy, and Verify finds nothing to report.
func TestRestoreKeepsIDsInLiteralText(t *testing.T) {
	f, err := workspace.Load(filepath.Join("..", "testdata", "fixtures", "restore", "content-literal-ids.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep, fid, got, _ := fixtureRoundTrip(t, "content-literal-ids.json", emulator.Options{})
	stored := map[string]map[string]any{}
	for _, b := range f.Blocks {
		stored[b["type"].(string)] = b
	}
	pg := restoredRoot(t, got)
	target := "1e000000-0000-4000-8000-000000000002"
	for _, id := range pg.Children {
		b := pg.Blocks[id]
		typ := typeOf(b)
		have, _ := b.Object[typ].(map[string]any)
		want, _ := stored[typ][typ].(map[string]any)
		switch typ {
		case "code", "bookmark", "equation":
			for _, k := range []string{"rich_text", "caption", "url", "expression"} {
				if w, h := literal(want[k]), literal(have[k]); w != h {
					t.Errorf("%s %s: %q, stored %q", typ, k, h, w)
				}
			}
		case "paragraph":
			runs := linkRuns(have["rich_text"])
			if len(runs) != 4 || runs[0] != literal(want["rich_text"].([]any)[0]) || !strings.HasSuffix(runs[1], strings.ReplaceAll(target, "-", "")) {
				t.Errorf("paragraph reads %q", runs)
			}
			m, _ := have["rich_text"].([]any)[3].(map[string]any)["mention"].(map[string]any)
			if id, _ := m["page"].(map[string]any)["id"].(string); id != rep.IDs[target] {
				t.Errorf("the page mention points at %s, want the copy %s", id, rep.IDs[target])
			}
		case "link_to_page":
			if have["page_id"] != rep.IDs[target] {
				t.Errorf("link_to_page points at %v, want the copy %s", have["page_id"], rep.IDs[target])
			}
		}
	}
	if kf := fid.Kinds["block code"]; kf == nil || kf.Equal != 1 || kf.Compared != 1 {
		t.Errorf("Verify compared the code block as %+v", kf)
	}
}

// literal is the text a stored or restored value holds: the plain text of
// rich text, else the string itself.
func literal(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		return layout.PlainText(v)
	case map[string]any:
		return layout.PlainText([]any{v})
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}
