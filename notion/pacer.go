package notion

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer is the one gate every API request passes. It is a token bucket at the
// integration's budget plus a shared hold: when Notion answers 429 with
// Retry-After, the budget is exhausted for the whole integration, so every
// request waits, not just the one that was refused.
//
// The bucket starts empty. Notion's budget is per integration, not per
// process: a run that starts right after another (a CI retry, say) must not
// open with a burst on top of what the last one spent.
type Pacer struct {
	clock Clock
	stats *Stats

	mu        sync.Mutex
	limiter   *rate.Limiter
	holdUntil time.Time
}

// headroom is the share of the budget the pacer leaves unused. Requests leave
// evenly spaced, but the network does not deliver them so: two requests sent
// 333 ms apart may arrive 320 ms apart, and a window measured at Notion's end
// would then see one more than the budget. One percent absorbs that jitter.
const headroom = 0.01

// NewPacer returns a pacer allowing perSecond requests on average with bursts
// of up to burst requests. A perSecond of 0 or less means no limit.
func NewPacer(perSecond float64, burst int, clock Clock) *Pacer {
	if clock == nil {
		clock = SystemClock{}
	}
	if burst < 1 {
		burst = 1
	}
	limit := rate.Limit(perSecond * (1 - headroom))
	if perSecond <= 0 {
		limit = rate.Inf
	}
	lim := rate.NewLimiter(limit, burst)
	if perSecond > 0 {
		lim.ReserveN(clock.Now(), burst) // start empty; see the type's comment
	}
	return &Pacer{clock: clock, limiter: lim, stats: &Stats{}}
}

// Wait blocks until the next request may be sent, or ctx is done.
func (p *Pacer) Wait(ctx context.Context) error {
	start := p.clock.Now()
	defer func() { p.stats.recordWait(p.clock.Now().Sub(start)) }()
	for {
		p.mu.Lock()
		now := p.clock.Now()
		if hold := p.holdUntil.Sub(now); hold > 0 {
			p.mu.Unlock()
			if err := p.clock.Sleep(ctx, hold); err != nil {
				return err
			}
			continue
		}
		r := p.limiter.ReserveN(now, 1)
		delay := r.DelayFrom(now)
		p.mu.Unlock()
		if delay <= 0 {
			return ctx.Err()
		}
		if err := p.clock.Sleep(ctx, delay); err != nil {
			p.mu.Lock()
			r.CancelAt(p.clock.Now())
			p.mu.Unlock()
			return err
		}
		// A 429 may have arrived while this request slept; it must wait too.
		p.mu.Lock()
		held := p.clock.Now().Before(p.holdUntil)
		p.mu.Unlock()
		if !held {
			return nil
		}
	}
}

// Hold stops all requests for d from now. A shorter hold never cuts a longer
// one short.
func (p *Pacer) Hold(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := p.clock.Now().Add(d); until.After(p.holdUntil) {
		p.holdUntil = until
	}
}
