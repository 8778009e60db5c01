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
	"github.com/go-git/go-git/v5/storage"
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

// UpdateBranch moves refs/heads/<branch> from old to new, atomically with
// respect to other writers using go-git's ref locking: if the branch no
// longer points at old (or exists although old is zero), it returns
// ErrRefChanged and leaves the branch alone.
func (r *Repo) UpdateBranch(branch string, old, new plumbing.Hash) error {
	return r.updateRef(plumbing.NewBranchReferenceName(branch), old, new)
}

// UpdateRef moves any reference (a full name under refs/, such as a
// checkpoint's) from old to new by compare-and-set, as UpdateBranch does.
func (r *Repo) UpdateRef(name string, old, new plumbing.Hash) error {
	ref, err := refName(name)
	if err != nil {
		return err
	}
	if err := r.fail(FailRefUpdate); err != nil {
		return err
	}
	return r.updateRef(ref, old, new)
}

// Ref returns the commit a reference (a full name under refs/) points at,
// or zero if it does not exist.
func (r *Repo) Ref(name string) (plumbing.Hash, error) {
	ref, err := refName(name)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	cur, err := r.store.Reference(ref)
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		return plumbing.ZeroHash, nil
	case err != nil:
		return plumbing.ZeroHash, fmt.Errorf("read %s: %w", name, err)
	}
	return cur.Hash(), nil
}

// DeleteRef removes a reference if it still points at old; a reference
// that is already gone is not an error. The check and the removal are
// atomic within this process only: git offers no compare-and-delete that
// go-git exposes.
func (r *Repo) DeleteRef(name string, old plumbing.Hash) error {
	ref, err := refName(name)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	cur, err := r.store.Reference(ref)
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("delete %s: %w", name, err)
	case cur.Hash() != old:
		return fmt.Errorf("delete %s: %w: expected %s, found %s", name, ErrRefChanged, old, cur.Hash())
	}
	if err := r.store.RemoveReference(ref); err != nil {
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

func (r *Repo) updateRef(name plumbing.ReferenceName, old, new plumbing.Hash) error {
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
	cur, err := r.store.Reference(name)
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		cur = nil
	case err != nil:
		return fmt.Errorf("update %s: %w", name, err)
	}
	// Checked before the store's own compare-and-set, which on failure can
	// leave an empty loose ref file behind for a ref that was packed.
	if cur == nil && !old.IsZero() {
		return fmt.Errorf("update %s: %w: expected %s, branch does not exist", name, ErrRefChanged, old)
	}
	if cur != nil && cur.Hash() != old {
		return fmt.Errorf("update %s: %w: expected %s, found %s", name, ErrRefChanged, old, cur.Hash())
	}
	ref := plumbing.NewHashReference(name, new)
	if old.IsZero() {
		// go-git's compare-and-set cannot express "must not exist"; the
		// check above is the best it offers for creating a branch.
		err = r.store.SetReference(ref)
	} else {
		err = r.store.CheckAndSetReference(ref, plumbing.NewHashReference(name, old))
	}
	if errors.Is(err, storage.ErrReferenceHasChanged) {
		r.removeEmptyLooseRef(name)
		return fmt.Errorf("update %s: %w", name, ErrRefChanged)
	}
	if err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	return nil
}

// removeEmptyLooseRef deletes a zero-length ref file that a failed
// compare-and-set created: git would read it as a broken ref.
func (r *Repo) removeEmptyLooseRef(name plumbing.ReferenceName) {
	p := filepath.Join(r.gitDir, filepath.FromSlash(name.String()))
	if fi, err := os.Stat(p); err == nil && fi.Size() == 0 {
		_ = os.Remove(p)
	}
}

// flush writes the pending objects to the object store.
func (r *Repo) flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flushLocked()
}
