package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator"
)

// send posts one part of an upload as multipart form data.
func (e *env) send(id string, part int, data []byte) (int, map[string]any) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if part > 0 {
		mw.WriteField("part_number", strconv.Itoa(part))
	}
	fw, _ := mw.CreateFormFile("file", "data.bin")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", e.http.URL+"/v1/file_uploads/"+id+"/send", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+emulator.DefaultToken)
	req.Header.Set("Notion-Version", emulator.APIVersion)
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (e *env) fetch(url string) []byte {
	e.t.Helper()
	resp, err := http.Get(url)
	if err != nil || resp.StatusCode != 200 {
		e.t.Fatalf("GET %s: %v %v", url, err, resp)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

func TestFileUploadSinglePartAttach(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	up := e.must("POST", "/v1/file_uploads", map[string]any{"filename": "note.txt", "content_type": "text/plain"})
	id := up["id"].(string)
	if up["status"] != "pending" {
		t.Fatalf("new upload %v", up)
	}
	attach := map[string]any{"children": []any{map[string]any{"file": map[string]any{"type": "file_upload", "file_upload": map[string]any{"id": id}}}}}
	status, out := e.do("PATCH", "/v1/blocks/"+rootID+"/children", attach)
	wantError(t, status, out, 400, "validation_error") // still pending

	if status, out := e.send(id, 0, []byte("hello upload")); status != 200 || out["status"] != "uploaded" {
		t.Fatalf("send: %d %v", status, out)
	}
	block := results(e.must("PATCH", "/v1/blocks/"+rootID+"/children", attach))[0]
	if field(block, "file", "type") != "file" {
		t.Fatalf("attached block %v", block)
	}
	if got := e.fetch(field(block, "file", "file", "url").(string)); string(got) != "hello upload" {
		t.Fatalf("file bytes %q", got)
	}
	status, out = e.do("PATCH", "/v1/blocks/"+rootID+"/children", attach)
	wantError(t, status, out, 400, "validation_error") // an upload attaches once
}

func TestFileUploadMultiPartAttachAsIcon(t *testing.T) {
	e := start(t, smallWorkspace(), emulator.Options{})
	up := e.must("POST", "/v1/file_uploads", map[string]any{"mode": "multi_part", "number_of_parts": 2, "filename": "big.bin"})
	id := up["id"].(string)
	part1 := bytes.Repeat([]byte("a"), 5<<20)
	if status, out := e.send(id, 1, part1[:1000]); status != 400 {
		t.Fatalf("a short first part was accepted: %d %v", status, out)
	}
	if status, out := e.send(id, 1, part1); status != 200 {
		t.Fatalf("part 1: %d %v", status, out)
	}
	status, out := e.do("POST", "/v1/file_uploads/"+id+"/complete", nil)
	wantError(t, status, out, 400, "validation_error") // part 2 missing
	if status, out := e.send(id, 2, []byte("tail")); status != 200 {
		t.Fatalf("part 2: %d %v", status, out)
	}
	done := e.must("POST", "/v1/file_uploads/"+id+"/complete", nil)
	if done["status"] != "uploaded" || done["content_length"] != float64(5<<20+4) {
		t.Fatalf("complete: %v", done)
	}
	page := e.must("PATCH", "/v1/pages/"+rootID, map[string]any{"icon": map[string]any{"type": "file_upload", "file_upload": map[string]any{"id": id}}})
	got := e.fetch(field(page, "icon", "file", "url").(string))
	if len(got) != 5<<20+4 || string(got[len(got)-4:]) != "tail" {
		t.Fatalf("icon bytes: %d", len(got))
	}
}
