package exporter

import (
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// layoutForm puts an object read under API version 2026-03-11 into the
// form the layout stores whichever version was spoken (2025-09-03, see
// layout/FORMAT.md "API versions"): that version answers `in_trash` only,
// and the older form carries `archived` beside it with the same value, so
// it is put back as a copy. A sync under either version then writes the
// same bytes for the same workspace, and switching versions rewrites no
// file. Nothing else differs in what the exporter stores, apart from what
// cannot be undone: a block 2025-09-03 names `transcription` reads as
// `meeting_notes` under 2026-03-11, and is stored as it reads.
func (x *exporter) layoutForm(obj layout.Object) {
	if x.client.Version() != notion.VersionInTrash {
		return
	}
	if t, ok := obj["in_trash"]; ok {
		if _, has := obj["archived"]; !has {
			obj["archived"] = t
		}
	}
}
