package notion

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults, each the value Notion documents or the SDK uses.
const (
	// DefaultBaseURL is the public API.
	DefaultBaseURL = "https://api.notion.com"
	// DefaultVersion is the API version notion-git speaks: the first with
	// data sources, and the official SDK's default.
	DefaultVersion = "2025-09-03"
	// DefaultRate is Notion's documented average budget per integration.
	DefaultRate = 3.0
	// DefaultBurst lets short bursts through, as Notion does, while one
	// second's worth keeps any ten-second window within 4% of the budget.
	DefaultBurst = 3
	// DefaultTimeout is one attempt's limit; Notion itself gives up on a
	// request after 60 s with a 503.
	DefaultTimeout = 70 * time.Second
	// DefaultMaxRetries bounds retries of server faults and network errors
	// (2^6 s of backoff at most in one request's last wait, capped).
	DefaultMaxRetries = 6
	// DefaultMaxRateLimited bounds how many 429/529 answers one request
	// accepts. Each is waited out as Notion asks, so the bound only stops a
	// run that would never finish.
	DefaultMaxRateLimited = 50
	// PageSize is the largest page Notion serves on every list endpoint.
	PageSize = 100
)

// Config configures a Client. The zero value of each field means its default.
type Config struct {
	// BaseURL is the API root without /v1, for example the emulator's URL.
	BaseURL string
	// Token is the integration's secret. It is only ever placed in the
	// Authorization header.
	Token string
	// Version is the Notion-Version header.
	Version string
	// Rate is requests per second for the pacer; Burst its bucket size.
	Rate  float64
	Burst int
	// Timeout bounds one attempt.
	Timeout time.Duration
	// MaxRetries bounds retries of faults; MaxRateLimited of 429/529.
	MaxRetries     int
	MaxRateLimited int
	// BackoffBase and BackoffCap shape exponential backoff with jitter.
	BackoffBase time.Duration
	BackoffCap  time.Duration
	// HTTPClient sends the requests; its own timeout should be unset.
	HTTPClient *http.Client
	// Clock drives the pacer and backoff; tests pass a fake one.
	Clock Clock
	// UserAgent names the program in requests.
	UserAgent string
	// MaxWait is the longest one wait may be (a Retry-After, a backoff):
	// a longer one stops the run with a *WaitTooLongError instead, since an
	// unattended backup that sleeps for days helps nobody. DefaultMaxWait
	// when zero.
	MaxWait time.Duration
	// Deadline, when set, lowers MaxWait to what is left until it (a run
	// with a time limit must not sleep past its end). See also
	// Client.SetDeadline.
	Deadline time.Time
	// OnWait, when set, is told of every wait of 5 s or more before it
	// starts, with what it is for ("Notion asked to slow down"), so that
	// a long silence is never unexplained. It is called once per wait,
	// however many requests the wait holds.
	OnWait func(d time.Duration, why string)
}

func (c *Config) applyDefaults() {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimSuffix(strings.TrimSuffix(c.BaseURL, "/"), "/v1")
	if c.Version == "" {
		c.Version = DefaultVersion
	}
	if c.Rate == 0 {
		c.Rate = DefaultRate
	}
	if c.Burst == 0 {
		c.Burst = DefaultBurst
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	if c.MaxRateLimited == 0 {
		c.MaxRateLimited = DefaultMaxRateLimited
	}
	if c.BackoffBase == 0 {
		c.BackoffBase = time.Second // as the official SDK
	}
	if c.BackoffCap == 0 {
		c.BackoffCap = 60 * time.Second
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	if c.UserAgent == "" {
		c.UserAgent = "notion-git"
	}
	if c.MaxWait == 0 {
		c.MaxWait = DefaultMaxWait
	}
}

// Client sends requests to the Notion API through one Pacer. It is safe for
// concurrent use; concurrency hides latency while the pacer keeps the total
// rate at the budget.
type Client struct {
	cfg   Config
	base  *url.URL
	http  *http.Client
	pacer *Pacer
	stats *Stats
}

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	cfg.applyDefaults()
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("notion: API URL %q is not an http(s) URL", cfg.BaseURL)
	}
	pacer := NewPacer(cfg.Rate, cfg.Burst, cfg.Clock)
	pacer.maxWait, pacer.deadline, pacer.onWait = cfg.MaxWait, cfg.Deadline, cfg.OnWait
	if cfg.Rate > 0 {
		pacer.stats.recordRate(cfg.Rate)
	}
	// A copy, so that the redirect rule is ours whoever built the client.
	hc := *cfg.HTTPClient
	hc.CheckRedirect = checkRedirect
	return &Client{cfg: cfg, base: base, http: &hc, pacer: pacer, stats: pacer.stats}, nil
}

// SetDeadline lowers the longest wait to what is left until t (see
// Config.Deadline); a zero t removes the deadline.
func (c *Client) SetDeadline(t time.Time) { c.pacer.SetDeadline(t) }

// checkRedirect follows a redirect only for a download, only to a host a
// download may go to (every hop is checked, not just the first URL), and
// never with the token: a request carrying it is an API request, and
// Notion's API does not redirect.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if via[0].Header.Get("Authorization") != "" {
		return ErrRedirect
	}
	if len(via) >= 10 {
		return errors.New("download: stopped after 10 redirects")
	}
	if err := checkDownloadURL(req.URL.String()); err != nil {
		return fmt.Errorf("redirect: %w", err)
	}
	req.Header.Del("Authorization")
	return nil
}

// Stats returns the client's counters.
func (c *Client) Stats() *Stats { return c.stats }

// Version returns the Notion-Version the client speaks.
func (c *Client) Version() string { return c.cfg.Version }

// Rate returns the configured budget in requests per second: the most the
// pacer sends. The rate in force, which it learns, is Stats().Snapshot().Rate.
func (c *Client) Rate() float64 { return c.cfg.Rate }

// Get sends a GET to path (relative to /v1/, for example "pages/ID").
func (c *Client) Get(ctx context.Context, path string, query url.Values) ([]byte, error) {
	return c.Do(ctx, http.MethodGet, path, query, nil)
}

// Post sends a POST with body encoded as JSON.
func (c *Client) Post(ctx context.Context, path string, body any) ([]byte, error) {
	return c.Do(ctx, http.MethodPost, path, nil, body)
}

// Patch sends a PATCH with body encoded as JSON.
func (c *Client) Patch(ctx context.Context, path string, body any) ([]byte, error) {
	return c.Do(ctx, http.MethodPatch, path, nil, body)
}

// Delete sends a DELETE.
func (c *Client) Delete(ctx context.Context, path string) ([]byte, error) {
	return c.Do(ctx, http.MethodDelete, path, nil, nil)
}

// Do sends one API request and returns the response body exactly as Notion
// sent it. body may be nil, raw JSON bytes (json.RawMessage or []byte), or a
// value to encode. Retries are handled here; the error, if any, is an *Error
// or the context's error.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body any) ([]byte, error) {
	var payload []byte
	switch b := body.(type) {
	case nil:
	case json.RawMessage:
		payload = b
	case []byte:
		payload = b
	default:
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("notion: encode %s %s body: %w", method, Endpoint(path), err)
		}
	}
	u := c.apiURL(path, query)
	return c.call(ctx, request{
		method: method, url: u, endpoint: Endpoint(path), body: payload,
		contentType: "application/json", api: true,
	})
}

// DoMultipart sends a multipart/form-data POST (the File Upload API's send
// step) with the given form fields and one file part named "file".
func (c *Client) DoMultipart(ctx context.Context, path string, fields map[string]string, filename, contentType string, data []byte) ([]byte, error) {
	body, ct, err := multipartBody(fields, filename, contentType, data)
	if err != nil {
		return nil, fmt.Errorf("notion: build upload of %s: %w", filename, err)
	}
	return c.call(ctx, request{
		method: http.MethodPost, url: c.apiURL(path, nil), endpoint: Endpoint(path),
		body: body, contentType: ct, api: true,
	})
}

func (c *Client) apiURL(path string, query url.Values) string {
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/v1/" + strings.TrimPrefix(path, "/")
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	return u.String()
}

type request struct {
	method, url, endpoint string
	body                  []byte
	contentType           string
	// api requests carry the token and pass the pacer; downloads do neither.
	api bool
	// maxBytes bounds the response body (downloads); 0 means no bound.
	maxBytes int64
}

// call runs the retry loop for one request.
func (c *Client) call(ctx context.Context, r request) ([]byte, error) {
	faults, limited := 0, 0
	for attempt := 0; ; attempt++ {
		if r.api {
			if err := c.pacer.Wait(ctx); err != nil {
				return nil, err
			}
		}
		sent := c.cfg.Clock.Now()
		status, header, body, err := c.attempt(ctx, r)
		if r.api {
			c.stats.recordAttempt(r.method, r.endpoint, status, int64(len(body)), int64(len(r.body)), attempt > 0)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var tooLarge *TooLargeError
		if errors.As(err, &tooLarge) {
			return nil, err
		}
		limit := status == http.StatusTooManyRequests || status == 529
		if r.api && !limit && (status != 0 || err == nil) {
			c.pacer.answered()
		}
		if err == nil && status/100 == 2 {
			if !r.api || json.Valid(body) {
				return body, nil
			}
			err = errors.New("response body is not complete JSON")
		}
		if err == nil && !retryableStatus(status) {
			return nil, c.apiError(r, status, body, nil)
		}
		if status == 0 && permanent(err) {
			return nil, c.apiError(r, status, body, err)
		}

		if r.api && r.method != http.MethodGet && carefulWrite(ctx) && maybeApplied(status, err) {
			cause := err
			if cause == nil {
				cause = fmt.Errorf("HTTP %d", status)
			}
			return nil, c.apiError(r, status, body, fmt.Errorf("%w (%v)", ErrMaybeApplied, cause))
		}

		var wait time.Duration
		if limit {
			limited++
			reason := rateLimitReason(body)
			c.stats.recordLimitReason(reason)
			if limited > c.cfg.MaxRateLimited {
				return nil, c.apiError(r, status, body, nil)
			}
			cause := waitCause{retryAfter: strings.TrimSpace(header.Get("Retry-After")), reason: reason, why: slowDownWhy(status, reason)}
			d, ok := retryAfter(header, c.cfg.Clock.Now())
			if !ok {
				// No wait given, or none that can be read: the client's
				// own backoff, growing with each refusal of this request.
				d = c.backoff(limited)
			}
			if r.api {
				if err := c.pacer.limited(sent, d, cause); err != nil {
					return nil, err
				}
				wait = 0 // the pacer waits for everyone
			} else {
				if err := c.pacer.checkWait(d, cause); err != nil {
					return nil, err
				}
				wait = d
			}
		} else {
			faults++
			if faults > c.cfg.MaxRetries {
				return nil, c.apiError(r, status, body, err)
			}
			wait = c.backoff(faults)
			if err := c.pacer.checkWait(wait, waitCause{why: faultWhy(r, status)}); err != nil {
				return nil, err
			}
		}
		if err := c.cfg.Clock.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// slowDownWhy says what a rate-limit wait is for, in the words of OnWait.
func slowDownWhy(status int, reason string) string {
	why := "Notion asked to slow down"
	if status == 529 {
		why = "Notion is overloaded"
	}
	if reason != "" {
		why += " (rate_limit_reason: " + reason + ")"
	}
	return why
}

// faultWhy says what a backoff before a retry is for.
func faultWhy(r request, status int) string {
	what := r.method + " " + r.endpoint
	if !r.api {
		what = "a download"
	}
	if status != 0 {
		return fmt.Sprintf("retrying %s after HTTP %d", what, status)
	}
	return fmt.Sprintf("retrying %s after a network error", what)
}

// ErrMaybeApplied says a write failed in a way that leaves open whether
// Notion carried it out (its answer was lost, or a server error came after
// the request arrived). Returned only for requests made with
// WithoutBlindRetry, whose caller can find out before sending it again.
var ErrMaybeApplied = errors.New("the write may have been carried out, but its answer was lost")

// MaybeApplied reports whether err is ErrMaybeApplied.
func MaybeApplied(err error) bool { return errors.Is(err, ErrMaybeApplied) }

type carefulKey struct{}

// WithoutBlindRetry marks writes made with the returned context as ones that
// must not happen twice (a create, an append): when such a write fails in a
// way that may have happened anyway, the client returns ErrMaybeApplied
// instead of sending it again, so the caller can look before resending.
// Rate limits, conflicts and connection failures before anything was sent
// are still retried: Notion did nothing with those.
func WithoutBlindRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, carefulKey{}, true)
}

func carefulWrite(ctx context.Context) bool {
	v, _ := ctx.Value(carefulKey{}).(bool)
	return v
}

// maybeApplied tells failures after which a write may have been carried out.
func maybeApplied(status int, err error) bool {
	switch status {
	case http.StatusTooManyRequests, 529, http.StatusConflict, http.StatusRequestTimeout:
		return false // refused before anything was done
	}
	var op *net.OpError
	if status == 0 && errors.As(err, &op) && op.Op == "dial" {
		return false // never reached the server
	}
	return err != nil || status >= 500 || status/100 == 2
}

// attempt sends the request once. The body is a fresh reader over the same
// bytes each time, so a retried POST carries its whole body.
func (c *Client) attempt(ctx context.Context, r request) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if r.api {
		req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
		req.Header.Set("Notion-Version", c.cfg.Version)
		req.Header.Set("Accept", "application/json")
	}
	if r.body != nil {
		req.Header.Set("Content-Type", r.contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, scrub(err)
	}
	defer resp.Body.Close()
	if r.maxBytes > 0 && resp.ContentLength > r.maxBytes {
		return resp.StatusCode, resp.Header, nil, &TooLargeError{Size: resp.ContentLength, Limit: r.maxBytes}
	}
	reader := io.Reader(resp.Body)
	if r.maxBytes > 0 {
		reader = io.LimitReader(resp.Body, r.maxBytes+1)
	}
	data, err := io.ReadAll(reader)
	if err != nil {
		// A body cut short: Content-Length promised more than arrived.
		return resp.StatusCode, resp.Header, data, scrub(err)
	}
	if r.maxBytes > 0 && int64(len(data)) > r.maxBytes {
		return resp.StatusCode, resp.Header, nil, &TooLargeError{Size: int64(len(data)), Limit: r.maxBytes}
	}
	return resp.StatusCode, resp.Header, data, nil
}

func (c *Client) apiError(r request, status int, body []byte, cause error) error {
	e := &Error{Method: r.method, Endpoint: r.endpoint, Status: status, Err: cause}
	if !r.api {
		e.Endpoint = redactURL(r.url)
	}
	if status != 0 {
		e.Code, e.Message, e.RequestID = decodeError(status, body)
		e.RateLimitReason = rateLimitReason(body)
		if e.Code == "" && cause != nil {
			e.Message = cause.Error()
		}
	}
	return e
}

// backoff returns the wait before retry n (1-based): exponential from the
// base, capped, with equal jitter so that concurrent workers spread out but
// none retries at once.
func (c *Client) backoff(n int) time.Duration {
	d := c.cfg.BackoffBase << min(n-1, 20)
	if d > c.cfg.BackoffCap || d <= 0 {
		d = c.cfg.BackoffCap
	}
	half := d / 2
	return half + rand.N(half+1)
}

// retryAfter reads Retry-After: delay-seconds or an HTTP date. Notion sends
// whole seconds; a decimal fraction is read too. The wait is never negative:
// a date in the past waits 0, and a value too large for a Duration gives the
// largest one (bounding what is worth waiting for is the caller's choice,
// Config.MaxWait). A missing or unreadable value ("soon", "1e300", "-1")
// gives false: the caller picks its own wait.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if d, ok := delaySeconds(v); ok {
		return d, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true // Sub saturates rather than overflows
		}
		return 0, true
	}
	return 0, false
}

// delaySeconds reads "<digits>[.<digits>]" as a duration, saturating at the
// largest Duration. strconv.ParseFloat would also take "Inf", "NaN", "0x1p4"
// and "1e9", and its product with time.Second overflowed to a negative wait.
func delaySeconds(v string) (time.Duration, bool) {
	whole, frac, dot := strings.Cut(v, ".")
	if !isDigits(whole) || dot && !isDigits(frac) {
		return 0, false
	}
	const maxSeconds = math.MaxInt64 / int64(time.Second)
	secs, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || secs > maxSeconds { // err is a range error: digits only
		return math.MaxInt64, true
	}
	frac = (frac + "000000000")[:9]
	nanos, _ := strconv.ParseInt(frac, 10, 64)
	d := time.Duration(secs) * time.Second
	if d > math.MaxInt64-time.Duration(nanos) {
		return math.MaxInt64, true
	}
	return d + time.Duration(nanos), true
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// scrub drops the request URL from transport errors: a download URL is a
// signed credential of its own, and nothing of a request belongs in a log.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		var ne net.Error
		if errors.As(ue.Err, &ne) && ne.Timeout() {
			return fmt.Errorf("%s: timeout", ue.Op)
		}
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// redactURL keeps a URL's host and path and drops its signed query.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	u.RawQuery, u.User, u.Fragment = "", nil, ""
	return u.String()
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
