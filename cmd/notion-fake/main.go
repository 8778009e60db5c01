// Command notion-fake runs the Notion API emulator as a local HTTP server on
// loopback, for demos and for trying notion-git without a Notion workspace.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// options are the command's flags.
type options struct {
	addr    string
	fixture string
	// workspace and pages pick a generated workspace when no fixture is given.
	workspace string
	pages     int
	token     string
	seed      int64
	latency   time.Duration
	jitter    time.Duration
	rate      float64
	burst     int
	overload  float64
	faults    float64
	kinds     string
	slow      time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.addr, "addr", "127.0.0.1:0", "listen address (loopback)")
	flag.StringVar(&o.fixture, "fixture", "", "workspace fixture JSON file to load (instead of -workspace)")
	flag.StringVar(&o.workspace, "workspace", "sample", "generated workspace: sample, empty (one shared page to restore into), small, medium or large")
	flag.IntVar(&o.pages, "pages", 0, "with small, medium or large: this many pages instead of the preset's")
	flag.StringVar(&o.token, "token", emulator.DefaultToken, "bearer token to accept")
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
	var kinds []emulator.FaultKind
	for _, k := range strings.Split(o.kinds, ",") {
		if k = strings.TrimSpace(k); k != "" {
			if !slices.Contains(emulator.AllFaults, emulator.FaultKind(k)) {
				return fmt.Errorf("unknown fault kind %q", k)
			}
			kinds = append(kinds, emulator.FaultKind(k))
		}
	}
	srv := emulator.New(f, emulator.Options{
		Token: o.token, Seed: o.seed, Latency: o.latency, Jitter: o.jitter,
		Rate: o.rate, Burst: o.burst, Overload: o.overload, SlowDelay: o.slow,
		Faults: emulator.Faults{Probability: o.faults, Kinds: kinds},
	})
	// Listen for a stop before telling anyone where to connect: a client
	// that stops the server right after its first answer must get counts.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	local, err := emulator.Listen(o.addr, srv)
	if err != nil {
		return err
	}
	fmt.Printf("NOTION_API_URL=%s\nNOTION_TOKEN=%s\n", local.URL, o.token)
	fmt.Printf("# API base: %s/v1; shared: %s\n", local.URL, strings.Join(f.Shared, ", "))
	<-stop
	local.Close()
	printCounts(srv.Counts())
	return nil
}

// printCounts writes the request counters, one endpoint and status a line.
func printCounts(counts map[emulator.EndpointStatus]int) {
	keys := slices.SortedFunc(func(yield func(emulator.EndpointStatus) bool) {
		for k := range counts {
			if !yield(k) {
				return
			}
		}
	}, func(a, b emulator.EndpointStatus) int {
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

// loadWorkspace builds the workspace to serve: a fixture file when -fixture
// is given, otherwise one empty shared page titled "Restore target". A
// generated workspace (size and seed flags) plugs in here.
func loadWorkspace(o options) (*emulator.Fixture, error) {
	if o.fixture != "" {
		return workspace.Load(o.fixture)
	}
	switch o.workspace {
	case "sample":
		return workspace.Sample(), nil
	case "empty":
		return workspace.Empty("Restore target"), nil
	case "small", "medium", "large":
		opts := map[string]func() workspace.Options{"small": workspace.Small, "medium": workspace.Medium, "large": workspace.Large}[o.workspace]()
		opts.Seed = uint64(o.seed)
		if o.pages > 0 {
			opts.Pages = o.pages
		}
		return workspace.Generate(opts), nil
	}
	return nil, fmt.Errorf("unknown -workspace %q: want sample, empty, small, medium or large", o.workspace)
}
