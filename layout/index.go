package layout

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// EncodeIndex renders the root README.md: the tree of pages, databases, data
// sources and rows by title, each linking to its folder. It takes the same
// entries as State, so an incremental sync can render it without reading
// every page.
func EncodeIndex(workspace string, objects map[string]ObjectState) []byte {
	children := map[string][]string{}
	for id, o := range objects {
		parent := o.Parent
		if _, ok := objects[parent]; !ok || parent == id {
			parent = "" // not in the tree: list it at the top
		}
		children[parent] = append(children[parent], id)
	}
	for _, ids := range children {
		slices.SortFunc(ids, func(a, b string) int {
			return cmp.Or(strings.Compare(objects[a].Title, objects[b].Title), strings.Compare(a, b))
		})
	}
	var b strings.Builder
	b.WriteString("# " + escapeText(cmp.Or(workspace, "Notion workspace")) + "\n\n")
	if len(objects) == 0 {
		b.WriteString("Nothing has been synced yet.\n")
		return []byte(b.String())
	}
	seen := map[string]bool{}
	var walk func(ids []string, indent string)
	walk = func(ids []string, indent string) {
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			b.WriteString(indent + "- " + indexEntry(id, objects[id]) + "\n")
			walk(children[id], indent+"  ")
		}
	}
	walk(children[""], "")
	// Parents that form a cycle never reach the top; list them anyway.
	var rest []string
	for id := range objects {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	slices.Sort(rest)
	walk(rest, "")
	return []byte(b.String())
}

// indexEntry renders one line of the index.
func indexEntry(id string, o ObjectState) string {
	var target, kind string
	switch o.Kind {
	case KindDatabase:
		target, kind = DatabaseReadmePath(id), " (database)"
	case KindDataSource:
		target, kind = DataSourceReadmePath(id), " (data source)"
	default:
		target = PageReadmePath(id)
	}
	if o.Trashed {
		kind += " (in trash)"
	}
	return "[" + tableCell(escapeText(orUntitled(o.Title))) + "](" + target + ")" + kind
}

// Objects derives, from the snapshot's own objects, the entries that State
// keeps for each page, database and data source (all but Crawled).
func (s *Snapshot) Objects() map[string]ObjectState {
	owner := map[string]string{} // block id -> id of the page that holds it
	for id, p := range s.Pages {
		for bid := range p.Blocks {
			owner[bid] = id
		}
		if s.lazy != nil {
			for bid := range s.lazy.outlines[id].Blocks {
				owner[bid] = id
			}
		}
	}
	out := make(map[string]ObjectState, len(s.Pages)+len(s.Databases)+len(s.DataSources))
	add := func(id, kind string, obj Object, title string) {
		edited, _ := obj["last_edited_time"].(string)
		out[id] = ObjectState{
			Kind:       kind,
			LastEdited: edited,
			Title:      title,
			Parent:     ParentID(obj, owner),
			Trashed:    obj["in_trash"] == true || obj["archived"] == true,
		}
	}
	for id, p := range s.Pages {
		if s.lazy == nil {
			add(id, KindPage, p.Object, Title(p.Object))
			continue
		}
		h := s.lazy.headers[id]
		out[id] = ObjectState{
			Kind:       KindPage,
			LastEdited: h.LastEdited,
			Title:      h.Title,
			Parent:     parentID(h.ParentType, h.ParentID, owner),
			Trashed:    h.Trashed,
		}
	}
	for id, d := range s.Databases {
		add(id, KindDatabase, d.Object, Title(d.Object))
	}
	for id, ds := range s.DataSources {
		add(id, KindDataSource, ds.Object, Title(ds.Object))
	}
	return out
}

// Title returns the plain text of an object's title: the title of a
// database or data source, the title property of a page (a row included).
func Title(obj Object) string {
	if title, ok := obj["title"].([]any); ok {
		return PlainText(title) // a database or data source
	}
	props, _ := obj["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	slices.Sort(names) // a page has one title property; be stable if not
	for _, name := range names {
		if p, _ := props[name].(map[string]any); p["type"] == "title" {
			return PlainText(p["title"])
		}
	}
	return ""
}

// ParentID returns the id of the page, database or data source above obj in
// the index, "" at the top of the workspace. A block parent is resolved to
// the page holding the block through blockOwner, which may be nil.
func ParentID(obj Object, blockOwner map[string]string) string {
	parent, _ := obj["parent"].(map[string]any)
	typ, _ := parent["type"].(string)
	switch typ {
	case "page_id", "database_id", "data_source_id", "block_id":
	default:
		return ""
	}
	id, err := ParseID(fmt.Sprint(parent[typ]))
	if err != nil {
		return ""
	}
	return parentID(typ, id, blockOwner)
}

// parentID is ParentID for a parent of type typ naming id.
func parentID(typ, id string, blockOwner map[string]string) string {
	switch typ {
	case "block_id":
		return blockOwner[id]
	case "page_id", "database_id", "data_source_id":
		return id
	}
	return ""
}

// isRow reports whether a page is a row of a data source.
func isRow(page Object) bool {
	parent, _ := page["parent"].(map[string]any)
	return parent["type"] == "data_source_id" || parent["type"] == "database_id"
}
