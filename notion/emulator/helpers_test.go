package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/notion-git/notion-git/notion/emulator"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

const (
	rootID   = "11111111-1111-4111-8111-111111111111"
	hiddenID = "22222222-2222-4222-8222-222222222222"
	// authorID is the person who wrote the test workspaces.
	authorID = "88888888-8888-4888-8888-888888888888"
)

// smallWorkspace has one shared page with a paragraph, and one unshared page.
func smallWorkspace() *emulator.Fixture {
	title := func(s string) map[string]any {
		return map[string]any{"title": map[string]any{"id": "title", "type": "title", "title": []any{
			map[string]any{"type": "text", "text": map[string]any{"content": s, "link": nil}, "plain_text": s, "href": nil,
				"annotations": map[string]any{"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"}}}}}
	}
	page := func(id, t string) map[string]any {
		return map[string]any{"object": "page", "id": id, "created_time": "2025-01-01T00:00:00.000Z", "last_edited_time": "2025-01-01T00:00:00.000Z",
			"created_by": map[string]any{"object": "user", "id": authorID}, "last_edited_by": map[string]any{"object": "user", "id": authorID},
			"cover": nil, "icon": nil, "parent": map[string]any{"type": "workspace", "workspace": true},
			"in_trash": false, "archived": false, "is_archived": false, "is_locked": false,
			"properties": title(t), "url": "https://www.notion.so/" + strings.ReplaceAll(id, "-", ""), "public_url": nil}
	}
	return &emulator.Fixture{
		Shared: []string{rootID},
		Pages:  []map[string]any{page(rootID, "Root"), page(hiddenID, "Hidden")},
		Blocks: []map[string]any{{
			"object": "block", "id": "33333333-3333-4333-8333-333333333333",
			"parent":       map[string]any{"type": "page_id", "page_id": rootID},
			"created_time": "2025-01-01T00:00:00.000Z", "last_edited_time": "2025-01-01T00:00:00.000Z",
			"created_by": map[string]any{"object": "user", "id": authorID}, "last_edited_by": map[string]any{"object": "user", "id": authorID},
			"has_children": false, "in_trash": false, "archived": false, "type": "paragraph",
			"paragraph": map[string]any{"rich_text": []any{}, "color": "default", "icon": nil},
		}},
	}
}

// env is a running emulator and a client for it.
type env struct {
	t     *testing.T
	srv   *emulator.Server
	http  *httptest.Server
	clock *clock
}

func start(t *testing.T, f *emulator.Fixture, opts emulator.Options) *env {
	t.Helper()
	c := &clock{t: time.Date(2025, 6, 1, 12, 30, 45, 0, time.UTC)}
	if opts.Clock == nil {
		opts.Clock = c.now
	}
	s := emulator.New(f, opts)
	hs := httptest.NewServer(s) // loopback only
	t.Cleanup(hs.Close)
	return &env{t: t, srv: s, http: hs, clock: c}
}

// do sends an API request with the right token and version.
func (e *env) do(method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	return e.doWith(method, path, body, map[string]string{
		"Authorization": "Bearer " + emulator.DefaultToken, "Notion-Version": emulator.APIVersion})
}

func (e *env) doWith(method, path string, body any, headers map[string]string) (int, map[string]any) {
	e.t.Helper()
	resp, raw := e.raw(method, path, body, headers)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("%s %s: %d answer is not JSON: %v: %.200s", method, path, resp.StatusCode, err, raw)
	}
	return resp.StatusCode, out
}

func (e *env) raw(method, path string, body any, headers map[string]string) (*http.Response, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.http.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

// must expects a 200.
func (e *env) must(method, path string, body any) map[string]any {
	e.t.Helper()
	status, out := e.do(method, path, body)
	if status != 200 {
		e.t.Fatalf("%s %s: status %d: %v", method, path, status, out)
	}
	return out
}

func para(text string) map[string]any {
	return map[string]any{"paragraph": map[string]any{"rich_text": []any{map[string]any{"text": map[string]any{"content": text}}}}}
}

func results(out map[string]any) []any {
	r, _ := out["results"].([]any)
	return r
}

func field(v any, path ...string) any {
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

func wantError(t *testing.T, status int, out map[string]any, wantStatus int, wantCode string) {
	t.Helper()
	if status != wantStatus || out["code"] != wantCode || out["object"] != "error" || out["request_id"] == nil {
		t.Fatalf("got %d %v, want %d %s", status, out, wantStatus, wantCode)
	}
	if fmt.Sprint(out["status"]) != fmt.Sprint(wantStatus) {
		t.Fatalf("body status %v, want %d", out["status"], wantStatus)
	}
}

// rawNoFatal sends a request and returns its status, or 0 when the
// connection broke or the body was cut short.
func (e *env) rawNoFatal(method, path string, headers map[string]string) int {
	req, _ := http.NewRequest(method, e.http.URL+path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err != nil {
		return 0
	}
	return resp.StatusCode
}
