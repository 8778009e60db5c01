package notion

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock advances instantly: Sleep moves time forward by d and returns, so
// a two-second Retry-After costs no real time but shows in Slept.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if d > 0 {
		f.now = f.now.Add(d)
		f.slept = append(f.slept, d)
	}
	return nil
}

func (f *fakeClock) total() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var t time.Duration
	for _, d := range f.slept {
		t += d
	}
	return t
}

const testToken = "ntn_test_token_value"

func newTestClient(t *testing.T, h http.Handler, clock Clock) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, Token: testToken, Rate: -1, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func notionError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"object": "error", "status": status, "code": code, "message": msg, "request_id": "11111111-2222-3333-4444-555555555555"})
}

func TestRetryAfterIsWaitedOnClock(t *testing.T) {
	var calls atomic.Int32
	clock := newFakeClock()
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "2")
			notionError(w, 429, "rate_limited", "slow down")
			return
		}
		io.WriteString(w, `{"object":"user","id":"u"}`)
	}), clock)
	body, err := c.Get(context.Background(), "users/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"object":"user","id":"u"}` {
		t.Fatalf("body = %s", body)
	}
	if got := clock.total(); got != 2*time.Second {
		t.Fatalf("waited %v of clock, want exactly 2s", got)
	}
	s := c.Stats().Snapshot()
	if s.RateLimited != 1 || s.Retries != 1 || s.Total != 2 {
		t.Fatalf("stats = %+v", s)
	}
}

func TestServerFaultRetriedWithBackoff(t *testing.T) {
	var calls atomic.Int32
	clock := newFakeClock()
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			notionError(w, 503, "service_unavailable", "try later")
			return
		}
		io.WriteString(w, `{"ok":true}`)
	}), clock)
	if _, err := c.Get(context.Background(), "users/me", nil); err != nil {
		t.Fatal(err)
	}
	// Equal jitter around a 1 s base: between 0.5 s and 1 s.
	if got := clock.total(); got < 500*time.Millisecond || got > time.Second {
		t.Fatalf("backoff %v, want within [0.5s, 1s]", got)
	}
}

func TestRetriedPostKeepsItsBody(t *testing.T) {
	var calls atomic.Int32
	var bodies []string
	var mu sync.Mutex
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		if calls.Add(1) == 1 {
			w.WriteHeader(502)
			io.WriteString(w, "<html><body>502 Bad Gateway</body></html>")
			return
		}
		io.WriteString(w, `{"object":"page"}`)
	}), newFakeClock())
	want := `{"parent":{"page_id":"x"},"properties":{}}`
	if _, err := c.Post(context.Background(), "pages", json.RawMessage(want)); err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 2 || bodies[0] != want || bodies[1] != want {
		t.Fatalf("bodies = %q", bodies)
	}
}

func TestUnauthorizedIsNotRetriedAndHidesToken(t *testing.T) {
	var calls atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		notionError(w, 401, "unauthorized", "API token is invalid.")
	}), newFakeClock())
	_, err := c.Get(context.Background(), "users/me", nil)
	if !IsUnauthorized(err) {
		t.Fatalf("err = %v, want unauthorized", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("%d calls, want 1", calls.Load())
	}
	if strings.Contains(err.Error(), testToken) {
		t.Fatalf("error text contains the token: %v", err)
	}
	if !strings.Contains(err.Error(), "share") {
		t.Fatalf("error does not say how to fix it: %v", err)
	}
}

// sleepWatcher is the system clock, telling when a wait begins.
type sleepWatcher struct {
	SystemClock
	started chan time.Duration
}

func (w sleepWatcher) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		w.started <- d
	}
	return w.SystemClock.Sleep(ctx, d)
}

// TestCancelDuringWaitReturnsPromptly: a cancel in the middle of a ten
// minutes' Retry-After ends the wait on the real clock. The request cannot
// have waited out the ten minutes, so no timing is needed to tell; the test
// only gives up if it has not returned a minute after the cancel.
func TestCancelDuringWaitReturnsPromptly(t *testing.T) {
	clock := sleepWatcher{started: make(chan time.Duration, 1)}
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "600")
		notionError(w, 429, "rate_limited", "slow down")
	}), clock)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.Get(ctx, "users/me", nil)
		done <- err
	}()
	if d := <-clock.started; d < 9*time.Minute {
		t.Fatalf("the client waits %v, want the ten minutes of Retry-After", d)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("still waiting a minute after the cancel")
	}
}

func TestTruncatedBodyIsRetried(t *testing.T) {
	var calls atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			// Promise more than is sent, then hang up.
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, `{"object":"pa`)
			return
		}
		io.WriteString(w, `{"object":"page"}`)
	}), newFakeClock())
	body, err := c.Get(context.Background(), "pages/p", nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"object":"page"}` || calls.Load() != 2 {
		t.Fatalf("body %s after %d calls", body, calls.Load())
	}
}

func TestNonJSONSuccessIsRetried(t *testing.T) {
	var calls atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			io.WriteString(w, `{"object":"page","id":`) // complete HTTP, cut JSON
			return
		}
		io.WriteString(w, `{"object":"page"}`)
	}), newFakeClock())
	if _, err := c.Get(context.Background(), "pages/p", nil); err != nil || calls.Load() != 2 {
		t.Fatalf("err %v after %d calls", err, calls.Load())
	}
}

func TestRetriesAreBounded(t *testing.T) {
	var calls atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		notionError(w, 500, "internal_server_error", "boom")
	}), newFakeClock())
	_, err := c.Get(context.Background(), "pages/p", nil)
	if !IsRetryable(err) || int(calls.Load()) != DefaultMaxRetries+1 {
		t.Fatalf("err %v after %d calls", err, calls.Load())
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != "internal_server_error" || e.Endpoint != "pages/p" {
		t.Fatalf("error = %#v", err)
	}
}

func TestNotFoundIsTypedWithRequestID(t *testing.T) {
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		notionError(w, 404, "object_not_found", "Could not find page.")
	}), newFakeClock())
	_, err := c.Get(context.Background(), "pages/59833787-2cf9-4fdf-8782-e53db20768a5", nil)
	var e *Error
	if !IsNotFound(err) || !errors.As(err, &e) || e.RequestID == "" || e.Endpoint != "pages/{id}" {
		t.Fatalf("err = %#v", err)
	}
}

func TestHeadersAndVersion(t *testing.T) {
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Notion-Version") != DefaultVersion || r.Header.Get("Authorization") != "Bearer "+testToken || r.URL.Path != "/v1/users/me" {
			notionError(w, 400, "missing_version", "bad headers")
			return
		}
		io.WriteString(w, `{}`)
	}), newFakeClock())
	if _, err := c.Get(context.Background(), "users/me", nil); err != nil {
		t.Fatal(err)
	}
}

func TestPaginateWalksGetAndPost(t *testing.T) {
	mux := http.NewServeMux()
	pageOf := func(cursor string) string {
		switch cursor {
		case "":
			return `{"object":"list","results":[{"id":"1"},{"id":"2"}],"next_cursor":"c2","has_more":true}`
		case "c2":
			return `{"object":"list","results":[{"id":"3","extra":{"kept":1.50}}],"next_cursor":null,"has_more":false}`
		}
		return `{}`
	}
	mux.HandleFunc("GET /v1/blocks/b/children", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page_size") != "100" {
			notionError(w, 400, "validation_error", "page_size")
			return
		}
		io.WriteString(w, pageOf(r.URL.Query().Get("start_cursor")))
	})
	mux.HandleFunc("POST /v1/search", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		cursor, _ := body["start_cursor"].(string)
		if body["query"] != "x" {
			notionError(w, 400, "validation_error", "query lost")
			return
		}
		io.WriteString(w, pageOf(cursor))
	})
	c := newTestClient(t, mux, newFakeClock())
	for _, tc := range []struct {
		method, path string
		body         map[string]any
	}{{"GET", "blocks/b/children", nil}, {"POST", "search", map[string]any{"query": "x"}}} {
		var got []string
		err := c.Paginate(context.Background(), tc.method, tc.path, nil, tc.body, func(l *List) error {
			for _, r := range l.Results {
				got = append(got, string(r))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{`{"id":"1"}`, `{"id":"2"}`, `{"id":"3","extra":{"kept":1.50}}`}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("%s: got %v, want raw results %v", tc.path, got, want)
		}
	}
}

func TestDownloadRules(t *testing.T) {
	var sawAuth atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			sawAuth.Store(true)
		}
		io.WriteString(w, strings.Repeat("x", 1000))
	}))
	defer srv.Close()
	c, _ := New(Config{BaseURL: srv.URL, Token: testToken, Rate: -1, Clock: newFakeClock()})
	data, err := c.Download(context.Background(), srv.URL+"/f?sig=1", 2000)
	if err != nil || len(data) != 1000 {
		t.Fatalf("download: %v, %d bytes", err, len(data))
	}
	if sawAuth.Load() {
		t.Fatal("the token was sent to a file host")
	}
	var tl *TooLargeError
	if _, err := c.Download(context.Background(), srv.URL+"/f", 999); !errors.As(err, &tl) {
		t.Fatalf("over cap: err = %v", err)
	}
	if _, err := c.Download(context.Background(), "http://files.example.com/f", 10); err == nil {
		t.Fatal("plain HTTP to a non-loopback host was accepted")
	}
}

func TestEndpointTemplate(t *testing.T) {
	cases := map[string]string{
		"blocks/59833787-2cf9-4fdf-8782-e53db20768a5/children":        "blocks/{id}/children",
		"/v1/pages/598337872cf94fdf8782e53db20768a5":                  "pages/{id}",
		"pages/59833787-2cf9-4fdf-8782-e53db20768a5/properties/title": "pages/{id}/properties/{property_id}",
		"search": "search",
	}
	for in, want := range cases {
		if got := Endpoint(in); got != want {
			t.Errorf("Endpoint(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteWithoutBlindRetry(t *testing.T) {
	var calls atomic.Int32
	status := atomic.Int32{}
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if n == 1 {
			if s := int(status.Load()); s == 429 {
				w.Header().Set("Retry-After", "1")
				notionError(w, 429, "rate_limited", "slow down")
			} else {
				w.WriteHeader(s)
				io.WriteString(w, "<html>gateway</html>")
			}
			return
		}
		io.WriteString(w, `{"object":"page"}`)
	}), newFakeClock())
	ctx := WithoutBlindRetry(context.Background())

	// A 502 after a POST may hide a page that was created: not retried.
	status.Store(502)
	_, err := c.Post(ctx, "pages", map[string]any{})
	if !MaybeApplied(err) || calls.Load() != 1 {
		t.Fatalf("502: err %v after %d calls, want ErrMaybeApplied after 1", err, calls.Load())
	}
	// A 429 was refused before anything happened: retried as usual.
	calls.Store(0)
	status.Store(429)
	if _, err := c.Post(ctx, "pages", map[string]any{}); err != nil || calls.Load() != 2 {
		t.Fatalf("429: err %v after %d calls", err, calls.Load())
	}
	// Reads are always retried.
	calls.Store(0)
	status.Store(502)
	if _, err := c.Get(ctx, "pages/p", nil); err != nil || calls.Load() != 2 {
		t.Fatalf("GET: err %v after %d calls", err, calls.Load())
	}
}
