package importer

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// maxLooseness is how far above the requests a restore really sends its
// estimate may be. Measured: 1.000 on the generated small, medium and
// large workspaces and on testdata/fixtures/basic.json; what can exceed
// them is what the estimate counts at its most (an attachment the API
// refuses, the other side of a two-way relation Notion already named).
const maxLooseness = 1.3

// TestEstimateBoundsTheRestore restores snapshots into an empty page and
// checks, endpoint by endpoint, that the estimate from the plan is never
// below what the restore sent, and not above it by more than maxLooseness
// in all.
func TestEstimateBoundsTheRestore(t *testing.T) {
	cases := map[string]func(t *testing.T) source{
		"generated small": func(t *testing.T) source { return smallSource(t) },
	}
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "fixtures", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		cases[filepath.Base(p)] = func(t *testing.T) source {
			f, err := workspace.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			e := startEmulator(t, f, emulator.Options{})
			snap, tree := syncTree(t, e)
			return source{snap, tree}
		}
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			s := src(t)
			opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(s.tree)}
			est, err := EstimateRequests(s.snap, opts)
			if err != nil {
				t.Fatal(err)
			}
			target := emptyTarget(t, emulator.Options{})
			rep, err := Restore(context.Background(), target.client, s.snap, opts)
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
				t.Errorf("estimate %d requests, restore %d: want restore ≤ estimate ≤ %.1f × restore", est.Total, total, maxLooseness)
			}
			if est.Report.Pages != rep.Pages || est.Report.Rows != rep.Rows || est.Report.Blocks != rep.Blocks ||
				est.Report.Comments != rep.Comments || est.Report.Uploads != rep.Uploads || est.Report.Databases != rep.Databases {
				t.Errorf("estimate plans %+v, restore did %+v", countsOf(est.Report), countsOf(rep))
			}
			t.Logf("estimate %d requests, restore %d (%.3f)", est.Total, total, float64(est.Total)/float64(total))
		})
	}
}

func countsOf(r *Report) [6]int {
	return [6]int{r.Pages, r.Rows, r.Databases, r.Blocks, r.Comments, r.Uploads}
}
