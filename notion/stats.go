package notion

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// RequestKey groups request counts: one endpoint template, one answer.
type RequestKey struct {
	// Method is the HTTP method, e.g. "PATCH".
	Method string `json:"method"`
	// Endpoint is the path template, e.g. "blocks/{id}/children" (see Endpoint).
	Endpoint string `json:"endpoint"`
	// Status is the HTTP status of the answer, 0 when none came.
	Status int `json:"status"`
}

// String is "METHOD endpoint status", for logs.
func (k RequestKey) String() string { return fmt.Sprintf("%s %s %d", k.Method, k.Endpoint, k.Status) }

// Writes reports whether the request changes Notion: everything but reads
// and data source queries (a POST that only reads).
func (k RequestKey) Writes() bool {
	return k.Method != "GET" && !strings.HasSuffix(k.Endpoint, "/query") && k.Endpoint != "search"
}

func (k RequestKey) compare(o RequestKey) int {
	return cmp.Or(cmp.Compare(k.Endpoint, o.Endpoint), cmp.Compare(k.Method, o.Method), cmp.Compare(k.Status, o.Status))
}

// Stats counts what the client did. It is safe for concurrent use; Snapshot
// gives a consistent copy for reports.
type Stats struct {
	mu        sync.Mutex
	requests  map[RequestKey]int
	total     int
	retries   int
	limited   int // 429 and 529 answers
	waited    time.Duration
	bytesIn   int64
	bytesOut  int64
	downloads int
	reasons   map[string]int
	rate      float64
	lowest    float64
	cuts      int
}

// StatsSnapshot is a point-in-time copy of Stats.
type StatsSnapshot struct {
	// Requests counts requests by endpoint and answer; a request that got
	// no answer is counted with status 0. In JSON it is a list
	// (requests_by_endpoint), sorted, since a JSON key cannot be a struct.
	Requests map[RequestKey]int `json:"-"`
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
	// RateLimitReasons counts 429 answers by additional_data.rate_limit_reason
	// (which limit was hit); answers without one count under "".
	RateLimitReasons map[string]int `json:"rate_limit_reasons,omitempty"`
	// Rate is the pacer's rate at the time of the snapshot, and LowestRate
	// the lowest it went, in requests per second: what it learned of the
	// budget. RateCuts counts the times it lowered the rate.
	Rate       float64 `json:"rate"`
	LowestRate float64 `json:"lowest_rate"`
	RateCuts   int     `json:"rate_cuts"`
}

func (s *Stats) recordAttempt(method, endpoint string, status int, in, out int64, retry bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.requests == nil {
		s.requests = map[RequestKey]int{}
	}
	s.requests[RequestKey{method, endpoint, status}]++
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

func (s *Stats) recordLimitReason(reason string) {
	s.mu.Lock()
	if s.reasons == nil {
		s.reasons = map[string]int{}
	}
	s.reasons[reason]++
	s.mu.Unlock()
}

func (s *Stats) recordRate(r float64) {
	s.mu.Lock()
	if r < s.rate {
		s.cuts++
	}
	s.rate = r
	if s.lowest == 0 || r < s.lowest {
		s.lowest = r
	}
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
	return StatsSnapshot{Requests: maps.Clone(s.requests), Total: s.total, Retries: s.retries,
		RateLimited: s.limited, Waited: s.waited, BytesIn: s.bytesIn,
		BytesOut: s.bytesOut, Downloads: s.downloads, RateLimitReasons: maps.Clone(s.reasons),
		Rate: s.rate, LowestRate: s.lowest, RateCuts: s.cuts}
}

// String renders the per-endpoint counts one per line, sorted, for logs.
func (s StatsSnapshot) String() string {
	keys := slices.SortedFunc(maps.Keys(s.Requests), RequestKey.compare)
	var b strings.Builder
	fmt.Fprintf(&b, "%d requests, %d retries, %d rate limited, %s waiting\n",
		s.Total, s.Retries, s.RateLimited, s.Waited.Round(time.Millisecond))
	if s.RateCuts > 0 {
		fmt.Fprintf(&b, "pacer: lowered the rate %d times, to %.3g/s at the lowest; %.3g/s at the end\n", s.RateCuts, s.LowestRate, s.Rate)
	}
	for _, r := range slices.Sorted(maps.Keys(s.RateLimitReasons)) {
		name := r
		if name == "" {
			name = "(none given)"
		}
		fmt.Fprintf(&b, "  %6d  429 with rate_limit_reason %s\n", s.RateLimitReasons[r], name)
	}
	for _, k := range keys {
		fmt.Fprintf(&b, "  %6d  %s\n", s.Requests[k], k)
	}
	return b.String()
}

// RequestCount is one line of requests_by_endpoint in JSON reports.
type RequestCount struct {
	RequestKey
	Count int `json:"count"`
}

// MarshalJSON writes the counters with requests_by_endpoint as a sorted list.
func (s StatsSnapshot) MarshalJSON() ([]byte, error) {
	type plain StatsSnapshot // without this method
	out := struct {
		plain
		ByEndpoint []RequestCount `json:"requests_by_endpoint"`
	}{plain: plain(s), ByEndpoint: []RequestCount{}}
	for _, k := range slices.SortedFunc(maps.Keys(s.Requests), RequestKey.compare) {
		out.ByEndpoint = append(out.ByEndpoint, RequestCount{k, s.Requests[k]})
	}
	return json.Marshal(out)
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
