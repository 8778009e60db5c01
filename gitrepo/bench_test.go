package gitrepo

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
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
