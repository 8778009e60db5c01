// Command notion-fake runs the Notion API emulator as a local HTTP server on
// loopback, for demos and for trying notion-git without a Notion workspace.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/notion-git/notion-git/notion/notiontest"
)

// options are the command's flags.
type options struct {
	addr     string
	fixture  string
	token    string
	seed     int64
	latency  time.Duration
	jitter   time.Duration
	rate     float64
	burst    int
	overload float64
	faults   float64
	kinds    string
	slow     time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.addr, "addr", "127.0.0.1:0", "listen address (loopback)")
	flag.StringVar(&o.fixture, "fixture", "", "workspace fixture JSON file to load (default: one empty shared page)")
	flag.StringVar(&o.token, "token", notiontest.DefaultToken, "bearer token to accept")
	flag.Int64Var(&o.seed, "seed", 1, "seed for ids, faults and latency jitter")
	flag.DurationVar(&o.latency, "latency", 0, "fixed latency added to every answer")
	flag.DurationVar(&o.jitter, "jitter", 0, "random extra latency, up to this much")
	flag.Float64Var(&o.rate, "rate", 3, "requests per second per token (0: unlimited)")
	flag.IntVar(&o.burst, "burst", 10, "rate limit burst")
	flag.Float64Var(&o.overload, "overload", 0, "probability of 529 service_overload")
	flag.Float64Var(&o.faults, "fault-rate", 0, "probability of an injected fault")
	flag.StringVar(&o.kinds, "fault-kinds", "", "comma-separated faults: 500,502,503,504,slow,truncate,drop (default all)")
	flag.DurationVar(&o.slow, "slow-delay", 30*time.Second, "how long a slow fault waits")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "notion-fake:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	f, err := loadWorkspace(o)
	if err != nil {
		return err
	}
	var kinds []notiontest.FaultKind
	for _, k := range strings.Split(o.kinds, ",") {
		if k = strings.TrimSpace(k); k != "" {
			if !slices.Contains(notiontest.AllFaults, notiontest.FaultKind(k)) {
				return fmt.Errorf("unknown fault kind %q", k)
			}
			kinds = append(kinds, notiontest.FaultKind(k))
		}
	}
	srv := notiontest.New(f, notiontest.Options{
		Token: o.token, Seed: o.seed, Latency: o.latency, Jitter: o.jitter,
		Rate: o.rate, Burst: o.burst, Overload: o.overload, SlowDelay: o.slow,
		Faults: notiontest.Faults{Probability: o.faults, Kinds: kinds},
	})
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	fmt.Printf("NOTION_API_URL=%s\nNOTION_TOKEN=%s\n", url, o.token)
	fmt.Printf("# API base: %s/v1; shared: %s\n", url, strings.Join(f.Shared, ", "))

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	select {
	case err := <-errc:
		return err
	case <-stop:
	}
	hs.Close()
	printCounts(srv.Counts())
	return nil
}

// printCounts writes the request counters, one endpoint and status a line.
func printCounts(counts map[notiontest.EndpointStatus]int) {
	keys := slices.SortedFunc(func(yield func(notiontest.EndpointStatus) bool) {
		for k := range counts {
			if !yield(k) {
				return
			}
		}
	}, func(a, b notiontest.EndpointStatus) int {
		if c := strings.Compare(a.Endpoint, b.Endpoint); c != 0 {
			return c
		}
		return a.Status - b.Status
	})
	total := 0
	for _, k := range keys {
		fmt.Printf("%6d  %d  %s\n", counts[k], k.Status, k.Endpoint)
		total += counts[k]
	}
	fmt.Printf("%6d  requests\n", total)
}

// restoreTargetID is the page of the default workspace.
const restoreTargetID = "5e5e5e5e-0000-4000-8000-000000000001"

// loadWorkspace builds the workspace to serve: a fixture file when -fixture
// is given, otherwise one empty shared page titled "Restore target". A
// generated workspace (size and seed flags) plugs in here.
func loadWorkspace(o options) (*notiontest.Fixture, error) {
	if o.fixture != "" {
		b, err := os.ReadFile(o.fixture)
		if err != nil {
			return nil, fmt.Errorf("load workspace: %w", err)
		}
		var f notiontest.Fixture
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("load workspace %s: %w", o.fixture, err)
		}
		return &f, nil
	}
	now := time.Now().UTC().Truncate(time.Minute).Format("2006-01-02T15:04:05.000Z")
	title := "Restore target"
	return &notiontest.Fixture{
		Shared: []string{restoreTargetID},
		Pages: []map[string]any{{
			"object": "page", "id": restoreTargetID, "created_time": now, "last_edited_time": now,
			"parent":   map[string]any{"type": "workspace", "workspace": true},
			"in_trash": false, "archived": false, "is_archived": false, "is_locked": false,
			"icon": nil, "cover": nil, "public_url": nil,
			"url": "https://www.notion.so/Restore-target-" + strings.ReplaceAll(restoreTargetID, "-", ""),
			"properties": map[string]any{"title": map[string]any{"id": "title", "type": "title", "title": []any{
				map[string]any{"type": "text", "text": map[string]any{"content": title, "link": nil}, "plain_text": title, "href": nil,
					"annotations": map[string]any{"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"}},
			}}},
		}},
	}, nil
}
