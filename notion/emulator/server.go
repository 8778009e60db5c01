// Package emulator is the local Notion: a stateful, in-memory emulator of
// the Notion public API (versions 2025-09-03 and 2026-03-11, see version.go),
// shipped with the product. It
// is what sync --demo, restore --demo, the rehearsal of restore --dry-run,
// cmd/notion-fake, the tests and the benchmarks all talk to. It enforces
// Notion's rules and limits, paginates like Notion, signs file URLs, and
// can be told to misbehave (rate limits, overload, faults, latency) so that
// clients are tested against the parts of the real service that hurt.
//
// Only cmd/ and tests import it: exporter and importer talk to whatever
// *notion.Client their caller hands them.
package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultToken is the bearer token a Server accepts when Options.Token is empty.
const DefaultToken = "ntn_emulator_token"

// APIVersion is the Notion-Version the emulator speaks by default, the
// SDK's; it also speaks APIVersionInTrash (version.go).
const APIVersion = "2025-09-03"

// Options configures a Server. The zero value is a well-behaved Notion with
// no rate limit, no faults and no latency.
type Options struct {
	// Token is the accepted bearer token (DefaultToken when empty).
	Token string
	// Seed makes ids, faults, latency jitter and signatures deterministic.
	Seed int64
	// Clock is the time source for timestamps and URL expiry (time.Now when nil).
	Clock func() time.Time
	// KeepPageTimeOnBlockEdit stops a block edit from bumping its page's
	// last_edited_time. Notion does not document which it does; the default
	// bumps the page so clients that rely on it can be tested both ways.
	KeepPageTimeOnBlockEdit bool
	// Rate is the per-token request rate in requests per second (0: unlimited).
	Rate float64
	// Burst is the token bucket size (1 when Rate is set and Burst is not).
	Burst int
	// Overload is the probability of answering 529 service_overload.
	Overload float64
	// Faults injects transport and server faults.
	Faults Faults
	// Latency is added to every answer, plus a random share of Jitter.
	Latency, Jitter time.Duration
	// SlowDelay is how long a FaultSlow answer waits (default 30 s).
	SlowDelay time.Duration
	// RecordBodies keeps request and response bodies in the request log.
	RecordBodies bool
	// QueryResultLimit is where a data source query stops (default 10,000).
	QueryResultLimit int
	// RejectBlock, if set, sees every block a request creates, as sent;
	// a non-empty answer rejects the request with a 400 validation_error
	// naming the block's path and that text, as Notion rejects content it
	// will not create. With RejectUnnamed the message names no path, as
	// some of Notion's messages do not.
	RejectBlock   func(block map[string]any) string
	RejectUnnamed bool
}

// Server is the emulator; it is an http.Handler serving /v1/... and /files/....
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu sync.Mutex // guards st
	st *store

	ids    atomic.Uint64
	reqIDs atomic.Uint64
	key    []byte // signs file URLs

	weather weather
	log     requestLog
}

// New makes a Server holding a copy of f (nil: an empty workspace).
func New(f *Fixture, opts Options) *Server {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.SlowDelay == 0 {
		opts.SlowDelay = 30 * time.Second
	}
	if opts.QueryResultLimit == 0 {
		opts.QueryResultLimit = 10000
	}
	s := &Server{opts: opts, st: newStore(f), mux: http.NewServeMux()}
	s.key = []byte(seededID(opts.Seed, 0, "signing key"))
	s.weather.init(opts)
	s.log.record = opts.RecordBodies
	s.routes()
	return s
}

func (s *Server) now() time.Time { return s.opts.Clock() }

// NewID returns a fresh id, deterministic from the seed: a dashed lowercase UUID.
func (s *Server) NewID() string { return seededID(s.opts.Seed, s.ids.Add(1), "object") }

func (s *Server) newRequestID() string {
	return seededID(s.opts.Seed, s.reqIDs.Add(1), "request")
}

// apiError is an error answer in Notion's shape.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func errNotFound(id string) error {
	return &apiError{404, "object_not_found", fmt.Sprintf(
		"Could not find object with ID: %s. Make sure the relevant pages and databases are shared with your integration.", id)}
}

func errValidation(format string, args ...any) error {
	return &apiError{400, "validation_error", fmt.Sprintf(format, args...)}
}

// errBody is the standard "body failed validation" error.
func errBody(format string, args ...any) error {
	return &apiError{400, "validation_error", "body failed validation: " + fmt.Sprintf(format, args...)}
}

// call is one API request as seen by a handler.
type call struct {
	r    *http.Request
	raw  []byte
	body map[string]any
	base string // scheme://host, for signed file URLs
	// formErr is the error of parsing a multipart body, which happens
	// before the store is locked so that big uploads do not stall others.
	formErr error
}

func (c *call) id(name string) string { return normID(c.r.PathValue(name)) }

type handler func(c *call) (any, error)

// routes registers every endpoint. Patterns double as the endpoint names in
// Counts and the log.
func (s *Server) routes() {
	api := map[string]handler{
		"POST /v1/search": s.search,

		"POST /v1/pages":                              s.createPage,
		"GET /v1/pages/{id}":                          s.getPage,
		"PATCH /v1/pages/{id}":                        s.updatePage,
		"GET /v1/pages/{id}/properties/{property_id}": s.getPageProperty,

		"GET /v1/blocks/{id}":              s.getBlock,
		"PATCH /v1/blocks/{id}":            s.updateBlock,
		"DELETE /v1/blocks/{id}":           s.deleteBlock,
		"GET /v1/blocks/{id}/children":     s.listChildren,
		"PATCH /v1/blocks/{id}/children":   s.appendChildren,
		"POST /v1/databases":               s.createDatabase,
		"GET /v1/databases/{id}":           s.getDatabase,
		"PATCH /v1/databases/{id}":         s.updateDatabase,
		"POST /v1/data_sources":            s.createDataSource,
		"GET /v1/data_sources/{id}":        s.getDataSource,
		"PATCH /v1/data_sources/{id}":      s.updateDataSource,
		"POST /v1/data_sources/{id}/query": s.queryDataSource,

		"GET /v1/views":                            s.listViews,
		"POST /v1/views":                           s.createView,
		"GET /v1/views/{id}":                       s.getView,
		"PATCH /v1/views/{id}":                     s.updateView,
		"DELETE /v1/views/{id}":                    s.deleteView,
		"POST /v1/views/{id}/queries":              s.createViewQuery,
		"GET /v1/views/{id}/queries/{query_id}":    s.getViewQueryResults,
		"DELETE /v1/views/{id}/queries/{query_id}": s.deleteViewQuery,

		"GET /v1/comments":  s.listComments,
		"POST /v1/comments": s.createComment,

		"GET /v1/users":      s.listUsers,
		"GET /v1/users/me":   s.getSelf,
		"GET /v1/users/{id}": s.getUser,

		"POST /v1/file_uploads":               s.createUpload,
		"GET /v1/file_uploads":                s.listUploads,
		"GET /v1/file_uploads/{id}":           s.getUpload,
		"POST /v1/file_uploads/{id}/send":     s.sendUpload,
		"POST /v1/file_uploads/{id}/complete": s.completeUpload,
	}
	for pattern, h := range api {
		s.mux.HandleFunc(pattern, s.serveAPI(h))
	}
	s.mux.HandleFunc("GET /files/{file_id}/{name}", s.serveFile)
}

// ServeHTTP answers one request: route, check the caller, apply the weather,
// then run the endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	_, pattern := s.mux.Handler(r)
	entry := &LogEntry{Time: s.now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Endpoint: pattern}
	if entry.Endpoint == "" {
		entry.Endpoint = r.Method + " (unknown)"
	}
	rec := &recorder{ResponseWriter: w, keep: s.log.record}
	defer func() {
		entry.Status = rec.status()
		if entry.Fault == FaultDrop || entry.Fault == FaultTruncate {
			entry.Status = 0 // the client saw no complete answer
		}
		entry.Duration = time.Since(start)
		if s.log.record {
			entry.ResponseBody = rec.body.Bytes()
		}
		s.log.add(*entry)
	}()

	if s.log.record && r.Body != nil {
		raw, _ := io.ReadAll(r.Body)
		entry.RequestBody = raw
		r.Body = io.NopCloser(bytes.NewReader(raw))
	}
	if strings.HasPrefix(pattern, "GET /files/") {
		s.mux.ServeHTTP(rec, r)
		return
	}
	if pattern == "" {
		s.writeError(rec, &apiError{400, "invalid_request_url", "Invalid request URL."})
		return
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token != s.opts.Token {
		s.writeError(rec, &apiError{401, "unauthorized", "API token is invalid."})
		return
	}
	if r.Header.Get("Notion-Version") == "" {
		s.writeError(rec, &apiError{400, "missing_version",
			"Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`."})
		return
	}
	if err := checkVersion(r.Header.Get("Notion-Version")); err != nil {
		s.writeError(rec, err)
		return
	}
	if wait, limited := s.weather.limit(token, s.now()); limited {
		rec.Header().Set("Retry-After", fmt.Sprint(wait))
		s.writeError(rec, &apiError{429, "rate_limited", "You have been rate limited. Please try again in a few minutes."})
		return
	}
	if s.weather.overloaded() {
		s.writeError(rec, &apiError{529, "service_overload", "Notion is currently overloaded. Please try again later."})
		return
	}
	// The fault and the latency are decided before the endpoint runs, so a
	// fault can never leave a write half applied.
	fault := s.weather.fault()
	entry.Fault = fault
	s.weather.sleep(r.Context(), s.weather.latency())
	if s.injectFault(rec, r, fault) {
		return
	}
	s.mux.ServeHTTP(rec, r)
}

// serveAPI adapts a handler: it reads the JSON body, holds the store lock
// while the endpoint runs, and writes the answer with a request_id.
func (s *Server) serveAPI(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := &call{r: r, base: baseURL(r)}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			r.Body = http.MaxBytesReader(w, r.Body, maxPart+1<<20)
			c.formErr = r.ParseMultipartForm(64 << 20)
		} else if r.Body != nil {
			raw, err := io.ReadAll(r.Body)
			if err != nil {
				return
			}
			c.raw = raw
			if len(bytes.TrimSpace(raw)) > 0 {
				dec := json.NewDecoder(bytes.NewReader(raw))
				dec.UseNumber()
				var v any
				if err := dec.Decode(&v); err != nil {
					s.writeError(w, &apiError{400, "invalid_json", "Error parsing JSON body."})
					return
				}
				m, ok := v.(map[string]any)
				if !ok {
					s.writeError(w, errBody("body should be an object, instead was `%s`.", bytes.TrimSpace(raw)))
					return
				}
				c.body = m
			}
		}
		if c.body == nil {
			c.body = map[string]any{}
		}
		if err := checkVersionedBody(c); err != nil {
			s.writeError(w, err)
			return
		}
		s.mu.Lock()
		out, err := h(c)
		s.mu.Unlock()
		if err != nil {
			s.writeError(w, err)
			return
		}
		shapeAnswer(c, out)
		s.writeJSON(w, http.StatusOK, out)
	}
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{500, "internal_server_error", "Unexpected error occurred."}
	}
	s.writeJSON(w, ae.status, map[string]any{"object": "error", "status": ae.status, "code": ae.code, "message": ae.message})
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	if m, ok := v.(map[string]any); ok {
		m["request_id"] = s.newRequestID()
	}
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"object":"error","status":500,"code":"internal_server_error","message":"Unexpected error occurred."}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

// recorder captures the status (and, when asked, the body) of an answer.
type recorder struct {
	http.ResponseWriter
	code int
	keep bool
	body bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = 200
	}
	if r.keep {
		r.body.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) status() int {
	if r.code == 0 {
		return 200
	}
	return r.code
}

// Unwrap lets http.ResponseController reach the connection (for hijacking).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

var _ http.Handler = (*Server)(nil)
