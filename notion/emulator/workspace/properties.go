package workspace

import (
	"fmt"
	"slices"
	"time"
)

// PropertyTypes are the 24 page property value types of the API.
var PropertyTypes = []string{
	"title", "rich_text", "number", "select", "multi_select", "status", "date", "people",
	"files", "checkbox", "url", "email", "phone_number", "formula", "relation", "rollup",
	"created_time", "created_by", "last_edited_time", "last_edited_by", "button", "unique_id",
	"verification", "place",
}

// propNames gives each property type a name a person would choose.
var propNames = map[string]string{
	"title": "Name", "rich_text": "Notes", "number": "Estimate", "select": "Priority",
	"multi_select": "Tags", "status": "Status", "date": "Due", "people": "Assignees",
	"files": "Attachments", "checkbox": "Done", "url": "Link", "email": "Contact email",
	"phone_number": "Phone", "formula": "Score", "relation": "Related", "rollup": "Related count",
	"created_time": "Created", "created_by": "Created by", "last_edited_time": "Last edited",
	"last_edited_by": "Last edited by", "button": "Start review", "unique_id": "ID",
	"verification": "Verified", "place": "Office",
}

const propIDChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// propID makes a short property id like the API's ("xQ%3Fa"), unique in ds.
func (g *gen) propID(ds *dataSource) string {
	for {
		b := make([]byte, 4)
		for i := range b {
			b[i] = propIDChars[g.pick(len(propIDChars))]
		}
		id := string(b)
		if g.chance(20) {
			id = id[:2] + "%3F" + id[2:]
		}
		if !slices.ContainsFunc(ds.props, func(p *propConfig) bool { return p.id == id }) {
			return id
		}
	}
}

func (g *gen) addProp(ds *dataSource, typ, name string) *propConfig {
	p := &propConfig{name: name, typ: typ}
	if typ == "title" {
		p.id = "title"
	} else {
		p.id = g.propID(ds)
	}
	var body map[string]any
	switch typ {
	case "number":
		body = map[string]any{"format": []string{"number", "number_with_commas", "percent", "dollar"}[g.pick(4)]}
	case "select", "multi_select":
		labels := []string{"Low", "Medium", "High", "Urgent"}
		if typ == "multi_select" {
			labels = []string{"backend", "frontend", "docs", "infra", "design", "ops"}
		}
		p.options = g.options(labels)
		body = map[string]any{"options": optionConfigs(p.options)}
	case "status":
		p.options = g.options([]string{"Not started", "In progress", "Done"})
		groups := []any{}
		for i, gname := range []string{"To-do", "In progress", "Complete"} {
			groups = append(groups, map[string]any{
				"id": g.id(), "name": gname, "color": []string{"gray", "blue", "green"}[i],
				"option_ids": []any{p.options[i]["id"]},
			})
		}
		body = map[string]any{"options": optionConfigs(p.options), "groups": groups}
	case "formula":
		body = map[string]any{"expression": `prop("Estimate") * 2`}
	case "unique_id":
		body = map[string]any{"prefix": "TASK"}
	default:
		body = map[string]any{} // relation and rollup are filled in by linkProps
	}
	p.cfg = map[string]any{"id": p.id, "name": name, "type": typ, "description": nil, typ: body}
	ds.props = append(ds.props, p)
	return p
}

func (g *gen) options(labels []string) []map[string]any {
	out := make([]map[string]any, len(labels))
	for i, l := range labels {
		out[i] = map[string]any{"id": g.id(), "name": l, "color": colors[1+(i*3)%(len(colors)-1)]}
	}
	return out
}

func optionConfigs(opts []map[string]any) []any {
	out := make([]any, len(opts))
	for i, o := range opts {
		c := cloneJSON(o).(map[string]any)
		c["description"] = nil
		out[i] = c
	}
	return out
}

// makeSchema gives a data source its properties. The first data source has
// every property type, so that any workspace holds them all; the others take
// a random handful.
func (g *gen) makeSchema(ds *dataSource) {
	g.addProp(ds, "title", "Name")
	if ds == g.sources[0] {
		for _, t := range PropertyTypes[1:] {
			if t == "relation" || t == "rollup" {
				continue // added by relate, below
			}
			g.addProp(ds, t, propNames[t])
		}
	} else {
		common := []string{"rich_text", "number", "select", "multi_select", "status", "date",
			"people", "checkbox", "url", "files", "created_time", "last_edited_by", "unique_id", "formula"}
		for _, i := range g.r.Perm(len(common))[:3+g.pick(6)] {
			g.addProp(ds, common[i], propNames[common[i]])
		}
	}
	var target *dataSource
	switch {
	case ds == g.sources[0] && len(g.sources) > 1:
		target = g.sources[1]
	case ds == g.sources[0]:
		target = ds
	case g.chance(40):
		target = g.sources[g.pick(len(g.sources))]
	}
	if target != nil {
		g.relate(ds, target)
	}
}

// relate adds a relation from ds to target with a rollup counting it; when
// target is another data source the relation is dual, with its synced
// property on target.
func (g *gen) relate(ds, target *dataSource) {
	rel := g.addProp(ds, "relation", uniqueName(ds, propNames["relation"]))
	rel.target = target
	if target != ds {
		back := g.addProp(target, "relation", uniqueName(target, "Linked from "+ds.name))
		back.target, back.dual, back.back, rel.dual = ds, rel, true, back
	}
	for _, p := range []*propConfig{rel, rel.dual} {
		if p == nil {
			continue
		}
		owner := ds
		if p != rel {
			owner = target
		}
		if p.dual != nil {
			p.cfg["relation"] = map[string]any{
				"type": "dual_property", "data_source_id": p.target.id, "database_id": p.target.db.id,
				"dual_property": map[string]any{"synced_property_id": p.dual.id, "synced_property_name": p.dual.name},
			}
		} else {
			p.cfg["relation"] = map[string]any{
				"type": "single_property", "data_source_id": p.target.id, "database_id": p.target.db.id,
				"single_property": map[string]any{},
			}
		}
		roll := g.addProp(owner, "rollup", uniqueName(owner, propNames["rollup"]))
		roll.target = p.target
		roll.cfg["rollup"] = map[string]any{
			"function": "count", "relation_property_name": p.name, "relation_property_id": p.id,
			"rollup_property_name": "Name", "rollup_property_id": "title",
		}
	}
}

func uniqueName(ds *dataSource, name string) string {
	for i := 1; ; i++ {
		n := name
		if i > 1 {
			n = fmt.Sprintf("%s %d", name, i)
		}
		if !slices.ContainsFunc(ds.props, func(p *propConfig) bool { return p.name == n }) {
			return n
		}
	}
}

// makeRows creates every row: first the pages with their simple properties,
// then relations, whose two sides must agree, then the rollups counting them.
func (g *gen) makeRows() {
	for i, ds := range g.sources {
		n := g.o.RowsPerDataSource/2 + g.pick(g.o.RowsPerDataSource+1)
		// The relation target of the first data source gets enough rows for
		// a relation value of more than 25 pages, as the API pages those.
		if i == 1 || (i == 0 && len(g.sources) == 1) {
			n = max(n, 30)
		}
		for range n {
			row := &page{id: g.id(), title: g.names.rowTitle(), ds: ds}
			ds.rows = append(ds.rows, row)
			g.rows = append(g.rows, row)
		}
	}
	for _, ds := range g.sources {
		for j, row := range ds.rows {
			row.obj = g.pageObject(row, map[string]any{
				"type": "data_source_id", "data_source_id": ds.id, "database_id": ds.db.id,
			})
			props := map[string]any{}
			for _, p := range ds.props {
				if p.typ != "relation" && p.typ != "rollup" {
					props[p.name] = g.propValue(p, row, j, ds == g.sources[0] && j == 0)
				}
			}
			row.obj["properties"] = props
		}
	}
	related := map[string][]string{} // row id + property id → related row ids
	key := func(row *page, p *propConfig) string { return row.id + "/" + p.id }
	for si, ds := range g.sources {
		for _, p := range ds.props {
			// The back side of a dual relation is filled from its other side.
			if p.typ != "relation" || p.back || len(p.target.rows) == 0 {
				continue
			}
			for j, row := range ds.rows {
				k := g.pick(4)
				if si == 0 && j == 0 {
					k = min(len(p.target.rows), 30) // more than the 25 a page object carries
				}
				for _, ti := range g.r.Perm(len(p.target.rows))[:min(k, len(p.target.rows))] {
					t := p.target.rows[ti]
					related[key(row, p)] = append(related[key(row, p)], t.id)
					if p.dual != nil {
						related[key(t, p.dual)] = append(related[key(t, p.dual)], row.id)
					}
				}
			}
		}
	}
	for _, ds := range g.sources {
		for _, row := range ds.rows {
			props := row.obj["properties"].(map[string]any)
			for _, p := range ds.props {
				if p.typ != "relation" {
					continue
				}
				ids := related[key(row, p)]
				refs := make([]any, len(ids))
				for i, id := range ids {
					refs[i] = map[string]any{"id": id}
				}
				props[p.name] = map[string]any{"id": p.id, "type": "relation", "relation": refs}
			}
			for _, p := range ds.props {
				if p.typ != "rollup" {
					continue
				}
				relName := p.cfg["rollup"].(map[string]any)["relation_property_name"].(string)
				n := len(props[relName].(map[string]any)["relation"].([]any))
				props[p.name] = map[string]any{"id": p.id, "type": "rollup", "rollup": map[string]any{
					"type": "number", "number": num(n), "function": "count",
				}}
			}
		}
	}
}

// propValue is row's value of p; j is the row's position in its data source.
// The showcase row holds the heavy values: more than 25 people, every kind of
// file, a date range.
func (g *gen) propValue(p *propConfig, row *page, j int, showcase bool) map[string]any {
	v := map[string]any{"id": p.id, "type": p.typ}
	obj := row.obj
	var val any
	switch p.typ {
	case "title":
		val = plain(row.title)
		if showcase {
			val = append(plain(row.title+" with "), g.mention("user"), textItem(" and ", "", plainAnnotations()), g.mention("page"))
		}
	case "rich_text":
		val = []any{}
		if showcase || g.chance(60) {
			val = g.richText()
		}
	case "number":
		val = nil
		if showcase || g.chance(80) {
			val = num(1 + g.pick(13))
		}
	case "select":
		val = nil
		if showcase || g.chance(80) {
			val = cloneJSON(p.options[g.pick(len(p.options))])
		}
	case "multi_select":
		sel := []any{}
		for _, i := range g.r.Perm(len(p.options))[:g.pick(3)+btoi(showcase)] {
			sel = append(sel, cloneJSON(p.options[i]))
		}
		val = sel
	case "status":
		val = cloneJSON(p.options[g.pick(len(p.options))])
	case "date":
		val = nil
		if showcase || g.chance(70) {
			start := g.tick()
			d := map[string]any{"start": start.Format("2006-01-02"), "end": nil, "time_zone": nil}
			if showcase {
				d["start"] = start.Format("2006-01-02T15:04:00.000-07:00")
				d["end"] = start.Add(90 * time.Minute).Format("2006-01-02T15:04:00.000-07:00")
				d["time_zone"] = nil
			}
			val = d
		}
	case "people":
		n := g.pick(3)
		if showcase {
			n = len(g.people) // more than 25 when the workspace has them
		}
		ppl := []any{}
		for _, i := range g.r.Perm(len(g.people))[:min(n, len(g.people))] {
			ppl = append(ppl, g.people[i].full())
		}
		val = ppl
	case "files":
		fs := []any{}
		if showcase || g.chance(30) {
			fs = append(fs, g.fileWithName())
		}
		if showcase {
			fs = append(fs, map[string]any{"name": "Spec.pdf", "type": "external",
				"external": map[string]any{"url": "https://example.com/files/spec.pdf"}})
		}
		val = fs
	case "checkbox":
		val = g.chance(50)
	case "url":
		val = nil
		if showcase || g.chance(60) {
			val = "https://example.com/tickets/" + num(1000+g.pick(9000)).String()
		}
	case "email":
		val = g.randomUser().email
	case "phone_number":
		val = fmt.Sprintf("+1 415 555 %04d", g.pick(10000))
	case "formula":
		if g.chance(50) || showcase {
			val = map[string]any{"type": "number", "number": num(2 * (1 + g.pick(13)))}
		} else {
			val = map[string]any{"type": "string", "string": "n/a"}
		}
	case "created_time":
		val = obj["created_time"]
	case "last_edited_time":
		val = obj["last_edited_time"]
	case "created_by":
		val = cloneJSON(obj["created_by"])
	case "last_edited_by":
		val = cloneJSON(obj["last_edited_by"])
	case "button":
		val = map[string]any{}
	case "unique_id":
		val = map[string]any{"prefix": "TASK", "number": num(j + 1)}
	case "verification":
		if showcase || g.chance(40) {
			val = map[string]any{
				"state":       "verified",
				"date":        map[string]any{"start": g.tick().Format("2006-01-02"), "end": nil, "time_zone": nil},
				"verified_by": userRef(g.randomUser().id),
			}
		} else {
			val = map[string]any{"state": "unverified", "date": nil, "verified_by": nil}
		}
	case "place":
		val = nil
		if showcase || g.chance(50) {
			places := []struct {
				name, addr string
				lat, lon   float64
			}{
				{"Berlin office", "Torstraße 1, 10119 Berlin", 52.528, 13.401},
				{"San Francisco HQ", "548 Market St, San Francisco, CA", 37.7897, -122.4},
				{"Tokyo studio", "1-1 Shibuya, Tokyo", 35.6595, 139.7005},
			}
			pl := places[g.pick(len(places))]
			val = map[string]any{"lat": num(pl.lat), "lon": num(pl.lon), "name": pl.name, "address": pl.addr,
				"google_place_id": nil, "aws_place_id": nil}
		}
	}
	v[p.typ] = val
	return v
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
