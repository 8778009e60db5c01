package review

import (
	"errors"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
)

// Contents is what one snapshot holds, counted from its paths and its sync
// state: no object file is read.
type Contents struct {
	// Layout reports whether the commit holds a notion-git snapshot at all
	// (a notion-git.json); the rest is zero when it does not.
	Layout      bool
	Pages       int
	Rows        int // the pages that are rows of a data source, as the state knows them
	Databases   int
	DataSources int
	Users       int
	Files       int    // attachments
	LastSync    string // RFC 3339 start of the sync that wrote it; "" if unknown
	Index       []byte // the root README.md (the page tree); nil when absent
}

// Summarize counts what commit's snapshot holds.
func Summarize(repo *gitrepo.Repo, commit plumbing.Hash) (*Contents, error) {
	snap, err := repo.Snapshot(commit)
	if err != nil {
		return nil, err
	}
	c := &Contents{Layout: snap.Has(layout.MetaPath)}
	if !c.Layout {
		return c, nil
	}
	for _, p := range snap.Paths() {
		info, _ := layout.ParsePath(p)
		switch info.Kind {
		case layout.PathPage:
			c.Pages++
		case layout.PathDatabase:
			c.Databases++
		case layout.PathDataSource:
			c.DataSources++
		case layout.PathUser:
			c.Users++
		case layout.PathFile:
			c.Files++
		}
	}
	state, err := layout.ReadState(snap)
	if err != nil {
		return nil, err
	}
	if state != nil {
		c.LastSync = state.LastSync
		for _, o := range state.Objects {
			if o.Kind == layout.KindPage && state.Objects[o.Parent].Kind == layout.KindDataSource {
				c.Rows++
			}
		}
	}
	if snap.Has(layout.IndexPath) {
		if c.Index, err = snap.Read(layout.IndexPath); err != nil {
			return nil, err
		}
		if c.Index == nil {
			c.Index = []byte{} // present, if empty
		}
	}
	return c, nil
}

// ErrNoPage is returned by PageAt and PageJSON for a page the commit does
// not hold.
var ErrNoPage = errors.New("page not in the snapshot")

// PageAt decodes page id of commit, reading only its folder.
func PageAt(repo *gitrepo.Repo, commit plumbing.Hash, id string) (*layout.Page, error) {
	snap, err := pageFolderAt(repo, commit, id)
	if err != nil {
		return nil, err
	}
	return layout.DecodePage(snap, id, snap.PathsUnder(layout.PageDir(id)))
}

// PageJSON returns the bytes of page id's page.json at commit, as stored.
func PageJSON(repo *gitrepo.Repo, commit plumbing.Hash, id string) ([]byte, error) {
	snap, err := pageFolderAt(repo, commit, id)
	if err != nil {
		return nil, err
	}
	return snap.Read(layout.PagePath(id))
}

// pageFolderAt reads page id's folder of commit; ErrNoPage without a page.json.
func pageFolderAt(repo *gitrepo.Repo, commit plumbing.Hash, id string) (*gitrepo.Snapshot, error) {
	snap, err := repo.SnapshotOf(commit, []string{layout.PageDir(id)})
	if err != nil {
		return nil, err
	}
	if !snap.Has(layout.PagePath(id)) {
		return nil, ErrNoPage
	}
	return snap, nil
}
