package gitrepo

import (
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// ancestry matches the parent and ancestor suffixes Resolve supports.
var ancestry = regexp.MustCompile(`^([~^][0-9]*)*$`)

// minAbbrev is the shortest abbreviated hash accepted, as in git.
const minAbbrev = 4

// Resolve turns a revision as a user types it (HEAD, HEAD~3, main^, a tag,
// a branch, a full or abbreviated hash) into a commit hash. Unknown
// revisions give ErrUnknownRevision, ambiguous abbreviations ErrAmbiguousRevision.
func (r *Repo) Resolve(rev string) (plumbing.Hash, error) {
	rev = strings.TrimSpace(rev)
	unknown := fmt.Errorf("%w %s", ErrUnknownRevision, rev)
	if rev == "" {
		return plumbing.ZeroHash, unknown
	}
	// go-git's resolver prefers an abbreviated hash over a ref of the same
	// name and takes the first of several matching objects; git prefers
	// the ref and refuses ambiguity. So the base is resolved here and
	// handed to go-git as a full hash for the ~ and ^ suffixes.
	cut := strings.IndexAny(rev, "~^@:")
	if cut == 0 {
		return plumbing.ZeroHash, unknown
	}
	base, suffix := rev, ""
	if cut > 0 {
		base, suffix = rev[:cut], rev[cut:]
	}
	if !ancestry.MatchString(suffix) {
		// Reflog (@{n}), paths (:file) and peeling (^{tree}) would be
		// silently ignored by go-git's resolver: refuse them instead.
		return plumbing.ZeroHash, unknown
	}
	h, err := r.resolveBase(base)
	if err != nil {
		if errors.Is(err, ErrAmbiguousRevision) {
			return plumbing.ZeroHash, err
		}
		return plumbing.ZeroHash, unknown
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	got, err := r.git.ResolveRevision(plumbing.Revision(h.String() + suffix))
	if err != nil || got == nil || got.IsZero() {
		return plumbing.ZeroHash, unknown
	}
	return *got, nil
}

// resolveBase resolves a revision without suffixes to an object hash.
func (r *Repo) resolveBase(base string) (plumbing.Hash, error) {
	if len(base) == 2*len(plumbing.ZeroHash) && isHex(base) {
		return plumbing.NewHash(base), nil
	}
	r.mu.Lock()
	for _, rule := range plumbing.RefRevParseRules {
		ref, err := storer.ResolveReference(r.store, plumbing.ReferenceName(fmt.Sprintf(rule, base)))
		if err == nil {
			r.mu.Unlock()
			return ref.Hash(), nil
		}
	}
	r.mu.Unlock()
	if len(base) < minAbbrev || !isHex(base) {
		return plumbing.ZeroHash, ErrUnknownRevision
	}
	return r.expandAbbrev(strings.ToLower(base))
}

// expandAbbrev finds the one commit (or tag) whose hash starts with prefix.
func (r *Repo) expandAbbrev(prefix string) (plumbing.Hash, error) {
	type prefixLister interface {
		HashesWithPrefix(prefix []byte) ([]plumbing.Hash, error)
	}
	lister, ok := r.store.(prefixLister)
	if !ok {
		return plumbing.ZeroHash, ErrUnknownRevision
	}
	even, err := hex.DecodeString(prefix[:len(prefix)&^1])
	if err != nil {
		return plumbing.ZeroHash, ErrUnknownRevision
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	candidates, err := lister.HashesWithPrefix(even)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	var found []plumbing.Hash
	for _, h := range candidates {
		if !strings.HasPrefix(h.String(), prefix) {
			continue
		}
		// Blobs and trees sharing the prefix do not make a commit ambiguous.
		if _, err := r.store.EncodedObject(plumbing.CommitObject, h); err == nil {
			found = append(found, h)
		} else if _, err := r.store.EncodedObject(plumbing.TagObject, h); err == nil {
			found = append(found, h)
		}
	}
	switch len(found) {
	case 0:
		return plumbing.ZeroHash, ErrUnknownRevision
	case 1:
		return found[0], nil
	}
	return plumbing.ZeroHash, fmt.Errorf("%w %s: %d commits match", ErrAmbiguousRevision, prefix, len(found))
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Head returns the commit at the tip of branch; ok is false if the branch
// does not exist yet (a repository without commits). A branch whose ref
// file holds no commit hash is ErrBrokenRef, with the way to repair it.
func (r *Repo) Head(branch string) (commit plumbing.Hash, ok bool, err error) {
	name := plumbing.NewBranchReferenceName(branch)
	r.mu.Lock()
	defer r.mu.Unlock()
	h, err := r.resolveRef(name.String())
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	return h, !h.IsZero(), nil
}

// CurrentBranch returns the branch HEAD points at; ok is false when HEAD is
// detached.
func (r *Repo) CurrentBranch() (branch string, ok bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	head, err := r.store.Reference(plumbing.HEAD)
	if err != nil {
		return "", false, fmt.Errorf("read HEAD: %w", err)
	}
	if head.Type() != plumbing.SymbolicReference || !head.Target().IsBranch() {
		return "", false, nil
	}
	return head.Target().Short(), true, nil
}
