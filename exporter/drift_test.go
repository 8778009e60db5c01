package exporter_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// The drift test runs a few seeds by default, a few seconds in all;
// NOTION_GIT_DRIFT_SEEDS and NOTION_GIT_DRIFT_ROUNDS run more.
const (
	defaultDriftSeeds  = 3
	defaultDriftRounds = 5
)

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

// TestIncrementalSyncEqualsFullSyncUnderRandomEdits makes rounds of random
// edits of every kind a workspace sees, some in the same minute as the sync
// that follows or precedes them, and after every round requires the tree of
// the incremental sync to be the tree a full crawl of the same state gives,
// byte for byte.
func TestIncrementalSyncEqualsFullSyncUnderRandomEdits(t *testing.T) {
	seeds := envInt(t, "NOTION_GIT_DRIFT_SEEDS", defaultDriftSeeds)
	rounds := envInt(t, "NOTION_GIT_DRIFT_ROUNDS", defaultDriftRounds)
	passed := 0
	for seed := range uint64(seeds) {
		ok := t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			driftSeed(t, seed, rounds)
		})
		if ok {
			passed++
		}
	}
	t.Logf("%d of %d seeds × %d rounds: incremental equals full", passed, seeds, rounds)
}

func driftSeed(t *testing.T, seed uint64, rounds int) {
	o := workspace.Small()
	o.Seed = 100 + seed
	o.Pages, o.RowsPerDataSource, o.BlocksPerPage, o.Databases = 24, 4, 8, 3
	f := workspace.Generate(o)
	w := newWorld(t, f, emulator.Options{Seed: int64(seed)})
	d := &drifter{t: t, w: w, r: rand.New(rand.NewPCG(seed, 0x6472696674)), api: w.client()}
	inc, _ := w.syncMemory(nil, exporter.Options{})
	d.truth = inc
	for round := 1; round <= rounds; round++ {
		d.log = d.log[:0]
		d.edits(1 + d.r.IntN(12))
		d.pause()
		inc, _ = w.syncMemory(inc, exporter.Options{})
		// An edit in the minute of the last crawl, after it, shows that
		// crawl's last_edited_time: such a page is carried while its
		// minute and the safety window are open, and crawled by the first
		// sync after. So the trees are compared after that sync.
		w.clock.Advance(time.Minute + exporter.DefaultSafetyWindow + time.Second)
		inc, _ = w.syncMemory(inc, exporter.Options{})
		full, _ := w.syncMemory(nil, exporter.Options{Full: true})
		if diff := treeDiff(w.comparable(full), w.comparable(inc)); diff != "" {
			t.Fatalf("round %d: the incremental tree is not the full crawl's\nedits:\n  %s\n%s",
				round, strings.Join(d.log, "\n  "), diff)
		}
		if diff := stateDiff(t, full, inc); diff != "" {
			t.Fatalf("round %d: the incremental sync state is not the full crawl's\nedits:\n  %s\n%s",
				round, strings.Join(d.log, "\n  "), diff)
		}
		d.truth = full
		// The next edits may fall in the minute of this sync.
		d.pause()
	}
}

// drifter makes random edits, choosing its targets from the last full crawl.
type drifter struct {
	t     *testing.T
	w     *world
	r     *rand.Rand
	api   *notion.Client
	truth exporter.MemoryTree
	log   []string
	n     int

	trashedPages  []string
	trashedBlocks []string
}

// pause moves the clock on: mostly by seconds, so that edits and syncs
// share minutes, sometimes by minutes or an hour.
func (d *drifter) pause() {
	switch p := d.r.IntN(10); {
	case p < 6:
		d.w.clock.Advance(time.Duration(1+d.r.IntN(50)) * time.Second)
	case p < 9:
		d.w.clock.Advance(time.Duration(60+d.r.IntN(240)) * time.Second)
	default:
		d.w.clock.Advance(time.Hour)
	}
}

// catalogue is what the last full crawl holds, by kind.
type catalogue struct {
	plain   []string            // pages under a page or the workspace
	rows    []string            // pages in a data source
	parent  map[string]string   // plain page -> parent page
	blocks  []string            // editable text blocks
	pageOf  map[string]string   // block -> page
	typeOf  map[string]string   // block -> type
	props   map[string][]string // row -> "name\x00type" of its editable properties
	sources []string
	dbOf    map[string]string // data source -> database
	titleOf map[string]string // data source -> its title property's name
	dbs     []string
}

var textTypes = map[string]bool{"paragraph": true, "heading_1": true, "heading_2": true, "heading_3": true,
	"bulleted_list_item": true, "numbered_list_item": true, "quote": true, "to_do": true, "toggle": true, "callout": true}

func (d *drifter) catalogue() *catalogue {
	c := &catalogue{parent: map[string]string{}, pageOf: map[string]string{}, typeOf: map[string]string{},
		props: map[string][]string{}, dbOf: map[string]string{}, titleOf: map[string]string{}}
	for _, p := range slices.Sorted(maps.Keys(d.truth)) {
		info, _ := layout.ParsePath(p)
		obj := func() layout.Object {
			o, err := layout.Decode(d.truth[p])
			if err != nil {
				d.t.Fatalf("%s: %v", p, err)
			}
			return o
		}
		switch info.Kind {
		case layout.PathPage:
			o := obj()
			par, _ := o["parent"].(map[string]any)
			switch par["type"] {
			case "data_source_id":
				c.rows = append(c.rows, info.PageID)
				props, _ := o["properties"].(map[string]any)
				for _, name := range slices.Sorted(maps.Keys(props)) {
					v, _ := props[name].(map[string]any)
					switch typ, _ := v["type"].(string); typ {
					case "title", "rich_text", "number", "checkbox":
						c.props[info.PageID] = append(c.props[info.PageID], name+"\x00"+typ)
					}
				}
			case "page_id":
				c.plain = append(c.plain, info.PageID)
				c.parent[info.PageID], _ = par["page_id"].(string)
			case "workspace":
				c.plain = append(c.plain, info.PageID)
			}
		case layout.PathBlock:
			o := obj()
			typ, _ := o["type"].(string)
			if textTypes[typ] {
				id := info.BlockID
				c.blocks = append(c.blocks, id)
				c.pageOf[id], c.typeOf[id] = info.PageID, typ
			}
		case layout.PathDataSource:
			o := obj()
			c.sources = append(c.sources, info.DataSourceID)
			par, _ := o["parent"].(map[string]any)
			c.dbOf[info.DataSourceID], _ = par["database_id"].(string)
			props, _ := o["properties"].(map[string]any)
			for name, v := range props {
				if m, _ := v.(map[string]any); m["type"] == "title" {
					c.titleOf[info.DataSourceID] = name
				}
			}
		case layout.PathDatabase:
			c.dbs = append(c.dbs, info.DatabaseID)
		}
	}
	return c
}

func (d *drifter) pick(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[d.r.IntN(len(ids))]
}

func (d *drifter) text() string {
	d.n++
	return fmt.Sprintf("drift %d", d.n)
}

func richText(s string) []any {
	return []any{map[string]any{
		"type": "text", "plain_text": s, "href": nil,
		"text":        map[string]any{"content": s, "link": nil},
		"annotations": map[string]any{"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"},
	}}
}

func requestText(s string) []any {
	return []any{map[string]any{"type": "text", "text": map[string]any{"content": s}}}
}

func (d *drifter) must(what string, err error) {
	d.t.Helper()
	var apiErr *notion.Error
	if errors.As(err, &apiErr) && apiErr.Status == 400 && strings.Contains(apiErr.Message, "archived") {
		return // the target went to the trash earlier in the round: no edit
	}
	if err != nil {
		d.t.Fatalf("%s: %v", what, err)
	}
	d.log = append(d.log, fmt.Sprintf("%s %s", d.w.clock.Now().Format("15:04:05"), what))
}

// edits makes n random edits, a few seconds apart. New comments are not
// among them: nothing in Notion's listing shows that a page gained a
// comment (its last_edited_time stays), so only a crawl of the page, the
// rolling refresh's or a full one, finds it. Nor are database renames:
// search returns no databases, and a renamed database changes no data
// source, so only fetching every database on every run would see it.
func (d *drifter) edits(n int) {
	ctx := context.Background()
	c := d.catalogue()
	for range n {
		switch k := d.r.IntN(16); {
		case k < 3 && len(c.blocks) > 0: // edit a block
			id := d.pick(c.blocks)
			typ, s := c.typeOf[id], d.text()
			d.must("edit block "+id+" of "+c.pageOf[id], d.w.server.EditBlock(id, func(b map[string]any) {
				body, _ := b[typ].(map[string]any)
				if body == nil {
					body = map[string]any{}
					b[typ] = body
				}
				body["rich_text"] = richText(s)
			}))
		case k < 5: // add blocks to a page or into a block
			parent := d.pick(append(c.plain, c.rows...))
			if d.r.IntN(3) == 0 && len(c.blocks) > 0 {
				parent = d.pick(c.blocks)
			}
			_, err := d.w.server.AppendBlocks(parent, map[string]any{"type": "paragraph",
				"paragraph": map[string]any{"rich_text": requestText(d.text())}})
			d.must("append a block to "+parent, err)
		case k < 6 && len(c.blocks) > 0: // trash a block
			id := d.pick(c.blocks)
			_, err := d.api.Delete(ctx, "blocks/"+id)
			d.must("trash block "+id+" of "+c.pageOf[id], err)
			d.trashedBlocks = append(d.trashedBlocks, id)
		case k < 7 && len(d.trashedBlocks) > 0: // restore a block
			i := d.r.IntN(len(d.trashedBlocks))
			id := d.trashedBlocks[i]
			d.trashedBlocks = slices.Delete(d.trashedBlocks, i, i+1)
			_, err := d.api.Patch(ctx, "blocks/"+id, map[string]any{"in_trash": false})
			d.must("restore block "+id, err)
		case k < 9 && len(c.rows) > 0: // edit a row's property
			row := d.pick(c.rows)
			prop := d.pick(c.props[row])
			if prop == "" {
				continue
			}
			name, typ, _ := strings.Cut(prop, "\x00")
			var v any
			switch typ {
			case "title", "rich_text":
				v = requestText(d.text())
			case "number":
				v = d.r.IntN(1000)
			case "checkbox":
				v = d.r.IntN(2) == 0
			}
			_, err := d.api.Patch(ctx, "pages/"+row, map[string]any{"properties": map[string]any{name: map[string]any{typ: v}}})
			d.must(fmt.Sprintf("set %s (%s) of row %s", name, typ, row), err)
		case k < 10: // add a page, or a row
			if ds := d.pick(c.sources); ds != "" && d.r.IntN(2) == 0 && c.titleOf[ds] != "" {
				id, err := d.w.server.AddPage(map[string]any{
					"parent":     map[string]any{"type": "data_source_id", "data_source_id": ds, "database_id": c.dbOf[ds]},
					"properties": map[string]any{c.titleOf[ds]: map[string]any{"id": "title", "type": "title", "title": richText(d.text())}},
				})
				d.must("add row "+id+" to "+ds, err)
				continue
			}
			parent := d.pick(c.plain)
			id, err := d.w.server.AddPage(map[string]any{
				"parent":     map[string]any{"type": "page_id", "page_id": parent},
				"properties": map[string]any{"title": map[string]any{"id": "title", "type": "title", "title": richText(d.text())}},
			})
			d.must("add page "+id+" under "+parent, err)
		case k < 11: // move a page
			id, to := d.pick(c.plain), d.pick(c.plain)
			if id == "" || c.parent[id] == "" || below(c.parent, to, id) {
				continue // a move to the same parent puts the page last
			}
			d.must("move page "+id+" from "+c.parent[id]+" to "+to, d.w.server.MovePage(id, to))
		case k < 13: // rename a page
			id := d.pick(append(c.plain, c.rows...))
			d.must("rename page "+id, d.w.server.SetTitle(id, d.text()))
		case k < 14: // trash a page
			id := d.pick(append(c.plain, c.rows...))
			if id == "" || c.parent[id] == "" && !slices.Contains(c.rows, id) {
				continue // keep the shared top pages
			}
			d.must("trash page "+id, d.w.server.TrashPage(id))
			d.trashedPages = append(d.trashedPages, id)
		case k < 15 && len(d.trashedPages) > 0: // restore a page
			i := d.r.IntN(len(d.trashedPages))
			id := d.trashedPages[i]
			d.trashedPages = slices.Delete(d.trashedPages, i, i+1)
			_, err := d.api.Patch(ctx, "pages/"+id, map[string]any{"in_trash": false})
			d.must("restore page "+id, err)
		default: // a schema change, or a data source renamed
			switch j := d.r.IntN(2); {
			case j == 0 && len(c.sources) > 0:
				ds, name := d.pick(c.sources), d.text()
				d.must("add property to "+ds, d.w.server.UpdateSchema(ds, func(props map[string]any) {
					props[name] = map[string]any{"id": fmt.Sprintf("d%d", d.n), "name": name, "type": "checkbox", "checkbox": map[string]any{}}
				}))
			case j == 1 && len(c.sources) > 0:
				ds := d.pick(c.sources)
				_, err := d.api.Patch(ctx, "data_sources/"+ds, map[string]any{"title": requestText(d.text())})
				d.must("rename data source "+ds, err)
			}
		}
		d.w.clock.Advance(time.Duration(d.r.IntN(20)) * time.Second)
	}
}

// below reports whether page id is at or below top in the page tree.
func below(parent map[string]string, id, top string) bool {
	for i := 0; id != "" && i < 1000; i++ {
		if id == top {
			return true
		}
		id = parent[id]
	}
	return false
}

// treeDiff describes how got differs from want: the differing paths, and a
// line diff of the first few.
func treeDiff(want, got map[string][]byte) string {
	var paths []string
	for _, p := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[p]; !ok || string(g) != string(want[p]) {
			paths = append(paths, p)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[p]; !ok {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d files differ (- full, + incremental):\n", len(paths))
	for i, p := range paths {
		if i == 8 {
			fmt.Fprintf(&b, "... and %d more\n", len(paths)-i)
			break
		}
		w, inWant := want[p]
		g, inGot := got[p]
		switch {
		case !inWant:
			fmt.Fprintf(&b, "%s: only in the incremental tree\n", p)
		case !inGot:
			fmt.Fprintf(&b, "%s: missing from the incremental tree\n", p)
		default:
			fmt.Fprintf(&b, "%s:\n%s", p, lineDiff(string(w), string(g)))
		}
	}
	return b.String()
}

// lineDiff returns the lines only in a ("-") and only in b ("+"), in order,
// by a longest common subsequence: the files are small.
func lineDiff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case j < len(y) && (i == len(x) || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&out, "  + %s\n", y[j])
			j++
		default:
			fmt.Fprintf(&out, "  - %s\n", x[i])
			i++
		}
	}
	return out.String()
}

// stateDiff compares two sync states but for crawl times, which differ by
// design.
func stateDiff(t *testing.T, want, got exporter.MemoryTree) string {
	t.Helper()
	read := func(tree exporter.MemoryTree) map[string]layout.ObjectState {
		s := readState(t, tree)
		out := map[string]layout.ObjectState{}
		for id, o := range s.Objects {
			o.Crawled = ""
			out[id] = o
		}
		return out
	}
	w, g := read(want), read(got)
	var b strings.Builder
	for _, id := range slices.Sorted(maps.Keys(w)) {
		if !reflect.DeepEqual(w[id], g[id]) {
			fmt.Fprintf(&b, "%s:\n  - %+v\n  + %+v\n", id, w[id], g[id])
		}
	}
	for _, id := range slices.Sorted(maps.Keys(g)) {
		if _, ok := w[id]; !ok {
			fmt.Fprintf(&b, "%s: only in the incremental state\n  + %+v\n", id, g[id])
		}
	}
	return b.String()
}
