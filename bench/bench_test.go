package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

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
