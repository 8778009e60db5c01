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
