package gitrepo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// References are written here as git itself writes loose refs, not through
// go-git's storage, which truncates a ref file and then writes it: a kill,
// a full disk or a power loss in between leaves an empty ref, which git
// calls a broken branch. Here a write creates <ref>.lock exclusively (the
// lock git honours against concurrent writers), compares the current value
// read under it, writes "<hash>\n" into it, syncs it, renames it over the
// ref and syncs the folder. The ref holds the old value or the new one,
// never anything else.

// packedRefsFile is git's file of packed references, in the git directory.
const packedRefsFile = "packed-refs"

// ownRefPrefix begins the references notion-git owns (checkpoints). They
// can be written again from Notion at any time, so one found broken is
// taken as absent; a branch found broken is a person's to repair.
const ownRefPrefix = "refs/notion-git/"

// refLockNotesDir, in the git directory, holds one note per reference
// being written: which process writes it and what value. The note is how a
// later run tells a <ref>.lock its own killed write left from one another
// git process holds (git's lock files hold only the new value).
const refLockNotesDir = "notion-git/ref-locks"

// brokenRefError names a broken ref file and says how to repair it.
type brokenRefError struct {
	name, path, why, hint string
}

func (e *brokenRefError) Error() string {
	// git update-ref refuses to write over a broken ref: the file goes first.
	return fmt.Sprintf("%s %s; restore it with: rm %s && git update-ref %s %s", e.path, e.why, e.path, e.name, e.hint)
}

func (e *brokenRefError) Unwrap() error { return ErrBrokenRef }

// refLockNote is the note a notion-git write of a reference leaves while
// it holds the reference's lock.
type refLockNote struct {
	Ref  string `json:"ref"`
	Lock string `json:"lock"` // what the lock file holds: "<hash>\n"
	PID  int    `json:"pid"`
}

func (r *Repo) refPath(name string) string {
	return filepath.Join(r.gitDir, filepath.FromSlash(name))
}

func (r *Repo) refNotePath(name string) string {
	return filepath.Join(r.gitDir, filepath.FromSlash(refLockNotesDir), url.PathEscape(name)+".json")
}

// looseRef is what a loose ref file holds: a hash, or why it is broken.
type looseRef struct {
	exists bool
	hash   plumbing.Hash
	broken string // "" for a valid ref
}

func (r *Repo) readLooseRef(name string) (looseRef, error) {
	b, err := os.ReadFile(r.refPath(name))
	if errors.Is(err, os.ErrNotExist) {
		return looseRef{}, nil
	}
	if err != nil {
		return looseRef{}, fmt.Errorf("read %s: %w", name, err)
	}
	s := strings.TrimSpace(string(b))
	switch {
	case s == "":
		return looseRef{exists: true, broken: "is empty (a write was cut short)"}, nil
	case !isHash(s) || plumbing.NewHash(s).IsZero():
		return looseRef{exists: true, broken: "holds no commit hash (a write was cut short, or it was edited)"}, nil
	}
	return looseRef{exists: true, hash: plumbing.NewHash(s)}, nil
}

// packedRef returns the value packed-refs holds for name, zero if none.
func (r *Repo) packedRef(name string) (plumbing.Hash, error) {
	b, err := os.ReadFile(filepath.Join(r.gitDir, packedRefsFile))
	if errors.Is(err, os.ErrNotExist) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read %s: %w", packedRefsFile, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if h, n, ok := strings.Cut(strings.TrimSuffix(line, "\r"), " "); ok && n == name && isHash(h) {
			return plumbing.NewHash(h), nil
		}
	}
	return plumbing.ZeroHash, nil
}

// resolveRef returns the commit name points at, zero if it does not exist.
// As in git, a loose ref overrides a packed one. A broken loose ref of
// notion-git's own is as if it were not there; a broken branch is refused
// with a brokenRefError.
func (r *Repo) resolveRef(name string) (plumbing.Hash, error) {
	loose, err := r.readLooseRef(name)
	switch {
	case err != nil:
		return plumbing.ZeroHash, err
	case loose.exists && loose.broken == "":
		return loose.hash, nil
	case loose.exists && !strings.HasPrefix(name, ownRefPrefix):
		return plumbing.ZeroHash, r.brokenRef(name, loose.broken)
	}
	return r.packedRef(name)
}

// brokenRef describes a broken ref and its repair: with the commit the
// pending refresh was moving the branch to, if that commit is stored.
func (r *Repo) brokenRef(name, why string) error {
	e := &brokenRefError{name: name, path: r.refPath(name), why: why,
		hint: "<hash of the last good commit> (git fsck --lost-found lists the candidates)"}
	if b, err := os.ReadFile(r.markerPath()); err == nil {
		var m refreshMarker
		if json.Unmarshal(b, &m) == nil && plumbing.NewBranchReferenceName(m.Branch).String() == name && isHash(m.To) {
			// Called with r.mu held.
			if _, err := r.objectLocked(plumbing.CommitObject, plumbing.NewHash(m.To)); err == nil {
				e.hint = fmt.Sprintf("%s (the commit the last sync was moving it to, as %s says)", m.To, r.markerPath())
			}
		}
	}
	return e
}

// refLock is a held <ref>.lock.
type refLock struct {
	r    *Repo
	name string
	path string
	f    *os.File
}

// lockRef takes <ref>.lock and writes h into it: the new value of an
// update, or the old value of a deletion (git never reads a lock file it
// does not hold; the value tells this package's own leftovers apart). A
// lock that exists is removed first if lockIsStale says a killed
// notion-git write left it; otherwise the ref is refused with
// ErrRefLocked.
func (r *Repo) lockRef(op, name string, h plumbing.Hash) (*refLock, error) {
	path := r.refPath(name) + ".lock"
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, name, err)
	}
	note := refLockNote{Ref: name, Lock: h.String() + "\n", PID: os.Getpid()}
	for attempt := 0; ; attempt++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			l := &refLock{r: r, name: name, path: path, f: f}
			// The note is written once the lock is ours, so that it never
			// describes a lock another process holds, and before the
			// value, so that the lock's last write is not older than it.
			err = r.writeRefNote(note)
			if err == nil {
				_, err = f.WriteString(note.Lock)
			}
			if err != nil {
				l.release()
				return nil, fmt.Errorf("%s %s: %w", op, name, err)
			}
			return l, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("%s %s: %w", op, name, err)
		}
		if attempt > 0 || !r.lockIsStale(name, path) {
			return nil, fmt.Errorf("%s %s: %w: %s exists; if no git command is running, remove it and run again",
				op, name, ErrRefLocked, path)
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s %s: remove the stale %s: %w", op, name, path, err)
		}
		os.Remove(r.refNotePath(name))
	}
}

// lockIsStale reports whether the <ref>.lock at path is one a notion-git
// write left when it was killed, by a rule as strict as the one for
// index.lock (removeStaleIndexLock): the ref's note exists; its process
// is gone (or is this one, which serialises its writes of a ref, so that a
// lock of its own it does not hold is a leftover); the lock's last write
// is not older than the note; and the lock holds exactly the value the
// note says it wrote. A lock another git command holds has no such note,
// or an older one, or holds another value: it is refused, never removed.
// A write killed before its value was in the lock (between two system
// calls) leaves a lock that is refused too, and a person removes it.
func (r *Repo) lockIsStale(name, path string) bool {
	lockInfo, err := os.Stat(path)
	if err != nil {
		return false
	}
	notePath := r.refNotePath(name)
	noteInfo, err := os.Stat(notePath)
	if err != nil {
		return false
	}
	b, err := os.ReadFile(notePath)
	if err != nil {
		return false
	}
	var n refLockNote
	if json.Unmarshal(b, &n) != nil || n.Ref != name || n.Lock == "" {
		return false
	}
	if n.PID != os.Getpid() && processAlive(n.PID) {
		return false
	}
	if lockInfo.ModTime().Before(noteInfo.ModTime()) {
		return false
	}
	content, err := os.ReadFile(path)
	return err == nil && string(content) == n.Lock
}

// writeRefNote writes the note through a rename, so that it is whole or
// absent. It is not synced: a note lost in a power loss only means that the
// lock it described is refused, and a person removes it.
func (r *Repo) writeRefNote(n refLockNote) error {
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	p := r.refNotePath(n.Ref)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// release removes the lock (when the write did not rename it) and the
// note.
func (l *refLock) release() {
	if l.f != nil {
		l.f.Close()
		os.Remove(l.path)
	}
	os.Remove(l.r.refNotePath(l.name))
}

// commit syncs the lock and renames it over the ref.
func (l *refLock) commit() error {
	err := l.r.fail(FailRefLockWritten)
	if err == nil {
		err = l.f.Sync()
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(l.path, l.r.refPath(l.name)); err != nil {
		return err
	}
	l.f = nil
	return syncDir(filepath.Dir(l.path))
}

// removePackedRef rewrites packed-refs without name, through
// packed-refs.lock as git does. Nothing is written if name is not packed.
func (r *Repo) removePackedRef(name string) (err error) {
	path := filepath.Join(r.gitDir, packedRefsFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	lock := path + ".lock"
	f, err := os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%w: %s exists; if no git command is running, remove it and run again", ErrRefLocked, lock)
	}
	if err != nil {
		return err
	}
	defer func() {
		if f != nil {
			f.Close()
			os.Remove(lock)
		}
	}()
	// Read under the lock: git rewrites packed-refs only while holding it.
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var out bytes.Buffer
	found, dropping := false, false
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "^") {
			// The peeled value of the line before.
			if !dropping {
				out.WriteString(line)
			}
			continue
		}
		_, n, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		dropping = !strings.HasPrefix(line, "#") && n == name
		found = found || dropping
		if !dropping {
			out.WriteString(line)
		}
	}
	if !found {
		return nil
	}
	if _, err := f.Write(out.Bytes()); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(lock, path); err != nil {
		return err
	}
	f = nil
	return syncDir(r.gitDir)
}

// syncDir makes a rename in dir durable. Windows cannot open a folder to
// sync it, and its renames are journalled by NTFS.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
