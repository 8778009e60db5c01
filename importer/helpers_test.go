package importer

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// localNotion is a running emulator and a fast client for it.
type localNotion struct {
	srv    *emulator.Server
	url    string
	client *notion.Client
}

func startEmulator(t testing.TB, f *emulator.Fixture, opts emulator.Options) *localNotion {
	t.Helper()
	srv := emulator.New(f, opts)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &localNotion{srv: srv, url: hs.URL, client: newClient(t, hs.URL, nil)}
}

func newClient(t testing.TB, url string, cfg *notion.Config) *notion.Client {
	t.Helper()
	c := notion.Config{}
	if cfg != nil {
		c = *cfg
	}
	c.BaseURL, c.Token = url, emulator.DefaultToken
	if c.Rate == 0 {
		c.Rate, c.Burst = 10000, 1000
	}
	c.BackoffBase, c.BackoffCap = time.Millisecond, 20*time.Millisecond
	client, err := notion.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// syncTree syncs the emulator's workspace (below roots, if any) into memory.
func syncTree(t testing.TB, e *localNotion, roots ...string) (*layout.Snapshot, exporter.MemoryTree) {
	t.Helper()
	tree := exporter.MemoryTree{}
	_, err := exporter.Sync(context.Background(), newClient(t, e.url, nil), nil, tree, exporter.Options{
		Roots: roots, Comments: exporter.CommentsAll, Full: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := layout.DecodeSnapshot(layout.MapSource(tree))
	if err != nil {
		t.Fatal(err)
	}
	return snap, tree
}

// source is a synced generated workspace, shared by the tests of a run.
// Its snapshot is opened, as the restore command opens it, so that the
// tests restore from outlines and pages loaded one at a time.
type source struct {
	snap *layout.Snapshot
	tree exporter.MemoryTree
}

func smallSource(t testing.TB) source {
	t.Helper()
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{})
	_, tree := syncTree(t, e)
	return openedSource(t, tree)
}

// openedSource opens a synced tree with layout.OpenSnapshot.
func openedSource(t testing.TB, tree exporter.MemoryTree) source {
	t.Helper()
	snap, err := layout.OpenSnapshot(layout.MapSource(tree))
	if err != nil {
		t.Fatal(err)
	}
	return source{snap, tree}
}

// emptyTarget is an emulator holding only the page a restore writes into.
func emptyTarget(t testing.TB, opts emulator.Options) *localNotion {
	opts.RecordBodies = true
	return startEmulator(t, workspace.Empty("Restored"), opts)
}

// rehearse runs a restore against an in-process emulator holding one
// empty page and counts its requests by endpoint: what the real restore
// sends, apart from retries, to hold EstimateRequests and the request
// bounds against.
func rehearse(t testing.TB, snap *layout.Snapshot, opts Options) (*Estimate, error) {
	t.Helper()
	srv := emulator.New(workspace.Empty("Rehearsal"), emulator.Options{})
	client, err := notion.New(notion.Config{
		BaseURL: "http://rehearsal.invalid", Token: emulator.DefaultToken,
		Rate: 1e9, Burst: 1 << 20, HTTPClient: &http.Client{Transport: emulator.InProcess(srv)},
	})
	if err != nil {
		t.Fatal(err)
	}
	opts.Target, opts.Journal, opts.Fresh, opts.Progress = workspace.EmptyTargetID, "", false, nil
	rep, err := Restore(context.Background(), client, snap, opts)
	if err != nil {
		return nil, err
	}
	e := &Estimate{Report: rep, Requests: map[Endpoint]int{}}
	for k, n := range rep.Requests.Requests {
		e.Requests[Endpoint{k.Method, k.Endpoint}] += n
		e.Total += n
		if k.Writes() {
			e.Writes += n
		}
	}
	return e, nil
}
