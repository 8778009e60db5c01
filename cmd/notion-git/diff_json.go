package main

import (
	"encoding/json"
	"io"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/review"
)

// The document `diff --json` prints: review.Diff in names a script can
// rely on. These types are output only; nothing reads them back.

type diffDoc struct {
	From    diffRev         `json:"from"`
	To      diffRev         `json:"to"`
	Pages   []diffPageDoc   `json:"pages"`
	Schemas []diffSchemaDoc `json:"schemas"`
	Views   []diffViewDoc   `json:"views"`
	// Relinked are the pages whose README alone changed (review.Diff's
	// Relinked): no change of the page, so not among pages; each has
	// changes ["relinked"] and the hunks of its README file.
	Relinked []diffPageDoc `json:"relinked"`
	// FormatUpgrade is the layout's format_version on each side when they
	// differ; null when they do not.
	FormatUpgrade *diffFormatDoc `json:"format_upgrade"`
}

type diffFormatDoc struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// diffRev is a side of the comparison: the revision as typed, and its
// commit ("" for nothing, when the first sync is compared).
type diffRev struct {
	Rev    string `json:"rev"`
	Commit string `json:"commit"`
}

type diffPageDoc struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	OldTitle string `json:"old_title,omitempty"`
	NewTitle string `json:"new_title,omitempty"`
	// Changes: added, removed, renamed, moved, edited (its Markdown
	// changed), or changed alone (something its Markdown does not show: a
	// hidden property, an attachment, Notion's bookkeeping); relinked
	// alone for a page of relinked.
	Changes      []string       `json:"changes"`
	OldParent    *diffParentDoc `json:"old_parent,omitempty"`
	NewParent    *diffParentDoc `json:"new_parent,omitempty"`
	LinesAdded   int            `json:"lines_added"`
	LinesRemoved int            `json:"lines_removed"`
	Hunks        []diffHunkDoc  `json:"hunks"`
}

// diffParentDoc is what a page is under: id "" is the top of the workspace.
type diffParentDoc struct {
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
}

type diffHunkDoc struct {
	OldStart int           `json:"old_start"`
	OldCount int           `json:"old_count"`
	NewStart int           `json:"new_start"`
	NewCount int           `json:"new_count"`
	Lines    []diffLineDoc `json:"lines"`
}

type diffLineDoc struct {
	Op    string        `json:"op"` // " ", "-" or "+"
	Text  string        `json:"text"`
	Words []diffWordDoc `json:"words,omitempty"`
}

type diffWordDoc struct {
	Text    string `json:"text"`
	Changed bool   `json:"changed"`
}

type diffSchemaDoc struct {
	Kind       string            `json:"kind"` // layout.KindDatabase or layout.KindDataSource: database or data_source
	ID         string            `json:"id"`
	Change     string            `json:"change"` // added, removed or changed
	OldTitle   string            `json:"old_title,omitempty"`
	NewTitle   string            `json:"new_title,omitempty"`
	Properties []diffPropertyDoc `json:"properties,omitempty"`
}

type diffPropertyDoc struct {
	ID     string       `json:"id"`
	Change string       `json:"change"` // added, removed or changed (renamed, retyped)
	Old    *diffPropDoc `json:"old,omitempty"`
	New    *diffPropDoc `json:"new,omitempty"`
}

type diffPropDoc struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type diffViewDoc struct {
	ID              string `json:"id"`
	Database        string `json:"database"`
	DatabaseTitle   string `json:"database_title,omitempty"`
	Change          string `json:"change"` // added, removed or changed
	OldName         string `json:"old_name,omitempty"`
	NewName         string `json:"new_name,omitempty"`
	OldType         string `json:"old_type,omitempty"`
	NewType         string `json:"new_type,omitempty"`
	SettingsChanged bool   `json:"settings_changed"`
}

// printDiffJSON prints d as one JSON document.
func printDiffJSON(out io.Writer, d *review.Diff, fromName string, from plumbing.Hash, toName string, to plumbing.Hash) error {
	doc := diffDoc{
		From:  diffRev{Rev: fromName},
		To:    diffRev{Rev: toName, Commit: to.String()},
		Pages: []diffPageDoc{}, Schemas: []diffSchemaDoc{}, Views: []diffViewDoc{}, Relinked: []diffPageDoc{},
	}
	if !from.IsZero() {
		doc.From.Commit = from.String()
	}
	if u := d.FormatUpgrade; u != nil {
		doc.FormatUpgrade = &diffFormatDoc{From: u.From, To: u.To}
	}
	for _, p := range d.Pages {
		doc.Pages = append(doc.Pages, pageDoc(p))
	}
	for _, p := range d.Relinked {
		doc.Relinked = append(doc.Relinked, pageDoc(p))
	}
	for _, s := range d.Schemas {
		sd := diffSchemaDoc{Kind: s.Kind, ID: s.ID, Change: change(s.InOld, s.InNew), OldTitle: s.OldTitle, NewTitle: s.NewTitle}
		for _, p := range s.Properties {
			pd := diffPropertyDoc{ID: p.ID, Change: change(p.InOld, p.InNew)}
			if p.InOld {
				pd.Old = &diffPropDoc{Name: p.Old.Name, Type: p.Old.Type}
			}
			if p.InNew {
				pd.New = &diffPropDoc{Name: p.New.Name, Type: p.New.Type}
			}
			sd.Properties = append(sd.Properties, pd)
		}
		doc.Schemas = append(doc.Schemas, sd)
	}
	for _, v := range d.Views {
		doc.Views = append(doc.Views, diffViewDoc{
			ID: v.ID, Database: v.Database, DatabaseTitle: v.DatabaseTitle, Change: change(v.InOld, v.InNew),
			OldName: v.OldName, NewName: v.NewName, OldType: v.OldType, NewType: v.NewType, SettingsChanged: v.SettingsChanged,
		})
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// pageDoc is one page of the document.
func pageDoc(p *review.PageChange) diffPageDoc {
	pd := diffPageDoc{
		ID: p.ID, Title: p.Title(), OldTitle: p.OldTitle, NewTitle: p.NewTitle,
		LinesAdded: p.LinesAdded, LinesRemoved: p.LinesRemoved, Changes: []string{}, Hunks: []diffHunkDoc{},
	}
	if p.InOld {
		pd.OldParent = &diffParentDoc{ID: p.OldParent.ID, Title: p.OldParent.Title}
	}
	if p.InNew {
		pd.NewParent = &diffParentDoc{ID: p.NewParent.ID, Title: p.NewParent.Title}
	}
	for _, c := range []struct {
		is   bool
		name string
	}{{p.Added(), "added"}, {p.Removed(), "removed"}, {p.Renamed(), "renamed"}, {p.Moved(), "moved"}, {p.Edited, "edited"}, {p.Relinked, "relinked"}} {
		if c.is {
			pd.Changes = append(pd.Changes, c.name)
		}
	}
	if len(pd.Changes) == 0 {
		pd.Changes = append(pd.Changes, "changed")
	}
	for _, h := range p.Hunks {
		hd := diffHunkDoc{OldStart: h.OldStart, OldCount: h.OldCount, NewStart: h.NewStart, NewCount: h.NewCount}
		for _, l := range h.Lines {
			ld := diffLineDoc{Op: string(l.Op), Text: l.Text}
			for _, w := range l.Words {
				ld.Words = append(ld.Words, diffWordDoc{Text: w.Text, Changed: w.Changed})
			}
			hd.Lines = append(hd.Lines, ld)
		}
		pd.Hunks = append(pd.Hunks, hd)
	}
	return pd
}

// change names what happened to something in one snapshot or both.
func change(inOld, inNew bool) string {
	switch {
	case !inOld:
		return "added"
	case !inNew:
		return "removed"
	}
	return "changed"
}
