package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/review"
)

// commitMessage words a sync's commit: a subject and a list of the pages
// that changed, by title, from review.Compare of the branch's tree (from)
// with the tree about to be committed (to), which is written but not yet
// committed; then the sync's counts for people and, in trailers, for
// tools. first, from -m, replaces the subject.
//
// The comparison reads only the folders that differ, and the pages that
// only one side has only by their page.json (review.CompareOptions.Outline),
// so an incremental sync's message costs what its change does. A failed
// comparison leaves the counts alone in the message: the backup matters
// more than its wording.
func (c *syncCmd) commitMessage(repo *gitrepo.Repo, from, to plumbing.Hash, first string, r *exporter.Report) string {
	subject := fmt.Sprintf("Sync Notion: %d added, %d changed, %d removed", r.Pages.Added, r.Pages.Changed, r.Pages.Removed)
	body := ""
	d, err := c.compareTrees(context.Background(), repo, from, to)
	if err == nil {
		subject, body = review.Describe(d)
	} else {
		body = "Could not compare with the previous snapshot: " + oneLine(err) + "\n"
	}
	if first != "" {
		subject = first
	}
	var b strings.Builder
	b.WriteString(strings.TrimSpace(subject) + "\n\n")
	if body != "" {
		b.WriteString(body + "\n")
	}
	fmt.Fprintf(&b, "%s in the snapshot: %d added, %d changed, %d removed.\n", plural(r.Pages.Total, "page"), r.Pages.Added, r.Pages.Changed, r.Pages.Removed)
	// Why each page went, by id, which the description does not know;
	// capped like it, so that a mass removal stays a short message.
	for i, p := range r.Removed {
		if i == maxRemovedLines {
			fmt.Fprintf(&b, "And %d more removed (%s).\n", len(r.Removed)-i, removedWhy(r.Removed[i:]))
			break
		}
		fmt.Fprintf(&b, "Removed %s %q: %s.\n", p.ID, p.Title, p.Why)
	}
	fmt.Fprintf(&b, "Crawled %s (%d by the rolling refresh, %s); carried %d without a request.\n", plural(r.Pages.Crawled, "page"), r.Pages.Refreshed, plural(r.Refresh.Requests, "request"), r.Pages.Carried)
	if r.Sweep.Pages > 0 {
		fmt.Fprintf(&b, "Comment sweep: %s, %s, %s found, %d removed (%s).\n", plural(r.Sweep.Pages, "page"), plural(r.Sweep.Blocks, "block"), plural(r.Sweep.Comments, "comment"), r.Sweep.Removed, plural(r.Sweep.Requests, "request"))
	}
	fmt.Fprintf(&b, "Attachments: %d downloaded (%s), %d unchanged, %d skipped.\n", r.Attachments.Downloaded, humanBytes(r.Attachments.Bytes), r.Attachments.Reused, r.Attachments.Skipped)
	fmt.Fprintf(&b, "Requests: %d (%s, %d rate limited) in %s.\n", r.Requests.Total, counted(r.Requests.Retries, "retry", "retries"), r.Requests.RateLimited, r.Duration.Round(time.Second))
	for i, e := range r.Errors {
		if i == 20 {
			fmt.Fprintf(&b, "And %d more could not be read (the sync report lists them).\n", len(r.Errors)-i)
			break
		}
		fmt.Fprintf(&b, "Could not read %s %s (kept its previous version): %s\n", e.Kind, e.ID, strings.Join(strings.Fields(e.Reason), " "))
	}
	b.WriteString("\n" + review.Trailers{
		Pages: r.Pages.Total, PagesAdded: r.Pages.Added, PagesChanged: r.Pages.Changed, PagesRemoved: r.Pages.Removed,
		AttachmentsDownloaded: r.Attachments.Downloaded, Requests: r.Requests.Total,
		Duration: r.Duration.Round(time.Second), Unreadable: len(r.Errors), Full: r.Full,
	}.Encode())
	return b.String()
}

// maxRemovedLines is the most removed pages the message gives a line each.
const maxRemovedLines = 10

// removedWhy counts removed pages by the exporter's reason.
func removedWhy(removed []exporter.RemovedPage) string {
	by := map[string]int{}
	for _, p := range removed {
		by[p.Why]++
	}
	var parts []string
	for _, why := range slices.Sorted(maps.Keys(by)) {
		parts = append(parts, fmt.Sprintf("%d %s", by[why], why))
	}
	return strings.Join(parts, ", ")
}

// counted is plural for a noun whose plural is not its singular and an s.
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// compared is the last comparison a sync made, by outline: the commit
// message and the step summary both need the one of the commit, and a
// first sync's costs about half a second at 5,000 pages.
type compared struct {
	from, to plumbing.Hash
	diff     *review.Diff
}

// compareTrees is review.CompareTrees by outline, made once per pair of
// trees in a run.
func (c *syncCmd) compareTrees(ctx context.Context, repo *gitrepo.Repo, from, to plumbing.Hash) (*review.Diff, error) {
	if m := c.lastCompared; m != nil && m.from == from && m.to == to {
		return m.diff, nil
	}
	d, err := review.CompareTrees(ctx, repo, from, to, review.CompareOptions{Outline: true})
	if err != nil {
		return nil, err
	}
	c.lastCompared = &compared{from, to, d}
	return d, nil
}
