package emulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
)

// readableBlock checks that id is a block (pages and databases count, as
// child_page and child_database blocks) the integration can read.
func (s *Server) readableBlock(id string) error {
	if s.st.blocks[id] == nil && s.st.pages[id] == nil && s.st.databases[id] == nil || !s.st.readable(id) {
		return errNotFound(id)
	}
	return nil
}

func (s *Server) getBlock(c *call) (any, error) {
	id := c.id("id")
	if err := s.readableBlock(id); err != nil {
		return nil, err
	}
	return s.renderBlock(c, id), nil
}

// edited bumps last_edited_time of an edited block and, unless the server is
// told otherwise, of the page that holds it.
func (s *Server) edited(id string) {
	now := notionTime(s.now())
	touch(s.st.object(id), now, s.editor())
	if !s.opts.KeepPageTimeOnBlockEdit {
		if p := s.st.pageOf(id); p != "" {
			touch(s.st.pages[p], now, s.editor())
		}
	}
}

func (s *Server) updateBlock(c *call) (any, error) {
	id := c.id("id")
	if err := s.readableBlock(id); err != nil {
		return nil, err
	}
	trash, trashSet := trashChange(c.body)
	if s.st.trashed(id) && !(trashSet && !trash) {
		return nil, errArchived()
	}
	b := s.st.blocks[id]
	if b == nil {
		// A page or database addressed as a block: only trash can change.
		if trashSet {
			o := s.st.object(id)
			o["in_trash"], o["archived"] = trash, trash
			touch(o, notionTime(s.now()), s.editor())
		}
		return s.renderBlock(c, id), nil
	}
	typ := str(b["type"])
	for k := range c.body {
		if k != typ && k != "in_trash" && k != "archived" && k != "type" {
			return nil, errBody("body.%s should be not present: the block is a %s block.", k, typ)
		}
	}
	if content, ok := c.body[typ].(map[string]any); ok {
		if typ == "synced_block" {
			return nil, errValidation("Content of a synced block cannot be updated.")
		}
		if _, ok := content["children"]; ok {
			return nil, errBody("body.%s.children should be not present.", typ)
		}
		stored, _ := b[typ].(map[string]any)
		check := content
		switch typ {
		case "table":
			// A table's width is set when it is created and cannot change.
			if w, ok := content["table_width"]; ok && fmt.Sprint(w) != fmt.Sprint(stored["table_width"]) {
				return nil, errBody("body.table.table_width should be not present: a table's width cannot change, it is %v.", stored["table_width"])
			}
			check = maps.Clone(content)
			check["table_width"] = json.Number(fmt.Sprint(stored["table_width"]))
		case "table_row":
			if w, ok := s.tableWidth(parentKey(b)); ok {
				if err := (&blockCheck{s: s}).tableRow(map[string]any{typ: content}, "body", w); err != nil {
					return nil, err
				}
			}
		}
		v := &blockCheck{s: s}
		if err := v.block(map[string]any{typ: check}, "body", 1); err != nil {
			return nil, err
		}
		if err := v.uploadsOnce(); err != nil {
			return nil, err
		}
		if stored == nil {
			stored = map[string]any{}
			b[typ] = stored
		}
		maps.Copy(stored, s.normContent(deepCopy(content)).(map[string]any))
	}
	if trashSet {
		b["in_trash"], b["archived"] = trash, trash
	}
	s.edited(id)
	return s.renderBlock(c, id), nil
}

func (s *Server) deleteBlock(c *call) (any, error) {
	id := c.id("id")
	if err := s.readableBlock(id); err != nil {
		return nil, err
	}
	if s.st.trashed(id) {
		return nil, errArchived()
	}
	o := s.st.object(id)
	o["in_trash"], o["archived"] = true, true
	s.edited(id)
	return s.renderBlock(c, id), nil
}

// visibleChildren are a parent's children that are not themselves in the trash.
func (s *Server) visibleChildren(id string) []string {
	var out []string
	for _, c := range s.st.children[id] {
		o := s.st.object(c)
		if o == nil || selfTrashed(o) || s.st.dataSources[c] != nil {
			continue
		}
		if s.st.pages[c] != nil && str(o["parent"].(map[string]any)["type"]) == "data_source_id" {
			continue
		}
		out = append(out, c)
	}
	return out
}

func (s *Server) listChildren(c *call) (any, error) {
	id := c.id("id")
	if err := s.readableBlock(id); err != nil {
		return nil, err
	}
	kids := s.visibleChildren(id)
	start, end, next, more, err := window(c, len(kids))
	if err != nil {
		return nil, err
	}
	results := make([]any, 0, end-start)
	for _, k := range kids[start:end] {
		results = append(results, s.renderBlock(c, k))
	}
	return list("block", results, next, more), nil
}

func (s *Server) appendChildren(c *call) (any, error) {
	id := c.id("id")
	if err := s.readableBlock(id); err != nil || s.st.databases[id] != nil {
		return nil, errNotFound(id)
	}
	if s.st.trashed(id) {
		return nil, errArchived()
	}
	if len(c.raw) > maxBodyBytes {
		return nil, errBody("the request body should be ≤ %d bytes, instead was %d.", maxBodyBytes, len(c.raw))
	}
	children, ok := c.body["children"].([]any)
	if !ok {
		return nil, errBody("body.children should be an array, instead was `%v`.", c.body["children"])
	}
	v := &blockCheck{s: s}
	if err := v.children(children, "body.children", 1); err != nil {
		return nil, err
	}
	if w, ok := s.tableWidth(id); ok {
		for i, r := range children {
			if err := v.tableRow(r.(map[string]any), fmt.Sprintf("body.children[%d]", i), w); err != nil {
				return nil, err
			}
		}
	}
	if err := v.uploadsOnce(); err != nil {
		return nil, err
	}
	at, err := s.appendAnchor(c, id)
	if err != nil {
		return nil, err
	}
	ids := s.createBlocks(id, at.after, children)
	if at.start {
		s.placeAtStart(id, ids)
	}
	s.edited(id)
	results := make([]any, 0, len(ids))
	for _, k := range ids {
		results = append(results, s.renderBlock(c, k))
	}
	return list("block", results, "", false), nil
}

// tableWidth is the width of table block id; ok is false if id is not a table.
func (s *Server) tableWidth(id string) (width int64, ok bool) {
	b := s.st.blocks[id]
	if str(b["type"]) != "table" {
		return 0, false
	}
	t, _ := b["table"].(map[string]any)
	w, err := strconv.ParseInt(fmt.Sprint(t["table_width"]), 10, 64)
	return w, err == nil
}
