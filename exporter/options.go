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
	// CommentsPages reads the comments on each page: one request per page,
	// when the page is crawled or swept.
	CommentsPages = "pages"
	// CommentsAll also reads the comments on every block, without reading
	// every block's on every crawl (one request per block, several times a
	// full crawl): those of a page crawled because it changed are read at
	// once, and the rest by the comment sweep (Options.CommentSweepPeriod).
	CommentsAll = "all"
)

// Defaults, with the reason for each.
const (
	// DefaultMaxFileSize keeps every stored attachment under GitHub's
	// 100 MB hard limit on one file, with room to spare.
	DefaultMaxFileSize = 95 << 20
	// DefaultRefreshPeriod and DefaultCommentSweepPeriod are the CLI's
	// defaults (the library's zero turns each off), chosen by arithmetic in
	// README.md ("Re-verification and comments on a budget"): on an hourly
	// schedule at 10,278 pages and 235,583 blocks, the refresh (every page
	// within 90 days, volatile ones within 22.5) and the sweep (every
	// page's and block's comments within 150 days) cost about 110 requests
	// a run together, 22% of a 10-page incremental sync's.
	DefaultRefreshPeriod      = 90 * 24 * time.Hour
	DefaultCommentSweepPeriod = 150 * 24 * time.Hour
	// VolatileShare is how much more often a volatile page is refreshed:
	// it is re-verified within RefreshPeriod / VolatileShare.
	VolatileShare = 4
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
	// RefreshPeriod is the rolling refresh's guarantee: every page that
	// the listing shows unchanged is crawled again within this time anyway,
	// because some changes do not move last_edited_time (see doc.go).
	// Volatile pages (layout.ObjectState.Volatile) are crawled again within
	// RefreshPeriod / VolatileShare. Zero turns the refresh off; negative
	// is an error.
	//
	// The slice a run refreshes is chosen from time, not from run counts
	// or per-page crawl times: each page has a fixed phase in [0, period)
	// (a hash of its id), and a run starting at t whose previous run
	// started at t0 (the LastSync of the state it starts from) refreshes
	// the pages whose phase lies in (t0 mod period, t mod period], all of
	// them when t - t0 >= period. Consecutive runs tile the period, so each
	// page comes up once per period whatever the schedule. This needs the
	// previous run's start: the CLI keeps the newest state in the
	// repository's git directory (cmd/notion-git/localstate.go), and a
	// fresh checkout falls back to the state of the last commit, whose
	// LastSync can be older: the window then reaches back to it (at most
	// one period), which costs more but never skips a page. A refreshed
	// page whose files come out the same keeps its state entry as it was,
	// so the refresh alone changes nothing in the tree.
	RefreshPeriod time.Duration
	// CommentSweepPeriod bounds the age of the comments of pages that are
	// not crawled because they changed: each such page's comments (its
	// own, and with CommentsAll every block's) are read again within this
	// time, by the same phase mechanism as the refresh. A swept page costs
	// one request for the page and one per block. A first sync has no
	// previous run, so its window is the whole period: it reads every
	// block's comments, once. Zero turns the sweep off: then a full sync
	// reads every block's comments at once, and otherwise only changed
	// pages' are read.
	CommentSweepPeriod time.Duration
	// SafetyWindow widens "changed since the last sync" for minute
	// rounding: a page whose last crawl came less than a minute plus this
	// after its last_edited_time may have been edited again within the same
	// minute. It is carried while that window is open and crawled once in
	// the first run after it has closed.
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
	if o.RefreshPeriod < 0 {
		return fmt.Errorf("refresh period %v: want 0 (off) or more", o.RefreshPeriod)
	}
	if o.CommentSweepPeriod < 0 {
		return fmt.Errorf("comment sweep period %v: want 0 (off) or more", o.CommentSweepPeriod)
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
