package importer

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/contract"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// appendBound is the fewest append requests that can write a snapshot,
// worked out independently of the importer: every parent that receives
// children needs ceil(children/100) appends; a request carries two levels,
// so the children of a block at the second level of a request (and of
// table rows', columns' and tab items' contents) go in a request of their
// own: a nesting boundary. Pages holding child pages before some of their
// blocks need one more for the anchor the blocks are inserted after.
func appendBound(t testing.TB, s *layout.Snapshot, p *plan) (base, boundaries int) {
	for _, pid := range p.contentOrder {
		pg, err := s.PageContent(pid)
		if err != nil {
			t.Fatal(err)
		}
		kids := func(b *layout.Block) []string {
			if syncedFrom(b.Object) != "" || !keepsChildren(typeOf(b)) {
				return nil
			}
			var out []string
			for _, c := range b.Children {
				if !p.isPlaced(c) {
					out = append(out, c)
				}
			}
			return out
		}
		runs := 0
		n := 0
		for _, ev := range p.events[pid] {
			if ev.block != "" {
				n++
				continue
			}
			if n > 0 {
				runs++
				base += int(math.Ceil(float64(n) / 100))
			}
			n = 0
		}
		if n > 0 {
			base += int(math.Ceil(float64(n) / 100))
		}
		if p.leading[pid] {
			boundaries++ // the anchor
		}
		if runs > 1 {
			boundaries += runs - 1 // a run between two child pages is its own request
		}
		// Second-level blocks with children start a request of their own.
		var walk func(id string, level int)
		walk = func(id string, level int) {
			b := pg.Blocks[id]
			ks := kids(b)
			if len(ks) == 0 {
				return
			}
			next := level + 1
			if typeOf(b) == "column_list" {
				next = level // columns share their list's level
			}
			if next > 2 || (level == 2 && typeOf(b) != "column_list") {
				boundaries++
				next = 1
			}
			for _, c := range ks {
				walk(c, next)
			}
		}
		for _, ev := range p.events[pid] {
			if ev.block != "" {
				walk(ev.block, 1)
			}
		}
	}
	return base, boundaries
}

// TestRequestsAndContract restores the generated workspace once and checks
// three things about the requests: appends stay within 5% of the bound
// (plus one per nesting boundary), the dry run's estimate is within 5% of
// the requests made, and every request body the emulator received matches
// Notion's request schemas.
func TestRequestsAndContract(t *testing.T) {
	src := smallSource(t)
	opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree)}
	est, err := rehearse(t, src.snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	dst := emptyTarget(t, emulator.Options{})
	rep, err := Restore(context.Background(), dst.client, src.snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	log := dst.srv.Log()

	appends := 0
	for _, e := range log {
		if e.Endpoint == "PATCH /v1/blocks/{id}/children" && e.Status == 200 {
			appends++
		}
	}
	pl, _ := newPlan(src.snap, nil)
	base, boundaries := appendBound(t, src.snap, pl)
	limit := int(math.Ceil(1.05*float64(base))) + boundaries
	t.Logf("%d blocks: %d appends; bound %d (%d + %d boundaries)", rep.Blocks, appends, limit, base, boundaries)
	if appends > limit {
		t.Errorf("%d append requests, more than the bound %d", appends, limit)
	}

	made := len(log)
	if diff := math.Abs(float64(est.Total-made)) / float64(made); diff > 0.05 {
		t.Errorf("dry run estimated %d requests, the restore made %d (%.1f%% off)", est.Total, made, 100*diff)
	}
	t.Logf("dry run: %d requests estimated, %d made", est.Total, made)

	contract.Require(t)
	checked := 0
	for _, e := range log {
		if len(e.RequestBody) == 0 || strings.HasPrefix(e.Endpoint, "GET") || strings.HasSuffix(e.Endpoint, "/send") {
			continue
		}
		route, ok := contract.Endpoint(e.Method, e.Path)
		if !ok || route.BodySchema == "" {
			t.Errorf("%s %s: no request schema in the contract", e.Method, e.Path)
			continue
		}
		checked++
		if err := contract.ValidateJSON(route.BodySchema, e.RequestBody); err != nil {
			t.Errorf("%s: %v\n%.600s", e.Endpoint, err, e.RequestBody)
		}
	}
	t.Logf("%d request bodies match the contract", checked)
}
