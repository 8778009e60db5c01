package importer

import (
	"context"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// TestVerifyReportsAnObjectItCannotCompare compares a snapshot with itself
// after one page got a value JSON cannot hold: Verify says which page,
// rather than comparing it as something else.
func TestVerifyReportsAnObjectItCannotCompare(t *testing.T) {
	src := smallSource(t)
	// Decoded whole: the snapshot is both sides, and one of its objects is
	// edited in memory.
	whole, err := layout.DecodeSnapshot(layout.MapSource(src.tree))
	if err != nil {
		t.Fatal(err)
	}
	src.snap = whole
	ids := map[string]string{}
	for id := range src.snap.Pages {
		ids[id] = id
	}
	for id := range src.snap.Databases {
		ids[id] = id
	}
	for id := range src.snap.DataSources {
		ids[id] = id
	}
	rep := &Report{IDs: ids}
	if _, err := Verify(src.snap, Options{}, rep, src.snap); err != nil {
		t.Fatalf("a snapshot compared with itself: %v", err)
	}
	bad := slices.Sorted(maps.Keys(src.snap.Pages))[0]
	src.snap.Pages[bad].Object["broken"] = math.NaN()
	_, err = Verify(src.snap, Options{}, rep, src.snap)
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("Verify with a NaN in page %s: %v", bad, err)
	}
}

// roundTripCopy restores the small generated workspace into an empty page
// and syncs the copy. fresh decodes the copy anew, for one damage at a time.
func roundTripCopy(t *testing.T) (src source, opts Options, rep *Report, fresh func() *layout.Snapshot) {
	t.Helper()
	src = smallSource(t)
	dst := emptyTarget(t, emulator.Options{})
	opts = Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree)}
	rep, err := Restore(context.Background(), dst.client, src.snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	_, tree := syncTree(t, dst, workspace.EmptyTargetID)
	fresh = func() *layout.Snapshot {
		got, err := layout.DecodeSnapshot(layout.MapSource(tree))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	return src, opts, rep, fresh
}

// findMap returns the first map inside x (depth first, keys in order) for
// which ok holds.
func findMap(x any, ok func(map[string]any) bool) map[string]any {
	switch x := x.(type) {
	case map[string]any:
		if ok(x) {
			return x
		}
		for _, k := range sortedKeys(x) {
			if m := findMap(x[k], ok); m != nil {
				return m
			}
		}
	case []any:
		for _, e := range x {
			if m := findMap(e, ok); m != nil {
				return m
			}
		}
	}
	return nil
}

// inBlocks returns the first map in a block of the copy for which ok holds.
func inBlocks(got *layout.Snapshot, ok func(map[string]any) bool) map[string]any {
	for _, pid := range sortedKeys(got.Pages) {
		pg := got.Pages[pid]
		for _, bid := range sortedKeys(pg.Blocks) {
			if m := findMap(map[string]any(pg.Blocks[bid].Object), ok); m != nil {
				return m
			}
		}
	}
	return nil
}

// TestVerifyCatchesWrongReferences damages a clean round trip's copy one
// reference at a time, as a restore that got it wrong would leave it:
// Verify must report each, under the kind it belongs to.
func TestVerifyCatchesWrongReferences(t *testing.T) {
	src, opts, rep, fresh := roundTripCopy(t)
	fid, err := Verify(src.snap, opts, rep, fresh())
	if err != nil {
		t.Fatal(err)
	}
	if u := fid.Unexpected(); len(u) > 0 {
		t.Fatalf("the undamaged copy differs: %v", u)
	}
	// The copy's ids of restored pages, rows aside, and of rows.
	var pages, rows []string
	for _, id := range sortedKeys(src.snap.Pages) {
		if src.snap.Header(id).ParentType == "data_source_id" {
			rows = append(rows, rep.IDs[id])
		} else {
			pages = append(pages, rep.IDs[id])
		}
	}
	other := func(list []string, not string) string {
		for _, id := range list {
			if id != not {
				return id
			}
		}
		t.Fatal("no other object to point at")
		return ""
	}
	restoredMention := func(kind string) func(map[string]any) bool {
		return func(m map[string]any) bool {
			k, body := mentionBody(m)
			id, _ := body["id"].(string)
			return k == kind && slices.Contains(pages, id)
		}
	}
	schema := func(got *layout.Snapshot) map[string]any {
		for _, id := range sortedKeys(got.DataSources) {
			if props, _ := got.DataSources[id].Object["properties"].(map[string]any); len(props) > 0 {
				return props
			}
		}
		t.Fatal("no data source with properties in the copy")
		return nil
	}
	damages := []struct {
		name, kind string
		damage     func(got *layout.Snapshot) bool
	}{
		{"a page mention at another restored page", "block ", func(got *layout.Snapshot) bool {
			m := inBlocks(got, restoredMention("page"))
			if m == nil {
				return false
			}
			body := m["mention"].(map[string]any)["page"].(map[string]any)
			body["id"] = other(pages, body["id"].(string))
			return true
		}},
		{"a page mention's text", "block ", func(got *layout.Snapshot) bool {
			m := inBlocks(got, restoredMention("page"))
			if m == nil {
				return false
			}
			m["plain_text"] = "Untitled"
			return true
		}},
		{"a relation value swapped", "property relation", func(got *layout.Snapshot) bool {
			for _, id := range rows {
				props, _ := got.Pages[id].Object["properties"].(map[string]any)
				for _, name := range sortedKeys(props) {
					p := props[name].(map[string]any)
					if rel, _ := p["relation"].([]any); p["type"] == "relation" && len(rel) > 0 {
						m := rel[0].(map[string]any)
						m["id"] = other(rows, m["id"].(string))
						return true
					}
				}
			}
			return false
		}},
		{"a link_to_page retargeted", "block link_to_page", func(got *layout.Snapshot) bool {
			b := inBlocks(got, func(m map[string]any) bool {
				l, _ := m["link_to_page"].(map[string]any)
				id, _ := l["page_id"].(string)
				return m["type"] == "link_to_page" && slices.Contains(pages, id)
			})
			if b == nil {
				return false
			}
			l := b["link_to_page"].(map[string]any)
			l["page_id"] = other(pages, l["page_id"].(string))
			return true
		}},
		{"a synced copy of another original", "block synced_block", func(got *layout.Snapshot) bool {
			var originals []string
			for _, pg := range got.Pages {
				for id, b := range pg.Blocks {
					if sb, _ := b.Object["synced_block"].(map[string]any); b.Object["type"] == "synced_block" && sb["synced_from"] == nil {
						originals = append(originals, id)
					}
				}
			}
			slices.Sort(originals)
			b := inBlocks(got, func(m map[string]any) bool {
				sb, _ := m["synced_block"].(map[string]any)
				return m["type"] == "synced_block" && sb["synced_from"] != nil
			})
			if b == nil || len(originals) < 2 {
				return false
			}
			from := b["synced_block"].(map[string]any)["synced_from"].(map[string]any)
			from["block_id"] = other(originals, from["block_id"].(string))
			return true
		}},
		{"a page moved", "page", func(got *layout.Snapshot) bool {
			for _, id := range pages {
				par, _ := got.Pages[id].Object["parent"].(map[string]any)
				if par["type"] == "page_id" && par["page_id"] != other(pages, id) {
					par["page_id"] = other(pages, id)
					return true
				}
			}
			return false
		}},
		{"a comment's author name", "comment", func(got *layout.Snapshot) bool {
			for _, pid := range sortedKeys(got.Pages) {
				for _, c := range got.Pages[pid].Comments {
					if dn, _ := c.Object["display_name"].(map[string]any); dn != nil {
						dn["resolved_name"] = "Someone Else"
						return true
					}
				}
			}
			return false
		}},
		{"a comment posted twice", "comment (extra)", func(got *layout.Snapshot) bool {
			for _, pid := range sortedKeys(got.Pages) {
				if cs := got.Pages[pid].Comments; len(cs) > 0 {
					got.Pages[pid].Comments = append(cs, cs[len(cs)-1])
					return true
				}
			}
			return false
		}},
		{"an extra property", "schema (extra)", func(got *layout.Snapshot) bool {
			props := schema(got)
			props["Duplicate"] = map[string]any{"id": "dup", "name": "Duplicate", "type": "checkbox", "checkbox": map[string]any{}}
			return true
		}},
		{"a missing property", "schema ", func(got *layout.Snapshot) bool {
			props := schema(got)
			for _, name := range sortedKeys(props) {
				if props[name].(map[string]any)["type"] != "title" {
					delete(props, name)
					return true
				}
			}
			return false
		}},
		{"a retyped property", "schema ", func(got *layout.Snapshot) bool {
			for _, id := range sortedKeys(got.DataSources) {
				props, _ := got.DataSources[id].Object["properties"].(map[string]any)
				for _, name := range sortedKeys(props) {
					if p := props[name].(map[string]any); p["type"] == "checkbox" {
						delete(p, "checkbox")
						p["type"], p["rich_text"] = "rich_text", map[string]any{}
						return true
					}
				}
			}
			return false
		}},
		{"a relation schema at another data source", "schema relation", func(got *layout.Snapshot) bool {
			var sources []string
			for _, id := range sortedKeys(src.snap.DataSources) {
				sources = append(sources, rep.IDs[id])
			}
			for _, id := range sortedKeys(got.DataSources) {
				props, _ := got.DataSources[id].Object["properties"].(map[string]any)
				for _, name := range sortedKeys(props) {
					if conf, _ := props[name].(map[string]any)["relation"].(map[string]any); conf != nil {
						conf["data_source_id"] = other(sources, conf["data_source_id"].(string))
						return true
					}
				}
			}
			return false
		}},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			got := fresh()
			if !d.damage(got) {
				t.Fatal("the copy holds nothing to damage")
			}
			fid, err := Verify(src.snap, opts, rep, got)
			if err != nil {
				t.Fatal(err)
			}
			u := fid.Unexpected()
			if len(u) != 1 || !strings.HasPrefix(u[0], d.kind) {
				t.Errorf("Verify reports %q, want one difference of kind %q", u, d.kind)
			}
		})
	}
}
