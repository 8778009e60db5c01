package importer

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// inFlight is a transport that records the most requests in flight at once,
// and how many requests were sent while another was in flight.
type inFlight struct {
	now, peak, total, overlapped atomic.Int64
}

func (f *inFlight) RoundTrip(req *http.Request) (*http.Response, error) {
	n := f.now.Add(1)
	defer f.now.Add(-1)
	f.total.Add(1)
	if n > 1 {
		f.overlapped.Add(1)
	}
	for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestConcurrencyHidesLatency restores with four requests allowed in flight
// and 20 ms of latency per answer, which keeps each request in flight long
// enough for the others to start beside it. Concurrency is what hides the
// latency, so the test counts it rather than timing the restore (a timing
// fails on a loaded machine): the restore must reach the four requests in
// flight it is allowed and never more, send at least half of its requests
// while another is in flight, and still restore everything exactly.
func TestConcurrencyHidesLatency(t *testing.T) {
	const latency = 20 * time.Millisecond
	src := tinySource(t)
	dst := emptyTarget(t, emulator.Options{Latency: latency})
	tr := &inFlight{}
	client := newClient(t, dst.url, &notion.Config{HTTPClient: &http.Client{Transport: tr}})
	opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree), Concurrency: 4}
	rep, err := Restore(context.Background(), client, src.snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	total, overlapped, peak := tr.total.Load(), tr.overlapped.Load(), tr.peak.Load()
	t.Logf("%d requests (%d in the report), %d sent while another was in flight; at most %d in flight", total, rep.Requests.Total, overlapped, peak)
	if peak != int64(opts.Concurrency) {
		t.Errorf("%d requests in flight at most, want the %d allowed", peak, opts.Concurrency)
	}
	if overlapped*2 < total {
		t.Errorf("only %d of %d requests were sent while another was in flight: they hardly overlap", overlapped, total)
	}
	got, _ := syncTree(t, dst, workspace.EmptyTargetID)
	fid, err := Verify(src.snap, opts, rep, got)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range fid.Unexpected() {
		t.Error(u)
	}
}

// BenchmarkRestoreLatency restores the small generated workspace into an
// emulator answering after 20 ms, through a client paced at 200 requests/s,
// one request at a time and at the default concurrency. The ratio is the
// wall time over the pacer's bound (requests / rate): 1 means the restore
// runs at the budget.
func BenchmarkRestoreLatency(b *testing.B) {
	const rate = 200
	src := smallSource(b)
	for _, n := range []int{1, DefaultConcurrency} {
		b.Run(fmt.Sprintf("concurrency=%d", n), func(b *testing.B) {
			var wall time.Duration
			var requests int
			for b.Loop() {
				dst := emptyTarget(b, emulator.Options{Latency: 20 * time.Millisecond})
				client := newClient(b, dst.url, &notion.Config{Rate: rate, Burst: 10})
				start := time.Now()
				rep, err := Restore(context.Background(), client, src.snap, Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree), Concurrency: n})
				if err != nil {
					b.Fatal(err)
				}
				wall += time.Since(start)
				requests += rep.Requests.Total
			}
			b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/op")
			b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
			b.ReportMetric(wall.Seconds()/(float64(requests)/rate), "wall/bound")
		})
	}
}
