package gitrepo

import (
	"errors"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	r := newRepo(t, false)
	c1 := commitChange(t, r, map[string]string{"f.json": "1\n"})
	c2 := commitChange(t, r, map[string]string{"f.json": "2\n"})
	c3 := commitChange(t, r, map[string]string{"f.json": "3\n"})
	dir := r.WorkDir()
	runGit(t, dir, "tag", "light", c2.String())
	runGit(t, dir, "tag", "-a", "-m", "annotated", "v1", c1.String())
	runGit(t, dir, "branch", "side", c1.String())

	for rev, want := range map[string]string{
		"HEAD":                           c3.String(),
		"HEAD~1":                         c2.String(),
		"HEAD~2":                         c1.String(),
		"main^":                          c2.String(),
		"main^^":                         c1.String(),
		"light":                          c2.String(),
		"v1":                             c1.String(),
		"refs/tags/v1":                   c1.String(),
		"light~1":                        c1.String(),
		"side":                           c1.String(),
		c3.String():                      c3.String(),
		c2.String()[:7]:                  c2.String(),
		c2.String()[:5]:                  c2.String(),
		strings.ToUpper(c1.String()[:9]): c1.String(),
	} {
		got, err := r.Resolve(rev)
		if err != nil || got.String() != want {
			t.Errorf("Resolve(%q) = %s, %v; want %s", rev, got, err, want)
		}
	}

	for _, rev := range []string{"", "garbage", "HEAD~3", "HEAD~10", "nosuch^", "~1", "0000000", "abc", c3.String()[:39] + "0", "HEAD@{1}"} {
		_, err := r.Resolve(rev)
		if !errors.Is(err, ErrUnknownRevision) || !strings.Contains(err.Error(), "unknown revision "+rev) {
			t.Errorf("Resolve(%q) err = %v, want unknown revision", rev, err)
		}
	}
	// A full hash of a blob is not a commit.
	blob := strings.TrimSpace(runGit(t, dir, "rev-parse", "HEAD:f.json"))
	if _, err := r.Resolve(blob); !errors.Is(err, ErrUnknownRevision) {
		t.Errorf("Resolve(blob) err = %v", err)
	}
}

func TestResolveEmptyRepository(t *testing.T) {
	r := newRepo(t, true)
	if _, err := r.Resolve("HEAD"); !errors.Is(err, ErrUnknownRevision) {
		t.Errorf("Resolve(HEAD) on an empty repository: %v", err)
	}
	if b, ok, err := r.CurrentBranch(); b != "main" || !ok || err != nil {
		t.Errorf("CurrentBranch = %q, %v, %v", b, ok, err)
	}
}
