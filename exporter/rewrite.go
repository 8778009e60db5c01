package exporter

import (
	"context"
	"fmt"

	"github.com/notion-git/notion-git/layout"
)

// rewritePage stores a page that is not crawled again although its stored
// files are out of date: its object changed while its content did not (its
// last_edited_time stayed; obj is the new object, nil when it did not
// change), or child_page blocks in it changed with their subpages (blocks,
// as the API answers them now). Everything else comes from the last
// snapshot instead of the API. page is the stored page, nil to read it.
func (x *exporter) rewritePage(ctx context.Context, id string, page *layout.Page, obj layout.Object, blocks map[string]layout.Object) error {
	if page == nil {
		var err error
		if page, err = x.storedPage(id); err != nil {
			return &writeError{err}
		}
	}
	if obj != nil {
		obj = x.full(obj)
	}
	if obj != nil {
		stored := page.Object
		page.Object = layout.Clone(obj)
		// Keep the completed lists of long properties: the listing cut them.
		lp, _ := page.Object["properties"].(map[string]any)
		sp, _ := stored["properties"].(map[string]any)
		for name, v := range lp {
			prop, _ := v.(map[string]any)
			typ, _ := prop["type"].(string)
			if truncated(prop, typ) && sp[name] != nil {
				lp[name] = sp[name]
			}
		}
		page.Extra.Files = nil
		if err := x.storeObjectFiles(ctx, layout.PagePath(id), page.Object, &page.Extra); err != nil {
			return err
		}
	}
	for _, bid := range sortedKeys(blocks) {
		b := page.Blocks[bid]
		b.Object = blocks[bid]
		b.Extra.Files, b.Extra.Incomplete = nil, nil
		if err := x.storeObjectFiles(ctx, layout.BlockPath(id, bid), b.Object, &b.Extra); err != nil {
			return err
		}
	}
	swept := x.inSweep(id)
	if swept {
		// Its comments are due: read them here, since its files are
		// written here.
		if err := x.sweepStored(ctx, page); err != nil {
			return err
		}
	}
	files, err := x.encodePage(page)
	if err != nil {
		return fmt.Errorf("page %s: %w", id, err)
	}
	x.ckpt.writes.RLock()
	defer x.ckpt.writes.RUnlock()
	changed := false
	for _, path := range sortedKeys(files) {
		if !x.prev.Same(path, files[path]) {
			changed = true
			break
		}
	}
	removed, err := x.writeChanged(id, files)
	if err != nil {
		return err
	}
	changed = changed || removed > 0
	if swept {
		x.mu.Lock()
		x.report.Sweep.Removed += removed
		x.mu.Unlock()
	}
	st, _ := x.prevObject(id)
	if obj != nil {
		st.LastEdited, st.Title, st.Parent = lastEdited(obj), layout.Title(obj), x.ownerOf(id, obj)
		st.Digest = pageDigest(obj)
	} else if d, ok := x.newDigests[id]; ok {
		st.Digest = d
	}
	st.Files = pageFiles(page)
	x.mu.Lock()
	x.state.Objects[id] = st
	x.report.Pages.Total++
	x.report.Pages.Carried++
	if changed || obj != nil {
		x.report.Pages.Changed++
	}
	x.mu.Unlock()
	return nil
}

// prevSource lets layout read single files of the last snapshot.
type prevSource struct{ Previous }

func (prevSource) Paths() []string { return nil }
