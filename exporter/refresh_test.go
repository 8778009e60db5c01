package exporter_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// crawlsSince counts, for each page, the crawls the log shows from entry
// mark on: a crawl lists the page's own children once.
func crawlsSince(w *world, mark int) map[string]int {
	n := map[string]int{}
	for _, e := range w.server.Log()[mark:] {
		if e.Method != "GET" || !strings.HasPrefix(e.Path, "/v1/blocks/") || !strings.HasSuffix(e.Path, "/children") {
			continue
		}
		n[strings.TrimSuffix(strings.TrimPrefix(e.Path, "/v1/blocks/"), "/children")]++
	}
	return n
}

// commentRequestsSince counts the comment listings from entry mark on, by
// the block or page asked about.
func commentRequestsSince(w *world, mark int) map[string]int {
	n := map[string]int{}
	for _, e := range w.server.Log()[mark:] {
		if e.Path == "/v1/comments" && e.Method == "GET" {
			q, _ := url.ParseQuery(e.Query)
			n[q.Get("block_id")]++
		}
	}
	return n
}

func stateOf(t *testing.T, s *store) *layout.State {
	t.Helper()
	return readState(t, s.tree)
}

// TestRefreshCoversEveryPageOncePerPeriod runs hourly syncs of a workspace
// nobody edits for one refresh period and counts the crawls of each page:
// every page is crawled exactly once, a volatile one (whose text follows
// other pages' titles) exactly VolatileShare times, and no run writes a
// file. A second period does the same again.
func TestRefreshCoversEveryPageOncePerPeriod(t *testing.T) {
	t.Parallel()
	f := small()
	w := newWorld(t, f, emulator.Options{Seed: 21})
	rp := newStore(t)
	const period = 24 * time.Hour
	opts := exporter.Options{RefreshPeriod: period}
	rp.sync(w, opts)
	st := stateOf(t, rp)
	volatile, pages := 0, 0
	for _, o := range st.Objects {
		if o.Kind == layout.KindPage {
			pages++
			if o.Volatile != "" {
				volatile++
			}
		}
	}
	if volatile == 0 || volatile == pages {
		t.Fatalf("%d of %d pages volatile: the test needs some of each", volatile, pages)
	}
	t.Logf("%d pages, %d volatile", pages, volatile)
	for cycle := range 2 {
		mark := len(w.server.Log())
		refreshed, requests, perRun := 0, 0, 0
		for range int(period / time.Hour) {
			w.clock.Advance(time.Hour)
			rep, changed := rp.sync(w, opts)
			if changed {
				t.Fatalf("cycle %d: a refresh of an unchanged workspace changed files", cycle)
			}
			if rep.Refresh.Pages > 0 && rep.Refresh.Requests < rep.Refresh.Pages {
				t.Fatalf("report: %d refresh requests for %d pages", rep.Refresh.Requests, rep.Refresh.Pages)
			}
			refreshed += rep.Refresh.Pages
			requests += rep.Refresh.Requests
			perRun = max(perRun, rep.Refresh.Pages)
		}
		crawls := crawlsSince(w, mark)
		for id, o := range st.Objects {
			if o.Kind != layout.KindPage {
				continue
			}
			want := 1
			if o.Volatile != "" {
				want = exporter.VolatileShare
			}
			if crawls[id] != want {
				t.Errorf("cycle %d: page %s (volatile %q) crawled %d times in a period, want %d", cycle, id, o.Volatile, crawls[id], want)
			}
		}
		if want := pages - volatile + volatile*exporter.VolatileShare; refreshed != want {
			t.Errorf("cycle %d: the reports count %d refreshed pages, want %d", cycle, refreshed, want)
		}
		t.Logf("cycle %d: %d refreshes, %d requests, at most %d pages in one run", cycle, refreshed, requests, perRun)
	}
	// The state of a refreshed, unchanged page is the one its last real
	// crawl left.
	if got := stateOf(t, rp); got.Objects[plainPages(f)[0]].Crawled != st.Objects[plainPages(f)[0]].Crawled {
		t.Errorf("a refreshed unchanged page has a new crawl time in the state")
	}
}

// TestRefreshPeriodZeroRefreshesNothing: with the refresh off, runs of an
// unchanged workspace crawl nothing.
func TestRefreshPeriodZeroRefreshesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t, small(), emulator.Options{Seed: 22})
	rp := newStore(t)
	rp.sync(w, exporter.Options{})
	mark := len(w.server.Log())
	for range 30 {
		w.clock.Advance(24 * time.Hour)
		rep, _ := rp.sync(w, exporter.Options{})
		if rep.Refresh.Pages != 0 || rep.Refresh.Requests != 0 || rep.Pages.Crawled != 0 {
			t.Fatalf("refresh off: %d pages refreshed, %d requests, %d crawled", rep.Refresh.Pages, rep.Refresh.Requests, rep.Pages.Crawled)
		}
	}
	if n := len(crawlsSince(w, mark)); n != 0 {
		t.Fatalf("refresh off: %d pages crawled in 30 days without an edit", n)
	}
}

// TestVolatileRefreshCatchesARenamedMention: a page that mentions another
// reads the other's title as it is now; renaming the other does not touch
// the mentioning page, and the refresh, on the volatile period, catches it.
func TestVolatileRefreshCatchesARenamedMention(t *testing.T) {
	t.Parallel()
	f := small()
	w := newWorld(t, f, emulator.Options{Seed: 23})
	// The holder is neither the target's parent (whose child_page block
	// for it changes with its title) nor its child.
	parent := map[string]string{}
	for _, p := range f.Pages {
		pp, _ := p["parent"].(map[string]any)
		parent[p["id"].(string)], _ = pp["page_id"].(string)
	}
	pages := plainPages(f)
	holder, target := pages[len(pages)-1], ""
	for _, id := range pages {
		if id != holder && parent[id] != holder && parent[holder] != id {
			target = id
		}
	}
	ids, err := w.server.AppendBlocks(holder, map[string]any{"type": "paragraph", "paragraph": map[string]any{
		"rich_text": []any{map[string]any{"type": "mention", "mention": map[string]any{"type": "page", "page": map[string]any{"id": target}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	const period = 40 * time.Hour
	opts := exporter.Options{RefreshPeriod: period}
	rp := newStore(t)
	w.clock.Advance(time.Hour) // the append is long past: no near-edit crawl
	rp.sync(w, opts)
	if v := stateOf(t, rp).Objects[holder].Volatile; v != "mention" {
		t.Fatalf("the mentioning page is marked volatile %q, want mention", v)
	}
	w.clock.Advance(time.Hour)
	if err := w.server.SetTitle(target, "A brand new title"); err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= int(period/exporter.VolatileShare/time.Hour); run++ {
		w.clock.Advance(time.Hour)
		rep, _ := rp.sync(w, opts)
		if strings.Contains(rp.read(layout.BlockPath(holder, ids[0])), "A brand new title") {
			if rep.Refresh.Changed == 0 {
				t.Fatalf("caught after %d hourly runs, but not by the refresh: %+v", run, rep.Pages)
			}
			t.Logf("caught by the refresh after %d hourly runs", run)
			return
		}
	}
	t.Fatalf("the renamed mention was not caught within the volatile period %v", period/exporter.VolatileShare)
}

// TestNearEditCostsOneRecrawl: a page edited shortly before a sync is
// crawled once more after its minute and the safety window have passed,
// not on every sync until then: 50 syncs five seconds apart after one edit
// crawl it twice (the edit, and once after the window).
func TestNearEditCostsOneRecrawl(t *testing.T) {
	t.Parallel()
	f := small()
	w := newWorld(t, f, emulator.Options{Seed: 24})
	page := plainPages(f)[0]
	block := paragraph(t, w.server, page)
	rp := newStore(t)
	rp.sync(w, exporter.Options{})
	w.clock.Advance(time.Hour + 5*time.Second)
	if err := w.server.EditBlock(block, setText("first edit")); err != nil {
		t.Fatal(err)
	}
	mark := len(w.server.Log())
	edited := false
	var requests []int
	settling := 0 // syncs whose report says the page waits for its window
	for i := range 50 {
		w.clock.Advance(5 * time.Second)
		rep, _ := rp.sync(w, exporter.Options{})
		requests = append(requests, rep.Requests.Total)
		if rep.Pages.Settling > 0 {
			settling++
			if !strings.Contains(rep.Summary(), "read again by a sync from") {
				t.Errorf("sync %d carries a page in its edit's minute but the summary does not say so: %s", i, rep.Summary())
			}
		}
		if i == 3 && !edited {
			// A second edit in the same minute, after the first sync saw
			// the first: Notion dates both alike.
			if err := w.server.EditBlock(block, setText("second edit, same minute")); err != nil {
				t.Fatal(err)
			}
			edited = true
		}
	}
	// The first sync crawls the edit at 1h10s; the window closes at
	// 1h3m (the minute plus the 2-minute safety window): the 33 syncs from
	// 1h15s to 1h2m55s carry the page and say when it is read again.
	if settling != 33 {
		t.Errorf("%d syncs reported the page as waiting for its minute's window, want 33", settling)
	}
	crawls := crawlsSince(w, mark)
	if crawls[page] != 2 {
		t.Errorf("the page was crawled %d times over 50 syncs after one edit, want 2", crawls[page])
	}
	// Apart from the two crawls (and the patch of the page's child_page
	// block in its parent after the edit), a sync costs the listing alone.
	least := slices.Min(requests)
	extra := 0
	for _, n := range requests {
		extra += n - least
	}
	t.Logf("requests per sync: %v", requests)
	if perCrawl := requests[0] - least; extra > 3*perCrawl {
		t.Errorf("50 syncs cost %d requests beyond the listing, more than the two crawls and a patch (%d a crawl)", extra, perCrawl)
	}
	if got := rp.read(layout.BlockPath(page, block)); !strings.Contains(got, "second edit, same minute") {
		t.Fatalf("the second edit in the minute was missed:\n%s", got)
	}
}
