package gitrepo

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

const (
	benchPages         = 10_000
	benchBlocksPerPage = 25 // 250,000 block files
	benchChangedPages  = 10
)

func benchID(kind string, n int) string {
	return fmt.Sprintf("%s%031x", kind, n) // 32 characters, like a Notion id
}

func benchPagePath(page int) string {
	return "pages/" + benchID("p", page)
}

// benchPageFiles is one page's files after its gen-th crawl.
func benchPageFiles(page, gen int) map[string]string {
	files := make(map[string]string, benchBlocksPerPage)
	for b := range benchBlocksPerPage {
		id := benchID("b", page*benchBlocksPerPage+b)
		files[benchPagePath(page)+"/blocks/"+id+".json"] = fmt.Sprintf("{\n  \"id\": %q,\n  \"gen\": %d,\n  \"type\": \"paragraph\"\n}\n", id, gen)
	}
	return files
}

// BenchmarkCommit10of250k times a sync that re-crawled 10 pages (250 block
// files) of a 250,000-file workspace: blobs, trees, commit, branch update and
// worktree refresh. It reports the git CLI's `git add -A && git commit` of
// the same kind of change on the same repository as cli-ns/op, and the
// ratio. Building the repository takes a minute or two, so it runs only
// with -bench.
func BenchmarkCommit10of250k(b *testing.B) {
	dir := b.TempDir()
	setup := time.Now()
	for page := range benchPages {
		for p, data := range benchPageFiles(page, 0) {
			full := filepath.Join(dir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	runGit(b, dir, "init", "-q", "-b", "main")
	runGit(b, dir, "add", "-A")
	runGit(b, dir, "commit", "-q", "-m", "initial")
	b.Logf("setup: %d files in %v", benchPages*benchBlocksPerPage, time.Since(setup))

	r, err := Open(dir, OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	gen := 0
	next := 0 // the next page to change, so every iteration changes new pages
	b.ResetTimer()
	for b.Loop() {
		gen++
		old, _, err := r.Head("main")
		if err != nil {
			b.Fatal(err)
		}
		tb, err := r.NewTreeBuilder(old)
		if err != nil {
			b.Fatal(err)
		}
		for range benchChangedPages {
			page := next % benchPages
			next++
			if err := tb.DeleteDir(benchPagePath(page)); err != nil {
				b.Fatal(err)
			}
			for p, data := range benchPageFiles(page, gen) {
				if err := tb.Put(p, []byte(data)); err != nil {
					b.Fatal(err)
				}
			}
		}
		tree, err := tb.Write()
		if err != nil {
			b.Fatal(err)
		}
		c, err := r.Commit(CommitOptions{Tree: tree, Parents: parentsOf(old), Author: Signature{Name: "bench", Email: "bench@example.com"}, Message: "sync"})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.UpdateBranch("main", old, c); err != nil {
			b.Fatal(err)
		}
		if err := r.RefreshWorktree(old, c, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	ours := float64(b.Elapsed().Nanoseconds()) / float64(b.N)

	// The git CLI on the same change: 10 pages rewritten on disk, then
	// add and commit. The first run also rebuilds the index's cached tree
	// (which our index writer drops), so the second is the one measured.
	var cli time.Duration
	for round := range 2 {
		gen++
		for range benchChangedPages {
			page := next % benchPages
			next++
			for p, data := range benchPageFiles(page, gen) {
				if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), []byte(data), 0o644); err != nil {
					b.Fatal(err)
				}
			}
		}
		start := time.Now()
		runGit(b, dir, "add", "-A")
		runGit(b, dir, "commit", "-q", "-m", "by the git CLI")
		if round == 1 {
			cli = time.Since(start)
		}
	}
	if out := runGit(b, dir, "status", "--porcelain"); out != "" {
		b.Fatalf("worktree not clean:\n%.2000s", out)
	}
	b.ReportMetric(float64(cli.Nanoseconds()), "cli-ns/op")
	b.ReportMetric(float64(cli.Nanoseconds())/ours, "cli/ours")
	fsck(b, dir)
}

// writeBenchIndex writes .git/index with n entries of block files, as a
// large workspace's checkout has them (about 150 bytes each), and returns
// their paths in order.
func writeBenchIndex(b *testing.B, r *Repo, n int) []string {
	paths := make([]string, n)
	for i := range paths {
		page := i / benchBlocksPerPage
		paths[i] = benchPagePath(page) + "/blocks/" + benchID("b", i) + ".json"
	}
	slices.Sort(paths)
	err := r.writeIndexFile(func(w io.Writer) error {
		return emptyRawIndex().writeTo(w, indexUpdatesFor(paths, 0))
	})
	if err != nil {
		b.Fatal(err)
	}
	return paths
}

// indexUpdatesFor makes an entry for each path, its hash and times set from
// gen.
func indexUpdatesFor(paths []string, gen int) []indexUpdate {
	updates := make([]indexUpdate, len(paths))
	now := time.Unix(1_800_000_000+int64(gen), 0)
	for i, p := range paths {
		e := &index.Entry{Name: p, Mode: filemode.Regular, Size: 100, CreatedAt: now, ModifiedAt: now}
		e.Hash = plumbing.ComputeHash(plumbing.BlobObject, []byte(fmt.Sprintf("%s %d", p, gen)))
		updates[i] = indexUpdate{path: p, entry: e}
	}
	return updates
}

// BenchmarkIndexRefresh10of245k is the index's part of a 10-file worktree
// refresh in a large workspace's checkout: .git/index of 245,000 entries
// read, the 10 paths looked up, and the index written with their new
// entries; whole, as before the split index, and split.
func BenchmarkIndexRefresh10of245k(b *testing.B) {
	for _, mode := range []struct {
		name string
		min  int
	}{{"whole", 1 << 30}, {"split", 10_000}} {
		b.Run(mode.name, func(b *testing.B) {
			defer func(n int) { splitIndexMinEntries = n }(splitIndexMinEntries)
			splitIndexMinEntries = mode.min
			r := newRepo(b, false)
			// The entries name blobs that were never written: the index goes
			// before newRepo's cleanup checks the repository.
			b.Cleanup(func() {
				os.Remove(filepath.Join(r.gitDir, "index"))
				m, _ := filepath.Glob(filepath.Join(r.gitDir, sharedIndexPrefix+"*"))
				for _, p := range m {
					os.Remove(p)
				}
			})
			paths := writeBenchIndex(b, r, 245_000)
			gen := 0
			refresh := func() {
				gen++
				changed := make([]string, 10)
				for k := range changed {
					changed[k] = paths[(gen*10+k)*9973%len(paths)]
				}
				slices.Sort(changed)
				idx, err := r.readIndex()
				if err != nil {
					b.Fatal(err)
				}
				if err := idx.prefetch(changed); err != nil {
					b.Fatal(err)
				}
				for _, p := range changed {
					if len(idx.entries(p)) != 1 {
						b.Fatalf("%s: not in the index", p)
					}
				}
				if err := idx.write(r, indexUpdatesFor(changed, gen)); err != nil {
					b.Fatal(err)
				}
			}
			refresh() // a whole index is split by its first refresh
			fi, err := os.Stat(filepath.Join(r.gitDir, "index"))
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%d entries; .git/index of %d bytes", len(paths), fi.Size())
			b.ReportAllocs()
			for b.Loop() {
				refresh()
			}
		})
	}
}
