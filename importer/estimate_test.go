package importer

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// maxLooseness is how far above the requests a restore really sends its
// estimate may be. What can exceed them is what the estimate counts at its
// most: an attachment the API refuses, the other side of a two-way
// relation Notion already named, a default view Notion did not make.
const maxLooseness = 1.3

// TestEstimateBoundsTheRestore restores every fixture, hand-written and
// generated, into an empty page under each API version, and checks,
// endpoint by endpoint, that the estimate from the plan is never below
// what the restore sent, and not above it by more than maxLooseness in
// all; that it plans the objects the restore creates; that it reads the
// snapshot as the restore does, opened, one page at a time, each block
// file once; and that under 2026-03-11 it counts, as the restore sends,
// no placeholder.
func TestEstimateBoundsTheRestore(t *testing.T) {
	cases := map[string]func(t *testing.T) exporter.MemoryTree{
		"generated small": func(t *testing.T) exporter.MemoryTree { return smallSource(t).tree },
	}
	var paths []string
	for _, dir := range []string{"", "restore"} {
		ps, err := filepath.Glob(filepath.Join("..", "testdata", "fixtures", dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, ps...)
	}
	if len(paths) < 10 {
		t.Fatalf("%d fixtures found", len(paths))
	}
	for _, p := range paths {
		name, _ := filepath.Rel(filepath.Join("..", "testdata", "fixtures"), p)
		cases[name] = func(t *testing.T) exporter.MemoryTree {
			f, err := workspace.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			_, tree := syncTree(t, startEmulator(t, f, emulator.Options{}))
			return tree
		}
	}
	for name, load := range cases {
		t.Run(name, func(t *testing.T) {
			tree := load(t)
			for _, version := range notion.Versions {
				t.Run(version, func(t *testing.T) { checkEstimate(t, tree, version) })
			}
		})
	}
}

func checkEstimate(t *testing.T, tree exporter.MemoryTree, version string) {
	counted := &readCounter{MapSource: layout.MapSource(tree), reads: map[string]int{}}
	snap, err := layout.OpenSnapshot(counted)
	if err != nil {
		t.Fatal(err)
	}
	counted.reset()
	opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(tree)}
	est, err := EstimateRequests(snap, opts, version)
	if err != nil {
		t.Fatal(err)
	}
	for p, n := range counted.reads {
		if info, _ := layout.ParsePath(p); info.Kind == layout.PathBlock && n > 1 {
			t.Errorf("the estimate read %s %d times", p, n)
		}
	}
	if est.Report.PagesHeld > 1 {
		t.Errorf("the estimate held %d pages' blocks at once, want 1", est.Report.PagesHeld)
	}

	target := emptyTarget(t, emulator.Options{})
	client := newClient(t, target.url, &notion.Config{Version: version})
	rep, err := Restore(context.Background(), client, snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	sent := map[Endpoint]int{}
	total := 0
	for k, n := range rep.Requests.Requests {
		sent[Endpoint{k.Method, k.Endpoint}] += n
		total += n
	}
	for k, n := range sent {
		if n > est.Requests[k] {
			t.Errorf("%s: the restore sent %d, the estimate says at most %d", k, n, est.Requests[k])
		}
	}
	if total > est.Total || float64(est.Total) > maxLooseness*float64(total) {
		t.Errorf("estimate %d requests, restore %d: want restore ≤ estimate ≤ %.1f × restore\nestimate:\n%s", est.Total, total, maxLooseness, est)
	}
	if countsOf(est.Report) != countsOf(rep) {
		t.Errorf("estimate plans %v, restore did %v (pages, rows, databases, data sources, views, blocks, comments, uploads)", countsOf(est.Report), countsOf(rep))
	}
	// Under 2025-09-03 the placeholder DELETEs are the restore's only
	// DELETE of a block.
	del := Endpoint{"DELETE", "blocks/{id}"}
	if notion.Positions(version) && (est.Requests[del] != 0 || sent[del] != 0) {
		t.Errorf("under %s: %d placeholder DELETEs planned, %d sent; want none", version, est.Requests[del], sent[del])
	}
	if sent[del] != est.Requests[del] {
		t.Errorf("%d placeholder DELETEs planned, %d sent", est.Requests[del], sent[del])
	}
	t.Logf("estimate %d requests, restore %d (%.3f); %d placeholder DELETEs", est.Total, total, float64(est.Total)/float64(total), sent[del])
}

func countsOf(r *Report) [8]int {
	return [8]int{r.Pages, r.Rows, r.Databases, r.DataSources, r.Views, r.Blocks, r.Comments, r.Uploads}
}
