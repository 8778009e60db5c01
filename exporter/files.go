package exporter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// fileTarget is one object of a page that can hold attachments.
type fileTarget struct {
	path  string // the object's file, for reading its previous version
	obj   layout.Object
	extra *layout.Extra
}

// storeFiles downloads the page's attachments into files/ and records their
// hashes. A file whose URL (less its signature) is the same as in the
// previous version of the same object is not downloaded again.
func (x *exporter) storeFiles(ctx context.Context, page *layout.Page) error {
	targets := []fileTarget{{layout.PagePath(page.ID), page.Object, &page.Extra}}
	for _, id := range sortedKeys(page.Blocks) {
		b := page.Blocks[id]
		targets = append(targets, fileTarget{layout.BlockPath(page.ID, id), b.Object, &b.Extra})
	}
	for _, c := range page.Comments {
		targets = append(targets, fileTarget{layout.CommentPath(page.ID, c.ID), c.Object, &c.Extra})
	}
	for _, t := range targets {
		if err := x.storeObjectFiles(ctx, t.path, t.obj, t.extra); err != nil {
			return err
		}
	}
	return nil
}

// storeObjectFiles stores the attachments of one object, whose previous
// version is the file at path.
func (x *exporter) storeObjectFiles(ctx context.Context, path string, obj layout.Object, extra *layout.Extra) error {
	refs := layout.FileRefs(obj)
	if x.opts.DownloadExternal {
		refs = append(refs, externalRefs(obj)...)
	}
	if len(refs) == 0 {
		return nil
	}
	previous := x.previousFiles(path)
	for _, ref := range refs {
		info, err := x.storeFile(ctx, obj, ref, previous)
		if err != nil {
			return err
		}
		if extra.Files == nil {
			extra.Files = map[string]layout.FileInfo{}
		}
		extra.Files[ref.Pointer] = info
		if info.SHA256 == "" {
			extra.Incomplete = append(extra.Incomplete, layout.Incomplete{What: "file " + ref.Pointer, Reason: info.Skipped})
		}
	}
	return nil
}

// storeFile stores one attachment and says what was stored.
func (x *exporter) storeFile(ctx context.Context, obj layout.Object, ref layout.FileRef, previous map[string]layout.FileInfo) (layout.FileInfo, error) {
	if old, ok := previous[stableURL(ref.URL)]; ok && (old.SHA256 == "" || x.fileStored(old.SHA256)) {
		if old.SHA256 != "" || strings.HasPrefix(old.Skipped, "larger than") {
			x.mu.Lock()
			x.report.Attachments.Reused++
			x.mu.Unlock()
			return old, nil
		}
	}
	if err := x.acquire(ctx); err != nil {
		return layout.FileInfo{}, err
	}
	data, err := x.client.Download(ctx, ref.URL, x.opts.MaxFileSize)
	x.release()
	var tooLarge *notion.TooLargeError
	switch {
	case ctx.Err() != nil:
		return layout.FileInfo{}, ctx.Err()
	case errors.As(err, &tooLarge):
		x.mu.Lock()
		x.report.Attachments.Skipped++
		x.mu.Unlock()
		return layout.FileInfo{Size: tooLarge.Size, Skipped: fmt.Sprintf("larger than --max-file-size (%d bytes)", tooLarge.Limit)}, nil
	case err != nil:
		return layout.FileInfo{}, fmt.Errorf("attachment at %s: %w", ref.Pointer, err)
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	path := x.filePathFor(sha, obj, ref, data)
	x.mu.Lock()
	x.report.Attachments.Downloaded++
	x.report.Attachments.Bytes += int64(len(data))
	fresh := !x.written[path] && !x.prev.Has(path)
	x.written[path] = true
	x.mu.Unlock()
	if fresh {
		if err := x.put(path, data); err != nil {
			return layout.FileInfo{}, &writeError{err}
		}
	}
	return layout.FileInfo{SHA256: sha, Size: int64(len(data))}, nil
}

// previousFiles maps the stable URL of each file in the previous version of
// an object file to what was stored for it.
func (x *exporter) previousFiles(path string) map[string]layout.FileInfo {
	if !x.prev.Has(path) {
		return nil
	}
	b, err := x.prev.Read(path)
	if err != nil {
		return nil
	}
	obj, err := layout.Decode(b)
	if err != nil {
		return nil
	}
	ng, _ := obj[layout.ReservedKey].(map[string]any)
	files, _ := ng["files"].(map[string]any)
	out := map[string]layout.FileInfo{}
	for ptr, v := range files {
		m, _ := v.(map[string]any)
		file, ok := layout.Lookup(obj, ptr)
		if !ok {
			continue
		}
		fm, _ := file.(map[string]any)
		u, _ := fm["url"].(string)
		info := layout.FileInfo{}
		info.SHA256, _ = m["sha256"].(string)
		info.Skipped, _ = m["skipped"].(string)
		if n, ok := m["size"].(interface{ String() string }); ok {
			info.Size, _ = strconv.ParseInt(n.String(), 10, 64)
		}
		out[stableURL(u)] = info
	}
	return out
}

// stableURL is a file URL without its signature (the query).
func stableURL(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}

// externalRefs lists external files ({"type":"external","external":{"url"}})
// for --download-external.
func externalRefs(obj layout.Object) []layout.FileRef {
	var refs []layout.FileRef
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "external" {
				if ext, ok := v["external"].(map[string]any); ok {
					if u, ok := ext["url"].(string); ok && strings.HasPrefix(u, "https://") {
						refs = append(refs, layout.FileRef{Pointer: ptr + "/external", URL: u})
					}
				}
			}
			for _, k := range sortedKeys(v) {
				walk(v[k], ptr+"/"+layout.EscapePointer(k))
			}
		case []any:
			for i, e := range v {
				walk(e, ptr+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(map[string]any(obj), "")
	return refs
}

// pageFiles lists the attachments a page's files refer to.
func pageFiles(page *layout.Page) []string {
	set := map[string]bool{}
	add := func(e layout.Extra) {
		for _, f := range e.Files {
			if f.SHA256 != "" {
				set[f.SHA256] = true
			}
		}
	}
	add(page.Extra)
	for _, b := range page.Blocks {
		add(b.Extra)
	}
	for _, c := range page.Comments {
		add(c.Extra)
	}
	return sortedKeys(set)
}

// removeUnreferencedFiles drops files/ entries that no page refers to any
// more. The state lists each page's files, so this reads nothing.
func (x *exporter) removeUnreferencedFiles() error {
	if x.prevState == nil {
		return nil
	}
	used := map[string]bool{}
	for _, o := range x.state.Objects {
		for _, sha := range o.Files {
			used[sha] = true
		}
	}
	old := map[string]bool{}
	for _, o := range x.prevState.Objects {
		for _, sha := range o.Files {
			old[sha] = true
		}
	}
	// A checkpoint can hold files of pages that were still being crawled
	// when it was written: stored, but in no page's state. The index has
	// every stored file, under the name it has now (an upgrade renamed
	// those of format 1).
	x.mirror.mu.Lock()
	stored := make(map[string]string, len(x.mirror.files))
	for sha, p := range x.mirror.files {
		stored[sha] = p
		old[sha] = true
	}
	x.mirror.mu.Unlock()
	for _, sha := range sortedKeys(old) {
		if p, ok := stored[sha]; ok && !used[sha] && (x.prev.Has(p) || x.written[p]) {
			if err := x.delete(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// removePages removes the folders of pages that left the snapshot: those
// in the last snapshot that are neither in the new state nor kept because
// they failed.
func (x *exporter) removePages() error {
	if x.prevState == nil {
		return nil
	}
	for _, id := range sortedKeys(x.prevState.Objects) {
		o := x.prevState.Objects[id]
		if o.Kind != layout.KindPage {
			continue
		}
		if _, kept := x.state.Objects[id]; kept {
			continue
		}
		if x.keepFailed(id) {
			x.state.Objects[id] = o
			continue
		}
		if o.Pending() {
			continue // never stored: nothing to remove
		}
		if err := x.deleteDir(layout.PageDir(id)); err != nil {
			return err
		}
		x.report.Pages.Removed++
		x.mu.Lock()
		listed := false
		for _, r := range x.report.Removed {
			listed = listed || r.ID == id
		}
		if !listed {
			x.report.Removed = append(x.report.Removed, RemovedPage{ID: id, Title: o.Title, Why: "no longer reachable"})
		}
		x.mu.Unlock()
	}
	return nil
}

// syncUsers lists the workspace's users. Emails are removed unless asked:
// backup repositories are shared more widely than workspaces.
func (x *exporter) syncUsers(ctx context.Context) error {
	seen := map[string]bool{}
	if err := x.acquire(ctx); err != nil {
		return err
	}
	_, err := x.list(ctx, "GET", "users", nil, nil, func(u layout.Object) error {
		id, err := objectID(u)
		if err != nil {
			return err
		}
		files, err := layout.EncodeUser(u)
		if err != nil {
			return err
		}
		seen[id] = true
		x.report.Users++
		name, _ := u["name"].(string)
		x.mirror.mu.Lock()
		x.mirror.users[id] = name
		x.mirror.mu.Unlock()
		return x.putAll(files)
	})
	x.release()
	if err != nil {
		if notion.IsRestricted(err) {
			// Without the user-information capability the list is refused;
			// the users already stored stay.
			x.fail("users", "users", err)
			return nil
		}
		return fmt.Errorf("list users: %w", err)
	}
	for _, p := range x.prev.PathsUnder(layout.UsersDir + "/") {
		if info, _ := layout.ParsePath(p); !seen[info.UserID] {
			if err := x.delete(p); err != nil {
				return err
			}
		}
	}
	return nil
}
