package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/review"
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
	commit, err := resolveSnapshot(repo, rev)
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
	var b []byte
	var err error
	if asJSON {
		b, err = review.PageJSON(repo, commit, id)
	} else {
		var p *layout.Page
		if p, err = review.PageAt(repo, commit, id); err == nil {
			b = layout.RenderPage(p)
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
		fmt.Fprintln(out, strings.TrimRight("    "+line, " "))
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
		fmt.Fprintf(out, "\n%s", c.Index)
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
