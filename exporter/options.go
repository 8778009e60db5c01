package exporter

import (
	"context"
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
	// DefaultCheckpointInterval is how often a long crawl keeps its
	// progress: a kill loses at most this much crawling (180 requests at
	// Notion's pace), while one checkpoint of a 10,000-page workspace costs
	// well under a second.
	DefaultCheckpointInterval = time.Minute
	// DefaultCheckpointBudget is the share of the crawl's time checkpoints
	// may take: the interval is stretched to at least the longest
	// checkpoint so far divided by it (33 times it). At Notion's pace it
	// never binds (a checkpoint of 10,000 pages takes well under the 1.8 s
	// that a minute's 3% is); it keeps checkpoints cheap against a fast API.
	DefaultCheckpointBudget = 0.03
	// stopMarginFloor is the least time kept between the hard stop and
	// Options.StopAt, for the final checkpoint and the process's exit (a
	// twentieth of the time box if that is less). The margin is this plus
	// twice the longest checkpoint so far.
	stopMarginFloor = time.Second
	// maxStopDrain bounds the time pages already in progress get to finish
	// before the hard stop (see Options.StopDrain).
	maxStopDrain = time.Minute
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

	// Checkpoint, if set, is called during the crawl, at moments when the
	// sink plus the state it is handed are a consistent partial snapshot:
	// every CheckpointInterval (stretched so checkpoints cost at most
	// CheckpointBudget of the crawl), and once more when the sync stops at StopAt. The
	// sink is not written while it runs. The state holds, for every object
	// this run finished, what it crawled; the watermark (LastSync) of the
	// last complete sync; and every page it meant to crawl but did not,
	// marked not crawled (see layout.ObjectState.Pending). A later sync
	// that starts from that tree and state (Previous and State) continues
	// the crawl: it fetches again only what changed meanwhile and what
	// this run did not reach. An error from Checkpoint stops the sync.
	Checkpoint func(ctx context.Context, state *layout.State) error
	// CheckpointInterval is the least time between two checkpoints.
	CheckpointInterval time.Duration
	// CheckpointBudget is the share of the crawl's time checkpoints may
	// take (see DefaultCheckpointBudget).
	CheckpointBudget float64
	// StopAt, if set, time-boxes the sync (on the clock Now). When a request
	// would start within the drain window before the hard stop, no new
	// page is started and those in progress finish; at the hard stop
	// (StopAt less a margin of one second, or a twentieth of the box if
	// less, plus twice the longest checkpoint so far) what is still in
	// progress is abandoned. Then a
	// final checkpoint is written and Sync returns an *IncompleteError. A
	// sync whose crawl is complete finishes whatever the time. With a
	// Checkpoint, a wait Notion asks for that is longer than the run may
	// wait (notion.WaitTooLongError) ends the sync the same way, the wait
	// as the error's Cause: the time box would run out before the wait.
	StopAt time.Time
	// StopDrain is the drain window. By default it is twice the longest
	// page crawl so far, at least a twentieth of the time from the start
	// to StopAt (at most a minute) and at most a tenth of it.
	StopDrain time.Duration
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
	if o.CheckpointInterval <= 0 {
		o.CheckpointInterval = DefaultCheckpointInterval
	}
	if o.CheckpointBudget <= 0 {
		o.CheckpointBudget = DefaultCheckpointBudget
	}
	return nil
}
