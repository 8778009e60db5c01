package notion

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Tests of a hostile or broken server: each ends at once or within a bounded
// number of requests, on a fake clock, with an error that says what happened.

func limitedHandler(calls *atomic.Int32, retryAfter string, times int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= times {
			w.Header().Set("Retry-After", retryAfter)
			notionError(w, 429, "rate_limited", "slow down")
			return
		}
		io.WriteString(w, `{"object":"user"}`)
	})
}

func TestHugeRetryAfterStopsAtOnce(t *testing.T) {
	var calls atomic.Int32
	clock := newFakeClock()
	c := newTestClient(t, limitedHandler(&calls, "999999", 1<<30), clock)
	_, err := c.Get(context.Background(), "users/me", nil)
	var e *WaitTooLongError
	if !errors.Is(err, ErrWaitTooLong) || !errors.As(err, &e) {
		t.Fatalf("err = %v, want ErrWaitTooLong", err)
	}
	want := "Notion asked to wait 11d13h46m (Retry-After: 999999) before the next request, longer than the 15m0s this run may wait"
	if err.Error() != want {
		t.Fatalf("error text\n%s\nwant\n%s", err, want)
	}
	if calls.Load() != 1 || clock.total() != 0 {
		t.Fatalf("%d requests and %v waited, want 1 and none", calls.Load(), clock.total())
	}
	// Every later request stops too, without being sent.
	if _, err := c.Get(context.Background(), "users/me", nil); !errors.Is(err, ErrWaitTooLong) || calls.Load() != 1 {
		t.Fatalf("a later request: err %v after %d requests", err, calls.Load())
	}
}

func TestRetryAfterBeyondADurationStopsAtOnce(t *testing.T) {
	var calls atomic.Int32
	clock := newFakeClock()
	c := newTestClient(t, limitedHandler(&calls, strings.Repeat("9", 40), 1<<30), clock)
	_, err := c.Get(context.Background(), "users/me", nil)
	if !errors.Is(err, ErrWaitTooLong) || calls.Load() != 1 || clock.total() != 0 {
		t.Fatalf("err %v after %d requests and %v of clock", err, calls.Load(), clock.total())
	}
	if !strings.Contains(err.Error(), "Notion asked to wait 106751d23h47m") {
		t.Fatalf("error text %q does not say the wait", err)
	}
}

// TestUnreadableRetryAfterBacksOff: "1e300" and "soon" are not waits
// (RFC 9110 allows digits or a date); the client backs off on its own and
// goes on, neither overflowing nor hammering.
func TestUnreadableRetryAfterBacksOff(t *testing.T) {
	for _, v := range []string{"1e300", "soon", "-5", "NaN"} {
		var calls atomic.Int32
		clock := newFakeClock()
		c := newTestClient(t, limitedHandler(&calls, v, 3), clock)
		if _, err := c.Get(context.Background(), "users/me", nil); err != nil {
			t.Fatalf("Retry-After %q: %v", v, err)
		}
		// Backoff of 1, 2 and 4 s with equal jitter: 3.5 s to 7 s.
		if got := clock.total(); calls.Load() != 4 || got < 3500*time.Millisecond || got > 7*time.Second {
			t.Fatalf("Retry-After %q: %d requests, %v waited; want 4 and 3.5 s to 7 s", v, calls.Load(), got)
		}
	}
}

// TestUnreadableRetryAfterForeverEnds: a server that refuses every request
// with a wait that cannot be read is given up on after DefaultMaxRateLimited
// refusals, within an hour of clock.
func TestUnreadableRetryAfterForeverEnds(t *testing.T) {
	var calls atomic.Int32
	clock := newFakeClock()
	c := newTestClient(t, limitedHandler(&calls, "1e300", 1<<30), clock)
	_, err := c.Get(context.Background(), "users/me", nil)
	var e *Error
	if !errors.As(err, &e) || e.Status != 429 || int(calls.Load()) != DefaultMaxRateLimited+1 || clock.total() > time.Hour {
		t.Fatalf("err %v after %d requests and %v of clock", err, calls.Load(), clock.total())
	}
}

func TestDeadlineLowersTheLongestWait(t *testing.T) {
	var calls atomic.Int32
	clock := newFakeClock()
	c := newTestClient(t, limitedHandler(&calls, "120", 1), clock)
	c.SetDeadline(clock.Now().Add(time.Minute))
	_, err := c.Get(context.Background(), "users/me", nil)
	var e *WaitTooLongError
	if !errors.As(err, &e) || !e.Deadline || e.Limit != time.Minute || clock.total() != 0 {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "longer than the 1m0s left before this run's time limit") {
		t.Fatalf("error text %q", err)
	}
}

// TestLongWaitsAreReported: a wait of 5 s or more is told to OnWait once,
// with Notion's reason, before it starts.
func TestLongWaitsAreReported(t *testing.T) {
	var calls atomic.Int32
	clock := newFakeClock()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "42")
			w.WriteHeader(429)
			io.WriteString(w, `{"object":"error","status":429,"code":"rate_limited","message":"slow down","additional_data":{"rate_limit_reason":"workspace_rate_limit"}}`)
			return
		}
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	var waits []string
	c, err := New(Config{BaseURL: srv.URL, Token: testToken, Rate: -1, Clock: clock,
		OnWait: func(d time.Duration, why string) { waits = append(waits, fmt.Sprintf("%v %s", d, why)) }})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.Get(context.Background(), "users/me", nil); err != nil {
			t.Fatal(err)
		}
	}
	if len(waits) != 1 || waits[0] != "42s Notion asked to slow down (rate_limit_reason: workspace_rate_limit)" {
		t.Fatalf("waits reported: %q", waits)
	}
	if s := c.Stats().Snapshot(); s.RateLimitReasons["workspace_rate_limit"] != 1 {
		t.Fatalf("reasons = %v", s.RateLimitReasons)
	}
}

// listServer answers a list endpoint with page(n, cursor) for the nth
// request, counting requests.
func listServer(t *testing.T, page func(n int, cursor string) string) (*Client, *atomic.Int32) {
	var calls atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1))
		cursor := r.URL.Query().Get("start_cursor")
		if r.Method == http.MethodPost {
			var body struct {
				StartCursor string `json:"start_cursor"`
			}
			jsonDecode(r.Body, &body)
			cursor = body.StartCursor
		}
		io.WriteString(w, page(n, cursor))
	})
	// In memory: a bound of 20,000 pages is walked in a moment.
	c, err := New(Config{BaseURL: "http://notion.test", Token: testToken, Rate: -1, Clock: newFakeClock(),
		HTTPClient: &http.Client{Transport: handlerTransport{h}}})
	if err != nil {
		t.Fatal(err)
	}
	return c, &calls
}

// handlerTransport serves requests with a handler, in memory.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func TestCyclingCursorsEndTheListing(t *testing.T) {
	next := map[string]string{"": "A", "A": "B", "B": "A"}
	c, calls := listServer(t, func(n int, cursor string) string {
		return fmt.Sprintf(`{"object":"list","results":[{"id":"%d"}],"next_cursor":%q,"has_more":true}`, n, next[cursor])
	})
	err := c.Paginate(context.Background(), "GET", "blocks/b/children", nil, nil, func(*List) error { return nil })
	if !errors.Is(err, ErrEndlessListing) || calls.Load() != 3 {
		t.Fatalf("err %v after %d requests, want ErrEndlessListing after 3", err, calls.Load())
	}
	if IsRetryable(err) {
		t.Fatal("an endless listing is retryable")
	}
}

func TestFreshCursorForeverEndsTheListing(t *testing.T) {
	full := func(n int, _ string) string {
		var b strings.Builder
		for i := range PageSize {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":"%d-%d"}`, n, i)
		}
		return fmt.Sprintf(`{"object":"list","results":[%s],"next_cursor":"c%d","has_more":true}`, b.String(), n)
	}
	empty := func(n int, _ string) string {
		return fmt.Sprintf(`{"object":"list","results":[],"next_cursor":"c%d","has_more":true}`, n)
	}
	one := func(n int, _ string) string {
		return fmt.Sprintf(`{"object":"list","results":[{"id":"%d"}],"next_cursor":"c%d","has_more":true}`, n, n)
	}
	for _, tc := range []struct {
		name, method, path string
		page               func(int, string) string
		requests           int
	}{
		// Full pages: the 101st holds result 10,001, past Notion's cap.
		{"full query pages", "POST", "data_sources/d/query", full, queryResults/PageSize + 1},
		// Empty pages: a few in a row, more for search.
		{"empty query pages", "POST", "data_sources/d/query", empty, emptyPages},
		{"empty block pages", "GET", "blocks/b/children", empty, emptyPages},
		{"empty comment pages", "GET", "comments", empty, emptyPages},
		{"empty search pages", "POST", "search", empty, searchEmptyPages},
		// One result a page: twice the pages the results would fill.
		{"one-result block pages", "GET", "blocks/b/children", one, shortPages * listResults / PageSize},
	} {
		c, calls := listServer(t, tc.page)
		err := c.Paginate(context.Background(), tc.method, tc.path, nil, nil, func(*List) error { return nil })
		if !errors.Is(err, ErrEndlessListing) || int(calls.Load()) != tc.requests {
			t.Fatalf("%s: err %v after %d requests, want ErrEndlessListing after %d", tc.name, err, calls.Load(), tc.requests)
		}
	}
}

// TestEmptyPagesBetweenResultsAreLetPass: the count of empty pages is of
// pages in a row; a result between runs starts it again, and a listing
// that ends is whole.
func TestEmptyPagesBetweenResultsAreLetPass(t *testing.T) {
	const total = 4 * emptyPages
	c, calls := listServer(t, func(n int, _ string) string {
		results := ""
		if n%emptyPages == 0 {
			results = fmt.Sprintf(`{"id":"%d"}`, n)
		}
		return fmt.Sprintf(`{"object":"list","results":[%s],"next_cursor":"c%d","has_more":%t}`, results, n, n < total)
	})
	got := 0
	err := c.Paginate(context.Background(), "GET", "blocks/b/children", nil, nil, func(l *List) error {
		got += len(l.Results)
		return nil
	})
	if err != nil || calls.Load() != total || got != 4 {
		t.Fatalf("err %v after %d requests and %d results, want the whole listing: %d requests, 4 results", err, calls.Load(), got, total)
	}
}

// TestMoreWithoutACursorIsAFault: has_more with no cursor to the rest
// would end the walk with part of the listing taken for the whole.
func TestMoreWithoutACursorIsAFault(t *testing.T) {
	for _, cursor := range []string{`null`, `""`} {
		c, calls := listServer(t, func(n int, _ string) string {
			if n == 1 {
				return `{"object":"list","results":[{"id":"1"}],"next_cursor":"c1","has_more":true}`
			}
			return `{"object":"list","results":[{"id":"2"}],"next_cursor":` + cursor + `,"has_more":true}`
		})
		got := 0
		err := c.Paginate(context.Background(), "GET", "blocks/b/children", nil, nil, func(l *List) error {
			got += len(l.Results)
			return nil
		})
		want := "notion: GET blocks/b/children: the listing does not end: page 2 says there is more but gives no cursor to it"
		if !errors.Is(err, ErrEndlessListing) || err.Error() != want || calls.Load() != 2 || got != 2 {
			t.Fatalf("next_cursor %s: err %v after %d requests, want\n%s\nafter 2", cursor, err, calls.Load(), want)
		}
	}
	// Notion's own cut, at the 10,000 rows of a query, says so: the
	// caller splits the rest, and the listing is not a fault.
	c, calls := listServer(t, func(int, string) string {
		return `{"object":"list","results":[{"id":"1"}],"next_cursor":null,"has_more":true,` +
			`"request_status":{"type":"incomplete","incomplete_reason":"query_result_limit_reached"}}`
	})
	var last *List
	err := c.Paginate(context.Background(), "POST", "data_sources/d/query", nil, nil, func(l *List) error {
		last = l
		return nil
	})
	if err != nil || calls.Load() != 1 || !last.Incomplete() {
		t.Fatalf("an incomplete query: err %v after %d requests", err, calls.Load())
	}
}

func jsonDecode(r io.Reader, v any) {
	b, _ := io.ReadAll(r)
	jsonUnmarshal(b, v)
}

// fileHost is an HTTPS file host on loopback that counts its requests and
// notes any Authorization header it is sent.
type fileHost struct {
	*httptest.Server
	calls   atomic.Int32
	sawAuth atomic.Bool
}

func newFileHost(t *testing.T, h http.HandlerFunc) *fileHost {
	f := &fileHost{}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		if r.Header.Get("Authorization") != "" {
			f.sawAuth.Store(true)
		}
		h(w, r)
	}))
	f.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	f.StartTLS()
	t.Cleanup(f.Close)
	return f
}

// downloadClient trusts the test hosts' certificate.
func downloadClient(t *testing.T, f *fileHost, clock Clock) *Client {
	c, err := New(Config{BaseURL: "https://api.notion.test", Token: testToken, Rate: -1, Clock: clock, HTTPClient: f.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDownloadRedirectToPlainHTTPIsRefused(t *testing.T) {
	f := newFileHost(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://files.example.com/f?sig=1", http.StatusFound)
	})
	clock := newFakeClock()
	_, err := downloadClient(t, f, clock).Download(context.Background(), f.URL+"/f", 1<<20)
	if !errors.Is(err, ErrUnsupportedScheme) || f.calls.Load() != 1 || clock.total() != 0 {
		t.Fatalf("err %v after %d requests and %v of backoff; want refused at once", err, f.calls.Load(), clock.total())
	}
	if !strings.Contains(err.Error(), `refusing http URL of host "files.example.com"`) || strings.Contains(err.Error(), "sig=") {
		t.Fatalf("error text %q", err)
	}
}

func TestDownloadRedirectToUnsupportedSchemeIsRefused(t *testing.T) {
	f := newFileHost(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://files.example.com/f", http.StatusFound)
	})
	clock := newFakeClock()
	c := downloadClient(t, f, clock)
	if _, err := c.Download(context.Background(), f.URL+"/f", 1<<20); !errors.Is(err, ErrUnsupportedScheme) || f.calls.Load() != 1 || clock.total() != 0 {
		t.Fatalf("err %v after %d requests and %v of backoff", err, f.calls.Load(), clock.total())
	}
	if _, err := c.Download(context.Background(), "ftp://files.example.com/f", 1<<20); !errors.Is(err, ErrUnsupportedScheme) {
		t.Fatalf("ftp URL: err = %v", err)
	}
}

// TestTokenNeverFollowsARedirect: a download, redirected or not, never
// carries the token; an API request that is redirected is not followed at
// all, so the token cannot go where the redirect points.
func TestTokenNeverFollowsARedirect(t *testing.T) {
	elsewhere := newFileHost(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "bytes") })
	f := newFileHost(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/f", http.StatusTemporaryRedirect)
	})
	clock := newFakeClock()
	c := downloadClient(t, f, clock)
	if data, err := c.Download(context.Background(), f.URL+"/f", 1<<20); err != nil || string(data) != "bytes" {
		t.Fatalf("redirect to an HTTPS host: %q, %v", data, err)
	}
	c, err := New(Config{BaseURL: f.URL, Token: testToken, Rate: -1, Clock: clock, HTTPClient: f.Client()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), "users/me", nil)
	if !errors.Is(err, ErrRedirect) || f.calls.Load() != 2 || elsewhere.calls.Load() != 1 || clock.total() != 0 {
		t.Fatalf("API redirect: err %v; %d and %d requests, %v of backoff", err, f.calls.Load(), elsewhere.calls.Load(), clock.total())
	}
	if f.sawAuth.Load() != true || elsewhere.sawAuth.Load() {
		t.Fatal("the token went to the file host, or not to the API")
	}
	if strings.Contains(err.Error(), testToken) {
		t.Fatalf("the token is in the error: %v", err)
	}
}

func TestHTTPSToPlainHTTPFailsAtOnce(t *testing.T) {
	var calls atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer plain.Close()
	clock := newFakeClock()
	c, err := New(Config{BaseURL: "https://" + plain.Listener.Addr().String(), Token: testToken, Rate: -1, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	httpsURL := "https://" + plain.Listener.Addr().String() + "/f"
	if _, err := c.Download(context.Background(), httpsURL, 1<<20); !errors.Is(err, http.ErrSchemeMismatch) || IsRetryable(err) {
		t.Fatalf("download: err = %v, want a scheme mismatch that is not retried", err)
	}
	if _, err := c.Get(context.Background(), "users/me", nil); !errors.Is(err, http.ErrSchemeMismatch) || IsRetryable(err) {
		t.Fatalf("API: err = %v", err)
	}
	if clock.total() != 0 || calls.Load() != 0 || c.Stats().Snapshot().Total != 1 {
		t.Fatalf("%v of backoff, %d requests served, %d API attempts; want none, none, 1", clock.total(), calls.Load(), c.Stats().Snapshot().Total)
	}
}

func TestUntrustedCertificateFailsAtOnce(t *testing.T) {
	f := newFileHost(t, func(w http.ResponseWriter, r *http.Request) {})
	clock := newFakeClock()
	c, err := New(Config{BaseURL: f.URL, Token: testToken, Rate: -1, Clock: clock}) // the system's roots only
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Download(context.Background(), f.URL+"/f", 1<<20); err == nil || IsRetryable(err) || clock.total() != 0 {
		t.Fatalf("err %v, %v of backoff", err, clock.total())
	}
}

func TestUnknownHostFailsAtOnce(t *testing.T) {
	clock := newFakeClock()
	// The resolver's answer for a name that does not exist, without
	// asking one (the machine may have none).
	noSuchHost := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "files.invalid", IsNotFound: true}}
	}}
	c, err := New(Config{BaseURL: "https://api.notion.test", Token: testToken, Rate: -1, Clock: clock, HTTPClient: &http.Client{Transport: noSuchHost}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Download(context.Background(), "https://files.invalid/f", 1<<20); err == nil || IsRetryable(err) || clock.total() != 0 {
		t.Fatalf("err %v, %v of backoff", err, clock.total())
	}
}

// TestOnlyRetryableStatusesAreRetried: of the 4xx, only 408, 409
// (conflict_error) and 429 can succeed on a later attempt.
func TestOnlyRetryableStatusesAreRetried(t *testing.T) {
	for status, want := range map[int]int32{400: 1, 403: 1, 404: 1, 405: 1, 408: 2, 409: 2, 410: 1, 422: 1, 429: 2} {
		var calls atomic.Int32
		c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.Header().Set("Retry-After", "1")
				notionError(w, status, "some_code", "no")
				return
			}
			io.WriteString(w, `{}`)
		}), newFakeClock())
		c.Get(context.Background(), "pages/p", nil)
		if calls.Load() != want {
			t.Errorf("HTTP %d: %d requests, want %d", status, calls.Load(), want)
		}
	}
}
