package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/notion-git/notion-git/notion/emulator"
)

// workspaceModel indexes a fixture for computing request bounds.
type workspaceModel struct {
	f        *emulator.Fixture
	children map[string]int    // page or block id -> number of child blocks
	nested   map[string]bool   // block id -> its children are fetched
	pageOf   map[string]string // block id -> its page
	pages    []string          // every page id, rows included, sorted
	blocksOf map[string][]string
	files    map[string]int // page id -> Notion-hosted files in it
	propReqs map[string]int // page id -> property item requests
	comments map[string]int // page id -> comments on the page
	pageSet  map[string]struct{}
	parentOf map[string]string // page id -> its parent page, if a page
}

func newModel(f *emulator.Fixture) *workspaceModel {
	m := &workspaceModel{f: f, children: map[string]int{}, nested: map[string]bool{}, pageOf: map[string]string{},
		blocksOf: map[string][]string{}, files: map[string]int{}, propReqs: map[string]int{}, comments: map[string]int{},
		pageSet: map[string]struct{}{}, parentOf: map[string]string{}}
	for _, p := range f.Pages {
		id := p["id"].(string)
		m.pages = append(m.pages, id)
		m.pageSet[id] = struct{}{}
		if parent, _ := p["parent"].(map[string]any); parent["page_id"] != nil {
			m.parentOf[id], _ = parent["page_id"].(string)
		}
		m.files[id] += countHosted(p)
		props, _ := p["properties"].(map[string]any)
		for _, v := range props {
			prop, _ := v.(map[string]any)
			typ, _ := prop["type"].(string)
			switch typ {
			case "relation", "people", "title", "rich_text":
				if list, _ := prop[typ].([]any); len(list) >= 25 {
					m.propReqs[id] += (len(list) + 99) / 100
				}
			}
		}
	}
	sort.Strings(m.pages)
	for _, b := range f.Blocks {
		id := b["id"].(string)
		parent, _ := b["parent"].(map[string]any)
		pid, _ := parent["page_id"].(string)
		bid, _ := parent["block_id"].(string)
		switch {
		case pid != "":
			m.pageOf[id] = pid
			m.children[pid]++
		case bid != "":
			m.pageOf[id] = m.pageOf[bid]
			m.children[bid]++
		}
		typ, _ := b["type"].(string)
		sb, _ := b["synced_block"].(map[string]any)
		copyOf, _ := sb["synced_from"].(map[string]any)
		if b["has_children"] == true && typ != "child_page" && typ != "child_database" && copyOf == nil {
			m.nested[id] = true
		}
		page := m.pageOf[id]
		m.blocksOf[page] = append(m.blocksOf[page], id)
		m.files[page] += countHosted(b)
	}
	for _, c := range f.Comments {
		parent, _ := c["parent"].(map[string]any)
		if pid, _ := parent["page_id"].(string); pid != "" {
			m.comments[pid]++
		}
	}
	return m
}

func countHosted(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		if f, ok := v["file"].(map[string]any); ok && v["type"] == "file" {
			if u, _ := f["url"].(string); strings.HasPrefix(u, "fixture:") {
				n++
			}
		}
		for _, e := range v {
			n += countHosted(e)
		}
	case []any:
		for _, e := range v {
			n += countHosted(e)
		}
	}
	return n
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// pageCost is the requests needed to crawl one page: its children and every
// nested block's (a page must be asked even when it has none), its comments,
// its long properties, and its attachments when they are downloaded.
func (m *workspaceModel) pageCost(id string, downloads bool) int {
	n := max(1, ceilDiv(m.children[id], 100))
	for _, b := range m.blocksOf[id] {
		if m.nested[b] {
			n += max(1, ceilDiv(m.children[b], 100))
		}
	}
	n += max(1, ceilDiv(m.comments[id], 100)) // --comments pages
	n += m.propReqs[id]
	if downloads {
		n += m.files[id]
	}
	return n
}

// bound is the fewest requests a full crawl can make, by part.
type bound struct {
	Search, Children, Queries, PropertyItems, Comments, Downloads, Fixed int
	// Views is, per database, the listing of its views and one GET per view.
	Views int
}

func (b bound) Total() int {
	return b.Search + b.Children + b.Queries + b.PropertyItems + b.Comments + b.Downloads + b.Fixed + b.Views
}

func (b bound) String() string {
	return fmt.Sprintf("search %d + children %d + queries %d + property items %d + comments %d + downloads %d + views %d + fixed %d = %d",
		b.Search, b.Children, b.Queries, b.PropertyItems, b.Comments, b.Downloads, b.Views, b.Fixed, b.Total())
}

// fullBound computes the lower bound of a full crawl: search pages, for
// every page and every block with children ceil(children/100) (a page costs
// one request even when empty), data source query pages, property item
// pages, comment pages, attachment downloads and the views of each
// database (a listing, then one GET per view). Fixed is users/me, the
// user list and one GET per database container, which no crawl can avoid.
func (m *workspaceModel) fullBound() bound {
	var b bound
	b.Search = max(1, ceilDiv(len(m.f.Pages)+len(m.f.DataSources), 100))
	rows := map[string]int{}
	for _, p := range m.f.Pages {
		parent, _ := p["parent"].(map[string]any)
		if ds, _ := parent["data_source_id"].(string); ds != "" {
			rows[ds]++
		}
	}
	for _, ds := range m.f.DataSources {
		id := ds["id"].(string)
		b.Queries += max(1, ceilDiv(rows[id], 100)) + rows[id]/10000
	}
	for _, id := range m.pages {
		b.Children += max(1, ceilDiv(m.children[id], 100))
		for _, blk := range m.blocksOf[id] {
			if m.nested[blk] {
				b.Children += max(1, ceilDiv(m.children[blk], 100))
			}
		}
		b.Comments += max(1, ceilDiv(m.comments[id], 100))
		b.PropertyItems += m.propReqs[id]
		b.Downloads += m.files[id]
	}
	b.Fixed = 1 + max(1, ceilDiv(len(m.f.Users), 100)) + len(m.f.Databases)
	views := map[string]int{}
	for _, v := range m.f.Views {
		parent, _ := v["parent"].(map[string]any)
		if db, _ := parent["database_id"].(string); db != "" {
			views[db]++
		}
	}
	for _, db := range m.f.Databases {
		n := views[db["id"].(string)]
		b.Views += max(1, ceilDiv(n, 100)) + n
	}
	return b
}
