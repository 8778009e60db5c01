package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/review"
)

// --step-summary FILE appends, in Markdown, what a sync did to FILE: on
// GitHub Actions, $GITHUB_STEP_SUMMARY, which the job's page shows. It is
// written whatever the outcome (committed, nothing changed, incomplete,
// partial, failed), so that the job page always says what happened, and
// the pages are named by the same comparison diff uses (review.Compare)
// of the commit the branch ends on with its parent: after a push that
// redid the commit on the remote's tip, that is what the remote got.

// runSummary is what runSync tells --step-summary of a run.
type runSummary struct {
	opened bool          // the repository was opened and base read
	base   plumbing.Hash // the branch tip before the run
	// report is the crawl's report, also of a run that stopped at its
	// time box or failed to commit, which runSync does not return.
	report *exporter.Report

	// Set by sync --push once the push is decided: what it did, and the
	// reports of the syncs it dropped because another run pushed first.
	push    *pushJSON
	earlier []*exporter.Report
}

// summaryPages is how many pages the summary names before it counts the
// rest: a first sync adds the whole workspace.
const summaryPages = 100

// writeStepSummary appends the summary of a run that returned err. A summary that cannot be written does not change what the run did,
// nor its exit code: it is reported on stderr.
func (c *syncCmd) writeStepSummary(env *Env, runErr error) {
	if c.StepSummary == "" {
		return
	}
	var b strings.Builder
	c.stepSummary(env, &b, c.summary.report, runErr)
	f, err := os.OpenFile(c.StepSummary, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err == nil {
		_, err = io.WriteString(f, b.String())
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "notion-git: warning: could not write the step summary: %v\n", oneLine(err))
	}
}

// stepSummary writes the Markdown of the summary to b.
func (c *syncCmd) stepSummary(env *Env, b *strings.Builder, report *exporter.Report, runErr error) {
	var inc incompleteError
	var partial partialError
	var stale worktreeError
	heading, detail := "complete", ""
	switch {
	case runErr == nil && c.DryRun:
		heading, detail = "dry run", "Nothing was written."
	case runErr == nil:
	case errors.As(runErr, &inc):
		heading, detail = "incomplete, will resume", "The time box ended the crawl, "+strings.TrimPrefix(oneLine(runErr), "incomplete ")+". The next run continues from the checkpoint."
	case errors.As(runErr, &partial) && report != nil:
		heading, detail = "partial", fmt.Sprintf("Committed, but %d objects could not be read and kept their previous version (below). The job fails so that someone looks; the next run reads them again.", len(report.Errors))
	case errors.As(runErr, &partial):
		heading, detail = "partial", oneLine(runErr)+"."
	case errors.As(runErr, &stale):
		heading, detail = "committed, working tree behind", oneLine(runErr)+"."
	default:
		heading, detail = "failed", oneLine(runErr)+"."
	}
	fmt.Fprintf(b, "## notion-git sync: %s\n\n", heading)
	if detail != "" {
		b.WriteString(markdownText(detail) + "\n\n")
	}

	if p := c.summary.push; p != nil {
		switch p.Status {
		case "pushed":
			fmt.Fprintf(b, "Pushed to `%s`.\n\n", markdownCode(p.Remote))
		case "up_to_date":
			fmt.Fprintf(b, "Nothing to push: `%s` is up to date.\n\n", markdownCode(p.Remote))
		case "not_pushed":
			if p.Error != "" && (runErr == nil || p.Error != oneLine(runErr)) {
				fmt.Fprintf(b, "Not pushed to `%s`: %s.\n\n", markdownCode(p.Remote), markdownText(p.Error))
			} else {
				fmt.Fprintf(b, "Not pushed to `%s`.\n\n", markdownCode(p.Remote))
			}
		}
	}

	tip, diff, keepalive, err := c.summaryDiff(env)
	switch {
	case err != nil:
		fmt.Fprintf(b, "The changes could not be listed: %s.\n\n", markdownText(oneLine(err)))
	case tip.IsZero():
		if runErr == nil && !c.DryRun {
			b.WriteString("No change in Notion: nothing to commit.\n\n")
		}
	case keepalive:
		fmt.Fprintf(b, "No change in Notion. Committed `%s` on `%s` anyway, with the same snapshot, so that the schedule stays active.\n\n", short(tip), markdownCode(c.Branch))
	default:
		fmt.Fprintf(b, "Committed `%s` on `%s`.\n\n", short(tip), markdownCode(c.Branch))
		writeSummaryPages(b, diff)
	}

	if report != nil {
		r := report.Requests
		total, retries, limited, waited, took, crawled := r.Total, r.Retries, r.RateLimited, r.Waited, report.Duration, report.Pages.Crawled
		for _, e := range c.summary.earlier {
			total += e.Requests.Total
			retries += e.Requests.Retries
			limited += e.Requests.RateLimited
			waited += e.Requests.Waited
			took += e.Duration
			crawled += e.Pages.Crawled
		}
		fmt.Fprintf(b, "### Requests\n\n| requests | retries | rate limited | waited | pages crawled | pages in the snapshot | time |\n|---:|---:|---:|---:|---:|---:|---:|\n| %d | %d | %d | %s | %d | %d | %s |\n\n",
			total, retries, limited, waited.Round(time.Second), crawled, report.Pages.Total, took.Round(time.Second))
		if n := len(c.summary.earlier); n > 0 {
			fmt.Fprintf(b, "Over %d syncs: another run pushed first %s, and the sync was made again on top of it.\n\n", n+1, pluralWord(n, "time", "times"))
		}
		if len(report.Errors) > 0 {
			fmt.Fprintf(b, "### Unreadable (%d, kept their previous version)\n\n", len(report.Errors))
			for _, e := range report.Errors {
				fmt.Fprintf(b, "- %s `%s`: %s\n", markdownText(e.Kind), markdownCode(e.ID), markdownText(oneLine(errors.New(e.Reason))))
			}
			b.WriteString("\n")
		}
	}
}

// summaryDiff compares the branch's tip with its parent if the run moved
// the branch; tip is zero if it did not. keepalive says the tip repeats its
// parent's snapshot (--keepalive).
func (c *syncCmd) summaryDiff(env *Env) (tip plumbing.Hash, diff *review.Diff, keepalive bool, err error) {
	if !c.summary.opened || c.DryRun {
		return plumbing.ZeroHash, nil, false, nil
	}
	repo, err := gitrepo.Open(repoDirFor(c.Repo, c.Demo), gitrepo.OpenOptions{})
	if err != nil {
		return plumbing.ZeroHash, nil, false, err
	}
	tip, _, err = repo.Head(c.Branch)
	if err != nil || tip == c.summary.base || tip.IsZero() {
		return plumbing.ZeroHash, nil, false, err
	}
	info, err := repo.ReadCommit(tip)
	if err != nil {
		return plumbing.ZeroHash, nil, false, err
	}
	parent, from := info.FirstParent(), plumbing.ZeroHash
	if !parent.IsZero() {
		p, err := repo.ReadCommit(parent)
		if err != nil {
			return plumbing.ZeroHash, nil, false, err
		}
		if p.Tree == info.Tree {
			return tip, nil, true, nil
		}
		from = p.Tree
	}
	// Titles and line counts are all the summary shows: the outline reads
	// a page that only one side has from its page.json, so a first sync of
	// the whole workspace renders nothing (its pages are "added", without
	// counts), while a page on both sides is still rendered and counted.
	diff, err = c.compareTrees(env.Ctx, repo, from, info.Tree)
	return tip, diff, false, err
}

// writeSummaryPages lists the pages a commit changed, with titles, and
// counts the schema and view changes.
func writeSummaryPages(b *strings.Builder, d *review.Diff) {
	if u := d.FormatUpgrade; u != nil {
		fmt.Fprintf(b, "The repository's layout was upgraded from format %d to format %d.\n\n", u.From, u.To)
	}
	switch {
	case len(d.Pages) == 0 && len(d.Relinked) > 0:
		b.WriteString("No page changed in Notion.\n\n")
	case len(d.Pages) == 0:
		b.WriteString("No page changed (only Notion's bookkeeping, schemas or views).\n\n")
	default:
		fmt.Fprintf(b, "### Pages changed (%d)\n\n", len(d.Pages))
		for i, p := range d.Pages {
			if i == summaryPages {
				fmt.Fprintf(b, "- and %d more\n", len(d.Pages)-summaryPages)
				break
			}
			fmt.Fprintf(b, "- %s\n", pageLine(p))
		}
		b.WriteString("\n")
	}
	if n := len(d.Relinked); n > 0 {
		fmt.Fprintf(b, "The READMEs of %s were written again for the titles or names they show.\n\n", plural(n, "more page"))
	}
	if n := len(d.Schemas) + len(d.Views); n > 0 {
		fmt.Fprintf(b, "Also %s and %s changed.\n\n", pluralWord(len(d.Schemas), "database or data source schema", "database or data source schemas"), plural(len(d.Views), "view"))
	}
}

// pageLine says what happened to one page, in the words of diff.
func pageLine(p *review.PageChange) string {
	title := summaryTitle(p.Title(), p.ID)
	switch {
	case p.Added():
		return "added: " + title
	case p.Removed():
		return "removed: " + title
	}
	var what []string
	if p.Edited || !p.Renamed() && !p.Moved() {
		what = append(what, "changed")
	}
	if p.Renamed() {
		what = append(what, "renamed from "+summaryTitle(p.OldTitle, p.ID))
	}
	if p.Moved() {
		to := "the top of the workspace"
		if p.NewParent.ID != "" {
			to = summaryTitle(p.NewParent.Title, p.NewParent.ID)
		}
		what = append(what, "moved to "+to)
	}
	line := strings.Join(what, ", ") + ": " + title
	switch {
	case p.LinesAdded+p.LinesRemoved > 0:
		word := "lines"
		if p.LinesAdded+p.LinesRemoved == 1 {
			word = "line"
		}
		line += fmt.Sprintf(" (+%d −%d %s)", p.LinesAdded, p.LinesRemoved, word)
	case !p.Renamed() && !p.Moved():
		// A property the Markdown does not show, an attachment, or
		// Notion's bookkeeping (an edit time).
		line += " (its text is the same)"
	}
	return line
}

// summaryTitle is a page's title as Markdown text, or its id when it has
// none.
func summaryTitle(title, id string) string {
	if strings.TrimSpace(title) == "" {
		return "untitled `" + markdownCode(id) + "`"
	}
	return "**" + markdownText(title) + "**"
}

// markdownText escapes text from Notion (titles, reasons) so that it shows
// as written: Markdown and HTML in a title must not format, link or hide
// anything in the job summary, and a newline must not end the list item.
func markdownText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			// Control characters show as nothing useful.
		case strings.ContainsRune("\\`*_[]<>|~&", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// markdownCode keeps s inside a code span of single backticks: ids and
// branch names hold none, but a branch name may.
func markdownCode(s string) string {
	return strings.NewReplacer("`", "'", "\n", " ", "\r", " ").Replace(s)
}
