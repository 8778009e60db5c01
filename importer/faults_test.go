package importer

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// tinySource is a small generated workspace that still holds every block
// type (the first page tours them all), for the slower fault tests.
func tinySource(t testing.TB) source {
	t.Helper()
	f := workspace.Generate(workspace.Options{Seed: 5, Pages: 10, MaxDepth: 3, BlocksPerPage: 10, Databases: 2,
		DataSourcesPerDatabase: 2, RowsPerDataSource: 2, Comments: 8, Attachments: 6, Users: 3})
	e := startEmulator(t, f, emulator.Options{})
	_, tree := syncTree(t, e)
	return openedSource(t, tree)
}

// cutAfter is a transport that cancels the restore's context once n
// answers have arrived: the last of them, and those of every other request
// in flight, are lost on the way back, as when a process is killed while
// writes are in flight. Those writes still run to their end on the server,
// as they would in Notion before the restore is started again.
type cutAfter struct {
	n      int64
	seen   atomic.Int64
	cancel context.CancelFunc
}

func (c *cutAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	resp, err := http.DefaultTransport.RoundTrip(req.WithContext(context.WithoutCancel(ctx)))
	if c.seen.Add(1) == c.n {
		c.cancel()
	}
	if err == nil && ctx.Err() != nil {
		resp.Body.Close()
		return nil, ctx.Err()
	}
	return resp, err
}

// copyShape counts what a synced copy holds, to tell duplicates.
func copyShape(s *layout.Snapshot) (pages, blocks, comments int) {
	seen := map[string]bool{}
	for _, p := range s.Pages {
		pages++
		blocks += len(p.Blocks)
		for _, c := range p.Comments {
			if !seen[c.ID] {
				seen[c.ID] = true
				comments++
			}
		}
	}
	return
}

// TestInterruptedRestoreResumes kills restores at several points (always
// losing the answers to the requests in flight, several at once with
// latency and the default concurrency) and runs them again with the same
// journal: each ends exactly like an uninterrupted restore, with nothing
// created twice.
func TestInterruptedRestoreResumes(t *testing.T) {
	src := tinySource(t)
	ref := emptyTarget(t, emulator.Options{})
	refRep, err := Restore(context.Background(), ref.client, src.snap, Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree)})
	if err != nil {
		t.Fatal(err)
	}
	refCopy, _ := syncTree(t, ref, workspace.EmptyTargetID)
	wantP, wantB, wantC := copyShape(refCopy)
	total := int64(refRep.Requests.Total)

	for _, frac := range []float64{0.1, 0.35, 0.5, 0.62, 0.9} {
		dst := emptyTarget(t, emulator.Options{Latency: 2 * time.Millisecond})
		journal := filepath.Join(t.TempDir(), "journal.jsonl")
		opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree), Journal: journal}
		ctx, cancel := context.WithCancel(context.Background())
		cut := &cutAfter{n: int64(frac * float64(total)), cancel: cancel}
		client := newClient(t, dst.url, &notion.Config{HTTPClient: &http.Client{Transport: cut}})
		if _, err := Restore(ctx, client, src.snap, opts); !errors.Is(err, context.Canceled) {
			t.Fatalf("cut at %d: %v, want context.Canceled", cut.n, err)
		}
		cancel()
		rep, err := Restore(context.Background(), dst.client, src.snap, opts)
		if err != nil {
			t.Fatalf("resume after %d requests: %v", cut.n, err)
		}
		if rep.Resumed == 0 {
			t.Errorf("resume after %d requests: nothing taken from the journal", cut.n)
		}
		got, _ := syncTree(t, dst, workspace.EmptyTargetID)
		p, b, c := copyShape(got)
		if p != wantP || b != wantB || c != wantC {
			t.Errorf("cut at %d of %d: copy has %d pages, %d blocks, %d comments; uninterrupted: %d, %d, %d",
				cut.n, total, p, b, c, wantP, wantB, wantC)
		}
		fid, err := Verify(src.snap, opts, rep, got)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range fid.Unexpected() {
			t.Errorf("cut at %d: %s", cut.n, u)
		}
	}
}

// TestRestoreThroughRateLimitsAndFaults restores while the emulator rate
// limits hard and answers some requests with server errors.
func TestRestoreThroughRateLimitsAndFaults(t *testing.T) {
	src := tinySource(t)
	dst := emptyTarget(t, emulator.Options{Rate: 150, Burst: 20})
	dst.srv.SetFaults(emulator.Faults{Probability: 0.08, Kinds: []emulator.FaultKind{
		emulator.Fault500, emulator.Fault502, emulator.Fault503, emulator.Fault504, emulator.FaultTruncate, emulator.FaultDrop}})
	opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree)}
	rep, err := Restore(context.Background(), dst.client, src.snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests.RateLimited == 0 || rep.Requests.Retries == 0 {
		t.Errorf("no weather: %d rate limited, %d retries", rep.Requests.RateLimited, rep.Requests.Retries)
	}
	dst.srv.SetFaults(emulator.Faults{})
	dst.srv.SetRate(0, 0)
	got, _ := syncTree(t, dst, workspace.EmptyTargetID)
	fid, err := Verify(src.snap, opts, rep, got)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range fid.Unexpected() {
		t.Error(u)
	}
}

// lostAnswers is a transport that lets every third page or comment create,
// append and file upload reach the server and then loses its answer behind a
// 504, as a gateway timing out on a request Notion went on to finish does.
type lostAnswers struct {
	writes atomic.Int64
	lost   atomic.Int64
}

func (l *lostAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	checkable := strings.HasSuffix(req.URL.Path, "/children") && req.Method == http.MethodPatch ||
		strings.Contains(req.URL.Path, "/file_uploads/") ||
		req.Method == http.MethodPost && (strings.HasSuffix(req.URL.Path, "/v1/pages") || strings.HasSuffix(req.URL.Path, "/v1/comments"))
	if err != nil || !checkable {
		return resp, err
	}
	if l.writes.Add(1)%3 != 0 {
		return resp, err
	}
	resp.Body.Close()
	l.lost.Add(1)
	return &http.Response{StatusCode: http.StatusGatewayTimeout, Status: "504 Gateway Timeout",
		Header: http.Header{"Content-Type": {"text/html"}}, Body: http.NoBody, Request: req}, nil
}

// TestWritesWhoseAnswerIsLostAreNotDuplicated: a create, an append or a
// file upload whose answer is lost may have happened. Sending it again
// blindly would make it twice or be refused; the restore must find out
// first, and end exactly like a restore that lost nothing.
func TestWritesWhoseAnswerIsLostAreNotDuplicated(t *testing.T) {
	src := tinySource(t)
	ref := emptyTarget(t, emulator.Options{})
	if _, err := Restore(context.Background(), ref.client, src.snap, Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree)}); err != nil {
		t.Fatal(err)
	}
	refCopy, _ := syncTree(t, ref, workspace.EmptyTargetID)
	wantP, wantB, wantC := copyShape(refCopy)

	dst := emptyTarget(t, emulator.Options{})
	lost := &lostAnswers{}
	client := newClient(t, dst.url, &notion.Config{HTTPClient: &http.Client{Transport: lost},
		BackoffBase: time.Millisecond, BackoffCap: 2 * time.Millisecond})
	opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree)}
	rep, err := Restore(context.Background(), client, src.snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	if lost.lost.Load() == 0 {
		t.Fatal("no answer was lost")
	}
	got, _ := syncTree(t, dst, workspace.EmptyTargetID)
	if p, b, c := copyShape(got); p != wantP || b != wantB || c != wantC {
		t.Errorf("with %d answers lost the copy has %d pages, %d blocks, %d comments; without: %d, %d, %d",
			lost.lost.Load(), p, b, c, wantP, wantB, wantC)
	}
	fid, err := Verify(src.snap, opts, rep, got)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range fid.Unexpected() {
		t.Error(u)
	}
}
