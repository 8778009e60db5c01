package exporter

import (
	"container/heap"
	"context"
	"sync"
)

// requestSlots bound the requests in flight, and give a free slot to the
// page whose crawl started first. Shared fairly, the slots split the rate
// between every page in progress, so that a time box can end with none of
// them finished: a resumed sync then crawls the same pages again, from
// their start, and a workspace whose in-progress pages cost more together
// than one run affords never completes (measured: 28 of 103 pages after
// four 30-second runs, no progress after the third). Served oldest page
// first, the pages finish one after another at the full rate, each run
// keeps what it finished, and the same total work is done in the same
// time.
//
// Requests outside a page's crawl (the listing, data sources, users) come
// first of all.
type requestSlots struct {
	mu      sync.Mutex
	free    int
	waiting waiters
	arrived uint64
}

func newRequestSlots(n int) *requestSlots { return &requestSlots{free: max(n, 1)} }

type waiter struct {
	order   int64  // the page's start order; -1 for work outside pages
	arrived uint64 // ties: first come, first served
	ready   chan struct{}
	granted bool
	index   int
}

type waiters []*waiter

func (w waiters) Len() int { return len(w) }
func (w waiters) Less(i, j int) bool {
	if w[i].order != w[j].order {
		return w[i].order < w[j].order
	}
	return w[i].arrived < w[j].arrived
}
func (w waiters) Swap(i, j int) { w[i], w[j] = w[j], w[i]; w[i].index = i; w[j].index = j }
func (w *waiters) Push(x any)   { v := x.(*waiter); v.index = len(*w); *w = append(*w, v) }
func (w *waiters) Pop() any {
	old := *w
	v := old[len(old)-1]
	*w = old[:len(old)-1]
	return v
}

// acquire takes a slot for a request of the page of this order.
func (s *requestSlots) acquire(ctx context.Context, order int64) error {
	s.mu.Lock()
	if s.free > 0 && len(s.waiting) == 0 {
		s.free--
		s.mu.Unlock()
		return nil
	}
	s.arrived++
	w := &waiter{order: order, arrived: s.arrived, ready: make(chan struct{})}
	heap.Push(&s.waiting, w)
	s.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		if w.granted {
			// The slot came as the context ended: hand it on.
			s.releaseLocked()
		} else {
			heap.Remove(&s.waiting, w.index)
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

func (s *requestSlots) release() {
	s.mu.Lock()
	s.releaseLocked()
	s.mu.Unlock()
}

func (s *requestSlots) releaseLocked() {
	if len(s.waiting) == 0 {
		s.free++
		return
	}
	w := heap.Pop(&s.waiting).(*waiter)
	w.granted = true
	close(w.ready)
}

// pageOrderKey carries the start order of the page a request is for.
type pageOrderKey struct{}

func withPageOrder(ctx context.Context, order int64) context.Context {
	return context.WithValue(ctx, pageOrderKey{}, order)
}

func pageOrderOf(ctx context.Context) int64 {
	if o, ok := ctx.Value(pageOrderKey{}).(int64); ok {
		return o
	}
	return -1
}
