package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
)

type showCmd struct {
	Repo     string `short:"r" placeholder:"DIR" help:"Git repository holding the snapshots (default: the current directory)."`
	JSON     bool   `name:"json" help:"Print the page's page.json instead of its Markdown."`
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
	if c.JSON && page == "" {
		return usageError{fmt.Errorf("--json needs a PAGE")}
	}
	repo, err := openHistory(c.Repo)
	if err != nil {
		return err
	}
	commit, err := resolveRevision(repo, rev)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if page != "" {
		return showPage(repo, commit, rev, page, c.JSON, out)
	}
	return showSnapshot(repo, commit, out)
}

// showPage prints one page of a commit, reading only its folder.
func showPage(repo *gitrepo.Repo, commit plumbing.Hash, rev, id string, asJSON bool, out io.Writer) error {
	snap, err := repo.SnapshotOf(commit, []string{layout.PageDir(id)})
	if err != nil {
		return err
	}
	if !snap.Has(layout.PagePath(id)) {
		return fmt.Errorf("page %s is not in %s (%s); 'notion-git log %s' lists the commits that had it", id, rev, short(commit), id)
	}
	if asJSON {
		b, err := snap.Read(layout.PagePath(id))
		if err != nil {
			return err
		}
		_, err = out.Write(b)
		return err
	}
	p, err := layout.DecodePage(snap, id, snap.PathsUnder(layout.PageDir(id)))
	if err != nil {
		return fmt.Errorf("%s (%s): %w", rev, short(commit), err)
	}
	_, err = out.Write(layout.RenderPage(p))
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
		fmt.Fprintln(out, strings.TrimRight("    "+line, " "))
	}
	fmt.Fprintln(out)
	snap, err := repo.Snapshot(commit)
	if err != nil {
		return err
	}
	if !snap.Has(layout.MetaPath) {
		fmt.Fprintf(out, "No Notion snapshot in this commit (no %s): 'notion-git sync' makes one.\n", layout.MetaPath)
		return nil
	}
	var n snapshotCounts
	for _, p := range snap.Paths() {
		n.add(p)
	}
	state, err := layout.ReadState(snap)
	if err != nil {
		return err
	}
	if state != nil {
		n.countRows(state)
	}
	fmt.Fprintln(out, n)
	if state != nil && state.LastSync != "" {
		fmt.Fprintf(out, "Synced from %s.\n", state.LastSync)
	}
	if snap.Has(layout.IndexPath) {
		b, err := snap.Read(layout.IndexPath)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\n%s", b)
	}
	return nil
}

// snapshotCounts is what a snapshot holds, counted from its paths alone.
type snapshotCounts struct {
	pages, rows, databases, dataSources, users, files int
}

// add counts one path of the layout.
func (n *snapshotCounts) add(path string) {
	parts := strings.Split(path, "/")
	switch {
	case len(parts) == 3 && parts[0] == "pages" && parts[2] == "page.json":
		n.pages++
	case len(parts) == 3 && parts[0] == "databases" && parts[2] == "database.json":
		n.databases++
	case len(parts) == 3 && parts[0] == "data_sources" && parts[2] == "data_source.json":
		n.dataSources++
	case len(parts) == 2 && parts[0] == "users":
		n.users++
	case len(parts) == 3 && parts[0] == "files":
		n.files++
	}
}

// countRows counts the pages that are rows of a data source; the state
// knows every page's parent, so no page.json is read.
func (n *snapshotCounts) countRows(s *layout.State) {
	for _, o := range s.Objects {
		if o.Kind == layout.KindPage && s.Objects[o.Parent].Kind == layout.KindDataSource {
			n.rows++
		}
	}
}

func (n snapshotCounts) String() string {
	pages := plural(n.pages, "page")
	if n.rows > 0 {
		pages += fmt.Sprintf(" (%d of them database rows)", n.rows)
	}
	return fmt.Sprintf("%s, %s, %s, %s, %s",
		pages, plural(n.databases, "database"), plural(n.dataSources, "data source"), plural(n.users, "user"), plural(n.files, "attachment"))
}

// plural writes a count with its noun, in the plural unless it is one.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
