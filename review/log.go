package review

import (
	"context"
	"path"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
)

// LogOptions chooses the commits that Log visits.
type LogOptions struct {
	// Page, a canonical id, keeps only the commits that changed that page's
	// folder, other than by rewriting its README alone; "" keeps every
	// commit.
	Page string
	// Max is the most entries Log gives; 0 for all.
	Max int
	// Pages fills Entry.Pages for each sync: what the commit did to each
	// page, compared with its first parent by page.json alone
	// (CompareOptions.Titles), so the cost follows each commit's change.
	Pages bool
}

// Entry is one commit of a sync history.
type Entry struct {
	Commit   *gitrepo.CommitInfo
	Trailers Trailers // the sync's counts, when Synced
	Synced   bool     // the commit message carries a sync's trailers
	Page     *PageEvent
	Pages    *Diff // with LogOptions.Pages, for a sync; nil otherwise
}

// PageEvent is what one commit did to the page that Log follows, as its
// page.json tells: no Markdown is rendered, and the sync state is read only
// to find the page above a page inside a block.
type PageEvent struct {
	InOld, InNew       bool   // whether the commit's parent and the commit have the page
	OldTitle, NewTitle string // "" on the side that lacks the page
	Moved              bool   // the page, database or data source above it changed, as in Compare
}

// Title is the page's title at the commit, or before it if it went.
func (e *PageEvent) Title() string {
	if e.InNew {
		return e.NewTitle
	}
	return e.OldTitle
}

// Renamed reports whether a page in both changed its title.
func (e *PageEvent) Renamed() bool { return e.InOld && e.InNew && e.OldTitle != e.NewTitle }

// Log calls fn for the commits from head down its first parents, newest
// first: syncs only ever append to their branch, and a merge's other side
// is not a sync of this one. It stops at the first error of fn.
func Log(ctx context.Context, repo *gitrepo.Repo, head plumbing.Hash, opts LogOptions, fn func(*Entry) error) error {
	var folder *pageFolder
	if opts.Page != "" {
		folder = &pageFolder{repo: repo, id: opts.Page}
	}
	shown := 0
	for h := head; !h.IsZero() && (opts.Max == 0 || shown < opts.Max); {
		if err := ctx.Err(); err != nil {
			return err
		}
		ci, err := repo.ReadCommit(h)
		if err != nil {
			return err
		}
		parent := ci.FirstParent()
		e := &Entry{Commit: ci}
		if folder != nil {
			if e.Page, err = folder.change(h, parent); err != nil {
				return err
			}
			if e.Page == nil {
				h = parent
				continue
			}
		}
		e.Trailers, e.Synced = ParseTrailers(ci.Message)
		if opts.Pages && e.Synced {
			from, err := rootOf(repo, parent)
			if err != nil {
				return err
			}
			if e.Pages, err = compareRoots(ctx, repo, sideName(parent, from), from, sideName(h, ci.Tree), ci.Tree, CompareOptions{Titles: true}); err != nil {
				return err
			}
		}
		if err := fn(e); err != nil {
			return err
		}
		shown++
		h = parent
	}
	return nil
}

// pageFolder follows one page's folder down the history. Each commit's
// folder hash is compared with its parent's, which needs only the trees on
// the path to the folder; the parent's hash is kept for the next step.
type pageFolder struct {
	repo *gitrepo.Repo
	id   string

	next      plumbing.Hash // the commit whose folder hash is cached below
	nextHash  plumbing.Hash
	nextFound bool
}

// hashAt returns the folder's tree hash at commit, and whether it exists.
func (f *pageFolder) hashAt(commit plumbing.Hash) (plumbing.Hash, bool, error) {
	if commit == f.next && !commit.IsZero() {
		return f.nextHash, f.nextFound, nil
	}
	if commit.IsZero() {
		return plumbing.ZeroHash, false, nil
	}
	return f.repo.TreeHashOf(commit, layout.PageDir(f.id))
}

// change says what commit did to the page; nil if nothing.
func (f *pageFolder) change(commit, parent plumbing.Hash) (*PageEvent, error) {
	cur, inCur, err := f.hashAt(commit)
	if err != nil {
		return nil, err
	}
	old, inOld, err := f.hashAt(parent)
	if err != nil {
		return nil, err
	}
	f.next, f.nextHash, f.nextFound = parent, old, inOld
	if cur == old && inCur == inOld {
		return nil, nil
	}
	if inCur && inOld {
		// A commit that rewrote the page's README alone (a page it links
		// to was renamed) did nothing to the page, as in Compare.
		changed, err := f.repo.ChangedTreePaths(old, cur)
		if err != nil {
			return nil, err
		}
		if len(changed) == 1 && changed[0] == path.Base(layout.PageReadmePath(f.id)) {
			return nil, nil
		}
	}
	e := &PageEvent{InOld: inOld, InNew: inCur}
	var oldParent, newParent string
	if inOld {
		if e.OldTitle, oldParent, err = f.page(parent); err != nil {
			return nil, err
		}
	}
	if inCur {
		if e.NewTitle, newParent, err = f.page(commit); err != nil {
			return nil, err
		}
	}
	e.Moved = moved(inOld, inCur, oldParent, newParent)
	return e, nil
}

// page reads the page's page.json at commit and returns its title and the
// id of its parent (see parentOf); the sync state is read only for a page
// inside a block.
func (f *pageFolder) page(at plumbing.Hash) (title, parent string, err error) {
	snap, err := f.repo.SnapshotOf(at, []string{layout.PagePath(f.id)})
	if err != nil {
		return "", "", err
	}
	obj, _, err := layout.ReadObject(snap, layout.PagePath(f.id))
	if err != nil {
		return "", "", err
	}
	parent, err = parentOf(f.id, obj, func() (*layout.State, error) {
		snap, err := f.repo.SnapshotOf(at, []string{layout.StatePath, layout.StateDir})
		if err != nil {
			return nil, err
		}
		return layout.ReadState(snap)
	})
	return layout.Title(obj), parent, err
}
