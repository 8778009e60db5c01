package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/notion-git/notion-git/importer"
)

// TestSmallSmoke runs the benchmark's small size as CI's smoke check: the
// harness, the CLI and the emulator work together, and the request counts
// meet their targets (counts do not depend on the machine's speed; times do,
// so they are printed, not checked).
func TestSmallSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI and runs two syncs")
	}
	var out bytes.Buffer
	r, err := runSmall(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	printResult(&out, r)
	t.Log("\n" + out.String())
	if r.RequestsPerBound > 1.02 {
		t.Errorf("full crawl made %.3f × the bound's requests, target ≤ 1.02", r.RequestsPerBound)
	}
	if r.IncPerExpected > 1.10 {
		t.Errorf("incremental sync made %.3f × the expected requests, target ≤ 1.10", r.IncPerExpected)
	}
	if r.RateLimited > 0 {
		t.Errorf("the paced client was rate limited %d times", r.RateLimited)
	}
	if !strings.Contains(out.String(), "requests/bound") {
		t.Errorf("report lacks the ratio line:\n%s", out.String())
	}
}

func runSmall(ctx context.Context, work string) (*result, error) {
	bin := work + "/notion-git"
	if err := buildCLI(ctx, bin); err != nil {
		return nil, err
	}
	return run(ctx, config{Size: "small", Scale: 100, Concurrency: 8, Changed: 10, Binary: bin, WorkDir: work})
}

// TestRestoreSmallSmoke runs the restore benchmark's small size: the
// restore through the CLI sends no more requests than the importer's own
// bound, which is not loose by more than its stated factor, and the dry
// run prints its plan (times are printed, not checked).
func TestRestoreSmallSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI, syncs and restores")
	}
	work := t.TempDir()
	bin := work + "/notion-git"
	if err := buildCLI(context.Background(), bin); err != nil {
		t.Fatal(err)
	}
	r, err := runRestore(context.Background(), config{Size: "small", Scale: 100, Concurrency: 8, Binary: bin, WorkDir: work}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printRestore(&out, r)
	t.Log("\n" + out.String())
	if r.Total > r.Bound.Total || float64(r.Bound.Total) > 1.3*float64(r.Total) {
		t.Errorf("restore sent %d requests against a bound of %d: want ≤ bound ≤ 1.3 × sent", r.Total, r.Bound.Total)
	}
	if r.RateLimited > 0 {
		t.Errorf("the paced restore was rate limited %d times", r.RateLimited)
	}
	if r.Placeholders != r.Bound.Requests[importer.Endpoint{Method: "DELETE", Path: "blocks/{id}"}] {
		t.Errorf("%d placeholders removed, the plan has %d", r.Placeholders, r.Bound.Requests[importer.Endpoint{Method: "DELETE", Path: "blocks/{id}"}])
	}
	if r.DryFirstLine == 0 {
		t.Error("the dry run printed nothing")
	}
}

// TestScheduleSmallSmoke plays two hourly runs of the schedule at small:
// every request the emulator answered is sorted into one purpose, their
// sum is what the sync reported, the edits were crawled, and the clock
// the CLI was given is the simulated one (its report starts at that hour).
func TestScheduleSmallSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI and runs three syncs")
	}
	work := t.TempDir()
	bin := work + "/notion-git"
	if err := buildCLI(context.Background(), bin); err != nil {
		t.Fatal(err)
	}
	c := scheduleConfig{config: config{Size: "small", Scale: 100, Concurrency: 8, Binary: bin, WorkDir: work},
		Runs: 2, Edits: 10, Last: 2, PageBound: 7 * 24 * time.Hour, CommentBound: 7 * 24 * time.Hour}
	var out bytes.Buffer
	r, err := runSchedule(context.Background(), &out, c)
	if err != nil {
		t.Fatal(err)
	}
	printSchedule(&out, r, c)
	t.Log("\n" + out.String())
	for i, run := range r.Runs {
		k := run.Kinds
		if sum := k.Listing + k.Edited + k.Patch + k.Refresh + k.Sweep + k.Download + k.Other; sum != k.Total || k.Total != run.requests() {
			t.Errorf("run %d: purposes add up to %d, the log holds %d, the report says %d", i+1, sum, k.Total, run.requests())
		}
		if k.Edited < c.Edits {
			t.Errorf("run %d: %d requests for %d edited pages", i+1, k.Edited, c.Edits)
		}
		if want := scheduleStart.Add(time.Duration(i+1) * time.Hour); run.Report.Started.Before(want) || run.Report.Started.After(want.Add(time.Minute)) {
			t.Errorf("run %d started at %v by its report, want the simulated %v", i+1, run.Report.Started, want)
		}
	}
	if r.Fresh.Period < 2*time.Hour || r.Fresh.PageWorst > r.Fresh.Period {
		t.Errorf("freshness over %v: worst page age %v", r.Fresh.Period, r.Fresh.PageWorst)
	}
	if r.Comments == 0 || r.CommentsHeld == 0 || r.CommentsHeld > r.Comments {
		t.Errorf("the snapshot holds %d of %d comments: want some, and no more than the workspace has", r.CommentsHeld, r.Comments)
	}
}

// TestYearSmallSmoke plays three syncs of the year at small: the pack
// count, the repository's size and the log's time are followed where
// asked, and git fsck --strict passes on what the syncs left.
func TestYearSmallSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI and runs four syncs")
	}
	work := t.TempDir()
	bin := work + "/notion-git"
	if err := buildCLI(context.Background(), bin); err != nil {
		t.Fatal(err)
	}
	c := yearConfig{scheduleConfig: scheduleConfig{config: config{Size: "small", Scale: 100, Concurrency: 8, Binary: bin, WorkDir: work},
		Edits: 3, PageBound: 7 * 24 * time.Hour, CommentBound: 7 * 24 * time.Hour}, Syncs: 3, Every: 2}
	var out bytes.Buffer
	r, err := runYear(context.Background(), &out, c)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Points) != 3 || r.Points[2].Sync != 3 || r.MaxPacks < 1 {
		t.Errorf("followed %+v, max packs %d; want the first sync, sync 2 and sync 3", r.Points, r.MaxPacks)
	}
	for _, p := range r.Points {
		if p.Packs < 1 || p.GitBytes <= 0 || p.Log <= 0 {
			t.Errorf("after sync %d: %d packs, %d bytes, log timed at %v; want a repository measured", p.Sync, p.Packs, p.GitBytes, p.Log)
		}
	}
}
