package gitrepo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// staleTempAge is how old a temporary pack or index of notion-git's must be
// for RemoveStaleFiles to remove it. A flush writes and renames its
// temporary files within seconds (a pack is at most packThreshold, 32 MiB),
// and their modification time is their last write; a concurrent sync of the
// same repository may be writing one right now. An hour is far beyond any
// flush, so a file that old has no writer left, and a killed sync's
// leftovers go at the latest with the first sync an hour later.
const staleTempAge = time.Hour

// RemoveStaleFiles removes what killed notion-git writes left in the git
// directory, and nothing a running process may still need: temporary packs
// and indexes of its own (named packTempPrefix, indexTempPrefix) older than
// staleTempAge, git's own being git's business; a <ref>.lock its own write
// left when killed (by the rule of lockIsStale) and the notes of writes
// whose process is gone; and a reference of its own (under
// refs/notion-git/) that a write of an older version cut short left empty
// or corrupt, which git fsck reports until it is gone; and the checkout
// stages of processes that have ended (checkoutStage). A sync calls it
// first, in its repair step.
func (r *Repo) RemoveStaleFiles() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.removeStaleTemps(time.Now()), r.removeStaleRefLocks(), r.removeBrokenOwnRefs(), r.removeStaleStages())
}

// removeStaleTemps removes notion-git's temporary pack files last written
// before now less staleTempAge.
func (r *Repo) removeStaleTemps(now time.Time) error {
	dir := filepath.Join(r.gitDir, "objects", "pack")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove stale temporary packs: %w", err)
	}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !(strings.HasPrefix(name, packTempPrefix) || strings.HasPrefix(name, indexTempPrefix)) {
			continue
		}
		fi, err := e.Info()
		if err != nil || !fi.ModTime().Before(now.Add(-staleTempAge)) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove stale temporary pack: %w", err))
		}
	}
	return errors.Join(errs...)
}

// removeStaleRefLocks removes the ref locks killed writes of notion-git
// left, and every note whose lock is gone and whose process has ended.
func (r *Repo) removeStaleRefLocks() error {
	dir := filepath.Join(r.gitDir, filepath.FromSlash(refLockNotesDir))
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove stale reference locks: %w", err)
	}
	var errs []error
	for _, e := range entries {
		notePath := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(notePath)
		if err != nil {
			continue
		}
		var n refLockNote
		if json.Unmarshal(b, &n) != nil {
			continue // not a note whole (a .tmp cut short) or not ours to judge
		}
		name, err := refName(n.Ref)
		if err != nil || r.refNotePath(name.String()) != notePath {
			continue
		}
		lock := r.refPath(n.Ref) + ".lock"
		switch _, err := os.Stat(lock); {
		case err == nil:
			if !r.lockIsStale(n.Ref, lock) {
				continue
			}
			if err := os.Remove(lock); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("remove the stale %s: %w", lock, err))
				continue
			}
		case !errors.Is(err, os.ErrNotExist):
			continue
		case n.PID != os.Getpid() && processAlive(n.PID):
			continue // about to take the lock, or just released it
		}
		os.Remove(notePath)
	}
	return errors.Join(errs...)
}

// removeBrokenOwnRefs removes the loose refs under refs/notion-git/ that
// hold no commit hash, each under its lock.
func (r *Repo) removeBrokenOwnRefs() error {
	root := r.refPath(strings.TrimSuffix(ownRefPrefix, "/"))
	var broken []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || strings.HasSuffix(p, ".lock") {
			return nil
		}
		rel, err := filepath.Rel(r.gitDir, p)
		if err != nil {
			return nil
		}
		name := filepath.ToSlash(rel)
		if loose, err := r.readLooseRef(name); err == nil && loose.exists && loose.broken != "" {
			broken = append(broken, name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range broken {
		errs = append(errs, r.removeBrokenRef(name))
	}
	return errors.Join(errs...)
}

func (r *Repo) removeBrokenRef(name string) error {
	lock, err := r.lockRef("repair", name, plumbing.ZeroHash)
	if err != nil {
		return err
	}
	defer lock.release()
	// Checked again under the lock: a write may have repaired it meanwhile.
	if loose, err := r.readLooseRef(name); err != nil || !loose.exists || loose.broken == "" {
		return err
	}
	if err := os.Remove(r.refPath(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("repair %s: %w", name, err)
	}
	return nil
}
