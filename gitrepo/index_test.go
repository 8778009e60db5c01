package gitrepo

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// indexMatchesHead checks that the index lists exactly HEAD's files, with
// their modes and blobs, and that git finds nothing to report.
func indexMatchesHead(t *testing.T, r *Repo) {
	t.Helper()
	dir := r.WorkDir()
	var want strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(runGit(t, dir, "ls-tree", "-r", "HEAD")), "\n") {
		if line == "" {
			continue
		}
		mode, rest, _ := strings.Cut(line, " ")
		_, rest, _ = strings.Cut(rest, " ") // the type
		hash, path, _ := strings.Cut(rest, "\t")
		fmt.Fprintf(&want, "%s %s 0\t%s\n", mode, hash, path)
	}
	if got := runGit(t, dir, "ls-files", "--stage"); got != want.String() {
		t.Errorf("index:\n%s\nwant HEAD's files:\n%s", got, want.String())
	}
	assertClean(t, r)
}

// longPath is a path of 600 bytes, in folders the file system accepts.
var longPath = "long/" + strings.Repeat(strings.Repeat("n", 199)+"/", 3) + "f.json"

// The index is edited in place, as bytes: every kind of change keeps it
// sorted, complete and with the stat data git needs to find files clean.
func TestIndexEditedInPlace(t *testing.T) {
	r := newRepo(t, false)
	commitChange(t, r, map[string]string{
		"b.json":      "b\n",
		"d/x.json":    "x\n",
		"d/y.json":    "y\n",
		"f.json":      "f\n",
		longPath:      "long\n",
		"z/last.json": "last\n",
	})
	indexMatchesHead(t, r)
	// git rewrites the index with its own extensions (the cached trees).
	runGit(t, r.WorkDir(), "commit", "-q", "--allow-empty", "-m", "by hand")
	runGit(t, r.WorkDir(), "update-index", "--refresh")
	steps := []struct {
		name    string
		puts    map[string]string
		deletes []string
	}{
		{"add between existing entries", map[string]string{"c.json": "c\n", "d/xx.json": "xx\n"}, nil},
		{"add first and last", map[string]string{"a.json": "a\n", "zz.json": "zz\n"}, nil},
		{"change", map[string]string{"d/x.json": "x2\n", "b.json": "b2\n"}, nil},
		{"delete the last entry", nil, []string{"zz.json"}},
		{"delete the first entry", nil, []string{"a.json"}},
		{"a folder replaced by a file", map[string]string{"d": "now a file\n"}, []string{"d/"}},
		{"a file replaced by a folder", map[string]string{"f.json/g.json": "g\n"}, []string{"f.json"}},
		{"the long path", map[string]string{longPath: "changed\n"}, nil},
		{"delete everything", nil, []string{"b.json", "c.json", "d", "f.json/", "long/", "z/"}},
		{"start again", map[string]string{"e.json": "e\n"}, nil},
	}
	for _, s := range steps {
		idx, err := r.readIndex()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := idx.(*rawIndex); !ok {
			t.Fatalf("%s: the index was decoded, not edited in place", s.name)
		}
		commitChange(t, r, s.puts, s.deletes...)
		indexMatchesHead(t, r)
		if t.Failed() {
			t.Fatalf("after %q", s.name)
		}
	}
	// The git CLI reads our index and commits from it.
	os.WriteFile(filepath.Join(r.WorkDir(), "e.json"), []byte("by git\n"), 0o644)
	runGit(t, r.WorkDir(), "commit", "-q", "-a", "-m", "by git")
	if got := runGit(t, r.WorkDir(), "show", "HEAD:e.json"); got != "by git\n" {
		t.Errorf("git committed %q", got)
	}
	assertClean(t, r)
}

// Index formats that are not edited in place still refresh, through go-git.
func TestIndexFallbacks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup []string
		raw   bool
	}{
		{"version 3", []string{"update-index", "--index-version", "3"}, true},
		{"version 4", []string{"update-index", "--index-version", "4"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRepo(t, false)
			commitChange(t, r, map[string]string{"a.json": "a\n", "b/c.json": "c\n", "d.json": "d\n"})
			runGit(t, r.WorkDir(), tc.setup...)
			idx, err := r.readIndex()
			if err != nil {
				t.Fatal(err)
			}
			if _, raw := idx.(*rawIndex); raw != tc.raw {
				t.Errorf("edited in place: %v, want %v", raw, tc.raw)
			}
			commitChange(t, r, map[string]string{"b/c.json": "c2\n", "bb.json": "bb\n"}, "d.json")
			indexMatchesHead(t, r)
		})
	}
}

// Entries with extended flags (version 3) are kept as they are, and a
// local change is still found through the in-place lookup.
func TestIndexExtendedEntries(t *testing.T) {
	r := newRepo(t, false)
	commitChange(t, r, map[string]string{"a.json": "a\n", "c.json": "c\n"})
	os.WriteFile(filepath.Join(r.WorkDir(), "b.json"), []byte("mine\n"), 0o644)
	runGit(t, r.WorkDir(), "add", "-N", "b.json") // intent to add: an extended flag
	idx, err := r.readIndex()
	if err != nil {
		t.Fatal(err)
	}
	if x, ok := idx.(*rawIndex); !ok || x.version != 3 {
		t.Fatalf("index not edited in place as version 3: %T", idx)
	}
	commitChange(t, r, map[string]string{"a.json": "a2\n", "d.json": "d\n"})
	if got := runGit(t, r.WorkDir(), "status", "--porcelain"); got != " A b.json\n" {
		t.Errorf("status: %q", got)
	}
	// The in-place lookup finds the intent-to-add entry of b.json: a
	// refresh that adds b.json is refused.
	head, _, _ := r.Head("main")
	b, _ := r.NewTreeBuilder(head)
	b.Put("b.json", []byte("theirs\n"))
	tree, _ := b.Write()
	c3, err := r.Commit(CommitOptions{Tree: tree, Parents: []plumbing.Hash{head}, Author: Signature{Name: "a", Email: "a@example.com"}, Message: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CheckWorktree(head, c3, nil); err == nil || !strings.Contains(err.Error(), "b.json") {
		t.Errorf("CheckWorktree = %v, want b.json refused", err)
	}
}

func TestParseRawIndexRejectsDamage(t *testing.T) {
	r := newRepo(t, false)
	commitChange(t, r, map[string]string{"a.json": "a\n", "b.json": "b\n"})
	data, err := os.ReadFile(filepath.Join(r.GitDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseRawIndex(data); err != nil {
		t.Fatalf("our own index: %v", err)
	}
	flipped := append([]byte(nil), data...)
	flipped[indexHeaderSize+entryFixedSize] ^= 1 // a byte of the first path
	if _, err := parseRawIndex(flipped); err == nil {
		t.Error("a damaged index was accepted")
	}
	if _, err := parseRawIndex(data[:len(data)-1]); err == nil {
		t.Error("a truncated index was accepted")
	}
}

// A git command that stages a change while a refresh runs keeps it: the
// refresh's updates go onto the index as it is when the lock is taken.
func TestIndexChangedDuringRefresh(t *testing.T) {
	r := newRepo(t, false)
	c1 := commitChange(t, r, map[string]string{"a.json": "a\n", "b.json": "b\n"})
	b, _ := r.NewTreeBuilder(c1)
	b.Put("a.json", []byte("a2\n"))
	tree, _ := b.Write()
	c2, err := r.Commit(CommitOptions{Tree: tree, Parents: []plumbing.Hash{c1}, Author: Signature{Name: "a", Email: "a@example.com"}, Message: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateBranch("main", c1, c2); err != nil {
		t.Fatal(err)
	}
	plan, err := r.planRefresh(c1, c2, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(r.WorkDir(), "b.json"), []byte("staged\n"), 0o644)
	runGit(t, r.WorkDir(), "add", "b.json")
	if err := r.applyRefresh(plan); err != nil {
		t.Fatal(err)
	}
	if got := runGit(t, r.WorkDir(), "status", "--porcelain"); got != "M  b.json\n" {
		t.Errorf("status: %q, want b.json staged and a.json clean", got)
	}
	runGit(t, r.WorkDir(), "reset", "-q", "--hard")
}

// FuzzParseRawIndex feeds damaged indexes to the in-place parser: it must
// refuse them or locate entries that rewrite to an index it parses again.
func FuzzParseRawIndex(f *testing.F) {
	x := emptyRawIndex()
	var seed bytes.Buffer
	e := &index.Entry{Name: "pages/p1/page.json", Mode: filemode.Regular, Size: 3, ModifiedAt: testWhen}
	if err := x.writeTo(&seed, []indexUpdate{{path: e.Name, entry: e}, {path: "z", entry: &index.Entry{Name: "z", Mode: filemode.Regular}}}); err != nil {
		f.Fatal(err)
	}
	f.Add(seed.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := parseRawIndex(data)
		if err != nil {
			return
		}
		for i := range x.len() {
			x.entries(string(x.name(i)))
		}
		var out bytes.Buffer
		if err := x.writeTo(&out, []indexUpdate{{path: "m", entry: &index.Entry{Name: "m", Mode: filemode.Regular}}}); err != nil {
			return
		}
		y, err := parseRawIndex(out.Bytes())
		if err != nil {
			t.Fatalf("rewritten index does not parse: %v", err)
		}
		if want := x.len() - len(x.entries("m")) + 1; y.len() != want {
			t.Fatalf("rewrite has %d entries, want %d", y.len(), want)
		}
	})
}
