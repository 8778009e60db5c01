package exporter

import (
	"context"
	"fmt"

	"github.com/notion-git/notion-git/layout"
)

// rewritePageObject stores a page whose object changed while its content did
// not (its last_edited_time stayed): the new page.json with the previous
// blocks and comments, read from the last snapshot instead of the API.
func (x *exporter) rewritePageObject(ctx context.Context, id string, obj layout.Object) error {
	dir := layout.PageDir(id)
	page, err := layout.DecodePage(prevSource{x.prev}, id, x.prev.PathsUnder(dir+"/"))
	if err != nil {
		return &writeError{fmt.Errorf("read the stored page: %w", err)}
	}
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
	files, err := layout.EncodePage(page)
	if err != nil {
		return fmt.Errorf("page %s: %w", id, err)
	}
	x.ckpt.writes.RLock()
	defer x.ckpt.writes.RUnlock()
	for path, data := range files {
		if !x.prev.Same(path, data) {
			if err := x.put(path, data); err != nil {
				return &writeError{err}
			}
		}
	}
	old, _ := x.prevObject(id)
	st := old
	st.LastEdited, st.Title, st.Parent = lastEdited(obj), layout.Title(obj), x.ownerOf(id, obj)
	st.Files = pageFiles(page)
	x.mu.Lock()
	x.state.Objects[id] = st
	x.report.Pages.Total++
	x.report.Pages.Changed++
	x.report.Pages.Carried++
	x.mu.Unlock()
	return nil
}

// prevSource lets layout read single files of the last snapshot.
type prevSource struct{ Previous }

func (prevSource) Paths() []string { return nil }
