package gitrepo

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// resolveFixture is a small history built once per fuzzing process, with
// go-git only: main is c1 - c2 - c3 - merge(c3, s1) - c5, side is c1 - s1,
// with a lightweight tag on c2, an annotated tag on c1 and a branch whose
// name is an abbreviation of another commit's hash.
type resolveFixture struct {
	repo    *Repo
	commits []plumbing.Hash
	tree    plumbing.Hash
}

func newResolveFixture(f *testing.F) *resolveFixture {
	r, err := Open(f.TempDir(), OpenOptions{Create: true, Bare: true})
	if err != nil {
		f.Fatal(err)
	}
	fx := &resolveFixture{repo: r}
	when := time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC)
	commit := func(branch string, parents ...plumbing.Hash) plumbing.Hash {
		b, err := r.NewTreeBuilder(plumbing.ZeroHash)
		if err != nil {
			f.Fatal(err)
		}
		if err := b.Put("f.json", []byte(strconv.Itoa(len(fx.commits))+"\n")); err != nil {
			f.Fatal(err)
		}
		tree, err := b.Write()
		if err != nil {
			f.Fatal(err)
		}
		when = when.Add(time.Minute)
		c, err := r.Commit(CommitOptions{Tree: tree, Parents: parents, Author: Signature{Name: "notion-git", Email: "sync@example.com", When: when}, Message: "sync"})
		if err != nil {
			f.Fatal(err)
		}
		old, _, err := r.Head(branch)
		if err != nil {
			f.Fatal(err)
		}
		if err := r.UpdateBranch(branch, old, c); err != nil {
			f.Fatal(err)
		}
		fx.commits, fx.tree = append(fx.commits, c), tree
		return c
	}
	c1 := commit("main")
	c2 := commit("main", c1)
	c3 := commit("main", c2)
	s1 := commit("side", c1)
	merge := commit("main", c3, s1)
	c5 := commit("main", merge)
	if err := r.git.Storer.SetReference(plumbing.NewHashReference("refs/tags/light", c2)); err != nil {
		f.Fatal(err)
	}
	if _, err := r.git.CreateTag("v1", c1, &git.CreateTagOptions{
		Tagger: &object.Signature{Name: "notion-git", Email: "sync@example.com", When: when}, Message: "annotated",
	}); err != nil {
		f.Fatal(err)
	}
	if err := r.git.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(c3.String()[:7]), c5)); err != nil {
		f.Fatal(err)
	}
	return fx
}

// FuzzResolve resolves any string against a fixed repository. Resolve must
// not panic; what it resolves must be a commit in the store that resolves to
// itself by its full hash; and a revision with ~ and ^ suffixes must land on
// the commit that walking those parents from its base reaches.
func FuzzResolve(f *testing.F) {
	fx := newResolveFixture(f)
	r := fx.repo
	for _, seed := range []string{
		"HEAD", "main", "side", "light", "v1", "refs/tags/v1", "refs/heads/main", "HEAD~", "HEAD~2", "HEAD^2", "HEAD^^2~1",
		"main~10", "v1^0", "HEAD~0", "light~1", "HEAD@{1}", "HEAD:f.json", "main^{tree}", "~1", " side ", "",
		fx.commits[0].String(), fx.commits[1].String()[:4], strings.ToUpper(fx.commits[2].String()[:9]),
		fx.commits[2].String()[:7], fx.tree.String(), fx.tree.String()[:8], "0000", "abc",
		"HEAD~99999999999999999999", "HEAD^-1", "HEAD~1~1^1",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, rev string) {
		// Revisions people type are short; a cap keeps the fuzzer's
		// minimisation of a long input (uncounted execs) from stalling it.
		if len(rev) > 256 {
			return
		}
		h, err := r.Resolve(rev)
		if err != nil {
			if !errors.Is(err, ErrUnknownRevision) && !errors.Is(err, ErrAmbiguousRevision) {
				t.Fatalf("Resolve(%q): unexpected error %v", rev, err)
			}
			// A walk git would make from a base that resolves must not fail.
			trimmed := strings.TrimSpace(rev)
			cut := strings.IndexAny(trimmed, "~^")
			if cut > 0 && ancestry.MatchString(trimmed[cut:]) && strings.TrimSpace(trimmed[:cut]) == trimmed[:cut] {
				if base, err := r.Resolve(trimmed[:cut]); err == nil {
					if want, ok := walkParents(t, r, base, trimmed[cut:]); ok {
						t.Fatalf("Resolve(%q) refused, git gives %s", rev, want)
					}
				}
			}
			return
		}
		if _, err := object.GetCommit(r.store, h); err != nil {
			t.Fatalf("Resolve(%q) = %s, not a commit in the store: %v", rev, h, err)
		}
		if again, err := r.Resolve(h.String()); err != nil || again != h {
			t.Fatalf("Resolve(%s) = %s, %v; want itself", h, again, err)
		}
		rev = strings.TrimSpace(rev)
		cut := strings.IndexAny(rev, "~^")
		if cut <= 0 {
			return
		}
		base, err := r.Resolve(rev[:cut])
		if err != nil {
			t.Fatalf("Resolve(%q) = %s, but its base %q does not resolve: %v", rev, h, rev[:cut], err)
		}
		want, ok := walkParents(t, r, base, rev[cut:])
		if !ok || want != h {
			t.Fatalf("Resolve(%q) = %s; walking %q from %s gives %s (%v)", rev, h, rev[cut:], base, want, ok)
		}
	})
}

// walkParents follows ~n (n first parents) and ^n (the nth parent, ^0 the
// commit itself) suffixes as git does.
func walkParents(t *testing.T, r *Repo, from plumbing.Hash, suffix string) (plumbing.Hash, bool) {
	c, err := object.GetCommit(r.store, from)
	if err != nil {
		t.Fatal(err)
	}
	for suffix != "" {
		op := suffix[0]
		suffix = suffix[1:]
		digits := len(suffix) - len(strings.TrimLeft(suffix, "0123456789"))
		n := 1
		if digits > 0 {
			if n, err = strconv.Atoi(suffix[:digits]); err != nil {
				return plumbing.ZeroHash, false
			}
		}
		suffix = suffix[digits:]
		switch {
		case op == '^' && n == 0:
		case op == '^':
			if n > c.NumParents() {
				return plumbing.ZeroHash, false
			}
			if c, err = c.Parent(n - 1); err != nil {
				t.Fatal(err)
			}
		default:
			for ; n > 0; n-- {
				if c.NumParents() == 0 {
					return plumbing.ZeroHash, false
				}
				if c, err = c.Parent(0); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return c.Hash, true
}
