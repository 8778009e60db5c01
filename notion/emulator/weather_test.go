package emulator_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator"
)

// statuses sends n requests and returns what came back (0 for a transport
// error: a dropped connection or a truncated body).
func statuses(e *env, n int) []int {
	var out []int
	for range n {
		req := map[string]string{"Authorization": "Bearer " + emulator.DefaultToken, "Notion-Version": emulator.APIVersion}
		status := func() (s int) {
			defer func() {
				if recover() != nil {
					s = 0
				}
			}()
			return e.rawNoFatal("GET", "/v1/users/me", req)
		}()
		out = append(out, status)
	}
	return out
}

func TestFaultsDeterministicFromSeed(t *testing.T) {
	faults := emulator.Faults{Seed: 7, Probability: 0.5, Kinds: []emulator.FaultKind{
		emulator.Fault500, emulator.Fault502, emulator.Fault503, emulator.Fault504, emulator.FaultTruncate, emulator.FaultDrop}}
	a := statuses(start(t, smallWorkspace(), emulator.Options{Faults: faults}), 40)
	b := statuses(start(t, smallWorkspace(), emulator.Options{Faults: faults}), 40)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	faults.Seed = 8
	c := statuses(start(t, smallWorkspace(), emulator.Options{Faults: faults}), 40)
	if slices.Equal(a, c) {
		t.Fatal("different seeds gave the same faults")
	}
	for _, want := range []int{0, 200, 500, 502, 503, 504} {
		if !slices.Contains(a, want) {
			t.Fatalf("no %d among %v", want, a)
		}
	}
}

func TestFaultNeverHalfAppliesAWrite(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	e.srv.SetFaults(emulator.Faults{Probability: 1, Kinds: []emulator.FaultKind{emulator.Fault503}})
	status, _ := e.do("PATCH", "/v1/blocks/"+rootID+"/children", map[string]any{"children": []any{para("lost")}})
	if status != 503 {
		t.Fatalf("status %d, want 503", status)
	}
	e.srv.SetFaults(emulator.Faults{})
	if n := len(results(e.must("GET", "/v1/blocks/"+rootID+"/children", nil))); n != 1 {
		t.Fatalf("a failed append left %d children, want 1", n)
	}
}

func Test502HasHTMLBody(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{Faults: emulator.Faults{Probability: 1, Kinds: []emulator.FaultKind{emulator.Fault502}}})
	resp, body := e.raw("GET", "/v1/users/me", nil, map[string]string{"Authorization": "Bearer " + emulator.DefaultToken, "Notion-Version": emulator.APIVersion})
	if resp.StatusCode != 502 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "<html>") {
		t.Fatalf("502: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

func TestOverloadAndLogCounts(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{RecordBodies: true})
	e.srv.SetOverload(1)
	status, out := e.do("GET", "/v1/users/me", nil)
	wantError(t, status, out, 529, "service_overload")
	e.srv.SetOverload(0)
	e.must("POST", "/v1/search", map[string]any{"query": "Root"})
	counts := e.srv.Counts()
	if counts[emulator.EndpointStatus{Endpoint: "GET /v1/users/me", Status: 529}] != 1 ||
		counts[emulator.EndpointStatus{Endpoint: "POST /v1/search", Status: 200}] != 1 {
		t.Fatalf("counts %v", counts)
	}
	log := e.srv.Log()
	if len(log) != 2 || string(log[1].RequestBody) != `{"query":"Root"}` || !strings.Contains(string(log[1].ResponseBody), `"Root"`) {
		t.Fatalf("log %+v", log)
	}
	e.srv.ResetLog()
	if len(e.srv.Log()) != 0 || len(e.srv.Counts()) != 0 {
		t.Fatal("ResetLog kept entries")
	}
}
