package emulator

import (
	"cmp"
	"slices"
	"strings"
)

// search lists readable, untrashed pages and data sources whose title
// contains the query.
func (s *Server) search(c *call) (any, error) {
	query := strings.ToLower(str(c.body["query"]))
	want := ""
	if f, ok := c.body["filter"].(map[string]any); ok {
		want = str(f["value"])
		if str(f["property"]) != "object" || want != "page" && want != "data_source" {
			return nil, errBody("body.filter.value should be `page` or `data_source`, instead was `%q`.", want)
		}
	}
	dir := "descending"
	if srt, ok := c.body["sort"].(map[string]any); ok {
		dir = str(srt["direction"])
		if str(srt["timestamp"]) != "last_edited_time" || dir != "ascending" && dir != "descending" {
			return nil, errBody("body.sort should be {timestamp: last_edited_time, direction: ascending|descending}.")
		}
	}
	var ids []string
	visible := s.st.visibility()
	consider := func(id string, title func() string) {
		if !visible(id) {
			return
		}
		if query != "" && !strings.Contains(strings.ToLower(title()), query) {
			return
		}
		ids = append(ids, id)
	}
	if want != "data_source" {
		for _, id := range s.st.pageOrder {
			consider(id, func() string { return plainTitle(s.st.pages[id]) })
		}
	}
	if want != "page" {
		for _, id := range s.st.dsOrder {
			consider(id, func() string { return plainText(s.st.dataSources[id]["title"]) })
		}
	}
	// Keys are read once, and ties keep the listing order by index: sorting
	// 10,000 objects with map lookups in the comparison cost a large
	// workspace's search 180 ms a page.
	type entry struct {
		id, edited string
		at         int
	}
	entries := make([]entry, len(ids))
	for i, id := range ids {
		entries[i] = entry{id, str(s.st.object(id)["last_edited_time"]), i}
	}
	slices.SortFunc(entries, func(a, b entry) int {
		d := cmp.Compare(a.edited, b.edited)
		if dir == "descending" {
			d = -d
		}
		if d == 0 {
			d = cmp.Compare(a.at, b.at)
		}
		return d
	})
	for i, e := range entries {
		ids[i] = e.id
	}
	start, end, next, more, err := window(c, len(ids))
	if err != nil {
		return nil, err
	}
	results := make([]any, 0, end-start)
	for _, id := range ids[start:end] {
		if s.st.pages[id] != nil {
			results = append(results, s.renderPage(c, id))
		} else {
			results = append(results, s.renderDataSource(c, id))
		}
	}
	return list("page_or_data_source", results, next, more), nil
}

func (s *Server) listComments(c *call) (any, error) {
	id := normID(c.r.URL.Query().Get("block_id"))
	if id == "" {
		return nil, &apiError{400, "validation_error", "query.block_id should be defined, instead was `undefined`."}
	}
	if err := s.readableBlock(id); err != nil {
		return nil, err
	}
	var found []string
	for _, cid := range s.st.commentOrder {
		if parentKey(s.st.comments[cid]) == id {
			found = append(found, cid)
		}
	}
	start, end, next, more, err := window(c, len(found))
	if err != nil {
		return nil, err
	}
	results := make([]any, 0, end-start)
	for _, cid := range found[start:end] {
		cm := copyMap(s.st.comments[cid])
		s.signFiles(c, cm)
		results = append(results, cm)
	}
	return list("comment", results, next, more), nil
}

func (s *Server) createComment(c *call) (any, error) {
	v := &blockCheck{s: s}
	if err := v.richText(c.body["rich_text"], "body.rich_text"); err != nil {
		return nil, err
	}
	var parent map[string]any
	discussion := ""
	if d := str(c.body["discussion_id"]); d != "" {
		discussion = normID(d)
		for _, cid := range s.st.commentOrder {
			if cm := s.st.comments[cid]; str(cm["discussion_id"]) == discussion {
				parent = copyMap(cm["parent"].(map[string]any))
			}
		}
		if parent == nil {
			return nil, errNotFound(discussion)
		}
	} else {
		p, _ := c.body["parent"].(map[string]any)
		switch {
		case p["page_id"] != nil:
			parent = map[string]any{"type": "page_id", "page_id": normID(str(p["page_id"]))}
		case p["block_id"] != nil:
			parent = map[string]any{"type": "block_id", "block_id": normID(str(p["block_id"]))}
		default:
			return nil, errBody("body.parent or body.discussion_id should be defined.")
		}
		discussion = s.NewID()
	}
	if err := s.readableBlock(parentKey(map[string]any{"parent": parent})); err != nil {
		return nil, err
	}
	atts, err := s.commentAttachments(c.body["attachments"])
	if err != nil {
		return nil, err
	}
	cm := s.addComment(parent, discussion, normRichText(c.body["rich_text"]))
	if len(atts) > 0 {
		s.st.comments[str(cm["id"])]["attachments"] = atts
		cm["attachments"] = atts
	}
	return cm, nil
}

func (s *Server) addComment(parent map[string]any, discussion string, rt []any) map[string]any {
	id := s.NewID()
	cm := s.meta(id)
	delete(cm, "last_edited_by")
	delete(cm, "in_trash")
	delete(cm, "archived")
	cm["object"] = "comment"
	cm["parent"] = parent
	cm["discussion_id"] = discussion
	cm["rich_text"] = rt
	cm["display_name"] = map[string]any{"type": "integration", "resolved_name": str(s.st.bot["name"])}
	s.st.comments[id] = cm
	s.st.commentOrder = append(s.st.commentOrder, id)
	return copyMap(cm)
}

func (s *Server) listUsers(c *call) (any, error) {
	start, end, next, more, err := window(c, len(s.st.userOrder))
	if err != nil {
		return nil, err
	}
	results := make([]any, 0, end-start)
	for _, id := range s.st.userOrder[start:end] {
		results = append(results, copyMap(s.st.users[id]))
	}
	return list("user", results, next, more), nil
}

func (s *Server) getSelf(c *call) (any, error) { return copyMap(s.st.bot), nil }

func (s *Server) getUser(c *call) (any, error) {
	id := c.id("id")
	u := s.st.users[id]
	if u == nil {
		return nil, errNotFound(id)
	}
	return copyMap(u), nil
}
