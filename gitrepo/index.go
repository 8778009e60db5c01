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

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// stagedIndex is what a worktree refresh needs of .git/index: the entries of
// the paths it changes, and a way to replace them.
type stagedIndex interface {
	// entries returns the entries of path: none, one, or the stages of a
	// merge conflict.
	entries(path string) []*index.Entry
	// prefetch reads the entries of paths (sorted) ahead of entries, in
	// one pass where that matters (a split index's shared part).
	prefetch(paths []string) error
	// write replaces the entries of the updated paths (sorted by path) and
	// writes the index.
	write(r *Repo, updates []indexUpdate) error
}

// indexFiller writes an index with updates applied; it returns the shared
// index the written one names, zero for a whole index.
type indexFiller interface {
	fill(r *Repo, w io.Writer, updates []indexUpdate) (plumbing.Hash, error)
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
		if x.link != nil {
			s, err := r.openSplitIndex(x)
			if err != nil {
				return nil, fmt.Errorf("read index: %w", err)
			}
			return s, nil
		}
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

func (x *rawIndex) prefetch([]string) error { return nil }

func (x *rawIndex) write(r *Repo, updates []indexUpdate) error {
	return r.writeIndexUpdates(x, x, updates)
}

// fill writes the index whole, or, when it is to be split (splitConfig),
// as a new shared index and a .git/index naming it.
func (x *rawIndex) fill(r *Repo, w io.Writer, updates []indexUpdate) (plumbing.Hash, error) {
	if !r.splitConfig().wants(x.len() + len(updates)) {
		return plumbing.ZeroHash, x.writeTo(w, updates)
	}
	sum, err := r.writeSharedIndex(func(sw io.Writer) error { return x.writeTo(sw, updates) })
	if err != nil {
		return sum, err
	}
	return sum, writeLinkedIndex(w, x.version, sum, nil, nil, nil)
}

// writeIndexUpdates writes the index read as x (whose .git/index was read
// bytes) with updates applied, and removes shared indexes no longer used.
func (r *Repo) writeIndexUpdates(x indexFiller, read *rawIndex, updates []indexUpdate) error {
	path := filepath.Join(r.gitDir, "index")
	var shared plumbing.Hash
	err := r.writeIndexFile(func(w io.Writer) error {
		// Checked under the lock: if a git command changed the index since
		// it was read (git status refreshes it, git add stages), the
		// updates go onto its version, so that its change is kept.
		cur := x
		if !read.unchangedOnDisk(path) {
			idx, err := r.readIndex()
			if err != nil {
				return fmt.Errorf("the index changed during the refresh: %w", err)
			}
			cur = idx.(indexFiller)
		}
		var err error
		shared, err = cur.fill(r, w, updates)
		return err
	})
	if err == nil {
		r.pruneSharedIndexes(shared)
	}
	return err
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

func (d *decodedIndex) prefetch([]string) error { return nil }

func (d *decodedIndex) write(r *Repo, updates []indexUpdate) error {
	return r.writeIndexFile(func(w io.Writer) error {
		_, err := d.fill(r, w, updates)
		return err
	})
}

// fill re-encodes every entry. go-git's encoder writes no extensions: the
// cached-tree extension, which would be stale for the changed paths, is
// dropped and git rebuilds it when it needs it.
func (d *decodedIndex) fill(r *Repo, w io.Writer, updates []indexUpdate) (plumbing.Hash, error) {
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
	bw := bufio.NewWriter(w)
	if err := index.NewEncoder(bw).Encode(d.idx); err != nil {
		return plumbing.ZeroHash, err
	}
	return plumbing.ZeroHash, bw.Flush()
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
