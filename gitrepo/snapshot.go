package gitrepo

import (
	"fmt"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Snapshot is the flat, read-only file list of one commit: path → blob hash,
// built from tree objects alone. File contents are read from the object
// store on demand, so memory stays proportional to the number of paths.
type Snapshot struct {
	repo   *Repo
	commit plumbing.Hash
	tree   plumbing.Hash
	paths  []string // sorted byte-wise
	hashes map[string]plumbing.Hash
}

// Snapshot lists the files of commit; the zero hash gives an empty snapshot
// (a repository without commits).
func (r *Repo) Snapshot(commit plumbing.Hash) (*Snapshot, error) {
	tree, err := r.rootTree(commit)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", commit, err)
	}
	s := &Snapshot{repo: r, commit: commit, tree: tree, hashes: make(map[string]plumbing.Hash)}
	if err := s.walk("", tree); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", commit, err)
	}
	sort.Strings(s.paths)
	return s, nil
}

func (s *Snapshot) walk(prefix string, tree plumbing.Hash) error {
	t, err := s.repo.readTree(tree)
	if err != nil {
		return err
	}
	for _, e := range t.Entries {
		p := prefix + e.Name
		switch e.Mode {
		case filemode.Dir:
			if err := s.walk(p+"/", e.Hash); err != nil {
				return err
			}
		case filemode.Submodule:
			// A submodule's commit is not in this repository: not a file of ours.
		default:
			s.paths = append(s.paths, p)
			s.hashes[p] = e.Hash
		}
	}
	return nil
}

// Commit returns the commit the snapshot was read from (zero if none).
func (s *Snapshot) Commit() plumbing.Hash { return s.commit }

// TreeHash returns the snapshot's root tree hash.
func (s *Snapshot) TreeHash() plumbing.Hash { return s.tree }

// Len returns the number of files.
func (s *Snapshot) Len() int { return len(s.paths) }

// Paths returns every file path, sorted byte-wise; the caller must not modify it.
func (s *Snapshot) Paths() []string { return s.paths }

// Hash returns the blob hash of path, and whether the path is a file of the snapshot.
func (s *Snapshot) Hash(path string) (plumbing.Hash, bool) {
	h, ok := s.hashes[path]
	return h, ok
}

// Read returns the content of path; ErrNotFound if it is not in the snapshot.
func (s *Snapshot) Read(path string) ([]byte, error) {
	h, ok := s.hashes[path]
	if !ok {
		return nil, fmt.Errorf("read %s: %w", path, ErrNotFound)
	}
	b, err := s.repo.readBlob(h)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return b, nil
}

// FileReader is the read side of a snapshot as its consumers need it.
type FileReader interface {
	Paths() []string
	Read(path string) ([]byte, error)
}

var _ FileReader = (*Snapshot)(nil)
