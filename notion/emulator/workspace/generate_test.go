package workspace

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator"
)

// checkCoverage fails naming every block type, property type, mention type
// and reference kind that f lacks.
func checkCoverage(t *testing.T, f *emulator.Fixture) {
	t.Helper()
	blocks := map[string]int{}
	for _, b := range f.Blocks {
		blocks[b["type"].(string)]++
	}
	props := map[string]int{}
	for _, p := range f.Pages {
		for _, v := range p["properties"].(map[string]any) {
			props[v.(map[string]any)["type"].(string)]++
		}
	}
	var missing []string
	for _, typ := range BlockTypes {
		if blocks[typ] == 0 {
			missing = append(missing, "block "+typ)
		}
	}
	for _, typ := range PropertyTypes {
		if props[typ] == 0 {
			missing = append(missing, "property "+typ)
		}
	}
	mentions := map[string]bool{}
	var richKinds = map[string]bool{}
	var big struct{ relation, people bool }
	icons := map[string]bool{}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if m, ok := v["mention"].(map[string]any); ok {
				mentions[m["type"].(string)] = true
			}
			if typ, ok := v["type"].(string); ok && v["plain_text"] != nil {
				richKinds[typ] = true
				if typ == "text" && v["href"] != nil {
					richKinds["link"] = true
				}
				if a, ok := v["annotations"].(map[string]any); ok && a["bold"] == true {
					richKinds["bold"] = true
				}
			}
			if r, ok := v["relation"].([]any); ok && len(r) > 25 {
				big.relation = true
			}
			if p, ok := v["people"].([]any); ok && len(p) > 25 {
				big.people = true
			}
			if key == "icon" || key == "cover" {
				icons[key+" "+v["type"].(string)] = true
			}
			for k, x := range v {
				walk(k, x)
			}
		case []any:
			for _, x := range v {
				walk(key, x)
			}
		}
	}
	for _, list := range [][]map[string]any{f.Pages, f.Blocks, f.Comments} {
		for _, o := range list {
			walk("", o)
		}
	}
	for _, m := range mentionKinds {
		if !mentions[m] {
			missing = append(missing, "mention "+m)
		}
	}
	for _, k := range []string{"text", "equation", "mention", "link", "bold"} {
		if !richKinds[k] {
			missing = append(missing, "rich text "+k)
		}
	}
	for _, k := range []string{"icon emoji", "icon external", "icon file", "cover external"} {
		if !icons[k] {
			missing = append(missing, k)
		}
	}
	if !big.relation {
		missing = append(missing, "relation value with more than 25 entries")
	}
	if !big.people {
		missing = append(missing, "people value with more than 25 users")
	}
	syncedOriginal, syncedCopy := false, false
	for _, b := range f.Blocks {
		if sb, ok := b["synced_block"].(map[string]any); ok {
			if sb["synced_from"] == nil {
				syncedOriginal = true
			} else {
				syncedCopy = true
			}
		}
		if l, ok := b["link_to_page"].(map[string]any); ok {
			richKinds["link_to_page "+l["type"].(string)] = true
		}
	}
	if !syncedOriginal || !syncedCopy {
		missing = append(missing, "synced block original and copy")
	}
	for _, k := range []string{"link_to_page page_id", "link_to_page database_id"} {
		if !richKinds[k] {
			missing = append(missing, k)
		}
	}
	multi := false
	for _, db := range f.Databases {
		multi = multi || len(db["data_sources"].([]any)) > 1
	}
	if !multi {
		missing = append(missing, "database with several data sources")
	}
	hosted, external, blockComment, pageComment := false, false, false, false
	for _, b := range f.Blocks {
		if m, ok := b[b["type"].(string)].(map[string]any); ok {
			hosted = hosted || m["type"] == "file"
			external = external || m["type"] == "external"
		}
	}
	for _, c := range f.Comments {
		switch c["parent"].(map[string]any)["type"] {
		case "block_id":
			blockComment = true
		case "page_id":
			pageComment = true
		}
	}
	if !hosted || !external || len(f.Files) == 0 {
		missing = append(missing, "hosted and external media")
	}
	if !blockComment || !pageComment {
		missing = append(missing, "comments on pages and on blocks")
	}
	if len(missing) > 0 {
		t.Errorf("missing: %s", strings.Join(missing, ", "))
	}
}

func TestSmallCoversEveryType(t *testing.T) {
	f := Generate(Small())
	checkCoverage(t, f)
	if n := countType(f, UnknownBlockType); n == 0 {
		t.Error("UnknownBlockTypes is set but there is no block of an unknown type")
	}
	o := Small()
	o.UnknownBlockTypes = false
	if n := countType(Generate(o), UnknownBlockType); n != 0 {
		t.Errorf("UnknownBlockTypes is off but there are %d unknown blocks", n)
	}
}

func countType(f *emulator.Fixture, typ string) int {
	n := 0
	for _, b := range f.Blocks {
		if b["type"] == typ {
			n++
		}
	}
	return n
}

func TestSmallIsConsistent(t *testing.T) {
	checkIntegrity(t, Generate(Small()))
}

func TestOtherSeedsAreConsistentAndComplete(t *testing.T) {
	for _, seed := range []uint64{7, 42, 1 << 40} {
		o := Small()
		o.Seed = seed
		f := Generate(o)
		checkIntegrity(t, f)
		checkCoverage(t, f)
	}
}

func TestTinyOptionsStillWork(t *testing.T) {
	// Zero values and a workspace too small for the showcase must not panic.
	for _, o := range []Options{{}, {Seed: 3, Pages: 1, Databases: 1, Users: 1}, {Seed: 4, Pages: 2, Databases: 0}} {
		checkIntegrity(t, Generate(o))
	}
}

func TestSmallMatchesNotionSchemas(t *testing.T) {
	checkShapes(t, Generate(Small()))
}

func marshal(t *testing.T, f *emulator.Fixture) []byte {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGenerateIsDeterministic(t *testing.T) {
	a := marshal(t, Generate(Small()))
	b := marshal(t, Generate(Small()))
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave different workspaces")
	}
	o := Small()
	o.Seed++
	if bytes.Equal(a, marshal(t, Generate(o))) {
		t.Fatal("different seeds gave the same workspace")
	}
}

func TestCloneSharesNothing(t *testing.T) {
	f := Generate(Options{Seed: 9, Pages: 5})
	c := Clone(f)
	if !bytes.Equal(marshal(t, f), marshal(t, c)) {
		t.Fatal("clone differs")
	}
	c.Blocks[0]["created_by"].(map[string]any)["id"] = "changed"
	if f.Blocks[0]["created_by"].(map[string]any)["id"] == "changed" {
		t.Fatal("clone shares maps with the original")
	}
}

func within(got, want int) bool { return got*100 >= want*85 && got*100 <= want*115 }

func TestPresetSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("Large takes a few seconds")
	}
	cases := []struct {
		name          string
		opts          Options
		pages, blocks int
	}{
		{"Small", Small(), 100, 1800},
		{"Medium", Medium(), 2000, 50000},
		{"Large", Large(), 10000, 250000},
	}
	for _, c := range cases {
		f := Generate(c.opts)
		if !within(len(f.Pages), c.pages) || !within(len(f.Blocks), c.blocks) {
			t.Errorf("%s: %d pages and %d blocks; want %d and %d ±15%%", c.name, len(f.Pages), len(f.Blocks), c.pages, c.blocks)
		}
		types := map[string]bool{}
		for _, b := range f.Blocks {
			types[b["type"].(string)] = true
		}
		var got []string
		for typ := range types {
			got = append(got, typ)
		}
		sort.Strings(got)
		for _, typ := range BlockTypes {
			if !slices.Contains(got, typ) {
				t.Errorf("%s: no %s block", c.name, typ)
			}
		}
	}
}
