package emulator_test

import (
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator"
)

func TestAuthAndVersion(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	status, out := e.doWith("GET", "/v1/users/me", nil, map[string]string{"Authorization": "Bearer wrong", "Notion-Version": emulator.APIVersion})
	wantError(t, status, out, 401, "unauthorized")
	status, out = e.doWith("GET", "/v1/users/me", nil, map[string]string{"Authorization": "Bearer " + emulator.DefaultToken})
	wantError(t, status, out, 400, "missing_version")
	status, out = e.do("GET", "/v1/nothing-here", nil)
	wantError(t, status, out, 400, "invalid_request_url")
	if me := e.must("GET", "/v1/users/me", nil); me["type"] != "bot" || me["request_id"] == nil {
		t.Fatalf("users/me = %v", me)
	}
}

func TestUnsharedIsNotFound(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	e.must("GET", "/v1/pages/"+rootID, nil)
	status, out := e.do("GET", "/v1/pages/"+hiddenID, nil)
	wantError(t, status, out, 404, "object_not_found")
	for _, r := range results(e.must("POST", "/v1/search", map[string]any{})) {
		if field(r, "id") == hiddenID {
			t.Fatal("search shows an unshared page")
		}
	}
	e.srv.Unshare(rootID)
	status, out = e.do("GET", "/v1/blocks/"+rootID+"/children", nil)
	wantError(t, status, out, 404, "object_not_found")
}

func TestAppendLimits(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	var kids []any
	for range 101 {
		kids = append(kids, para("x"))
	}
	status, out := e.do("PATCH", "/v1/blocks/"+rootID+"/children", map[string]any{"children": kids})
	wantError(t, status, out, 400, "validation_error")
	if out["message"] != "body failed validation: body.children.length should be ≤ 100, instead was 101." {
		t.Fatalf("message %q", out["message"])
	}
	status, out = e.do("PATCH", "/v1/blocks/"+rootID+"/children", map[string]any{"children": []any{para(strings.Repeat("a", 2001))}})
	wantError(t, status, out, 400, "validation_error")
	if out["message"] != "body failed validation: body.children[0].paragraph.rich_text[0].text.content.length should be ≤ 2000, instead was 2001." {
		t.Fatalf("message %q", out["message"])
	}
	// Nothing of a rejected request is applied.
	if n := len(results(e.must("GET", "/v1/blocks/"+rootID+"/children", nil))); n != 1 {
		t.Fatalf("%d children after rejected appends, want 1", n)
	}
	e.must("PATCH", "/v1/blocks/"+rootID+"/children", map[string]any{"children": kids[:100]})
}
