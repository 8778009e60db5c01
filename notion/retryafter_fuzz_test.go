package notion

import (
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzRetryAfter reads any Retry-After value at any time: the wait is never
// negative; seconds give exactly that wait, an HTTP date the time until it.
func FuzzRetryAfter(f *testing.F) {
	now := time.Date(2026, 7, 4, 9, 8, 0, 0, time.UTC).Unix()
	for _, v := range []string{
		"", "0", "1", "2", "30", " 120 ", "0.5", "-1", "1e3", "1e400", "9223372036",
		"NaN", "0x10", "1_0", "Sat, 04 Jul 2026 09:09:00 GMT", "Sat, 04 Jul 2026 09:07:00 GMT",
		"Saturday, 04-Jul-26 09:09:00 GMT", "Sat Jul  4 09:09:00 2026", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT",
	} {
		f.Add(v, now)
	}
	f.Fuzz(func(t *testing.T, v string, unix int64) {
		at := time.Unix(unix, 0)
		d, ok := retryAfter(http.Header{"Retry-After": {v}}, at)
		if d < 0 {
			t.Fatalf("retryAfter(%q) = %v, negative", v, d)
		}
		if d2, ok2 := retryAfter(http.Header{"Retry-After": {v}}, at); d2 != d || ok2 != ok {
			t.Fatalf("retryAfter(%q) gave %v %v, then %v %v", v, d, ok, d2, ok2)
		}
		s := strings.TrimSpace(v)
		n, err := parseDigits(s)
		when, dateErr := http.ParseTime(s)
		if err == nil && n <= math.MaxInt64/int64(time.Second) {
			if !ok || d != time.Duration(n)*time.Second {
				t.Fatalf("retryAfter(%q) = %v %v, want %d s", v, d, ok, n)
			}
		}
		if dateErr == nil {
			if want := when.Sub(at); want > 0 && d != want {
				t.Fatalf("retryAfter(%q) at %v = %v, want %v", v, at, d, want)
			}
		}
		if !ok && (err == nil || dateErr == nil) {
			t.Fatalf("retryAfter(%q) read as unreadable", v)
		}
		if !ok && d != 0 {
			t.Fatalf("retryAfter(%q) unreadable, yet a wait of %v", v, d)
		}
	})
}

// parseDigits reads a delay-seconds value as RFC 9110 defines it: digits only.
func parseDigits(s string) (int64, error) {
	if s == "" {
		return 0, io.EOF
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, io.EOF
		}
	}
	var n int64
	for _, c := range s {
		if n > (math.MaxInt64-9)/10 {
			return math.MaxInt64, nil
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}
