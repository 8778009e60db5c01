package exporter

import (
	"context"
	"runtime"
	"sync"
	"testing"
)

// TestRequestSlotsServeTheOldestPageFirst: a freed slot goes to the
// waiting request of the page whose crawl began first, work outside pages
// before any page, and a waiter that gives up passes its slot on.
func TestRequestSlotsServeTheOldestPageFirst(t *testing.T) {
	s := newRequestSlots(1)
	ctx := context.Background()
	if err := s.acquire(ctx, 5); err != nil {
		t.Fatal(err)
	}
	order := make(chan int64, 4)
	var done sync.WaitGroup
	wait := func(o int64) {
		defer done.Done()
		if err := s.acquire(ctx, o); err != nil {
			t.Error(err)
			return
		}
		order <- o
		s.release()
	}
	cancelled, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error, 1)
	for _, o := range []int64{9, 3, -1, 7} {
		done.Add(1)
		go wait(o)
	}
	go func() { gaveUp <- s.acquire(cancelled, 0) }()
	// Every waiter is queued before the slot is freed.
	for {
		s.mu.Lock()
		n := len(s.waiting)
		s.mu.Unlock()
		if n == 5 {
			break
		}
		runtime.Gosched()
	}
	cancel()
	if err := <-gaveUp; err == nil {
		t.Fatal("a cancelled acquire succeeded")
	}
	s.release()
	var got []int64
	for range 4 {
		got = append(got, <-order)
	}
	want := []int64{-1, 3, 7, 9}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("served %v, want %v", got, want)
		}
	}
	done.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.free != 1 || len(s.waiting) != 0 {
		t.Errorf("after all: %d free, %d waiting", s.free, len(s.waiting))
	}
}
