package emulator

import (
	"slices"
	"strconv"
	"sync"
	"time"
)

// LogEntry is one request the Server answered.
type LogEntry struct {
	Time     time.Time
	Method   string
	Path     string
	Query    string
	Endpoint string // the route pattern, e.g. "GET /v1/pages/{id}"
	Status   int    // 0 when the connection was dropped or the body cut short
	Duration time.Duration
	Fault    FaultKind // the injected fault, if any
	// RequestBody and ResponseBody are kept only with Options.RecordBodies.
	RequestBody  []byte
	ResponseBody []byte
}

// EndpointStatus keys the request counters.
type EndpointStatus struct {
	Endpoint string
	Status   int // 0 when the connection was dropped or the body cut short
}

type requestLog struct {
	mu      sync.Mutex
	record  bool
	entries []LogEntry
	counts  map[EndpointStatus]int
}

func (l *requestLog) add(e LogEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
	if l.counts == nil {
		l.counts = map[EndpointStatus]int{}
	}
	l.counts[EndpointStatus{e.Endpoint, e.Status}]++
}

// Log returns a copy of the request log, oldest first.
func (s *Server) Log() []LogEntry {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return slices.Clone(s.log.entries)
}

// ResetLog empties the request log and the counters.
func (s *Server) ResetLog() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.entries = nil
	s.log.counts = nil
}

// Counts returns how many requests each endpoint answered with each status.
func (s *Server) Counts() map[EndpointStatus]int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make(map[EndpointStatus]int, len(s.log.counts))
	for k, v := range s.log.counts {
		out[k] = v
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
