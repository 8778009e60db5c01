package notion

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/contract"
)

// recordedBodies returns the JSON bodies of Notion's recorded answers that
// keep must accept, for seeds; none when the contract directory is absent.
func recordedBodies(f *testing.F, keep func(status int, body map[string]any) bool) [][]byte {
	xs, err := contract.Recordings()
	if err != nil {
		return nil
	}
	var out [][]byte
	for _, x := range xs {
		var body map[string]any
		if x.Response == nil || json.Unmarshal(x.Response, &body) != nil || !keep(x.Status, body) || len(x.Response) > maxFuzzBody {
			continue
		}
		var compact bytes.Buffer
		if json.Compact(&compact, x.Response) == nil {
			out = append(out, compact.Bytes())
		}
	}
	return out
}

// maxFuzzBody bounds the inputs tried. The fuzzer minimises each input
// that finds new code in time quadratic in its length, and a short list
// reaches every branch a long one does.
const maxFuzzBody = 1 << 10

// pageTransport answers every request with the next of its bodies, round
// and round, all in memory.
type pageTransport struct {
	bodies [][]byte
	sent   int
}

func (p *pageTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body := p.bodies[p.sent%len(p.bodies)]
	p.sent++
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req,
	}, nil
}

// maxFuzzPages bounds the pages one FuzzPaginate input may walk: every
// cursor repeats within len(bodies) pages, so a walk this long has looped.
const maxFuzzPages = 64

// FuzzPaginate walks a list endpoint whose answers are the input's
// NUL-separated bodies, served in a loop. The walk must end, and every page
// handed to the caller must hold exactly the results and cursor its bytes say.
func FuzzPaginate(f *testing.F) {
	for _, b := range recordedBodies(f, func(status int, body map[string]any) bool {
		return status == http.StatusOK && body["object"] == "list"
	}) {
		f.Add(b)
	}
	for _, seed := range []string{
		`{"object":"list","results":[{"id":"a"},{"id":"b"}],"next_cursor":"c1","has_more":true}` + "\x00" +
			`{"object":"list","results":[{"id":"c"}],"next_cursor":null,"has_more":false}`,
		`{"object":"list","results":[1,"x",null,{"a":[]}],"next_cursor":"","has_more":true,"request_status":{"type":"incomplete","incomplete_reason":"query_result_limit_reached"}}`,
		`{"results":null,"has_more":true}`,
	} {
		f.Add([]byte(seed))
	}
	ctx := context.Background()
	// One client for every input (a worker runs its inputs one at a time):
	// building one per input cost more than the walk. A fake clock: a body
	// that is not whole JSON is retried with backoff, and one retry covers
	// that path at a seventh of the cost.
	tr := &pageTransport{}
	c, err := New(Config{BaseURL: "http://notion.test", Token: "secret", Rate: -1, MaxRetries: 1,
		Clock: newFakeClock(), HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > maxFuzzBody {
			return
		}
		tr.bodies, tr.sent = bytes.Split(in, []byte{0}), 0
		pages := 0
		err = c.Paginate(ctx, http.MethodGet, "blocks/x/children", nil, nil, func(l *List) error {
			body := tr.bodies[(tr.sent-1)%len(tr.bodies)]
			checkList(t, body, l)
			pages++
			if pages > maxFuzzPages {
				t.Fatalf("Paginate did not stop after %d pages", pages)
			}
			return nil
		})
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Fatalf("the token leaked into an error: %v", err)
		}
	})
}

// checkList compares a decoded List with the top-level keys of its body,
// read independently as a map with exact key names.
func checkList(t *testing.T, body []byte, l *List) {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("a body that is not a JSON object was decoded as a list: %q", body)
	}
	var results []json.RawMessage
	if r, ok := raw["results"]; ok {
		if err := json.Unmarshal(r, &results); err != nil {
			t.Fatalf("results %s are not an array, yet decoded", r)
		}
	}
	if len(results) != len(l.Results) {
		t.Fatalf("%d results decoded, the body holds %d: %s", len(l.Results), len(results), body)
	}
	for i := range results {
		if !bytes.Equal(results[i], l.Results[i]) {
			t.Fatalf("result %d is %s, the body says %s", i, l.Results[i], results[i])
		}
	}
	var cursor *string
	if c, ok := raw["next_cursor"]; ok {
		if err := json.Unmarshal(c, &cursor); err != nil {
			t.Fatalf("next_cursor %s is not a string, yet decoded", c)
		}
	}
	if (cursor == nil) != (l.NextCursor == nil) || cursor != nil && *cursor != *l.NextCursor {
		t.Fatalf("next_cursor decoded as %v, the body says %v: %s", deref(l.NextCursor), deref(cursor), body)
	}
	var hasMore bool
	if h, ok := raw["has_more"]; ok {
		if err := json.Unmarshal(h, &hasMore); err != nil {
			t.Fatalf("has_more %s is not a boolean, yet decoded", h)
		}
	}
	if hasMore != l.HasMore {
		t.Fatalf("has_more decoded as %v, the body says %v: %s", l.HasMore, hasMore, body)
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// FuzzDecodeError reads arbitrary error bodies: decodeError never panics,
// falls back to the HTTP status text on anything but an error object, and
// returns exactly the code, message and request id of a body that holds them.
func FuzzDecodeError(f *testing.F) {
	for _, b := range recordedBodies(f, func(status int, body map[string]any) bool {
		return body["object"] == "error"
	}) {
		f.Add(400, b, "validation_error", "body.children should be defined", "5c3f")
	}
	f.Add(429, []byte(`{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited.","request_id":"r1","additional_data":{"x":1}}`), "rate_limited", "slow down", "")
	f.Add(502, []byte(`<html>Bad Gateway</html>`), "", "", "")
	f.Add(409, []byte(`{"object":"error","status":"409","code":7}`), "conflict_error", "\u2028<&>", "\xff")
	f.Fuzz(func(t *testing.T, status int, body []byte, code, message, requestID string) {
		gotCode, gotMessage, gotID := decodeError(status, body)
		var wire map[string]json.RawMessage
		if json.Unmarshal(body, &wire) != nil || string(wire["object"]) != `"error"` {
			if gotCode != "" || gotID != "" || gotMessage != http.StatusText(status) {
				t.Fatalf("not an error object, yet decoded as %q, %q, %q", gotCode, gotMessage, gotID)
			}
		}
		// A body Notion could send: the fields given, as JSON encodes them.
		valid := func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
		code, message, requestID = valid(code), valid(message), valid(requestID)
		built, err := json.Marshal(map[string]any{"object": "error", "status": status, "code": code, "message": message, "request_id": requestID})
		if err != nil {
			t.Fatal(err)
		}
		gotCode, gotMessage, gotID = decodeError(status, built)
		if gotCode != code || gotMessage != message || gotID != requestID {
			t.Fatalf("decodeError(%s) = %q, %q, %q", built, gotCode, gotMessage, gotID)
		}
		e := &Error{Method: "GET", Endpoint: "pages/{id}", Status: status, Code: gotCode, Message: gotMessage, RequestID: gotID}
		if e.Error() == "" {
			t.Fatal("empty error text")
		}
	})
}
