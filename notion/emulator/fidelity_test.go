package emulator_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/contract"
	"github.com/notion-git/notion-git/notion/emulator"
)

// checked sends a request whose body must match reqSchema (when not "") and
// whose 200 answer must match respSchema, and returns the answer.
func (e *env) checked(reqSchema, respSchema, method, path string, body any) map[string]any {
	e.t.Helper()
	if reqSchema != "" {
		if err := contract.Validate(reqSchema, jsonValue(e.t, body)); err != nil {
			e.t.Fatalf("the test's own %s %s body is not a %s: %v", method, path, reqSchema, err)
		}
	}
	resp, raw := e.raw(method, path, body, apiHeaders)
	if resp.StatusCode != 200 {
		e.t.Fatalf("%s %s: %d %.400s", method, path, resp.StatusCode, raw)
	}
	if err := contract.ValidateResponse(respSchema, raw); err != nil {
		e.t.Errorf("%s %s against %s: %v\n%.600s", method, path, respSchema, err, raw)
	}
	var out map[string]any
	json.Unmarshal(raw, &out)
	return out
}

// jsonValue is v as the generic JSON a schema validates.
func jsonValue(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	json.Unmarshal(b, &out)
	return out
}

func textRT(s string) []any { return []any{map[string]any{"text": map[string]any{"content": s}}} }

func titleProps(s string) map[string]any {
	return map[string]any{"title": map[string]any{"title": textRT(s)}}
}

// TestTestFixturesHoldDashedIDs keeps the workspaces these tests build to
// the rule hand-written fixtures are held to.
func TestTestFixturesHoldDashedIDs(t *testing.T) {
	if err := withDataSource(smallWorkspace(), 3, 2).CheckIDs(); err != nil {
		t.Fatal(err)
	}
}

// TestCommentDisplayName: a comment keeps the display_name it was created
// with, in the answer to the create and in every listing after.
func TestCommentDisplayName(t *testing.T) {
	contract.Require(t)
	f := smallWorkspace()
	f.Bot = map[string]any{"object": "user", "id": "99999999-9999-4999-8999-999999999999", "name": "Backup bot",
		"avatar_url": nil, "type": "bot", "bot": map[string]any{"owner": map[string]any{"type": "workspace", "workspace": true}}}
	e := start(t, f, emulator.Options{})
	cases := []struct {
		name        string
		displayName any
		want        map[string]any
	}{
		{"absent", nil, map[string]any{"type": "integration", "resolved_name": "Backup bot"}},
		{"integration", map[string]any{"type": "integration"}, map[string]any{"type": "integration", "resolved_name": "Backup bot"}},
		{"custom", map[string]any{"type": "custom", "custom": map[string]any{"name": "Grace Hopper"}},
			map[string]any{"type": "custom", "resolved_name": "Grace Hopper"}},
		{"user", map[string]any{"type": "user"}, map[string]any{"type": "user", "resolved_name": "Backup bot"}},
	}
	for _, c := range cases {
		body := map[string]any{"parent": map[string]any{"page_id": rootID}, "rich_text": textRT(c.name)}
		if c.displayName != nil {
			body["display_name"] = c.displayName
		}
		cm := e.checked("CreateCommentBodyParameters", "CommentObjectResponse", "POST", "/v1/comments", body)
		if !reflect.DeepEqual(cm["display_name"], c.want) {
			t.Errorf("%s: created with display_name %v", c.name, cm["display_name"])
		}
		// A reply in the same discussion keeps its own name.
		reply := e.checked("CreateCommentBodyParameters", "CommentObjectResponse", "POST", "/v1/comments", map[string]any{
			"discussion_id": cm["discussion_id"], "rich_text": textRT("reply"),
			"display_name": map[string]any{"type": "custom", "custom": map[string]any{"name": "Reply " + c.name}}})
		if got := field(reply, "display_name", "resolved_name"); got != "Reply "+c.name {
			t.Errorf("%s: reply named %v", c.name, got)
		}
	}
	list := e.checked("", "ListCommentsResponse", "GET", "/v1/comments?block_id="+rootID, nil)
	if n := len(results(list)); n != 2*len(cases) {
		t.Fatalf("%d comments listed, want %d", n, 2*len(cases))
	}
	for i, c := range cases {
		if got := field(results(list)[2*i], "display_name"); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: listed with display_name %v", c.name, got)
		}
	}
	for _, bad := range []any{
		map[string]any{"type": "custom"},
		map[string]any{"type": "custom", "custom": map[string]any{"name": ""}},
		map[string]any{"type": "someone"},
		"Grace",
	} {
		status, out := e.do("POST", "/v1/comments", map[string]any{"parent": map[string]any{"page_id": rootID}, "rich_text": textRT("x"), "display_name": bad})
		wantError(t, status, out, 400, "validation_error")
	}
}

// TestCommentAttachments: a comment created with uploaded files holds them,
// signed on every read, and an upload attaches once.
func TestCommentAttachments(t *testing.T) {
	contract.Require(t)
	e := start(t, smallWorkspace(), emulator.Options{})
	up := e.must("POST", "/v1/file_uploads", map[string]any{"filename": "chart.png", "content_type": "image/png"})
	id := up["id"].(string)
	if status, out := e.send(id, 0, []byte("\x89PNG chart")); status != 200 {
		t.Fatalf("send: %d %v", status, out)
	}
	body := map[string]any{"parent": map[string]any{"page_id": rootID}, "rich_text": textRT("see chart"),
		"attachments": []any{map[string]any{"type": "file_upload", "file_upload_id": id}}}
	cm := e.checked("CreateCommentBodyParameters", "CommentObjectResponse", "POST", "/v1/comments", body)
	atts, _ := cm["attachments"].([]any)
	if len(atts) != 1 || field(atts[0], "category") != "image" {
		t.Fatalf("attachments %v", cm["attachments"])
	}
	list := e.checked("", "ListCommentsResponse", "GET", "/v1/comments?block_id="+rootID, nil)
	url, _ := field(results(list)[0].(map[string]any)["attachments"].([]any)[0], "file", "url").(string)
	if !strings.HasPrefix(url, e.http.URL) {
		t.Fatalf("attachment url %q is not a signed url of the server", url)
	}
	if got := string(e.fetch(url)); got != "\x89PNG chart" {
		t.Fatalf("attachment bytes %q", got)
	}
	status, out := e.do("POST", "/v1/comments", body)
	wantError(t, status, out, 400, "validation_error") // already attached
}

// TestMentionsReadAsNotionRendersThem writes mentions of every kind the API
// creates, in blocks, titles, rich_text properties, database titles and
// comments, and checks the text and href Notion would give them, including
// after the mentioned page is renamed.
func TestMentionsReadAsNotionRendersThem(t *testing.T) {
	contract.Require(t)
	f := withDataSource(smallWorkspace(), 1, 0)
	f.Users = append(f.Users, map[string]any{"object": "user", "id": authorID, "name": "Ada Lovelace", "avatar_url": nil,
		"type": "person", "person": map[string]any{"email": "ada@example.com"}})
	f.DataSources[0]["properties"].(map[string]any)["Notes"] = map[string]any{"id": "nts", "name": "Notes", "description": nil, "type": "rich_text", "rich_text": map[string]any{}}
	e := start(t, f, emulator.Options{})
	target := e.checked("CreatePageBodyParameters", "PageObjectResponse", "POST", "/v1/pages",
		map[string]any{"parent": map[string]any{"page_id": rootID}, "properties": titleProps("Roadmap 2026")})
	tid := target["id"].(string)
	untitled := e.checked("CreatePageBodyParameters", "PageObjectResponse", "POST", "/v1/pages",
		map[string]any{"parent": map[string]any{"page_id": rootID}, "properties": titleProps("")})
	uid := untitled["id"].(string)
	mention := func(m map[string]any) map[string]any { return map[string]any{"type": "mention", "mention": m} }
	undashed := strings.ReplaceAll(tid, "-", "")
	rt := []any{
		mention(map[string]any{"type": "page", "page": map[string]any{"id": undashed}}),
		mention(map[string]any{"type": "page", "page": map[string]any{"id": uid}}),
		mention(map[string]any{"type": "page", "page": map[string]any{"id": hiddenID}}),
		mention(map[string]any{"type": "database", "database": map[string]any{"id": dbID}}),
		mention(map[string]any{"type": "user", "user": map[string]any{"id": authorID}}),
		mention(map[string]any{"type": "date", "date": map[string]any{"start": "2026-03-11"}}),
		mention(map[string]any{"type": "date", "date": map[string]any{"start": "2026-03-11", "end": "2026-03-13"}}),
		mention(map[string]any{"type": "template_mention", "template_mention": map[string]any{"type": "template_mention_date", "template_mention_date": "today"}}),
	}
	id32 := func(id string) string { return "https://www.notion.so/" + strings.ReplaceAll(id, "-", "") }
	type want struct {
		text string
		href any
	}
	wants := func(title string) []want {
		return []want{
			{title, id32(tid)}, {"Untitled", id32(uid)}, {"Untitled", id32(hiddenID)}, {"Untitled", id32(dbID)},
			{"@Ada Lovelace", nil}, {"2026-03-11", nil}, {"2026-03-11 → 2026-03-13", nil}, {"@Today", nil},
		}
	}
	check := func(where string, got any, w []want) {
		t.Helper()
		items, _ := got.([]any)
		if len(items) != len(w) {
			t.Fatalf("%s: %d items, want %d: %v", where, len(items), len(w), got)
		}
		for i, it := range items {
			m := it.(map[string]any)
			if m["plain_text"] != w[i].text || m["href"] != w[i].href {
				t.Errorf("%s[%d]: plain_text %q href %v, want %q %v", where, i, m["plain_text"], m["href"], w[i].text, w[i].href)
			}
		}
		if id := field(items[0], "mention", "page", "id"); id != tid {
			t.Errorf("%s: page mention id served as %v, want %s", where, id, tid)
		}
	}
	kids := e.checked("AppendBlockChildrenBodyParameters", "AppendBlockChildrenResponse", "PATCH", "/v1/blocks/"+rootID+"/children",
		map[string]any{"children": []any{map[string]any{"paragraph": map[string]any{"rich_text": rt}}}})
	bid := field(results(kids)[0], "id").(string)
	check("appended paragraph", field(results(kids)[0], "paragraph", "rich_text"), wants("Roadmap 2026"))
	page := e.checked("CreatePageBodyParameters", "PageObjectResponse", "POST", "/v1/pages",
		map[string]any{"parent": map[string]any{"page_id": rootID}, "properties": map[string]any{"title": map[string]any{"title": rt}}})
	row := e.checked("CreatePageBodyParameters", "PageObjectResponse", "POST", "/v1/pages",
		map[string]any{"parent": map[string]any{"data_source_id": dsID}, "properties": map[string]any{
			"Name": map[string]any{"title": textRT("row")}, "Notes": map[string]any{"rich_text": rt}}})
	cm := e.checked("CreateCommentBodyParameters", "CommentObjectResponse", "POST", "/v1/comments",
		map[string]any{"parent": map[string]any{"page_id": rootID}, "rich_text": rt})
	check("created comment", cm["rich_text"], wants("Roadmap 2026"))
	e.checked("UpdateDatabaseBodyParameters", "DatabaseObjectResponse", "PATCH", "/v1/databases/"+dbID, map[string]any{"description": rt})

	// Renaming the mentioned page renames every mention of it.
	e.checked("UpdatePageBodyParameters", "PageObjectResponse", "PATCH", "/v1/pages/"+tid, map[string]any{"properties": titleProps("Roadmap 2027")})
	now := wants("Roadmap 2027")
	check("block", field(e.checked("", "BlockObjectResponse", "GET", "/v1/blocks/"+bid, nil), "paragraph", "rich_text"), now)
	check("title", field(e.checked("", "PageObjectResponse", "GET", "/v1/pages/"+page["id"].(string), nil), "properties", "title", "title"), now)
	check("rich_text property", field(e.checked("", "PageObjectResponse", "GET", "/v1/pages/"+row["id"].(string), nil), "properties", "Notes", "rich_text"), now)
	items := e.checked("", "PropertyItemListResponse", "GET", "/v1/pages/"+row["id"].(string)+"/properties/nts", nil)
	var viaItems []any
	for _, it := range results(items) {
		viaItems = append(viaItems, field(it, "rich_text"))
	}
	check("property items", viaItems, now)
	check("comment", field(results(e.checked("", "ListCommentsResponse", "GET", "/v1/comments?block_id="+rootID, nil))[0], "rich_text"), now)
	check("database description", e.checked("", "DatabaseObjectResponse", "GET", "/v1/databases/"+dbID, nil)["description"], now)
	// The page whose title holds the mentions shows it as a child page.
	children := e.checked("", "ListBlockChildrenResponse", "GET", "/v1/blocks/"+rootID+"/children", nil)
	found := false
	for _, b := range results(children) {
		if field(b, "id") == page["id"] {
			found = true
			if got := field(b, "child_page", "title"); !strings.HasPrefix(got.(string), "Roadmap 2027UntitledUntitledUntitled@Ada Lovelace") {
				t.Errorf("child_page title %q", got)
			}
		}
	}
	if !found {
		t.Error("the page titled with mentions is not among the root's children")
	}
}

// TestRecordedDateMention replays the recorded date mention and expects the
// rich text Notion answered, field for field.
func TestRecordedDateMention(t *testing.T) {
	contract.Require(t)
	xs, err := contract.Recordings()
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, smallWorkspace(), emulator.Options{})
	n := 0
	for _, x := range xs {
		if x.Cassette != "test_is_mention_rich_text_item_response" || x.Method != "PATCH" {
			continue
		}
		n++
		var body any
		json.Unmarshal(x.Request, &body)
		got := e.must("PATCH", "/v1/blocks/"+rootID+"/children", body)
		var rec map[string]any
		json.Unmarshal(x.Response, &rec)
		want := field(results(rec)[0], "paragraph", "rich_text")
		if have := field(results(got)[0], "paragraph", "rich_text"); !reflect.DeepEqual(jsonValue(t, have), jsonValue(t, want)) {
			t.Errorf("%s: rich text\n%v\nNotion answered\n%v", x.Name(), have, want)
		}
	}
	if n == 0 {
		t.Fatal("no recorded mention to replay")
	}
}

// TestMentionsTheAPICannotWrite: link previews and link mentions are not in
// the SDK's request type, and a mention must name what it mentions.
func TestMentionsTheAPICannotWrite(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	for _, m := range []map[string]any{
		{"type": "link_preview", "link_preview": map[string]any{"url": "https://example.com/a"}},
		{"type": "link_mention", "link_mention": map[string]any{"href": "https://example.com/a"}},
		{"type": "page", "page": map[string]any{}},
		{"type": "date", "date": map[string]any{"end": "2026-01-01"}},
		{"type": "page"},
	} {
		status, out := e.do("PATCH", "/v1/blocks/"+rootID+"/children", map[string]any{"children": []any{
			map[string]any{"paragraph": map[string]any{"rich_text": []any{map[string]any{"type": "mention", "mention": m}}}}}})
		wantError(t, status, out, 400, "validation_error")
		if !strings.Contains(str(out["message"]), "body.children[0].paragraph.rich_text[0].mention") {
			t.Errorf("%v: message %q does not name the mention", m, out["message"])
		}
	}
}

func str(v any) string { s, _ := v.(string); return s }
