package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// maxNamedPaths caps how many conflicting paths an error message lists.
const maxNamedPaths = 10

// RefreshWorktree brings the working tree and index of a non-bare repository
// from oldCommit to newCommit, touching only the files that differ, after
// UpdateBranch moved the checked-out branch. It does nothing for a bare
// repository or when HEAD does not point at newCommit (another branch is
// checked out). oldCommit is zero for the first commit. changed, if not
// nil, limits the refresh to those paths (a folder covers what is under it);
// nil diffs the two trees, skipping identical subtrees. Before writing
// anything it returns ErrLocalChanges, naming the paths, if a file it would
// change has local modifications.
func (r *Repo) RefreshWorktree(oldCommit, newCommit plumbing.Hash, changed []string) error {
	if r.Bare() {
		return nil
	}
	branch, ok, err := r.CurrentBranch()
	if err != nil || !ok {
		return err
	}
	tip, ok, err := r.Head(branch)
	if err != nil || !ok || tip != newCommit {
		return err
	}
	plan, err := r.planRefresh(oldCommit, newCommit, changed, nil)
	if err != nil {
		return err
	}
	return r.applyRefresh(plan)
}

// CheckWorktree reports, without changing anything, whether a refresh from
// oldCommit to newCommit would overwrite local changes (ErrLocalChanges
// naming the paths). A sync calls it before moving the branch so that it can
// refuse early. A bare repository has nothing to check.
func (r *Repo) CheckWorktree(oldCommit, newCommit plumbing.Hash, changed []string) error {
	if r.Bare() {
		return nil
	}
	_, err := r.planRefresh(oldCommit, newCommit, changed, nil)
	return err
}

// Refresh is a branch move and the worktree refresh it calls for, planned
// and checked before the branch moves and applied after: the trees are
// diffed and local changes looked for once.
type Refresh struct {
	r                    *Repo
	branch               string
	oldCommit, newCommit plumbing.Hash
	plan                 *refreshPlan // nil when the branch is not checked out
}

// PrepareRefresh plans the move of branch from oldCommit to newCommit and,
// if branch is the checked-out branch of a non-bare repository, the refresh
// of the working tree from one to the other, checked as CheckWorktree does
// (ErrLocalChanges naming the paths). It changes nothing. Another branch,
// or a bare repository, gives a Refresh that only moves the branch: the
// working tree belongs to the checked-out branch.
func (r *Repo) PrepareRefresh(branch string, oldCommit, newCommit plumbing.Hash, changed []string) (*Refresh, error) {
	f := &Refresh{r: r, branch: branch, oldCommit: oldCommit, newCommit: newCommit}
	if r.Bare() {
		return f, nil
	}
	if cur, ok, err := r.CurrentBranch(); err != nil || !ok || cur != branch {
		return f, err
	}
	plan, err := r.planRefresh(oldCommit, newCommit, changed, nil)
	if errors.Is(err, ErrLocalChanges) {
		healed, herr := r.finishUnmarkedRefresh(oldCommit)
		switch {
		case herr != nil:
			err = herr
		case healed:
			plan, err = r.planRefresh(oldCommit, newCommit, changed, nil)
		}
	}
	if err != nil {
		return nil, err
	}
	f.plan = plan
	return f, nil
}

// finishUnmarkedRefresh repairs the working tree that a run killed before
// refreshes were marked (see FinishRefresh) left behind: the branch at
// tip, every file still at its version in tip's first parent or already at
// tip's. Such a tree fails every later refresh check. If each file that
// differs between the two commits is at one of those versions, the refresh
// from the parent to tip is finished, and the temporary files it left
// are removed; it reports whether it did. A file at any other version is a
// person's change: nothing is touched. (A file a person set back to the parent's version is taken for
// an unfinished refresh; its content is the parent commit's, so nothing
// is lost.) When it refuses, its error names the files a person changed.
func (r *Repo) finishUnmarkedRefresh(tip plumbing.Hash) (bool, error) {
	if tip.IsZero() {
		return false, nil
	}
	c, err := r.ReadCommit(tip)
	if err != nil || c.FirstParent().IsZero() {
		return false, err
	}
	plan, err := r.planRefresh(c.FirstParent(), tip, nil, nil)
	if err != nil {
		// ErrLocalChanges here names the files a person changed, where
		// the caller's names every file still at the parent's version.
		return false, err
	}
	r.removeTempFiles(plan.changes)
	if err := r.applyRefresh(plan); err != nil {
		return false, fmt.Errorf("finish an earlier run's worktree refresh: %w", err)
	}
	return true, nil
}

// MoveBranch moves the branch from the old commit to the new one
// (UpdateBranch). When the working tree follows the branch, it first marks
// the refresh pending in the git directory, so that whatever stops the
// refresh (a kill, a full disk), FinishRefresh completes it on the next run.
func (f *Refresh) MoveBranch() error {
	if f.plan != nil {
		if err := f.r.markRefresh(refreshMarker{Branch: f.branch, From: f.oldCommit.String(), To: f.newCommit.String(), PID: os.Getpid()}); err != nil {
			return err
		}
		if err := f.r.fail(FailBeforeBranchMove); err != nil {
			f.r.clearRefreshMark()
			return err
		}
	}
	if err := f.r.UpdateBranch(f.branch, f.oldCommit, f.newCommit); err != nil {
		if f.plan != nil {
			f.r.clearRefreshMark()
		}
		return err
	}
	return nil
}

// Apply writes the planned files and index entries, if the checked-out
// branch now points at the new commit (as RefreshWorktree, it leaves another
// checked-out branch alone), and clears the pending mark. If it fails, the
// mark stays and FinishRefresh completes the refresh later.
func (f *Refresh) Apply() error {
	if f == nil {
		return nil
	}
	// What the refresh did not move from the stage is of no further use.
	defer f.r.dropStage()
	if f.plan == nil {
		return nil
	}
	branch, ok, err := f.r.CurrentBranch()
	if err != nil || !ok || branch != f.branch {
		return err
	}
	tip, ok, err := f.r.Head(branch)
	if err != nil || !ok || tip != f.newCommit {
		return err
	}
	if err := f.r.fail(FailAfterBranchMove); err != nil {
		return fmt.Errorf("refresh worktree: %w", err)
	}
	if err := f.r.applyRefresh(f.plan); err != nil {
		return err
	}
	if err := f.r.fail(FailIndexWritten); err != nil {
		return err
	}
	f.r.clearRefreshMark()
	return nil
}

// refreshPlan is a checked list of changes and the index they apply to.
type refreshPlan struct {
	changes []fileChange // sorted by path
	idx     stagedIndex
}

// planRefresh diffs the two commits and checks that the working tree holds,
// for each changed file, the old or the new version, or the version in also
// (nil: none), the commit an interrupted refresh was bringing it to.
func (r *Repo) planRefresh(oldCommit, newCommit plumbing.Hash, changed []string, also *Snapshot) (*refreshPlan, error) {
	oldTree, err := r.rootTree(oldCommit)
	if err != nil {
		return nil, fmt.Errorf("refresh worktree: %w", err)
	}
	newTree, err := r.rootTree(newCommit)
	if err != nil {
		return nil, fmt.Errorf("refresh worktree: %w", err)
	}
	// Reading and checking a large index takes as long as the diff: the
	// two run side by side.
	type indexResult struct {
		idx stagedIndex
		err error
	}
	indexed := make(chan indexResult, 1)
	go func() {
		idx, err := r.readIndex()
		indexed <- indexResult{idx, err}
	}()
	changes, err := r.diffTrees(oldTree, newTree, newPathFilter(changed))
	if err != nil {
		return nil, fmt.Errorf("refresh worktree: %w", err)
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].path < changes[j].path })
	res := <-indexed
	idx, err := res.idx, res.err
	if err != nil {
		return nil, fmt.Errorf("refresh worktree: %w", err)
	}
	paths := make([]string, len(changes))
	for i, c := range changes {
		paths[i] = c.path
	}
	if err := idx.prefetch(paths); err != nil {
		return nil, fmt.Errorf("refresh worktree: read index: %w", err)
	}
	removed := make(map[string]bool)
	for _, c := range changes {
		if !c.to.exists() {
			removed[c.path] = true
		}
	}
	var dirty []string
	for _, c := range changes {
		if err := checkPath(c.path); err != nil {
			return nil, fmt.Errorf("refresh worktree: %w", err)
		}
		var alsoHash plumbing.Hash
		if also != nil {
			alsoHash, _ = also.lookup(c.path)
		}
		ok, err := r.unmodified(c, alsoHash, idx.entries(c.path), removed)
		if err != nil {
			return nil, fmt.Errorf("refresh worktree: %s: %w", c.path, err)
		}
		if !ok {
			dirty = append(dirty, c.path)
		}
	}
	if len(dirty) > 0 {
		return nil, localChangesError(dirty)
	}
	return &refreshPlan{changes: changes, idx: idx}, nil
}

func localChangesError(paths []string) error {
	more := ""
	if len(paths) > maxNamedPaths {
		more = fmt.Sprintf(" and %d more", len(paths)-maxNamedPaths)
		paths = paths[:maxNamedPaths]
	}
	return fmt.Errorf("refresh worktree: %w: %s%s", ErrLocalChanges, strings.Join(paths, ", "), more)
}

// unmodified reports whether the working tree and index hold, for c.path,
// either the old version (which the refresh may replace) or already the new
// one, or also (when not zero), so that refreshing loses nothing. removed
// holds the files the refresh deletes.
func (r *Repo) unmodified(c fileChange, also plumbing.Hash, entries []*index.Entry, removed map[string]bool) (bool, error) {
	known := func(h plumbing.Hash) bool {
		return h == c.from.hash || h == c.to.hash || (!also.IsZero() && h == also)
	}
	var staged *index.Entry
	for _, e := range entries {
		// Stage 0 is a normal entry. (go-git's index.Merged constant is 1,
		// which is AncestorMode, so the number is spelled out.)
		if e.Stage != 0 {
			return false, nil // an unresolved merge conflict
		}
		staged = e
	}
	if staged != nil && !known(staged.Hash) {
		return false, nil // a change added to the index
	}
	full := filepath.Join(r.workDir, filepath.FromSlash(c.path))
	fi, err := os.Lstat(full)
	if errors.Is(err, os.ErrNotExist) {
		// Nothing on disk: no content can be lost.
		return true, nil
	}
	if errors.Is(err, syscall.ENOTDIR) {
		// A file stands where the new tree has a folder: fine if the
		// refresh deletes that file (its own check keeps its content).
		return removed[r.fileAbove(c.path)], nil
	}
	if err != nil {
		return false, err
	}
	if fi.IsDir() {
		// A folder where the old tree had no file: it is the old tree's
		// folder, emptied by this refresh's deletions, or else removing it
		// fails later without touching what is inside.
		return !c.from.exists(), nil
	}
	if staged != nil && staged.Hash == c.from.hash && statMatches(staged, fi) {
		return true, nil
	}
	h, err := worktreeHash(full, fi)
	if err != nil {
		return false, err
	}
	return known(h), nil
}

// fileAbove returns the closest folder of path that is not a folder on disk.
func (r *Repo) fileAbove(path string) string {
	segs := strings.Split(path, "/")
	for n := 1; n < len(segs); n++ {
		dir := strings.Join(segs[:n], "/")
		fi, err := os.Lstat(filepath.Join(r.workDir, filepath.FromSlash(dir)))
		if err != nil || !fi.IsDir() {
			return dir
		}
	}
	return ""
}

// statMatches is git's cheap check that a file has not changed since its
// index entry was written.
func statMatches(e *index.Entry, fi os.FileInfo) bool {
	return int64(e.Size) == fi.Size()&0xffffffff && e.ModifiedAt.Equal(fi.ModTime())
}

// worktreeHash hashes a working tree file (or symlink target) as a blob.
func worktreeHash(full string, fi os.FileInfo) (plumbing.Hash, error) {
	var data []byte
	var err error
	if fi.Mode()&os.ModeSymlink != 0 {
		var target string
		target, err = os.Readlink(full)
		data = []byte(target)
	} else {
		data, err = os.ReadFile(full)
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return plumbing.ComputeHash(plumbing.BlobObject, data), nil
}

// applyRefresh deletes, then writes, then records the result in the index.
// Deleting first lets a file replace a folder (or the other way round).
func (r *Repo) applyRefresh(p *refreshPlan) error {
	updates := make([]indexUpdate, len(p.changes))
	for i, c := range p.changes {
		updates[i].path = c.path
		if c.to.exists() {
			continue
		}
		full := filepath.Join(r.workDir, filepath.FromSlash(c.path))
		if err := os.Remove(full); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("refresh worktree: %w", err)
		}
		r.removeEmptyParents(filepath.Dir(full))
		if err := r.fail(FailFileWritten); err != nil {
			return fmt.Errorf("refresh worktree: %w", err)
		}
	}
	for i, c := range p.changes {
		if !c.to.exists() {
			continue
		}
		e, err := r.checkout(c.path, c.to)
		if err != nil {
			return fmt.Errorf("refresh worktree: %w", err)
		}
		updates[i].entry = e
		if err := r.fail(FailFileWritten); err != nil {
			return fmt.Errorf("refresh worktree: %w", err)
		}
	}
	return p.idx.write(r, updates)
}

// checkout writes one file from the object store into the working tree and
// returns its index entry, with the stat data of the file as written.
// A file of a first sync is moved from the stage (checkoutStage) when it is
// there; any other is read from the object store.
func (r *Repo) checkout(path string, f fileState) (*index.Entry, error) {
	full := filepath.Join(r.workDir, filepath.FromSlash(path))
	dir := filepath.Dir(full)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(full); err == nil && fi.IsDir() {
		if err := os.Remove(full); err != nil {
			return nil, fmt.Errorf("%s: a folder is in the way: %w", path, err)
		}
	}
	if f.mode != filemode.Regular || r.stage == nil || !r.stage.take(f.hash, full) {
		data, err := r.readBlob(f.hash)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if f.mode == filemode.Symlink {
			os.Remove(full)
			if err := os.Symlink(string(data), full); err != nil {
				return nil, err
			}
		} else if err := writeFileAtomic(full, data, f.mode); err != nil {
			return nil, err
		}
	}
	fi, err := os.Lstat(full)
	if err != nil {
		return nil, err
	}
	mode := f.mode
	if mode == filemode.Deprecated {
		mode = filemode.Regular
	}
	e := &index.Entry{
		Name:       path,
		Hash:       f.hash,
		Mode:       mode,
		Size:       uint32(fi.Size()),
		ModifiedAt: fi.ModTime(),
	}
	fillStat(e, fi)
	return e, nil
}

// writeFileAtomic writes through a temporary file and a rename, so a kill
// never leaves a half-written file in the working tree.
func writeFileAtomic(full string, data []byte, mode filemode.FileMode) error {
	perm := os.FileMode(0o644)
	if mode == filemode.Executable {
		perm = 0o755
	}
	tmp, err := os.CreateTemp(filepath.Dir(full), tempPrefix+"*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), full)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// removeEmptyParents removes folders emptied by deletions, up to the
// working tree's root, as git does: git does not track empty folders.
func (r *Repo) removeEmptyParents(dir string) {
	for dir != r.workDir && strings.HasPrefix(dir, r.workDir) {
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// checkoutStageDir is the folder, in the git directory, of the staged files
// of a first sync (checkoutStage), one per process: checkout-<pid>.
const checkoutStageDir = "notion-git"

// checkoutStage keeps a copy of every file a first sync writes, named by
// blob hash, for the refresh after its commit to move into the empty
// working tree. Without it the refresh reads every blob back from the
// packs just written and inflates it again. The files are written to disk
// as they pass through the TreeBuilder, so memory holds none of them. A
// staged file is only ever a complete blob under its own hash (written
// under a temporary name, then renamed), so a file the stage has is always
// right to use; one it lacks is read from the packs as before. The stage
// changes nothing in the crash safety of a refresh: the working tree only
// gets files after the branch moved and the refresh was marked, and a run
// that stops leaves at most a folder in the git directory, which
// RemoveStaleFiles removes once its process is gone.
type checkoutStage struct {
	dir string
	mu  sync.Mutex
	off bool      // a write failed: stage nothing more
	fan [256]bool // the fan-out folders made so far
}

func stageDirOf(gitDir string, pid int) string {
	return filepath.Join(gitDir, checkoutStageDir, "checkout-"+strconv.Itoa(pid))
}

// StageCheckout makes the builder keep, beside each blob it writes, the
// file for the working tree, when the commit it builds will be checked out
// into an empty working tree: the first commit of branch, the checked-out
// branch of a non-bare repository, built from nothing. Otherwise it does
// nothing. The refresh after the commit moves the staged files into place
// (Refresh.Apply), and removes what is left of the stage.
func (b *TreeBuilder) StageCheckout(branch string) error {
	r := b.repo
	if r.Bare() || b.root.base != emptyTree || r.stage != nil {
		return nil
	}
	if cur, ok, err := r.CurrentBranch(); err != nil || !ok || cur != branch {
		return err
	}
	if _, ok, err := r.Head(branch); err != nil || ok {
		return err
	}
	dir := stageDirOf(r.gitDir, os.Getpid())
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("stage checkout: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("stage checkout: %w", err)
	}
	// A git directory on another file system than the working tree (a
	// linked worktree, GIT_DIR) cannot rename into it: no stage then.
	probe, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("stage checkout: %w", err)
	}
	probe.Close()
	moved := filepath.Join(r.workDir, filepath.Base(probe.Name()))
	if err := os.Rename(probe.Name(), moved); err != nil {
		os.RemoveAll(dir)
		return nil
	}
	os.Remove(moved)
	r.stage = &checkoutStage{dir: dir}
	return nil
}

// path is where the stage keeps the blob h, fanned out as git's loose
// objects are so that no folder holds a quarter of a million files.
func (s *checkoutStage) path(h plumbing.Hash) string {
	hex := h.String()
	return filepath.Join(s.dir, hex[:2], hex[2:])
}

// put stages data as blob h. Staging only saves work: a failure turns the
// stage off, and the refresh reads what it lacks from the packs.
func (s *checkoutStage) put(h plumbing.Hash, data []byte) {
	s.mu.Lock()
	if s.off {
		s.mu.Unlock()
		return
	}
	if !s.fan[h[0]] {
		if err := os.MkdirAll(filepath.Dir(s.path(h)), 0o755); err != nil {
			s.off = true
			s.mu.Unlock()
			return
		}
		s.fan[h[0]] = true
	}
	s.mu.Unlock()
	if err := writeFileAtomic(s.path(h), data, filemode.Regular); err != nil {
		s.mu.Lock()
		s.off = true
		s.mu.Unlock()
	}
}

// take moves the staged blob h to full, and reports whether it could. A
// blob staged once serves one path: a second path with the same content is
// read from the packs.
func (s *checkoutStage) take(h plumbing.Hash, full string) bool {
	return os.Rename(s.path(h), full) == nil
}

// dropStage removes the stage and what is left in it.
func (r *Repo) dropStage() {
	if r.stage != nil {
		os.RemoveAll(r.stage.dir)
		r.stage = nil
	}
}

// removeStaleStages removes the stages of processes that have ended.
func (r *Repo) removeStaleStages() error {
	dir := filepath.Join(r.gitDir, checkoutStageDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // no stage was ever made
	}
	var errs []error
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), "checkout-")
		pid, err := strconv.Atoi(rest)
		if !ok || err != nil || !e.IsDir() || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			errs = append(errs, fmt.Errorf("remove a stale checkout stage: %w", err))
		}
	}
	return errors.Join(errs...)
}
