package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
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
