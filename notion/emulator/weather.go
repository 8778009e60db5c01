package emulator

import (
	"context"
	"crypto/sha256"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// FaultKind is one way a request can fail.
type FaultKind string

// The faults the emulator can inject.
const (
	Fault500      FaultKind = "500"      // 500 internal_server_error
	Fault502      FaultKind = "502"      // 502 with an HTML body, as from a proxy
	Fault503      FaultKind = "503"      // 503 service_unavailable
	Fault504      FaultKind = "504"      // 504 gateway_timeout
	FaultSlow     FaultKind = "slow"     // answer only after Options.SlowDelay
	FaultTruncate FaultKind = "truncate" // 200 with half a JSON body, then close
	FaultDrop     FaultKind = "drop"     // close the connection without an answer
)

// AllFaults lists every FaultKind.
var AllFaults = []FaultKind{Fault500, Fault502, Fault503, Fault504, FaultSlow, FaultTruncate, FaultDrop}

// Faults says which faults to inject and how often.
type Faults struct {
	// Seed drives the fault sequence (Options.Seed when zero).
	Seed int64
	// Probability that a request gets a fault, 0..1.
	Probability float64
	// Kinds to choose from, uniformly (AllFaults when empty).
	Kinds []FaultKind
}

// weather is the rate limiter, overload, faults and latency. It has its own
// lock so that it can be changed while requests run.
type weather struct {
	mu       sync.Mutex
	rate     float64
	burst    int
	limiters map[string]*rate.Limiter
	overload float64
	faults   Faults
	faultRNG *rand.Rand
	latRNG   *rand.Rand
	fixed    time.Duration
	jitter   time.Duration
	slow     time.Duration
}

func (w *weather) init(o Options) {
	w.limiters = map[string]*rate.Limiter{}
	w.rate, w.burst = o.Rate, o.Burst
	w.overload = o.Overload
	w.fixed, w.jitter, w.slow = o.Latency, o.Jitter, o.SlowDelay
	w.latRNG = seededRand(o.Seed, "latency")
	w.setFaults(o.Faults, o.Seed)
}

func (w *weather) setFaults(f Faults, seed int64) {
	if f.Seed == 0 {
		f.Seed = seed
	}
	if len(f.Kinds) == 0 {
		f.Kinds = AllFaults
	}
	w.faults = f
	w.faultRNG = seededRand(f.Seed, "faults")
}

// seededRand is a random stream fully determined by seed and purpose.
func seededRand(seed int64, purpose string) *rand.Rand {
	return rand.New(rand.NewChaCha8(sha256.Sum256([]byte(purpose + strconv.FormatInt(seed, 10)))))
}

// limit takes a token from the caller's bucket; when it is empty it answers
// how many whole seconds to wait, as Notion's Retry-After does.
func (w *weather) limit(token string, now time.Time) (int, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.rate <= 0 {
		return 0, false
	}
	l := w.limiters[token]
	if l == nil {
		burst := w.burst
		if burst < 1 {
			burst = 1
		}
		l = rate.NewLimiter(rate.Limit(w.rate), burst)
		l.SetLimitAt(now, rate.Limit(w.rate)) // start the bucket on the injected clock
		w.limiters[token] = l
	}
	if l.AllowN(now, 1) {
		return 0, false
	}
	r := l.ReserveN(now, 1)
	delay := r.DelayFrom(now)
	r.CancelAt(now)
	secs := int(math.Ceil(delay.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return secs, true
}

func (w *weather) overloaded() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.overload > 0 && w.faultRNG.Float64() < w.overload
}

// fault draws the fault for one request ("" for none).
func (w *weather) fault() FaultKind {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.faults.Probability <= 0 {
		return ""
	}
	if w.faultRNG.Float64() >= w.faults.Probability {
		return ""
	}
	return w.faults.Kinds[w.faultRNG.IntN(len(w.faults.Kinds))]
}

func (w *weather) latency() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	d := w.fixed
	if w.jitter > 0 {
		d += time.Duration(w.latRNG.Int64N(int64(w.jitter)))
	}
	return d
}

func (w *weather) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// SetFaults changes fault injection from now on (and restarts its sequence).
func (s *Server) SetFaults(f Faults) {
	s.weather.mu.Lock()
	defer s.weather.mu.Unlock()
	s.weather.setFaults(f, s.opts.Seed)
}

// SetRate changes the per-token rate limit (rps <= 0 turns it off).
func (s *Server) SetRate(rps float64, burst int) {
	s.weather.mu.Lock()
	defer s.weather.mu.Unlock()
	s.weather.rate, s.weather.burst = rps, burst
	s.weather.limiters = map[string]*rate.Limiter{}
}

// SetOverload changes the probability of 529 service_overload answers.
func (s *Server) SetOverload(p float64) {
	s.weather.mu.Lock()
	defer s.weather.mu.Unlock()
	s.weather.overload = p
}

// SetLatency changes the latency model.
func (s *Server) SetLatency(latency, jitter time.Duration) {
	s.weather.mu.Lock()
	defer s.weather.mu.Unlock()
	s.weather.fixed, s.weather.jitter = latency, jitter
}

// injectFault answers with fault, if any, and reports whether it did. Error
// faults leave the workspace untouched; a slow answer runs the request only
// if the client is still waiting, so the write is whole or absent.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, fault FaultKind) bool {
	switch fault {
	case "":
		return false
	case Fault500:
		s.writeError(w, &apiError{500, "internal_server_error", "Unexpected error occurred."})
	case Fault502:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"))
	case Fault503:
		s.writeError(w, &apiError{503, "service_unavailable", "Notion is unavailable, please try again later."})
	case Fault504:
		s.writeError(w, &apiError{504, "gateway_timeout", "Notion timed out while processing the request."})
	case FaultSlow:
		s.weather.mu.Lock()
		d := s.weather.slow
		s.weather.mu.Unlock()
		if !s.weather.sleep(r.Context(), d) {
			return true
		}
		return false
	case FaultTruncate:
		// Half of a plausible answer; nothing is applied, so a retry is safe.
		body := `{"object":"list","results":[{"object":"page","id":"` + s.NewID() + `","properties":{}}],"next_cursor":null,"has_more":false}`
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(body[:len(body)/2]))
		hijackClose(w)
	case FaultDrop:
		hijackClose(w)
	}
	return true
}

func hijackClose(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		// HTTP/2 or a test recorder: abort the answer instead.
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}
