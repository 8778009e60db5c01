package workspace

import (
	"fmt"
	"time"
)

// pageObject is a page's object without properties; p gets its times.
func (g *gen) pageObject(p *page, parent map[string]any) map[string]any {
	created, edited := g.times()
	author := g.randomUser()
	editor := author
	if g.chance(30) {
		editor = g.randomUser()
	}
	p.author = author
	p.created, _ = time.Parse(time.RFC3339, created)
	p.edited, _ = time.Parse(time.RFC3339, edited)
	return map[string]any{
		"object": "page", "id": p.id,
		"created_time": created, "last_edited_time": edited,
		"created_by": g.ref(author), "last_edited_by": g.ref(editor),
		"cover": g.cover(), "icon": g.icon(),
		"parent":   parent,
		"in_trash": false, "archived": false, "is_archived": false, "is_locked": false,
		"properties": map[string]any{},
		"url":        notionURL(p.title, p.id), "public_url": nil,
	}
}

func (g *gen) icon() any {
	switch n := g.pick(100); {
	case n < 40:
		return map[string]any{"type": "emoji", "emoji": emojis[g.pick(len(emojis))]}
	case n < 48:
		return map[string]any{"type": "external", "external": map[string]any{"url": "https://www.notion.so/icons/document_gray.svg"}}
	case n < 52:
		return g.hostedFile("png")
	case n < 54:
		return map[string]any{"type": "custom_emoji", "custom_emoji": cloneJSON(g.emoji)}
	}
	return nil
}

func (g *gen) cover() any {
	switch n := g.pick(100); {
	case n < 12:
		return map[string]any{"type": "external", "external": map[string]any{"url": "https://www.notion.so/images/page-cover/gradients_8.png"}}
	case n < 16:
		return g.hostedFile("jpg")
	}
	return nil
}

func (g *gen) emitPages() {
	for i, p := range g.pages {
		parent := map[string]any{"type": "workspace", "workspace": true}
		if p.parent != nil {
			parent = pageParent(p.parent.id)
		} else {
			g.f.Shared = append(g.f.Shared, p.id)
		}
		p.obj = g.pageObject(p, parent)
		p.obj["properties"] = map[string]any{"title": map[string]any{"id": "title", "type": "title", "title": plain(p.title)}}
		// The first pages show every kind of icon and cover.
		switch i {
		case 0:
			p.obj["icon"] = map[string]any{"type": "emoji", "emoji": "📘"}
			p.obj["cover"] = map[string]any{"type": "external", "external": map[string]any{"url": "https://www.notion.so/images/page-cover/webb1.jpg"}}
		case 1:
			p.obj["icon"] = g.hostedFile("png")
			p.obj["cover"] = g.hostedFile("jpg")
		case 2:
			p.obj["icon"] = map[string]any{"type": "external", "external": map[string]any{"url": "https://www.notion.so/icons/book_blue.svg"}}
		case 3:
			p.obj["icon"] = map[string]any{"type": "custom_emoji", "custom_emoji": cloneJSON(g.emoji)}
		}
		g.f.Pages = append(g.f.Pages, p.obj)
		budget := g.o.BlocksPerPage/2 + g.pick(g.o.BlocksPerPage+1)
		g.content(&owner{page: p, created: p.created, edited: p.edited, author: p.author}, budget, i == 0)
	}
	for _, db := range g.dbs {
		g.emitDatabase(db)
	}
	for _, row := range g.rows {
		g.f.Pages = append(g.f.Pages, row.obj)
		// Most rows are a line in a table; some are documents of their own.
		if n := g.pick(6); n > 2 {
			g.content(&owner{page: row, created: row.created, edited: row.edited, author: row.author}, n, false)
		}
	}
}

func (g *gen) emitDatabase(db *database) {
	created, edited := g.times()
	parent := map[string]any{"type": "workspace", "workspace": true}
	if db.parent != nil {
		parent = pageParent(db.parent.id)
	} else {
		g.f.Shared = append(g.f.Shared, db.id)
	}
	refs := make([]any, len(db.sources))
	for i, ds := range db.sources {
		refs[i] = map[string]any{"id": ds.id, "name": ds.name}
	}
	icon := map[string]any{"type": "emoji", "emoji": emojis[g.pick(len(emojis))]}
	db.obj = map[string]any{
		"object": "database", "id": db.id, "title": plain(db.title), "description": []any{},
		"parent": parent, "is_inline": db.inline, "in_trash": false, "archived": false, "is_locked": false,
		"created_time": created, "last_edited_time": edited, "data_sources": refs,
		"icon": icon, "cover": nil, "url": notionURL(db.title, db.id), "public_url": nil,
	}
	g.f.Databases = append(g.f.Databases, db.obj)
	author := g.randomUser()
	for _, ds := range db.sources {
		props := map[string]any{}
		for _, p := range ds.props {
			props[p.name] = p.cfg
		}
		desc := []any{}
		if g.chance(30) {
			desc = plain(g.names.sentence())
		}
		ds.obj = map[string]any{
			"object": "data_source", "id": ds.id, "title": plain(ds.name), "description": desc,
			"parent":          map[string]any{"type": "database_id", "database_id": db.id},
			"database_parent": cloneJSON(parent),
			"is_inline":       db.inline, "in_trash": false, "archived": false,
			"created_time": created, "last_edited_time": edited,
			"created_by": userRef(author.id), "last_edited_by": userRef(author.id),
			"properties": props, "icon": cloneJSON(icon), "cover": nil,
			"url": notionURL(ds.name, ds.id), "public_url": nil,
		}
		g.f.DataSources = append(g.f.DataSources, ds.obj)
	}
}

// hostedFile is a Notion-hosted file object whose bytes are in Fixture.Files,
// or an external one once the attachment budget is spent.
func (g *gen) hostedFile(ext string) map[string]any {
	if g.fileSeq >= g.o.Attachments-g.reserved {
		return map[string]any{"type": "external", "external": map[string]any{
			"url": fmt.Sprintf("https://files.example.com/%d.%s", g.pick(100000), ext)}}
	}
	g.fileSeq++
	name := fmt.Sprintf("%03d-%s.%s", g.fileSeq, []string{"diagram", "photo", "notes", "export", "recording", "scan"}[g.pick(6)], ext)
	g.f.Files[name] = g.fileBytes(ext, 512+g.pick(6*1024))
	return map[string]any{"type": "file", "file": map[string]any{
		"url": "fixture:" + name, "expiry_time": stamp(g.clock.Add(time.Hour)),
	}}
}

// fileWithName is a hosted file as a files property holds it.
func (g *gen) fileWithName() map[string]any {
	f := g.hostedFile("pdf")
	f["name"] = fmt.Sprintf("attachment-%d.pdf", g.pick(1000))
	return f
}

// fileBytes makes content that looks like its kind at the start (so sniffing
// works) and is deterministic noise after that.
func (g *gen) fileBytes(ext string, size int) []byte {
	magic := map[string]string{
		"png": "\x89PNG\r\n\x1a\n", "jpg": "\xff\xd8\xff\xe0", "pdf": "%PDF-1.7\n",
		"mp4": "\x00\x00\x00\x18ftypmp42", "mp3": "ID3\x04\x00",
	}[ext]
	b := make([]byte, 0, size)
	b = append(b, magic...)
	if ext == "csv" {
		b = append(b, "id,title,status\n"...)
		for i := 1; len(b) < size; i++ {
			b = fmt.Appendf(b, "%d,%s,%s\n", i, topics[g.pick(len(topics))], []string{"open", "done"}[g.pick(2)])
		}
		return b[:size]
	}
	for len(b) < size {
		v := g.r.Uint64()
		for j := 0; j < 8 && len(b) < size; j++ {
			b = append(b, byte(v>>(8*j)))
		}
	}
	return b
}

// makeComments starts discussions on pages and on blocks and replies to
// some of them.
func (g *gen) makeComments() {
	all := append(append([]*page{}, g.pages...), g.rows...)
	for len(g.f.Comments) < g.o.Comments {
		discussion := g.id()
		var parent map[string]any
		if len(g.blockIDs) > 0 && g.chance(50) {
			parent = map[string]any{"type": "block_id", "block_id": g.blockIDs[g.pick(len(g.blockIDs))]}
		} else {
			parent = pageParent(all[g.pick(len(all))].id)
		}
		for i := range min(1+g.pick(3), g.o.Comments-len(g.f.Comments)) {
			author := g.randomUser()
			created, edited := g.times()
			c := map[string]any{
				"object": "comment", "id": g.id(), "parent": parent, "discussion_id": discussion,
				"created_time": created, "last_edited_time": edited, "created_by": g.ref(author),
				"rich_text":    g.richText(),
				"display_name": map[string]any{"type": "user", "resolved_name": author.name},
			}
			if i == 0 && g.chance(15) && g.fileSeq < g.o.Attachments {
				f := g.hostedFile("png")
				c["attachments"] = []any{map[string]any{"category": "image", "file": f["file"]}}
			}
			g.f.Comments = append(g.f.Comments, c)
		}
	}
}
