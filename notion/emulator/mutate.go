package emulator

import (
	"fmt"
	"maps"
	"slices"
)

// The methods below change the workspace behind the API's back, as a person
// editing in Notion would. They are safe for concurrent use and bump
// last_edited_time like Notion does.

// EditBlock lets edit change a block in place; it errors if id is not a block.
func (s *Server) EditBlock(id string, edit func(block map[string]any)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	id = normID(id)
	b := s.st.blocks[id]
	if b == nil {
		return fmt.Errorf("edit block %s: no such block", id)
	}
	edit(b)
	s.edited(id)
	return nil
}

// AppendBlocks adds blocks, given in request form, at the end of a page's or
// block's children, without the API's limits. It returns the new ids.
func (s *Server) AppendBlocks(parentID string, blocks ...map[string]any) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	parentID = normID(parentID)
	if s.st.pages[parentID] == nil && s.st.blocks[parentID] == nil {
		return nil, fmt.Errorf("append blocks to %s: no such page or block", parentID)
	}
	reqs := make([]any, len(blocks))
	for i, b := range blocks {
		reqs[i] = copyMap(b)
	}
	ids := s.createBlocks(parentID, "", reqs)
	s.edited(parentID)
	return ids, nil
}

// AddPage stores a page object as given (an id, timestamps and the usual
// fields are filled in when missing) and returns its id. Its parent must exist.
func (s *Server) AddPage(page map[string]any) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := copyMap(page)
	id := normID(str(p["id"]))
	if id == "" {
		id = s.NewID()
	}
	for k, v := range s.meta(id) {
		if _, ok := p[k]; !ok {
			p[k] = v
		}
	}
	p["id"], p["object"] = id, "page"
	for k, v := range map[string]any{"icon": nil, "cover": nil, "is_locked": false, "is_archived": false, "public_url": nil} {
		if _, ok := p[k]; !ok {
			p[k] = v
		}
	}
	if p["properties"] == nil {
		p["properties"] = map[string]any{}
	}
	if _, ok := p["url"]; !ok {
		p["url"] = pageURL(id, plainTitle(p))
	}
	parent := parentKey(p)
	if parent != "" && s.st.object(parent) == nil {
		return "", fmt.Errorf("add page %s: parent %s does not exist", id, parent)
	}
	if s.st.pages[id] != nil {
		return "", fmt.Errorf("add page %s: it exists", id)
	}
	s.st.pages[id] = p
	s.st.pageOrder = append(s.st.pageOrder, id)
	s.st.children[parent] = append(s.st.children[parent], id)
	return id, nil
}

// MovePage moves a page under another page (at the end of its children).
func (s *Server) MovePage(id, newParentID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, newParentID = normID(id), normID(newParentID)
	p := s.st.pages[id]
	if p == nil || s.st.pages[newParentID] == nil {
		return fmt.Errorf("move page %s to %s: no such page", id, newParentID)
	}
	s.st.removeChild(parentKey(p), id)
	p["parent"] = map[string]any{"type": "page_id", "page_id": newParentID}
	s.st.children[newParentID] = append(s.st.children[newParentID], id)
	touch(p, notionTime(s.now()), s.editor())
	return nil
}

// TrashPage moves a page (or a database) to the trash.
func (s *Server) TrashPage(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	id = normID(id)
	o := s.st.pages[id]
	if o == nil {
		o = s.st.databases[id]
	}
	if o == nil {
		return fmt.Errorf("trash %s: no such page or database", id)
	}
	o["in_trash"], o["archived"] = true, true
	touch(o, notionTime(s.now()), s.editor())
	return nil
}

// Share shares a page or database with the integration.
func (s *Server) Share(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.shared[normID(id)] = true
}

// Unshare stops sharing a page or database; it and what lies below it (unless
// shared on its own) answer 404 from then on.
func (s *Server) Unshare(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.st.shared, normID(id))
}

// DeleteObject removes a page, block, database, data source or comment and
// everything below it for good: it answers 404 from then on.
func (s *Server) DeleteObject(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	id = normID(id)
	o := s.st.object(id)
	if o == nil && s.st.comments[id] == nil {
		return fmt.Errorf("delete %s: no such object", id)
	}
	if o != nil {
		s.st.removeChild(parentKey(o), id)
	}
	s.deleteTree(id)
	return nil
}

func (s *Server) deleteTree(id string) {
	for _, c := range s.st.children[id] {
		s.deleteTree(c)
	}
	if db := s.st.databases[id]; db != nil {
		sources, _ := db["data_sources"].([]any)
		for _, x := range sources {
			s.deleteTree(str(x.(map[string]any)["id"]))
		}
	}
	delete(s.st.children, id)
	delete(s.st.pages, id)
	delete(s.st.blocks, id)
	delete(s.st.databases, id)
	delete(s.st.dataSources, id)
	delete(s.st.comments, id)
	delete(s.st.shared, id)
	gone := func(x string) bool { return x == id }
	s.st.pageOrder = slices.DeleteFunc(s.st.pageOrder, gone)
	s.st.dsOrder = slices.DeleteFunc(s.st.dsOrder, gone)
	s.st.commentOrder = slices.DeleteFunc(s.st.commentOrder, gone)
}

// UpdateSchema lets edit change a data source's properties (name → property
// schema) in place.
func (s *Server) UpdateSchema(dataSourceID string, edit func(props map[string]any)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ds := s.st.dataSources[normID(dataSourceID)]
	if ds == nil {
		return fmt.Errorf("update schema of %s: no such data source", dataSourceID)
	}
	props, _ := ds["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		ds["properties"] = props
	}
	edit(props)
	touch(ds, notionTime(s.now()), s.editor())
	return nil
}

// AddComment starts a discussion on a page or block and returns the comment.
func (s *Server) AddComment(parentID, text string) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	parentID = normID(parentID)
	ptype := "block_id"
	switch {
	case s.st.pages[parentID] != nil:
		ptype = "page_id"
	case s.st.blocks[parentID] == nil:
		return nil, fmt.Errorf("add comment to %s: no such page or block", parentID)
	}
	rt := normRichText([]any{map[string]any{"text": map[string]any{"content": text}}})
	name, _ := s.displayName(nil)
	return s.addComment(map[string]any{"type": ptype, ptype: parentID}, s.NewID(), rt, name), nil
}

// SetTitle renames a page.
func (s *Server) SetTitle(pageID, title string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.pages[normID(pageID)]
	if p == nil {
		return fmt.Errorf("set title of %s: no such page", pageID)
	}
	props, _ := p["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		p["properties"] = props
	}
	rt := normRichText([]any{map[string]any{"text": map[string]any{"content": title}}})
	for name, v := range props {
		if m, _ := v.(map[string]any); str(m["type"]) == "title" {
			m["title"] = rt
			touch(p, notionTime(s.now()), s.editor())
			_ = name
			return nil
		}
	}
	props["title"] = map[string]any{"id": "title", "type": "title", "title": rt}
	touch(p, notionTime(s.now()), s.editor())
	return nil
}

// Fixture exports the current workspace. Notion-hosted files keep their
// "fixture:NAME" urls, uploads included, so a Fixture round-trips into New.
func (s *Server) Fixture() *Fixture {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	f := &Fixture{Bot: copyMap(st.bot), Files: map[string][]byte{}}
	for _, id := range st.userOrder {
		f.Users = append(f.Users, copyMap(st.users[id]))
	}
	for id := range st.shared {
		f.Shared = append(f.Shared, id)
	}
	slices.Sort(f.Shared)
	for _, id := range st.pageOrder {
		f.Pages = append(f.Pages, copyMap(st.pages[id]))
	}
	for _, id := range slices.Sorted(maps.Keys(st.databases)) {
		f.Databases = append(f.Databases, copyMap(st.databases[id]))
	}
	for _, id := range st.dsOrder {
		f.DataSources = append(f.DataSources, copyMap(st.dataSources[id]))
	}
	// Blocks in child order, parents before children, starting from every
	// page and block that has children.
	var walk func(parent string)
	seen := map[string]bool{}
	walk = func(parent string) {
		for _, c := range st.children[parent] {
			// Pages and databases keep their place among the blocks.
			if p := st.pages[c]; p != nil && parentKey(p) == parent && st.dataSources[parent] == nil {
				f.Blocks = append(f.Blocks, childBlock(p, map[string]any{"object": "user", "id": st.bot["id"]}, "child_page", map[string]any{"title": plainTitle(p)}))
			} else if d := st.databases[c]; d != nil {
				f.Blocks = append(f.Blocks, childBlock(d, map[string]any{"object": "user", "id": st.bot["id"]}, "child_database", map[string]any{"title": plainText(d["title"])}))
			}
			if b := st.blocks[c]; b != nil && !seen[c] {
				seen[c] = true
				f.Blocks = append(f.Blocks, copyMap(b))
				walk(c)
			} else if st.pages[c] != nil && !seen[c] {
				seen[c] = true
				walk(c)
			}
		}
	}
	for _, id := range st.pageOrder {
		if !seen[id] {
			seen[id] = true
			walk(id)
		}
	}
	for _, id := range st.commentOrder {
		f.Comments = append(f.Comments, copyMap(st.comments[id]))
	}
	for name, data := range st.files {
		f.Files[name] = slices.Clone(data)
	}
	return f
}
