package exporter

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/notion-git/notion-git/notion"
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

// TestReadCommentsStopsAtTheFirstFailure: once one block's comments cannot
// be read, the page's other blocks are not asked for theirs; the error is
// that block's.
func TestReadCommentsStopsAtTheFirstFailure(t *testing.T) {
	var mu sync.Mutex
	asked := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("block_id") == "b0" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"object":"error","status":400,"code":"validation_error","message":"no such block"}`))
			return
		}
		_, _ = w.Write([]byte(`{"object":"list","results":[],"next_cursor":null,"has_more":false,"type":"comment","comment":{}}`))
	}))
	t.Cleanup(srv.Close)
	client, err := notion.New(notion.Config{BaseURL: srv.URL, Token: "secret", Rate: -1})
	if err != nil {
		t.Fatal(err)
	}
	x := &exporter{client: client, sem: newRequestSlots(1), opts: Options{Concurrency: 1}}
	targets := []string{"b0"}
	for i := 1; i < 50; i++ {
		targets = append(targets, fmt.Sprintf("b%d", i))
	}
	_, err = x.readComments(context.Background(), targets)
	if err == nil || !strings.Contains(err.Error(), "no such block") {
		t.Fatalf("got %v, want b0's error", err)
	}
	if asked != 1 {
		t.Errorf("%d requests after the first failed, want none", asked-1)
	}
}
