package exporter

import (
	"fmt"
	"time"

	"github.com/notion-git/notion-git/layout"
)

// Comment modes for Options.Comments.
const (
	// CommentsNone reads no comments.
	CommentsNone = "none"
	// CommentsPages reads the comments on each page: one request per page.
	CommentsPages = "pages"
	// CommentsAll also reads the comments on every block: one request per
	// block, which multiplies a full crawl's cost several times.
	CommentsAll = "all"
)

// Defaults, with the reason for each.
const (
	// DefaultMaxFileSize keeps every stored attachment under GitHub's
	// 100 MB hard limit on one file, with room to spare.
	DefaultMaxFileSize = 95 << 20
	// DefaultRefreshFraction re-crawls 1% of unchanged pages each run, so
	// every page is re-verified within 100 runs (four days at an hourly
	// schedule) while an incremental sync of a 10,000-page workspace stays
	// within a few hundred requests.
	DefaultRefreshFraction = 0.01
	// DefaultSafetyWindow re-crawls pages edited shortly before the last
	// sync started: last_edited_time is rounded down to the minute, so an
	// edit made during the last sync can carry the same minute as the
	// version that sync stored.
	DefaultSafetyWindow = 2 * time.Minute
	// DefaultConcurrency is enough requests in flight to hide a few hundred
	// milliseconds of latency at Notion's 3 requests per second.
	DefaultConcurrency = 8
)

// Options says what to crawl and how.
type Options struct {
	// Roots limits the sync to these pages and everything below them; empty
	// means everything shared with the integration.
	Roots []string
	// Scope is the repository's scope configuration, if any.
	Scope *Scope
	// Comments is CommentsNone, CommentsPages or CommentsAll.
	Comments string
	// UserEmails keeps people's email addresses, in users/*.json and in every
	// user object inside pages (people properties, mentions). Off by default:
	// backup repositories get shared more widely than workspaces.
	UserEmails bool
	// MaxFileSize is the largest attachment stored; larger ones are
	// recorded as skipped with their size.
	MaxFileSize int64
	// DownloadExternal also stores the bytes of external (non-Notion) files.
	DownloadExternal bool
	// Full crawls everything, ignoring what the last sync knew.
	Full bool
	// RefreshFraction is the share of unchanged pages re-crawled each run.
	RefreshFraction float64
	// SafetyWindow widens "changed since the last sync" for minute rounding.
	SafetyWindow time.Duration
	// Concurrency is the number of requests in flight at once.
	Concurrency int
	// Now is the clock (tests pin it).
	Now func() time.Time
	// State is the sync state to start from. When nil it is read from the
	// previous snapshot's .notion-git/state.json. A caller that keeps a newer
	// state outside the tree (after runs that made no commit) passes it here.
	State *layout.State
	// Progress, if set, is called as work completes.
	Progress func(Progress)
}

// Progress is a running count for progress lines.
type Progress struct {
	PagesDone, PagesQueued int
	Requests               int
	Elapsed                time.Duration
}

func (o *Options) applyDefaults() error {
	switch o.Comments {
	case "":
		o.Comments = CommentsPages
	case CommentsNone, CommentsPages, CommentsAll:
	default:
		return fmt.Errorf("comments mode %q: want none, pages or all", o.Comments)
	}
	if o.MaxFileSize == 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	if o.RefreshFraction == 0 {
		o.RefreshFraction = DefaultRefreshFraction
	}
	if o.RefreshFraction < 0 || o.RefreshFraction > 1 {
		return fmt.Errorf("refresh fraction %v: want between 0 and 1", o.RefreshFraction)
	}
	if o.SafetyWindow == 0 {
		o.SafetyWindow = DefaultSafetyWindow
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}
