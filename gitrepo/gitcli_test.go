package gitrepo

import (
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// gitEnv isolates the git CLI from the machine's configuration.
func gitEnv(home string) []string {
	return append(os.Environ(),
		"HOME="+home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com",
		"GIT_TERMINAL_PROMPT=0",
	)
}

// runGit runs the git CLI in dir and fails the test on error.
func runGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := tryGit(dir, args...)
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func tryGit(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-c", "gc.auto=0", "-c", "maintenance.auto=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = gitEnv(os.TempDir())
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// fsck runs the real `git fsck --strict` on a repository: the check that
// what go-git plumbing wrote is what git itself accepts.
func fsck(t testing.TB, dir string) {
	t.Helper()
	if out, err := tryGit(dir, "fsck", "--strict", "--no-progress", "--no-dangling"); err != nil || strings.Contains(out, "error") || strings.Contains(out, "warning") {
		t.Fatalf("git fsck --strict in %s: %v\n%s", dir, err, out)
	}
}

// newRepo creates a repository in a temporary folder and fscks it when the
// test ends.
func newRepo(t testing.TB, bare bool) *Repo {
	t.Helper()
	dir := t.TempDir()
	r, err := Open(dir, OpenOptions{Create: true, Bare: bare})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsck(t, dir) })
	return r
}

var testWhen = time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC)

// commitChange applies puts and deletes on top of the main branch, commits
// and moves main, the way a sync does. It returns the new commit.
func commitChange(t testing.TB, r *Repo, puts map[string]string, deletes ...string) plumbing.Hash {
	t.Helper()
	old, _, err := r.Head("main")
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.NewTreeBuilder(old)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range deletes {
		if strings.HasSuffix(p, "/") {
			err = b.DeleteDir(p)
		} else {
			err = b.Delete(p)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	paths := make([]string, 0, len(puts))
	for p := range puts {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if err := b.Put(p, []byte(puts[p])); err != nil {
			t.Fatal(err)
		}
	}
	tree, err := b.Write()
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Commit(CommitOptions{
		Tree: tree, Parents: parentsOf(old),
		Author:  Signature{Name: "notion-git", Email: "sync@example.com", When: testWhen},
		Message: "sync",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateBranch("main", old, c); err != nil {
		t.Fatal(err)
	}
	if err := r.RefreshWorktree(old, c, nil); err != nil {
		t.Fatal(err)
	}
	return c
}

// countObjects counts the objects in the store, loose and packed, as the
// git CLI sees them.
func countObjects(t testing.TB, r *Repo) int {
	t.Helper()
	n := 0
	for _, line := range strings.Split(runGit(t, r.GitDir(), "count-objects", "-v"), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		if k == "count" || k == "in-pack" {
			c, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("count-objects: %q", line)
			}
			n += c
		}
	}
	return n
}

// parentsOf is the parent list of a commit on top of old (none if zero).
func parentsOf(old plumbing.Hash) []plumbing.Hash {
	if old.IsZero() {
		return nil
	}
	return []plumbing.Hash{old}
}
