package gitrepo

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func TestOpenCreatesMainBranch(t *testing.T) {
	for _, bare := range []bool{false, true} {
		r := newRepo(t, bare)
		dir := r.GitDir()
		if !bare {
			dir = r.WorkDir()
		}
		if got := strings.TrimSpace(runGit(t, dir, "symbolic-ref", "HEAD")); got != "refs/heads/main" {
			t.Errorf("bare=%v: HEAD -> %q, want refs/heads/main", bare, got)
		}
		if r.Bare() != bare {
			t.Errorf("Bare() = %v, want %v", r.Bare(), bare)
		}
		if _, ok, err := r.Head("main"); ok || err != nil {
			t.Errorf("Head on empty repo: ok=%v err=%v", ok, err)
		}
		again, err := Open(dir, OpenOptions{})
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		if again.Bare() != bare || again.GitDir() != r.GitDir() {
			t.Errorf("reopened as bare=%v gitDir=%s", again.Bare(), again.GitDir())
		}
	}
}

func TestOpenRefusesNonRepository(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir, OpenOptions{}); !errors.Is(err, ErrNotRepository) {
		t.Errorf("empty folder: err = %v, want ErrNotRepository", err)
	}
	if _, err := Open(filepath.Join(dir, "missing"), OpenOptions{}); !errors.Is(err, ErrNotRepository) {
		t.Errorf("missing folder: err = %v, want ErrNotRepository", err)
	}
	file := filepath.Join(dir, "f")
	os.WriteFile(file, []byte("x"), 0o644)
	if _, err := Open(file, OpenOptions{}); !errors.Is(err, ErrNotRepository) {
		t.Errorf("file: err = %v, want ErrNotRepository", err)
	}
}

func TestCommitIsReadableByGit(t *testing.T) {
	r := newRepo(t, false)
	c1 := commitChange(t, r, map[string]string{
		"notion-git.json":                  "{}\n",
		"pages/p1/page.json":               `{"id":"p1"}` + "\n",
		"pages/p1/blocks/b1.json":          `{"id":"b1"}` + "\n",
		"users/u1.json":                    `{"id":"u1"}` + "\n",
		"data_sources/d1/data_source.json": "{}\n",
	})
	c2 := commitChange(t, r, map[string]string{"pages/p1/blocks/b1.json": `{"id":"b1","v":2}` + "\n"})
	dir := r.WorkDir()
	log := runGit(t, dir, "log", "--format=%H %an <%ae> %s")
	want := c2.String() + " notion-git <sync@example.com> sync\n" + c1.String() + " notion-git <sync@example.com> sync\n"
	if log != want {
		t.Errorf("git log:\n%s\nwant:\n%s", log, want)
	}
	if got := runGit(t, dir, "show", "HEAD:pages/p1/blocks/b1.json"); got != `{"id":"b1","v":2}`+"\n" {
		t.Errorf("git show: %q", got)
	}
	if got := runGit(t, dir, "show", "--format=", "--name-only", "HEAD"); got != "pages/p1/blocks/b1.json\n" {
		t.Errorf("changed files: %q", got)
	}
	if got := runGit(t, dir, "ls-tree", "-r", "--format=%(objectmode)", "HEAD"); strings.Trim(strings.ReplaceAll(got, "100644\n", ""), "\n") != "" {
		t.Errorf("modes other than 100644:\n%s", got)
	}

	s, err := r.Snapshot(c2)
	if err != nil {
		t.Fatal(err)
	}
	wantPaths := []string{"data_sources/d1/data_source.json", "notion-git.json", "pages/p1/blocks/b1.json", "pages/p1/page.json", "users/u1.json"}
	if strings.Join(s.Paths(), " ") != strings.Join(wantPaths, " ") {
		t.Errorf("Paths() = %v", s.Paths())
	}
	b, err := s.Read("pages/p1/page.json")
	if err != nil || string(b) != `{"id":"p1"}`+"\n" {
		t.Errorf("Read = %q, %v", b, err)
	}
	if _, err := s.Read("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Read(missing) err = %v", err)
	}
	if h, ok := s.Hash("users/u1.json"); !ok || strings.TrimSpace(runGit(t, dir, "rev-parse", "HEAD:users/u1.json")) != h.String() {
		t.Errorf("Hash = %s, %v", h, ok)
	}
	empty, err := r.Snapshot(plumbing.ZeroHash)
	if err != nil || len(empty.Paths()) != 0 {
		t.Errorf("empty snapshot: %v, %v", empty.Paths(), err)
	}
}

func TestBareRepository(t *testing.T) {
	r := newRepo(t, true)
	c1 := commitChange(t, r, map[string]string{"a/b.json": "1\n"})
	c2 := commitChange(t, r, map[string]string{"a/c.json": "2\n"}, "a/b.json")
	if got := runGit(t, r.GitDir(), "log", "--format=%H"); got != c2.String()+"\n"+c1.String()+"\n" {
		t.Errorf("git log: %q", got)
	}
	if got := runGit(t, r.GitDir(), "ls-tree", "-r", "--name-only", "main"); got != "a/c.json\n" {
		t.Errorf("ls-tree: %q", got)
	}
	if _, err := os.Stat(filepath.Join(r.GitDir(), "index")); !os.IsNotExist(err) {
		t.Errorf("a bare repository got an index: %v", err)
	}
	if h, err := r.Resolve("main~1"); err != nil || h != c1 {
		t.Errorf("Resolve(main~1) = %s, %v", h, err)
	}
}
