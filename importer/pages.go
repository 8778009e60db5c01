package importer

import (
	"fmt"

	"github.com/notion-git/notion-git/layout"
)

// loadPage returns page pid with its blocks and comments, for the time its
// content is written; release must be called once the caller is done with
// it. Every read of a page's blocks goes through here: the plan keeps only
// outlines, so a snapshot opened with layout.OpenSnapshot is decoded one
// page at a time, and a restore holds at most one page's content per task
// in flight (Report.PagesHeld counts the most held at once).
func (r *restorer) loadPage(pid string) (_ *layout.Page, release func(), _ error) {
	pg, err := r.snap.PageContent(pid)
	if err != nil {
		return nil, nil, fmt.Errorf("page %s: %w", pid, err)
	}
	r.mu.Lock()
	r.held++
	r.rep.PagesHeld = max(r.rep.PagesHeld, r.held)
	r.mu.Unlock()
	return pg, func() {
		r.mu.Lock()
		r.held--
		r.mu.Unlock()
	}, nil
}

// pageObject returns page pid's object, Extra and child order, without its
// blocks. Every read of a page object goes through here: the plan keeps
// only headers (layout.PageHeader), so a snapshot opened with
// layout.OpenSnapshot reads a page's object when the page is created and
// again when its properties are written later, holding it meanwhile only
// as long as that request.
func (r *restorer) pageObject(pid string) (*layout.Page, error) {
	pg, err := r.snap.PageObject(pid)
	if err != nil {
		return nil, fmt.Errorf("page %s: %w", pid, err)
	}
	return pg, nil
}
