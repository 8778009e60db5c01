package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// The adaptive-pacing benchmark: the same full sync against an emulator
// whose budget is pacingBudget requests/s, once at --rate pacingBudget and
// once at twice that. A pacer that learns the budget makes the second cost
// little more than the first:
//
//	go run ./bench -pacing
//
// Targets: wall time at twice the budget ≤ 1.2 × the wall time at the
// budget, and 429s ≤ 5% of its requests.
const (
	pacingBudget = 30.0
	// pacingLatency is Notion's ~300 ms scaled down as the budget is (by 10).
	pacingLatency = 30 * time.Millisecond
)

// pacingWorkspace is big enough that a sync takes over a minute at the
// budget, so that what learning costs shows against a run of real length.
func pacingWorkspace() workspace.Options {
	o := workspace.Medium()
	o.Seed, o.Pages, o.Databases, o.Comments, o.Attachments = 7, 400, 10, 100, 20
	return o
}

// pacingRun is one sync of the pacing benchmark.
type pacingRun struct {
	Rate                  float64
	Requests, RateLimited int
	Wall                  time.Duration
	LowestRate, EndRate   float64
}

func pacingMain(ctx context.Context, out io.Writer, work string) error {
	work, bin, done, err := prepare(ctx, work)
	if err != nil {
		return err
	}
	defer done()
	f := workspace.Generate(pacingWorkspace())
	fmt.Fprintf(out, "pacing: %d pages, %d blocks; emulator budget %.0f requests/s (bucket %d), latency %s\n",
		len(f.Pages), len(f.Blocks), pacingBudget, serverBurst, pacingLatency)
	var runs []pacingRun
	for _, clientRate := range []float64{pacingBudget, 2 * pacingBudget} {
		// A fresh emulator each time: its buckets start full, as Notion's
		// would after a quiet hour, for both runs alike.
		srv := emulator.New(f, emulator.Options{Seed: 1, Rate: pacingBudget, Burst: serverBurst,
			Latency: pacingLatency, Jitter: pacingLatency / 5})
		hs, err := emulator.Listen("127.0.0.1:0", srv)
		if err != nil {
			return err
		}
		// config.sync passes --rate 3 × Scale.
		c := config{Scale: clientRate / 3, Concurrency: 8, Binary: bin}
		repo := filepath.Join(work, fmt.Sprintf("pacing-%.0f", clientRate))
		report, wall, _, err := c.sync(ctx, hs.URL, repo, "--full")
		hs.Close()
		if err != nil {
			return fmt.Errorf("sync at --rate %.0f: %w", clientRate, err)
		}
		r := pacingRun{Rate: clientRate, Requests: report.Requests.Total, RateLimited: report.Requests.RateLimited,
			Wall: wall, LowestRate: report.Requests.LowestRate, EndRate: report.Requests.Rate}
		runs = append(runs, r)
		fmt.Fprintf(out, "  --rate %-3.0f %5d requests, %4d answered 429, wall %s, pacer's rate lowest %.1f/s, at the end %.1f/s\n",
			r.Rate, r.Requests, r.RateLimited, r.Wall.Round(time.Millisecond), r.LowestRate, r.EndRate)
	}
	at, over := runs[0], runs[1]
	fmt.Fprintf(out, "  wall at --rate %.0f / wall at --rate %.0f: %.3f (target ≤ 1.2)\n", over.Rate, at.Rate, over.Wall.Seconds()/at.Wall.Seconds())
	fmt.Fprintf(out, "  429s / requests at --rate %.0f: %.2f%% (target ≤ 5%%)\n", over.Rate, 100*float64(over.RateLimited)/float64(over.Requests))
	return nil
}
