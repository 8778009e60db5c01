package gitrepo

// Failpoint names a moment of a commit's publication (a checkpoint's ref,
// the branch move and the working-tree refresh after it) at which OpenOptions.Failpoint is
// called. Tests stop a sync there, as a kill would, or fail it there, as a
// full disk would, and check that the next sync heals what was left.
type Failpoint string

// The moments, in the order a publication reaches them.
const (
	// FailRefUpdate: a commit outside the branches (a sync's checkpoint)
	// and its objects are written; its reference has not moved.
	FailRefUpdate Failpoint = "ref update"
	// FailBeforeBranchMove: the refresh is marked pending; the branch has
	// not moved.
	FailBeforeBranchMove Failpoint = "before branch move"
	// FailRefLockWritten: a reference's new value (a checkpoint's, the
	// branch's) is written into <ref>.lock, not yet synced and renamed over
	// the reference (called once per reference write, between
	// FailRefUpdate or FailBeforeBranchMove and what follows them).
	FailRefLockWritten Failpoint = "ref lock written"
	// FailAfterBranchMove: the branch moved; no file has been written.
	FailAfterBranchMove Failpoint = "after branch move"
	// FailFileWritten: one more file of the refresh was written or deleted
	// (called once per file).
	FailFileWritten Failpoint = "file written"
	// FailSharedIndexWritten: a new shared index (splitindex.go) is in
	// place; .git/index, which will name it, is not yet written.
	FailSharedIndexWritten Failpoint = "shared index written"
	// FailIndexWrite: the new index is in index.lock, not yet renamed over
	// the index.
	FailIndexWrite Failpoint = "index write"
	// FailIndexWritten: the index is replaced; the pending mark is not yet
	// cleared.
	FailIndexWritten Failpoint = "index written"

	// The moments of a pack merge (Maintain), after a commit's publication.

	// FailMergeTemp: the merged pack and its index are written under
	// temporary names; nothing is renamed.
	FailMergeTemp Failpoint = "merge temp written"
	// FailMergeRenamed: the merged pack and its index are in place; the
	// packs it merged are not yet removed.
	FailMergeRenamed Failpoint = "merge renamed"
)

// fail calls the failpoint hook, if any, at p; a non-nil error is returned
// as if the step at p had failed.
func (r *Repo) fail(p Failpoint) error {
	if r.failpoint == nil {
		return nil
	}
	return r.failpoint(p)
}
