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
	for _, h := range got {
		for i := range h.Lines {
			h.Lines[i].Words = nil // TestWords checks them
		}
	}
	want := []Hunk{
		{OldStart: 1, OldCount: 5, NewStart: 1, NewCount: 5, Lines: []Line{
			{Op: ' ', Text: "line 1"}, {Op: '-', Text: "line 2"}, {Op: '+', Text: "line two"}, {Op: ' ', Text: "line 3"}, {Op: ' ', Text: "line 4"}, {Op: ' ', Text: "line 5"},
		}},
		{OldStart: 13, OldCount: 8, NewStart: 13, NewCount: 8, Lines: []Line{
			{Op: ' ', Text: "line 13"}, {Op: ' ', Text: "line 14"}, {Op: ' ', Text: "line 15"}, {Op: '-', Text: "line 16"}, {Op: ' ', Text: "line 17"},
			{Op: ' ', Text: "line 18"}, {Op: ' ', Text: "line 19"}, {Op: ' ', Text: "line 20"}, {Op: '+', Text: "line 21"},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hunks:\n%+v\nwant:\n%+v", got, want)
	}

	if got := Hunks(LineDiff("", "new\n"), Context); !reflect.DeepEqual(got, []Hunk{{OldStart: 0, OldCount: 0, NewStart: 1, NewCount: 1, Lines: []Line{{Op: '+', Text: "new"}}}}) {
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

// TestWords pins which words of a changed line are marked: only those that
// changed, on each side; none on a line added or removed alone, or
// rewritten whole; a rewrapped paragraph keeps its words.
func TestWords(t *testing.T) {
	t.Parallel()
	// marks renders a line diff with git's --word-diff=plain marks.
	marks := func(lines []Line) string {
		var b strings.Builder
		for _, l := range lines {
			b.WriteByte(l.Op)
			if l.Words == nil {
				b.WriteString(l.Text)
			}
			var joined string
			for _, w := range l.Words {
				joined += w.Text
				switch {
				case !w.Changed:
					b.WriteString(w.Text)
				case l.Op == '-':
					b.WriteString("[-" + w.Text + "-]")
				default:
					b.WriteString("{+" + w.Text + "+}")
				}
			}
			if l.Words != nil && joined != l.Text {
				t.Errorf("the words of %q join into %q", l.Text, joined)
			}
			b.WriteByte('\n')
		}
		return b.String()
	}
	for _, c := range []struct{ name, old, cur, want string }{
		{"one word", "# Title\nThe quick brown fox jumps.\n", "# Title\nThe slow brown fox jumps.\n",
			" # Title\n-The [-quick-] brown fox jumps.\n+The {+slow+} brown fox jumps.\n"},
		{"words next to each other are one change", "a quick brown fox\n", "a slow red fox\n",
			"-a [-quick brown-] fox\n+a {+slow red+} fox\n"},
		{"Markdown marks alone", "- [ ] Read the handbook\n", "- [x] Read the whole handbook\n",
			"-- [[- -]] Read the handbook\n+- [{+x+}] Read the {+whole +}handbook\n"},
		{"an added line is not marked", "a\n", "a\nb c\n", " a\n+b c\n"},
		{"a line rewritten whole is not marked", "one two\n", "three four\n", "-one two\n+three four\n"},
		{"a rewrapped paragraph", "alpha beta gamma delta\n", "alpha beta\ngamma epsilon\n",
			"-alpha beta[- -]gamma [-delta-]\n+alpha beta\n+gamma {+epsilon+}\n"},
		{"no word in common but spaces", "x y\n", "p q\n", "-x y\n+p q\n"},
		{"no word in common but Markdown", "# Guide\n", "# Handbook\n", "-# Guide\n+# Handbook\n"},
		{"words beyond the basic plane", "emoji 🎉 here\n", "emoji 🚀 here\n", "-emoji [-🎉-] here\n+emoji {+🚀+} here\n"},
	} {
		if got := marks(LineDiff(c.old, c.cur)); got != c.want {
			t.Errorf("%s:\n%s\nwant:\n%s", c.name, got, c.want)
		}
	}
}

// TestWordsManyTokens: more distinct words than the runes below the
// surrogates still compare right, and a run beyond the bound is left
// unmarked rather than compared without end.
func TestWordsManyTokens(t *testing.T) {
	t.Parallel()
	if tokenRune(0xD7FF) != 0xD7FF || tokenRune(0xD800) != 0xE000 || runeToken(tokenRune(0xD800)) != 0xD800 {
		t.Errorf("token runes do not skip the surrogates")
	}
	var long []string
	for i := range maxWordTokens {
		long = append(long, "w"+strconv.Itoa(i))
	}
	old := strings.Join(long, " ") + "\n"
	cur := strings.Replace(old, "w7 ", "seven ", 1)
	for _, l := range LineDiff(old, cur) {
		if l.Words != nil {
			t.Errorf("a line of %d words was compared word by word", len(long))
		}
	}
	// The same change in many short lines: compared pair by pair.
	oldLines, curLines := strings.ReplaceAll(old, " ", "\n"), strings.ReplaceAll(cur, " ", "\n")
	oldLines = strings.ReplaceAll(oldLines, "w", "a w")
	curLines = strings.ReplaceAll(curLines, "w", "b w")
	n := 0
	for _, l := range LineDiff(oldLines, curLines) {
		if l.Words != nil {
			n++
		}
	}
	if n == 0 {
		t.Errorf("an even run beyond the bound was not compared pair by pair")
	}
}
