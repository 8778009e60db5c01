package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

func TestGeometricSplit(t *testing.T) {
	for _, c := range []struct {
		sizes []int64
		want  int
	}{
		{nil, 0},
		{[]int64{5}, 0},
		{[]int64{1, 2}, 0},
		{[]int64{1, 1}, 2},
		{[]int64{1, 2, 4, 8}, 0},
		{[]int64{1, 1, 4, 100}, 2},
		// 1+1 = 2 is not half of 3: the merged pack takes 3 in, then 5 < 10.
		{[]int64{1, 1, 3, 5, 100}, 4},
		{[]int64{10, 10, 10, 10, 10}, 5},
	} {
		if got := geometricSplit(c.sizes); got != c.want {
			t.Errorf("geometricSplit(%v) = %d, want %d", c.sizes, got, c.want)
		}
	}
}

// TestGeometricPackCountOverAYear runs the merge policy alone over a year of
// hourly syncs at medium size: a first pack of 50,000 objects (about 6 MB)
// and a pack of a few dozen objects (3 to 40 KB) per commit, each merge
// counted as big as its parts (no delta savings, the worst case for the
// count).
func TestGeometricPackCountOverAYear(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	packs := []int64{6 << 20}
	most, merges, full, copied := 0, 0, 0, int64(0)
	for range 8760 {
		packs = append(packs, 3<<10+rng.Int64N(37<<10))
		sortSizes(packs)
		if k := mergeSplit(packs); k >= 2 {
			if k == len(packs) {
				full++
			}
			var sum int64
			for _, s := range packs[:k] {
				sum += s
			}
			merges++
			copied += sum
			packs = append([]int64{sum}, packs[k:]...)
			sortSizes(packs)
		}
		most = max(most, len(packs))
	}
	t.Logf("8,760 commits: at most %d packs, %d at the end; %d merges (%d of every pack) copying %d MB in all", most, len(packs), merges, full, copied>>20)
	if most > 20 {
		t.Errorf("%d packs at one time, want at most 20", most)
	}
}

func sortSizes(s []int64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// syncLike commits edits the way the CLI's commitSync does: the tree hashed
// to see whether anything changed, the state file put, the tree written,
// committed, the branch moved, and the packs maintained.
func syncLike(t testing.TB, r *Repo, puts map[string][]byte, state []byte) (plumbing.Hash, MaintainReport) {
	t.Helper()
	old, _, err := r.Head("main")
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.NewTreeBuilder(old)
	if err != nil {
		t.Fatal(err)
	}
	for p, data := range puts {
		if err := b.Put(p, data); err != nil {
			t.Fatal(err)
		}
	}
	content, err := b.Hash()
	if err != nil {
		t.Fatal(err)
	}
	prevTree, err := r.rootTree(old)
	if err != nil {
		t.Fatal(err)
	}
	if content == prevTree && !old.IsZero() {
		return old, MaintainReport{}
	}
	if err := b.Put(".notion-git/state.json", state); err != nil {
		t.Fatal(err)
	}
	tree, err := b.Write()
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Commit(CommitOptions{Tree: tree, Parents: parentsOf(old),
		Author: Signature{Name: "notion-git", Email: "sync@example.com", When: testWhen}, Message: "sync"})
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
	return c, rep
}

// workspace is a generated tree of page files and a state file whose one
// line per page changes when the page does, as notion-git's does.
type workspace struct {
	rng   *rand.Rand
	pages []string // the content of each page
	stamp []int
}

func newWorkspace(n int) *workspace {
	w := &workspace{rng: rand.New(rand.NewPCG(7, 8))}
	for i := range n {
		w.pages = append(w.pages, fmt.Sprintf("{\"id\": \"page-%04d\", \"text\": %q}\n", i, strings.Repeat(fmt.Sprintf("block %d of page %d. ", w.rng.IntN(1000), i), 20+w.rng.IntN(40))))
		w.stamp = append(w.stamp, 0)
	}
	return w
}

func (w *workspace) path(i int) string {
	return fmt.Sprintf("pages/%02x/page-%04d/page.json", i%64, i)
}

func (w *workspace) all() map[string][]byte {
	m := map[string][]byte{}
	for i, p := range w.pages {
		m[w.path(i)] = []byte(p)
	}
	return m
}

// edit changes k pages: a sentence appended or replaced.
func (w *workspace) edit(k int, run int) map[string][]byte {
	m := map[string][]byte{}
	for range k {
		i := w.rng.IntN(len(w.pages))
		w.pages[i] = strings.TrimSuffix(w.pages[i], "\"}\n") + fmt.Sprintf(" edit %d.\"}\n", run)
		w.stamp[i] = run
		m[w.path(i)] = []byte(w.pages[i])
	}
	return m
}

func (w *workspace) state() []byte {
	var b bytes.Buffer
	for i, s := range w.stamp {
		fmt.Fprintf(&b, "{\"id\": \"page-%04d\", \"crawled\": \"run %d\"}\n", i, s)
	}
	return b.Bytes()
}

// packDirBytes returns the count and total size of the packs.
func packDirBytes(t testing.TB, r *Repo) (int, int64) {
	t.Helper()
	packs, err := listPacks(filepath.Join(r.gitDir, "objects", "pack"))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, p := range packs {
		n += p.size
	}
	return len(packs), n
}

// checkAllObjects reads every object of the repository through go-git, the
// pack reader, and git cat-file, and checks that git sees no garbage and no
// unreachable object.
func checkAllObjects(t testing.TB, r *Repo) {
	t.Helper()
	out := runGit(t, r.GitDir(), "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.packs.reset()
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		hs, typ, _ := strings.Cut(line, " ")
		h := plumbing.NewHash(hs)
		obj, err := r.store.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			t.Fatalf("go-git: %s: %v", h, err)
		}
		if obj.Type().String() != typ {
			t.Fatalf("go-git: %s is a %s, git says %s", h, obj.Type(), typ)
		}
		ot, _, ok, err := r.packs.object(h)
		if err != nil || !ok || ot != obj.Type() {
			t.Fatalf("pack reader: %s: %v %v %v", h, ot, ok, err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no objects")
	}
	if got := runGit(t, r.GitDir(), "fsck", "--strict", "--unreachable", "--no-progress"); strings.TrimSpace(got) != "" {
		t.Errorf("git fsck --unreachable:\n%s", got)
	}
	for _, line := range strings.Split(runGit(t, r.GitDir(), "count-objects", "-v"), "\n") {
		if k, v, _ := strings.Cut(line, ": "); (k == "garbage" || k == "size-garbage") && v != "0" {
			t.Errorf("git count-objects: %s", line)
		}
	}
}

// TestMaintainManyCommits makes commits the way a sync does and checks
// after each that the packs stay few, then that every object reads back
// everywhere, that nothing is unreachable, and what the deltas save.
func TestMaintainManyCommits(t *testing.T) {
	const pages, commits = 400, 150
	run := func(t *testing.T, depth int) (int64, int) {
		old := maxDeltaDepth
		maxDeltaDepth = depth
		defer func() { maxDeltaDepth = old }()
		r := newRepo(t, true)
		w := newWorkspace(pages)
		syncLike(t, r, w.all(), w.state())
		_, first := packDirBytes(t, r)
		most, deltas := 0, 0
		for i := 1; i <= commits; i++ {
			_, rep := syncLike(t, r, w.edit(3, i), w.state())
			deltas += rep.Deltas
			n, _ := packDirBytes(t, r)
			most = max(most, n)
		}
		count, size := packDirBytes(t, r)
		t.Logf("depth %d: first commit %d bytes; after %d more, %d bytes in %d packs (at most %d); %.0f bytes per commit; %d deltas made",
			depth, first, commits, size, count, most, float64(size-first)/commits, deltas)
		if most > 12 {
			t.Errorf("%d packs at one time", most)
		}
		checkAllObjects(t, r)
		return size - first, deltas
	}
	with, deltas := run(t, 50)
	without, _ := run(t, 0)
	t.Logf("growth with deltas %.2f of that without", float64(with)/float64(without))
	if deltas == 0 || with >= without {
		t.Errorf("deltas made %d, growth %d with deltas, %d without", deltas, with, without)
	}
}

// TestHashStoresNothing: Hash answers Write's hash and writes no object.
func TestHashStoresNothing(t *testing.T) {
	r := newRepo(t, true)
	w := newWorkspace(20)
	syncLike(t, r, w.all(), w.state())
	old, _, _ := r.Head("main")
	b, err := r.NewTreeBuilder(old)
	if err != nil {
		t.Fatal(err)
	}
	for p, d := range w.edit(2, 1) {
		if err := b.Put(p, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Delete(w.path(3)); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	before := len(r.pending.objects)
	r.mu.Unlock()
	h, err := b.Hash()
	if err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	after := len(r.pending.objects)
	r.mu.Unlock()
	if after != before {
		t.Errorf("Hash stored %d objects", after-before)
	}
	got, err := b.Write()
	if err != nil || got != h {
		t.Errorf("Write %s, %v; Hash said %s", got, err, h)
	}
	empty, _ := r.NewTreeBuilder(plumbing.ZeroHash)
	if h, err := empty.Hash(); err != nil || h != emptyTree {
		t.Errorf("empty: %s, %v", h, err)
	}
}

// TestMaintainDropsUnreachable: a discarded checkpoint and a failed sync's
// flushed objects go when a merge takes in every pack, and only then.
func TestMaintainDropsUnreachable(t *testing.T) {
	old := pruneGrace
	pruneGrace = 0
	defer func() { pruneGrace = old }()
	r := newRepo(t, true)
	w := newWorkspace(30)
	head, _ := syncLike(t, r, w.all(), w.state())
	// A checkpoint, then discarded.
	b, _ := r.NewTreeBuilder(head)
	b.Put("pages/checkpoint-only.json", []byte("checkpoint\n"))
	tree, _ := b.Write()
	ck, err := r.Commit(CommitOptions{Tree: tree, Parents: []plumbing.Hash{head}, Author: Signature{Name: "n", Email: "n@example.com", When: testWhen}, Message: "checkpoint"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateRef("refs/notion-git/checkpoints/main", plumbing.ZeroHash, ck); err != nil {
		t.Fatal(err)
	}
	// A ref to a blob of its own keeps it: every ref is a root.
	kept := plumbing.ComputeHash(plumbing.BlobObject, []byte("kept by a ref\n"))
	r.writeBlob(kept, []byte("kept by a ref\n"))
	// A failed sync's objects, flushed and never committed.
	lost := plumbing.ComputeHash(plumbing.BlobObject, []byte("lost\n"))
	r.writeBlob(lost, []byte("lost\n"))
	if err := r.flush(); err != nil {
		t.Fatal(err)
	}
	runGit(t, r.GitDir(), "update-ref", "refs/tags/blob", kept.String())
	if err := r.DeleteRef("refs/notion-git/checkpoints/main", ck); err != nil {
		t.Fatal(err)
	}
	rep, err := r.maintain(true)
	if err != nil {
		t.Fatal(err)
	}
	// The checkpoint's commit, root tree, pages/ tree and file; the lost blob.
	if rep.Dropped != 5 {
		t.Errorf("dropped %d objects, want 5: %+v", rep.Dropped, rep)
	}
	r.mu.Lock()
	_, _, okLost, _ := r.packs.object(lost)
	_, _, okKept, _ := r.packs.object(kept)
	r.mu.Unlock()
	if okLost || !okKept {
		t.Errorf("lost blob present %v, blob under a tag present %v", okLost, okKept)
	}
	runGit(t, r.GitDir(), "update-ref", "-d", "refs/tags/blob")
	r.maintain(true)
	checkAllObjects(t, r)
}

// TestMaintainKilled stops a merge at each of its moments and checks, at
// that moment, that another process reads every object; then that the
// failed merge left the packs usable and the next one completes.
func TestMaintainKilled(t *testing.T) {
	for _, fp := range []Failpoint{FailMergeTemp, FailMergeRenamed} {
		t.Run(string(fp), func(t *testing.T) {
			r := newRepo(t, true)
			w := newWorkspace(30)
			syncLike(t, r, w.all(), w.state())
			boom := errors.New("killed")
			hit := false
			r.failpoint = func(p Failpoint) error {
				if p != fp {
					return nil
				}
				hit = true
				// What a kill here leaves: git reads everything.
				fsck(t, r.GitDir())
				runGit(t, r.GitDir(), "cat-file", "--batch-all-objects", "--batch-check")
				// Another writer meanwhile: its pack is not merged, so kept.
				other, err := Open(r.GitDir(), OpenOptions{})
				if err != nil {
					t.Fatal(err)
				}
				commitChange(t, other, map[string]string{"pages/other.json": "other\n"})
				return boom
			}
			for i := 1; !hit && i < 20; i++ {
				_, _, err := syncLikeErr(r, w.edit(2, i), w.state())
				if err != nil && !errors.Is(err, boom) {
					t.Fatal(err)
				}
			}
			if !hit {
				t.Fatal("no merge reached the failpoint")
			}
			r.failpoint = nil
			if _, err := r.maintain(true); err != nil {
				t.Fatal(err)
			}
			s, err := r.Snapshot(mustHead(t, r))
			if err != nil || !s.Has("pages/other.json") {
				t.Fatalf("the other writer's commit: %v", err)
			}
			if n, _ := packDirBytes(t, r); n != 1 {
				t.Errorf("%d packs after a full merge", n)
			}
			leftovers, _ := filepath.Glob(filepath.Join(r.GitDir(), "objects", "pack", "tmp_*"))
			if len(leftovers) != 0 {
				t.Errorf("temporary files left: %q", leftovers)
			}
			checkAllObjects(t, r)
		})
	}
}

func mustHead(t testing.TB, r *Repo) plumbing.Hash {
	t.Helper()
	h, _, err := r.Head("main")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// syncLikeErr is syncLike returning Maintain's error instead of failing.
func syncLikeErr(r *Repo, puts map[string][]byte, state []byte) (plumbing.Hash, MaintainReport, error) {
	old, _, err := r.Head("main")
	if err != nil {
		return old, MaintainReport{}, err
	}
	b, err := r.NewTreeBuilder(old)
	if err != nil {
		return old, MaintainReport{}, err
	}
	for p, data := range puts {
		b.Put(p, data)
	}
	b.Put(".notion-git/state.json", state)
	tree, err := b.Write()
	if err != nil {
		return old, MaintainReport{}, err
	}
	c, err := r.Commit(CommitOptions{Tree: tree, Parents: parentsOf(old),
		Author: Signature{Name: "notion-git", Email: "sync@example.com", When: testWhen}, Message: "sync"})
	if err != nil {
		return old, MaintainReport{}, err
	}
	if err := r.UpdateBranch("main", old, c); err != nil {
		return old, MaintainReport{}, err
	}
	rep, err := r.Maintain()
	return c, rep, err
}

// TestMaintainReadsGitPacks merges packs git wrote with its own deltas
// (git repack -adf) together with notion-git's, and reads everything back.
func TestMaintainReadsGitPacks(t *testing.T) {
	r := newRepo(t, true)
	w := newWorkspace(60)
	syncLike(t, r, w.all(), w.state())
	for i := 1; i < 10; i++ {
		syncLike(t, r, w.edit(5, i), w.state())
	}
	runGit(t, r.GitDir(), "repack", "-adf", "--depth=50", "--window=50")
	for i := 10; i < 14; i++ {
		syncLike(t, r, w.edit(5, i), w.state())
	}
	if _, err := r.maintain(true); err != nil {
		t.Fatal(err)
	}
	checkAllObjects(t, r)
	if _, err := os.Stat(filepath.Join(r.GitDir(), "objects", "pack")); err != nil {
		t.Fatal(err)
	}
}

// TestMaintainLargeOffsets writes a merged pack whose index needs its table
// of 64-bit offsets (the threshold lowered from 2 GiB so that a small pack
// crosses it), merges it again with packs written since, and has git and
// both readers read every object.
func TestMaintainLargeOffsets(t *testing.T) {
	defer func(v int64) { idxLargeOffset = v }(idxLargeOffset)
	idxLargeOffset = 4 << 10
	r := newRepo(t, true)
	w := newWorkspace(60)
	syncLike(t, r, w.all(), w.state())
	for i := 1; i < 4; i++ {
		syncLike(t, r, w.edit(5, i), w.state())
	}
	if _, err := r.maintain(true); err != nil {
		t.Fatal(err)
	}
	packs, err := listPacks(filepath.Join(r.gitDir, "objects", "pack"))
	if err != nil || len(packs) != 1 {
		t.Fatalf("%d packs, %v", len(packs), err)
	}
	idx, err := os.ReadFile(packs[0].base + ".idx")
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parsePackIndex(idx)
	if err != nil {
		t.Fatal(err)
	}
	large := 0
	for _, off := range pf.offs {
		if off > idxLargeOffset {
			large++
		}
	}
	if n := len(pf.offs); large == 0 || len(idx) != 8+256*4+n*28+large*8+40 {
		t.Fatalf("index of %d bytes for %d objects, %d past the threshold", len(idx), n, large)
	}
	runGit(t, r.GitDir(), "verify-pack", packs[0].base+".idx")
	checkAllObjects(t, r)
	for i := 4; i < 8; i++ {
		syncLike(t, r, w.edit(5, i), w.state())
	}
	if _, err := r.maintain(true); err != nil {
		t.Fatal(err)
	}
	checkAllObjects(t, r)
}

// TestMaintainObjectsInTwoPacks merges packs that hold the same objects
// stored differently (notion-git's, with the newest version whole, and
// git's own repack of everything, with its deltas): every object is
// written once, and everything reads back.
func TestMaintainObjectsInTwoPacks(t *testing.T) {
	r := newRepo(t, true)
	w := newWorkspace(60)
	syncLike(t, r, w.all(), w.state())
	for i := 1; i < 10; i++ {
		syncLike(t, r, w.edit(5, i), w.state())
	}
	if _, err := r.maintain(true); err != nil {
		t.Fatal(err)
	}
	runGit(t, r.GitDir(), "repack", "-a", "-f", "--depth=50", "--window=50")
	unique := len(strings.Fields(runGit(t, r.GitDir(), "cat-file", "--batch-all-objects", "--batch-check=%(objectname)")))
	if n, _ := packDirBytes(t, r); n != 2 {
		t.Fatalf("%d packs before the merge, want the two copies", n)
	}
	rep, err := r.maintain(true)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Objects != unique || rep.Dropped != 0 {
		t.Errorf("merged %d objects and dropped %d, want the %d there are", rep.Objects, rep.Dropped, unique)
	}
	checkAllObjects(t, r)
}

// BenchmarkMaintainYear makes a medium workspace's history of hourly syncs
// (about 50,000 files in the first commit, three edited pages and the state
// file each later one) through the sync's path, Maintain after each commit,
// and reports the most packs seen at once, the bytes each commit added,
// and the time and heap of merging everything at the end.
// NOTION_GIT_BENCH_COMMITS sets the number of commits (8,760 for a year).
func BenchmarkMaintainYear(b *testing.B) {
	commits := 500
	if s := os.Getenv("NOTION_GIT_BENCH_COMMITS"); s != "" {
		fmt.Sscan(s, &commits)
	}
	for range b.N {
		r := newRepo(b, true)
		w := newWorkspace(2000)
		files := w.all()
		for i := range 48_000 { // the blocks: small files never edited here
			files[fmt.Sprintf("pages/%02x/page-%04d/blocks/b%06d.json", i%64, i%2000, i)] = []byte(fmt.Sprintf("{\"id\": \"b%06d\", \"type\": \"paragraph\", \"text\": \"block %d\"}\n", i, i))
		}
		syncLike(b, r, files, w.state())
		_, first := packDirBytes(b, r)
		most, full := 0, 0
		for i := 1; i <= commits; i++ {
			_, rep := syncLike(b, r, w.edit(3, i), w.state())
			if rep.Merged > 0 && rep.Merged == rep.Packs {
				full++ // every pack merged, the first one included
			}
			n, _ := packDirBytes(b, r)
			most = max(most, n)
		}
		n, size := packDirBytes(b, r)
		var rep MaintainReport
		var err error
		var took time.Duration
		before, peak := heapPeak(func() {
			start := time.Now()
			rep, err = r.maintain(true)
			took = time.Since(start)
		})
		if err != nil {
			b.Fatal(err)
		}
		_, after := packDirBytes(b, r)
		b.Logf("%d commits: first pack %d bytes; then %d bytes in %d packs (at most %d at once, %d merges of every pack), %.0f bytes per commit; full merge of %d objects (%d deltas made) in %v, heap %d MB before, %d MB at peak; %d bytes after",
			commits, first, size, n, most, full, float64(size-first)/float64(commits), rep.Objects, rep.Deltas, took.Round(time.Millisecond), before>>20, peak>>20, after)
		b.ReportMetric(float64(most), "max-packs")
		b.ReportMetric(float64(size-first)/float64(commits), "bytes/commit")
	}
}

// heapPeak runs f and returns the heap in use before it and at its peak,
// sampled every 2 ms. With NOTION_GIT_BENCH_HEAPPROFILE=PREFIX set, it
// writes PREFIX.before and PREFIX.after heap profiles, whose difference
// (go tool pprof -base) is what f allocated.
func heapPeak(f func()) (before, peak uint64) {
	prof := os.Getenv("NOTION_GIT_BENCH_HEAPPROFILE")
	writeProf := func(suffix string) {
		if prof == "" {
			return
		}
		if out, err := os.Create(prof + suffix); err == nil {
			pprof.WriteHeapProfile(out)
			out.Close()
		}
	}
	runtime.GC()
	writeProf(".before")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before = ms.HeapInuse
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	<-done
	if prof != "" {
		runtime.GC() // a heap profile tells what the last collection saw
	}
	writeProf(".after")
	return before, peak
}

// BenchmarkMaintainFirstSyncLarge makes the repository of a large
// workspace's first sync (10,278 pages of 24 blocks: about 247,000 files
// and 20,000 trees, written in packs of at most 32 MiB or 64k objects) and
// merges all its packs with the reachability walk, as the first Maintain
// after such a sync does. NOTION_GIT_BENCH_PAGES sets the page count.
func BenchmarkMaintainFirstSyncLarge(b *testing.B) {
	pages := 10_278
	if s := os.Getenv("NOTION_GIT_BENCH_PAGES"); s != "" {
		fmt.Sscan(s, &pages)
	}
	for range b.N {
		b.StopTimer()
		r := newRepo(b, true)
		tb, err := r.NewTreeBuilder(plumbing.ZeroHash)
		if err != nil {
			b.Fatal(err)
		}
		for p := range pages {
			dir := fmt.Sprintf("pages/%08x-0000-4000-8000-%012x", p*2654435761%(1<<32), p)
			tb.Put(dir+"/page.json", []byte(fmt.Sprintf("{\"object\": \"page\", \"id\": \"%d\", \"title\": \"Page %d\", \"properties\": {}}\n", p, p)))
			for k := range 24 {
				tb.Put(fmt.Sprintf("%s/blocks/%08x-%04x.json", dir, p, k), []byte(fmt.Sprintf("{\"id\": \"%d-%d\", \"type\": \"paragraph\", \"paragraph\": {\"rich_text\": [{\"plain_text\": \"block %d of page %d\"}]}}\n", p, k, k, p)))
			}
		}
		tb.Put(".notion-git/state.json", bytes.Repeat([]byte("{\"pages\": {}}\n"), 1000))
		tree, err := tb.Write()
		if err != nil {
			b.Fatal(err)
		}
		tb = nil
		c, err := r.Commit(CommitOptions{Tree: tree, Author: Signature{Name: "notion-git", Email: "sync@example.com", When: testWhen}, Message: "sync"})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.UpdateBranch("main", plumbing.ZeroHash, c); err != nil {
			b.Fatal(err)
		}
		if err := r.flush(); err != nil {
			b.Fatal(err)
		}
		n, size := packDirBytes(b, r)
		var rep MaintainReport
		var took time.Duration
		b.StartTimer()
		before, peak := heapPeak(func() {
			start := time.Now()
			rep, err = r.maintain(true)
			took = time.Since(start)
		})
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%d pages: %d bytes in %d packs; full merge of %d objects in %v, heap %d MB before, %d MB at peak (%.0f bytes per object)",
			pages, size, n, rep.Objects, took.Round(time.Millisecond), before>>20, peak>>20, float64(peak-before)/float64(rep.Objects))
		b.ReportMetric(float64(peak-before)/float64(rep.Objects), "heap-B/object")
	}
}

// BenchmarkMaintainRepo merges every pack of the repository at
// NOTION_GIT_BENCH_REPO (a scratch copy: it is changed), for figures on a
// real sync's repository, and reports the heap at its peak and the
// process's peak resident size. Skipped without the variable.
func BenchmarkMaintainRepo(b *testing.B) {
	dir := os.Getenv("NOTION_GIT_BENCH_REPO")
	if dir == "" {
		b.Skip("NOTION_GIT_BENCH_REPO not set")
	}
	defer func(g time.Duration) { pruneGrace = g }(pruneGrace)
	pruneGrace = 0
	for range b.N {
		r, err := Open(dir, OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n, size := packDirBytes(b, r)
		derived := 0
		if os.Getenv("NOTION_GIT_BENCH_HISTORY_PAIRS") != "" {
			derived = addHistoryPairs(b, r)
		}
		var rep MaintainReport
		var took time.Duration
		before, peak := heapPeak(func() {
			start := time.Now()
			rep, err = r.maintain(true)
			took = time.Since(start)
		})
		if err != nil {
			b.Fatal(err)
		}
		_, after := packDirBytes(b, r)
		b.Logf("%d bytes in %d packs (%d pairs derived from history): merge of %d objects (%d deltas made, %d dropped) in %v, heap %d MB before, %d MB at peak; process peak RSS %d MB; %d bytes after",
			size, n, derived, rep.Objects, rep.Deltas, rep.Dropped, took.Round(time.Millisecond), before>>20, peak>>20, maxRSS()>>20, after)
	}
}

// addHistoryPairs derives the pairs of every commit reachable from the
// references against its parents (each changed file and folder against its
// version in the parent), as the tree builder records them now, and adds
// them to the largest pack's: for measuring what a merge makes of a
// repository written before the builder recorded them all. It returns how
// many it added.
func addHistoryPairs(t testing.TB, r *Repo) int {
	t.Helper()
	seen := map[plumbing.Hash]bool{}
	done := map[[2]plumbing.Hash]bool{}
	var pairs []deltaPair
	var walk func(a, b plumbing.Hash) // a the parent's tree, b the child's
	walk = func(a, b plumbing.Hash) {
		if a == b || done[[2]plumbing.Hash{a, b}] {
			return
		}
		done[[2]plumbing.Hash{a, b}] = true
		pairs = append(pairs, deltaPair{newer: b, older: a})
		ea, err := r.treeEntries(a)
		if err != nil {
			t.Fatal(err)
		}
		eb, err := r.treeEntries(b)
		if err != nil {
			t.Fatal(err)
		}
		for name, y := range eb {
			x, ok := ea[name]
			switch {
			case !ok || x.Hash == y.Hash:
			case x.Mode == filemode.Dir && y.Mode == filemode.Dir:
				walk(x.Hash, y.Hash)
			case x.Mode != filemode.Dir && y.Mode != filemode.Dir && x.Mode != filemode.Submodule && y.Mode != filemode.Submodule:
				pairs = append(pairs, deltaPair{newer: y.Hash, older: x.Hash})
			}
		}
	}
	stack := r.refRoots()
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[h] {
			continue
		}
		seen[h] = true
		c, err := r.readCommit(h)
		if err != nil {
			continue // a word that only looks like a hash, or not a commit
		}
		for _, p := range c.ParentHashes {
			pc, err := r.readCommit(p)
			if err != nil {
				t.Fatal(err)
			}
			walk(pc.TreeHash, c.TreeHash)
			stack = append(stack, p)
		}
	}
	packs, err := listPacks(filepath.Join(r.gitDir, "objects", "pack"))
	if err != nil || len(packs) == 0 {
		t.Fatal(err)
	}
	last := packs[len(packs)-1].sum
	all := append(readPairs(r.gitDir, last), pairs...)
	os.Remove(pairsPath(r.gitDir, last))
	if err := writePairs(r.gitDir, last, all); err != nil {
		t.Fatal(err)
	}
	return len(pairs)
}

// maxRSS returns the process's peak resident size (VmHWM, Linux), 0 where
// it cannot be read.
func maxRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb uint64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb)
			return kb << 10
		}
	}
	return 0
}
