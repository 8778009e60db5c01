package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/review"
)

type logCmd struct {
	Repo     string `short:"r" placeholder:"DIR" help:"Git repository holding the snapshots (default: the current directory)."`
	MaxCount int    `name:"max-count" short:"n" placeholder:"N" help:"Show at most N commits (default: all)."`
	JSON     bool   `name:"json" help:"Print one JSON array: per commit its hash, time, subject, whether it is a sync, the trailers' counts and the pages it added, changed or removed, with ids and titles."`
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
	if err := checkSnapshot(repo, "HEAD", head); errors.Is(err, review.ErrNotSnapshot) {
		dir := repoDirFor(c.Repo, false)
		return fmt.Errorf("%s holds no notion-git sync: HEAD (%s) has no %s; run 'notion-git sync --repo %s' first", dir, short(head), layout.MetaPath, dir)
	} else if err != nil {
		return err
	}
	opts := review.LogOptions{Page: page, Max: c.MaxCount, Pages: c.JSON && page == ""}
	if c.JSON {
		return logJSON(ctx, repo, head, opts, out)
	}
	shown := 0
	err = review.Log(ctx, repo, head, opts, func(e *review.Entry) error {
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

// logEntry is one commit of `log --json`.
type logEntry struct {
	Commit  string        `json:"commit"`
	Time    string        `json:"time"` // the committer's, RFC 3339
	Subject string        `json:"subject"`
	Sync    bool          `json:"sync"`             // the message has a sync's trailers
	Counts  *logCounts    `json:"counts,omitempty"` // from the trailers, for a sync
	Pages   []logPageJSON `json:"pages"`            // what the commit did to each page; [] for none
}

// logCounts are a sync's trailers (review.Trailers).
type logCounts struct {
	Pages                 int    `json:"pages"`
	PagesAdded            int    `json:"pages_added"`
	PagesChanged          int    `json:"pages_changed"`
	PagesRemoved          int    `json:"pages_removed"`
	AttachmentsDownloaded int    `json:"attachments_downloaded"`
	Requests              int    `json:"requests"`
	Duration              string `json:"duration"`
	Unreadable            int    `json:"unreadable"`
	Full                  bool   `json:"full"`
}

// logPageJSON is what one commit did to one page.
type logPageJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"` // at the commit, or before it for a page removed
	// Change is "added", "removed" or "changed"; renamed and moved say more
	// of a page changed.
	Change   string  `json:"change"`
	Renamed  bool    `json:"renamed,omitempty"`
	OldTitle *string `json:"old_title,omitempty"` // when renamed
	Moved    bool    `json:"moved,omitempty"`
}

// logJSON prints the entries as one JSON array, written as Log walks so
// that a long history starts printing at once.
func logJSON(ctx context.Context, repo *gitrepo.Repo, head plumbing.Hash, opts review.LogOptions, out io.Writer) error {
	if _, err := io.WriteString(out, "["); err != nil {
		return err
	}
	sep := "\n"
	err := review.Log(ctx, repo, head, opts, func(e *review.Entry) error {
		b, err := json.Marshal(jsonLogEntry(e, opts.Page))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s%s", sep, b)
		sep = ",\n"
		return err
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, "\n]\n")
	return err
}

func jsonLogEntry(e *review.Entry, page string) logEntry {
	ci := e.Commit
	j := logEntry{Commit: ci.Hash.String(), Time: ci.Committer.When.Format(time.RFC3339), Subject: ci.Subject(), Sync: e.Synced, Pages: []logPageJSON{}}
	if t := e.Trailers; e.Synced {
		j.Counts = &logCounts{
			Pages: t.Pages, PagesAdded: t.PagesAdded, PagesChanged: t.PagesChanged, PagesRemoved: t.PagesRemoved,
			AttachmentsDownloaded: t.AttachmentsDownloaded, Requests: t.Requests, Duration: t.Duration.String(),
			Unreadable: t.Unreadable, Full: t.Full,
		}
	}
	if p := e.Page; p != nil {
		lp := logPageJSON{ID: page, Title: p.Title(), Change: change(p.InOld, p.InNew), Renamed: p.Renamed(), Moved: p.Moved}
		if p.Renamed() {
			lp.OldTitle = &p.OldTitle
		}
		j.Pages = append(j.Pages, lp)
	}
	if e.Pages != nil {
		for _, p := range e.Pages.Pages {
			lp := logPageJSON{ID: p.ID, Title: p.Title(), Change: change(p.InOld, p.InNew), Renamed: p.Renamed(), Moved: p.Moved()}
			if p.Renamed() {
				lp.OldTitle = &p.OldTitle
			}
			j.Pages = append(j.Pages, lp)
		}
	}
	return j
}

// printLogEntry prints one commit: hash, date and subject, then the sync's
// counts from its trailers, then what happened to the page if log follows one.
func printLogEntry(out io.Writer, e *review.Entry) {
	ci := e.Commit
	fmt.Fprintf(out, "%s  %s  %s\n", short(ci.Hash), commitDate(ci.Committer.When), visible(ci.Subject()))
	if t := e.Trailers; e.Synced {
		line := fmt.Sprintf("%s: %d added, %d changed, %d removed; %s",
			plural(t.Pages, "page"), t.PagesAdded, t.PagesChanged, t.PagesRemoved, plural(t.Requests, "request"))
		if t.Unreadable != 0 {
			line += fmt.Sprintf("; %d unreadable", t.Unreadable)
		}
		fmt.Fprintf(out, "    %s\n", line)
	} else {
		fmt.Fprintln(out, "    not a sync")
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
