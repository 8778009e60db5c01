package main

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/review"
)

type logCmd struct {
	Repo     string `short:"r" placeholder:"DIR" help:"Git repository holding the snapshots (default: the current directory)."`
	MaxCount int    `name:"max-count" short:"n" placeholder:"N" help:"Show at most N commits (default: all)."`
	Page     string `arg:"" optional:"" placeholder:"PAGE" help:"Only the syncs that changed this page (id or URL), with its title at each."`
}

// Run runs the log command for the CLI.
func (c *logCmd) Run(env *Env) error {
	return runLog(env.Ctx, c, env.Stdout)
}

// runLog is the log command without the CLI around it; tests call it.
// It follows first parents from HEAD, newest first: syncs only ever append
// to their branch, and a merge's other side is not a sync of this one.
func runLog(ctx context.Context, c *logCmd, out io.Writer) error {
	if c.MaxCount < 0 {
		return usageError{fmt.Errorf("-n %d: must be 0 or more", c.MaxCount)}
	}
	page := ""
	if c.Page != "" {
		id, err := parsePage(c.Page)
		if err != nil {
			return err
		}
		page = id
	}
	repo, err := openHistory(c.Repo)
	if err != nil {
		return err
	}
	head, err := resolveRevision(repo, "HEAD")
	if err != nil {
		return err
	}
	var folder *pageFolder
	if page != "" {
		folder = &pageFolder{repo: repo, id: page}
	}
	shown := 0
	for h := head; !h.IsZero() && (c.MaxCount == 0 || shown < c.MaxCount); {
		if err := ctx.Err(); err != nil {
			return err
		}
		ci, err := repo.ReadCommit(h)
		if err != nil {
			return err
		}
		parent := ci.FirstParent()
		var change string
		if folder != nil {
			if change, err = folder.change(h, parent); err != nil {
				return err
			}
			if change == "" {
				h = parent
				continue
			}
		}
		printLogEntry(out, ci, change)
		shown++
		h = parent
	}
	if folder != nil && shown == 0 {
		fmt.Fprintf(out, "no commit changed page %s\n", page)
	}
	return nil
}

// printLogEntry prints one commit: hash, date and subject, then the sync's
// counts from its trailers, then what happened to the page if log follows one.
func printLogEntry(out io.Writer, ci *gitrepo.CommitInfo, pageChange string) {
	fmt.Fprintf(out, "%s  %s  %s\n", short(ci.Hash), commitDate(ci.Committer.When), ci.Subject())
	if t, ok := review.ParseTrailers(ci.Message); ok {
		line := fmt.Sprintf("%d pages: %d added, %d changed, %d removed; %d requests",
			t.Pages, t.PagesAdded, t.PagesChanged, t.PagesRemoved, t.Requests)
		if t.Unreadable != 0 {
			line += fmt.Sprintf("; %d unreadable", t.Unreadable)
		}
		fmt.Fprintf(out, "    %s\n", line)
	}
	if pageChange != "" {
		fmt.Fprintf(out, "    %s\n", pageChange)
	}
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

// change describes what commit did to the page, "" if nothing.
func (f *pageFolder) change(commit, parent plumbing.Hash) (string, error) {
	cur, inCur, err := f.hashAt(commit)
	if err != nil {
		return "", err
	}
	old, inOld, err := f.hashAt(parent)
	if err != nil {
		return "", err
	}
	f.next, f.nextHash, f.nextFound = parent, old, inOld
	if cur == old && inCur == inOld {
		return "", nil
	}
	page := func(at plumbing.Hash) (layout.Object, error) {
		snap, err := f.repo.SnapshotOf(at, []string{layout.PagePath(f.id)})
		if err != nil {
			return nil, err
		}
		obj, _, err := layout.ReadObject(snap, layout.PagePath(f.id))
		return obj, err
	}
	switch {
	case !inOld:
		obj, err := page(commit)
		return quoted(layout.Title(obj)) + " added", err
	case !inCur:
		obj, err := page(parent)
		return quoted(layout.Title(obj)) + " removed", err
	}
	now, err := page(commit)
	if err != nil {
		return "", err
	}
	before, err := page(parent)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(quoted(layout.Title(now)) + " changed")
	if old, cur := layout.Title(before), layout.Title(now); old != cur {
		b.WriteString(", renamed from " + quoted(old))
	}
	// The parent as page.json holds it; naming it would need the state.
	if !reflect.DeepEqual(before["parent"], now["parent"]) {
		b.WriteString(", moved")
	}
	return b.String(), nil
}
