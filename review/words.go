package review

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// maxWordTokens bounds the words of one run of changed lines that are
// compared word by word. The comparison has no deadline, so that the same
// change is always marked the same way whatever the machine's load; the
// bound keeps it quick instead (a paragraph has tens of words, a rewritten
// table a few thousand). A larger run is compared line pair by line pair
// when it removes as many lines as it adds, and otherwise left unmarked.
const maxWordTokens = 8000

// markWords sets the Words of the changed lines of a line diff: each run
// of removed lines is compared word by word with the run of added lines
// next to it, so that a reworded sentence shows which words changed, and a
// paragraph rewrapped over two lines still matches the words it kept.
func markWords(lines []Line) {
	for i := 0; i < len(lines); {
		if lines[i].Op == ' ' {
			i++
			continue
		}
		j := i
		var removed, added []int
		for ; j < len(lines) && lines[j].Op != ' '; j++ {
			if lines[j].Op == '-' {
				removed = append(removed, j)
			} else {
				added = append(added, j)
			}
		}
		if len(removed) > 0 && len(added) > 0 {
			if !markRun(lines, removed, added) && len(removed) == len(added) {
				for k := range removed {
					markRun(lines, removed[k:k+1], added[k:k+1])
				}
			}
		}
		i = j
	}
}

// markRun compares the removed lines at indexes old with the added lines
// at indexes cur word by word and sets their Words. It reports false,
// marking nothing, when the run has more than maxWordTokens words.
func markRun(lines []Line, old, cur []int) bool {
	oldTokens := tokenizeLines(lines, old)
	curTokens := tokenizeLines(lines, cur)
	if len(oldTokens)+len(curTokens) > maxWordTokens {
		return false
	}
	// Each distinct word becomes one rune, so that the character diff of
	// diffmatchpatch becomes a word diff (the trick LineDiff plays with
	// lines), and its semantic cleanup merges the small runs of kept
	// words between changes into one change, as a reader would.
	index := map[string]rune{}
	var words []string
	encode := func(tokens []string) []rune {
		out := make([]rune, len(tokens))
		for i, tok := range tokens {
			r, ok := index[tok]
			if !ok {
				r = tokenRune(len(words))
				index[tok] = r
				words = append(words, tok)
			}
			out[i] = r
		}
		return out
	}
	a, b := encode(oldTokens), encode(curTokens)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMainRunes(a, b, false))

	oldSpans, curSpans := newSpanLines(len(old)), newSpanLines(len(cur))
	for _, d := range diffs {
		for _, r := range d.Text {
			tok := words[runeToken(r)]
			switch d.Type {
			case diffmatchpatch.DiffEqual:
				oldSpans.add(tok, false)
				curSpans.add(tok, false)
			case diffmatchpatch.DiffDelete:
				oldSpans.add(tok, true)
			case diffmatchpatch.DiffInsert:
				curSpans.add(tok, true)
			}
		}
	}
	oldSpans.set(lines, old)
	curSpans.set(lines, cur)
	return true
}

// tokenizeLines cuts the lines at indexes into words, with a "\n" token
// between two lines.
func tokenizeLines(lines []Line, indexes []int) []string {
	var out []string
	for k, i := range indexes {
		if k > 0 {
			out = append(out, "\n")
		}
		out = appendTokens(out, lines[i].Text)
	}
	return out
}

// appendTokens cuts s into words: runs of letters and digits, runs of
// spaces, and every other character alone (punctuation and Markdown's
// marks, so that "**bold**" changing to "bold" marks only the stars).
func appendTokens(out []string, s string) []string {
	for s != "" {
		r, size := utf8.DecodeRuneInString(s)
		n := size
		if class := tokenClass(r); class != 0 {
			for n < len(s) {
				next, size := utf8.DecodeRuneInString(s[n:])
				if tokenClass(next) != class {
					break
				}
				n += size
			}
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

func isWordRune(r rune) bool { return tokenClass(r) == 1 }

// tokenClass is 1 for a character of a word, 2 for a space, 0 for one
// that stands alone.
func tokenClass(r rune) int {
	switch {
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_':
		return 1
	case r == ' ' || r == '\t':
		return 2
	}
	return 0
}

// tokenRune is the rune that stands for the i-th distinct word. Runes
// skip the surrogates, which no Go string can hold: two words would
// otherwise both become U+FFFD and compare equal.
func tokenRune(i int) rune {
	if i < 0xD800 {
		return rune(i)
	}
	return rune(i + 0x800)
}

// runeToken undoes tokenRune.
func runeToken(r rune) int {
	if r < 0xD800 {
		return int(r)
	}
	return int(r) - 0x800
}

// spanLines collects the spans of each line of one side of a run.
type spanLines struct {
	lines [][]Span
}

func newSpanLines(n int) *spanLines { return &spanLines{lines: make([][]Span, 1, n)} }

// add appends a word to the current line, or starts the next line at a
// "\n".
func (s *spanLines) add(tok string, changed bool) {
	if tok == "\n" {
		s.lines = append(s.lines, nil)
		return
	}
	cur := &s.lines[len(s.lines)-1]
	if n := len(*cur); n > 0 && (*cur)[n-1].Changed == changed {
		(*cur)[n-1].Text += tok
		return
	}
	*cur = append(*cur, Span{Text: tok, Changed: changed})
}

// set gives the lines at indexes their spans, leaving a line unmarked when
// it kept no word or changed none: "# Guide" to "# Handbook" keeps only
// Markdown's marks, and marking the rest says nothing the '-' and '+' do
// not.
func (s *spanLines) set(lines []Line, indexes []int) {
	for k, i := range indexes {
		if k >= len(s.lines) {
			return
		}
		spans := s.lines[k]
		kept, changed := false, false
		for _, sp := range spans {
			if sp.Changed {
				changed = true
			} else if strings.IndexFunc(sp.Text, isWordRune) >= 0 {
				kept = true
			}
		}
		if kept && changed {
			lines[i].Words = spans
		}
	}
}
