package importer

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/notiontest"
	"github.com/notion-git/notion-git/notion/notiontest/workspace"
)

// emulator is a running emulator and a fast client for it.
type emulator struct {
	srv    *notiontest.Server
	url    string
	client *notion.Client
}

func startEmulator(t testing.TB, f *notiontest.Fixture, opts notiontest.Options) *emulator {
	t.Helper()
	srv := notiontest.New(f, opts)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &emulator{srv: srv, url: hs.URL, client: newClient(t, hs.URL, nil)}
}

func newClient(t testing.TB, url string, cfg *notion.Config) *notion.Client {
	t.Helper()
	c := notion.Config{}
	if cfg != nil {
		c = *cfg
	}
	c.BaseURL, c.Token = url, notiontest.DefaultToken
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
func syncTree(t testing.TB, e *emulator, roots ...string) (*layout.Snapshot, exporter.MemoryTree) {
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
type source struct {
	snap *layout.Snapshot
	tree exporter.MemoryTree
}

func smallSource(t testing.TB) source {
	t.Helper()
	e := startEmulator(t, workspace.Generate(workspace.Small()), notiontest.Options{})
	snap, tree := syncTree(t, e)
	return source{snap, tree}
}

// emptyTarget is an emulator holding only the page a restore writes into.
func emptyTarget(t testing.TB, opts notiontest.Options) *emulator {
	opts.RecordBodies = true
	return startEmulator(t, workspace.Empty("Restored"), opts)
}
