package gitrepo

import (
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// fileState is a file as a tree holds it; a zero hash means absent.
type fileState struct {
	hash plumbing.Hash
	mode filemode.FileMode
}

func (f fileState) exists() bool { return !f.hash.IsZero() }

// fileChange is one path whose content differs between two trees.
type fileChange struct {
	path     string
	from, to fileState
}

// pathFilter limits a diff to some paths; nil lets everything through.
type pathFilter struct {
	exact     map[string]bool // the hinted paths (files or folders)
	ancestors map[string]bool // every folder above a hinted path
}

func newPathFilter(paths []string) *pathFilter {
	if paths == nil {
		return nil
	}
	f := &pathFilter{exact: map[string]bool{}, ancestors: map[string]bool{}}
	for _, p := range paths {
		p = strings.Trim(p, "/")
		f.exact[p] = true
		for i := strings.LastIndexByte(p, '/'); i > 0; i = strings.LastIndexByte(p[:i], '/') {
			f.ancestors[p[:i]] = true
		}
	}
	return f
}

// covers reports whether path is hinted or lies under a hinted folder.
func (f *pathFilter) covers(path string) bool {
	if f == nil {
		return true
	}
	for {
		if f.exact[path] {
			return true
		}
		i := strings.LastIndexByte(path, '/')
		if i < 0 {
			return false
		}
		path = path[:i]
	}
}

// enters reports whether a diff must look inside folder dir.
func (f *pathFilter) enters(dir string) bool {
	return f == nil || f.ancestors[dir] || f.covers(dir)
}

// diffTrees lists the files that differ between trees a and b (either may be
// zero: absent). Subtrees with equal hashes are skipped unread, so the cost
// follows the size of the change, not of the tree.
func (r *Repo) diffTrees(a, b plumbing.Hash, filter *pathFilter) ([]fileChange, error) {
	var out []fileChange
	err := r.diffDir("", a, b, filter, &out)
	return out, err
}

func (r *Repo) diffDir(prefix string, a, b plumbing.Hash, filter *pathFilter, out *[]fileChange) error {
	if a == b {
		return nil
	}
	ea, err := r.treeEntries(a)
	if err != nil {
		return err
	}
	eb, err := r.treeEntries(b)
	if err != nil {
		return err
	}
	names := make(map[string]bool, len(ea)+len(eb))
	for n := range ea {
		names[n] = true
	}
	for n := range eb {
		names[n] = true
	}
	for name := range names {
		p := prefix + name
		x, y := ea[name], eb[name]
		var dirA, dirB plumbing.Hash
		var fileA, fileB fileState
		if x.Mode == filemode.Dir {
			dirA = x.Hash
		} else if isFileMode(x.Mode) {
			fileA = fileState{x.Hash, x.Mode}
		}
		if y.Mode == filemode.Dir {
			dirB = y.Hash
		} else if isFileMode(y.Mode) {
			fileB = fileState{y.Hash, y.Mode}
		}
		if (!dirA.IsZero() || !dirB.IsZero()) && filter.enters(p) {
			if err := r.diffDir(p+"/", dirA, dirB, filter, out); err != nil {
				return err
			}
		}
		if fileA != fileB && filter.covers(p) {
			*out = append(*out, fileChange{path: p, from: fileA, to: fileB})
		}
	}
	return nil
}

// treeEntries maps a tree's entry names to entries; zero gives none.
func (r *Repo) treeEntries(h plumbing.Hash) (map[string]object.TreeEntry, error) {
	if h.IsZero() {
		return nil, nil
	}
	t, err := r.readTree(h)
	if err != nil {
		return nil, err
	}
	m := make(map[string]object.TreeEntry, len(t.Entries))
	for _, e := range t.Entries {
		m[e.Name] = e
	}
	return m, nil
}

// isFileMode reports whether a tree entry is something the working tree
// holds as a file: submodules are left to git.
func isFileMode(m filemode.FileMode) bool {
	return m == filemode.Regular || m == filemode.Executable || m == filemode.Deprecated || m == filemode.Symlink
}

// ChangedTreePaths lists, sorted, the files that differ between two root
// trees (added, changed or removed); see ChangedPaths.
func (r *Repo) ChangedTreePaths(a, b plumbing.Hash) ([]string, error) {
	changes, err := r.diffTrees(a, b, nil)
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(changes))
	for i, c := range changes {
		paths[i] = c.path
	}
	sort.Strings(paths)
	return paths, nil
}
