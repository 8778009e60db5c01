package notion

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer is the one gate every API request passes. It is a token bucket whose
// rate it learns from Notion's answers, plus a shared hold: when Notion
// answers 429 with Retry-After, the budget is exhausted for the whole
// integration, so every request waits, not just the one that was refused.
//
// The bucket starts empty. Notion's budget is per integration, not per
// process: a run that starts right after another (a CI retry, say) must not
// open with a burst on top of what the last one spent.
//
// # Learning the budget
//
// Notion's budget depends on the workspace's plan (per connection, per
// 60-second window) and a workspace-wide limit shared by every connection,
// so nobody can tell the right --rate in advance. The configured rate is
// therefore the most the pacer will send, not what it insists on sending.
// It adapts by additive increase, multiplicative decrease (AIMD) with a
// remembered ceiling:
//
//   - Decrease. A 429 or 529 for a request sent at the current rate cuts the
//     rate: by cutFactor, or by repeatCutFactor when the last cut was less
//     than calmAfter ago (one cut was not enough: the rate is far above the
//     budget, so it should get there in few refusals). Refusals of requests
//     sent before the last cut are the same event and cut nothing, as TCP
//     cuts once per round trip.
//   - Ceiling. The rate in force at the refusal is remembered as too much.
//   - Increase. After calmAfter without a refusal (counted from the end of
//     the hold), every second of answers adds stepFraction of the rate, up
//     to ceilingMargin below the ceiling, and there it stays. Only after
//     probeAfter at that plateau does it probe: the ceiling rises by
//     probeStep, in case the budget grew (another connection stopped
//     sharing the workspace's), and by twice as much at each probe that
//     met no refusal, so that a budget that grew a lot is found in minutes.
//
// Plain AIMD climbs until the next refusal, every time: a sawtooth that is
// right for a network link whose capacity changes from moment to moment. A
// plan's budget does not, and every refusal costs a whole Retry-After of
// silence (a second at least, up to a minute), during which a token bucket
// refills only its burst. Remembering the ceiling spends most of the time
// just under the rate that failed and probes once a minute at most: the
// plateau of TCP CUBIC around its last loss, reached linearly. With
// --rate twice the budget, the pacer settles in three or four refusals (see
// TestPacerLearnsTheBudget and bench -pacing).
//
// A refusal whose rate_limit_reason names the workspace-wide limit cuts the
// rate too: our share of a budget that other connections use is smaller
// while they use it. But it sets no ceiling, since that limit moves with
// other connections' traffic, not ours; the rate climbs back to the
// configured one as soon as answers are calm again.
type Pacer struct {
	clock Clock
	stats *Stats

	mu        sync.Mutex
	limiter   *rate.Limiter
	max       float64 // the configured rate; <= 0 means no limit
	rate      float64 // the rate in force
	ceiling   float64 // a rate known to be too much; 0 when none is
	lastCut   time.Time
	lastStep  time.Time
	plateau   time.Time // when the rate reached the ceiling's margin
	probes    int       // probes above the ceiling since the last cut
	holdUntil time.Time
	hold      waitCause // why the current hold was set
	announced time.Time // the holdUntil last reported to onWait

	maxWait  time.Duration
	deadline time.Time
	onWait   func(time.Duration, string)
}

// headroom is the share of the budget the pacer leaves unused. Requests leave
// evenly spaced, but the network does not deliver them so: two requests sent
// 333 ms apart may arrive 320 ms apart, and a window measured at Notion's end
// would then see one more than the budget. One percent absorbs that jitter.
const headroom = 0.01

// The shape of the adaptation; the type's comment says why.
const (
	cutFactor       = 0.8
	repeatCutFactor = 0.5
	calmAfter       = 5 * time.Second
	stepFraction    = 0.05
	ceilingMargin   = 0.05
	probeAfter      = time.Minute
	probeStep       = 0.05
	// minRate is the floor of the cuts: one request every ten seconds
	// still finishes a run, and the hold, not the rate, waits out a budget
	// that is spent.
	minRate = 0.1
)

// DefaultMaxWait is the longest a run waits for one Retry-After (or any one
// wait) before it gives up: an unattended backup that would sleep for
// hours is better stopped with a clear line and run again later.
const DefaultMaxWait = 15 * time.Minute

// longWait is the shortest wait that is reported through OnWait: shorter
// ones are the ordinary pacing of a run.
const longWait = 5 * time.Second

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
	return &Pacer{clock: clock, limiter: lim, stats: &Stats{}, max: perSecond, rate: perSecond, maxWait: DefaultMaxWait}
}

// Rate returns the rate in force, in requests per second (0 or less: none).
func (p *Pacer) Rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate
}

// waitCause says why the pacer holds everyone.
type waitCause struct {
	retryAfter string // the header as Notion sent it; "" when none
	reason     string // additional_data.rate_limit_reason
	why        string // for OnWait: what the wait is for
}

// Wait blocks until the next request may be sent, or ctx is done. It
// returns a *WaitTooLongError, without waiting, when the shared hold lasts
// longer than the run may wait.
func (p *Pacer) Wait(ctx context.Context) error {
	start := p.clock.Now()
	defer func() { p.stats.recordWait(p.clock.Now().Sub(start)) }()
	for {
		p.mu.Lock()
		now := p.clock.Now()
		if hold := p.holdUntil.Sub(now); hold > 0 {
			if err := p.tooLong(now, hold, p.hold); err != nil {
				p.mu.Unlock()
				return err
			}
			notify := p.notifyHold(hold)
			p.mu.Unlock()
			if notify != nil {
				notify()
			}
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

// notifyHold returns the OnWait call for a long hold not yet reported, once
// for all the requests it stops. p.mu is held.
func (p *Pacer) notifyHold(hold time.Duration) func() {
	if p.onWait == nil || hold < longWait || p.announced.Equal(p.holdUntil) {
		return nil
	}
	p.announced = p.holdUntil
	f, why := p.onWait, p.hold.why
	return func() { f(hold, why) }
}

// Hold stops all requests for d from now. A shorter hold never cuts a longer
// one short.
func (p *Pacer) Hold(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holdLocked(d, waitCause{why: "holding requests"})
}

func (p *Pacer) holdLocked(d time.Duration, cause waitCause) {
	now := p.clock.Now()
	until := now.Add(d)
	if d > 0 && until.Before(now) { // Add saturates only at the far ends
		until = time.Unix(1<<62, 0)
	}
	if until.After(p.holdUntil) {
		p.holdUntil = until
		p.hold = cause
	}
}

// limited takes in a 429 or 529 for a request sent at sent: it holds
// everyone for wait, unless that is longer than the run may wait (then it
// returns the error that stops the run, and holds anyway, so that the other
// requests stop at once too), and cuts the rate (see the type's comment).
func (p *Pacer) limited(sent time.Time, wait time.Duration, cause waitCause) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock.Now()
	p.holdLocked(wait, cause)
	err := p.tooLong(now, wait, cause)
	if p.max <= 0 || sent.Before(p.lastCut) {
		return err
	}
	factor := cutFactor
	if !p.lastCut.IsZero() && now.Sub(p.lastCut) < calmAfter {
		factor = repeatCutFactor
	}
	if sharedLimit(cause.reason) {
		p.ceiling = 0
	} else {
		p.ceiling = p.rate
	}
	p.setRate(now, max(min(minRate, p.max), p.rate*factor))
	p.lastCut, p.plateau, p.probes = now, time.Time{}, 0
	return err
}

// answered takes in an answer that was not a rate limit, and climbs back
// toward the configured rate once answers are calm (see the type's comment).
func (p *Pacer) answered() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.max <= 0 || p.rate >= p.max {
		return
	}
	now := p.clock.Now()
	calmFrom := p.lastCut
	if p.holdUntil.After(calmFrom) {
		calmFrom = p.holdUntil
	}
	if now.Sub(calmFrom) < calmAfter || now.Sub(p.lastStep) < time.Second {
		return
	}
	p.lastStep = now
	top := p.max
	if p.ceiling > 0 {
		top = min(top, p.ceiling*(1-ceilingMargin))
		if p.rate >= top {
			if p.plateau.IsZero() {
				p.plateau = now
			}
			if now.Sub(p.plateau) < probeAfter {
				return
			}
			p.ceiling *= 1 + min(1, probeStep*float64(int(1)<<min(p.probes, 5)))
			p.probes++
			p.plateau = time.Time{}
			top = min(p.max, p.ceiling*(1-ceilingMargin))
		}
	}
	p.setRate(now, min(top, p.rate*(1+stepFraction)))
}

// setRate puts a new rate in force. p.mu is held.
func (p *Pacer) setRate(now time.Time, r float64) {
	if r == p.rate {
		return
	}
	p.rate = r
	p.limiter.SetLimitAt(now, rate.Limit(r*(1-headroom)))
	p.stats.recordRate(r)
}

// tooLong returns the error that stops a run when a wait of d from now is
// longer than it may wait. p.mu is held.
func (p *Pacer) tooLong(now time.Time, d time.Duration, cause waitCause) error {
	limit, deadline := p.waitLimit(now)
	if d <= limit {
		return nil
	}
	return &WaitTooLongError{Wait: d, Limit: limit, Deadline: deadline, RetryAfter: cause.retryAfter, Reason: cause.reason, Why: cause.why}
}

// waitLimit is the longest wait allowed from now, and whether the run's
// deadline (rather than MaxWait) sets it. p.mu is held.
func (p *Pacer) waitLimit(now time.Time) (time.Duration, bool) {
	limit := p.maxWait
	if !p.deadline.IsZero() {
		if left := p.deadline.Sub(now); left < limit {
			return max(left, 0), true
		}
	}
	return limit, false
}

// checkWait returns the error that stops a run when a wait of d (a backoff
// before a retry) is longer than it may wait, and reports a long one.
func (p *Pacer) checkWait(d time.Duration, cause waitCause) error {
	p.mu.Lock()
	err := p.tooLong(p.clock.Now(), d, cause)
	f := p.onWait
	p.mu.Unlock()
	if err == nil && f != nil && d >= longWait {
		f(d, cause.why)
	}
	return err
}

// SetDeadline lowers the longest wait to what is left until t, when that is
// less than MaxWait: a run with a time limit stops at once rather than wait
// past its end. A zero t removes the deadline.
func (p *Pacer) SetDeadline(t time.Time) {
	p.mu.Lock()
	p.deadline = t
	p.mu.Unlock()
}
