package gitrepo

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// siteWorkspace is a workspace laid out as notion-git lays one out: a flat
// pages/ folder of one subfolder per page (page.json, README.md, blocks/
// with a file per block), and the sync state in shards by id prefix
// (.notion-git/state/XX.json) under a small header that every sync
// rewrites. An hourly sync edits a few pages: the exporter writes each
// changed page again from scratch (DeleteDir, then every file put), with
// a new block, a new last_edited_time in page.json and a line more in
// README.md, and rewrites the state shard of each.
type siteWorkspace struct {
	rng    *rand.Rand
	ids    []string
	blocks [][]string // block ids of each page, in order
	lines  [][]string // README.md lines of each page
	edited []int      // sync of each page's last edit
	run    int
}

func newSiteWorkspace(pages, blocksPerPage int) *siteWorkspace {
	w := &siteWorkspace{rng: rand.New(rand.NewPCG(12, 34))}
	for i := range pages {
		w.ids = append(w.ids, w.uuid())
		var bs, ls []string
		for k := range blocksPerPage {
			bs = append(bs, w.uuid())
			ls = append(ls, fmt.Sprintf("Paragraph %d of page %d: %s", k, i, w.words(8)))
		}
		w.blocks = append(w.blocks, bs)
		w.lines = append(w.lines, ls)
		w.edited = append(w.edited, 0)
	}
	return w
}

func (w *siteWorkspace) uuid() string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", w.rng.Uint32(), w.rng.Uint32()&0xffff, w.rng.Uint32()&0xfff, w.rng.Uint32()&0xfff, w.rng.Uint64()&0xffffffffffff)
}

func (w *siteWorkspace) words(n int) string {
	vocab := []string{"notes", "meeting", "plan", "review", "draft", "budget", "team", "launch", "design", "api", "sync", "backup", "week", "goal", "risk"}
	ws := make([]string, n)
	for i := range ws {
		ws[i] = vocab[w.rng.IntN(len(vocab))]
	}
	return strings.Join(ws, " ")
}

func (w *siteWorkspace) dir(i int) string { return "pages/" + w.ids[i] }

func (w *siteWorkspace) block(i, k int) []byte {
	return fmt.Appendf(nil, "{\n  \"object\": \"block\",\n  \"id\": %q,\n  \"parent\": {\"type\": \"page_id\", \"page_id\": %q},\n  \"created_time\": \"2025-01-0%dT10:00:00.000Z\",\n  \"type\": \"paragraph\",\n  \"paragraph\": {\"rich_text\": [{\"type\": \"text\", \"plain_text\": %q}]}\n}\n",
		w.blocks[i][k], w.ids[i], 1+k%9, w.lines[i][k])
}

// pageFiles returns every file of page i's folder.
func (w *siteWorkspace) pageFiles(i int) map[string][]byte {
	d := w.dir(i)
	m := map[string][]byte{}
	var children strings.Builder
	for k, id := range w.blocks[i] {
		m[d+"/blocks/"+id+".json"] = w.block(i, k)
		fmt.Fprintf(&children, "    %q,\n", id)
	}
	m[d+"/page.json"] = fmt.Appendf(nil, "{\n  \"object\": \"page\",\n  \"id\": %q,\n  \"created_time\": \"2025-01-01T10:00:00.000Z\",\n  \"last_edited_time\": \"2025-06-01T%02d:%02d:00.000Z\",\n  \"properties\": {\"title\": {\"id\": \"title\", \"type\": \"title\", \"title\": [{\"plain_text\": \"Page %d\"}]}},\n  \"children\": [\n%s  ]\n}\n",
		w.ids[i], w.edited[i]/60%24, w.edited[i]%60, i, children.String())
	m[d+"/README.md"] = []byte("# Page " + fmt.Sprint(i) + "\n\n" + strings.Join(w.lines[i], "\n\n") + "\n")
	return m
}

func (w *siteWorkspace) shard(id string) string { return ".notion-git/state/" + id[:2] + ".json" }

// shardFile returns the state shard holding the pages whose ids begin as id does.
func (w *siteWorkspace) shardFile(prefix string) []byte {
	var b strings.Builder
	b.WriteString("{\n  \"objects\": {\n")
	for i, id := range w.ids {
		if strings.HasPrefix(id, prefix) {
			fmt.Fprintf(&b, "    %q: {\"kind\": \"page\", \"last_edited\": \"run %d\", \"crawled\": \"run %d\", \"digest\": \"%016x\", \"title\": \"Page %d\"},\n", id, w.edited[i], w.edited[i], w.edited[i]*7919+i, i)
		}
	}
	b.WriteString("  }\n}\n")
	return []byte(b.String())
}

func (w *siteWorkspace) header() []byte {
	return fmt.Appendf(nil, "{\"format\": 2, \"last_sync\": \"run %d\"}\n", w.run)
}

// siteSync commits one sync the CLI's way: the tree builder on the branch
// tip, the changed pages written again from scratch, the state shards and
// header put, the commit, the branch moved, Maintain.
func siteSync(t testing.TB, r *Repo, w *siteWorkspace, pages []int) MaintainReport {
	t.Helper()
	old, _, err := r.Head("main")
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.NewTreeBuilder(old)
	if err != nil {
		t.Fatal(err)
	}
	shards := map[string]bool{}
	for _, i := range pages {
		if err := b.DeleteDir(w.dir(i)); err != nil {
			t.Fatal(err)
		}
		for p, data := range w.pageFiles(i) {
			if err := b.Put(p, data); err != nil {
				t.Fatal(err)
			}
		}
		shards[w.ids[i][:2]] = true
	}
	for s := range shards {
		if err := b.Put(w.shard(s), w.shardFile(s)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Put(".notion-git/state.json", w.header()); err != nil {
		t.Fatal(err)
	}
	tree, err := b.Write()
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Commit(CommitOptions{Tree: tree, Parents: parentsOf(old),
		Author:  Signature{Name: "notion-git", Email: "sync@example.com", When: testWhen},
		Message: fmt.Sprintf("Sync Notion: 0 added, %d changed, 0 removed\n\nRun %d.\n", len(pages), w.run)})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateBranch("main", old, c); err != nil {
		t.Fatal(err)
	}
	rep, err := r.Maintain()
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// firstSiteSync writes every page and shard.
func firstSiteSync(t testing.TB, r *Repo, w *siteWorkspace) {
	t.Helper()
	all := make([]int, len(w.ids))
	for i := range all {
		all[i] = i
	}
	siteSync(t, r, w, all)
	// Shards of prefixes no page was listed under do not exist; the
	// others are all written by now.
}

// editSite edits k random pages: a new block at the end, a new edit time.
func (w *siteWorkspace) editSite(k int) []int {
	w.run++
	var pages []int
	for range k {
		i := w.rng.IntN(len(w.ids))
		w.blocks[i] = append(w.blocks[i], w.uuid())
		w.lines[i] = append(w.lines[i], fmt.Sprintf("Added in run %d: %s", w.run, w.words(6)))
		w.edited[i] = w.run
		pages = append(pages, i)
	}
	return pages
}

// growth runs syncs hourly syncs of 3 page edits on a workspace of the
// given size after its first sync, and returns the bytes of the packs
// after the first sync, after the syncs as maintained, and after a merge
// of everything.
func siteGrowth(t testing.TB, pages, blocks, syncs int) (first, maintained, merged int64, most int, rep MaintainReport) {
	r := newRepo(t, true)
	w := newSiteWorkspace(pages, blocks)
	firstSiteSync(t, r, w)
	_, first = packDirBytes(t, r)
	for range syncs {
		siteSync(t, r, w, w.editSite(3))
		n, _ := packDirBytes(t, r)
		most = max(most, n)
	}
	_, maintained = packDirBytes(t, r)
	rep, err := r.maintain(true)
	if err != nil {
		t.Fatal(err)
	}
	_, merged = packDirBytes(t, r)
	return first, maintained, merged, most, rep
}

// TestMaintainGrowthFollowsChange: a sync that edits three pages of a
// flat folder of pages costs the repository, once its packs are merged,
// what changed (a new block file each, deltas of the rest), not whole new
// copies of the files and folders of the pages it wrote again.
func TestMaintainGrowthFollowsChange(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 60 commits of a 500-page workspace")
	}
	const syncs = 60
	first, maintained, merged, most, rep := siteGrowth(t, 500, 12, syncs)
	perSync := float64(merged-first) / syncs
	t.Logf("first sync %d bytes; %d syncs: %d bytes as maintained (%.0f a sync, at most %d packs), %d after merging everything (%.0f a sync; %d objects, %d deltas made)",
		first, syncs, maintained, float64(maintained-first)/syncs, most, merged, perSync, rep.Objects, rep.Deltas)
	// What a sync of three page edits adds for good: three new block
	// files and a commit (about 2 KB), and the deltas of some 25 older
	// versions against newer ones (a few KB). Whole copies of the edited
	// pages' files and folders, of the 500-entry pages/ tree and of the
	// state shards would be over 20 KB.
	if perSync > 4500 {
		t.Errorf("%.0f bytes a sync once merged, want at most 4500", perSync)
	}
}

// BenchmarkMaintainSiteYear is TestMaintainGrowthFollowsChange at medium
// size (2,000 pages of 24 blocks), NOTION_GIT_BENCH_COMMITS syncs (500 by
// default), and reports the bytes a sync adds as maintained and after a
// merge of everything.
func BenchmarkMaintainSiteYear(b *testing.B) {
	syncs := 500
	if s := os.Getenv("NOTION_GIT_BENCH_COMMITS"); s != "" {
		fmt.Sscan(s, &syncs)
	}
	for range b.N {
		first, maintained, merged, most, rep := siteGrowth(b, 2000, 24, syncs)
		b.Logf("first sync %d bytes; %d syncs: %d bytes as maintained (%.0f a sync, at most %d packs), %d after merging everything (%.0f a sync; %d objects, %d deltas made)",
			first, syncs, maintained, float64(maintained-first)/float64(syncs), most, merged, float64(merged-first)/float64(syncs), rep.Objects, rep.Deltas)
		b.ReportMetric(float64(merged-first)/float64(syncs), "merged-B/sync")
		b.ReportMetric(float64(maintained-first)/float64(syncs), "B/sync")
	}
}
