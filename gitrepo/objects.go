package gitrepo

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// emptyTree is the hash of the tree with no entries; git knows it without
// storing it, go-git and fsck do not, so it is written like any other tree.
var emptyTree = plumbing.NewHash("4b825dc642cb6eb9a060e54bf8d69288fbee4904")

// writeBlob stores data as a blob whose hash h the caller computed.
func (r *Repo) writeBlob(h plumbing.Hash, data []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.putLocked(plumbing.BlobObject, h, data)
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

// treeHash returns the hash of the tree of entries (in git order) without
// storing it.
func treeHash(entries []object.TreeEntry) (plumbing.Hash, error) {
	var mem plumbing.MemoryObject
	t := object.Tree{Entries: entries}
	if err := t.Encode(&mem); err != nil {
		return plumbing.ZeroHash, err
	}
	return mem.Hash(), nil
}

// recordPair notes that object older was the previous version, at the same
// path, of object newer (see deltaPairs). It goes into the sidecar of the
// next pack flushed.
func (r *Repo) recordPair(newer, older plumbing.Hash) {
	if newer == older || older.IsZero() || older == emptyTree {
		return
	}
	r.mu.Lock()
	r.pending.pairs = append(r.pending.pairs, deltaPair{newer: newer, older: older})
	r.mu.Unlock()
}

// writeObject stores an encoded object unless it is already present.
func (r *Repo) writeObject(obj *plumbing.MemoryObject) (plumbing.Hash, error) {
	rd, err := obj.Reader()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	data, err := io.ReadAll(rd)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	h := obj.Hash()
	r.mu.Lock()
	defer r.mu.Unlock()
	return h, r.putLocked(obj.Type(), h, data)
}

// putLocked adds an object to the pending pack unless it is pending or
// stored already: hashing and looking up is much cheaper than compressing,
// and an object written twice would only bloat the pack. A full pending pack
// is written out at once, so memory stays bounded however large the sync.
func (r *Repo) putLocked(t plumbing.ObjectType, h plumbing.Hash, data []byte) error {
	if r.pending.has(h) {
		return nil
	}
	if r.store.HasEncodedObject(h) == nil {
		r.freshenLocked(h)
		return nil
	}
	if err := r.pending.add(t, h, data); err != nil {
		return err
	}
	if r.pending.full() {
		return r.flushLocked()
	}
	return nil
}

// freshenLocked makes the pack holding h young again (its modification time
// now), as git freshens an object it finds instead of writing it: the tree
// being built relies on that copy before any ref names it, and a merge of
// every pack, in another process too, keeps all that a pack younger than
// pruneGrace holds. Once per pack and half a grace, so that a sync reusing
// many objects of one pack touches it once.
func (r *Repo) freshenLocked(h plumbing.Hash) {
	if !r.packs.loaded {
		r.packs.load()
	}
	for _, pf := range r.packs.packs {
		if _, _, ok := pf.find(h); !ok {
			continue
		}
		now := time.Now()
		if t, ok := r.freshened[pf.base]; ok && now.Sub(t) < pruneGrace/2 {
			return
		}
		if os.Chtimes(pf.base+".pack", now, now) == nil {
			if r.freshened == nil {
				r.freshened = map[string]time.Time{}
			}
			r.freshened[pf.base] = now
		}
		return
	}
}

// flushLocked writes the pending objects to a pack in the object store and
// makes the store see it. Anything that lets another process reach an object
// (a ref) must come after it.
func (r *Repo) flushLocked() error {
	if err := r.pending.flush(); err != nil {
		return err
	}
	r.packs.reset()
	// go-git reads its list of packs once; a new pack needs a re-read.
	if s, ok := r.store.(interface{ Reindex() }); ok {
		s.Reindex()
	}
	return nil
}

// hasObjectLocked reports whether an object is pending or stored.
func (r *Repo) hasObjectLocked(h plumbing.Hash) bool {
	return r.pending.has(h) || r.store.HasEncodedObject(h) == nil
}

// objectLocked returns an object of type t from the pending pack or the
// store.
func (r *Repo) objectLocked(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	obj, ok, err := r.pending.object(h)
	if !ok {
		return r.store.EncodedObject(t, h)
	}
	if err != nil {
		return nil, err
	}
	if obj.Type() != t {
		return nil, plumbing.ErrObjectNotFound
	}
	return obj, nil
}

// readTree loads one tree object (not its subtrees). The empty tree is
// answered without a lookup, as git itself does.
func (r *Repo) readTree(h plumbing.Hash) (*object.Tree, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readTreeLocked(h)
}

// readTreeLocked is readTree with r.mu held.
func (r *Repo) readTreeLocked(h plumbing.Hash) (*object.Tree, error) {
	if h == emptyTree {
		return &object.Tree{Hash: emptyTree}, nil
	}
	obj, err := r.objectLocked(plumbing.TreeObject, h)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	t, err := object.DecodeTree(r.store, obj)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	return t, nil
}

// readBlob returns a blob's bytes.
func (r *Repo) readBlob(h plumbing.Hash) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.pending.has(h) {
		if b, ok, err := r.packs.blob(h); ok || err != nil {
			return b, err
		}
	}
	obj, err := r.objectLocked(plumbing.BlobObject, h)
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
	return r.readCommitLocked(h)
}

// readCommitLocked is readCommit with r.mu held.
func (r *Repo) readCommitLocked(h plumbing.Hash) (*object.Commit, error) {
	obj, err := r.objectLocked(plumbing.CommitObject, h)
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", h, err)
	}
	c, err := object.DecodeCommit(r.store, obj)
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
