package main

import (
	"context"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator"
)

// TestStepSummaryOfAFirstSyncRendersNothing: the summary names pages and
// counts lines, so its comparison reads an added page from its page.json
// alone (review.CompareOptions.Outline): a first sync of the whole
// workspace renders no page's Markdown, which would give every added page
// hunks and line counts. A page on both sides is still rendered, so an
// edit keeps its counts.
func TestStepSummaryOfAFirstSyncRendersNothing(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	c := &syncCmd{Repo: dir, Branch: "main"}
	c.summary.opened = true
	env := &Env{Ctx: context.Background()}
	tip, d, _, err := c.summaryDiff(env)
	if err != nil || tip.IsZero() || d == nil {
		t.Fatalf("summaryDiff of the first sync: %v, %v, %v", tip, d, err)
	}
	if !d.First || len(d.Pages) != 6 {
		t.Fatalf("the first sync: first %v, %d pages; want 6 added", d.First, len(d.Pages))
	}
	for _, p := range d.Pages {
		if !p.Added() || len(p.Hunks) != 0 || p.LinesAdded != 0 {
			t.Errorf("page %s of the first sync: added %v, %d hunks, +%d lines; want it read from its page.json alone", p.ID, p.Added(), len(p.Hunks), p.LinesAdded)
		}
	}

	if err := e.EditBlock(itChannelBlockID, setParagraph("Ask in the #help channel.")); err != nil {
		t.Fatal(err)
	}
	c.summary.base = tip
	e.sync(t, dir, exitOK)
	if _, d, _, err = c.summaryDiff(env); err != nil {
		t.Fatal(err)
	}
	if len(d.Pages) != 1 || d.Pages[0].ID != homeID || d.Pages[0].LinesAdded != 1 || d.Pages[0].LinesRemoved != 1 {
		t.Errorf("the summary of a one-line edit: %+v, want Team Home +1 -1", d.Pages)
	}
}
