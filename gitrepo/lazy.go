package gitrepo

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// LazySnapshot is Snapshot for a sync: the same reads, but folders are read
// from the object store when a lookup first passes through them, as
// TreeBuilder does for writing. An incremental sync of a large workspace
// asks about the top folders, the pages/ folder's entries and the folders of
// the few pages it touches; reading all quarter of a million paths up front
// would cost more than the rest of such a sync. Paths, which needs them all,
// walks the whole tree once and keeps the list.
//
// It is safe for concurrent use: the exporter reads it from every crawl.
func (r *Repo) LazySnapshot(commit plumbing.Hash) (*Snapshot, error) {
	tree, err := r.rootTree(commit)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", commit, err)
	}
	return &Snapshot{repo: r, commit: commit, tree: tree, lazy: &lazyTree{dirs: map[string]*lazyDir{}}}, nil
}

// LazySnapshotOfTree is LazySnapshot of a tree that no commit may hold yet
// (a sync's tree before its commit, a review's side).
func (r *Repo) LazySnapshotOfTree(tree plumbing.Hash) *Snapshot {
	return &Snapshot{repo: r, tree: tree, lazy: &lazyTree{dirs: map[string]*lazyDir{}}}
}

// lazyTree holds the folders read so far, by path ("" for the root).
type lazyTree struct {
	mu    sync.Mutex
	dirs  map[string]*lazyDir
	reads int  // tree objects read, for tests
	full  bool // paths and hashes hold every file
	err   error
}

// lazyDir is one folder's entries, sorted by name for bisection.
type lazyDir struct {
	names  []string
	hashes []plumbing.Hash
	dir    []bool // the entry is a folder
}

func (d *lazyDir) find(name string) (int, bool) {
	i := sort.SearchStrings(d.names, name)
	return i, i < len(d.names) && d.names[i] == name
}

// dirLocked returns the folder at path (no trailing slash), reading it and
// the folders above it as needed; nil when there is no such folder.
func (s *Snapshot) dirLocked(path string) (*lazyDir, error) {
	if d, ok := s.lazy.dirs[path]; ok {
		return d, nil
	}
	var h plumbing.Hash
	if path == "" {
		h = s.tree
	} else {
		parent, name := "", path
		if i := strings.LastIndexByte(path, '/'); i >= 0 {
			parent, name = path[:i], path[i+1:]
		}
		p, err := s.dirLocked(parent)
		if p == nil || err != nil {
			return nil, err
		}
		i, ok := p.find(name)
		if !ok || !p.dir[i] {
			return nil, nil
		}
		h = p.hashes[i]
	}
	t, err := s.repo.readTree(h)
	if err != nil {
		return nil, err
	}
	s.lazy.reads++
	d := &lazyDir{names: make([]string, 0, len(t.Entries)), hashes: make([]plumbing.Hash, 0, len(t.Entries)), dir: make([]bool, 0, len(t.Entries))}
	for _, e := range t.Entries {
		if e.Mode == filemode.Submodule {
			continue // not a file of ours, as in Snapshot
		}
		d.names = append(d.names, e.Name)
		d.hashes = append(d.hashes, e.Hash)
		d.dir = append(d.dir, e.Mode == filemode.Dir)
	}
	if !sort.StringsAreSorted(d.names) {
		// Git orders a folder as if its name ended in "/".
		sort.Sort(d)
	}
	s.lazy.dirs[path] = d
	return d, nil
}

func (d *lazyDir) Len() int           { return len(d.names) }
func (d *lazyDir) Less(i, j int) bool { return d.names[i] < d.names[j] }
func (d *lazyDir) Swap(i, j int) {
	d.names[i], d.names[j] = d.names[j], d.names[i]
	d.hashes[i], d.hashes[j] = d.hashes[j], d.hashes[i]
	d.dir[i], d.dir[j] = d.dir[j], d.dir[i]
}

// lazyLookup finds a file of a lazy snapshot. A folder that cannot be read
// is remembered as an error that Read reports.
func (s *Snapshot) lazyLookup(path string) (plumbing.Hash, bool) {
	s.lazy.mu.Lock()
	defer s.lazy.mu.Unlock()
	if s.lazy.full {
		return s.bisect(path)
	}
	parent, name := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		parent, name = path[:i], path[i+1:]
	}
	d, err := s.dirLocked(parent)
	if err != nil && s.lazy.err == nil {
		s.lazy.err = err
	}
	if d == nil {
		return plumbing.ZeroHash, false
	}
	i, ok := d.find(name)
	if !ok || d.dir[i] {
		return plumbing.ZeroHash, false
	}
	return d.hashes[i], true
}

// lazyPathsUnder lists the files below dir (ending in "/"), sorted.
func (s *Snapshot) lazyPathsUnder(dir string) []string {
	s.lazy.mu.Lock()
	defer s.lazy.mu.Unlock()
	if s.lazy.full || dir == "/" {
		return s.eagerPathsUnder(dir) // no path starts with "/"
	}
	var out []string
	var walk func(path string) error
	walk = func(path string) error {
		d, err := s.dirLocked(path)
		if d == nil || err != nil {
			return err
		}
		prefix := path + "/"
		if path == "" {
			prefix = ""
		}
		for i, name := range d.names {
			if d.dir[i] {
				if err := walk(prefix + name); err != nil {
					return err
				}
				continue
			}
			out = append(out, prefix+name)
		}
		return nil
	}
	if err := walk(strings.TrimSuffix(dir, "/")); err != nil && s.lazy.err == nil {
		s.lazy.err = err
	}
	// Names sorted within each folder are not full paths sorted: "a/b"
	// comes after "a-c" byte-wise.
	sort.Strings(out)
	return out
}

// lazyPaths walks the whole tree once, as Snapshot does, and from then on
// answers every lookup from the full list.
func (s *Snapshot) lazyPaths() []string {
	s.lazy.mu.Lock()
	defer s.lazy.mu.Unlock()
	if !s.lazy.full {
		if err := s.walk("", s.tree); err != nil {
			s.paths, s.hashes = nil, nil
			if s.lazy.err == nil {
				s.lazy.err = err
			}
			return nil
		}
		s.sort()
		s.lazy.full = true
		s.lazy.dirs = nil
	}
	return s.paths
}

// TreeReads is how many tree objects a lazy snapshot has read so far (0 for
// an eager one): what a sync's tests count to show it reads the folders it
// touches, not the whole tree.
func (s *Snapshot) TreeReads() int {
	if s.lazy == nil {
		return 0
	}
	s.lazy.mu.Lock()
	defer s.lazy.mu.Unlock()
	return s.lazy.reads
}

// lazyErr is the first folder a lazy snapshot could not read, if any.
func (s *Snapshot) lazyErr() error {
	if s.lazy == nil {
		return nil
	}
	s.lazy.mu.Lock()
	defer s.lazy.mu.Unlock()
	return s.lazy.err
}
