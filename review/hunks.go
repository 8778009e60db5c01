package review

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Context is how many unchanged lines surround each change in a hunk, as
// in git.
const Context = 3

// Line is one line of a line diff.
type Line struct {
	Op   byte   // ' ' in both texts, '-' only in the old, '+' only in the new
	Text string // without its newline
	// Words cut a changed line into the words it shares with the lines
	// that replace it (or that it replaces) and those it does not, so that
	// a reader sees which word of a long paragraph changed. Their texts
	// join into Text. Nil for an unchanged line, for a line only added or
	// only removed, and for a line no word of which was kept: marking all
	// of it would say nothing the '-' or '+' does not.
	Words []Span
}

// Span is a run of a changed line: words the other side has too, or
// (Changed) words only this side has.
type Span struct {
	Text    string
	Changed bool
}

// Hunk is one run of changes with the unchanged lines around it, numbered
// as a unified diff numbers them: lines count from 1, and an empty range
// (Count 0) starts at the line before it.
type Hunk struct {
	OldStart, OldCount int
	NewStart, NewCount int
	Lines              []Line
}

// LineDiff compares two texts line by line: each distinct line becomes one
// rune, so the character diff of diffmatchpatch becomes a line diff.
func LineDiff(a, b string) []Line {
	dmp := diffmatchpatch.New()
	ra, rb, lines := dmp.DiffLinesToRunes(a, b)
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(ra, rb, false), lines)
	var out []Line
	for _, d := range diffs {
		op := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = '-'
		case diffmatchpatch.DiffInsert:
			op = '+'
		}
		for _, line := range strings.SplitAfter(d.Text, "\n") {
			if line != "" {
				out = append(out, Line{Op: op, Text: strings.TrimSuffix(line, "\n")})
			}
		}
	}
	markWords(out)
	return out
}

// Hunks groups a line diff into hunks with around unchanged lines of
// context on each side; changes closer than twice that share a hunk.
func Hunks(lines []Line, around int) []Hunk {
	// oldAt[i] and newAt[i]: lines of each side before line i.
	oldAt, newAt := make([]int, len(lines)+1), make([]int, len(lines)+1)
	for i, l := range lines {
		oldAt[i+1], newAt[i+1] = oldAt[i], newAt[i]
		if l.Op != '+' {
			oldAt[i+1]++
		}
		if l.Op != '-' {
			newAt[i+1]++
		}
	}
	var out []Hunk
	for i := 0; i < len(lines); {
		if lines[i].Op == ' ' {
			i++
			continue
		}
		start := max(0, i-around)
		end := i // one past the last change of the hunk
		for j := i; j < len(lines) && j < end+2*around+1; j++ {
			if lines[j].Op != ' ' {
				end = j + 1
			}
		}
		stop := min(len(lines), end+around)
		h := Hunk{Lines: lines[start:stop:stop]}
		h.OldStart, h.OldCount = hunkRange(oldAt[start], oldAt[stop])
		h.NewStart, h.NewCount = hunkRange(newAt[start], newAt[stop])
		out = append(out, h)
		i = stop
	}
	return out
}

// hunkRange turns the lines before a range and up to its end into git's
// start and count.
func hunkRange(before, upTo int) (start, count int) {
	count = upTo - before
	if count == 0 {
		return before, 0
	}
	return before + 1, count
}
