package gitrepo

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// readIndex loads .git/index; a missing index (fresh repository) is empty.
func (r *Repo) readIndex() (*index.Index, error) {
	f, err := os.Open(filepath.Join(r.gitDir, "index"))
	if errors.Is(err, os.ErrNotExist) {
		return &index.Index{Version: 2}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	defer f.Close()
	idx := &index.Index{}
	if err := index.NewDecoder(bufio.NewReader(f)).Decode(idx); err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	return idx, nil
}

// writeIndex replaces .git/index through index.lock, the lock file git
// itself takes, so a concurrent git command fails instead of interleaving
// and a crash leaves the old index whole. go-git's encoder writes no
// extensions: the cached-tree extension, which would be stale for the
// changed paths, is dropped and git rebuilds it when it needs it.
func (r *Repo) writeIndex(idx *index.Index) (err error) {
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
	idx.Cache = nil
	w := bufio.NewWriter(f)
	if err = index.NewEncoder(w).Encode(idx); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	if err = w.Flush(); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	if err = f.Sync(); err != nil {
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

// indexByPath maps each path to its entries' positions (several when a
// merge conflict left stages 1-3).
func indexByPath(idx *index.Index) map[string][]int {
	m := make(map[string][]int, len(idx.Entries))
	for i, e := range idx.Entries {
		m[e.Name] = append(m[e.Name], i)
	}
	return m
}
