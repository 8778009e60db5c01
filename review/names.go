package review

import (
	"encoding/json"
	"path"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
)

// A Tree is what Names reads: a commit's tree or a working tree.
type Tree interface {
	layout.FileSource
	// PathsUnder lists the files below dir ("files/ab/"), sorted.
	PathsUnder(dir string) []string
}

// NamesOf returns what the READMEs of the snapshot in tree show of the
// objects around a page (layout.Names): titles from the sync state, people's
// names from users/, the stored names of attachments. So a page shown by
// show, diff or the textconv driver reads as its README does.
//
// It reads what it is asked for and keeps it: one shard of the state per
// title, one user file per name, one files/ folder per attachment. Showing
// one page of a large workspace reads a few files, not the whole state.
func NamesOf(tree Tree) layout.Names {
	return &treeNames{tree: tree, shards: map[string]bool{}, users: map[string]string{}, dirs: map[string][]string{}}
}

type treeNames struct {
	tree Tree

	mu      sync.Mutex
	objects map[string]layout.ObjectState // the entries of the shards read
	shards  map[string]bool               // the shards read
	whole   bool                          // a version 1 state: every entry inline
	users   map[string]string             // id → name; "" when unknown
	dirs    map[string][]string           // a files/ folder's paths
}

func (n *treeNames) Title(id string) (string, bool) {
	if !layout.IsID(id) {
		return "", false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	shard := layout.StateShard(id)
	if !n.whole && !n.shards[shard] {
		n.shards[shard] = true
		// A state that cannot be read names nothing: the page is still
		// shown, with its links as plain text.
		st, err := layout.ReadState(only{n.tree, []string{layout.StatePath, layout.StateShardPath(shard)}})
		if err == nil && st != nil {
			if n.objects == nil {
				n.objects = map[string]layout.ObjectState{}
			}
			for k, v := range st.Objects {
				n.objects[k] = v
			}
			if len(n.tree.PathsUnder(layout.StateDir+"/")) == 0 {
				n.whole = true
			}
		}
	}
	o, ok := n.objects[id]
	return o.Title, ok
}

func (n *treeNames) User(id string) (string, bool) {
	if !layout.IsID(id) {
		return "", false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	name, seen := n.users[id]
	if !seen {
		if p := layout.UserPath(id); n.tree.Has(p) {
			if b, err := n.tree.Read(p); err == nil {
				var u struct {
					Name string `json:"name"`
				}
				if json.Unmarshal(b, &u) == nil {
					name = u.Name
				}
			}
		}
		n.users[id] = name
	}
	return name, name != ""
}

func (n *treeNames) File(sha string) string {
	if len(sha) < 3 {
		return ""
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	dir := path.Dir(layout.FilePath(sha)) + "/"
	paths, ok := n.dirs[dir]
	if !ok {
		paths = n.tree.PathsUnder(dir)
		n.dirs[dir] = paths
	}
	for _, p := range paths {
		base := path.Base(p)
		if base == sha || strings.HasPrefix(base, sha+".") {
			return p
		}
	}
	// As layout.Snapshot.StoredFile does: the object says the bytes were
	// stored, under the name format 1 gave them.
	return layout.FilePath(sha)
}

// only is a source seen through some of its paths.
type only struct {
	src   layout.FileSource
	paths []string
}

func (o only) Has(p string) bool {
	for _, q := range o.paths {
		if q == p {
			return o.src.Has(p)
		}
	}
	return false
}

func (o only) Read(p string) ([]byte, error) { return o.src.Read(p) }

// NamesAt is NamesOf the tree of a commit.
func NamesAt(repo *gitrepo.Repo, commit plumbing.Hash) (layout.Names, error) {
	snap, err := repo.LazySnapshot(commit)
	if err != nil {
		return nil, err
	}
	return NamesOf(snap), nil
}
