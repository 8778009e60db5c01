package emulator

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// Local is an emulator served over HTTP on a loopback port: what --demo
// and notion-fake talk to, through the same client, pacer and retries as
// the real Notion.
type Local struct {
	// URL is the base of the API (without /v1), e.g. http://127.0.0.1:41234.
	URL string
	// Addr is the listener's host:port.
	Addr string
	hs   *http.Server
	done chan struct{}
}

// Listen serves h on addr, which must be a loopback address ("127.0.0.1:0"
// picks a free port). The emulator is a local stand-in for Notion, never a
// service on the network.
func Listen(addr string, h http.Handler) (*Local, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, errors.New("the emulator listens on loopback only (127.0.0.1, ::1 or localhost)")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	l := &Local{
		URL: "http://" + ln.Addr().String(), Addr: ln.Addr().String(),
		hs:   &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		done: make(chan struct{}),
	}
	go func() {
		defer close(l.done)
		l.hs.Serve(ln)
	}()
	return l, nil
}

// Close stops the server and drops open connections.
func (l *Local) Close() error {
	err := l.hs.Close()
	<-l.done
	return err
}

// InProcess is an http.RoundTripper that answers every request with h in
// the calling goroutine, with no network at all: the restore rehearsal
// runs a whole restore this way in memory. Hijacking (the drop fault) is
// not available in process.
func InProcess(h http.Handler) http.RoundTripper { return inProcess{h} }

type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	w := &answer{header: http.Header{}}
	t.h.ServeHTTP(w, req)
	if req.Body != nil {
		req.Body.Close()
	}
	code := w.code
	if code == 0 {
		code = http.StatusOK
	}
	return &http.Response{
		Status: http.StatusText(code), StatusCode: code,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.header, Body: io.NopCloser(bytes.NewReader(w.body.Bytes())),
		ContentLength: int64(w.body.Len()), Request: req,
	}, nil
}

// answer collects what a handler writes.
type answer struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (a *answer) Header() http.Header { return a.header }

func (a *answer) WriteHeader(code int) {
	if a.code == 0 {
		a.code = code
	}
}

func (a *answer) Write(b []byte) (int, error) {
	if a.code == 0 {
		a.code = http.StatusOK
	}
	return a.body.Write(b)
}
