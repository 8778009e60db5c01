package emulator_test

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/notion-git/notion-git/notion/emulator"
)

const (
	dbID = "44444444-4444-4444-8444-444444444444"
	dsID = "55555555-5555-4555-8555-555555555555"
)

// withDataSource adds a database under the root page with a title and a
// relation property, and n rows created one minute apart.
func withDataSource(f *emulator.Fixture, n int, relations int) *emulator.Fixture {
	common := func(m map[string]any) map[string]any {
		for k, v := range map[string]any{"created_time": "2024-01-01T00:00:00.000Z", "last_edited_time": "2024-01-01T00:00:00.000Z",
			"in_trash": false, "archived": false, "icon": nil, "cover": nil, "url": "https://www.notion.so/x", "public_url": nil,
			"is_inline": false, "is_locked": false, "title": []any{}, "description": []any{},
			"created_by": map[string]any{"object": "user", "id": authorID}, "last_edited_by": map[string]any{"object": "user", "id": authorID}} {
			m[k] = v
		}
		return m
	}
	db := common(map[string]any{"object": "database", "id": dbID,
		"parent": map[string]any{"type": "page_id", "page_id": rootID}, "data_sources": []any{map[string]any{"id": dsID, "name": "Rows"}}})
	delete(db, "created_by")
	delete(db, "last_edited_by")
	f.Databases = append(f.Databases, db)
	ds := common(map[string]any{"object": "data_source", "id": dsID,
		"parent": map[string]any{"type": "database_id", "database_id": dbID}, "database_parent": map[string]any{"type": "page_id", "page_id": rootID},
		"properties": map[string]any{
			"Name": map[string]any{"id": "title", "name": "Name", "description": nil, "type": "title", "title": map[string]any{}},
			"Links": map[string]any{"id": "rel1", "name": "Links", "description": nil, "type": "relation", "relation": map[string]any{
				"data_source_id": dsID, "database_id": dbID, "type": "single_property", "single_property": map[string]any{}}},
		}})
	delete(ds, "is_locked")
	f.DataSources = append(f.DataSources, ds)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		ts := base.Add(time.Duration(i) * time.Minute).Format("2006-01-02T15:04:05.000Z")
		var rel []any
		if i == 0 {
			for j := range relations {
				rel = append(rel, map[string]any{"id": fmt.Sprintf("00000000-0000-4000-8000-%012d", j)})
			}
		}
		f.Pages = append(f.Pages, map[string]any{"object": "page", "id": fmt.Sprintf("66666666-6666-4666-8666-%012d", i),
			"parent":       map[string]any{"type": "data_source_id", "data_source_id": dsID, "database_id": dbID},
			"created_time": ts, "last_edited_time": ts, "in_trash": false, "archived": false, "is_archived": false, "is_locked": false,
			"icon": nil, "cover": nil, "url": "https://www.notion.so/r", "public_url": nil,
			"created_by": map[string]any{"object": "user", "id": authorID}, "last_edited_by": map[string]any{"object": "user", "id": authorID},
			"properties": map[string]any{
				"Name":  map[string]any{"id": "title", "type": "title", "title": []any{}},
				"Links": map[string]any{"id": "rel1", "type": "relation", "relation": rel},
			}})
	}
	return f
}

func TestRelationBeyond25OnlyViaPropertyItems(t *testing.T) {
	e := start(t, withDataSource(smallWorkspace(), 1, 30), emulator.Options{})
	row := "66666666-6666-4666-8666-000000000000"
	page := e.must("GET", "/v1/pages/"+row, nil)
	if rel := field(page, "properties", "Links", "relation").([]any); len(rel) != 25 {
		t.Fatalf("page carries %d relations, want 25", len(rel))
	}
	first := e.must("GET", "/v1/pages/"+row+"/properties/rel1?page_size=20", nil)
	if len(results(first)) != 20 || first["has_more"] != true || first["type"] != "property_item" {
		t.Fatalf("first property item page: %d results, has_more %v", len(results(first)), first["has_more"])
	}
	second := e.must("GET", "/v1/pages/"+row+"/properties/rel1?page_size=20&start_cursor="+first["next_cursor"].(string), nil)
	items := results(second)
	if len(items) != 10 || second["has_more"] != false {
		t.Fatalf("second page: %d results, has_more %v", len(items), second["has_more"])
	}
	if id := field(items[len(items)-1], "relation", "id"); id != "00000000-0000-4000-8000-000000000029" {
		t.Fatalf("30th relation = %v", id)
	}
}

func TestQueryStopsAt10000AndSplitsByCreatedTime(t *testing.T) {
	const rows = 10050
	e := start(t, withDataSource(smallWorkspace(), rows, 0), emulator.Options{})
	seen := map[string]bool{}
	query := func(body map[string]any) map[string]any {
		var last map[string]any
		for {
			out := e.must("POST", "/v1/data_sources/"+dsID+"/query", body)
			for _, r := range results(out) {
				seen[field(r, "id").(string)] = true
			}
			last = out
			if out["has_more"] != true {
				return last
			}
			body["start_cursor"] = out["next_cursor"]
		}
	}
	last := query(map[string]any{})
	if len(seen) != 10000 || field(last, "request_status", "incomplete_reason") != "query_result_limit_reached" {
		t.Fatalf("unsplit query saw %d rows, request_status %v", len(seen), last["request_status"])
	}
	// Rows are one minute apart from 2024-01-01: split at row 5000.
	split := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(5000 * time.Minute).Format(time.RFC3339)
	seen = map[string]bool{}
	for _, cond := range []string{"before", "on_or_after"} {
		last = query(map[string]any{"filter": map[string]any{"timestamp": "created_time", "created_time": map[string]any{cond: split}}})
		if last["request_status"] != nil {
			t.Fatalf("window %s is incomplete", cond)
		}
	}
	if len(seen) != rows {
		t.Fatalf("split queries saw %d rows, want %d", len(seen), rows)
	}
}

func TestRateLimitRetryAfter(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{Rate: 0.5, Burst: 2})
	e.must("GET", "/v1/users/me", nil)
	e.must("GET", "/v1/users/me", nil)
	resp, _ := e.raw("GET", "/v1/users/me", nil, map[string]string{"Authorization": "Bearer " + emulator.DefaultToken, "Notion-Version": emulator.APIVersion})
	if resp.StatusCode != 429 {
		t.Fatalf("third request: %d, want 429", resp.StatusCode)
	}
	if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || n != 2 {
		t.Fatalf("Retry-After %q, want 2", resp.Header.Get("Retry-After"))
	}
	e.clock.advance(2 * time.Second)
	e.must("GET", "/v1/users/me", nil)
}

func TestSignedFileURLs(t *testing.T) {
	f := smallWorkspace()
	f.Blocks[0] = map[string]any{"object": "block", "id": "77777777-7777-4777-8777-777777777777",
		"parent": map[string]any{"type": "page_id", "page_id": rootID}, "type": "image", "in_trash": false, "archived": false,
		"image": map[string]any{"type": "file", "file": map[string]any{"url": "fixture:cat photo.png"}, "caption": []any{}}}
	f.Files = map[string][]byte{"cat photo.png": []byte("meow bytes")}
	e := start(t, f, emulator.Options{})
	get := func() (string, string) {
		b := e.must("GET", "/v1/blocks/77777777-7777-4777-8777-777777777777", nil)
		return field(b, "image", "file", "url").(string), field(b, "image", "file", "expiry_time").(string)
	}
	u1, exp := get()
	u2, _ := get()
	if u1 == u2 {
		t.Fatal("two reads gave the same signed URL")
	}
	path := func(u string) string { return strings.SplitN(u, "?", 2)[0] }
	if path(u1) != path(u2) || !strings.HasSuffix(path(u1), "/cat%20photo.png") || !strings.HasPrefix(u1, e.http.URL+"/files/") {
		t.Fatalf("paths differ or are badly shaped: %s %s", u1, u2)
	}
	if exp != "2025-06-01T13:30:45.000Z" {
		t.Fatalf("expiry_time %s", exp)
	}
	for _, u := range []string{u1, u2} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "meow bytes" {
			t.Fatalf("GET file: %d %q", resp.StatusCode, body)
		}
	}
	resp, _ := http.Get(strings.Replace(u1, "sig=", "sig=0", 1))
	if resp.StatusCode != 403 {
		t.Fatalf("tampered signature: %d, want 403", resp.StatusCode)
	}
	e.clock.advance(time.Hour + time.Second)
	resp, _ = http.Get(u1)
	if resp.StatusCode != 403 {
		t.Fatalf("expired URL: %d, want 403", resp.StatusCode)
	}
}

func TestTrash(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	child := e.must("POST", "/v1/pages", map[string]any{"parent": map[string]any{"page_id": rootID},
		"properties": map[string]any{"title": []any{map[string]any{"text": map[string]any{"content": "Child"}}}},
		"children":   []any{para("inside")}})
	childID := child["id"].(string)
	blockID := field(results(e.must("GET", "/v1/blocks/"+childID+"/children", nil))[0], "id").(string)

	del := e.must("DELETE", "/v1/blocks/"+childID, nil)
	if del["in_trash"] != true || del["type"] != "child_page" {
		t.Fatalf("DELETE answered %v", del)
	}
	if p := e.must("GET", "/v1/pages/"+childID, nil); p["in_trash"] != true || p["archived"] != true {
		t.Fatal("trashed page does not read as trashed")
	}
	if b := e.must("GET", "/v1/blocks/"+blockID, nil); b["in_trash"] != true {
		t.Fatal("block of a trashed page does not read as trashed")
	}
	for _, r := range results(e.must("POST", "/v1/search", map[string]any{})) {
		if field(r, "id") == childID {
			t.Fatal("search shows a trashed page")
		}
	}
	for _, r := range results(e.must("GET", "/v1/blocks/"+rootID+"/children", nil)) {
		if field(r, "id") == childID {
			t.Fatal("trashed page is still listed among its parent's children")
		}
	}
	status, out := e.do("PATCH", "/v1/blocks/"+blockID, map[string]any{"paragraph": map[string]any{"rich_text": []any{}}})
	wantError(t, status, out, 400, "validation_error")

	if p := e.must("PATCH", "/v1/pages/"+childID, map[string]any{"archived": false}); p["in_trash"] != false {
		t.Fatal("PATCH archived:false did not restore")
	}
	if b := e.must("GET", "/v1/blocks/"+blockID, nil); b["in_trash"] != false {
		t.Fatal("restored page's block still trashed")
	}
	e.must("DELETE", "/v1/blocks/"+blockID, nil)
	if n := len(results(e.must("GET", "/v1/blocks/"+childID+"/children", nil))); n != 0 {
		t.Fatalf("trashed block still listed (%d children)", n)
	}
	if b := e.must("PATCH", "/v1/blocks/"+blockID, map[string]any{"in_trash": false}); b["in_trash"] != false {
		t.Fatal("PATCH in_trash:false did not restore the block")
	}
}

func TestBlockEditBumpsPage(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("keep=%v", keep), func(t *testing.T) {
			e := start(t, smallWorkspace(), emulator.Options{KeepPageTimeOnBlockEdit: keep})
			blockID := "33333333-3333-4333-8333-333333333333"
			e.must("PATCH", "/v1/blocks/"+blockID, map[string]any{"paragraph": map[string]any{"rich_text": []any{map[string]any{"text": map[string]any{"content": "new"}}}}})
			b := e.must("GET", "/v1/blocks/"+blockID, nil)
			if b["last_edited_time"] != "2025-06-01T12:30:00.000Z" {
				t.Fatalf("block last_edited_time %v, want the edit's minute", b["last_edited_time"])
			}
			p := e.must("GET", "/v1/pages/"+rootID, nil)
			bumped := p["last_edited_time"] == "2025-06-01T12:30:00.000Z"
			if bumped == keep {
				t.Fatalf("page last_edited_time %v with KeepPageTimeOnBlockEdit=%v", p["last_edited_time"], keep)
			}
		})
	}
}

func TestQueryRefusesATimestampConditionItCannotEvaluate(t *testing.T) {
	e := start(t, withDataSource(smallWorkspace(), 3, 0), emulator.Options{})
	status, out := e.do("POST", "/v1/data_sources/"+dsID+"/query", map[string]any{
		"filter": map[string]any{"timestamp": "created_time", "created_time": map[string]any{"past_week": map[string]any{}}}})
	wantError(t, status, out, 400, "validation_error")
	if msg, _ := out["message"].(string); !strings.Contains(msg, "past_week") {
		t.Errorf("message %q does not name the condition", msg)
	}
}
