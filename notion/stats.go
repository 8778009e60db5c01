package notion

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Stats counts what the client did. It is safe for concurrent use; Snapshot
// gives a consistent copy for reports.
type Stats struct {
	mu        sync.Mutex
	requests  map[string]int // "GET blocks/{id}/children 200"
	total     int
	retries   int
	limited   int // 429 and 529 answers
	waited    time.Duration
	bytesIn   int64
	bytesOut  int64
	downloads int
}

// StatsSnapshot is a point-in-time copy of Stats.
type StatsSnapshot struct {
	// Requests counts requests by "METHOD endpoint status"; a request that
	// got no answer is counted with status 0.
	Requests map[string]int `json:"requests_by_endpoint"`
	// Total counts every attempt sent to the API, retries included.
	Total int `json:"requests"`
	// Retries counts attempts beyond the first.
	Retries int `json:"retries"`
	// RateLimited counts 429 and 529 answers.
	RateLimited int `json:"rate_limited"`
	// Waited is the time requests spent waiting for the pacer.
	Waited time.Duration `json:"waited_ns"`
	// BytesIn and BytesOut are response and request body bytes.
	BytesIn  int64 `json:"bytes_in"`
	BytesOut int64 `json:"bytes_out"`
	// Downloads counts attachment downloads (not API requests).
	Downloads int `json:"downloads"`
}

func (s *Stats) recordAttempt(method, endpoint string, status int, in, out int64, retry bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.requests == nil {
		s.requests = map[string]int{}
	}
	s.requests[fmt.Sprintf("%s %s %d", method, endpoint, status)]++
	s.total++
	if retry {
		s.retries++
	}
	if status == 429 || status == 529 {
		s.limited++
	}
	s.bytesIn += in
	s.bytesOut += out
}

func (s *Stats) recordWait(d time.Duration) {
	s.mu.Lock()
	s.waited += d
	s.mu.Unlock()
}

func (s *Stats) recordDownload(n int64) {
	s.mu.Lock()
	s.downloads++
	s.bytesIn += n
	s.mu.Unlock()
}

// Snapshot returns a copy of the counters.
func (s *Stats) Snapshot() StatsSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	req := make(map[string]int, len(s.requests))
	for k, v := range s.requests {
		req[k] = v
	}
	return StatsSnapshot{Requests: req, Total: s.total, Retries: s.retries,
		RateLimited: s.limited, Waited: s.waited, BytesIn: s.bytesIn,
		BytesOut: s.bytesOut, Downloads: s.downloads}
}

// String renders the per-endpoint counts one per line, sorted, for logs.
func (s StatsSnapshot) String() string {
	keys := make([]string, 0, len(s.Requests))
	for k := range s.Requests {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%d requests, %d retries, %d rate limited, %s waiting\n",
		s.Total, s.Retries, s.RateLimited, s.Waited.Round(time.Millisecond))
	for _, k := range keys {
		fmt.Fprintf(&b, "  %6d  %s\n", s.Requests[k], k)
	}
	return b.String()
}

var idSegment = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)

// Endpoint turns a request path into its template, ids replaced by {id}, so
// that counts and errors group by endpoint rather than by object.
func Endpoint(path string) string {
	path = strings.TrimPrefix(path, "/")
	path = strings.TrimPrefix(path, "v1/")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if idSegment.MatchString(p) {
			parts[i] = "{id}"
		}
	}
	if len(parts) == 4 && parts[0] == "pages" && parts[2] == "properties" {
		parts[3] = "{property_id}"
	}
	return strings.Join(parts, "/")
}
