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
	s := fmt.Sprintf("%d pages: %d added, %d changed, %d removed, %d crawled, %d carried over; %d attachments downloaded; %d requests in %s",
		r.Pages.Total, r.Pages.Added, r.Pages.Changed, r.Pages.Removed, r.Pages.Crawled, r.Pages.Carried,
		r.Attachments.Downloaded, r.Requests.Total, r.Duration.Round(time.Second))
	if n := len(r.Errors); n > 0 {
		s += fmt.Sprintf("; %d objects could not be read (kept their previous version)", n)
	}
	return s
}

func (r *Report) sortLists() {
	sort.Slice(r.Errors, func(i, j int) bool { return r.Errors[i].ID < r.Errors[j].ID })
	sort.Slice(r.Removed, func(i, j int) bool { return r.Removed[i].ID < r.Removed[j].ID })
}
