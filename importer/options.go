package importer

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/notion-git/notion-git/notion"
)

// FileSource reads attachment bytes from the snapshot's files/ directory
// (a gitrepo.Snapshot or a layout.MapSource).
type FileSource interface {
	Read(path string) ([]byte, error)
}

// DefaultConcurrency is enough requests in flight to hide a few hundred
// milliseconds of latency at Notion's 3 requests per second, as for sync.
const DefaultConcurrency = 8

// Options says where to restore and how.
type Options struct {
	// Target is the id of the page the snapshot is restored into. Objects at
	// the top of the snapshot (or the pages named in Pages) become its
	// children.
	Target string
	// Pages restricts the restore to these pages and everything below them.
	Pages []string
	// Files reads attachment bytes; without it, Notion-hosted files are
	// replaced by a callout saying so.
	Files FileSource
	// Journal is the file recording progress; "" restores without one.
	Journal string
	// Fresh ignores and replaces an existing journal.
	Fresh bool
	// Concurrency is the number of requests in flight at once (default
	// DefaultConcurrency). It hides latency; the client's pacer keeps the
	// rate. With 1 every object is created in the snapshot's order; with
	// more, rows of one data source may be created out of order.
	Concurrency int
	// Progress, if set, is called after every write, from several
	// goroutines at once.
	Progress func(Progress)
	// Notice, if set, is called with one line when the restore does
	// something the user did not ask for, before it goes on: starting over
	// because the copy a journal recorded is gone.
	Notice func(string)
	// Now is the clock (tests pin it).
	Now func() time.Time
}

// Progress is a running count for progress lines.
type Progress struct {
	Phase    string
	Done     int // objects finished in this restore
	Total    int // objects planned
	Requests int
	Elapsed  time.Duration
}

// Report counts what a restore did and what it could not do exactly.
type Report struct {
	Pages       int   `json:"pages"`
	Rows        int   `json:"rows"`
	Databases   int   `json:"databases"`
	DataSources int   `json:"data_sources"`
	Views       int   `json:"views,omitempty"`
	Blocks      int   `json:"blocks"`
	Comments    int   `json:"comments"`
	Uploads     int   `json:"uploads"`
	UploadBytes int64 `json:"upload_bytes"`

	// Substituted counts objects restored in another form, by "what → how".
	Substituted map[string]int `json:"substituted,omitempty"`
	// ReadOnly counts property values left for Notion to compute, by type.
	ReadOnly map[string]int `json:"read_only,omitempty"`
	// External counts references to objects outside the snapshot, which
	// keep their original ids, by kind.
	External map[string]int `json:"external,omitempty"`
	// Truncated counts values cut to a write limit, by what.
	Truncated map[string]int `json:"truncated,omitempty"`

	// PagesHeld is the most pages whose blocks were held in memory at
	// once: at most one per task in flight.
	PagesHeld int `json:"pages_held"`

	// Resumed counts steps a journal said were already done.
	Resumed int `json:"resumed"`
	// Requests are the client's counters for this restore.
	Requests notion.StatsSnapshot `json:"requests"`
	Duration time.Duration        `json:"duration_ns"`
	// Fallbacks maps every block the API rejected to the form it was
	// written in instead ("plain text", "paragraph", "code").
	Fallbacks map[string]string `json:"fallbacks,omitempty"`
	// IDs maps every old id whose new id is known to it.
	IDs map[string]string `json:"-"`
}

func newReport() *Report {
	return &Report{Substituted: map[string]int{}, ReadOnly: map[string]int{}, External: map[string]int{}, Truncated: map[string]int{}, Fallbacks: map[string]string{}}
}

// Summary is the one-line summary printed at the end of a restore.
func (r *Report) Summary() string {
	s := fmt.Sprintf("restored %s, %s, %s (%s), %s, %s, %s; %s in %s",
		plural(r.Pages, "page", "pages"), plural(r.Rows, "row", "rows"), plural(r.Databases, "database", "databases"),
		plural(r.DataSources, "data source", "data sources"), plural(r.Blocks, "block", "blocks"), plural(r.Comments, "comment", "comments"),
		plural(r.Uploads, "attachment", "attachments"), plural(r.Requests.Total, "request", "requests"), r.Duration.Round(time.Second))
	if n := sum(r.Substituted); n > 0 {
		s += fmt.Sprintf("; %d substituted", n)
	}
	if n := sum(r.ReadOnly); n > 0 {
		s += fmt.Sprintf("; %d read-only values left to Notion", n)
	}
	if n := sum(r.External); n > 0 {
		s += fmt.Sprintf("; %d references outside the snapshot kept", n)
	}
	if r.Resumed > 0 {
		s += fmt.Sprintf("; resumed (%d steps already done)", r.Resumed)
	}
	return s
}

// Details lists the substitutions and other counted limitations, one per line.
func (r *Report) Details() string {
	var b strings.Builder
	section := func(title string, m map[string]int) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			fmt.Fprintf(&b, "  %s: %s ×%d\n", title, k, m[k])
		}
	}
	section("substituted", r.Substituted)
	section("left to Notion", r.ReadOnly)
	section("kept outside reference", r.External)
	section("cut to a limit", r.Truncated)
	return b.String()
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
