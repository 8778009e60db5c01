package gitrepo

import (
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// CommitInfo is a commit as a history view shows it.
type CommitInfo struct {
	Hash      plumbing.Hash   // the commit itself
	Tree      plumbing.Hash   // its root tree
	Parents   []plumbing.Hash // none for the first commit
	Author    Signature       // who made the change
	Committer Signature       // who committed it; its time orders a history
	Message   string          // the whole message, trailers included
}

// FirstParent returns the first parent, or zero for a root commit: the
// history of a branch that syncs only ever append to.
func (c *CommitInfo) FirstParent() plumbing.Hash {
	if len(c.Parents) == 0 {
		return plumbing.ZeroHash
	}
	return c.Parents[0]
}

// Subject returns the first line of the message.
func (c *CommitInfo) Subject() string {
	subject, _, _ := strings.Cut(strings.TrimSpace(c.Message), "\n")
	return strings.TrimSpace(subject)
}

// ReadCommit returns the commit named by h.
func (r *Repo) ReadCommit(h plumbing.Hash) (*CommitInfo, error) {
	c, err := r.readCommit(h)
	if err != nil {
		return nil, err
	}
	return &CommitInfo{
		Hash:      h,
		Tree:      c.TreeHash,
		Parents:   c.ParentHashes,
		Author:    Signature{Name: c.Author.Name, Email: c.Author.Email, When: c.Author.When},
		Committer: Signature{Name: c.Committer.Name, Email: c.Committer.Email, When: c.Committer.When},
		Message:   c.Message,
	}, nil
}

// TreeHashOf returns the hash of the file or folder at path in commit's
// tree (a blob or tree hash) and whether it exists. It reads only the trees
// on the way to path, so comparing one page's folder across a long history
// costs a few small reads per commit, not a walk of every tree.
func (r *Repo) TreeHashOf(commit plumbing.Hash, path string) (plumbing.Hash, bool, error) {
	h, _, ok, err := r.entryAt(commit, path)
	return h, ok, err
}

// entryAt finds path in commit's tree; an empty path is the root tree.
func (r *Repo) entryAt(commit plumbing.Hash, path string) (plumbing.Hash, filemode.FileMode, bool, error) {
	h, err := r.rootTree(commit)
	if err != nil {
		return plumbing.ZeroHash, 0, false, err
	}
	return r.entryIn(h, path, nil)
}

// entryIn finds path in the root tree h. seen, if not nil, keeps the trees
// read on the way for the next call: SnapshotOf looks up thousands of page
// folders in one "pages" tree, whose entries are mapped once, not per path.
func (r *Repo) entryIn(h plumbing.Hash, path string, seen map[plumbing.Hash]map[string]object.TreeEntry) (plumbing.Hash, filemode.FileMode, bool, error) {
	mode := filemode.Dir
	path = strings.Trim(path, "/")
	if path == "" {
		return h, mode, true, nil
	}
	for _, name := range strings.Split(path, "/") {
		if mode != filemode.Dir {
			return plumbing.ZeroHash, 0, false, nil // a file on the way
		}
		entries, ok := seen[h]
		if !ok {
			var err error
			if entries, err = r.treeEntries(h); err != nil {
				return plumbing.ZeroHash, 0, false, err
			}
			if seen != nil {
				seen[h] = entries
			}
		}
		e, ok := entries[name]
		if !ok {
			return plumbing.ZeroHash, 0, false, nil
		}
		h, mode = e.Hash, e.Mode
	}
	return h, mode, true, nil
}

// SnapshotOf is Snapshot limited to some paths of commit: each of paths is
// a file, or a folder standing for everything under it; missing ones are
// skipped. A diff of two commits reads only the folders that changed this
// way, however large the tree.
func (r *Repo) SnapshotOf(commit plumbing.Hash, paths []string) (*Snapshot, error) {
	tree, err := r.rootTree(commit)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", commit, err)
	}
	return r.snapshotOf(commit, tree, paths)
}

// SnapshotOfTree is SnapshotOf for a root tree that no commit holds yet (a
// tree about to be committed, compared with its parent to word the commit
// message); its Commit is zero, and the zero hash is the empty tree.
func (r *Repo) SnapshotOfTree(tree plumbing.Hash, paths []string) (*Snapshot, error) {
	if tree.IsZero() {
		tree = emptyTree
	}
	return r.snapshotOf(plumbing.ZeroHash, tree, paths)
}

func (r *Repo) snapshotOf(commit, tree plumbing.Hash, paths []string) (*Snapshot, error) {
	name := commit
	if commit.IsZero() {
		name = tree
	}
	s := &Snapshot{repo: r, commit: commit, tree: tree}
	seen := map[plumbing.Hash]map[string]object.TreeEntry{}
	for _, p := range paths {
		p = strings.Trim(p, "/")
		h, mode, ok, err := r.entryIn(tree, p, seen)
		switch {
		case err != nil:
			return nil, fmt.Errorf("snapshot %s: %w", name, err)
		case !ok:
		case mode == filemode.Dir:
			prefix := p + "/"
			if p == "" {
				prefix = ""
			}
			if err := s.walk(prefix, h); err != nil {
				return nil, fmt.Errorf("snapshot %s: %w", name, err)
			}
		case isFileMode(mode):
			s.add(p, h)
		}
	}
	// Overlapping folders would list a file twice; sort keeps one.
	s.sort()
	return s, nil
}

// ChangedPaths lists, sorted, the files that differ between the trees of
// commits from and to (zero for none). Identical subtrees are skipped
// unread, so the cost follows the size of the change.
func (r *Repo) ChangedPaths(from, to plumbing.Hash) ([]string, error) {
	a, err := r.rootTree(from)
	if err != nil {
		return nil, err
	}
	b, err := r.rootTree(to)
	if err != nil {
		return nil, err
	}
	paths, err := r.ChangedTreePaths(a, b)
	if err != nil {
		return nil, fmt.Errorf("diff %s %s: %w", from, to, err)
	}
	return paths, nil
}
