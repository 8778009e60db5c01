package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/notion"
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
	rate := float64(s.Requests) / max(s.Elapsed.Seconds(), 0.001)
	eta := "?"
	if s.PagesDone > 0 {
		left := time.Duration(float64(s.Elapsed) / float64(s.PagesDone) * float64(s.PagesQueued-s.PagesDone))
		eta = left.Round(time.Second).String()
	}
	p.show(s.PagesDone >= s.PagesQueued, "pages %d/%d, %d requests, %.1f/s, ETA %s", s.PagesDone, s.PagesQueued, s.Requests, rate, eta)
}

// show rewrites the status line, at most five times a second unless the
// work is finished, and only on a terminal.
func (p *progress) show(finished bool, format string, args ...any) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 200*time.Millisecond && !finished {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.out, "\r\033[K"+format, args...)
	p.line = true
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.line {
		fmt.Fprint(p.out, "\r\033[K")
		p.line = false
	}
}

// waitNotice tells of the Notion client's long waits (notion.Config.OnWait:
// 5 s or more), so that a run that sleeps is never silent about why: on
// the progress line of a terminal, and as a line of its own with --verbose.
type waitNotice struct {
	stderr  io.Writer
	verbose bool

	mu       sync.Mutex
	progress *progress
}

// attach shows the waits on p's status line from now on.
func (n *waitNotice) attach(p *progress) {
	if n == nil {
		return
	}
	n.mu.Lock()
	n.progress = p
	n.mu.Unlock()
}

func (n *waitNotice) onWait(d time.Duration, why string) {
	line := fmt.Sprintf("waiting %s: %s", notion.FormatWait(d), why)
	n.mu.Lock()
	p := n.progress
	n.mu.Unlock()
	if n.verbose {
		if p != nil {
			p.done() // the status line, if any, gives way to the line
		}
		fmt.Fprintf(n.stderr, "notion-git: %s\n", line)
	}
	if p != nil {
		p.show(true, "%s", line)
	}
}
