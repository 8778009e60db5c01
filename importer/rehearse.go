package importer

import (
	"context"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"time"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/notiontest"
	"github.com/notion-git/notion-git/notion/notiontest/workspace"
)

// Estimate is what a restore will do, found by rehearsing it.
type Estimate struct {
	// Report is the rehearsal's report: objects, substitutions, limits.
	Report *Report
	// Requests counts the requests by "METHOD endpoint".
	Requests map[string]int
	// Total is the number of requests; Writes those that change Notion.
	Total, Writes int
}

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
	for _, k := range slices.Sorted(maps.Keys(e.Requests)) {
		fmt.Fprintf(&b, "  %-44s %6d\n", k, e.Requests[k])
	}
	return b.String()
}

// Rehearse plans a restore without touching Notion: it runs the restore
// against an in-process emulator holding one empty page, so the requests
// counted are the ones the real restore will send (apart from retries),
// planned by the same code. opts.Target, Journal and Fresh are ignored.
func Rehearse(ctx context.Context, snap *layout.Snapshot, opts Options) (*Estimate, error) {
	srv := notiontest.New(workspace.Empty("Rehearsal"), notiontest.Options{})
	client, err := notion.New(notion.Config{
		BaseURL: "http://rehearsal.invalid", Token: notiontest.DefaultToken,
		Rate: 1e9, Burst: 1 << 20, HTTPClient: &http.Client{Transport: handlerTransport{srv}},
	})
	if err != nil {
		return nil, err
	}
	opts.Target, opts.Journal, opts.Fresh, opts.Progress = workspace.EmptyTargetID, "", false, nil
	rep, err := Restore(ctx, client, snap, opts)
	if err != nil {
		return nil, fmt.Errorf("rehearse the restore: %w", err)
	}
	e := &Estimate{Report: rep, Requests: map[string]int{}}
	for k, n := range rep.Requests.Requests {
		// "PATCH blocks/{id}/children 200" → "PATCH blocks/{id}/children"
		k = k[:strings.LastIndexByte(k, ' ')]
		e.Requests[k] += n
		e.Total += n
		if !strings.HasPrefix(k, "GET ") && !strings.HasSuffix(k, "/query") {
			e.Writes += n
		}
	}
	// The real restore also checks the target page once; the rehearsal
	// did the same, so nothing is added.
	return e, nil
}

// handlerTransport serves requests with an http.Handler in process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}
