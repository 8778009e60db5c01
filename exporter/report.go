package exporter

import (
	"fmt"
	"sort"
	"time"

	"github.com/notion-git/notion-git/notion"
)

// Report counts what a sync did. It is what the commit message, the summary
// line and --report FILE.json are made from.
type Report struct {
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	// Full is true when every page was crawled: --full, or a first sync.
	Full bool `json:"full"`

	Pages       PageCounts `json:"pages"`
	DataSources int        `json:"data_sources"`
	Databases   int        `json:"databases"`
	Users       int        `json:"users"`
	Comments    int        `json:"comments"`
	Blocks      int        `json:"blocks_crawled"`

	Attachments AttachmentCounts `json:"attachments"`

	// Refresh, Sweep and BlockComments count the work that keeps unchanged
	// pages verified and comments fresh, apart from the rest: the requests
	// are counted where they are made, by what they are for. Requests
	// holds them too.
	Refresh       RefreshCounts      `json:"refresh"`
	Sweep         SweepCounts        `json:"comment_sweep"`
	BlockComments BlockCommentCounts `json:"block_comments"`
	// Freshness says how old, at most, what the snapshot holds can be.
	Freshness Freshness `json:"freshness"`

	// Errors lists every object that could not be read. Each kept its
	// previous version, if it had one.
	Errors []ObjectError `json:"errors,omitempty"`
	// Removed names the pages that left the snapshot, for the shrink gate.
	Removed []RemovedPage `json:"removed,omitempty"`

	Requests notion.StatsSnapshot `json:"requests"`
	// Checkpoints counts the checkpoints written during the crawl.
	Checkpoints CheckpointCounts `json:"checkpoints"`
	// Commit is the time spent writing the tree and the commit, moving the
	// branch and refreshing the working tree (set by the caller that commits).
	Commit time.Duration `json:"commit_ns"`
}

// PageCounts counts pages (database rows included) by what happened to them.
type PageCounts struct {
	Total     int `json:"total"`     // in the new snapshot
	Previous  int `json:"previous"`  // in the previous snapshot
	Added     int `json:"added"`     // new in this snapshot
	Changed   int `json:"changed"`   // crawled, and their files differ
	Removed   int `json:"removed"`   // trashed, deleted or unshared
	Crawled   int `json:"crawled"`   // fetched this run
	Refreshed int `json:"refreshed"` // crawled by the rolling refresh
	Carried   int `json:"carried"`   // kept from the previous snapshot without a request
	// Settling counts the carried pages edited in the minute of their last
	// crawl: Notion dates edits to the minute, so a later edit in that
	// minute would not show. Each is crawled once more by the first run
	// from SettledBy on (the latest of their times).
	Settling  int       `json:"settling,omitempty"`
	SettledBy time.Time `json:"settled_by,omitzero"`
}

// RefreshCounts counts the rolling refresh (Options.RefreshPeriod).
type RefreshCounts struct {
	Pages    int `json:"pages"`          // crawled although the listing showed them unchanged
	Volatile int `json:"volatile_pages"` // of those, pages marked volatile (on the shorter period)
	Changed  int `json:"changed"`        // of those, pages whose files came out different
	Requests int `json:"requests"`       // requests their crawls made
}

// SweepCounts counts the comment sweep (Options.CommentSweepPeriod).
type SweepCounts struct {
	Pages    int `json:"pages"`            // pages whose comments were read again
	Blocks   int `json:"blocks"`           // blocks whose comments were read again
	Requests int `json:"requests"`         // requests that took
	Comments int `json:"comments_found"`   // comments they returned
	Changed  int `json:"pages_changed"`    // swept pages whose comments changed
	Removed  int `json:"comments_removed"` // comment files removed: resolved or deleted
}

// BlockCommentCounts counts the block comments read at once, for pages
// crawled because they changed.
type BlockCommentCounts struct {
	Pages    int `json:"pages"`
	Blocks   int `json:"blocks"`
	Requests int `json:"requests"`
}

// Freshness bounds the age of what the snapshot holds, from the settings
// of the sync: how long a change can go unseen.
type Freshness struct {
	// RefreshPeriod bounds how long a change that did not move a page's
	// last_edited_time goes unseen; VolatileRefreshPeriod the same for
	// pages marked volatile. Zero: the refresh is off.
	RefreshPeriod         time.Duration `json:"refresh_period_ns"`
	VolatileRefreshPeriod time.Duration `json:"volatile_refresh_period_ns"`
	// CommentSweepPeriod bounds the age of the comments of pages that did
	// not change. Zero: the sweep is off.
	CommentSweepPeriod time.Duration `json:"comment_sweep_period_ns"`
	// PageComments and BlockComments say in words how fresh each kind of
	// comment is.
	PageComments  string `json:"page_comments"`
	BlockComments string `json:"block_comments"`
}

// freshness states the bounds the options give.
func (o *Options) freshness() Freshness {
	f := Freshness{RefreshPeriod: o.RefreshPeriod, VolatileRefreshPeriod: o.RefreshPeriod / VolatileShare, CommentSweepPeriod: o.CommentSweepPeriod}
	sweep := "never read again unless the page is crawled"
	if o.CommentSweepPeriod > 0 {
		sweep = "read again within " + days(o.CommentSweepPeriod) + " by the comment sweep (a first sync reads all)"
	}
	switch o.Comments {
	case CommentsNone:
		f.PageComments, f.BlockComments = "not kept", "not kept"
	case CommentsPages:
		f.PageComments = "read on every crawl of the page; for other pages, " + sweep
		f.BlockComments = "not kept"
	default:
		f.PageComments = "read on every crawl of the page; for other pages, " + sweep
		f.BlockComments = "read at once for pages crawled because they changed; for other pages, " + sweep
		if o.CommentSweepPeriod <= 0 {
			f.BlockComments = "read at once for pages crawled because they changed and in a full sync; others never read again"
		}
	}
	return f
}

// days writes a period in days when it is whole days, as Go does otherwise.
func days(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		if n := d / (24 * time.Hour); n != 1 {
			return fmt.Sprintf("%d days", n)
		}
		return "1 day"
	}
	return d.String()
}

// AttachmentCounts counts Notion-hosted (and, if asked, external) files.
type AttachmentCounts struct {
	Downloaded int   `json:"downloaded"`
	Reused     int   `json:"reused"` // unchanged, not downloaded again
	Skipped    int   `json:"skipped"`
	Bytes      int64 `json:"bytes_downloaded"`
}

// ObjectError is one object that could not be read, and why.
type ObjectError struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

// RemovedPage is a page that left the snapshot.
type RemovedPage struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Why   string `json:"why"`
}

// Partial reports whether some object could not be read.
func (r *Report) Partial() bool { return len(r.Errors) > 0 }

// Summary is the one-line summary printed at the end of a sync.
func (r *Report) Summary() string {
	n := func(k int, one, many string) string { return fmt.Sprintf("%d %s", k, plural(k, one, many)) }
	s := fmt.Sprintf("%s: %d added, %d changed, %d removed, %d crawled, %d carried over; %s downloaded; %s in %s",
		n(r.Pages.Total, "page", "pages"), r.Pages.Added, r.Pages.Changed, r.Pages.Removed, r.Pages.Crawled, r.Pages.Carried,
		n(r.Attachments.Downloaded, "attachment", "attachments"), n(r.Requests.Total, "request", "requests"), r.Duration.Round(time.Second))
	if r.Refresh.Pages > 0 {
		s += fmt.Sprintf("; refresh: %s (%d volatile, %d changed), %s", n(r.Refresh.Pages, "page", "pages"), r.Refresh.Volatile, r.Refresh.Changed, n(r.Refresh.Requests, "request", "requests"))
	}
	if r.Sweep.Pages > 0 {
		s += fmt.Sprintf("; comment sweep: %s, %s, %s, %s found", n(r.Sweep.Pages, "page", "pages"), n(r.Sweep.Blocks, "block", "blocks"),
			n(r.Sweep.Requests, "request", "requests"), n(r.Sweep.Comments, "comment", "comments"))
	}
	if n := r.Pages.Settling; n > 0 {
		s += fmt.Sprintf("; %d %s edited in the minute of the last read, read again by a sync from %s (Notion dates edits to the minute)",
			n, plural(n, "page", "pages"), r.Pages.SettledBy.UTC().Format("15:04:05 UTC"))
	}
	if n := len(r.Errors); n > 0 {
		s += fmt.Sprintf("; %d %s could not be read (kept %s previous version)", n, plural(n, "object", "objects"), plural(n, "its", "their"))
	}
	return s
}

func (r *Report) sortLists() {
	sort.Slice(r.Errors, func(i, j int) bool { return r.Errors[i].ID < r.Errors[j].ID })
	sort.Slice(r.Removed, func(i, j int) bool { return r.Removed[i].ID < r.Removed[j].ID })
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
