package gitrepo

import (
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// Has reports whether path is a file of the snapshot.
func (s *Snapshot) Has(path string) bool {
	_, ok := s.lookup(path)
	return ok
}

// PathsUnder returns the files below dir ("pages/<id>/"), sorted, found by
// binary search in the sorted path list.
func (s *Snapshot) PathsUnder(dir string) []string {
	if !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	if s.lazy != nil {
		return s.lazyPathsUnder(dir)
	}
	return s.eagerPathsUnder(dir)
}

func (s *Snapshot) eagerPathsUnder(dir string) []string {
	i := sort.SearchStrings(s.paths, dir)
	j := i
	for j < len(s.paths) && strings.HasPrefix(s.paths[j], dir) {
		j++
	}
	return s.paths[i:j:j]
}

// Same reports whether path holds exactly data, by comparing git's blob hash
// of data with the stored one: no read of the stored blob.
func (s *Snapshot) Same(path string, data []byte) bool {
	h, ok := s.lookup(path)
	return ok && h == plumbing.ComputeHash(plumbing.BlobObject, data)
}

// HasDir reports whether dir ("pages/<id>") is a folder of the snapshot,
// holding files. A lazy snapshot answers from the entries of the folder
// above, without reading dir itself: whether each of ten thousand pages is
// stored costs one read of pages/.
func (s *Snapshot) HasDir(dir string) bool {
	dir = strings.TrimSuffix(dir, "/")
	if s.lazy == nil {
		return len(s.eagerPathsUnder(dir+"/")) > 0
	}
	s.lazy.mu.Lock()
	defer s.lazy.mu.Unlock()
	if s.lazy.full {
		return len(s.eagerPathsUnder(dir+"/")) > 0
	}
	parent, name := "", dir
	if i := strings.LastIndexByte(dir, '/'); i >= 0 {
		parent, name = dir[:i], dir[i+1:]
	}
	d, err := s.dirLocked(parent)
	if err != nil && s.lazy.err == nil {
		s.lazy.err = err
	}
	if d == nil {
		return false
	}
	i, ok := d.find(name)
	return ok && d.dir[i]
}
