package notion

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// bucketTransport answers every request as a rate limit with a token bucket
// does, on a fake clock and in memory: 200 while tokens last, else 429 with
// Retry-After in whole seconds, as Notion and the emulator send it.
type bucketTransport struct {
	clock  *fakeClock
	reason string // rate_limit_reason of the 429s, if any

	mu      sync.Mutex
	lim     *rate.Limiter
	sent    int
	limited int
}

func newBucketTransport(clock *fakeClock, perSecond float64, burst int) *bucketTransport {
	lim := rate.NewLimiter(rate.Limit(perSecond), burst)
	lim.SetLimitAt(clock.Now(), rate.Limit(perSecond))
	return &bucketTransport{clock: clock, lim: lim}
}

func (b *bucketTransport) setRate(perSecond float64) {
	b.mu.Lock()
	b.lim.SetLimitAt(b.clock.Now(), rate.Limit(perSecond))
	b.mu.Unlock()
}

func (b *bucketTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent++
	now := b.clock.Now()
	status, body, header := 200, `{"object":"user"}`, http.Header{}
	if !b.lim.AllowN(now, 1) {
		r := b.lim.ReserveN(now, 1)
		wait := r.DelayFrom(now)
		r.CancelAt(now)
		b.limited++
		status = 429
		header.Set("Retry-After", fmt.Sprint(max(1, int(math.Ceil(wait.Seconds())))))
		extra := ""
		if b.reason != "" {
			extra = fmt.Sprintf(`,"additional_data":{"rate_limit_reason":%q}`, b.reason)
		}
		body = `{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited."` + extra + `}`
	}
	return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewReader([]byte(body))),
		ContentLength: int64(len(body)), Request: req}, nil
}

// paced sends n requests one after another through a client at clientRate
// against a server budget of 30/s, burst 10, and returns the clock time they
// took, the 429s among them and the client.
func paced(t *testing.T, clientRate float64, n int, reason string) (time.Duration, int, *Client) {
	t.Helper()
	clock := newFakeClock()
	tr := newBucketTransport(clock, 30, 10)
	tr.reason = reason
	c, err := New(Config{BaseURL: "http://notion.test", Token: testToken, Rate: clientRate, Clock: clock,
		HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	for range n {
		if _, err := c.Get(context.Background(), "users/me", nil); err != nil {
			t.Fatal(err)
		}
	}
	return clock.Now().Sub(start), tr.limited, c
}

// TestPacerLearnsTheBudget: a --rate twice the server's budget costs little
// once the pacer has learned it: at most 1.2 × the time of the same requests
// at the right rate, with at most 5% of the requests refused.
func TestPacerLearnsTheBudget(t *testing.T) {
	const n = 3000
	right, _, _ := paced(t, 30, n, "")
	high, refused, c := paced(t, 60, n, "")
	ratio := high.Seconds() / right.Seconds()
	share := float64(refused) / float64(n+refused)
	t.Logf("%d requests against 30/s: %v at --rate 30, %v at --rate 60 (%.3f), %d refused (%.2f%%); rate at the end %.1f/s",
		n, right, high, ratio, refused, 100*share, c.pacer.Rate())
	if ratio > 1.2 || share > 0.05 {
		t.Fatalf("--rate 60 against a budget of 30/s took %.3f × the time at 30, with %.1f%% refused; want ≤ 1.2 and ≤ 5%%", ratio, 100*share)
	}
	if r := c.pacer.Rate(); r > 33 || r < 24 {
		t.Fatalf("the pacer settled at %.1f/s, want about the budget of 30/s", r)
	}
	s := c.Stats().Snapshot()
	if s.RateCuts == 0 || s.LowestRate >= 60 || s.RateLimited != refused {
		t.Fatalf("stats do not show what the pacer learned: %+v", s)
	}
}

// TestPacerClimbsBackWhenTheBudgetGrows: after the budget was learned, a
// larger budget is found again by the probes above the ceiling.
func TestPacerClimbsBackWhenTheBudgetGrows(t *testing.T) {
	clock := newFakeClock()
	tr := newBucketTransport(clock, 10, 5)
	c, err := New(Config{BaseURL: "http://notion.test", Token: testToken, Rate: 40, Clock: clock,
		HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	get := func(d time.Duration) {
		for end := clock.Now().Add(d); clock.Now().Before(end); {
			if _, err := c.Get(context.Background(), "users/me", nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	get(2 * time.Minute)
	if r := c.pacer.Rate(); r > 11 {
		t.Fatalf("rate %.1f/s against a budget of 10/s", r)
	}
	tr.setRate(40)
	get(20 * time.Minute)
	if r := c.pacer.Rate(); r < 30 {
		t.Fatalf("the budget grew to 40/s, the pacer is still at %.1f/s after 20 minutes", r)
	}
}

// TestWorkspaceLimitSetsNoCeiling: a 429 of the workspace-wide limit cuts
// the rate, is counted by its reason, and leaves no ceiling behind: that
// budget moves with other connections' use, not ours.
func TestWorkspaceLimitSetsNoCeiling(t *testing.T) {
	_, refused, c := paced(t, 60, 600, "workspace_rate_limit")
	s := c.Stats().Snapshot()
	if refused == 0 || s.RateLimitReasons["workspace_rate_limit"] != refused {
		t.Fatalf("429s by reason = %v, want all %d under workspace_rate_limit", s.RateLimitReasons, refused)
	}
	c.pacer.mu.Lock()
	ceiling := c.pacer.ceiling
	c.pacer.mu.Unlock()
	if ceiling != 0 {
		t.Fatalf("a workspace-wide limit left a ceiling of %.1f/s", ceiling)
	}
}
