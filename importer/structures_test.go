package importer

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// structureRoundTrip loads a hand-written fixture of testdata/fixtures/restore,
// syncs it, restores it into an empty page of another emulator, syncs the
// copy and compares: it fails on every difference RESTORE.md does not list.
// It returns the snapshot, the copy's snapshot, the report and the target.
func structureRoundTrip(t *testing.T, name string) (*layout.Snapshot, *layout.Snapshot, *Report, *localNotion, Options) {
	t.Helper()
	f, err := workspace.Load(filepath.Join("..", "testdata", "fixtures", "restore", name))
	if err != nil {
		t.Fatal(err)
	}
	src := startEmulator(t, f, emulator.Options{})
	snap, tree := syncTree(t, src)
	dst := emptyTarget(t, emulator.Options{})
	opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(tree), Journal: filepath.Join(t.TempDir(), "journal.jsonl")}
	rep, err := Restore(context.Background(), dst.client, snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := syncTree(t, dst, workspace.EmptyTargetID)
	fid, err := Verify(snap, opts, rep, got)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\nfidelity:\n%s", rep.Summary(), fid)
	for _, u := range fid.Unexpected() {
		t.Error(u)
	}
	return snap, got, rep, dst, opts
}

// TestRestoreNestedDatabases: databases inside database rows, four levels
// deep (row → database → row → database), with a page inside a row, all
// come back in place.
func TestRestoreNestedDatabases(t *testing.T) {
	snap, got, rep, dst, opts := structureRoundTrip(t, "nested-databases.json")
	if len(snap.Databases) != 5 || len(snap.Pages) != 10 {
		t.Fatalf("the fixture synced as %d databases and %d pages, want 5 and 10", len(snap.Databases), len(snap.Pages))
	}
	if rep.Databases != 5 || rep.DataSources != 5 || rep.Rows != 8 || rep.Pages != 2 {
		t.Errorf("restored %d databases, %d data sources, %d rows, %d pages; want 5, 5, 8, 2", rep.Databases, rep.DataSources, rep.Rows, rep.Pages)
	}
	// The copy holds the target page besides what was restored.
	if len(got.Databases) != 5 || len(got.Pages) != 11 {
		t.Errorf("the copy has %d databases and %d pages, want 5 and 11", len(got.Databases), len(got.Pages))
	}
	// Run again with the journal: every step is found done, at every
	// depth, and nothing is created twice.
	before := creates(dst)
	if _, err := Restore(context.Background(), dst.client, snap, opts); err != nil {
		t.Fatal(err)
	}
	if n := creates(dst) - before; n != 0 {
		t.Errorf("a rerun sent %d creates, want 0", n)
	}
}

// creates counts the POSTs (pages, databases, data sources) and appends a
// target has answered.
func creates(e *localNotion) int {
	n := 0
	for _, l := range e.srv.Log() {
		if strings.HasPrefix(l.Endpoint, "POST ") && !strings.HasSuffix(l.Endpoint, "/query") || strings.HasPrefix(l.Endpoint, "PATCH /v1/blocks/{id}/children") {
			n++
		}
	}
	return n
}

// TestRestoreDataSourceIcons: each data source keeps its own icon and
// title, the first one (created with its database) included, whether it
// differs from its database's or has none where its database has one.
func TestRestoreDataSourceIcons(t *testing.T) {
	snap, got, rep, _, _ := structureRoundTrip(t, "data-source-icons.json")
	if len(snap.DataSources) != 5 {
		t.Fatalf("the fixture synced as %d data sources, want 5", len(snap.DataSources))
	}
	for _, id := range sortedKeys(snap.DataSources) {
		want := snap.DataSources[id].Object
		have := got.DataSources[rep.IDs[id]]
		if have == nil {
			t.Errorf("data source %s was not restored", id)
			continue
		}
		w, h := fmt.Sprint(want["icon"]), fmt.Sprint(have.Object["icon"])
		if w != h {
			t.Errorf("data source %s (%s): icon %s, want %s", id, layout.PlainText(want["title"]), h, w)
		}
		if wt, ht := layout.PlainText(want["title"]), layout.PlainText(have.Object["title"]); wt != ht {
			t.Errorf("data source %s: title %q, want %q", id, ht, wt)
		}
	}
}

// TestRestoreEmptyValues: select and multi-select schemas without options,
// and empty relation and multi-select values, come back empty as they
// were ({"options": []}, []), not missing or null.
func TestRestoreEmptyValues(t *testing.T) {
	snap, got, rep, _, _ := structureRoundTrip(t, "empty-values.json")
	for _, id := range sortedKeys(snap.DataSources) {
		props, _ := got.DataSources[rep.IDs[id]].Object["properties"].(map[string]any)
		for _, name := range []string{"Tags", "Kind"} {
			if props[name] == nil {
				continue
			}
			def := props[name].(map[string]any)
			conf, _ := def[def["type"].(string)].(map[string]any)
			if opts, ok := conf["options"].([]any); !ok || len(opts) != 0 {
				t.Errorf("schema %s: %v, want {\"options\": []}", name, conf)
			}
		}
	}
	n := 0
	for _, id := range sortedKeys(snap.Pages) {
		props, _ := got.Pages[rep.IDs[id]].Object["properties"].(map[string]any)
		if v, ok := props["Topic"].(map[string]any); ok {
			n++
			if rel, ok := v["relation"].([]any); !ok || (rel == nil) {
				t.Errorf("row %s: relation %v, want a list", id, v["relation"])
			}
		}
	}
	if n != 2 {
		t.Errorf("%d rows with a relation, want 2", n)
	}
}

// TestRestoreDualRelations: two databases related both ways, and a data
// source related to itself both ways, come back as one dual relation per
// pair: no property more on either side, each side naming the other, and
// every row's values on both sides as they were.
func TestRestoreDualRelations(t *testing.T) {
	snap, got, rep, _, _ := structureRoundTrip(t, "dual-relations.json")
	back := map[string]string{}
	for old, nu := range rep.IDs {
		back[nu] = old
	}
	for _, id := range sortedKeys(snap.DataSources) {
		want, _ := snap.DataSources[id].Object["properties"].(map[string]any)
		have, _ := got.DataSources[rep.IDs[id]].Object["properties"].(map[string]any)
		if w, h := sortedKeys(want), sortedKeys(have); !slices.Equal(w, h) {
			t.Errorf("data source %s: properties %q, want %q", id, h, w)
		}
		for name, def := range have {
			conf, _ := def.(map[string]any)["relation"].(map[string]any)
			if conf == nil {
				continue
			}
			if conf["type"] != "dual_property" {
				t.Errorf("%s.%s: a %v relation, want dual_property", id, name, conf["type"])
				continue
			}
			// The other side names this one back.
			target := back[conf["data_source_id"].(string)]
			dp, _ := conf["dual_property"].(map[string]any)
			other, _ := got.DataSources[rep.IDs[target]].Object["properties"].(map[string]any)
			od, _ := other[dp["synced_property_name"].(string)].(map[string]any)
			oc, _ := od["relation"].(map[string]any)
			odp, _ := oc["dual_property"].(map[string]any)
			if odp["synced_property_name"] != name || odp["synced_property_id"] != def.(map[string]any)["id"] {
				t.Errorf("%s.%s is synced with %s.%v, which is synced with %v (%v)", id, name, target, dp["synced_property_name"], odp["synced_property_name"], odp["synced_property_id"])
			}
		}
	}
}
