package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// File Upload API limits (see notion-api.md).
const (
	maxSinglePart = 20 << 20 // larger files go in parts
	partSize      = 10 << 20 // within the 5–20 MiB a part may be
)

type uploadOwnerKey struct{}

// withUploadOwner names, for the uploads made under ctx, the snapshot
// object (page, block, comment, database) whose file they carry. With the
// file's pointer in that object it keys the upload in the journal, so that
// an upload created by a run that stopped is used again rather than left
// unattached beside a new one.
func withUploadOwner(ctx context.Context, old string) context.Context {
	return context.WithValue(ctx, uploadOwnerKey{}, old)
}

// upload sends the stored bytes of a Notion-hosted file through the File
// Upload API and returns the upload's id, to be attached once. Every
// attachment gets its own upload: Notion attaches an upload only once.
//
// An upload is a journal step keyed by its owner (withUploadOwner) and the
// file's pointer ptr in it: marked as started before it is created, its id
// journaled as soon as Notion answers, its bytes marked as sent. A run that
// needs it again (a resume, or a write sent again after a lost answer) uses
// that upload while Notion still holds it unexpired, sending the bytes if
// they had not arrived, instead of leaving it unattached beside a new one.
// An upload whose create answer was lost is looked for among the pending
// uploads by name and type.
func (r *restorer) upload(ctx context.Context, ptr string, info layout.FileInfo, name string) (string, error) {
	if r.opts.Files == nil {
		return "", nil
	}
	// Format 2 names the bytes with an extension, format 1 without: the
	// snapshot knows which.
	data, err := r.opts.Files.Read(r.snap.StoredFile(info.SHA256))
	if err != nil {
		return "", fmt.Errorf("read attachment %s: %w", info.SHA256, err)
	}
	if name == "" {
		name = "file"
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	if i := strings.IndexByte(ctype, ';'); i >= 0 {
		ctype = ctype[:i]
	}
	key := ""
	if owner, _ := ctx.Value(uploadOwnerKey{}).(string); owner != "" {
		key = "upload:" + owner + ptr
	}
	id, sent, err := r.reusableUpload(ctx, key, name, ctype)
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", name, err)
	}
	if sent {
		r.mu.Lock()
		r.rep.Resumed++
		r.mu.Unlock()
		return id, nil
	}
	req := map[string]any{"mode": "single_part", "filename": name, "content_type": ctype}
	parts := 1
	if len(data) > maxSinglePart {
		parts = (len(data) + partSize - 1) / partSize
		req["mode"], req["number_of_parts"] = "multi_part", parts
	}
	if id == "" {
		if id, err = r.createUpload(ctx, key, req, name, ctype); err != nil {
			return "", fmt.Errorf("upload %s: %w", name, err)
		}
	}
	for p := 0; p < parts; p++ {
		chunk := data[p*partSize : min(len(data), (p+1)*partSize)]
		fields := map[string]string{}
		if parts > 1 {
			fields["part_number"] = strconv.Itoa(p + 1)
		} else {
			chunk = data
		}
		_, err := r.client.DoMultipart(notion.WithoutBlindRetry(ctx), "file_uploads/"+id+"/send", fields, name, ctype, chunk)
		if notion.MaybeApplied(err) {
			// A single part's bytes that arrived make the upload "uploaded"
			// and a second send is refused; parts of a multi-part upload
			// are sent again by number.
			var done bool
			if parts == 1 {
				done, err = r.uploaded(ctx, id)
			}
			if err == nil && !done {
				_, err = r.client.DoMultipart(ctx, "file_uploads/"+id+"/send", fields, name, ctype, chunk)
			}
		}
		if err != nil {
			return "", fmt.Errorf("upload %s: %w", name, err)
		}
	}
	if parts > 1 {
		_, err := r.client.Post(notion.WithoutBlindRetry(ctx), "file_uploads/"+id+"/complete", map[string]any{})
		if notion.MaybeApplied(err) {
			var done bool
			if done, err = r.uploaded(ctx, id); err == nil && !done {
				_, err = r.client.Post(ctx, "file_uploads/"+id+"/complete", map[string]any{})
			}
		}
		if err != nil {
			return "", fmt.Errorf("upload %s: %w", name, err)
		}
	}
	if key != "" {
		if err := r.j.finish(key, nil); err != nil {
			return "", err
		}
		r.j.markSentNow(key)
	}
	r.mu.Lock()
	r.rep.Uploads++
	r.rep.UploadBytes += int64(len(data))
	r.mu.Unlock()
	return id, nil
}

// uploadMargin is how long before its expiry an upload is still used
// again: the write that attaches it follows within seconds, but a paced
// restore may wait a while for its turn.
const uploadMargin = 10 * time.Minute

// reusableUpload returns the upload the journal holds for key and whether
// its bytes are all in Notion already; "" when a new upload is needed.
// Within one run an upload whose bytes this run sent is used again without
// asking; one from an earlier run is read first, since it may have expired
// or been lost.
func (r *restorer) reusableUpload(ctx context.Context, key, name, ctype string) (string, bool, error) {
	if key == "" {
		return "", false, nil
	}
	id, ok := r.j.id(key)
	if !ok && r.j.pending(key) {
		// Started by a run that did not get (or keep) the answer.
		var err error
		if id, err = r.adoptUpload(ctx, key, name, ctype); err != nil || id == "" {
			return "", false, err
		}
		ok = true
	}
	if !ok || id == "" {
		return "", false, nil
	}
	if r.j.sentNow(key) {
		return id, true, nil
	}
	raw, err := r.client.Get(ctx, "file_uploads/"+id, nil)
	if notion.IsNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	var up struct {
		Status string  `json:"status"`
		Expiry *string `json:"expiry_time"`
	}
	if err := json.Unmarshal(raw, &up); err != nil {
		return "", false, fmt.Errorf("file upload %s: %w", id, err)
	}
	if up.Expiry != nil {
		exp, err := time.Parse(time.RFC3339, *up.Expiry)
		if err != nil || exp.Before(r.opts.Now().Add(uploadMargin)) {
			return "", false, nil
		}
	}
	switch up.Status {
	case "uploaded":
		r.j.markSentNow(key)
		return id, true, nil
	case "pending":
		return id, false, nil
	}
	return "", false, nil // expired or failed: Notion drops it
}

// createUpload creates a file upload as a journal step. Its answer lost,
// the upload may exist: it is looked for among the pending uploads before
// another is created.
func (r *restorer) createUpload(ctx context.Context, key string, req map[string]any, name, ctype string) (string, error) {
	if key != "" {
		if err := r.j.intend(key); err != nil {
			return "", err
		}
	}
	for lost := 0; ; lost++ {
		send := ctx
		if key != "" {
			send = notion.WithoutBlindRetry(ctx)
		}
		raw, err := r.client.Post(send, "file_uploads", req)
		if err == nil {
			var up struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(raw, &up); err != nil || up.ID == "" {
				return "", errors.New("no id in the answer")
			}
			id, _ := layout.ParseID(up.ID)
			if key != "" {
				if err := r.j.mapIDs(map[string]string{key: id}); err != nil {
					return "", err
				}
			}
			return id, nil
		}
		if !notion.MaybeApplied(err) || lost == maxLostAnswers {
			return "", err
		}
		id, aerr := r.adoptUpload(ctx, key, name, ctype)
		if aerr != nil {
			return "", fmt.Errorf("after a lost answer: %w", aerr)
		}
		if id != "" {
			return id, nil
		}
	}
}

// adoptUpload looks among the pending uploads for one named name of type
// ctype that no step of the journal holds, and records it as key's. Pending
// uploads are those whose bytes have not arrived, within the hour before
// they expire; the one a lost create made is among them.
func (r *restorer) adoptUpload(ctx context.Context, key, name, ctype string) (string, error) {
	list, err := r.list(ctx, http.MethodGet, "file_uploads", url.Values{"status": {"pending"}})
	if err != nil {
		return "", err
	}
	// Steps adopting at the same time must not take the same upload.
	r.j.adopting.Lock()
	defer r.j.adopting.Unlock()
	for _, o := range list {
		id := idOf(o)
		if id == "" || r.j.ours(id) || o["filename"] != name || o["content_type"] != ctype {
			continue
		}
		return id, r.j.mapIDs(map[string]string{key: id})
	}
	return "", nil
}

// nameFromURL is the file name in a Notion file URL (the last path segment).
func nameFromURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	name, err := url.PathUnescape(path.Base(p.Path))
	if err != nil || name == "." || name == "/" {
		return ""
	}
	return name
}

// uploaded asks, after a lost answer, whether an upload is complete; if it
// is still pending, the lost request did not happen and is sent again.
func (r *restorer) uploaded(ctx context.Context, id string) (bool, error) {
	raw, err := r.client.Get(ctx, "file_uploads/"+id, nil)
	if err != nil {
		return false, err
	}
	var up struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(raw, &up); err != nil {
		return false, err
	}
	switch up.Status {
	case "uploaded":
		return true, nil
	case "pending":
		return false, nil
	}
	return false, fmt.Errorf("file upload %s is %s after a lost answer", id, up.Status)
}
