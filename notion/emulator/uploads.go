package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// File Upload API limits.
const (
	maxSinglePart = 20 << 20 // bytes in a single-part upload
	minPart       = 5 << 20  // smallest part of a multi-part upload, except the last
	maxPart       = 20 << 20
	maxParts      = 1000
)

// upload is a File Upload object and the bytes it has received.
type upload struct {
	obj      map[string]any
	parts    map[int][]byte
	attached bool
}

func (s *Server) createUpload(c *call) (any, error) {
	mode := str(c.body["mode"])
	if mode == "" {
		mode = "single_part"
	}
	id := s.NewID()
	now := s.now()
	o := map[string]any{
		"object": "file_upload", "id": id, "created_time": notionTime(now), "last_edited_time": notionTime(now),
		"created_by":  map[string]any{"id": s.st.bot["id"], "type": "bot"},
		"expiry_time": notionTime(now.Add(time.Hour)), "in_trash": false, "archived": false,
		"status": "pending", "filename": c.body["filename"], "content_type": c.body["content_type"],
		"content_length": nil,
	}
	switch mode {
	case "single_part":
		o["upload_url"] = c.base + "/v1/file_uploads/" + id + "/send"
	case "multi_part":
		n, _ := c.body["number_of_parts"].(json.Number)
		parts, err := n.Int64()
		if err != nil || parts < 1 || parts > maxParts {
			return nil, errBody("body.number_of_parts should be between 1 and %d, instead was `%v`.", maxParts, c.body["number_of_parts"])
		}
		if str(c.body["filename"]) == "" {
			return nil, errBody("body.filename should be defined for multi_part uploads, instead was `undefined`.")
		}
		o["number_of_parts"] = map[string]any{"total": parts, "sent": 0}
		o["upload_url"] = c.base + "/v1/file_uploads/" + id + "/send"
		o["complete_url"] = c.base + "/v1/file_uploads/" + id + "/complete"
	case "external_url":
		if str(c.body["external_url"]) == "" {
			return nil, errBody("body.external_url should be defined, instead was `undefined`.")
		}
		// There is no network to import from: the import succeeds empty.
		o["status"] = "uploaded"
		o["content_length"] = 0
		o["file_import_result"] = map[string]any{"imported_time": notionTime(now), "type": "success", "success": map[string]any{}}
		if o["filename"] == nil {
			o["filename"] = "imported"
		}
		s.st.addFile(uploadFileName(o), nil)
	default:
		return nil, errBody("body.mode should be `single_part`, `multi_part` or `external_url`, instead was `%q`.", mode)
	}
	o["mode"] = mode
	s.st.uploads[id] = &upload{obj: o, parts: map[int][]byte{}}
	s.st.upOrder = append(s.st.upOrder, id)
	return renderUpload(o), nil
}

// renderUpload leaves out the emulator's own bookkeeping.
func renderUpload(o map[string]any) map[string]any {
	out := copyMap(o)
	delete(out, "mode")
	if out["status"] != "pending" {
		delete(out, "upload_url")
		delete(out, "complete_url")
	}
	return out
}

func uploadFileName(o map[string]any) string {
	name := str(o["filename"])
	if name == "" {
		name = "file"
	}
	return "uploads/" + str(o["id"]) + "/" + name
}

func (s *Server) upload(id string) (*upload, error) {
	u := s.st.uploads[id]
	if u == nil {
		return nil, errNotFound(id)
	}
	return u, nil
}

func (s *Server) getUpload(c *call) (any, error) {
	u, err := s.upload(c.id("id"))
	if err != nil {
		return nil, err
	}
	return renderUpload(u.obj), nil
}

func (s *Server) listUploads(c *call) (any, error) {
	status := c.r.URL.Query().Get("status")
	var ids []string
	for _, id := range s.st.upOrder {
		if status == "" || str(s.st.uploads[id].obj["status"]) == status {
			ids = append(ids, id)
		}
	}
	start, end, next, more, err := window(c, len(ids))
	if err != nil {
		return nil, err
	}
	results := make([]any, 0, end-start)
	for _, id := range ids[start:end] {
		results = append(results, renderUpload(s.st.uploads[id].obj))
	}
	return list("file_upload", results, next, more), nil
}

// sendUpload receives the file, or one part of it, as multipart form data.
// serveAPI has parsed the form before taking the store lock.
func (s *Server) sendUpload(c *call) (any, error) {
	u, err := s.upload(c.id("id"))
	if err != nil {
		return nil, err
	}
	if str(u.obj["status"]) != "pending" {
		return nil, errValidation("File upload is not pending; its status is %s.", str(u.obj["status"]))
	}
	if c.formErr != nil {
		var tooBig *http.MaxBytesError
		if errors.As(c.formErr, &tooBig) {
			return nil, errValidation("The file is larger than %d bytes.", maxPart)
		}
		return nil, errBody("the request should be multipart/form-data with a field `file`.")
	}
	f, _, err := c.r.FormFile("file")
	if err != nil {
		return nil, errBody("the multipart form field `file` should be defined.")
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, errValidation("The file could not be read: %v.", err)
	}
	if str(u.obj["mode"]) == "single_part" {
		if len(data) > maxSinglePart {
			return nil, errValidation("The file is %d bytes; a single-part upload is at most %d bytes.", len(data), maxSinglePart)
		}
		s.finishUpload(u, data)
		return renderUpload(u.obj), nil
	}
	np := u.obj["number_of_parts"].(map[string]any)
	total := np["total"].(int64)
	n, err := strconv.Atoi(c.r.FormValue("part_number"))
	if err != nil || n < 1 || int64(n) > total {
		return nil, errBody("part_number should be between 1 and %d, instead was `%s`.", total, c.r.FormValue("part_number"))
	}
	if len(data) > maxPart || int64(n) < total && len(data) < minPart {
		return nil, errValidation("Part %d is %d bytes; parts other than the last must be %d to %d bytes.", n, len(data), minPart, maxPart)
	}
	u.parts[n] = data
	np["sent"] = int64(len(u.parts))
	u.obj["last_edited_time"] = notionTime(s.now())
	return renderUpload(u.obj), nil
}

func (s *Server) completeUpload(c *call) (any, error) {
	u, err := s.upload(c.id("id"))
	if err != nil {
		return nil, err
	}
	if str(u.obj["mode"]) != "multi_part" || str(u.obj["status"]) != "pending" {
		return nil, errValidation("Only a pending multi_part upload can be completed.")
	}
	total := u.obj["number_of_parts"].(map[string]any)["total"].(int64)
	var all bytes.Buffer
	for i := 1; int64(i) <= total; i++ {
		part, ok := u.parts[i]
		if !ok {
			return nil, errValidation("Part %d of %d has not been sent.", i, total)
		}
		all.Write(part)
	}
	s.finishUpload(u, all.Bytes())
	return renderUpload(u.obj), nil
}

func (s *Server) finishUpload(u *upload, data []byte) {
	u.obj["status"] = "uploaded"
	u.obj["content_length"] = len(data)
	u.obj["last_edited_time"] = notionTime(s.now())
	u.parts = nil
	s.st.addFile(uploadFileName(u.obj), data)
}

// checkUpload says whether upload id can be attached now.
func (s *Server) checkUpload(id, path string) error {
	u := s.st.uploads[id]
	if u == nil {
		return errValidation("Could not find file_upload with ID: %s (%s).", id, path)
	}
	if str(u.obj["status"]) != "uploaded" {
		return errValidation("File upload %s has status %s; only an uploaded file can be attached (%s).", id, str(u.obj["status"]), path)
	}
	if u.attached {
		return errValidation("File upload %s has already been attached (%s).", id, path)
	}
	return nil
}

// uploadsOnce rejects a request that attaches the same upload twice.
func (v *blockCheck) uploadsOnce() error {
	seen := map[string]bool{}
	for _, id := range v.uploads {
		if seen[id] {
			return errValidation("File upload %s is attached more than once in the request.", id)
		}
		seen[id] = true
	}
	return nil
}

// attachUpload turns a file_upload file object into a Notion-hosted file.
func (s *Server) attachUpload(f map[string]any, id string) map[string]any {
	u := s.st.uploads[id]
	u.attached = true
	out := map[string]any{"type": "file", "file": map[string]any{"url": "fixture:" + uploadFileName(u.obj)}}
	if n, ok := f["name"]; ok {
		out["name"] = n
	}
	if caption, ok := f["caption"]; ok {
		out["caption"] = normRichText(caption)
	}
	return out
}
