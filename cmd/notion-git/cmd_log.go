package main

import (
	"context"
	"fmt"
	"io"

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
// It shows the first-parent history of HEAD, newest first (see review.Log).
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
	shown := 0
	err = review.Log(ctx, repo, head, review.LogOptions{Page: page, Max: c.MaxCount}, func(e *review.Entry) error {
		printLogEntry(out, e)
		shown++
		return nil
	})
	if err != nil {
		return err
	}
	if page != "" && shown == 0 {
		fmt.Fprintf(out, "no commit changed page %s\n", page)
	}
	return nil
}

// printLogEntry prints one commit: hash, date and subject, then the sync's
// counts from its trailers, then what happened to the page if log follows one.
func printLogEntry(out io.Writer, e *review.Entry) {
	ci := e.Commit
	fmt.Fprintf(out, "%s  %s  %s\n", short(ci.Hash), commitDate(ci.Committer.When), ci.Subject())
	if t := e.Trailers; e.Synced {
		line := fmt.Sprintf("%d pages: %d added, %d changed, %d removed; %d requests",
			t.Pages, t.PagesAdded, t.PagesChanged, t.PagesRemoved, t.Requests)
		if t.Unreadable != 0 {
			line += fmt.Sprintf("; %d unreadable", t.Unreadable)
		}
		fmt.Fprintf(out, "    %s\n", line)
	}
	if p := e.Page; p != nil {
		fmt.Fprintf(out, "    %s\n", pageEvent(p))
	}
}

// pageEvent says what one commit did to the page log follows.
func pageEvent(p *review.PageEvent) string {
	switch {
	case !p.InOld:
		return quoted(p.NewTitle) + " added"
	case !p.InNew:
		return quoted(p.OldTitle) + " removed"
	}
	s := quoted(p.NewTitle) + " changed"
	if p.Renamed() {
		s += ", renamed from " + quoted(p.OldTitle)
	}
	if p.Moved {
		s += ", moved"
	}
	return s
}
