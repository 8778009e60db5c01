package review

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
)

var (
	// ErrNotSnapshot is CheckSnapshot's answer for a commit that holds no
	// notion-git snapshot (no notion-git.json): a commit of another
	// project, or the workflow that init commits before the first sync.
	ErrNotSnapshot = errors.New("is not a notion-git snapshot")
	// ErrNewerFormat is CheckSnapshot's answer for a snapshot of a format
	// version this notion-git does not read.
	ErrNewerFormat = errors.New("was written by a newer notion-git")
)

// CheckSnapshot reports whether commit holds a snapshot that this
// notion-git reads, from its notion-git.json alone: the one check that
// show, diff and log make before they read a commit, so that they refuse
// the same commits with the same words instead of reading a tree of
// another project (or of a later format) as an empty or strange workspace.
func CheckSnapshot(repo *gitrepo.Repo, commit plumbing.Hash) error {
	snap, err := repo.SnapshotOf(commit, []string{layout.MetaPath})
	if err != nil {
		return err
	}
	if !snap.Has(layout.MetaPath) {
		return fmt.Errorf("%w: it has no %s", ErrNotSnapshot, layout.MetaPath)
	}
	b, err := snap.Read(layout.MetaPath)
	if err != nil {
		return err
	}
	// The version first: a newer format may change anything else.
	var v struct {
		FormatVersion json.Number `json:"format_version"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("%w: its %s does not parse: %v", ErrNotSnapshot, layout.MetaPath, err)
	}
	if n, err := v.FormatVersion.Int64(); err == nil && n > layout.FormatVersion {
		return fmt.Errorf("%w (format version %d; this one reads %d): upgrade notion-git to read it", ErrNewerFormat, n, layout.FormatVersion)
	}
	if _, err := layout.DecodeMeta(b); err != nil {
		return fmt.Errorf("%w: its %s: %v", ErrNotSnapshot, layout.MetaPath, err)
	}
	return nil
}
