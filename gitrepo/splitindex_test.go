package gitrepo

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// splitAlways makes every index a split one for the test.
func splitAlways(t *testing.T) {
	t.Helper()
	n := splitIndexMinEntries
	t.Cleanup(func() { splitIndexMinEntries = n })
	splitIndexMinEntries = 0
}

// sharedIndexes returns the names of the shared indexes in the git directory.
func sharedIndexes(t *testing.T, r *Repo) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(r.GitDir(), sharedIndexPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// splitState reads .git/index and returns the shared index it names and
// the number of entries it holds itself; "" if it is not split.
func splitState(t *testing.T, r *Repo) (string, int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(r.GitDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	x, err := parseRawIndex(data)
	if err != nil {
		t.Fatal(err)
	}
	if x.link == nil {
		return "", x.len()
	}
	s, err := r.openSplitIndex(x)
	if err != nil {
		t.Fatal(err)
	}
	return sharedIndexPrefix + s.sum.String(), x.len()
}

// checkWithGit has git read the index every way a person would.
func checkWithGit(t *testing.T, r *Repo) {
	t.Helper()
	indexMatchesHead(t, r)
	runGit(t, r.WorkDir(), "diff", "--exit-code", "--quiet")
	runGit(t, r.WorkDir(), "diff", "--cached", "--exit-code", "--quiet")
	fsck(t, r.GitDir())
}

// A refresh writes a split index that git reads, edits it against the same
// shared index while the changes stay small, and writes a new shared index
// when they pass splitIndex.maxPercentChange.
func TestSplitIndex(t *testing.T) {
	splitAlways(t)
	defer func(g time.Duration) { sharedIndexGrace = g }(sharedIndexGrace)
	sharedIndexGrace = 0
	r := newRepo(t, false)
	files := map[string]string{}
	for _, p := range []string{"a.json", "b/c.json", "b/d.json", "e.json", longPath} {
		files[p] = p + "\n"
	}
	for i := range 40 {
		files["pages/p"+string(rune('a'+i%26))+"/"+strings.Repeat("x", i)+".json"] = "v0\n"
	}
	commitChange(t, r, files)
	shared, own := splitState(t, r)
	if shared == "" || own != 0 {
		t.Fatalf("first index: shared %q, %d entries of its own; want split and empty", shared, own)
	}
	checkWithGit(t, r)

	// Small changes stay in .git/index: one replaced, one deleted, one added.
	commitChange(t, r, map[string]string{"a.json": "a2\n", "b/new.json": "new\n"}, "e.json")
	if s, own := splitState(t, r); s != shared || own != 2 {
		t.Errorf("after a small change: shared %q, %d entries of its own; want %q and 2", s, own, shared)
	}
	checkWithGit(t, r)
	// A path deleted comes back; a file becomes a folder.
	commitChange(t, r, map[string]string{"e.json": "e again\n", "b/c.json/inner.json": "in\n"}, "b/c.json")
	if s, _ := splitState(t, r); s != shared {
		t.Errorf("shared index replaced after a small change")
	}
	checkWithGit(t, r)

	// A large change writes a new shared index; the old one goes once
	// unused for the grace (zero here).
	big := map[string]string{}
	for p := range files {
		if strings.HasPrefix(p, "pages/") {
			big[p] = "v1\n"
		}
	}
	commitChange(t, r, big)
	s2, own := splitState(t, r)
	if s2 == shared || own != 0 {
		t.Errorf("after a large change: shared %q (was %q), %d entries of its own", s2, shared, own)
	}
	if got := sharedIndexes(t, r); !slices.Equal(got, []string{s2}) {
		t.Errorf("shared indexes %v, want only %s", got, s2)
	}
	checkWithGit(t, r)

	// git writes the index its own ways: whole, and split with its own
	// shared index and extensions; the next refresh reads either.
	runGit(t, r.WorkDir(), "update-index", "--no-split-index")
	if s, _ := splitState(t, r); s != "" {
		t.Fatalf("git left the index split")
	}
	commitChange(t, r, map[string]string{"a.json": "a3\n"})
	checkWithGit(t, r)
	runGit(t, r.WorkDir(), "update-index", "--split-index")
	runGit(t, r.WorkDir(), "commit", "-q", "--allow-empty", "-m", "by hand")
	os.WriteFile(filepath.Join(r.WorkDir(), "untracked.txt"), []byte("u\n"), 0o644)
	runGit(t, r.WorkDir(), "status", "--porcelain")
	commitChange(t, r, map[string]string{"a.json": "a4\n", "zz.json": "zz\n"})
	os.Remove(filepath.Join(r.WorkDir(), "untracked.txt"))
	checkWithGit(t, r)
}

// core.splitIndex=false keeps the index whole, however large.
func TestSplitIndexConfigFalse(t *testing.T) {
	splitAlways(t)
	r := newRepo(t, false)
	runGit(t, r.WorkDir(), "config", "core.splitIndex", "false")
	commitChange(t, r, map[string]string{"a.json": "a\n", "b.json": "b\n"})
	if s, _ := splitState(t, r); s != "" {
		t.Errorf("index split against core.splitIndex=false")
	}
	checkWithGit(t, r)
}

// Stopped between the shared index and .git/index, the refresh leaves the
// old index, which git reads, and the next refresh completes.
func TestSplitIndexKilledBetweenFiles(t *testing.T) {
	splitAlways(t)
	r := newRepo(t, false)
	runGit(t, r.WorkDir(), "config", "splitIndex.maxPercentChange", "0") // a new shared index each time
	commitChange(t, r, map[string]string{"a.json": "a\n", "b.json": "b\n"})
	before, _ := splitState(t, r)
	stop := errors.New("killed")
	r.failpoint = func(p Failpoint) error {
		if p == FailSharedIndexWritten {
			return stop
		}
		return nil
	}
	old, _, _ := r.Head("main")
	b, _ := r.NewTreeBuilder(old)
	b.Put("a.json", []byte("a2\n"))
	tree, _ := b.Write()
	c, err := r.Commit(CommitOptions{Tree: tree, Parents: parentsOf(old), Author: Signature{Name: "a", Email: "a@example.com"}, Message: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateBranch("main", old, c); err != nil {
		t.Fatal(err)
	}
	if err := r.RefreshWorktree(old, c, nil); !errors.Is(err, stop) {
		t.Fatalf("refresh: %v, want it stopped", err)
	}
	r.failpoint = nil
	if s, _ := splitState(t, r); s != before {
		t.Errorf(".git/index names %s, want the old %s", s, before)
	}
	if len(sharedIndexes(t, r)) != 2 {
		t.Errorf("shared indexes %v, want the old and the new", sharedIndexes(t, r))
	}
	// git reads the old index: a.json is the old version's, modified.
	if got := runGit(t, r.WorkDir(), "ls-files", "-s", "a.json"); !strings.Contains(got, "a.json") {
		t.Errorf("git ls-files: %q", got)
	}
	if err := r.RefreshWorktree(old, c, nil); err != nil {
		t.Fatal(err)
	}
	checkWithGit(t, r)
}

func TestEWAH(t *testing.T) {
	for _, bits := range [][]uint32{nil, {0}, {63}, {64}, {0, 1, 2, 200, 201, 5000}, {1 << 20}} {
		b := appendEWAH(nil, bits)
		got, n, err := readEWAH(b, 1<<21)
		if err != nil || n != len(b) || !slices.Equal(got, bits) {
			t.Errorf("%v: read back %v, %d of %d bytes, %v", bits, got, n, len(b), err)
		}
	}
	if _, _, err := readEWAH(appendEWAH(nil, []uint32{10}), 10); err == nil {
		t.Error("a bit past the limit was accepted")
	}
}

// FuzzEWAH feeds damaged bitmaps to the reader: it refuses them or reads
// positions below the limit that write back to the same positions.
func FuzzEWAH(f *testing.F) {
	f.Add(appendEWAH(nil, []uint32{0, 3, 64, 1000}))
	f.Add(appendEWAH(nil, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		bits, n, err := readEWAH(b, 1<<16)
		if err != nil {
			return
		}
		if n > len(b) {
			t.Fatalf("took %d of %d bytes", n, len(b))
		}
		for i, p := range bits {
			if p >= 1<<16 || (i > 0 && bits[i-1] >= p) {
				t.Fatalf("positions %v", bits)
			}
		}
		again, _, err := readEWAH(appendEWAH(nil, bits), 1<<16)
		if err != nil || !slices.Equal(again, bits) {
			t.Fatalf("rewritten: %v, %v; want %v", again, err, bits)
		}
	})
}

// A split index git wrote, with entries replaced, deleted and added, reads
// as git lists it.
func TestSplitIndexReadsGits(t *testing.T) {
	r := newRepo(t, false)
	files := map[string]string{}
	for i := range 200 {
		files["f/"+strings.Repeat("n", i%50)+string(rune('a'+i/50))+".json"] = "v\n"
	}
	commitChange(t, r, files)
	dir := r.WorkDir()
	runGit(t, dir, "config", "splitIndex.maxPercentChange", "100")
	runGit(t, dir, "update-index", "--split-index")
	os.WriteFile(filepath.Join(dir, "f", "a.json"), []byte("changed\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "f", "new.json"), []byte("new\n"), 0o644)
	runGit(t, dir, "add", "f/a.json", "f/new.json")
	runGit(t, dir, "rm", "-q", "--cached", "f/nnnb.json")
	idx, err := r.readIndex()
	if err != nil {
		t.Fatal(err)
	}
	s, ok := idx.(*splitIndex)
	if !ok || len(s.deleted) != 1 || len(s.replaced) == 0 || len(s.added) != 1 {
		t.Fatalf("read %T (%d deleted, %d replaced, %d added); want git's split index with one entry deleted, one added and some replaced", idx, len(s.deleted), len(s.replaced), len(s.added))
	}
	var paths []string
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(runGit(t, dir, "ls-files", "-s")), "\n") {
		meta, path, _ := strings.Cut(line, "\t")
		paths = append(paths, path)
		want[path] = strings.Fields(meta)[1]
	}
	paths = append(paths, "f/nnnb.json")
	slices.Sort(paths)
	if err := idx.prefetch(paths); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		es := idx.entries(p)
		switch {
		case want[p] == "" && len(es) != 0:
			t.Errorf("%s: %d entries, want none", p, len(es))
		case want[p] != "" && (len(es) != 1 || es[0].Hash.String() != want[p]):
			t.Errorf("%s: %v, want %s", p, es, want[p])
		}
	}
	runGit(t, dir, "reset", "-q", "--hard")
	os.Remove(filepath.Join(dir, "f", "new.json"))
}

// A damaged shared index fails the refresh with its name, before any file
// is written; it is never read as an index without the damaged entries.
func TestSplitIndexDamagedShared(t *testing.T) {
	splitAlways(t)
	r := newRepo(t, false)
	commitChange(t, r, map[string]string{"a.json": "a\n", "b.json": "b\n"})
	shared, _ := splitState(t, r)
	p := filepath.Join(r.GitDir(), shared)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data[indexHeaderSize+entryFixedSize] ^= 1 // a byte of the first path
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	old, _, _ := r.Head("main")
	b, _ := r.NewTreeBuilder(old)
	b.Put("b.json", []byte("b2\n"))
	tree, _ := b.Write()
	c, err := r.Commit(CommitOptions{Tree: tree, Parents: parentsOf(old), Author: Signature{Name: "a", Email: "a@example.com"}, Message: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CheckWorktree(old, c, nil); err == nil || !strings.Contains(err.Error(), "shared index") {
		t.Errorf("CheckWorktree = %v, want the damaged shared index named", err)
	}
	if got := readWork(t, r, "b.json"); got != "b\n" {
		t.Errorf("b.json = %q, want it untouched", got)
	}
	// As git would be told to: rebuild the index from HEAD.
	os.Remove(filepath.Join(r.GitDir(), "index"))
	os.Remove(p)
	runGit(t, r.WorkDir(), "reset", "-q")
}
