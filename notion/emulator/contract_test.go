package emulator_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/contract"
	"github.com/notion-git/notion-git/notion/emulator"
)

var apiHeaders = map[string]string{"Authorization": "Bearer " + emulator.DefaultToken, "Notion-Version": emulator.APIVersion}

// TestResponsesMatchContract checks one answer of each kind against the
// SDK's strict *ObjectResponse and endpoint schemas.
func TestResponsesMatchContract(t *testing.T) {
	contract.Require(t)
	e := start(t, withDataSource(smallWorkspace(), 3, 2), emulator.Options{})
	check := func(schema, method, path string, body any) map[string]any {
		t.Helper()
		resp, raw := e.raw(method, path, body, apiHeaders)
		if err := contract.ValidateResponse(schema, raw); err != nil {
			t.Errorf("%s %s (%d) against %s: %v\n%.400s", method, path, resp.StatusCode, schema, err, raw)
		}
		var out map[string]any
		json.Unmarshal(raw, &out)
		return out
	}
	page := check("PageObjectResponse", "POST", "/v1/pages", map[string]any{"parent": map[string]any{"page_id": rootID},
		"properties": map[string]any{"title": map[string]any{"title": []any{map[string]any{"text": map[string]any{"content": "New"}}}}},
		"children":   []any{para("a"), map[string]any{"heading_2": map[string]any{"rich_text": []any{}}}}})
	id := page["id"].(string)
	check("PageObjectResponse", "GET", "/v1/pages/"+id, nil)
	check("PageObjectResponse", "GET", "/v1/pages/66666666-6666-4666-8666-000000000000", nil)
	check("PropertyItemListResponse", "GET", "/v1/pages/"+id+"/properties/title", nil)
	check("ListBlockChildrenResponse", "GET", "/v1/blocks/"+id+"/children", nil)
	check("ListBlockChildrenResponse", "GET", "/v1/blocks/"+rootID+"/children", nil)
	kids := check("AppendBlockChildrenResponse", "PATCH", "/v1/blocks/"+id+"/children", map[string]any{"children": []any{
		map[string]any{"to_do": map[string]any{"rich_text": []any{map[string]any{"text": map[string]any{"content": "x"}}}}},
		map[string]any{"divider": map[string]any{}}}})
	bid := field(results(kids)[0], "id").(string)
	check("BlockObjectResponse", "GET", "/v1/blocks/"+bid, nil)
	check("BlockObjectResponse", "PATCH", "/v1/blocks/"+bid, map[string]any{"to_do": map[string]any{"checked": true}})
	check("BlockObjectResponse", "DELETE", "/v1/blocks/"+bid, nil)
	check("SearchResponse", "POST", "/v1/search", map[string]any{})
	check("DatabaseObjectResponse", "GET", "/v1/databases/"+dbID, nil)
	check("DataSourceObjectResponse", "GET", "/v1/data_sources/"+dsID, nil)
	check("QueryDataSourceResponse", "POST", "/v1/data_sources/"+dsID+"/query", map[string]any{})
	db := check("DatabaseObjectResponse", "POST", "/v1/databases", map[string]any{"parent": map[string]any{"page_id": rootID},
		"title":               []any{map[string]any{"text": map[string]any{"content": "T"}}},
		"initial_data_source": map[string]any{"properties": map[string]any{"Name": map[string]any{"title": map[string]any{}}}}})
	newDS := field(db["data_sources"].([]any)[0], "id").(string)
	check("DataSourceObjectResponse", "PATCH", "/v1/data_sources/"+newDS, map[string]any{"properties": map[string]any{"Done": map[string]any{"checkbox": map[string]any{}}}})
	check("CommentObjectResponse", "POST", "/v1/comments", map[string]any{"parent": map[string]any{"page_id": id}, "rich_text": []any{map[string]any{"text": map[string]any{"content": "hi"}}}})
	check("ListCommentsResponse", "GET", "/v1/comments?block_id="+id, nil)
	check("ListUsersResponse", "GET", "/v1/users", nil)
	check("GetSelfResponse", "GET", "/v1/users/me", nil)
	up := check("FileUploadObjectResponse", "POST", "/v1/file_uploads", map[string]any{"filename": "a.txt"})
	check("FileUploadObjectResponse", "GET", "/v1/file_uploads/"+up["id"].(string), nil)
	check("ListFileUploadsResponse", "GET", "/v1/file_uploads", nil)
	check("APIErrorResponse", "GET", "/v1/pages/"+hiddenID, nil)
	check("APIErrorResponse", "PATCH", "/v1/blocks/"+rootID+"/children", map[string]any{"children": []any{map[string]any{"child_page": map[string]any{"title": "x"}}}})
}

// unsupported are recorded endpoints the emulator does not implement.
var unsupported = regexp.MustCompile(`^/v1/(custom_emojis|async_tasks)|/markdown$|/move$|/templates$|^/v1/comments/|^/400$`)

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}`)

// TestReplayRecordings sends the real recorded requests to the emulator, in
// order, and expects the status (and error code) Notion gave. Ids are mapped:
// ids Notion returned map to the ids the emulator returned at the same place,
// and the pre-existing parent page a recording writes under maps to the
// shared root page.
func TestReplayRecordings(t *testing.T) {
	contract.Require(t)
	xs, err := contract.Recordings()
	if err != nil {
		t.Fatal(err)
	}
	var e *env
	var ids map[string]string
	cassette := ""
	replayed, skipped := 0, 0
	for _, x := range xs {
		if x.Cassette != cassette {
			cassette = x.Cassette
			e = start(t, smallWorkspace(), emulator.Options{})
			ids = map[string]string{}
		}
		switch {
		case x.Host != "api.notion.com" || unsupported.MatchString(x.Path):
			skipped++
			continue
		case x.Name() == "test_file_uploads_list_with_start_cursor#4 GET /v1/file_uploads":
			// Its start_cursor is an upload id Notion handed out as a
			// cursor; the emulator's cursors are opaque offsets.
			skipped++
			continue
		case x.Request == nil && x.RequestContentType != "":
			skipped++ // a multipart upload: its body was not recorded
			continue
		}
		mapID := func(s string, parent bool) string {
			return uuidRE.ReplaceAllStringFunc(s, func(id string) string {
				n := strings.ReplaceAll(id, "-", "")
				if m, ok := ids[n]; ok {
					return m
				}
				if parent {
					return rootID
				}
				return id
			})
		}
		path := mapID(x.Path, false)
		if x.Query != "" {
			path += "?" + mapID(x.Query, false)
		}
		var body any
		if x.Request != nil {
			body = json.RawMessage(mapID(string(x.Request), true))
		}
		headers := apiHeaders
		if x.Status == 401 {
			headers = map[string]string{"Authorization": "Bearer not-the-token", "Notion-Version": emulator.APIVersion}
		}
		resp, raw := e.raw(x.Method, path, body, headers)
		replayed++
		if (resp.StatusCode < 300) != (x.Status < 300) || x.Status >= 300 && resp.StatusCode != x.Status {
			t.Errorf("%s: status %d, Notion answered %d\n%.300s", x.Name(), resp.StatusCode, x.Status, raw)
			continue
		}
		if x.Status >= 300 {
			var got, want map[string]any
			json.Unmarshal(raw, &got)
			json.Unmarshal(x.Response, &want)
			if got["code"] != want["code"] {
				t.Errorf("%s: code %v, Notion answered %v", x.Name(), got["code"], want["code"])
			}
			continue
		}
		if strings.HasPrefix(x.Path, "/v1/views") {
			// The views API is the emulator's newest part: its answers are
			// checked against the SDK's types too, not only their status.
			if r, ok := contract.Endpoint(x.Method, x.Path); ok {
				if err := contract.ValidateResponse(r.ResponseSchema, raw); err != nil {
					t.Errorf("%s: answer against %s: %v\n%.300s", x.Name(), r.ResponseSchema, err, raw)
				}
			}
		}
		learnIDs(ids, x.Response, raw)
	}
	t.Logf("replayed %d recorded requests, skipped %d", replayed, skipped)
}

// learnIDs maps the ids in a recorded answer to those in the emulator's
// answer at the same place.
func learnIDs(ids map[string]string, recorded, got []byte) {
	var a, b any
	if json.NewDecoder(bytes.NewReader(recorded)).Decode(&a) != nil || json.Unmarshal(got, &b) != nil {
		return
	}
	var walk func(a, b any)
	walk = func(a, b any) {
		switch a := a.(type) {
		case map[string]any:
			bm, _ := b.(map[string]any)
			for k, v := range a {
				if s, ok := v.(string); ok && (k == "id" || k == "discussion_id" || k == "next_cursor") && uuidRE.MatchString(s) {
					if t, ok := bm[k].(string); ok {
						ids[strings.ReplaceAll(s, "-", "")] = t
					}
				}
				walk(v, bm[k])
			}
		case []any:
			bs, _ := b.([]any)
			for i, v := range a {
				if i < len(bs) {
					walk(v, bs[i])
				}
			}
		}
	}
	walk(a, b)
}
