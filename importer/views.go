package importer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// ViewRules says what comes back of each view type. RESTORE.md's table
// of view types is checked against it.
var ViewRules = map[string]Rule{
	"table":     {Exact, "filters, sorts, quick filters, grouping, sub-items and visible properties (order, width, wrap) on the copy's properties"},
	"board":     {Exact, "grouping and sub-grouping, card properties and cover on the copy's properties"},
	"list":      {Exact, "visible properties, filters and sorts on the copy's properties"},
	"calendar":  {Exact, "date property remapped"},
	"timeline":  {Exact, "start and end date properties, table properties and zoom remapped"},
	"gallery":   {Exact, "card properties and cover; a cover of `page_content_first` becomes `page_content` (the API cannot set it)"},
	"form":      {Exact, "the settings the API shows (open, anonymous, permissions); the questions are not in the API"},
	"chart":     {Exact, "axes, aggregation and stacking on the copy's properties"},
	"map":       {Exact, "location property remapped"},
	"dashboard": {Substituted, "widgets recreated in their rows, in order; widths and row heights are Notion's (the API cannot set them)"},
}

// viewRefKeys are the members of a view's filter, sorts and configuration
// that name a property of its data source by id.
var viewRefKeys = map[string]bool{
	"property": true, "property_id": true, "date_property_id": true, "end_date_property_id": true,
	"map_by": true, "x_axis_property_id": true, "y_axis_property_id": true,
}

// viewDerivedKeys are names the API adds next to the ids in an answer; a
// request carries only the ids.
var viewDerivedKeys = map[string]bool{
	"property_name": true, "date_property_name": true, "end_date_property_name": true, "map_by_property_name": true,
}

// mapViewProps rewrites every property reference of a view's filter,
// sorts, quick filters (their keys) and configuration with fn, on a copy.
func mapViewProps(v layout.Object, fn func(string) string) layout.Object {
	out := layout.Clone(v)
	var walk func(x any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && viewRefKeys[k] {
					x[k] = fn(s)
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	for _, k := range []string{"filter", "sorts", "configuration"} {
		walk(out[k])
	}
	if qf, ok := out["quick_filters"].(map[string]any); ok {
		m := make(map[string]any, len(qf))
		for k, cond := range qf {
			m[fn(k)] = cond
		}
		out["quick_filters"] = m
	}
	return out
}

// propIDs maps a schema's property ids to names, or names to ids.
func propIDs(ds layout.Object, byName bool) map[string]string {
	props, _ := ds["properties"].(map[string]any)
	out := make(map[string]string, len(props))
	for name, d := range props {
		id, _ := d.(map[string]any)["id"].(string)
		if byName {
			out[name] = id
		} else {
			out[id] = name
		}
	}
	return out
}

// restoreViews recreates the stored views of every restored database, in
// tab order, with data sources and properties remapped (property ids
// differ in the copy: they are matched by name through the restored
// schema), then deletes the views Notion made by itself (the one a new
// database gets), so that the copy holds exactly the stored views. A
// database with no stored views (a snapshot made before views were
// backed up) keeps Notion's.
func (r *restorer) restoreViews(ctx context.Context) error {
	schemas := map[string]map[string]string{} // new data source id -> name -> new property id
	for _, db := range sortedKeys(r.plan.dbs) {
		d := r.snap.Databases[db]
		key := "views:" + db
		if len(d.Views) == 0 || r.j.isDone(key) {
			continue
		}
		nuDB, _ := r.j.id(db)
		if nuDB == "" {
			return fmt.Errorf("database %s: views: the database was not created", db)
		}
		for _, v := range r.viewOrder(d) {
			if err := r.restoreView(ctx, d, nuDB, v, schemas); err != nil {
				return err
			}
		}
		if err := r.removeOtherViews(ctx, db, nuDB, d); err != nil {
			return err
		}
		if err := r.j.finish(key, nil); err != nil {
			return err
		}
	}
	return nil
}

// viewOrder is the order views are created in: the database's views in
// tab order, then each dashboard's widgets row by row, so that a widget's
// dashboard exists and its row is the last one when it is placed.
func (r *restorer) viewOrder(d *layout.Database) []*layout.View {
	byID := map[string]*layout.View{}
	for _, v := range d.Views {
		byID[v.ID] = v
	}
	var out, widgets []*layout.View
	for _, v := range d.Views {
		dash, _ := v.Object["dashboard_view_id"].(string)
		if byID[dash] == nil || !slices.Contains(dashboardWidgets(byID[dash]), v.ID) {
			out = append(out, v) // not a widget, or one its dashboard does not show
		}
	}
	for _, v := range d.Views {
		for _, w := range dashboardWidgets(v) {
			if byID[w] != nil {
				widgets = append(widgets, byID[w])
			}
		}
	}
	return append(out, widgets...)
}

// dashboardWidgets lists the view ids of a dashboard's widgets, row by row.
func dashboardWidgets(v *layout.View) []string {
	conf, _ := v.Object["configuration"].(map[string]any)
	rows, _ := conf["rows"].([]any)
	var out []string
	for _, row := range rows {
		m, _ := row.(map[string]any)
		ws, _ := m["widgets"].([]any)
		for _, w := range ws {
			wm, _ := w.(map[string]any)
			if id, err := layout.ParseID(fmt.Sprint(wm["view_id"])); err == nil {
				out = append(out, id)
			}
		}
	}
	return out
}

// widgetPlace is where a widget goes in its restored dashboard: the first
// widget of a row starts a new row, the others join it.
func widgetPlace(dash *layout.View, widget string) map[string]any {
	conf, _ := dash.Object["configuration"].(map[string]any)
	rows, _ := conf["rows"].([]any)
	for i, row := range rows {
		m, _ := row.(map[string]any)
		ws, _ := m["widgets"].([]any)
		for j, w := range ws {
			if wm, _ := w.(map[string]any); fmt.Sprint(wm["view_id"]) == widget {
				if j == 0 {
					return map[string]any{"type": "new_row"}
				}
				return map[string]any{"type": "existing_row", "row_index": i}
			}
		}
	}
	return nil
}

// restoreView creates one view. A view the API refuses as stored is
// created bare (its name and type on its data source) and counted; one it
// refuses even so is counted and left out: a view never stops a restore.
func (r *restorer) restoreView(ctx context.Context, d *layout.Database, nuDB string, v *layout.View, schemas map[string]map[string]string) error {
	typ, _ := v.Object["type"].(string)
	_, err := r.create(ctx, "view:"+v.ID, v.ID, false, func(ctx context.Context) (string, error) {
		req, err := r.viewRequest(ctx, d, nuDB, v, schemas)
		if err != nil {
			return "", err
		}
		res, err := r.call(ctx, http.MethodPost, "views", req)
		if notion.IsValidation(err) {
			bare := map[string]any{}
			copyFields(bare, req, "data_source_id", "database_id", "name", "type", "view_id", "placement")
			if res, err = r.call(ctx, http.MethodPost, "views", bare); err == nil {
				r.count(r.rep.Substituted, "view "+typ+" → bare view of the same type (the API refused its settings)")
				if err := r.j.mapIDs(map[string]string{fallbackKey(v.ID): viewBare}); err != nil {
					return "", err
				}
			}
		}
		if err != nil {
			if notion.IsValidation(err) || notion.IsNotFound(err) {
				r.count(r.rep.Substituted, "view "+typ+" → not restored ("+reasonOf(err)+")")
				return "", r.j.mapIDs(map[string]string{fallbackKey(v.ID): viewLeftOut})
			}
			return "", fmt.Errorf("create view %s: %w", v.ID, err)
		}
		r.mu.Lock()
		r.rep.Views++
		r.mu.Unlock()
		return idOf(res), nil
	}, nil)
	return err
}

// The forms a view the API refused is restored in, as the journal and the
// report's Fallbacks record them, so that --verify expects them.
const (
	viewBare    = "bare view"
	viewLeftOut = "view left out"
)

func reasonOf(err error) string {
	var e *notion.Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return "refused"
}

// viewRequest turns a stored view into a create request on the copy.
func (r *restorer) viewRequest(ctx context.Context, d *layout.Database, nuDB string, v *layout.View, schemas map[string]map[string]string) (map[string]any, error) {
	typ, _ := v.Object["type"].(string)
	st := &refState{}
	oldDS, _ := v.Object["data_source_id"].(string)
	if oldDS == "" {
		// A dashboard shows no data source of its own, but a create names
		// one: the database's first.
		if srcs := r.sourcesOf(d.ID); len(srcs) > 0 {
			oldDS = srcs[0]
		}
	}
	ds := r.mapRef(oldDS, "view of a data source", st)
	oldProps := map[string]string{}
	if src := r.snap.DataSources[oldDS]; src != nil {
		oldProps = propIDs(src.Object, false)
	}
	newProps, err := r.restoredSchema(ctx, ds, schemas)
	if err != nil {
		return nil, err
	}
	mapped := mapViewProps(v.Object, func(old string) string {
		if name, ok := oldProps[old]; ok {
			if nu, ok := newProps[name]; ok {
				return nu
			}
		}
		return old // a name, or a property the copy does not have
	})
	req := map[string]any{"data_source_id": ds, "database_id": nuDB, "name": v.Object["name"], "type": typ}
	for _, k := range []string{"filter", "sorts", "quick_filters"} {
		if x := mapped[k]; x != nil {
			req[k] = x
		}
	}
	if conf, ok := mapped["configuration"].(map[string]any); ok && typ != "dashboard" {
		r.dropAbsentProperties(conf, newProps)
		req["configuration"] = requestConfig(conf, func(what string) { r.count(r.rep.Substituted, what) })
	}
	if dash, _ := v.Object["dashboard_view_id"].(string); dash != "" {
		for _, o := range d.Views {
			if o.ID == dash {
				if place := widgetPlace(o, v.ID); place != nil {
					req["view_id"] = r.mapRef(dash, "dashboard of a widget", st)
					req["placement"] = place
				}
			}
		}
	}
	return req, nil
}

// restoredSchema reads a restored data source's property ids by name, once.
func (r *restorer) restoredSchema(ctx context.Context, ds string, cache map[string]map[string]string) (map[string]string, error) {
	if m, ok := cache[ds]; ok {
		return m, nil
	}
	res, err := r.call(ctx, http.MethodGet, "data_sources/"+ds, nil)
	if notion.IsNotFound(err) {
		cache[ds] = map[string]string{} // outside the restore and unreadable
		return cache[ds], nil
	}
	if err != nil {
		return nil, fmt.Errorf("data source %s: %w", ds, err)
	}
	cache[ds] = propIDs(res, true)
	return cache[ds], nil
}

// requestConfig is a stored configuration in request form: without the
// names the API derives from ids, nulls left out, and values a request
// cannot carry replaced by the closest it can.
func requestConfig(conf map[string]any, substituted func(string)) map[string]any {
	var strip func(x any) any
	strip = func(x any) any {
		switch x := x.(type) {
		case map[string]any:
			out := map[string]any{}
			for k, e := range x {
				if viewDerivedKeys[k] || e == nil {
					continue
				}
				out[k] = strip(e)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = strip(e)
			}
			return out
		}
		return x
	}
	out := strip(conf).(map[string]any)
	if cover, ok := out["cover"].(map[string]any); ok && cover["type"] == "page_content_first" {
		cover["type"] = "page_content"
		substituted("view cover page_content_first → page_content (the API cannot set it)")
	}
	return out
}

// views compares a database's stored views with the copy's: each view
// with the one restored from it, properties named by name on both sides
// (their ids differ), then the tab order. A database with no stored views
// is not compared: the copy has the view Notion gives a new database.
func (v *verifier) views(db string) {
	o, g := v.orig.Databases[db], v.got.Databases[v.ids[db]]
	if o == nil || len(o.Views) == 0 || g == nil {
		return
	}
	got := map[string]*layout.View{}
	for _, gv := range g.Views {
		got[gv.ID] = gv
	}
	var wantOrder, haveOrder []string
	created := false // whether any stored view came back
	for _, ov := range o.Views {
		typ, _ := ov.Object["type"].(string)
		rule, known := ViewRules[typ]
		kind := "view " + typ
		form := v.fallbacks[ov.ID]
		if form == viewLeftOut {
			v.f.add(kind+" (refused by the API → left out)", true, false, "view "+ov.ID)
			continue
		}
		gv := got[v.ids[ov.ID]]
		if gv == nil {
			v.f.add(kind, !known, false, "view "+ov.ID+" missing")
			continue
		}
		delete(got, gv.ID)
		created = true
		if dash, _ := ov.Object["dashboard_view_id"].(string); dash == "" {
			wantOrder = append(wantOrder, ov.ID)
		}
		if form == viewBare {
			// Only its name and type were sent: only they can be expected.
			same := gv.Object["name"] == ov.Object["name"] && gv.Object["type"] == ov.Object["type"]
			v.f.add(kind+" (refused by the API → bare view)", same, false, "view "+ov.ID)
			continue
		}
		wantView := v.viewByNames(ov, v.orig, true)
		v.dropAbsentColumns(wantView, gv)
		want := v.normalize(wantView, ov.Extra, true)
		have := v.normalize(v.viewByNames(gv, v.got, false), gv.Extra, false)
		v.compare(kind, !known || rule.Fidelity != Exact, want, have, ov.ID)
	}
	for _, gv := range g.Views {
		if dash, _ := gv.Object["dashboard_view_id"].(string); dash == "" {
			haveOrder = append(haveOrder, gv.ID)
		}
	}
	for i, id := range wantOrder {
		wantOrder[i] = v.ids[id]
	}
	haveOrder = slices.DeleteFunc(haveOrder, func(id string) bool { return got[id] != nil })
	if created {
		v.compare("view order", false, wantOrder, haveOrder, db)
	}
	for _, gv := range g.Views {
		if got[gv.ID] != nil {
			// With none of the stored views restored, the one Notion gave
			// the new database stays (see restorer.removeOtherViews).
			v.f.add("view (extra)", !created, false, "view "+gv.ID+" is not in the snapshot")
		}
	}
}

// viewByNames is a view in comparable form: property ids replaced by the
// names its own side's schema gives them, derived names dropped, and, for
// the original, the documented substitutions applied.
func (v *verifier) viewByNames(view *layout.View, snap *layout.Snapshot, original bool) layout.Object {
	names := map[string]string{}
	ds, _ := view.Object["data_source_id"].(string)
	if src := snap.DataSources[ds]; src != nil {
		names = propIDs(src.Object, false)
	}
	out := mapViewProps(view.Object, func(id string) string {
		if n, ok := names[id]; ok {
			return "name:" + n
		}
		return id
	})
	if view.Object["type"] == "dashboard" {
		// A dashboard's data source is whichever the create named.
		delete(out, "data_source_id")
	}
	if conf, ok := out["configuration"].(map[string]any); ok {
		if original {
			conf = requestConfig(conf, func(string) {})
		}
		dropDerived(conf)
		dropLayout(conf)
		out["configuration"] = conf
	}
	return out
}

// dropDerived removes the names an answer adds next to property ids.
func dropDerived(x any) {
	switch x := x.(type) {
	case map[string]any:
		for k, e := range x {
			if viewDerivedKeys[k] {
				delete(x, k)
				continue
			}
			dropDerived(e)
		}
	case []any:
		for _, e := range x {
			dropDerived(e)
		}
	}
}

// dropLayout removes a dashboard's widths and row heights, which the API
// cannot set (RESTORE.md says so).
func dropLayout(conf map[string]any) {
	rows, _ := conf["rows"].([]any)
	for _, row := range rows {
		m, _ := row.(map[string]any)
		delete(m, "height")
		ws, _ := m["widgets"].([]any)
		for _, w := range ws {
			if wm, _ := w.(map[string]any); wm != nil {
				delete(wm, "width")
				delete(wm, "row_index")
			}
		}
	}
}

// dropAbsentProperties leaves out of a view's list of shown properties
// those the copy's schema does not have (a button, say, which the API
// cannot create): Notion refuses the whole view for one such entry, and
// losing one column is closer to the original than a bare view.
func (r *restorer) dropAbsentProperties(conf map[string]any, newProps map[string]string) {
	list, ok := conf["properties"].([]any)
	if !ok || len(newProps) == 0 {
		return
	}
	have := map[string]bool{}
	for _, id := range newProps {
		have[id] = true
	}
	kept := list[:0:0]
	for _, e := range list {
		m, _ := e.(map[string]any)
		if id, _ := m["property_id"].(string); id != "" && !have[id] {
			r.count(r.rep.Substituted, "view property absent from the copy → left out of the view")
			continue
		}
		kept = append(kept, e)
	}
	conf["properties"] = kept
}

// dropAbsentColumns leaves out of the original view, as the restore does
// (see restorer.dropAbsentProperties), the shown properties the copy's
// schema does not have, each counted as that documented substitution.
func (v *verifier) dropAbsentColumns(want layout.Object, gv *layout.View) {
	conf, _ := want["configuration"].(map[string]any)
	list, ok := conf["properties"].([]any)
	ds, _ := gv.Object["data_source_id"].(string)
	src := v.got.DataSources[ds]
	if !ok || src == nil {
		return
	}
	have := map[string]bool{}
	for _, name := range propIDs(src.Object, false) {
		have["name:"+name] = true
	}
	kept := list[:0:0]
	for _, e := range list {
		m, _ := e.(map[string]any)
		if id, _ := m["property_id"].(string); strings.HasPrefix(id, "name:") && !have[id] {
			v.f.add("view column (absent from the copy)", true, false, "view "+gv.ID+": "+id)
			continue
		}
		kept = append(kept, e)
	}
	conf["properties"] = kept
}

// removeOtherViews deletes the views of the restored database nuDB that the
// restore did not create: the one Notion gives a new database, and any left
// by a lost answer. When none of the stored views could be created they
// are kept, since a database keeps at least one view; a delete Notion
// refuses is counted, never a reason to stop.
func (r *restorer) removeOtherViews(ctx context.Context, db, nuDB string, d *layout.Database) error {
	created := slices.ContainsFunc(d.Views, func(v *layout.View) bool {
		nu, ok := r.j.id(v.ID)
		return ok && nu != ""
	})
	if !created {
		return nil
	}
	all, err := r.list(ctx, http.MethodGet, "views", map[string][]string{"database_id": {nuDB}})
	if err != nil {
		return fmt.Errorf("database %s: list views: %w", db, err)
	}
	for _, ref := range all {
		id := idOf(ref)
		if r.j.ours(id) {
			continue
		}
		_, err := r.call(ctx, http.MethodDelete, "views/"+id, nil)
		switch {
		case err == nil, notion.IsNotFound(err):
		case notion.IsValidation(err):
			r.count(r.rep.Substituted, "view Notion made for the new database → kept (the API refused to delete it)")
		default:
			return fmt.Errorf("database %s: delete Notion's view %s: %w", db, id, err)
		}
	}
	return nil
}
