package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/notion-git/notion-git/exporter"
)

// progress prints a one-line status on a terminal and nothing otherwise:
// a scheduled job's log should hold the summary, not a thousand updates.
type progress struct {
	out  io.Writer
	on   bool
	mu   sync.Mutex
	last time.Time
	line bool
}

func newProgress(w io.Writer, quiet bool) *progress {
	f, ok := w.(*os.File)
	on := false
	if ok && !quiet {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &progress{out: w, on: on}
}

func (p *progress) update(s exporter.Progress) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 200*time.Millisecond && s.PagesDone < s.PagesQueued {
		return
	}
	p.last = time.Now()
	rate := float64(s.Requests) / max(s.Elapsed.Seconds(), 0.001)
	eta := "?"
	if s.PagesDone > 0 {
		left := time.Duration(float64(s.Elapsed) / float64(s.PagesDone) * float64(s.PagesQueued-s.PagesDone))
		eta = left.Round(time.Second).String()
	}
	fmt.Fprintf(p.out, "\r\033[Kpages %d/%d, %d requests, %.1f/s, ETA %s", s.PagesDone, s.PagesQueued, s.Requests, rate, eta)
	p.line = true
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.line {
		fmt.Fprint(p.out, "\r\033[K")
	}
}
