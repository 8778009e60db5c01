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

// inFlight is a transport that records the most requests in flight at once.
type inFlight struct {
	now, peak atomic.Int64
}

func (f *inFlight) RoundTrip(req *http.Request) (*http.Response, error) {
	n := f.now.Add(1)
	defer f.now.Add(-1)
	for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestConcurrencyHidesLatency restores with 20 ms of latency per request:
// one request at a time the restore cannot take less than requests × 20 ms;
// with four in flight it must take well under that (under 70%, with room
// for a busy machine), never have more than four requests in flight, and
// still restore everything exactly.
func TestConcurrencyHidesLatency(t *testing.T) {
	const latency = 20 * time.Millisecond
	src := tinySource(t)
	dst := emptyTarget(t, emulator.Options{Latency: latency})
	tr := &inFlight{}
	client := newClient(t, dst.url, &notion.Config{HTTPClient: &http.Client{Transport: tr}})
	opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree), Concurrency: 4}
	start := time.Now()
	rep, err := Restore(context.Background(), client, src.snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Since(start)
	sequential := time.Duration(rep.Requests.Total) * latency
	t.Logf("%d requests in %s (one at a time: at least %s); at most %d in flight", rep.Requests.Total, wall.Round(time.Millisecond), sequential, tr.peak.Load())
	if wall > sequential*7/10 {
		t.Errorf("%d requests took %s, more than 70%% of %s: they hardly overlap", rep.Requests.Total, wall, sequential)
	}
	if p := tr.peak.Load(); p > int64(opts.Concurrency) || p < 2 {
		t.Errorf("%d requests in flight at most, want 2 to %d", p, opts.Concurrency)
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
