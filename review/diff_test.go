package review

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/layout"
)

// history is four commits of the test workspace:
//
//	first   the first sync
//	edit    Guide renamed "Handbook" and its second line reworded; the
//	        schema of Tasks edited
//	move    Notes moved from Home into Handbook
//	trash   the row removed
type history struct {
	repo                      *testRepo
	first, edit, move, remove plumbing.Hash
}

func newHistory(t *testing.T) *history {
	t.Helper()
	r := newTestRepo(t)
	w := newWorkspace()
	h := &history{repo: r}
	h.first = r.commit(t, w, "first")

	w.setTitle(guideID, "Handbook")
	w.setLine(guideID, 2, "Then that.")
	w.schema(func(props map[string]any) {
		est := props["Estimate"].(map[string]any)
		est["name"] = "Points"
		props["Points"] = est
		delete(props, "Estimate")
		delete(props, "Due")
		props["Reviewed"] = map[string]any{"id": "rvwd", "name": "Reviewed", "type": "checkbox", "checkbox": map[string]any{}}
	})
	h.edit = r.commit(t, w, "edit")

	w.move(notesID, guideID)
	h.move = r.commit(t, w, "move")

	delete(w.snap.Pages, rowID)
	h.remove = r.commit(t, w, "remove")
	return h
}

func compare(t *testing.T, h *history, from, to plumbing.Hash) *Diff {
	t.Helper()
	d, err := Compare(context.Background(), h.repo.Repo, from, to)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// page returns the change of page id, failing the test without one.
func (d *Diff) page(t *testing.T, id string) *PageChange {
	t.Helper()
	for _, p := range d.Pages {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no change of page %s in %+v", id, d.Pages)
	return nil
}

func pageIDs(d *Diff) []string {
	var ids []string
	for _, p := range d.Pages {
		ids = append(ids, p.ID)
	}
	return ids
}

func TestCompareRenameEditAndSchema(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	d := compare(t, h, h.first, h.edit)

	if got := pageIDs(d); !reflect.DeepEqual(got, []string{guideID}) {
		t.Fatalf("pages changed: %v, want Guide alone", got)
	}
	p := d.page(t, guideID)
	if !p.InOld || !p.InNew || p.OldTitle != "Guide" || p.NewTitle != "Handbook" || p.Title() != "Handbook" {
		t.Errorf("rename: %+v", p)
	}
	if !p.Renamed() || p.Moved() || p.Added() || p.Removed() || !p.Edited {
		t.Errorf("renamed %v, moved %v, added %v, removed %v, edited %v; want renamed and edited",
			p.Renamed(), p.Moved(), p.Added(), p.Removed(), p.Edited)
	}
	if p.OldParent != (Parent{ID: homeID, Title: "Home"}) || p.NewParent != p.OldParent {
		t.Errorf("parents: %+v, %+v", p.OldParent, p.NewParent)
	}
	if p.LinesAdded != 2 || p.LinesRemoved != 2 {
		t.Errorf("+%d -%d, want +2 -2 (the title and a line)", p.LinesAdded, p.LinesRemoved)
	}
	want := []Hunk{{OldStart: 1, OldCount: 7, NewStart: 1, NewCount: 7, Lines: []Line{
		{Op: '-', Text: "# Guide"}, {Op: '+', Text: "# Handbook"}, // nothing but "# " kept: not marked
		{Op: ' ', Text: ""}, {Op: ' ', Text: "Read this first."}, {Op: ' ', Text: ""},
		{Op: '-', Text: "Then this.", Words: []Span{{"Then ", false}, {"this", true}, {".", false}}},
		{Op: '+', Text: "Then that.", Words: []Span{{"Then ", false}, {"that", true}, {".", false}}},
		{Op: ' ', Text: ""}, {Op: ' ', Text: "And this."},
	}}}
	if !reflect.DeepEqual(p.Hunks, want) {
		t.Errorf("hunks:\n%+v\nwant\n%+v", p.Hunks, want)
	}

	if len(d.Schemas) != 1 {
		t.Fatalf("schemas: %+v, want the data source alone", d.Schemas)
	}
	s := d.Schemas[0]
	if s.Kind != layout.KindDataSource || s.ID != sourceID || !s.InOld || !s.InNew || s.Renamed() {
		t.Errorf("schema change: %+v", s)
	}
	wantProps := []PropertyChange{
		{ID: "due", InOld: true, Old: Property{"Due", "date"}},
		{ID: "est", InOld: true, InNew: true, Old: Property{"Estimate", "number"}, New: Property{"Points", "number"}},
		{ID: "rvwd", InNew: true, New: Property{"Reviewed", "checkbox"}},
	}
	if !reflect.DeepEqual(s.Properties, wantProps) {
		t.Errorf("properties:\n%+v\nwant\n%+v", s.Properties, wantProps)
	}
}

func TestCompareMove(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	d := compare(t, h, h.edit, h.move)
	p := d.page(t, notesID)
	if !p.Moved() || p.Renamed() || p.Edited || len(p.Hunks) != 0 {
		t.Errorf("a move alone: moved %v, renamed %v, edited %v, hunks %v", p.Moved(), p.Renamed(), p.Edited, p.Hunks)
	}
	if p.OldParent != (Parent{ID: homeID, Title: "Home"}) || p.NewParent != (Parent{ID: guideID, Title: "Handbook"}) {
		t.Errorf("parents: from %+v to %+v", p.OldParent, p.NewParent)
	}
	if got := pageIDs(d); !reflect.DeepEqual(got, []string{notesID}) {
		t.Errorf("pages changed by moving Notes: %v", got)
	}
	if len(d.Schemas) != 0 {
		t.Errorf("schemas changed by a move: %+v", d.Schemas)
	}
}

func TestCompareRemoveAndAdd(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	d := compare(t, h, h.move, h.remove)
	p := d.page(t, rowID)
	if !p.Removed() || p.Added() || p.OldTitle != "Write tests" || p.NewTitle != "" || p.Title() != "Write tests" || p.LinesAdded != 0 || p.LinesRemoved == 0 {
		t.Errorf("removed row: %+v", p)
	}
	if p.OldParent != (Parent{ID: sourceID, Title: "Tasks"}) {
		t.Errorf("the row's parent: %+v", p.OldParent)
	}
	if len(p.Hunks) != 1 || p.Hunks[0].NewStart != 0 || p.Hunks[0].NewCount != 0 || p.Hunks[0].OldStart != 1 {
		t.Errorf("hunk of a removed page: %+v", p.Hunks)
	}

	// The first sync, compared with nothing, adds everything; by title.
	d = compare(t, h, plumbing.ZeroHash, h.first)
	var titles []string
	for _, p := range d.Pages {
		if !p.Added() || p.InOld {
			t.Errorf("page %s of the first sync is not added: %+v", p.ID, p)
		}
		titles = append(titles, p.Title())
	}
	if want := []string{"Guide", "Home", "Notes", "Write tests"}; !reflect.DeepEqual(titles, want) {
		t.Errorf("pages of the first sync: %v, want %v", titles, want)
	}
	var kinds []string
	for _, s := range d.Schemas {
		if s.InOld || !s.InNew || s.NewTitle != "Tasks" {
			t.Errorf("schema of the first sync: %+v", s)
		}
		kinds = append(kinds, s.Kind)
	}
	if want := []string{layout.KindDatabase, layout.KindDataSource}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("schemas of the first sync: %v, want the database, then the data source", kinds)
	}
}

func TestCompareNothing(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	if d := compare(t, h, h.move, h.move); !d.Empty() {
		t.Errorf("a commit compared with itself: %+v", d)
	}
}

// TestCompareWhatMarkdownDoesNotShow: a page whose files change but whose
// Markdown does not is still a change, with no hunks; a database whose
// file changes in nothing a reader sees is none.
func TestCompareWhatMarkdownDoesNotShow(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	w := newWorkspace()
	first := r.commit(t, w, "first")
	w.snap.Pages[notesID].Object["last_edited_time"] = "2026-07-05T10:00:00.000Z"
	w.snap.Databases[databaseID].Object["last_edited_time"] = "2026-07-05T10:00:00.000Z"
	second := r.commit(t, w, "second")
	d, err := Compare(context.Background(), r.Repo, first, second)
	if err != nil {
		t.Fatal(err)
	}
	if got := pageIDs(d); !reflect.DeepEqual(got, []string{notesID}) {
		t.Fatalf("pages changed: %v, want Notes", got)
	}
	if p := d.Pages[0]; p.Edited || p.Renamed() || p.Moved() || len(p.Hunks) != 0 || p.LinesAdded+p.LinesRemoved != 0 {
		t.Errorf("a change Markdown does not show: %+v", p)
	}
	if len(d.Schemas) != 0 {
		t.Errorf("a database whose title and properties stayed: %+v", d.Schemas)
	}
}

// TestCompareRenamedParent: a parent renamed in the same commit as its
// child's edit does not make the child moved.
func TestCompareRenamedParent(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	w := newWorkspace()
	first := r.commit(t, w, "first")
	w.setTitle(homeID, "Start")
	w.setLine(notesID, 1, "Something.")
	second := r.commit(t, w, "second")
	d, err := Compare(context.Background(), r.Repo, first, second)
	if err != nil {
		t.Fatal(err)
	}
	p := d.page(t, notesID)
	if p.Moved() || !p.Edited || p.OldParent.Title != "Home" || p.NewParent.Title != "Start" {
		t.Errorf("child of a renamed parent: moved %v, edited %v, parents %+v, %+v", p.Moved(), p.Edited, p.OldParent, p.NewParent)
	}
}

// TestMovedMeansTheSameInDiffAndLog: a page moves when the page above it
// changes. Taken from one block of Home to another it has not moved, in
// Compare as in Log; taken from a block of Home into a block of Guide it
// has, in both.
func TestMovedMeansTheSameInDiffAndLog(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	w := newWorkspace()
	w.page(homeID, map[string]any{"type": "workspace", "workspace": true}, "Home", "Welcome home.", "Read on.")
	inBlock := func(page string, n int) {
		w.snap.Pages[notesID].Object["parent"] = map[string]any{"type": "block_id", "block_id": block(page, n)}
	}
	inBlock(homeID, 1)
	first := r.commit(t, w, "first")
	inBlock(homeID, 2)
	sameParent := r.commit(t, w, "to another block of Home")
	inBlock(guideID, 1)
	intoGuide := r.commit(t, w, "into a block of Guide")

	var events []*PageEvent
	err := Log(context.Background(), r.Repo, intoGuide, LogOptions{Page: notesID}, func(e *Entry) error {
		events = append(events, e.Page)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 {
		t.Fatalf("log of Notes: %d entries, want 3", len(events))
	}

	for _, tc := range []struct {
		name     string
		from, to plumbing.Hash
		event    *PageEvent
		moved    bool
		old, new Parent
	}{
		{"between blocks of one page", first, sameParent, events[1], false, Parent{homeID, "Home"}, Parent{homeID, "Home"}},
		{"into a block of another page", sameParent, intoGuide, events[0], true, Parent{homeID, "Home"}, Parent{guideID, "Guide"}},
	} {
		d, err := Compare(context.Background(), r.Repo, tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		p := d.page(t, notesID)
		if p.Moved() != tc.moved || p.OldParent != tc.old || p.NewParent != tc.new {
			t.Errorf("%s: diff says moved %v from %+v to %+v; want moved %v from %+v to %+v", tc.name, p.Moved(), p.OldParent, p.NewParent, tc.moved, tc.old, tc.new)
		}
		if tc.event.Moved != tc.moved {
			t.Errorf("%s: log says moved %v, diff %v; want %v", tc.name, tc.event.Moved, p.Moved(), tc.moved)
		}
	}
}

func TestCompareBrokenPage(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	w := newWorkspace()
	first := r.commit(t, w, "first")
	files, err := layout.EncodeSnapshot(w.snap)
	if err != nil {
		t.Fatal(err)
	}
	files[layout.BlockPath(notesID, block(notesID, 1))] = []byte(`{"id":`)
	second := r.commitFiles(t, files, "broken")
	_, err = Compare(context.Background(), r.Repo, first, second)
	if err == nil || !strings.Contains(err.Error(), second.String()[:12]+": "+layout.BlockPath(notesID, block(notesID, 1))) {
		t.Errorf("a broken block: %v, want an error naming the commit and the path", err)
	}
}

func TestCompareCancelled(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Compare(ctx, h.repo.Repo, plumbing.ZeroHash, h.first); err != context.Canceled {
		t.Errorf("Compare with a cancelled context: %v", err)
	}
}
