package gitrepo

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// TreeBuilder edits a tree by path and writes only the folders that changed.
// Folders are loaded from the base tree lazily, when a path inside them is
// touched, so an edit of ten files in a 250,000-file tree reads and writes a
// handful of tree objects. Blobs are written when they are Put; only their
// hashes are kept in memory.
type TreeBuilder struct {
	repo *Repo
	root *dirNode
}

// dirNode is one folder. Until loaded it is known only by its base hash.
type dirNode struct {
	base    plumbing.Hash // tree hash in the base, zero for a new folder
	loaded  bool
	dirty   bool
	entries map[string]*treeEntry
	// gone holds the entries this builder removed from the folder, by
	// name, and prev the folder removed from this path before this one was
	// made. A page written again from scratch (DeleteDir, then every file
	// put anew) is then still known as new versions of its files and
	// folders, so the pairs a pack merge makes deltas from are recorded
	// for it as for a file replaced in place. Both are bounded by the
	// change: only what was removed and touched again is loaded.
	gone map[string]*treeEntry
	prev *dirNode
}

// treeEntry is a file (hash and mode) or a folder (dir).
type treeEntry struct {
	mode filemode.FileMode
	hash plumbing.Hash
	dir  *dirNode // non-nil for folders
}

// NewTreeBuilder starts from the root tree of base; the zero hash starts
// from an empty tree (the first commit).
func (r *Repo) NewTreeBuilder(base plumbing.Hash) (*TreeBuilder, error) {
	tree, err := r.rootTree(base)
	if err != nil {
		return nil, fmt.Errorf("tree builder: %w", err)
	}
	return &TreeBuilder{repo: r, root: &dirNode{base: tree}}, nil
}

// load reads the folder's entries from its base tree, once.
func (b *TreeBuilder) load(d *dirNode) error {
	if d.loaded {
		return nil
	}
	d.entries = make(map[string]*treeEntry)
	if !d.base.IsZero() {
		t, err := b.repo.readTree(d.base)
		if err != nil {
			return err
		}
		for _, e := range t.Entries {
			te := &treeEntry{mode: e.Mode, hash: e.Hash}
			if e.Mode == filemode.Dir {
				te.dir = &dirNode{base: e.Hash}
			}
			d.entries[e.Name] = te
		}
	}
	d.loaded = true
	return nil
}

// walk returns the folder holding path's last segment, loading folders on
// the way. With create it makes missing folders; without, it returns nil if
// one is missing. The folders on the way are appended to *trail so a change
// can mark them dirty.
func (b *TreeBuilder) walk(path string, create bool, trail *[]*dirNode) (*dirNode, string, error) {
	d := b.root
	segs := strings.Split(path, "/")
	for i, seg := range segs[:len(segs)-1] {
		if err := b.load(d); err != nil {
			return nil, "", err
		}
		*trail = append(*trail, d)
		e := d.entries[seg]
		switch {
		case e == nil && !create:
			return nil, "", nil
		case e == nil:
			nd := &dirNode{loaded: true, entries: map[string]*treeEntry{}}
			prev, err := b.previous(d, seg)
			if err != nil {
				return nil, "", err
			}
			if prev != nil && prev.dir != nil {
				nd.prev = prev.dir
			}
			e = &treeEntry{mode: filemode.Dir, dir: nd}
			d.entries[strings.Clone(seg)] = e
		case e.dir == nil && !create:
			return nil, "", nil
		case e.dir == nil:
			return nil, "", fmt.Errorf("%w: %s is a file", ErrPathConflict, strings.Join(segs[:i+1], "/"))
		}
		d = e.dir
	}
	if err := b.load(d); err != nil {
		return nil, "", err
	}
	*trail = append(*trail, d)
	return d, segs[len(segs)-1], nil
}

// Put stores data as the file at path (mode 100644), adding the blob to the
// repository's pending pack at once (the caller may reuse data). Putting the content a file already has changes
// nothing, so the tree hash stays the base's.
func (b *TreeBuilder) Put(path string, data []byte) error {
	if err := checkPath(path); err != nil {
		return err
	}
	var trail []*dirNode
	d, name, err := b.walk(path, true, &trail)
	if err != nil {
		return fmt.Errorf("put %s: %w", path, err)
	}
	old := d.entries[name]
	if old != nil && old.dir != nil {
		return fmt.Errorf("put %s: %w: it is a folder", path, ErrPathConflict)
	}
	h := plumbing.ComputeHash(plumbing.BlobObject, data)
	if old != nil && old.hash == h && old.mode == filemode.Regular {
		return nil
	}
	if err := b.repo.writeBlob(h, data); err != nil {
		return fmt.Errorf("put %s: %w", path, err)
	}
	prev := old
	if prev == nil {
		if prev, err = b.previous(d, name); err != nil {
			return fmt.Errorf("put %s: %w", path, err)
		}
	}
	if prev != nil && prev.dir == nil && (prev.mode == filemode.Regular || prev.mode == filemode.Executable) {
		// The version it replaces: a pack merge stores that one as a
		// delta against this one (see deltaPairs).
		b.repo.recordPair(h, prev.hash)
	}
	if s := b.repo.stage; s != nil {
		s.put(h, data)
	}
	// The name is cut from path: a copy keeps the rest of the path, folders
	// and all, from living as long as the tree (a map assignment stores
	// the key it is given, even over an equal one).
	d.entries[strings.Clone(name)] = &treeEntry{mode: filemode.Regular, hash: h}
	markDirty(trail)
	return nil
}

// Delete removes the file at path; a missing path is not an error. Folders
// left empty disappear when the tree is written.
func (b *TreeBuilder) Delete(path string) error {
	return b.remove(path, false)
}

// DeleteDir removes the folder prefix and everything under it (for a page
// crawled again from scratch); a missing folder is not an error.
func (b *TreeBuilder) DeleteDir(prefix string) error {
	return b.remove(strings.TrimSuffix(prefix, "/"), true)
}

func (b *TreeBuilder) remove(path string, dir bool) error {
	if err := checkPath(path); err != nil {
		return err
	}
	var trail []*dirNode
	d, name, err := b.walk(path, false, &trail)
	if err != nil {
		return fmt.Errorf("delete %s: %w", path, err)
	}
	if d == nil {
		return nil
	}
	e := d.entries[name]
	if e == nil || (e.dir != nil) != dir {
		return nil
	}
	delete(d.entries, name)
	if d.gone == nil {
		d.gone = make(map[string]*treeEntry)
	}
	// The name is the caller's path cut: copied, as in Put.
	d.gone[strings.Clone(name)] = e
	markDirty(trail)
	return nil
}

// previous returns the entry that was at name in folder d before this
// builder removed it: from d's removed entries, or from the folders
// removed from d's path before d was made, loaded for it. Nil if none.
func (b *TreeBuilder) previous(d *dirNode, name string) (*treeEntry, error) {
	if e := d.gone[name]; e != nil {
		return e, nil
	}
	for p := d.prev; p != nil; p = p.prev {
		if err := b.load(p); err != nil {
			return nil, err
		}
		if e := p.entries[name]; e != nil {
			return e, nil
		}
		if e := p.gone[name]; e != nil {
			return e, nil
		}
	}
	return nil, nil
}

func markDirty(trail []*dirNode) {
	for _, d := range trail {
		d.dirty = true
	}
}

// Write stores the tree objects of every changed folder and returns the root
// tree hash. Unchanged folders keep their base hash without being read.
// The builder stays usable: later edits build on what was written.
func (b *TreeBuilder) Write() (plumbing.Hash, error) {
	h, _, err := b.write(b.root, true)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write tree: %w", err)
	}
	if h.IsZero() {
		// An empty snapshot still needs a root tree to commit.
		if h, err = b.repo.writeTree(nil); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("write tree: %w", err)
		}
		b.root.base = h
	}
	return h, nil
}

// Hash returns the root tree hash Write would return, storing nothing and
// leaving the builder as it was. A sync asks it whether anything changed
// before it adds its state file: a tree written only to be compared would
// stay in the repository, referenced by nothing.
func (b *TreeBuilder) Hash() (plumbing.Hash, error) {
	h, _, err := b.write(b.root, false)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("hash tree: %w", err)
	}
	if h.IsZero() {
		return emptyTree, nil
	}
	return h, nil
}

// write returns the folder's tree hash, or zero if it ended up empty (git
// has no empty folders, so the parent drops it). Without store it only
// computes the hash: nothing is written and the folders are left as they
// were (dirty, empty ones kept), so a later Write does the same work again.
func (b *TreeBuilder) write(d *dirNode, store bool) (plumbing.Hash, bool, error) {
	if !d.dirty {
		return d.base, !d.base.IsZero(), nil
	}
	entries := make([]object.TreeEntry, 0, len(d.entries))
	for name, e := range d.entries {
		h := e.hash
		if e.dir != nil {
			var ok bool
			var err error
			h, ok, err = b.write(e.dir, store)
			if err != nil {
				return plumbing.ZeroHash, false, err
			}
			if !ok {
				if store {
					delete(d.entries, name)
				}
				continue
			}
			if store {
				e.hash = h
			}
		}
		entries = append(entries, object.TreeEntry{Name: name, Mode: e.mode, Hash: h})
	}
	if len(entries) == 0 {
		if store {
			d.dirty = false
			d.base = plumbing.ZeroHash
		}
		return plumbing.ZeroHash, false, nil
	}
	sort.Slice(entries, func(i, j int) bool {
		return gitNameLess(entries[i].Name, entries[i].Mode == filemode.Dir, entries[j].Name, entries[j].Mode == filemode.Dir)
	})
	if !store {
		h, err := treeHash(entries)
		return h, err == nil, err
	}
	h, err := b.repo.writeTree(entries)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	older := d.base
	for p := d.prev; older.IsZero() && p != nil; p = p.prev {
		older = p.base // the folder this one replaced (see dirNode.gone)
	}
	if !older.IsZero() && older != h {
		// The folder's previous version, for a delta as with files.
		b.repo.recordPair(h, older)
	}
	d.dirty = false
	d.base = h
	return h, true, nil
}
