package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"

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
func (r *restorer) upload(ctx context.Context, info layout.FileInfo, name string) (string, error) {
	if r.opts.Files == nil {
		return "", nil
	}
	data, err := r.opts.Files.Read(layout.FilePath(info.SHA256))
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
	req := map[string]any{"mode": "single_part", "filename": name, "content_type": ctype}
	parts := 1
	if len(data) > maxSinglePart {
		parts = (len(data) + partSize - 1) / partSize
		req["mode"], req["number_of_parts"] = "multi_part", parts
	}
	raw, err := r.client.Post(ctx, "file_uploads", req)
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", name, err)
	}
	var up struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &up); err != nil || up.ID == "" {
		return "", fmt.Errorf("upload %s: no id in the answer", name)
	}
	for p := 0; p < parts; p++ {
		chunk := data[p*partSize : min(len(data), (p+1)*partSize)]
		fields := map[string]string{}
		if parts > 1 {
			fields["part_number"] = strconv.Itoa(p + 1)
		} else {
			chunk = data
		}
		_, err := r.client.DoMultipart(notion.WithoutBlindRetry(ctx), "file_uploads/"+up.ID+"/send", fields, name, ctype, chunk)
		if notion.MaybeApplied(err) {
			// A single part's bytes that arrived make the upload "uploaded"
			// and a second send is refused; parts of a multi-part upload
			// are sent again by number.
			var done bool
			if parts == 1 {
				done, err = r.uploaded(ctx, up.ID)
			}
			if err == nil && !done {
				_, err = r.client.DoMultipart(ctx, "file_uploads/"+up.ID+"/send", fields, name, ctype, chunk)
			}
		}
		if err != nil {
			return "", fmt.Errorf("upload %s: %w", name, err)
		}
	}
	if parts > 1 {
		_, err := r.client.Post(notion.WithoutBlindRetry(ctx), "file_uploads/"+up.ID+"/complete", map[string]any{})
		if notion.MaybeApplied(err) {
			var done bool
			if done, err = r.uploaded(ctx, up.ID); err == nil && !done {
				_, err = r.client.Post(ctx, "file_uploads/"+up.ID+"/complete", map[string]any{})
			}
		}
		if err != nil {
			return "", fmt.Errorf("upload %s: %w", name, err)
		}
	}
	r.mu.Lock()
	r.rep.Uploads++
	r.rep.UploadBytes += int64(len(data))
	r.mu.Unlock()
	return up.ID, nil
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
