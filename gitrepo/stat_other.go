//go:build !linux

package gitrepo

import (
	"os"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// fillStat leaves ctime, device and inode unset where they are not portable:
// git then re-reads those files once and finds them clean.
func fillStat(e *index.Entry, fi os.FileInfo) {}
