package emulator_test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/contract"
	"github.com/notion-git/notion-git/notion/emulator"
)

var inTrashHeaders = map[string]string{"Authorization": "Bearer " + emulator.DefaultToken, "Notion-Version": emulator.APIVersionInTrash}

const transcriptionID = "77777777-7777-4777-8777-777777777777"

// withTranscription adds to the root page a block stored under the older
// name of meeting notes.
func withTranscription(f *emulator.Fixture) *emulator.Fixture {
	b := maps.Clone(f.Blocks[0])
	b["id"], b["type"] = transcriptionID, "transcription"
	delete(b, "paragraph")
	b["transcription"] = map[string]any{"title": []any{}, "status": "notes_ready",
		"children": map[string]any{}}
	f.Blocks = append(f.Blocks, b)
	return f
}

// archivedKeys lists the paths of every `archived` key anywhere in v.
func archivedKeys(v any, path string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k == "archived" {
				out = append(out, path+"/archived")
			}
			out = append(out, archivedKeys(x, path+"/"+k)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, archivedKeys(x, path+"/[]")...)
		}
	}
	return out
}

// asOlder maps a 2026-03-11 object back to the 2025-09-03 form the SDK
// 5.26 schemas describe (they require the deprecated `archived`): archived
// mirrors in_trash. Nothing else is added, so everything else about the
// answer is checked against the SDK's types.
func asOlder(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if t, ok := m["in_trash"]; ok {
		m["archived"] = t
	}
	if rs, ok := m["results"].([]any); ok {
		for _, r := range rs {
			asOlder(r)
		}
	}
	return m
}

// TestVersionInTrashAnswers checks the answers of 2026-03-11. No SDK schema
// for that version exists (the contract is SDK 5.26's, whose types carry
// both fields and require `archived`), so the check is derived: no
// `archived` key anywhere, `in_trash` on every object, a transcription
// block named meeting_notes, and the answer, with `archived` put back as a
// copy of `in_trash`, valid against the SDK schema of the same endpoint.
// The same requests under 2025-09-03 validate as they are.
func TestVersionInTrashAnswers(t *testing.T) {
	contract.Require(t)
	for _, v := range emulator.Versions {
		t.Run(v, func(t *testing.T) {
			e := start(t, withTranscription(withDataSource(smallWorkspace(), 3, 2)), emulator.Options{})
			headers := map[string]string{"Authorization": "Bearer " + emulator.DefaultToken, "Notion-Version": v}
			newer := v == emulator.APIVersionInTrash
			check := func(schema, method, path string, body any) map[string]any {
				t.Helper()
				resp, raw := e.raw(method, path, body, headers)
				var out map[string]any
				if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != 200 {
					t.Fatalf("%s %s: %d %.300s", method, path, resp.StatusCode, raw)
				}
				if newer {
					if ks := archivedKeys(out, ""); len(ks) > 0 {
						t.Errorf("%s %s: archived at %v", method, path, ks)
					}
					objs := []any{out}
					if out["object"] == "list" {
						objs = results(out)
					}
					for _, o := range objs {
						if _, ok := o.(map[string]any)["in_trash"]; !ok && field(o, "object") != "user" && field(o, "object") != "comment" {
							t.Errorf("%s %s: %v %v has no in_trash", method, path, field(o, "object"), field(o, "id"))
						}
					}
				}
				var doc any
				json.Unmarshal(raw, &doc)
				if newer {
					doc = asOlder(doc)
				}
				delete(doc.(map[string]any), "request_id")
				if err := contract.Validate(schema, doc); err != nil {
					t.Errorf("%s %s against %s: %v\n%.400s", method, path, schema, err, raw)
				}
				return out
			}
			page := check("PageObjectResponse", "POST", "/v1/pages", map[string]any{"parent": map[string]any{"page_id": rootID},
				"properties": map[string]any{"title": map[string]any{"title": []any{map[string]any{"text": map[string]any{"content": "New"}}}}}})
			id := page["id"].(string)
			check("PageObjectResponse", "GET", "/v1/pages/"+id, nil)
			kids := check("ListBlockChildrenResponse", "GET", "/v1/blocks/"+rootID+"/children", nil)
			var types []string
			for _, k := range results(kids) {
				types = append(types, field(k, "type").(string))
			}
			wantType := "transcription"
			if newer {
				wantType = "meeting_notes"
			}
			if !slices.Contains(types, wantType) || slices.Contains(types, map[bool]string{true: "transcription", false: "meeting_notes"}[newer]) {
				t.Errorf("root children types %v, want %s", types, wantType)
			}
			tb := check("BlockObjectResponse", "GET", "/v1/blocks/"+transcriptionID, nil)
			if tb["type"] != wantType || tb[wantType] == nil {
				t.Errorf("transcription block reads %v", tb)
			}
			app := check("AppendBlockChildrenResponse", "PATCH", "/v1/blocks/"+id+"/children", map[string]any{"children": []any{para("a"), para("b")}})
			bid := field(results(app)[0], "id").(string)
			check("BlockObjectResponse", "PATCH", "/v1/blocks/"+bid, map[string]any{"paragraph": map[string]any{"rich_text": []any{}}})
			del := check("BlockObjectResponse", "DELETE", "/v1/blocks/"+bid, nil)
			if del["in_trash"] != true {
				t.Errorf("deleted block reads in_trash %v", del["in_trash"])
			}
			trashed := check("PageObjectResponse", "PATCH", "/v1/pages/"+id, map[string]any{"in_trash": true})
			if trashed["in_trash"] != true {
				t.Errorf("trashed page reads in_trash %v", trashed["in_trash"])
			}
			check("PageObjectResponse", "PATCH", "/v1/pages/"+id, map[string]any{"in_trash": false})
			check("SearchResponse", "POST", "/v1/search", map[string]any{})
			check("DatabaseObjectResponse", "GET", "/v1/databases/"+dbID, nil)
			check("DataSourceObjectResponse", "GET", "/v1/data_sources/"+dsID, nil)
			check("QueryDataSourceResponse", "POST", "/v1/data_sources/"+dsID+"/query", map[string]any{})
			check("FileUploadObjectResponse", "POST", "/v1/file_uploads", map[string]any{"filename": "a.txt"})
		})
	}
}

// TestVersionRequests checks what each version accepts: `after` and
// `archived` only under 2025-09-03, `position` under both, and no other
// version at all.
func TestVersionRequests(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	older := map[string]string{"Authorization": "Bearer " + emulator.DefaultToken, "Notion-Version": emulator.APIVersion}
	first := "33333333-3333-4333-8333-333333333333"
	path := "/v1/blocks/" + rootID + "/children"

	status, out := e.doWith("PATCH", path, map[string]any{"children": []any{para("x")}, "after": first}, inTrashHeaders)
	wantError(t, status, out, 400, "validation_error")
	status, out = e.doWith("PATCH", "/v1/pages/"+rootID, map[string]any{"archived": false}, inTrashHeaders)
	wantError(t, status, out, 400, "validation_error")
	status, out = e.doWith("PATCH", "/v1/blocks/"+first, map[string]any{"archived": false}, inTrashHeaders)
	wantError(t, status, out, 400, "validation_error")
	for _, bad := range []any{"start", map[string]any{"type": "middle"}, map[string]any{"type": "after_block"},
		map[string]any{"type": "start", "after_block": map[string]any{"id": first}},
		map[string]any{"type": "after_block", "after_block": map[string]any{"id": hiddenID}}} {
		status, out = e.doWith("PATCH", path, map[string]any{"children": []any{para("x")}, "position": bad}, inTrashHeaders)
		wantError(t, status, out, 400, "validation_error")
	}
	status, out = e.doWith("PATCH", path, map[string]any{"children": []any{para("x")}, "after": first,
		"position": map[string]any{"type": "start"}}, older)
	wantError(t, status, out, 400, "validation_error")
	for _, v := range []string{"2022-06-28", "2026-03-12", "latest"} {
		status, out = e.doWith("GET", "/v1/users/me", nil, map[string]string{"Authorization": "Bearer " + emulator.DefaultToken, "Notion-Version": v})
		wantError(t, status, out, 400, "validation_error")
		if !strings.Contains(out["message"].(string), v) {
			t.Errorf("version %s refused with %q", v, out["message"])
		}
	}

	// Placement: start, after a block, end; and `after` under 2025-09-03.
	texts := func() string {
		_, out := e.doWith("GET", path, nil, older)
		var s []string
		for _, k := range results(out) {
			rt, _ := field(k, "paragraph", "rich_text").([]any)
			if len(rt) == 0 {
				s = append(s, "_")
				continue
			}
			s = append(s, field(rt[0], "plain_text").(string))
		}
		return strings.Join(s, " ")
	}
	appendAt := func(headers map[string]string, text string, at map[string]any) string {
		body := map[string]any{"children": []any{para(text)}}
		maps.Copy(body, at)
		status, out := e.doWith("PATCH", path, body, headers)
		if status != 200 {
			t.Fatalf("append %s %v: %d %v", text, at, status, out)
		}
		return field(results(out)[0], "id").(string)
	}
	s := appendAt(inTrashHeaders, "s", map[string]any{"position": map[string]any{"type": "start"}})
	appendAt(inTrashHeaders, "e", map[string]any{"position": map[string]any{"type": "end"}})
	appendAt(inTrashHeaders, "a", map[string]any{"position": map[string]any{"type": "after_block", "after_block": map[string]any{"id": strings.ReplaceAll(s, "-", "")}}})
	appendAt(older, "o", map[string]any{"after": s})
	appendAt(older, "p", map[string]any{"position": map[string]any{"type": "start"}})
	if got, want := texts(), "p s o a _ e"; got != want {
		t.Errorf("order %q, want %q", got, want)
	}
	for _, h := range []map[string]string{older, inTrashHeaders} {
		status, out = e.doWith("PATCH", "/v1/pages/"+rootID, map[string]any{"in_trash": false}, h)
		if status != 200 {
			t.Errorf("in_trash under %s: %d %v", h["Notion-Version"], status, out)
		}
	}
}

// FuzzAppendPosition sends arbitrary placements under either version: the
// emulator answers 200 or 400 validation_error, never anything else, and an
// accepted append adds exactly its one block, where the placement says.
func FuzzAppendPosition(f *testing.F) {
	for _, s := range []string{`{"type":"start"}`, `{"type":"end"}`, `{"type":"after_block","after_block":{"id":"33333333-3333-4333-8333-333333333333"}}`,
		`{"type":"after_block","after_block":{"id":"333333333333433383333333333333333"}}`, `{"type":"after_block"}`, `"start"`, `null`, `[]`, `{"type":1}`} {
		f.Add(s, false, "")
		f.Add(s, true, "33333333-3333-4333-8333-333333333333")
	}
	f.Fuzz(func(t *testing.T, position string, newer bool, after string) {
		var pos any
		if json.Unmarshal([]byte(position), &pos) != nil {
			return
		}
		e := start(t, smallWorkspace(), emulator.Options{})
		headers := map[string]string{"Authorization": "Bearer " + emulator.DefaultToken, "Notion-Version": emulator.APIVersion}
		if newer {
			headers["Notion-Version"] = emulator.APIVersionInTrash
		}
		body := map[string]any{"children": []any{para("new")}, "position": pos}
		if after != "" {
			body["after"] = after
		}
		path := "/v1/blocks/" + rootID + "/children"
		status, out := e.doWith("PATCH", path, body, headers)
		if status != 200 {
			wantError(t, status, out, 400, "validation_error")
			return
		}
		nu := field(results(out)[0], "id").(string)
		_, list := e.doWith("GET", path, nil, headers)
		var ids []string
		for _, k := range results(list) {
			ids = append(ids, field(k, "id").(string))
		}
		at := slices.Index(ids, nu)
		if len(ids) != 2 || at < 0 {
			t.Fatalf("children %v after appending %s", ids, nu)
		}
		if m, _ := pos.(map[string]any); m["type"] == "start" && at != 0 {
			t.Errorf("position start put the block at %d", at)
		}
	})
}
