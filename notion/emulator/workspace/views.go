package workspace

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// makeViews gives each database the views a person would have made: a
// table of every property, a board by the first status or select, and a
// calendar by the first date. Their ids come from a generator of their
// own, so that turning views on leaves the rest of the workspace as it
// was, byte for byte.
func (g *gen) makeViews() {
	r := rand.New(rand.NewPCG(g.o.Seed, 0x76696577)) // "view"
	id := func() string {
		var b [16]byte
		for i := 0; i < 16; i += 8 {
			v := r.Uint64()
			for j := range 8 {
				b[i+j] = byte(v >> (8 * j))
			}
		}
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	}
	for _, db := range g.dbs {
		ds := db.sources[0]
		created, _ := db.obj["created_time"].(string)
		by := db.obj["created_by"]
		view := func(name, typ string, config map[string]any) {
			vid := id()
			config["type"] = typ
			g.f.Views = append(g.f.Views, map[string]any{
				"object": "view", "id": vid,
				"parent":         map[string]any{"type": "database_id", "database_id": db.id},
				"data_source_id": ds.id, "name": name, "type": typ,
				"created_time": created, "created_by": by, "last_edited_time": created, "last_edited_by": by,
				"url":    "https://www.notion.so/" + strings.ReplaceAll(db.id, "-", "") + "?v=" + strings.ReplaceAll(vid, "-", ""),
				"filter": nil, "sorts": nil, "quick_filters": nil,
				"configuration": config,
			})
		}
		var visible []any
		for _, p := range ds.props {
			visible = append(visible, map[string]any{"property_id": p.id, "visible": true})
		}
		view("All", "table", map[string]any{"properties": visible})
		for _, p := range ds.props {
			if p.typ == "status" || p.typ == "select" {
				view("By "+strings.ToLower(p.name), "board", map[string]any{
					"group_by": groupBy(p),
				})
				break
			}
		}
		for _, p := range ds.props {
			if p.typ == "date" {
				view("Calendar", "calendar", map[string]any{"date_property_id": p.id})
				break
			}
		}
	}
}

// groupBy groups a board by p's options (a status by its options too,
// not its three groups: each option is a column, as people set it up).
func groupBy(p *propConfig) map[string]any {
	g := map[string]any{"type": p.typ, "property_id": p.id, "sort": map[string]any{"type": "manual"}, "hide_empty_groups": false}
	if p.typ == "status" {
		g["group_by"] = "option"
	}
	return g
}
