package importer

import (
	"context"
	"fmt"
	"net/http"

	"github.com/notion-git/notion-git/layout"
)

// Parts of a data source's schema, created in turn: plain properties with
// the database, relations once their targets exist, and rollups and
// formulas (which may read relations) last.
const (
	schemaInitial = iota
	schemaRelations
	schemaComputed
)

// schemaPart returns which part of the schema a property type belongs to;
// -1 for a type the API cannot create.
func schemaPart(typ string) int {
	switch typ {
	case "relation":
		return schemaRelations
	case "rollup", "formula":
		return schemaComputed
	case "button", "verification":
		return -1
	}
	return schemaInitial
}

// schema returns one part of a data source's schema in request form.
func (r *restorer) schema(ds *layout.DataSource, part int) map[string]any {
	props, _ := ds.Object["properties"].(map[string]any)
	out := map[string]any{}
	for _, name := range sortedKeys(props) {
		def, _ := props[name].(map[string]any)
		typ, _ := def["type"].(string)
		p := schemaPart(typ)
		if p == -1 && part == schemaInitial {
			r.count(r.rep.Substituted, "property "+typ+" → not created (the API cannot)")
		}
		if p != part {
			continue
		}
		conf, _ := def[typ].(map[string]any)
		req := map[string]any{}
		switch typ {
		case "number":
			copyFields(req, conf, "format")
		case "select", "multi_select", "status":
			// An empty list is sent as one: the schema has no options,
			// rather than whatever a server gives by default.
			if opts, ok := conf["options"].([]any); ok {
				out := []any{}
				for _, o := range opts {
					om, _ := o.(map[string]any)
					opt := map[string]any{}
					copyFields(opt, om, "name", "color", "description")
					out = append(out, opt)
				}
				req["options"] = out
			}
			if typ == "status" && conf["groups"] != nil {
				r.count(r.rep.Substituted, "status groups → Notion's defaults")
			}
		case "formula":
			copyFields(req, conf, "expression")
		case "unique_id":
			copyFields(req, conf, "prefix")
		case "relation":
			st := &refState{}
			target, _ := conf["data_source_id"].(string)
			req["data_source_id"] = r.mapRef(target, "relation to a data source", st)
			outside := !r.plan.sources[target]
			if conf["type"] == "dual_property" && outside {
				// Its other side is a data source the restore does not
				// create: a dual relation would add a property to it,
				// in the workspace the snapshot came from.
				r.count(r.rep.Substituted, "two-way relation to a data source outside the restore → one-way")
			}
			if conf["type"] == "dual_property" && !outside {
				req["type"] = "dual_property"
				dual := map[string]any{}
				if dp, ok := conf["dual_property"].(map[string]any); ok {
					copyFields(dual, dp, "synced_property_name")
				}
				req["dual_property"] = dual
			} else {
				req["type"] = "single_property"
				req["single_property"] = map[string]any{}
			}
		case "rollup":
			copyFields(req, conf, "relation_property_name", "rollup_property_name", "function")
		}
		entry := map[string]any{typ: req}
		if d, ok := def["description"].(string); ok && d != "" {
			entry["description"] = d
		}
		out[name] = entry
	}
	return out
}

// relationSchemas adds relations, then rollups and formulas, to every
// restored data source. A two-way relation is created from one side; the
// other side is Notion's, renamed to its original name (or created when
// the API did not make it).
func (r *restorer) relationSchemas(ctx context.Context) error {
	for _, part := range []int{schemaRelations, schemaComputed} {
		for _, id := range sortedKeys(r.plan.sources) {
			key := fmt.Sprintf("schema:%d:%s", part, id)
			if r.j.isDone(key) {
				continue
			}
			props := r.schemaChange(id, part)
			if len(props) == 0 {
				continue
			}
			nu, _ := r.j.id(id)
			res, err := r.call(ctx, http.MethodPatch, "data_sources/"+nu, map[string]any{"properties": props})
			if err != nil {
				return fmt.Errorf("data source %s: schema: %w", id, err)
			}
			if part == schemaRelations {
				if err := r.backSides(ctx, id, props, res); err != nil {
					return err
				}
			}
			if err := r.j.finish(key, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// schemaChange is the update adding one part of data source id's schema;
// empty when there is nothing to add.
func (r *restorer) schemaChange(id string, part int) map[string]any {
	ds := r.snap.DataSources[id]
	props := r.schema(ds, part)
	if part == schemaRelations {
		r.dropBackSides(id, ds, props)
	}
	return props
}

// twoWay returns the restored data source at the other end of property
// name of ds when it is a two-way relation, "" otherwise.
func (r *restorer) twoWay(ds *layout.DataSource, name string) string {
	conf := relationConf(ds, name)
	target, _ := conf["data_source_id"].(string)
	if conf["type"] != "dual_property" || !r.plan.sources[target] {
		return ""
	}
	return target
}

// dropBackSides leaves out the side of each two-way relation that the
// other side creates: the side in the data source with the greater id,
// and, in a data source related to itself both ways, the side with the
// greater name. Notion creates the synced side of a two-way relation
// itself: sending both would make two relations of one.
func (r *restorer) dropBackSides(id string, ds *layout.DataSource, props map[string]any) {
	for name := range props {
		target := r.twoWay(ds, name)
		if target == "" {
			continue
		}
		dp, _ := relationConf(ds, name)["dual_property"].(map[string]any)
		synced, _ := dp["synced_property_name"].(string)
		if target < id || target == id && synced != "" && synced < name {
			delete(props, name)
		}
	}
}

func relationConf(ds *layout.DataSource, name string) map[string]any {
	props, _ := ds.Object["properties"].(map[string]any)
	def, _ := props[name].(map[string]any)
	conf, _ := def["relation"].(map[string]any)
	return conf
}

// backSides makes the other side of each two-way relation just created
// carry its original name.
func (r *restorer) backSides(ctx context.Context, id string, sent, res layout.Object) error {
	ds := r.snap.DataSources[id]
	got, _ := res["properties"].(map[string]any)
	for name := range sent {
		target := r.twoWay(ds, name)
		if target == "" {
			continue
		}
		dp, _ := relationConf(ds, name)["dual_property"].(map[string]any)
		want, _ := dp["synced_property_name"].(string)
		// The name Notion gave the other side, from the answer.
		gd, _ := got[name].(map[string]any)
		grel, _ := gd["relation"].(map[string]any)
		gdp, _ := grel["dual_property"].(map[string]any)
		made, _ := gdp["synced_property_name"].(string)
		nt, _ := r.j.id(target)
		cur, err := r.call(ctx, http.MethodGet, "data_sources/"+nt, nil)
		if err != nil {
			return fmt.Errorf("data source %s: %w", target, err)
		}
		have, _ := cur["properties"].(map[string]any)
		nid, _ := r.j.id(id)
		if made == "" || have[made] == nil {
			made = syncedSide(have, nid, name)
		}
		var change map[string]any
		switch {
		case have[want] != nil:
			continue
		case made != "":
			change = map[string]any{made: map[string]any{"name": want}}
		default:
			// Notion made no other side that can be found. A dual
			// relation created from this side would make Notion add a
			// second synced property to the first side, next to the
			// one already there: the other side is created one-way.
			r.count(r.rep.Substituted, "two-way relation whose other side Notion did not create → that side one-way")
			change = map[string]any{want: map[string]any{"relation": map[string]any{
				"data_source_id": nid, "type": "single_property", "single_property": map[string]any{}}}}
		}
		if _, err := r.call(ctx, http.MethodPatch, "data_sources/"+nt, map[string]any{"properties": change}); err != nil {
			return fmt.Errorf("data source %s: schema: %w", target, err)
		}
	}
	return nil
}

// syncedSide returns the property of a schema that is the other side of
// the two-way relation name of data source ds: a dual relation to ds synced
// with name, whatever Notion called it.
func syncedSide(schema map[string]any, ds, name string) string {
	for _, n := range sortedKeys(schema) {
		def, _ := schema[n].(map[string]any)
		conf, _ := def["relation"].(map[string]any)
		dp, _ := conf["dual_property"].(map[string]any)
		to, _ := conf["data_source_id"].(string)
		if to, err := layout.ParseID(to); err == nil && to == ds && n != name && dp["synced_property_name"] == name {
			return n
		}
	}
	return ""
}

// rowProperties returns a row's property values in request form. With
// later false they are the values a row is created with; with later true
// the relations and the values holding references, written once every
// row exists. pending reports references to rows not created yet.
func (r *restorer) rowProperties(ctx context.Context, pg *layout.Page, later bool) (map[string]any, bool, error) {
	props, _ := pg.Object["properties"].(map[string]any)
	out := map[string]any{}
	pending := false
	for _, name := range sortedKeys(props) {
		v, _ := props[name].(map[string]any)
		typ, _ := v["type"].(string)
		if readOnlyProperty(typ) {
			if !later {
				r.count(r.rep.ReadOnly, typ)
			}
			continue
		}
		if (typ == "relation") != later && !(later && (typ == "title" || typ == "rich_text")) {
			continue
		}
		if later && (typ == "title" || typ == "rich_text") && !hasRestoredMention(r.plan, v[typ]) {
			continue
		}
		st := &refState{}
		val, keep, err := r.propertyValue(ctx, pg, name, typ, v[typ], st)
		if err != nil {
			return nil, false, err
		}
		pending = pending || st.pending
		if keep {
			out[name] = map[string]any{typ: val}
		}
	}
	return out, pending, nil
}

// propertyValue converts one value; keep is false for an empty value that
// need not be sent.
func (r *restorer) propertyValue(ctx context.Context, pg *layout.Page, name, typ string, v any, st *refState) (any, bool, error) {
	switch typ {
	case "title", "rich_text":
		return r.richText(v, st), true, nil
	case "number", "checkbox", "url", "email", "phone_number":
		return v, v != nil, nil
	case "select", "status":
		m, _ := v.(map[string]any)
		if m == nil {
			return nil, false, nil
		}
		return map[string]any{"name": m["name"]}, true, nil
	case "multi_select":
		arr, _ := v.([]any)
		out := []any{}
		for _, x := range arr {
			m, _ := x.(map[string]any)
			out = append(out, map[string]any{"name": m["name"]})
		}
		return r.capArray(out, "multi_select"), true, nil
	case "date":
		m, _ := v.(map[string]any)
		if m == nil {
			return nil, false, nil
		}
		return dateRequest(m), true, nil
	case "people":
		arr, _ := v.([]any)
		out := []any{}
		for _, x := range arr {
			m, _ := x.(map[string]any)
			out = append(out, map[string]any{"id": m["id"]})
		}
		return r.capArray(out, "people"), true, nil
	case "relation":
		arr, _ := v.([]any)
		out := []any{}
		for _, x := range arr {
			m, _ := x.(map[string]any)
			id, _ := m["id"].(string)
			out = append(out, map[string]any{"id": r.mapRef(id, "relation to a page", st)})
		}
		return r.capArray(out, "relation"), true, nil // see properties
	case "files":
		arr, _ := v.([]any)
		out := []any{}
		for i, x := range arr {
			m, _ := x.(map[string]any)
			ptr := fmt.Sprintf("/properties/%s/files/%d", layout.EscapePointer(name), i)
			f, err := r.fileObject(withUploadOwner(ctx, pg.ID), pg.Extra, ptr, m)
			if err != nil {
				return nil, false, err
			}
			if f == nil {
				r.count(r.rep.Substituted, "file without stored bytes → left out")
				continue
			}
			copyFields(f, m, "name")
			out = append(out, f)
		}
		return r.capArray(out, "files"), true, nil
	case "place":
		m, _ := v.(map[string]any)
		if m == nil {
			return nil, false, nil
		}
		out := map[string]any{}
		copyFields(out, m, "lat", "lon", "name", "address", "google_place_id", "aws_place_id")
		return out, true, nil
	}
	// A property type this version does not know: sent as stored, where
	// the API allows.
	return v, v != nil, nil
}

func (r *restorer) capArray(a []any, what string) []any {
	if len(a) > maxArray {
		r.count(r.rep.Truncated, what+" beyond 100 items")
		return a[:maxArray]
	}
	return a
}

// hasRestoredMention reports whether rich text mentions a restored object.
func hasRestoredMention(p *plan, v any) bool {
	arr, _ := v.([]any)
	for _, x := range arr {
		it, _ := x.(map[string]any)
		m, _ := it["mention"].(map[string]any)
		kind, _ := m["type"].(string)
		body, _ := m[kind].(map[string]any)
		id, _ := body["id"].(string)
		if id, err := layout.ParseID(id); err == nil && p.restores(id) {
			return true
		}
	}
	return false
}

// properties writes what had to wait until every row existed: relation
// values, and titles and texts that mention pages created after them. Each
// page is one request of its own, several at a time.
//
// A relation value over 100 pages is cut to 100: a PATCH replaces the whole
// value and carries at most 100, so the rest cannot be appended. In a
// two-way relation, though, Notion keeps both sides equal: every row on
// the other side adds its row back when its own side is written. So the
// rows with a cut value are written first, in a wave of their own, and
// the others after, so that no value written later cuts them again.
func (r *restorer) properties(ctx context.Context) error {
	var cut, rest []string
	for _, id := range r.plan.contentOrder {
		if r.plan.headers[id].MaxRelation > maxArray {
			cut = append(cut, id)
		} else {
			rest = append(rest, id)
		}
	}
	for _, wave := range [][]string{cut, rest} {
		p := newPool(ctx)
		for _, id := range wave {
			p.add(func(ctx context.Context) error { return r.laterProperties(ctx, id) })
		}
		if err := p.run(r.opts.Concurrency); err != nil {
			return err
		}
	}
	return nil
}

// writesLater reports, from its header, whether page id may have
// properties to write once every row exists: a row with a relation value,
// or a title or text that mentions a restored object. The others' objects
// are not read again.
func (r *restorer) writesLater(id string) bool {
	h := r.plan.headers[id]
	if r.isRow(id) && h.MaxRelation > 0 {
		return true
	}
	for _, m := range h.Mentions {
		if r.plan.restores(m) {
			return true
		}
	}
	return false
}

func (r *restorer) laterProperties(ctx context.Context, id string) error {
	key := "properties:" + id
	if r.j.isDone(key) || !r.writesLater(id) {
		return nil
	}
	pg, err := r.pageObject(id)
	if err != nil {
		return err
	}
	props, err := r.laterValues(ctx, pg)
	if err != nil || len(props) == 0 {
		return err
	}
	nu, _ := r.j.id(id)
	if _, err := r.call(ctx, http.MethodPatch, "pages/"+nu, map[string]any{"properties": props}); err != nil {
		return fmt.Errorf("page %s: properties: %w", id, err)
	}
	return r.j.finish(key, nil)
}

// laterValues are the property values of page pg that had to wait until
// every row existed; empty when there are none.
func (r *restorer) laterValues(ctx context.Context, pg *layout.Page) (map[string]any, error) {
	var props map[string]any
	if r.isRow(pg.ID) {
		props, _, err := r.rowProperties(ctx, pg, true)
		if err != nil {
			return nil, err
		}
		for name, v := range props {
			// Empty relations were never set: nothing to write.
			if rel, ok := v.(map[string]any)["relation"].([]any); ok && len(rel) == 0 {
				delete(props, name)
			}
		}
		return props, nil
	}
	stored, _ := pg.Object["properties"].(map[string]any)
	for _, v := range stored {
		if m, _ := v.(map[string]any); m["type"] == "title" && hasRestoredMention(r.plan, m["title"]) {
			props, _ = r.titleProperty(pg)
		}
	}
	return props, nil
}

func (r *restorer) isRow(id string) bool {
	return r.plan.headers[id].ParentType == "data_source_id"
}
