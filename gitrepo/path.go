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
	if aDir {
		a += "/"
	}
	if bDir {
		b += "/"
	}
	return a < b
}
