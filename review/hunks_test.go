package review

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestHunks pins the hunks of a line diff: git's line numbers, context
// lines, and changes far apart in hunks of their own.
func TestHunks(t *testing.T) {
	t.Parallel()
	var a, b []string
	for i := 1; i <= 20; i++ {
		a = append(a, "line "+strconv.Itoa(i))
		b = append(b, "line "+strconv.Itoa(i))
	}
	b[1] = "line two"             // a change near the top
	b = append(b[:15], b[16:]...) // line 16 removed
	b = append(b, "line 21")      // one added at the end
	old, cur := strings.Join(a, "\n")+"\n", strings.Join(b, "\n")+"\n"
	got := Hunks(LineDiff(old, cur), Context)
	want := []Hunk{
		{OldStart: 1, OldCount: 5, NewStart: 1, NewCount: 5, Lines: []Line{
			{' ', "line 1"}, {'-', "line 2"}, {'+', "line two"}, {' ', "line 3"}, {' ', "line 4"}, {' ', "line 5"},
		}},
		{OldStart: 13, OldCount: 8, NewStart: 13, NewCount: 8, Lines: []Line{
			{' ', "line 13"}, {' ', "line 14"}, {' ', "line 15"}, {'-', "line 16"}, {' ', "line 17"},
			{' ', "line 18"}, {' ', "line 19"}, {' ', "line 20"}, {'+', "line 21"},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hunks:\n%+v\nwant:\n%+v", got, want)
	}

	if got := Hunks(LineDiff("", "new\n"), Context); !reflect.DeepEqual(got, []Hunk{{OldStart: 0, OldCount: 0, NewStart: 1, NewCount: 1, Lines: []Line{{'+', "new"}}}}) {
		t.Errorf("hunk of a new text: %+v", got)
	}
	if got := Hunks(LineDiff("same\n", "same\n"), Context); got != nil {
		t.Errorf("hunks of equal texts: %+v", got)
	}
	// Without a final newline a line still differs from one with it.
	if got := LineDiff("a", "a\n"); len(got) != 2 || got[0].Op == ' ' {
		t.Errorf("line diff of a missing newline: %+v", got)
	}
}
