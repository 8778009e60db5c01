package gitrepo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// stagedIndex is what a worktree refresh needs of .git/index: the entries of
// the paths it changes, and a way to replace them.
type stagedIndex interface {
	// entries returns the entries of path: none, one, or the stages of a
	// merge conflict.
	entries(path string) []*index.Entry
	// write replaces the entries of the updated paths (sorted by path) and
	// writes the index.
	write(r *Repo, updates []indexUpdate) error
}

// readIndex loads .git/index; a missing index (fresh repository) is empty.
// The index is edited in place as bytes when its format allows, and decoded
// by go-git otherwise.
func (r *Repo) readIndex() (stagedIndex, error) {
	data, err := os.ReadFile(filepath.Join(r.gitDir, "index"))
	if errors.Is(err, os.ErrNotExist) {
		return emptyRawIndex(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	if x, err := parseRawIndex(data); err == nil {
		return x, nil
	}
	// Not editable in place, or damaged: go-git's decoder reads the former
	// and names what is wrong with the latter.
	idx := &index.Index{}
	if err := index.NewDecoder(bytes.NewReader(data)).Decode(idx); err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	return newDecodedIndex(idx), nil
}

func (x *rawIndex) write(r *Repo, updates []indexUpdate) error {
	path := filepath.Join(r.gitDir, "index")
	return r.writeIndexFile(func(w io.Writer) error {
		// Checked under the lock: if a git command changed the index since
		// it was read (git status refreshes it, git add stages), the
		// updates go onto its version, so that its change is kept.
		cur := x
		if !x.unchangedOnDisk(path) {
			data, err := os.ReadFile(path)
			if errors.Is(err, os.ErrNotExist) {
				cur = emptyRawIndex()
			} else if err != nil {
				return err
			} else if cur, err = parseRawIndex(data); err != nil {
				return fmt.Errorf("the index changed during the refresh: %w", err)
			}
		}
		return cur.writeTo(w, updates)
	})
}

// unchangedOnDisk reports whether the index file still has the size and
// checksum of the bytes x was read from; both are cheap to read.
func (x *rawIndex) unchangedOnDisk(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return errors.Is(err, os.ErrNotExist) && x.missing
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || x.missing || fi.Size() != int64(len(x.data)) {
		return false
	}
	var sum [indexChecksumSize]byte
	_, err = f.ReadAt(sum[:], fi.Size()-indexChecksumSize)
	return err == nil && bytes.Equal(sum[:], x.data[len(x.data)-indexChecksumSize:])
}

// decodedIndex is an index fully decoded by go-git: the way to edit the
// formats rawIndex leaves alone.
type decodedIndex struct {
	idx    *index.Index
	byPath map[string][]int // positions of each path's entries
}

func newDecodedIndex(idx *index.Index) *decodedIndex {
	m := make(map[string][]int, len(idx.Entries))
	for i, e := range idx.Entries {
		m[e.Name] = append(m[e.Name], i)
	}
	return &decodedIndex{idx: idx, byPath: m}
}

func (d *decodedIndex) entries(path string) []*index.Entry {
	var out []*index.Entry
	for _, i := range d.byPath[path] {
		out = append(out, d.idx.Entries[i])
	}
	return out
}

// write re-encodes every entry. go-git's encoder writes no extensions: the
// cached-tree extension, which would be stale for the changed paths, is
// dropped and git rebuilds it when it needs it.
func (d *decodedIndex) write(r *Repo, updates []indexUpdate) error {
	touched := make(map[string]bool, len(updates))
	for _, u := range updates {
		touched[u.path] = true
	}
	entries := d.idx.Entries[:0]
	for _, e := range d.idx.Entries {
		if !touched[e.Name] {
			entries = append(entries, e)
		}
	}
	for _, u := range updates {
		if u.entry != nil {
			entries = append(entries, u.entry)
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	d.idx.Entries = entries
	d.idx.Cache = nil
	return r.writeIndexFile(func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		if err := index.NewEncoder(bw).Encode(d.idx); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// writeIndexFile replaces .git/index through index.lock, the lock file git
// itself takes, so a concurrent git command fails instead of interleaving
// and a crash leaves the old index whole. Like git, it does not fsync the
// index: it is derived from HEAD and the working tree (git reset rebuilds
// it), and syncing 40 MB would cost more than the rest of a small commit.
func (r *Repo) writeIndexFile(fill func(io.Writer) error) (err error) {
	final := filepath.Join(r.gitDir, "index")
	lock := final + ".lock"
	f, err := os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write index: another git process holds the lock: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(lock)
		}
	}()
	if err = fill(f); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	if err = r.fail(FailIndexWrite); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	if err = os.Rename(lock, final); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	return nil
}
