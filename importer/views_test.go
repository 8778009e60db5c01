package importer

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/contract"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

const viewsDB = "d0000000-0000-4000-8000-0000000000a1"

func viewsFixture(t *testing.T) *emulator.Fixture {
	t.Helper()
	f, err := workspace.Load(filepath.Join("..", "testdata", "fixtures", "restore", "views.json"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestViewsFixtureIsNotions checks that every view of the hand-written
// fixture is a view as the SDK types it, and that it holds every type.
func TestViewsFixtureIsNotions(t *testing.T) {
	contract.Require(t)
	f := viewsFixture(t)
	types := map[string]bool{}
	for _, v := range f.Views {
		// The SDK declares a quick filter's condition as an empty object
		// (a known gap of its types): the conditions are checked as such.
		v = layout.Clone(v)
		if qf, ok := v["quick_filters"].(map[string]any); ok {
			for k := range qf {
				qf[k] = map[string]any{}
			}
		}
		if err := contract.Validate("DataSourceViewObjectResponse", v); err != nil {
			t.Errorf("view %v: %v", v["id"], err)
		}
		types[v["type"].(string)] = true
	}
	for typ := range ViewRules {
		if !types[typ] {
			t.Errorf("the fixture has no %s view", typ)
		}
	}
}

// TestViewsRoundTrip syncs a database with views of every type, restores
// it into an empty page, syncs the copy and compares: every view comes
// back, with its filters, sorts, grouping and visible properties on the
// copy's properties, in tab order, and Notion's default view is gone.
func TestViewsRoundTrip(t *testing.T) {
	f := viewsFixture(t)
	src := startEmulator(t, f, emulator.Options{})
	snap, tree := syncTree(t, src)
	db := snap.Databases[viewsDB]
	if db == nil || len(db.Views) != len(f.Views) {
		t.Fatalf("sync stored %d views, the workspace has %d", len(db.Views), len(f.Views))
	}
	for i, v := range db.Views {
		if v.ID != f.Views[i]["id"] {
			t.Fatalf("view %d is %s, want %s (tab order)", i, v.ID, f.Views[i]["id"])
		}
	}
	for _, v := range f.Views {
		p := layout.ViewPath(viewsDB, v["id"].(string))
		obj, err := layout.Decode(tree[p])
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if !jsonEqual(obj, v) {
			t.Errorf("%s differs from the view Notion served:\n%s", p, tree[p])
		}
	}

	dst := emptyTarget(t, emulator.Options{})
	opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(tree), Journal: filepath.Join(t.TempDir(), "journal.jsonl")}
	rep, err := Restore(context.Background(), dst.client, snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s", rep.Summary(), rep.Details())
	if rep.Views != len(f.Views) {
		t.Errorf("restored %d views, want %d", rep.Views, len(f.Views))
	}
	got, _ := syncTree(t, dst, workspace.EmptyTargetID)
	copyDB := got.Databases[rep.IDs[viewsDB]]
	if copyDB == nil || len(copyDB.Views) != len(f.Views) {
		t.Fatalf("the copy has %d views, want exactly the %d stored", len(copyDB.Views), len(f.Views))
	}
	fid, err := Verify(snap, opts, rep, got)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fidelity:\n%s", fid)
	for _, u := range fid.Unexpected() {
		t.Error(u)
	}
	for typ, rule := range ViewRules {
		k := fid.Kinds["view "+typ]
		if k == nil || k.Compared == 0 {
			t.Errorf("no %s view compared", typ)
		} else if rule.Fidelity == Exact && k.Equal != k.Compared {
			t.Errorf("%s views: %d of %d equal", typ, k.Equal, k.Compared)
		}
	}
	if k := fid.Kinds["view order"]; k == nil || k.Equal != 1 {
		t.Errorf("tab order not kept: %+v", k)
	}
	// The comparison sees a view that lost its grouping.
	delete(copyDB.Views[0].Object["configuration"].(map[string]any), "group_by")
	if fid, err := Verify(snap, opts, rep, got); err != nil || len(fid.Unexpected()) != 1 {
		t.Errorf("a copy whose table lost its grouping: %v, %q", err, fid.Unexpected())
	}

	// The restore's view requests are Notion's: each body the SDK types
	// fully (no filter, sorts or quick filters, which it declares empty)
	// validates.
	if _, err := contract.Dir(); err == nil {
		for _, e := range dst.srv.Log() {
			if e.Endpoint != "POST /v1/views" {
				continue
			}
			var body map[string]any
			if err := json.Unmarshal(e.RequestBody, &body); err != nil {
				t.Fatal(err)
			}
			if body["filter"] != nil || body["sorts"] != nil || body["quick_filters"] != nil {
				continue
			}
			if err := contract.Validate("CreateViewBodyParameters", body); err != nil {
				t.Errorf("POST /v1/views %s: %v", e.RequestBody, err)
			}
		}
	}
}

// TestRefusedViewsAreExpected restores views the API refuses: a view whose
// settings are refused comes back bare, one refused even bare is left out,
// and --verify expects both. When every view of a database is refused, the
// view Notion gave the new database is kept rather than deleted (a
// database keeps at least one view), and verify expects it too.
func TestRefusedViewsAreExpected(t *testing.T) {
	src := startEmulator(t, viewsFixture(t), emulator.Options{})
	for _, every := range []bool{false, true} {
		snap, tree := syncTree(t, src)
		views := snap.Databases[viewsDB].Views
		refused := views[1:3]
		if every {
			refused = views
		}
		conf := views[1].Object["configuration"].(map[string]any)
		conf["not_a_setting"] = true // refused as stored, created bare
		for _, v := range refused[1:] {
			v.Object["type"] = "not_a_type" // refused even bare
		}
		if every {
			views[0].Object["type"] = "not_a_type"
		}
		dst := emptyTarget(t, emulator.Options{})
		opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(tree), Journal: filepath.Join(t.TempDir(), "journal.jsonl")}
		rep, err := Restore(context.Background(), dst.client, snap, opts)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := syncTree(t, dst, workspace.EmptyTargetID)
		copyDB := got.Databases[rep.IDs[viewsDB]]
		fid, err := Verify(snap, opts, rep, got)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range fid.Unexpected() {
			t.Errorf("every=%v: %s", every, u)
		}
		left := 0
		for k, n := range fid.Kinds {
			if strings.HasSuffix(k, "(refused by the API → left out)") {
				left += n.Compared
			}
		}
		if every {
			// Every view is left out; Notion's own view stays.
			if left != len(views) || len(copyDB.Views) != 1 {
				t.Errorf("every view refused: %d left out, the copy has %d views (want %d, and 1: Notion's)", left, len(copyDB.Views), len(views))
			}
			continue
		}
		if left != 1 || len(copyDB.Views) != len(views)-1 {
			t.Errorf("%d views left out, the copy has %d views; want 1 and %d", left, len(copyDB.Views), len(views)-1)
		}
		if k := fid.Kinds["view board (refused by the API → bare view)"]; k == nil || k.Compared != 1 {
			t.Errorf("the bare board view was not expected: %+v", k)
		}
	}
}
