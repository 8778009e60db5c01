package main

import (
	"fmt"
	"time"
)

// clockEnv sets the sync's clock for benchmarks: NOTION_GIT_CLOCK=<RFC 3339>
// makes the clock of a sync (Env.Now: exporter.Options.Now, the report's
// times, the --max-duration box) start at that time and run on with real
// time, so that bench/ can play a year of hourly syncs in minutes, each run
// seeing the hour it would see on a schedule. It is hidden (not in --help):
// a user never needs it, and a sync on a wrong clock picks the wrong pages
// to re-verify. Pacing, Retry-After and backoff stay on real time (Env.Clock
// is left alone): a fake hour must not make the client wait an hour, nor a
// real 429 be waited out in no time. Documented in bench/RESULTS.md.
const clockEnv = "NOTION_GIT_CLOCK"

// clockFrom parses the value of clockEnv. Empty means the real clock (nil).
// Otherwise the clock returned reads start plus the real time elapsed since
// clockFrom was called; the elapsed part comes from the monotonic clock, so
// a wall-clock step on the machine does not move it.
func clockFrom(value string) (func() time.Time, error) {
	if value == "" {
		return nil, nil
	}
	start, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		return nil, fmt.Errorf("%s=%q is not an RFC 3339 time such as 2027-01-04T09:00:00Z", clockEnv, value)
	}
	origin := time.Now()
	return func() time.Time { return start.Add(time.Since(origin)) }, nil
}
