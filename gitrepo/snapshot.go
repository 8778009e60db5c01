package gitrepo

import (
	"fmt"
	"slices"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Snapshot is the flat, read-only file list of one commit: path → blob hash,
// built from tree objects alone. File contents are read from the object
// store on demand, so memory stays proportional to the number of paths.
// The list is two parallel slices sorted by path and searched by bisection:
// a map would cost more than the paths themselves (a restore of a large
// workspace holds a quarter of a million).
type Snapshot struct {
	repo   *Repo
	commit plumbing.Hash
	tree   plumbing.Hash
	paths  []string        // sorted byte-wise, without repeats
	hashes []plumbing.Hash // hashes[i] is the blob at paths[i]
	lazy   *lazyTree       // folders read on demand (LazySnapshot); nil when paths is whole
}

// Snapshot lists the files of commit; the zero hash gives an empty snapshot
// (a repository without commits).
func (r *Repo) Snapshot(commit plumbing.Hash) (*Snapshot, error) {
	tree, err := r.rootTree(commit)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", commit, err)
	}
	s := &Snapshot{repo: r, commit: commit, tree: tree}
	if err := s.walk("", tree); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", commit, err)
	}
	s.sort()
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
			s.add(p, e.Hash)
		}
	}
	return nil
}

// add appends one file; sort must be called once all are added.
func (s *Snapshot) add(path string, h plumbing.Hash) {
	s.paths = append(s.paths, path)
	s.hashes = append(s.hashes, h)
}

// sort orders the files by path, drops repeated paths (overlapping folders
// of SnapshotOf list a file twice) and cuts the slices to their length. A
// tree walk already yields git's order, which is byte order of the full
// paths, so the sort is usually a check.
func (s *Snapshot) sort() {
	if !sort.StringsAreSorted(s.paths) {
		order := make([]int, len(s.paths))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return s.paths[order[a]] < s.paths[order[b]] })
		paths, hashes := make([]string, len(order)), make([]plumbing.Hash, len(order))
		for i, j := range order {
			paths[i], hashes[i] = s.paths[j], s.hashes[j]
		}
		s.paths, s.hashes = paths, hashes
	}
	n := 0
	for i, p := range s.paths {
		if i > 0 && p == s.paths[n-1] {
			continue
		}
		s.paths[n], s.hashes[n] = p, s.hashes[i]
		n++
	}
	s.paths = slices.Clip(s.paths[:n])
	s.hashes = slices.Clip(s.hashes[:n])
	if cap(s.paths) > n+n/8 {
		s.paths, s.hashes = slices.Clone(s.paths), slices.Clone(s.hashes)
	}
}

// lookup finds path: by bisection, or in its folder for a lazy snapshot.
func (s *Snapshot) lookup(path string) (plumbing.Hash, bool) {
	if s.lazy != nil {
		return s.lazyLookup(path)
	}
	return s.bisect(path)
}

func (s *Snapshot) bisect(path string) (plumbing.Hash, bool) {
	i := sort.SearchStrings(s.paths, path)
	if i < len(s.paths) && s.paths[i] == path {
		return s.hashes[i], true
	}
	return plumbing.ZeroHash, false
}

// Commit returns the commit the snapshot was read from (zero if none).
func (s *Snapshot) Commit() plumbing.Hash { return s.commit }

// TreeHash returns the snapshot's root tree hash.
func (s *Snapshot) TreeHash() plumbing.Hash { return s.tree }

// Len returns the number of files.
func (s *Snapshot) Len() int { return len(s.Paths()) }

// Paths returns every file path, sorted byte-wise; the caller must not modify it.
func (s *Snapshot) Paths() []string {
	if s.lazy != nil {
		return s.lazyPaths()
	}
	return s.paths
}

// Hash returns the blob hash of path, and whether the path is a file of the snapshot.
func (s *Snapshot) Hash(path string) (plumbing.Hash, bool) {
	return s.lookup(path)
}

// Read returns the content of path; ErrNotFound if it is not in the snapshot.
func (s *Snapshot) Read(path string) ([]byte, error) {
	h, ok := s.lookup(path)
	if !ok {
		if err := s.lazyErr(); err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
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
