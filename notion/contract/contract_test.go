package contract

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func notionExchanges(t *testing.T) []Exchange {
	t.Helper()
	xs, err := Recordings()
	if err != nil {
		t.Fatal(err)
	}
	var out []Exchange
	for _, x := range xs {
		if x.Host == "api.notion.com" {
			out = append(out, x)
		}
	}
	if len(out) < 300 {
		t.Fatalf("only %d Notion exchanges recorded; the contract directory looks incomplete", len(out))
	}
	return out
}

func decodeObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	v, err := decode(b)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("not a JSON object: %.80s", b)
	}
	return m
}

func TestRecordedResponsesMatchTheirSchemas(t *testing.T) {
	Require(t)
	var ok2xx, okErr, emailVerified, asyncMarkdown int
	for _, x := range notionExchanges(t) {
		if x.Response == nil {
			continue
		}
		if x.Status < 200 || x.Status > 299 {
			// Error bodies declare request_id, so they are checked whole. Some
			// answer requests to routes that do not exist (GET /v1/invalid).
			if err := ValidateJSON(ErrorSchema, x.Response); err != nil {
				t.Errorf("%s: error body: %v", x.Name(), err)
			} else {
				okErr++
			}
			continue
		}
		route, found := Endpoint(x.Method, x.Path)
		if !found {
			t.Errorf("%s: no route in endpoints.json", x.Name())
			continue
		}
		err := ValidateResponse(route.ResponseSchema, x.Response)
		if err == nil {
			ok2xx++
			continue
		}
		// The documented gaps of the SDK types (README "Known gaps"). Each is
		// checked to be exactly that gap and nothing more.
		switch {
		case route.SDKMethod == "listUsers" && strings.Contains(string(x.Response), `"email_verified"`):
			body := decodeObject(t, x.Response)
			for _, u := range body["results"].([]any) {
				if p, ok := u.(map[string]any)["person"].(map[string]any); ok {
					delete(p, "email_verified")
				}
			}
			if err := Validate(route.ResponseSchema, withoutRequestID(body)); err != nil {
				t.Errorf("%s: fails beyond email_verified: %v", x.Name(), err)
				continue
			}
			emailVerified++
		case route.SDKMethod == "updatePageMarkdown" && x.Status == 202:
			if err := ValidateResponse("GetAsyncTaskResponse", x.Response); err != nil {
				t.Errorf("%s: 202 reply is not an async task either: %v", x.Name(), err)
				continue
			}
			asyncMarkdown++
		default:
			t.Errorf("%s: %v", x.Name(), err)
		}
	}
	// The counts README.md reports; a change means the recordings or the
	// schemas changed and the known gaps must be looked at again.
	if ok2xx != 313 || emailVerified != 5 || asyncMarkdown != 1 || okErr != 13 {
		t.Errorf("got %d passing 2xx, %d email_verified gaps, %d async markdown replies, %d error bodies; want 313, 5, 1, 13",
			ok2xx, emailVerified, asyncMarkdown, okErr)
	}
}

func withoutRequestID(m map[string]any) map[string]any {
	delete(m, "request_id")
	return m
}

func TestRecordedRequestBodiesMatchTheirSchemas(t *testing.T) {
	Require(t)
	var pass, shorthand int
	for _, x := range notionExchanges(t) {
		if x.Request == nil {
			continue
		}
		route, found := Endpoint(x.Method, x.Path)
		if !found || route.BodySchema == "" {
			t.Errorf("%s: no body schema for a request with a JSON body", x.Name())
			continue
		}
		err := ValidateJSON(route.BodySchema, x.Request)
		if err == nil {
			pass++
			continue
		}
		// The API accepts "properties": {"title": [rich text]} on POST /pages,
		// but the SDK type requires {"title": {"title": [...]}}: the body
		// schema must reject it, as it would reject our importer writing it.
		body := decodeObject(t, x.Request)
		props, _ := body["properties"].(map[string]any)
		if _, isShorthand := props["title"].([]any); route.SDKMethod == "createPage" && isShorthand {
			var verr *ValidationError
			if !errors.As(err, &verr) || !strings.HasPrefix(verr.Path, "/properties") {
				t.Errorf("%s: shorthand body fails elsewhere: %v", x.Name(), err)
			}
			shorthand++
			continue
		}
		t.Errorf("%s: %v", x.Name(), err)
	}
	if pass != 112 || shorthand != 51 {
		t.Errorf("got %d passing and %d shorthand request bodies; want 112 and 51", pass, shorthand)
	}
}

// recorded returns the response body of the first exchange of that route.
func recorded(t *testing.T, sdkMethod string) map[string]any {
	t.Helper()
	for _, x := range notionExchanges(t) {
		if r, ok := Endpoint(x.Method, x.Path); ok && r.SDKMethod == sdkMethod && x.Status == 200 {
			return withoutRequestID(decodeObject(t, x.Response))
		}
	}
	t.Fatalf("no recorded %s", sdkMethod)
	return nil
}

func TestNegativeControlsFail(t *testing.T) {
	Require(t)
	page := recorded(t, "getPage")
	if err := Validate("PageObjectResponse", page); err != nil {
		t.Fatalf("recorded page must pass before it is broken: %v", err)
	}
	blocks := recorded(t, "listBlockChildren")["results"].([]any)
	if len(blocks) == 0 {
		t.Fatal("recorded block list is empty")
	}
	block := blocks[0].(map[string]any)

	clone := func(m map[string]any) map[string]any {
		b, _ := json.Marshal(m)
		v, _ := decode(b)
		return v.(map[string]any)
	}
	cases := []struct {
		name, schema     string
		value            map[string]any
		path, keyword    string
		messageSubstring string
	}{
		{"unknown key on a page", "PageObjectResponse",
			func() map[string]any { p := clone(page); p["colour"] = "red"; return p }(),
			"/", "additionalProperties", "colour"},
		{"page without id", "PageObjectResponse",
			func() map[string]any { p := clone(page); delete(p, "id"); return p }(),
			"/", "required", "id"},
		{"page with numeric url", "PageObjectResponse",
			func() map[string]any { p := clone(page); p["url"] = json.Number("3"); return p }(),
			"/url", "type", "string"},
		{"block of an unknown type", "BlockObjectResponse",
			func() map[string]any { b := clone(block); b["type"] = "hologram"; return b }(),
			"/type", "const", `"hologram" matches no variant`},
		{"unknown key inside a block", "BlockObjectResponse",
			func() map[string]any {
				b := clone(block)
				b[b["type"].(string)].(map[string]any)["sparkle"] = true
				return b
			}(),
			"/" + block["type"].(string), "additionalProperties", "sparkle"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Validate(c.schema, c.value)
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("want a ValidationError, got %v", err)
			}
			if c.path != "" && (verr.Path != c.path || verr.Keyword != c.keyword || !strings.Contains(verr.Message, c.messageSubstring)) {
				t.Errorf("got %v; want path %s, keyword %s, message mentioning %q", err, c.path, c.keyword, c.messageSubstring)
			}
		})
	}
}

func TestValidateAcceptsGoValues(t *testing.T) {
	Require(t)
	// What a generator builds: ints and typed slices rather than decoded JSON.
	user := map[string]any{
		"object": "user", "id": "6f1f4b8e-5b1a-4c55-9c3e-0d5c6a1d2e3f",
		"type": "person", "name": "Ada", "avatar_url": nil,
		"person": map[string]any{"email": "ada@example.com"},
	}
	list := map[string]any{
		"object": "list", "results": []map[string]any{user}, "next_cursor": nil,
		"has_more": false, "type": "user", "user": map[string]any{},
	}
	if err := Validate("ListUsersResponse", list); err != nil {
		t.Fatal(err)
	}
	list["has_more"] = 1
	if err := Validate("ListUsersResponse", list); err == nil {
		t.Fatal("has_more: 1 must fail")
	}
}

func TestEndpointLookup(t *testing.T) {
	Require(t)
	cases := []struct{ method, path, sdk, body, response string }{
		{"GET", "/v1/users/me", "getSelf", "", "GetSelfResponse"},
		{"GET", "/v1/users/6f1f4b8e-5b1a-4c55-9c3e-0d5c6a1d2e3f", "getUser", "", "GetUserResponse"},
		{"PATCH", "/v1/blocks/6f1f4b8e-5b1a-4c55-9c3e-0d5c6a1d2e3f/children", "appendBlockChildren", "AppendBlockChildrenBodyParameters", "AppendBlockChildrenResponse"},
		{"post", "/pages", "createPage", "CreatePageBodyParameters", "CreatePageResponse"},
		{"GET", "/v1/comments?block_id=x&page_size=2", "listComments", "", "ListCommentsResponse"},
	}
	for _, c := range cases {
		r, ok := Endpoint(c.method, c.path)
		if !ok {
			t.Errorf("%s %s: not found", c.method, c.path)
			continue
		}
		if r.BodySchema != c.body || r.ResponseSchema != c.response {
			t.Errorf("%s %s: got %s body=%q response=%q; want %s body=%q response=%q",
				c.method, c.path, r.SDKMethod, r.BodySchema, r.ResponseSchema, c.sdk, c.body, c.response)
		}
		if _, err := Schema(r.ResponseSchema); err != nil {
			t.Errorf("%s %s: %v", c.method, c.path, err)
		}
	}
	if _, ok := Endpoint("GET", "/v1/nowhere"); ok {
		t.Error("GET /v1/nowhere must not be found")
	}
}

func TestUnknownSchemaIsAnError(t *testing.T) {
	Require(t)
	if err := ValidateJSON("NoSuchResponse", []byte(`{}`)); err == nil {
		t.Fatal("want an error for a schema that does not exist")
	}
	if err := ValidateJSON("../../etc/passwd", []byte(`{}`)); err == nil {
		t.Fatal("want an error for a path as schema name")
	}
}
