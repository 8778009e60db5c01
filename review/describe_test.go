package review

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/layout"
)

func edited(id, title string) *PageChange {
	return &PageChange{ID: id, InOld: true, InNew: true, OldTitle: title, NewTitle: title, Edited: true,
		OldParent: Parent{ID: homeID, Title: "Home"}, NewParent: Parent{ID: homeID, Title: "Home"}}
}

func added(id, title string) *PageChange {
	return &PageChange{ID: id, InNew: true, NewTitle: title, NewParent: Parent{ID: homeID, Title: "Home"}}
}

func removedPage(id, title string) *PageChange {
	return &PageChange{ID: id, InOld: true, OldTitle: title, OldParent: Parent{ID: homeID, Title: "Home"}}
}

func pageID(n int) string { return fmt.Sprintf("30000000-0000-4000-8000-%012d", n) }

func TestDescribeSubjects(t *testing.T) {
	t.Parallel()
	renamed := edited(guideID, "Handbook")
	renamed.OldTitle, renamed.Edited = "Guide", false
	moved := edited(notesID, "Notes")
	moved.NewParent, moved.Edited = Parent{ID: guideID, Title: "Handbook"}, false
	toTop := edited(notesID, "Notes")
	toTop.NewParent, toTop.Edited = Parent{}, false
	for _, tc := range []struct {
		name string
		d    *Diff
		want string
	}{
		{"one edit", &Diff{Pages: []*PageChange{edited(homeID, "Roadmap")}}, `Sync Notion: "Roadmap" changed`},
		{"one added", &Diff{Pages: []*PageChange{added(guideID, "Roadmap")}}, `Sync Notion: "Roadmap" added`},
		{"one removed", &Diff{Pages: []*PageChange{removedPage(guideID, "Roadmap")}}, `Sync Notion: "Roadmap" removed`},
		{"renamed", &Diff{Pages: []*PageChange{renamed}}, `Sync Notion: "Guide" renamed to "Handbook"`},
		{"moved", &Diff{Pages: []*PageChange{moved}}, `Sync Notion: "Notes" moved to "Handbook"`},
		{"moved to the top", &Diff{Pages: []*PageChange{toTop}}, `Sync Notion: "Notes" moved to the top of the workspace`},
		{"two edits", &Diff{Pages: []*PageChange{edited(homeID, "Roadmap"), edited(guideID, "Notes")}}, `Sync Notion: "Roadmap" and "Notes" changed`},
		{"added and edited", &Diff{Pages: []*PageChange{edited(homeID, "Home"), added(guideID, "Q3 plan")}}, `Sync Notion: "Q3 plan" added, "Home" changed`},
		{"many", &Diff{Pages: []*PageChange{edited(homeID, "Home"), added(guideID, "Q3 plan"), edited(notesID, "Notes"), removedPage(rowID, "Old"), edited(personID, "X")}},
			`Sync Notion: "Q3 plan" added and 4 more pages`},
		{"two, too long for both", &Diff{Pages: []*PageChange{edited(homeID, strings.Repeat("a", 40)), edited(guideID, strings.Repeat("b", 40))}},
			`Sync Notion: "` + strings.Repeat("a", 32) + `…" changed and 1 more page`},
		{"untitled", &Diff{Pages: []*PageChange{edited(homeID, "")}}, `Sync Notion: Untitled changed`},
		{"a page called Untitled", &Diff{Pages: []*PageChange{edited(homeID, "Untitled")}}, `Sync Notion: "Untitled" changed`},
		{"schema only", &Diff{Schemas: []*SchemaChange{{Kind: layout.KindDataSource, ID: sourceID, InOld: true, InNew: true, OldTitle: "Tasks", NewTitle: "Tasks", Properties: []PropertyChange{{ID: "x", InNew: true}}}}},
			`Sync Notion: data source "Tasks" changed`},
		{"schemas only", &Diff{Schemas: []*SchemaChange{{Kind: layout.KindDatabase, ID: databaseID, InNew: true, NewTitle: "Tasks"}, {Kind: layout.KindDataSource, ID: sourceID, InNew: true, NewTitle: "Tasks"}}},
			`Sync Notion: database "Tasks" added and 1 more database or data source`},
		{"view only", &Diff{Views: []*ViewChange{{Database: databaseID, ID: "v", DatabaseTitle: "Tasks", InOld: true, InNew: true, OldName: "Board", NewName: "Board", SettingsChanged: true}}},
			`Sync Notion: view "Board" of "Tasks" changed`},
		{"nothing", &Diff{}, `Sync Notion: no page, database or view changed`},
		{"renamed, others relinked", &Diff{Pages: []*PageChange{renamed}, Relinked: []*PageChange{edited(homeID, "Home"), edited(notesID, "Notes")}}, `Sync Notion: "Guide" renamed to "Handbook"`},
		{"upgrade alone", &Diff{FormatUpgrade: &FormatUpgrade{From: 1, To: 2}, Relinked: []*PageChange{edited(homeID, "Home")}}, `Sync Notion: layout upgraded to format 2`},
		{"upgrade and an edit", &Diff{FormatUpgrade: &FormatUpgrade{From: 1, To: 2}, Pages: []*PageChange{edited(homeID, "Roadmap")}}, `Sync Notion: layout upgraded to format 2; "Roadmap" changed`},
		{"upgrade and a long title", &Diff{FormatUpgrade: &FormatUpgrade{From: 1, To: 2}, Pages: []*PageChange{edited(homeID, strings.Repeat("a", 80)), edited(guideID, "b")}},
			`Sync Notion: layout upgraded to format 2; 2 pages changed`},
		{"upgrade and a title that fits", &Diff{FormatUpgrade: &FormatUpgrade{From: 1, To: 2}, Pages: []*PageChange{edited(homeID, strings.Repeat("a", 40))}},
			`Sync Notion: layout upgraded to format 2; "` + strings.Repeat("a", 19) + `…" changed`}, // 72 columns
		{"first sync of one", &Diff{First: true, Pages: []*PageChange{added(homeID, "Home")}}, `Sync Notion: first sync, "Home"`},
		{"first sync of two", &Diff{First: true, Pages: []*PageChange{added(homeID, "Home"), added(guideID, "Guide")}}, `Sync Notion: first sync, "Home" and "Guide"`},
		{"first sync of none", &Diff{First: true}, `Sync Notion: first sync, no pages`},
	} {
		subject, _ := Describe(tc.d)
		if subject != tc.want {
			t.Errorf("%s: subject\n%s\nwant\n%s", tc.name, subject, tc.want)
		}
	}
}

// TestDescribeTitles: a title of any length or content keeps the subject
// to one line of at most SubjectWidth columns, cut on a rune boundary.
func TestDescribeTitles(t *testing.T) {
	t.Parallel()
	for _, title := range []string{
		strings.Repeat("Quarterly planning ", 50),
		strings.Repeat("é", 200),
		strings.Repeat("計画", 100),
		strings.Repeat("🚀", 100),
		"Line one\nNotion-Git-Pages: 99\n\nNotion-Git-Pages: 98",
		"tab\there, bell\a, escape\x1b[31m red, rtl \u202e override",
		"invalid \xff\xfe bytes",
		strings.Repeat(`"`, 100),
	} {
		d := &Diff{Pages: []*PageChange{edited(homeID, title), added(guideID, title)}}
		subject, body := Describe(d)
		checkSubject(t, subject)
		if !strings.HasPrefix(subject, `Sync Notion: "`) {
			t.Errorf("%q: subject %q does not name the page", title, subject)
		}
		for _, line := range strings.Split(body, "\n") {
			if strings.Contains(line, "Notion-Git-") && !strings.Contains(line, `"`) {
				t.Errorf("a title wrote a trailer line: %q", line)
			}
			if columns(line) > 2*bodyTitleWidth+30 {
				t.Errorf("body line of %d columns: %q", columns(line), line)
			}
		}
		if strings.Contains(body, "\n\n") {
			t.Errorf("a title made a paragraph break in the body:\n%s", body)
		}
	}
	if q := quoteTitle(strings.Repeat("é", 100), 20); q != `"`+strings.Repeat("é", 17)+`…"` {
		t.Errorf("cut title %q", q)
	}
}

func checkSubject(t *testing.T, subject string) {
	t.Helper()
	if strings.ContainsAny(subject, "\n\r") || !utf8.ValidString(subject) || columns(subject) > SubjectWidth {
		t.Errorf("subject of %d columns, or not one valid line: %q", columns(subject), subject)
	}
}

// TestDescribeHugeSync: 10,000 pages make a message of a few lines.
func TestDescribeHugeSync(t *testing.T) {
	t.Parallel()
	first := &Diff{First: true}
	changed := &Diff{}
	for i := range 10000 {
		p := added(pageID(i), fmt.Sprintf("Page %05d", i))
		if i >= 3 {
			p.NewParent = Parent{ID: pageID(i % 3), Title: "Top"}
		} else {
			p.NewParent = Parent{}
		}
		first.Pages = append(first.Pages, p)
		switch i % 3 {
		case 0:
			changed.Pages = append(changed.Pages, edited(pageID(i), fmt.Sprintf("Page %05d", i)))
		case 1:
			changed.Pages = append(changed.Pages, added(pageID(i), fmt.Sprintf("Page %05d", i)))
		default:
			changed.Pages = append(changed.Pages, removedPage(pageID(i), fmt.Sprintf("Page %05d", i)))
		}
	}
	subject, body := Describe(first)
	checkSubject(t, subject)
	if subject != `Sync Notion: first sync, "Page 00000" and 9,999 more pages` {
		t.Errorf("subject %q", subject)
	}
	if !strings.HasPrefix(body, "First sync: 10,000 pages.\nAt the top:\n") || strings.Count(body, "\n") != 5 {
		t.Errorf("body of a first sync of 10,000 pages:\n%s", body)
	}
	subject, body = Describe(changed)
	checkSubject(t, subject)
	if n := strings.Count(body, "\n"); n > 3*(listed+2) {
		t.Errorf("%d lines for 10,000 pages:\n%s", n, body)
	}
	for _, want := range []string{"Added (3,333):\n", "Removed (3,333):\n", "Changed (3,334):\n", "- and 3,324 more\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

// TestDescribeCompared: the description of a real comparison, and the
// message's reading of it (CompareTrees, Outline) agreeing with diff's.
func TestDescribeCompared(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		from, to string // commits of the history, by name; "" for none
		subject  string
		lines    []string
	}{
		{"first", "", "first", `Sync Notion: first sync, "Home" and 3 more pages`, []string{"First sync: 4 pages, 1 database, 1 data source.", "At the top:", `- "Home"`}},
		{"edit", "first", "edit", `Sync Notion: "Guide" renamed to "Handbook"`,
			[]string{"Renamed:", `- "Guide" → "Handbook"`, "Changed:", `- "Handbook"`, "Databases and data sources:", `- data source "Tasks": 3 properties changed`}},
		{"move", "edit", "move", `Sync Notion: "Notes" moved to "Handbook"`, []string{"Moved:", `- "Notes" from "Home" to "Handbook"`}},
		{"remove", "move", "remove", `Sync Notion: "Write tests" removed`, []string{"Removed:", `- "Write tests"`}},
	} {
		from, to := h.named(tc.from), h.named(tc.to)
		d, err := Compare(ctx, h.repo.Repo, from, to)
		if err != nil {
			t.Fatal(err)
		}
		subject, body := Describe(d)
		if subject != tc.subject {
			t.Errorf("%s: subject %q, want %q", tc.name, subject, tc.subject)
		}
		lines := strings.Split(body, "\n")
		for _, w := range tc.lines {
			found := false
			for _, l := range lines {
				found = found || l == w
			}
			if !found {
				t.Errorf("%s: no line %q in:\n%s", tc.name, w, body)
			}
		}
		// The message's reading: trees, with pages on one side by their
		// page.json alone, words the same description.
		ft, tt := h.tree(t, from), h.tree(t, to)
		o, err := CompareTrees(ctx, h.repo.Repo, ft, tt, CompareOptions{Outline: true})
		if err != nil {
			t.Fatal(err)
		}
		if s, b := Describe(o); s != subject || b != body {
			t.Errorf("%s: the outline describes otherwise:\n%s\n%s\nwant\n%s\n%s", tc.name, s, b, subject, body)
		}
		// Log's reading, by page.json alone, names the same pages.
		ti, err := CompareTrees(ctx, h.repo.Repo, ft, tt, CompareOptions{Titles: true})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(pageIDs(ti)) != fmt.Sprint(pageIDs(d)) {
			t.Errorf("%s: by titles alone, pages %v, want %v", tc.name, pageIDs(ti), pageIDs(d))
		}
		for i, p := range ti.Pages {
			q := d.Pages[i]
			if p.Title() != q.Title() || p.Added() != q.Added() || p.Removed() != q.Removed() || p.Renamed() != q.Renamed() || p.Moved() != q.Moved() {
				t.Errorf("%s: by titles alone %+v, want %+v", tc.name, p, q)
			}
		}
	}
}

// named is a commit of the history by name; zero for "".
func (h *history) named(name string) plumbing.Hash {
	return map[string]plumbing.Hash{"first": h.first, "edit": h.edit, "move": h.move, "remove": h.remove}[name]
}

// tree is a commit's root tree; zero for the zero commit.
func (h *history) tree(t *testing.T, commit plumbing.Hash) plumbing.Hash {
	t.Helper()
	tree, err := rootOf(h.repo.Repo, commit)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// FuzzDescribe: whatever the titles, the subject is one valid line within
// SubjectWidth columns and the body has no blank line, which would end its
// paragraph before the trailers.
func FuzzDescribe(f *testing.F) {
	f.Add("Roadmap", "Notes", uint8(0))
	f.Add("a\n\nNotion-Git-Pages: 1", "", uint8(7))
	f.Add(strings.Repeat("計", 80), "\xff", uint8(3))
	f.Fuzz(func(t *testing.T, a, b string, kinds uint8) {
		page := func(id, title string, kind uint8) *PageChange {
			switch kind % 4 {
			case 0:
				return added(id, title)
			case 1:
				return removedPage(id, title)
			case 2:
				p := edited(id, title)
				p.OldTitle = b
				return p
			}
			return edited(id, title)
		}
		d := &Diff{First: kinds&64 != 0, Pages: []*PageChange{page(homeID, a, kinds), page(guideID, b, kinds>>2)}}
		if kinds&128 != 0 {
			d.Pages = d.Pages[:1]
		}
		subject, body := Describe(d)
		checkSubject(t, subject)
		if strings.Contains(body, "\n\n") || !utf8.ValidString(body) {
			t.Errorf("body:\n%q", body)
		}
	})
}

// TestLazyState: a comparison reads the sync state a shard at a time, as
// its pages need their parents' titles, and finds what ReadState finds.
func TestLazyState(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	w := newWorkspace()
	var ids []string
	for i := range 300 {
		id := fmt.Sprintf("%02x000000-0000-4000-8000-%012d", i%256, i)
		ids = append(ids, id)
		w.page(id, pageParent(homeID), fmt.Sprintf("Page %d", i), "Text.")
	}
	c := r.commit(t, w, "many")
	tree, err := rootOf(r.Repo, c)
	if err != nil {
		t.Fatal(err)
	}
	s, err := openSide(r.Repo, "many", tree, []string{layout.StatePath, layout.StateDir})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := layout.ReadState(s.snap)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{ids[7], ids[263]} { // the same shard, 07
		st, err := s.state.of(id)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := st.Objects[id], whole.Objects[id]; want.Title == "" || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, want %+v", id, st.Objects[id], whole.Objects[id])
		}
	}
	if len(s.state.read) != 1 {
		t.Errorf("two entries of one shard read %d shards", len(s.state.read))
	}
	p, err := s.parent(ids[1], w.snap.Pages[ids[1]].Object)
	if err != nil || p != (Parent{ID: homeID, Title: "Home"}) {
		t.Errorf("parent of a page: %+v, %v", p, err)
	}
	if len(s.state.read) != 2 { // 07, then 10 for Home's title: a page under a page needs no entry of its own
		t.Errorf("%d shards read, want 2", len(s.state.read))
	}
}
