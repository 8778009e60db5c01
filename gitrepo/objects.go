package gitrepo

import (
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// emptyTree is the hash of the tree with no entries; git knows it without
// storing it, go-git and fsck do not, so it is written like any other tree.
var emptyTree = plumbing.NewHash("4b825dc642cb6eb9a060e54bf8d69288fbee4904")

// writeBlob stores data as a blob and returns its hash. An object already
// in the store is not written again: hashing is much cheaper than
// compressing and renaming a loose object file.
func (r *Repo) writeBlob(data []byte) (plumbing.Hash, error) {
	h := plumbing.ComputeHash(plumbing.BlobObject, data)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.store.HasEncodedObject(h) == nil {
		return h, nil
	}
	obj := r.store.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := r.store.SetEncodedObject(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write blob %s: %w", h, err)
	}
	return h, nil
}

// writeTree stores a tree whose entries are already in git order.
func (r *Repo) writeTree(entries []object.TreeEntry) (plumbing.Hash, error) {
	var mem plumbing.MemoryObject
	t := object.Tree{Entries: entries}
	if err := t.Encode(&mem); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.writeObject(&mem)
}

// writeObject stores an encoded object unless it is already present.
func (r *Repo) writeObject(obj plumbing.EncodedObject) (plumbing.Hash, error) {
	h := obj.Hash()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.store.HasEncodedObject(h) == nil {
		return h, nil
	}
	if _, err := r.store.SetEncodedObject(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write %s %s: %w", obj.Type(), h, err)
	}
	return h, nil
}

// readTree loads one tree object (not its subtrees). The empty tree is
// answered without a lookup, as git itself does.
func (r *Repo) readTree(h plumbing.Hash) (*object.Tree, error) {
	if h == emptyTree {
		return &object.Tree{Hash: emptyTree}, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	t, err := object.GetTree(r.store, h)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	return t, nil
}

// readBlob returns a blob's bytes.
func (r *Repo) readBlob(h plumbing.Hash) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	obj, err := r.store.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	return b, nil
}

// readCommit loads a commit object.
func (r *Repo) readCommit(h plumbing.Hash) (*object.Commit, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := object.GetCommit(r.store, h)
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", h, err)
	}
	return c, nil
}

// rootTree returns the root tree hash of a commit; the zero commit (no
// history yet) has the empty tree.
func (r *Repo) rootTree(commit plumbing.Hash) (plumbing.Hash, error) {
	if commit.IsZero() {
		return emptyTree, nil
	}
	c, err := r.readCommit(commit)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return c.TreeHash, nil
}
