package gitrepo

import (
	"fmt"
	"strings"
)

// checkPath rejects paths that git cannot hold as a file, or that would
// escape the working tree when checked out (a tree read from disk is
// untrusted too, so the worktree refresh checks again).
func checkPath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.ContainsRune(p, 0) {
		return fmt.Errorf("%w: %q", ErrInvalidPath, p)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.EqualFold(seg, ".git") {
			return fmt.Errorf("%w: %q", ErrInvalidPath, p)
		}
	}
	return nil
}

// gitNameLess orders tree entries the way git does: a folder's name compares
// as if it ended with "/", so "a-b" < "a.json" < "a/" < "a0". Git rejects
// (and fsck flags) trees sorted any other way.
func gitNameLess(a string, aDir bool, b string, bDir bool) bool {
	// Compared in place: trees are sorted on every write, and building
	// name+"/" strings made the sort of a 10,000-entry folder allocate
	// hundreds of thousands of times.
	n := min(len(a), len(b))
	if a[:n] != b[:n] {
		return a[:n] < b[:n]
	}
	// One name is a prefix of the other (entry names hold no '/'): what
	// follows decides, a folder's name going on with '/'.
	return nameByteAt(a, n, aDir) < nameByteAt(b, n, bDir)
}

// nameByteAt is byte i of name as git sorts it, -1 past its end.
func nameByteAt(name string, i int, dir bool) int {
	switch {
	case i < len(name):
		return int(name[i])
	case i == len(name) && dir:
		return '/'
	}
	return -1
}
