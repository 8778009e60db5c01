package review

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Trailers are the counts that a sync writes as the last paragraph of its
// commit message, one "Notion-Git-<Key>: <value>" line each, so that tools
// (log, the job summary) read them without parsing prose.
type Trailers struct {
	Pages                 int           // pages in the snapshot
	PagesAdded            int           // pages that appeared
	PagesChanged          int           // pages whose files changed
	PagesRemoved          int           // pages that went
	AttachmentsDownloaded int           // attachments fetched this sync
	Requests              int           // API requests made
	Duration              time.Duration // how long the sync took
	Unreadable            int           // objects that could not be read and kept their previous version
	Full                  bool          // a full sync, not an incremental one
}

// Keys of the trailers, in the order Encode writes them.
const (
	trailerPages      = "Notion-Git-Pages"
	trailerAdded      = "Notion-Git-Pages-Added"
	trailerChanged    = "Notion-Git-Pages-Changed"
	trailerRemoved    = "Notion-Git-Pages-Removed"
	trailerDownloaded = "Notion-Git-Attachments-Downloaded"
	trailerRequests   = "Notion-Git-Requests"
	trailerDuration   = "Notion-Git-Duration"
	trailerUnreadable = "Notion-Git-Unreadable"
	trailerMode       = "Notion-Git-Mode"
	modeFull          = "full"
	modeIncremental   = "incremental"
)

// Encode returns the trailer paragraph, each line ending in a newline. A
// commit message puts it last, after a blank line.
func (t Trailers) Encode() string {
	mode := modeIncremental
	if t.Full {
		mode = modeFull
	}
	var b strings.Builder
	for _, kv := range [...]struct{ k, v string }{
		{trailerPages, strconv.Itoa(t.Pages)},
		{trailerAdded, strconv.Itoa(t.PagesAdded)},
		{trailerChanged, strconv.Itoa(t.PagesChanged)},
		{trailerRemoved, strconv.Itoa(t.PagesRemoved)},
		{trailerDownloaded, strconv.Itoa(t.AttachmentsDownloaded)},
		{trailerRequests, strconv.Itoa(t.Requests)},
		{trailerDuration, t.Duration.String()},
		{trailerUnreadable, strconv.Itoa(t.Unreadable)},
		{trailerMode, mode},
	} {
		fmt.Fprintf(&b, "%s: %s\n", kv.k, kv.v)
	}
	return b.String()
}

// ParseTrailers reads the trailers of a commit message; ok is false when
// the message is not a sync's (no Notion-Git-Pages count). Commit messages
// are untrusted: a value that does not parse is left at zero, and unknown
// keys are ignored.
func ParseTrailers(message string) (t Trailers, ok bool) {
	fields := trailerFields(message)
	num := func(key string) int {
		n, _ := strconv.Atoi(fields[key])
		return n
	}
	pages, err := strconv.Atoi(fields[trailerPages])
	if err != nil {
		return Trailers{}, false
	}
	t = Trailers{
		Pages:                 pages,
		PagesAdded:            num(trailerAdded),
		PagesChanged:          num(trailerChanged),
		PagesRemoved:          num(trailerRemoved),
		AttachmentsDownloaded: num(trailerDownloaded),
		Requests:              num(trailerRequests),
		Unreadable:            num(trailerUnreadable),
		Full:                  fields[trailerMode] == modeFull,
	}
	t.Duration, _ = time.ParseDuration(fields[trailerDuration])
	return t, true
}

// trailerFields returns the "Key: value" lines of a message's last
// paragraph; a later line wins over an earlier one with the same key.
func trailerFields(message string) map[string]string {
	paras := strings.Split(strings.TrimSpace(message), "\n\n")
	out := map[string]string{}
	for _, line := range strings.Split(paras[len(paras)-1], "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if ok && !strings.ContainsAny(k, " \t") {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}
