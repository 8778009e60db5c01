package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/review"
)

type showCmd struct {
	Repo     string `short:"r" placeholder:"DIR" help:"Git repository holding the snapshots (default: the current directory)."`
	JSON     bool   `name:"json" help:"Print JSON: the snapshot's commit, counts and page tree; with PAGE, the page's page.json as stored and its Markdown."`
	Revision string `arg:"" optional:"" placeholder:"REV" help:"Snapshot to show: any git revision (default HEAD). A lone Notion id or URL is taken as PAGE."`
	Page     string `arg:"" optional:"" placeholder:"PAGE" help:"Page (id or URL) to print as Markdown; without it, the snapshot's summary and page tree."`
}

// Run runs the show command for the CLI.
func (c *showCmd) Run(env *Env) error {
	return runShow(env.Ctx, c, env.Stdout)
}

// runShow is the show command without the CLI around it; tests call it.
func runShow(ctx context.Context, c *showCmd, out io.Writer) error {
	rev, pageArg := c.Revision, c.Page
	// `show PAGE` means the page at HEAD: a dashed id or a URL is never a
	// revision, and a 32-digit abbreviated commit hash is not something
	// people type.
	if pageArg == "" && rev != "" {
		if _, err := layout.ParseID(rev); err == nil {
			rev, pageArg = "", rev
		}
	}
	if rev == "" {
		rev = "HEAD"
	}
	page := ""
	if pageArg != "" {
		id, err := parsePage(pageArg)
		if err != nil {
			return err
		}
		page = id
	}
	repo, err := openHistory(c.Repo)
	if err != nil {
		return err
	}
	commit, err := resolveSnapshot(repo, rev)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	switch {
	case c.JSON && page != "":
		return showPageJSON(repo, commit, rev, page, out)
	case c.JSON:
		return showSnapshotJSON(repo, commit, out)
	case page != "":
		return showPage(repo, commit, rev, page, false, out)
	}
	return showSnapshot(repo, commit, out)
}

// showPage prints one page of a commit, reading only its folder.
func showPage(repo *gitrepo.Repo, commit plumbing.Hash, rev, id string, asJSON bool, out io.Writer) error {
	var b []byte
	var err error
	if asJSON {
		b, err = review.PageJSON(repo, commit, id)
	} else {
		var p *layout.Page
		if p, err = review.PageAt(repo, commit, id); err == nil {
			var names layout.Names
			if names, err = review.NamesAt(repo, commit); err == nil {
				b = layout.RenderPageNamed(p, names)
			}
		}
	}
	switch {
	case errors.Is(err, review.ErrNoPage):
		return fmt.Errorf("page %s is not in %s (%s); 'notion-git log %s' lists the commits that had it", id, rev, short(commit), id)
	case err != nil && !asJSON:
		return fmt.Errorf("%s (%s): %w", rev, short(commit), err)
	case err != nil:
		return err
	}
	if !asJSON && isTerminal(out) {
		b = []byte(visible(string(b)))
	}
	_, err = out.Write(b)
	return err
}

// showSnapshot prints a commit like git show does, then what the snapshot
// holds: counts by kind and the page tree.
func showSnapshot(repo *gitrepo.Repo, commit plumbing.Hash, out io.Writer) error {
	ci, err := repo.ReadCommit(commit)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "commit %s\nDate:   %s\n\n", ci.Hash, commitDate(ci.Committer.When))
	for _, line := range strings.Split(strings.TrimRight(ci.Message, "\n"), "\n") {
		fmt.Fprintln(out, visible(strings.TrimRight("    "+line, " ")))
	}
	fmt.Fprintln(out)
	c, err := review.Summarize(repo, commit)
	if err != nil {
		return err
	}
	if !c.Layout {
		fmt.Fprintf(out, "No Notion snapshot in this commit (no %s): 'notion-git sync' makes one.\n", layout.MetaPath)
		return nil
	}
	pages := plural(c.Pages, "page")
	if c.Rows > 0 {
		pages += fmt.Sprintf(" (%d of them database rows)", c.Rows)
	}
	fmt.Fprintf(out, "%s, %s, %s, %s, %s\n",
		pages, plural(c.Databases, "database"), plural(c.DataSources, "data source"), plural(c.Users, "user"), plural(c.Files, "attachment"))
	if c.LastSync != "" {
		fmt.Fprintf(out, "Synced from %s.\n", c.LastSync)
	}
	if c.Index != nil {
		// Titles are Notion's text: their control characters are shown
		// as escapes (see visible), here as in diff and log.
		fmt.Fprintf(out, "\n%s", visible(string(c.Index)))
	}
	return nil
}

// plural writes a count with its noun, in the plural unless it is one.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// pluralWord writes a count with the word for one or for many.
func pluralWord(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// pageJSON is what show --json prints of one page: the page.json as the
// commit stores it, not re-encoded, and the Markdown show prints.
type pageJSON struct {
	Commit   string          `json:"commit"`
	ID       string          `json:"id"`
	Title    string          `json:"title"`
	Path     string          `json:"path"`
	Page     json.RawMessage `json:"page"`
	Markdown string          `json:"markdown"`
}

// showPageJSON prints one page of a commit as JSON.
func showPageJSON(repo *gitrepo.Repo, commit plumbing.Hash, rev, id string, out io.Writer) error {
	raw, err := review.PageJSON(repo, commit, id)
	if errors.Is(err, review.ErrNoPage) {
		return showPage(repo, commit, rev, id, true, out) // the same error
	}
	if err != nil {
		return err
	}
	p, err := review.PageAt(repo, commit, id)
	if err != nil {
		return fmt.Errorf("%s (%s): %w", rev, short(commit), err)
	}
	names, err := review.NamesAt(repo, commit)
	if err != nil {
		return err
	}
	return printJSON(out, pageJSON{
		Commit: commit.String(), ID: id, Title: layout.Title(p.Object), Path: layout.PagePath(id),
		Page: raw, Markdown: string(layout.RenderPageNamed(p, names)),
	})
}

// snapshotJSON is what show --json prints of a snapshot: the commit, the
// counts show prints, and the page tree of the root README.md.
type snapshotJSON struct {
	Commit  string `json:"commit"`
	Date    string `json:"date"`
	Message string `json:"message"`
	// Snapshot is false for a commit that holds no notion-git snapshot;
	// the rest is then empty.
	Snapshot    bool       `json:"snapshot"`
	Pages       int        `json:"pages"`
	Rows        int        `json:"rows"`
	Databases   int        `json:"databases"`
	DataSources int        `json:"data_sources"`
	Users       int        `json:"users"`
	Attachments int        `json:"attachments"`
	LastSync    string     `json:"last_sync,omitempty"`
	Tree        []treeNode `json:"tree"`
}

// treeNode is one page, database or data source of the tree, with what is
// below it.
type treeNode struct {
	ID       string     `json:"id"`
	Kind     string     `json:"kind"`
	Title    string     `json:"title"`
	Path     string     `json:"path"`
	Trashed  bool       `json:"trashed,omitempty"`
	Children []treeNode `json:"children,omitempty"`
}

// showSnapshotJSON prints a commit's summary and page tree as JSON.
func showSnapshotJSON(repo *gitrepo.Repo, commit plumbing.Hash, out io.Writer) error {
	ci, err := repo.ReadCommit(commit)
	if err != nil {
		return err
	}
	c, err := review.Summarize(repo, commit)
	if err != nil {
		return err
	}
	doc := snapshotJSON{
		Commit: ci.Hash.String(), Date: ci.Committer.When.Format(time.RFC3339), Message: ci.Message,
		Snapshot: c.Layout, Pages: c.Pages, Rows: c.Rows, Databases: c.Databases, DataSources: c.DataSources,
		Users: c.Users, Attachments: c.Files, LastSync: c.LastSync, Tree: []treeNode{},
	}
	if c.Layout {
		snap, err := repo.SnapshotOf(commit, []string{layout.StateDir, layout.StatePath})
		if err != nil {
			return err
		}
		state, err := layout.ReadState(snap)
		if err != nil {
			return err
		}
		if state != nil {
			doc.Tree = stateTree(state.Objects)
		}
	}
	return printJSON(out, doc)
}

// stateTree is the tree of objects by parent, in the order of the root
// README.md (layout.EncodeIndex): by title, then id; an object whose parent
// is not in the snapshot at the top, and objects whose parents form a
// cycle after the rest.
func stateTree(objects map[string]layout.ObjectState) []treeNode {
	children := map[string][]string{}
	for id, o := range objects {
		parent := o.Parent
		if _, ok := objects[parent]; !ok || parent == id {
			parent = ""
		}
		children[parent] = append(children[parent], id)
	}
	for _, ids := range children {
		slices.SortFunc(ids, func(a, b string) int {
			return cmp.Or(strings.Compare(objects[a].Title, objects[b].Title), strings.Compare(a, b))
		})
	}
	seen := map[string]bool{}
	var walk func(ids []string) []treeNode
	walk = func(ids []string) []treeNode {
		var nodes []treeNode
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			o := objects[id]
			path := layout.PagePath(id)
			switch o.Kind {
			case layout.KindDatabase:
				path = layout.DatabasePath(id)
			case layout.KindDataSource:
				path = layout.DataSourcePath(id)
			}
			nodes = append(nodes, treeNode{ID: id, Kind: o.Kind, Title: o.Title, Path: path, Trashed: o.Trashed, Children: walk(children[id])})
		}
		return nodes
	}
	tree := walk(children[""])
	var rest []string
	for id := range objects {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	slices.Sort(rest)
	return append(tree, walk(rest)...)
}
