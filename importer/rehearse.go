package importer

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// Estimate is what a restore will do, found by rehearsing it.
type Estimate struct {
	// Report is the rehearsal's report: objects, substitutions, limits.
	Report *Report
	// Requests counts the requests by endpoint, whatever their answer.
	Requests map[Endpoint]int
	// Total is the number of requests; Writes those that change Notion.
	Total, Writes int
}

// Endpoint is one kind of request: a method and a path template.
type Endpoint struct{ Method, Path string }

func (e Endpoint) String() string { return e.Method + " " + e.Path }

// Duration is how long the requests take at rate requests per second.
func (e *Estimate) Duration(rate float64) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(float64(e.Total)/rate)) * time.Second
}

// String lists the requests by endpoint.
func (e *Estimate) String() string {
	var b strings.Builder
	keys := slices.SortedFunc(maps.Keys(e.Requests), func(a, b Endpoint) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-44s %6d\n", k, e.Requests[k])
	}
	return b.String()
}

// Rehearse plans a restore without touching Notion: it runs the restore
// through client into target, which the caller points at a stand-in that
// holds one empty page (the bundled emulator, in process), so the requests
// counted are the ones the real restore will send, apart from retries,
// planned by the same code. opts.Target, Journal and Fresh are ignored:
// nothing of a rehearsal is kept.
func Rehearse(ctx context.Context, client *notion.Client, target string, snap *layout.Snapshot, opts Options) (*Estimate, error) {
	opts.Target, opts.Journal, opts.Fresh, opts.Progress = target, "", false, nil
	rep, err := Restore(ctx, client, snap, opts)
	if err != nil {
		return nil, fmt.Errorf("rehearse the restore: %w", err)
	}
	e := &Estimate{Report: rep, Requests: map[Endpoint]int{}}
	for k, n := range rep.Requests.Requests {
		e.Requests[Endpoint{k.Method, k.Endpoint}] += n
		e.Total += n
		if k.Writes() {
			e.Writes += n
		}
	}
	// The real restore also checks the target page once; the rehearsal
	// did the same, so nothing is added.
	return e, nil
}
