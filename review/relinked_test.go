package review

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/layout"
)

// mention is a rich text array of a mention of page id, as Notion sends it.
func mention(id, title string) []any {
	item := rich(title)[0].(map[string]any)
	delete(item, "text")
	item["type"] = "mention"
	item["mention"] = map[string]any{"type": "page", "page": map[string]any{"id": id}}
	return []any{item}
}

// TestCompareRelinked: a page whose README alone changed (it mentions a
// page that was renamed) is relinked, not changed: Diff.Relinked holds it
// with the hunks of its README file, in every reading, and Describe counts
// it in one line and names only the renamed page.
func TestCompareRelinked(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	w := newWorkspace()
	w.snap.Pages[notesID].Blocks[block(notesID, 1)].Object["paragraph"].(map[string]any)["rich_text"] = mention(guideID, "Guide")
	first := r.commit(t, w, "first")
	w.setTitle(guideID, "Handbook")
	second := r.commit(t, w, "second")

	ctx := context.Background()
	d, err := Compare(ctx, r.Repo, first, second)
	if err != nil {
		t.Fatal(err)
	}
	if got := pageIDs(d); !reflect.DeepEqual(got, []string{guideID}) {
		t.Fatalf("pages changed %v, want Guide alone", got)
	}
	if len(d.Relinked) != 1 {
		t.Fatalf("relinked %+v, want Notes", d.Relinked)
	}
	p := d.Relinked[0]
	if p.ID != notesID || !p.Relinked || p.Edited || p.Renamed() || p.Moved() || p.Title() != "Notes" || p.LinesAdded != 1 || p.LinesRemoved != 1 {
		t.Errorf("relinked Notes: %+v", p)
	}
	var hunk strings.Builder
	for _, h := range p.Hunks {
		for _, l := range h.Lines {
			hunk.WriteString(string(l.Op) + l.Text + "\n")
		}
	}
	if !strings.Contains(hunk.String(), "-[Guide](") || !strings.Contains(hunk.String(), "+[Handbook](") {
		t.Errorf("the hunk of Notes' README:\n%s", hunk.String())
	}
	if d.Empty() != false || d.FormatUpgrade != nil {
		t.Errorf("empty %v, format %+v", d.Empty(), d.FormatUpgrade)
	}
	subject, body := Describe(d)
	if subject != `Sync Notion: "Guide" renamed to "Handbook"` {
		t.Errorf("subject %q", subject)
	}
	if want := "Renamed:\n- \"Guide\" → \"Handbook\"\nLinks to renamed pages updated in 1 page.\n"; body != want {
		t.Errorf("body\n%s\nwant\n%s", body, want)
	}

	// The message's and log's readings: relinked too, from page.json
	// alone, without hunks.
	ft, tt := treeOf(t, r, first), treeOf(t, r, second)
	for _, opts := range []CompareOptions{{Outline: true}, {Titles: true}} {
		o, err := CompareTrees(ctx, r.Repo, ft, tt, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Relinked) != 1 || o.Relinked[0].ID != notesID || len(o.Relinked[0].Hunks) != 0 || !reflect.DeepEqual(pageIDs(o), []string{guideID}) {
			t.Errorf("%+v: pages %v, relinked %+v", opts, pageIDs(o), o.Relinked)
		}
		if s, b := Describe(o); opts.Outline && (s != subject || b != body) {
			t.Errorf("the outline describes otherwise:\n%s\n%s", s, b)
		}
	}
}

func treeOf(t *testing.T, r *testRepo, commit plumbing.Hash) plumbing.Hash {
	t.Helper()
	tree, err := rootOf(r.Repo, commit)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestCompareFormatUpgrade: a commit of format 1 compared with one of
// format 2 says so; the READMEs the upgrade rendered again are relinked,
// and the subject starts with the upgrade, then says what changed in
// Notion, if anything.
func TestCompareFormatUpgrade(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	w := newWorkspace()
	files, err := layout.EncodeSnapshot(w.snap)
	if err != nil {
		t.Fatal(err)
	}
	files[layout.MetaPath] = bytes.Replace(files[layout.MetaPath], []byte(`"format_version": 2`), []byte(`"format_version": 1`), 1)
	// A README as an older notion-git rendered it.
	files[layout.PageReadmePath(homeID)] = append(files[layout.PageReadmePath(homeID)], "\n<!-- rendered by an older notion-git -->\n"...)
	v1 := r.commitFiles(t, files, "format 1")
	upgraded := r.commit(t, w, "upgrade")
	w.setLine(notesID, 1, "Something.")
	edited := r.commit(t, w, "edit")

	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		to       plumbing.Hash
		subject  string
		body     string
		pages    int
		relinked []string
	}{
		{"upgrade alone", upgraded, "Sync Notion: layout upgraded to format 2",
			"Layout upgraded from format 1 to format 2; the READMEs of 1 page rendered again.\n", 0, []string{homeID}},
		{"upgrade and an edit", edited, `Sync Notion: layout upgraded to format 2; "Notes" changed`,
			"Layout upgraded from format 1 to format 2; the READMEs of 1 page rendered again.\nChanged:\n- \"Notes\"\n", 1, []string{homeID}},
	} {
		d, err := Compare(ctx, r.Repo, v1, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		if d.FormatUpgrade == nil || *d.FormatUpgrade != (FormatUpgrade{From: 1, To: 2}) {
			t.Errorf("%s: format upgrade %+v", tc.name, d.FormatUpgrade)
		}
		var relinked []string
		for _, p := range d.Relinked {
			relinked = append(relinked, p.ID)
		}
		if len(d.Pages) != tc.pages || !reflect.DeepEqual(relinked, tc.relinked) {
			t.Errorf("%s: pages %v, relinked %v", tc.name, pageIDs(d), relinked)
		}
		subject, body := Describe(d)
		if subject != tc.subject || body != tc.body {
			t.Errorf("%s:\n%s\n%s\nwant\n%s\n%s", tc.name, subject, body, tc.subject, tc.body)
		}
	}
	if d, err := Compare(ctx, r.Repo, upgraded, edited); err != nil || d.FormatUpgrade != nil {
		t.Errorf("two commits of format 2: %+v, %v", d, err)
	}
	if d, err := Compare(ctx, r.Repo, plumbing.ZeroHash, v1); err != nil || d.FormatUpgrade != nil || !d.First {
		t.Errorf("a first sync: %+v, %v", d, err)
	}
}

// TestLogPageSkipsRelinks: log of a page leaves out the commits that
// rewrote its README alone, which Compare does not count as its changes.
func TestLogPageSkipsRelinks(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	w := newWorkspace()
	w.snap.Pages[notesID].Blocks[block(notesID, 1)].Object["paragraph"].(map[string]any)["rich_text"] = mention(guideID, "Guide")
	r.commit(t, w, "first")
	w.setTitle(guideID, "Handbook")
	r.commit(t, w, "Guide renamed")
	w.setLine(notesID, 1, "Something.")
	last := r.commit(t, w, "Notes edited")
	var got []string
	err := Log(context.Background(), r.Repo, last, LogOptions{Page: notesID}, func(e *Entry) error {
		got = append(got, strings.TrimSpace(e.Commit.Message))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Notes edited", "first"}; !reflect.DeepEqual(got, want) {
		t.Errorf("log of Notes: %q, want %q", got, want)
	}
}
