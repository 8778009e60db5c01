package importer

import (
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator"
)

// TestRestoreShortColumnLists restores column lists Notion cannot create
// as stored (no columns, one column, a column without blocks; the
// emulator rejects those as Notion does): the restore finishes, the lone
// column's blocks stand in its list's place, an empty list is left out, an
// empty column gets an empty paragraph, each is counted, and Verify
// expects exactly that.
func TestRestoreShortColumnLists(t *testing.T) {
	rep, fid, got, _ := fixtureRoundTrip(t, "content-columns.json", emulator.Options{})
	want := []string{
		"paragraph: Before the column lists.",
		"paragraph: Lone column, first block.",
		"toggle: Lone column toggle",
		"  paragraph: Inside the toggle.",
		"paragraph: Lone column, after the page.",
		"child_page: Page in the lone column",
		"column_list: ",
		"  column: ",
		"    paragraph: Left column.",
		"  column: ",
		"    paragraph: ",
		"paragraph: Between.",
		"paragraph: After the column lists.",
	}
	if have := blockTexts(restoredRoot(t, got)); !slices.Equal(have, want) {
		t.Errorf("the copy reads\n%s\nwant\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"))
	}
	for note, n := range map[string]int{noteOneColumn: 2, noteNoColumns: 1, noteEmptyColum: 1} {
		if rep.Substituted[note] != n {
			t.Errorf("report counts %q %d times, want %d", note, rep.Substituted[note], n)
		}
	}
	for _, kind := range []string{"block column_list (" + noteOneColumn + ")", "block column_list (" + noteNoColumns + ")", "block column (" + noteEmptyColum + ")"} {
		if kf := fid.Kinds[kind]; kf == nil || !kf.Expected {
			t.Errorf("Verify does not expect %q: %+v", kind, kf)
		}
	}
}
