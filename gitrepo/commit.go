package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Signature names who made a commit, and when.
type Signature struct {
	Name  string
	Email string
	When  time.Time // the current time if zero
}

// CommitOptions describes a commit object.
type CommitOptions struct {
	Tree      plumbing.Hash   // root tree, from TreeBuilder.Write
	Parents   []plumbing.Hash // none for the first commit
	Author    Signature
	Committer Signature // the author if empty
	Message   string
}

// Validate checks the options and fills the defaults.
func (o *CommitOptions) Validate() error {
	if o.Tree.IsZero() {
		return errors.New("commit: no tree")
	}
	if o.Author.Name == "" || o.Author.Email == "" {
		return errors.New("commit: author name and email are required")
	}
	if o.Author.When.IsZero() {
		o.Author.When = time.Now()
	}
	if o.Committer.Name == "" {
		o.Committer = o.Author
	}
	if o.Committer.When.IsZero() {
		o.Committer.When = o.Author.When
	}
	if o.Message == "" {
		return errors.New("commit: empty message")
	}
	if !strings.HasSuffix(o.Message, "\n") {
		o.Message += "\n"
	}
	return nil
}

// Commit writes a commit object and returns its hash, and writes every
// object added since the last commit (the commit's blobs and trees) to the
// object store as one pack. It does not move any branch: that is
// UpdateBranch's job, once everything is written.
func (r *Repo) Commit(opts CommitOptions) (plumbing.Hash, error) {
	if err := opts.Validate(); err != nil {
		return plumbing.ZeroHash, err
	}
	// A commit must never point at objects that are not all stored.
	r.mu.Lock()
	missing := !r.hasObjectLocked(opts.Tree)
	for _, p := range opts.Parents {
		missing = missing || !r.hasObjectLocked(p)
	}
	r.mu.Unlock()
	if missing {
		return plumbing.ZeroHash, fmt.Errorf("commit: tree or parent missing: %w", plumbing.ErrObjectNotFound)
	}
	c := &object.Commit{
		Author:       object.Signature{Name: opts.Author.Name, Email: opts.Author.Email, When: opts.Author.When},
		Committer:    object.Signature{Name: opts.Committer.Name, Email: opts.Committer.Email, When: opts.Committer.When},
		Message:      opts.Message,
		TreeHash:     opts.Tree,
		ParentHashes: opts.Parents,
	}
	var mem plumbing.MemoryObject
	if err := c.Encode(&mem); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	h, err := r.writeObject(&mem)
	if err == nil {
		err = r.flush()
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	return h, nil
}

// UpdateBranch moves refs/heads/<branch> from old to new by
// compare-and-set under the branch's lock file, as git does: if the branch
// no longer points at old (or exists although old is zero), it returns
// ErrRefChanged and leaves the branch alone; if another git process holds
// the lock, ErrRefLocked. Whatever stops it, the branch holds old or new.
func (r *Repo) UpdateBranch(branch string, old, new plumbing.Hash) error {
	return r.updateRef(plumbing.NewBranchReferenceName(branch).String(), old, new)
}

// UpdateRef moves any reference (a full name under refs/, such as a
// checkpoint's) from old to new by compare-and-set, as UpdateBranch does.
// A reference of notion-git's own (under refs/notion-git/) that a write
// cut short left broken is taken as absent and overwritten.
func (r *Repo) UpdateRef(name string, old, new plumbing.Hash) error {
	ref, err := refName(name)
	if err != nil {
		return err
	}
	if err := r.fail(FailRefUpdate); err != nil {
		return err
	}
	return r.updateRef(ref.String(), old, new)
}

// Ref returns the commit a reference (a full name under refs/) points at,
// or zero if it does not exist. A reference of notion-git's own that a
// write cut short left broken reads as absent.
func (r *Repo) Ref(name string) (plumbing.Hash, error) {
	ref, err := refName(name)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resolveRef(ref.String())
}

// DeleteRef removes a reference if it still points at old; a reference
// that is already gone is not an error. The check and the removal are made
// under the reference's lock file, as git does, and a packed value is
// removed from packed-refs before the loose file, so that it never shows
// through.
func (r *Repo) DeleteRef(name string, old plumbing.Hash) error {
	ref, err := refName(name)
	if err != nil {
		return err
	}
	name = ref.String()
	r.mu.Lock()
	defer r.mu.Unlock()
	lock, err := r.lockRef("delete", name, old)
	if err != nil {
		return err
	}
	defer lock.release()
	cur, err := r.resolveRef(name)
	switch {
	case err != nil:
		return fmt.Errorf("delete %s: %w", name, err)
	case cur.IsZero():
		// Gone, or broken and of our own: a broken loose file goes too.
	case cur != old:
		return fmt.Errorf("delete %s: %w: expected %s, found %s", name, ErrRefChanged, old, cur)
	}
	if err := r.removePackedRef(name); err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	p := r.refPath(name)
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	if err := syncDir(filepath.Dir(p)); err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	return nil
}

// refName checks a full reference name: under refs/, and no segment that
// git refuses.
func refName(name string) (plumbing.ReferenceName, error) {
	rest, ok := strings.CutPrefix(name, "refs/")
	bad := !ok || rest == "" || strings.ContainsAny(name, " ~^:?*[\\\x00") || strings.Contains(name, "..") ||
		strings.Contains(name, "@{") || strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".lock")
	for _, seg := range strings.Split(rest, "/") {
		bad = bad || seg == "" || strings.HasPrefix(seg, ".")
	}
	if bad {
		return "", fmt.Errorf("reference %q: not a valid full reference name", name)
	}
	return plumbing.ReferenceName(name), nil
}

func (r *Repo) updateRef(name string, old, new plumbing.Hash) error {
	if new.IsZero() {
		return fmt.Errorf("update %s: no new commit", name)
	}
	// A ref must only ever point at objects on disk.
	if err := r.flush(); err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	if _, err := r.readCommit(new); err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	lock, err := r.lockRef("update", name, new)
	if err != nil {
		return err
	}
	defer lock.release()
	// Read under the lock: no git command can move the ref until it is
	// released.
	cur, err := r.resolveRef(name)
	switch {
	case err != nil:
		return fmt.Errorf("update %s: %w", name, err)
	case cur.IsZero() && !old.IsZero():
		return fmt.Errorf("update %s: %w: expected %s, branch does not exist", name, ErrRefChanged, old)
	case cur != old:
		return fmt.Errorf("update %s: %w: expected %s, found %s", name, ErrRefChanged, old, cur)
	}
	// A loose ref overrides a packed one: packed-refs is left as it is.
	if err := lock.commit(); err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	return nil
}

// flush writes the pending objects to the object store.
func (r *Repo) flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flushLocked()
}
