package gitrepo

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// refreshMarkerFile, in the git directory, says that a working-tree refresh
// was under way: it is written before the branch moves and removed once the
// files and the index are written. While it exists, the working tree holds
// for each file its version in From or in To, and FinishRefresh completes
// the refresh.
const refreshMarkerFile = "notion-git/refresh.json"

// tempPrefix begins the name of the temporary file writeFileAtomic writes a
// file through (os.CreateTemp adds digits).
const tempPrefix = ".notion-git-"

type refreshMarker struct {
	Branch string `json:"branch"`
	From   string `json:"from"` // zero for a branch's first commit
	To     string `json:"to"`
	PID    int    `json:"pid"` // the process refreshing
}

func (r *Repo) markerPath() string {
	return filepath.Join(r.gitDir, filepath.FromSlash(refreshMarkerFile))
}

// markRefresh writes the marker through a rename, so that it is whole or
// absent.
func (r *Repo) markRefresh(m refreshMarker) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	p := r.markerPath()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("mark the worktree refresh pending: %w", err)
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("mark the worktree refresh pending: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("mark the worktree refresh pending: %w", err)
	}
	return nil
}

// clearRefreshMark removes the marker. Failing to is harmless: the next
// FinishRefresh finds the working tree already refreshed and removes it.
func (r *Repo) clearRefreshMark() {
	_ = os.Remove(r.markerPath())
}

// ErrRefreshBusy means another process is refreshing the working tree, or
// holds the index lock, so FinishRefresh left it alone.
var ErrRefreshBusy = errors.New("the working tree is being updated by another process")

// FinishRefresh completes a working-tree refresh that an earlier run left
// pending (it was killed, or a write failed after the branch moved): it
// brings the working tree and index from the marker's old commit to the
// branch's tip, removes the temporary files the refresh left, and clears
// the marker. As a refresh, it overwrites nothing a person changed: such
// files are refused with ErrLocalChanges naming them, and kept. It reports
// whether a refresh was pending. A bare repository has none.
func (r *Repo) FinishRefresh() (bool, error) {
	if r.Bare() {
		return false, nil
	}
	p := r.markerPath()
	os.Remove(p + ".tmp") // a marker whose write was cut short: the branch never moved
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("finish the interrupted worktree refresh: %w", err)
	}
	markerInfo, err := os.Stat(p)
	if err != nil {
		return true, fmt.Errorf("finish the interrupted worktree refresh: %w", err)
	}
	var m refreshMarker
	var from, to plumbing.Hash
	if err := json.Unmarshal(b, &m); err != nil || !isHash(m.From) || !isHash(m.To) {
		// Not one this package wrote whole: nothing says what to finish.
		r.clearRefreshMark()
		return true, nil
	}
	from, to = plumbing.NewHash(m.From), plumbing.NewHash(m.To)
	if m.PID != os.Getpid() && processAlive(m.PID) {
		return true, fmt.Errorf("finish the interrupted worktree refresh: %w (process %d, as %s says); run again once it has finished, or remove that file if no notion-git runs",
			ErrRefreshBusy, m.PID, p)
	}
	branch, ok, err := r.CurrentBranch()
	if err != nil {
		return true, fmt.Errorf("finish the interrupted worktree refresh: %w", err)
	}
	tip, hasTip, err := r.Head(m.Branch)
	if err != nil {
		return true, fmt.Errorf("finish the interrupted worktree refresh: %w", err)
	}
	if !ok || branch != m.Branch || !hasTip {
		// Another branch is checked out now: the working tree is its own.
		r.clearRefreshMark()
		return true, nil
	}
	if err := r.removeStaleIndexLock(markerInfo); err != nil {
		return true, err
	}
	// The temporary files are in the folders the interrupted refresh
	// wrote to: those of the changes from From to To.
	interrupted, err := r.diffCommits(from, to)
	if err != nil {
		return true, fmt.Errorf("finish the interrupted worktree refresh: %w", err)
	}
	r.removeTempFiles(interrupted)
	// Each file is at its From or its To version; if the branch moved on
	// since (a person's git command), the tip's version counts too.
	var also *Snapshot
	if tip != to {
		if also, err = r.Snapshot(to); err != nil {
			return true, fmt.Errorf("finish the interrupted worktree refresh: %w", err)
		}
	}
	plan, err := r.planRefresh(from, tip, nil, also)
	if err != nil {
		return true, fmt.Errorf("finish the interrupted worktree refresh: %w", err)
	}
	if err := r.applyRefresh(plan); err != nil {
		return true, fmt.Errorf("finish the interrupted worktree refresh: %w", err)
	}
	if err := r.fail(FailIndexWritten); err != nil {
		return true, fmt.Errorf("finish the interrupted worktree refresh: %w", err)
	}
	r.clearRefreshMark()
	return true, nil
}

// removeStaleIndexLock removes an index.lock that the interrupted refresh
// left: one written after its marker, whose owner is gone (FinishRefresh
// checked the marker's process). An older lock is another git command's,
// and a refresh cannot go on while it stands.
func (r *Repo) removeStaleIndexLock(marker os.FileInfo) error {
	lock := filepath.Join(r.gitDir, "index.lock")
	fi, err := os.Stat(lock)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("finish the interrupted worktree refresh: %w", err)
	}
	if fi.ModTime().Before(marker.ModTime()) {
		return fmt.Errorf("finish the interrupted worktree refresh: %w: %s exists and is older than the refresh; if no git command is running, remove it and run again",
			ErrRefreshBusy, lock)
	}
	if err := os.Remove(lock); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("finish the interrupted worktree refresh: remove the stale %s: %w", lock, err)
	}
	return nil
}

// diffCommits lists the files that differ between two commits.
func (r *Repo) diffCommits(a, b plumbing.Hash) ([]fileChange, error) {
	ta, err := r.rootTree(a)
	if err != nil {
		return nil, err
	}
	tb, err := r.rootTree(b)
	if err != nil {
		return nil, err
	}
	return r.diffTrees(ta, tb, nil)
}

// removeTempFiles deletes the temporary files writeFileAtomic may have left
// in the folders of changes (and folders left empty by that).
func (r *Repo) removeTempFiles(changes []fileChange) {
	dirs := map[string]bool{}
	for _, c := range changes {
		dirs[path.Dir(c.path)] = true
	}
	for dir := range dirs {
		full := filepath.Join(r.workDir, filepath.FromSlash(dir))
		entries, err := os.ReadDir(full)
		if err != nil {
			continue
		}
		removed := false
		for _, e := range entries {
			if e.Type().IsRegular() && isTempName(e.Name()) {
				removed = os.Remove(filepath.Join(full, e.Name())) == nil || removed
			}
		}
		if removed {
			r.removeEmptyParents(full)
		}
	}
}

// isTempName reports whether name is one os.CreateTemp gave for tempPrefix.
func isTempName(name string) bool {
	rest, ok := strings.CutPrefix(name, tempPrefix)
	if !ok || rest == "" {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isHash(s string) bool { return len(s) == 40 && isHex(s) }
