package gitrepo

import "errors"

// Sentinel errors returned (wrapped) by this package; test them with errors.Is.
var (
	// ErrNotRepository means the directory holds no git repository and
	// OpenOptions.Create was not set.
	ErrNotRepository = errors.New("not a git repository")

	// ErrUnknownRevision means a revision did not name any commit.
	ErrUnknownRevision = errors.New("unknown revision")

	// ErrAmbiguousRevision means an abbreviated hash matched several commits.
	ErrAmbiguousRevision = errors.New("ambiguous revision")

	// ErrRefChanged means a branch no longer pointed at the expected commit
	// when UpdateBranch tried to move it: someone else committed meanwhile.
	ErrRefChanged = errors.New("branch moved concurrently")

	// ErrRefLocked means a reference's lock file exists and no note says that
	// it is the leftover of a notion-git write whose process has ended.
	ErrRefLocked = errors.New("reference locked by another git process")

	// ErrBrokenRef means a branch's ref file holds no commit hash (an empty
	// file is what a write cut short by an older version leaves).
	ErrBrokenRef = errors.New("broken reference")

	// ErrInvalidPath means a path cannot be stored in git as a file of the
	// snapshot (empty segment, ".", "..", ".git", NUL, leading or trailing slash).
	ErrInvalidPath = errors.New("invalid path")

	// ErrPathConflict means a path is used both as a file and as a folder.
	ErrPathConflict = errors.New("path is both a file and a folder")

	// ErrNotFound means a path is not in the snapshot.
	ErrNotFound = errors.New("no such file in snapshot")

	// ErrLocalChanges means the working tree or index has changes of its own
	// to a file that a worktree refresh would overwrite or delete.
	ErrLocalChanges = errors.New("local changes would be overwritten")
)
