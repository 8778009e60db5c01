package notion

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"
)

func TestPacerKeepsTheRate(t *testing.T) {
	clock := newFakeClock()
	p := NewPacer(5/(1-headroom), 1, clock)
	start := clock.Now()
	for range 10 {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// The bucket starts empty, so ten requests at 5/s take exactly 2 s.
	if got := clock.Now().Sub(start); got != 2*time.Second {
		t.Fatalf("10 requests at 5/s took %v of clock, want 2s", got)
	}
}

func TestPacerHoldStopsEveryone(t *testing.T) {
	clock := newFakeClock()
	p := NewPacer(-1, 1, clock)
	p.Hold(3 * time.Second)
	p.Hold(time.Second) // shorter: must not cut the first short
	start := clock.Now()
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := clock.Now().Sub(start); got != 3*time.Second {
		t.Fatalf("held %v, want 3s", got)
	}
}

// BenchmarkPacerThroughput runs 8 concurrent workers against a server with
// 50 ms latency for about 12 s of real time and reports sustained throughput
// as a ratio of the budget (target ≥ 0.95) and the busiest 10-second window as
// a ratio of the budget (target ≤ 1.00).
func BenchmarkPacerThroughput(b *testing.B) {
	const (
		rate        = 30.0
		concurrency = 8
		duration    = 12 * time.Second
		window      = 10 * time.Second
	)
	var mu sync.Mutex
	var arrivals []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		time.Sleep(50 * time.Millisecond)
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	for range b.N {
		arrivals = arrivals[:0]
		c, err := New(Config{BaseURL: srv.URL, Token: "t", Rate: rate, Burst: DefaultBurst})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), duration)
		var wg sync.WaitGroup
		start := time.Now()
		for range concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					c.Get(ctx, "users/me", nil)
				}
			}()
		}
		wg.Wait()
		cancel()
		elapsed := time.Since(start)
		mu.Lock()
		times := append([]time.Time(nil), arrivals...)
		mu.Unlock()
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		busiest := 0
		for i, j := 0, 0; i < len(times); i++ {
			for j < len(times) && times[j].Sub(times[i]) < window {
				j++
			}
			busiest = max(busiest, j-i)
		}
		sustained := float64(len(times)) / elapsed.Seconds() / rate
		peak := float64(busiest) / (rate * window.Seconds())
		b.ReportMetric(sustained, "throughput/rate")
		b.ReportMetric(peak, "busiest10s/rate")
		fmt.Printf("pacer: %d requests in %v at rate %.0f/s, concurrency %d, 50 ms latency: throughput/rate %.3f, busiest 10 s window/rate %.3f\n",
			len(times), elapsed.Round(time.Millisecond), rate, concurrency, sustained, peak)
	}
}
