package importer

import (
	"fmt"

	"github.com/notion-git/notion-git/layout"
)

// FreeBlockLimit is how many blocks a free workspace with more than one
// member can create through the API in its whole lifetime (since
// September 2026). The API does not say which plan a workspace is on, so a
// restore can only warn.
const FreeBlockLimit = 1000

// BlocksToCreate counts the blocks a restore of snap with opts creates,
// from the snapshot alone: content blocks, and pages, rows and databases,
// which Notion stores as blocks too (whether its limit counts them is not
// documented, so they are counted), and the anchors placed before content.
// Blocks a substitution adds (an empty paragraph or column) are not
// counted.
func BlocksToCreate(snap *layout.Snapshot, opts Options) (int, error) {
	var only []string
	for _, p := range opts.Pages {
		id, err := layout.ParseID(p)
		if err != nil {
			return 0, err
		}
		only = append(only, id)
	}
	pl, err := newPlan(snap, only)
	if err != nil {
		return 0, err
	}
	n := len(pl.pages) + len(pl.dbs)
	for pid := range pl.pages {
		pg := pl.outlines[pid]
		if pl.leading[pid] {
			n++
		}
		var walk func(id string)
		walk = func(id string) {
			n++
			for _, c := range pl.contentKids(pid, id) {
				walk(c)
			}
		}
		for _, ev := range pl.events[pid] {
			if ev.block != "" && pg.Blocks[ev.block] != nil {
				walk(ev.block)
			}
		}
	}
	return n, nil
}

// FreeLimitWarning is the line to print before a restore that creates n
// blocks, "" when n is within FreeBlockLimit.
func FreeLimitWarning(n int) string {
	if n <= FreeBlockLimit {
		return ""
	}
	return fmt.Sprintf("warning: this restore creates %s blocks (pages and databases included); a free workspace with more than one member can create only %s blocks through the API in its lifetime and stops there",
		thousands(n), thousands(FreeBlockLimit))
}

// thousands writes n with a comma between groups of three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
