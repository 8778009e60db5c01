package review

import (
	"testing"

	"github.com/notion-git/notion-git/layout"
)

// TestCompareViews adds views to the test workspace, then renames one,
// regroups another, removes a third and adds a fourth: each is one change
// of its own kind, and a view whose only difference is Notion's edit stamp
// is no change.
func TestCompareViews(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	w := newWorkspace()
	view := func(id, name, typ string, config map[string]any) *layout.View {
		config["type"] = typ
		return &layout.View{ID: id, Object: layout.Object{
			"object": "view", "id": id, "name": name, "type": typ,
			"parent":         map[string]any{"type": "database_id", "database_id": databaseID},
			"data_source_id": sourceID, "last_edited_time": "2026-07-04T09:08:00.000Z",
			"configuration": config,
		}}
	}
	const (
		allID   = "e0000000-0000-4000-8000-000000000001"
		boardID = "e0000000-0000-4000-8000-000000000002"
		oldID   = "e0000000-0000-4000-8000-000000000003"
		calID   = "e0000000-0000-4000-8000-000000000004"
		quietID = "e0000000-0000-4000-8000-000000000005"
	)
	db := w.snap.Databases[databaseID]
	db.Views = []*layout.View{
		view(allID, "All", "table", map[string]any{}),
		view(boardID, "Board", "board", map[string]any{"group_by": map[string]any{"type": "number", "property_id": "est"}}),
		view(oldID, "Old", "list", map[string]any{}),
		view(quietID, "Quiet", "list", map[string]any{}),
	}
	first := r.commit(t, w, "views")

	db.Views[0].Object["name"] = "Everything"
	db.Views[1].Object["configuration"].(map[string]any)["group_by"].(map[string]any)["property_id"] = "due"
	db.Views[3].Object["last_edited_time"] = "2026-07-05T10:00:00.000Z"
	db.Views = append([]*layout.View{db.Views[0], db.Views[1], db.Views[3]}, view(calID, "Calendar", "calendar", map[string]any{"date_property_id": "due"}))
	second := r.commit(t, w, "edit views")

	d, err := Compare(t.Context(), r.Repo, first, second)
	if err != nil {
		t.Fatal(err)
	}
	if d.Empty() {
		t.Fatal("a diff of view changes reads as empty")
	}
	got := map[string]*ViewChange{}
	for _, v := range d.Views {
		if v.Database != databaseID || v.DatabaseTitle != "Tasks" {
			t.Errorf("view %s: database %s %q", v.ID, v.Database, v.DatabaseTitle)
		}
		got[v.ID] = v
	}
	if len(got) != 4 || got[quietID] != nil {
		t.Fatalf("views changed: %+v; want 4, the one only stamped again not among them", d.Views)
	}
	if v := got[allID]; !v.Renamed() || v.OldName != "All" || v.NewName != "Everything" || v.SettingsChanged {
		t.Errorf("renamed view: %+v", v)
	}
	if v := got[boardID]; v.Renamed() || !v.SettingsChanged || v.NewType != "board" {
		t.Errorf("regrouped view: %+v", v)
	}
	if v := got[oldID]; !v.InOld || v.InNew || v.OldName != "Old" {
		t.Errorf("removed view: %+v", v)
	}
	if v := got[calID]; v.InOld || !v.InNew || v.NewType != "calendar" {
		t.Errorf("added view: %+v", v)
	}
}
