package exporter_test

import (
	"net/http"
	"testing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/notion/emulator"
)

// TestSyncUnderRateLimitAndFaults: a sync through a storm of 429s and 5% of
// 5xx answers stores exactly what a sync in calm weather stores, and reads
// everything: no object is reported unreadable.
func TestSyncUnderRateLimitAndFaults(t *testing.T) {
	t.Parallel()
	calm := newWorld(t, basicFixture(t), emulator.Options{})
	want, _ := calm.syncMemory(nil, exporter.Options{})

	// The client does not pace; the emulator allows 50 requests/s with a
	// burst of 3 and fails 5% of requests with a server error (seed 3 puts
	// three faults among the first ten requests). The client waits on the
	// emulator's clock, so that each Retry-After passes in no real time and
	// refills the emulator's bucket: the storm is the same however fast or
	// loaded the machine. Each 429 refills the bucket with 3 requests at
	// most, so the 24 requests of this sync meet at least 7 of them
	// whatever the order in which concurrent requests arrive.
	storm := newWorld(t, basicFixture(t), emulator.Options{
		Rate: 50, Burst: 3,
		Faults: emulator.Faults{
			Seed: 3, Probability: 0.05,
			Kinds: []emulator.FaultKind{emulator.Fault500, emulator.Fault502, emulator.Fault503, emulator.Fault504},
		},
	})
	storm.clientClock = storm.clock
	got, rep := storm.syncMemory(nil, exporter.Options{})

	limited, faults := 0, 0
	for k, n := range storm.server.Counts() {
		switch {
		case k.Status == http.StatusTooManyRequests:
			limited += n
		case k.Status >= 500:
			faults += n
		}
	}
	if limited < 5 || faults == 0 {
		t.Fatalf("weather too calm to prove anything: %d answers 429, %d 5xx", limited, faults)
	}
	t.Logf("%d answers 429, %d 5xx; %s", limited, faults, rep.Summary())
	if rep.Partial() {
		t.Errorf("objects reported unreadable after retries: %+v", rep.Errors)
	}
	if rep.Requests.RateLimited != limited {
		t.Errorf("the report counts %d answers 429, the emulator sent %d", rep.Requests.RateLimited, limited)
	}
	if rep.Requests.Retries != limited+faults {
		t.Errorf("the report counts %d retries, want one for each of the %d answers 429 and %d 5xx", rep.Requests.Retries, limited, faults)
	}
	sameTree(t, calm.comparable(want), storm.comparable(got))
}
