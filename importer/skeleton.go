package importer

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// skeleton creates every page and database top down, with titles, icons,
// covers and the schemas of their data sources, so that the new id of
// everything a block or property can refer to is known before content.
// The children of one page are created one after the other, in their
// order (each lands after the one before); what goes inside each child is
// a task of its own, run beside the rest.
func (r *restorer) skeleton(ctx context.Context) error {
	p := newPool(ctx)
	p.add(func(ctx context.Context) error {
		return r.createPlaced(ctx, p, r.plan.roots, r.opts.Target, false)
	})
	return p.run(r.opts.Concurrency)
}

// createPlaced creates the pages and databases kids, in order, in the new
// page nu, and queues on p the creation of what goes inside each. With rows
// true (in the rows phase, below a row) a database's rows are queued too,
// once its data sources exist: nothing else creates them.
func (r *restorer) createPlaced(ctx context.Context, p *pool, kids []string, nu string, rows bool) error {
	for _, k := range kids {
		if r.plan.dbs[k] {
			dnu, err := r.createDatabase(ctx, k, nu)
			if err != nil {
				return err
			}
			p.add(func(ctx context.Context) error {
				sources := r.sourcesOf(k)
				if err := r.createSources(ctx, k, dnu, sources); err != nil {
					return err
				}
				if !rows {
					return nil
				}
				for _, ds := range sources {
					if err := r.queueRows(p, ds); err != nil {
						return err
					}
				}
				return nil
			})
			continue
		}
		pnu, err := r.createPage(ctx, k, map[string]any{"type": "page_id", "page_id": nu}, nu)
		if err != nil {
			return err
		}
		p.add(func(ctx context.Context) error { return r.createChildren(ctx, p, k, pnu, rows) })
	}
	return nil
}

// createChildren creates the pages and databases placed in page id (new
// id nu), in their order. A page with blocks before its first child gets,
// under 2025-09-03, a placeholder block first: content is later inserted
// after it (that version inserts after a block, never at the start), and
// it is removed once the content exists. Under 2026-03-11 the content
// goes at the start instead (anchorLeading).
func (r *restorer) createChildren(ctx context.Context, p *pool, id, nu string, rows bool) error {
	kids := r.plan.placed[id]
	if len(kids) == 0 {
		return nil
	}
	if r.plan.leading[id] {
		if err := r.anchorLeading(ctx, id, nu); err != nil {
			return err
		}
	}
	return r.createPlaced(ctx, p, kids, nu, rows)
}

func placeholderKey(pageID string) string { return "placeholder:" + pageID }

func (r *restorer) placeholder(ctx context.Context, id, nu string) (string, error) {
	key := placeholderKey(id)
	return r.create(ctx, key, key, true, func(ctx context.Context) (string, error) {
		res, err := r.call(ctx, http.MethodPatch, "blocks/"+nu+"/children", map[string]any{"children": []any{emptyParagraph()}})
		if err != nil {
			return "", fmt.Errorf("page %s: placeholder: %w", id, err)
		}
		ids := resultIDs(res)
		if len(ids) != 1 {
			return "", fmt.Errorf("page %s: placeholder: unexpected answer", id)
		}
		return ids[0], nil
	}, func() (string, error) {
		kids, err := r.list(ctx, http.MethodGet, "blocks/"+nu+"/children", nil)
		if err != nil || len(kids) == 0 || kids[0]["type"] != "paragraph" || r.j.ours(idOf(kids[0])) {
			return "", err
		}
		return idOf(kids[0]), nil
	})
}

// createPage creates a page (a row when parent names a data source).
// container is the new id of the page or data source, for reconciling.
func (r *restorer) createPage(ctx context.Context, id string, parent map[string]any, container string) (string, error) {
	row := parent["type"] == "data_source_id"
	key := "page:" + id
	return r.create(ctx, key, id, true, func(ctx context.Context) (string, error) {
		pg, err := r.pageObject(id)
		if err != nil {
			return "", err
		}
		req, pending, err := r.pageRequest(ctx, pg, parent)
		if err != nil {
			return "", err
		}
		res, err := r.call(ctx, http.MethodPost, "pages", req)
		if err != nil {
			return "", fmt.Errorf("create page %s: %w", id, err)
		}
		if pending {
			r.addFixup(id)
		}
		r.mu.Lock()
		if row {
			r.rep.Rows++
		} else {
			r.rep.Pages++
		}
		r.mu.Unlock()
		r.progress(1)
		return idOf(res), nil
	}, func() (string, error) {
		pg, err := r.pageObject(id)
		if err != nil {
			return "", err
		}
		return r.findUnclaimed(ctx, container, row, pg.Object)
	})
}

// pageRequest is the create request of a page (a row when parent names a
// data source), its files uploaded; pending reports references to objects
// not created yet.
func (r *restorer) pageRequest(ctx context.Context, pg *layout.Page, parent map[string]any) (map[string]any, bool, error) {
	req := map[string]any{"parent": parent}
	var props map[string]any
	var pending bool
	var err error
	if parent["type"] == "data_source_id" {
		props, pending, err = r.rowProperties(ctx, pg, false)
	} else {
		props, pending = r.titleProperty(pg)
	}
	if err != nil {
		return nil, false, err
	}
	req["properties"] = props
	if err := r.iconCover(ctx, req, pg.Object, pg.Extra); err != nil {
		return nil, false, err
	}
	return req, pending, nil
}

// findUnclaimed looks, in a new container, for a page with the title of
// orig that the journal does not know: the answer to a create that was lost.
// Titles are compared by their typed text: mentions in them read back with
// the copy's titles.
func (r *restorer) findUnclaimed(ctx context.Context, container string, row bool, orig layout.Object) (string, error) {
	want := typedText(titleRichText(orig))
	var objs []layout.Object
	var err error
	if row {
		objs, err = r.listRows(ctx, container)
	} else {
		objs, err = r.list(ctx, http.MethodGet, "blocks/"+container+"/children", nil)
	}
	if err != nil {
		return "", err
	}
	for _, o := range objs {
		if r.j.ours(idOf(o)) {
			continue
		}
		switch {
		case row && typedText(titleRichText(o)) == want:
			return idOf(o), nil
		case !row && o["type"] == "child_page":
			cp, _ := o["child_page"].(map[string]any)
			if cp["title"] == layout.Title(orig) {
				return idOf(o), nil
			}
			// A title with mentions reads back differently: ask the page.
			if want != layout.Title(orig) {
				page, err := r.call(ctx, http.MethodGet, "pages/"+idOf(o), nil)
				if err != nil {
					return "", err
				}
				if typedText(titleRichText(page)) == want {
					return idOf(o), nil
				}
			}
		}
	}
	return "", nil
}

// titleRichText is the rich text of a page's title property.
func titleRichText(page layout.Object) any {
	props, _ := page["properties"].(map[string]any)
	for _, name := range sortedKeys(props) {
		if p, _ := props[name].(map[string]any); p["type"] == "title" {
			return p["title"]
		}
	}
	return nil
}

func (r *restorer) listRows(ctx context.Context, ds string) ([]layout.Object, error) {
	var out []layout.Object
	err := r.client.Paginate(ctx, http.MethodPost, "data_sources/"+ds+"/query", nil, map[string]any{}, func(l *notion.List) error {
		for _, raw := range l.Results {
			o, err := layout.Decode(raw)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	return out, err
}

// titleProperty is the title of a page that is not a row.
func (r *restorer) titleProperty(pg *layout.Page) (map[string]any, bool) {
	props, _ := pg.Object["properties"].(map[string]any)
	for name, v := range props {
		m, _ := v.(map[string]any)
		if m["type"] == "title" {
			st := &refState{}
			return map[string]any{name: map[string]any{"title": r.richText(m["title"], st)}}, st.pending
		}
	}
	return map[string]any{}, false
}

// iconCover adds an object's icon and cover to a create request.
func (r *restorer) iconCover(ctx context.Context, req map[string]any, obj layout.Object, extra layout.Extra) error {
	ctx = withUploadOwner(ctx, idOf(obj))
	if icon, ok := obj["icon"].(map[string]any); ok {
		ic, err := r.icon(ctx, extra, "/icon", icon)
		if err != nil {
			return err
		}
		if ic != nil {
			req["icon"] = ic
		}
	}
	if cover, ok := obj["cover"].(map[string]any); ok {
		c, err := r.fileObject(ctx, extra, "/cover", cover)
		if err != nil {
			return err
		}
		if c != nil {
			req["cover"] = c
		} else {
			r.count(r.rep.Substituted, "icon or cover without stored bytes → none")
		}
	}
	return nil
}

// createDatabase creates a database with its first data source's schema
// and returns its new id; createSources adds the other data sources.
func (r *restorer) createDatabase(ctx context.Context, id, newParent string) (string, error) {
	db := r.snap.Databases[id]
	title := func() string { return layout.PlainText(db.Object["title"]) }
	nu, err := r.create(ctx, "database:"+id, id, false, func(ctx context.Context) (string, error) {
		req, pending, err := r.databaseRequest(ctx, db, newParent)
		if err != nil {
			return "", err
		}
		res, err := r.call(ctx, http.MethodPost, "databases", req)
		if err != nil {
			return "", fmt.Errorf("create database %s: %w", id, err)
		}
		if pending {
			r.count(r.rep.External, "reference to an object restored later")
		}
		r.mu.Lock()
		r.rep.Databases++
		r.mu.Unlock()
		r.progress(1)
		return idOf(res), nil
	}, func() (string, error) {
		kids, err := r.list(ctx, http.MethodGet, "blocks/"+newParent+"/children", nil)
		if err != nil {
			return "", err
		}
		for _, o := range kids {
			cd, _ := o["child_database"].(map[string]any)
			if o["type"] == "child_database" && !r.j.ours(idOf(o)) && cd["title"] == title() {
				return idOf(o), nil
			}
		}
		return "", nil
	})
	return nu, err
}

// databaseRequest is the create request of a database in the new page
// newParent, with its first data source's schema, its files uploaded.
func (r *restorer) databaseRequest(ctx context.Context, db *layout.Database, newParent string) (map[string]any, bool, error) {
	st := &refState{}
	req := map[string]any{
		"parent":    map[string]any{"type": "page_id", "page_id": newParent},
		"title":     r.richText(db.Object["title"], st),
		"is_inline": db.Object["is_inline"] == true,
	}
	if d, ok := db.Object["description"].([]any); ok && len(d) > 0 {
		req["description"] = r.richText(d, st)
	}
	if err := r.iconCover(ctx, req, db.Object, db.Extra); err != nil {
		return nil, false, err
	}
	props := map[string]any{}
	if sources := r.sourcesOf(db.ID); len(sources) > 0 {
		props = r.schema(r.snap.DataSources[sources[0]], schemaInitial)
	}
	req["initial_data_source"] = map[string]any{"properties": props}
	return req, st.pending, nil
}

// sourcesOf lists the restored data sources of a database in its order.
func (r *restorer) sourcesOf(db string) []string {
	var out []string
	list, _ := r.snap.Databases[db].Object["data_sources"].([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		s, _ := m["id"].(string)
		if id, err := layout.ParseID(s); err == nil && r.plan.sources[id] {
			out = append(out, id)
		}
	}
	// Data sources whose database does not list them come last.
	for _, id := range sortedKeys(r.plan.sources) {
		if r.plan.container(r.snap.DataSources[id].Object) == db && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// createSources maps the database's first data source (created with it)
// and creates the others.
func (r *restorer) createSources(ctx context.Context, db, nu string, sources []string) error {
	if len(sources) == 0 {
		return nil
	}
	if _, ok := r.j.id(sources[0]); !ok {
		res, err := r.call(ctx, http.MethodGet, "databases/"+nu, nil)
		if err != nil {
			return fmt.Errorf("database %s: %w", db, err)
		}
		list, _ := res["data_sources"].([]any)
		if len(list) == 0 {
			return fmt.Errorf("database %s: created without a data source", db)
		}
		first, _ := list[0].(map[string]any)["id"].(string)
		if err := r.j.mapIDs(map[string]string{sources[0]: first}); err != nil {
			return err
		}
		r.mu.Lock()
		r.rep.DataSources++
		r.mu.Unlock()
	}
	for _, ds := range sources[1:] {
		if err := r.createSource(ctx, ds, nu); err != nil {
			return err
		}
	}
	// The first data source is created with its database's title and, as
	// far as can be told, its icon (the create carries neither for it): a
	// title or icon of its own, or no icon where the database has one, is
	// written now. A data source's description cannot be written through
	// the API.
	for i, ds := range sources {
		key := "source-text:" + ds
		if r.j.isDone(key) || i > 0 {
			r.countDescription(ds)
			continue
		}
		req, err := r.sourceText(ctx, db, ds)
		if err != nil {
			return err
		}
		if len(req) == 0 {
			continue
		}
		nds, _ := r.j.id(ds)
		if _, err := r.call(ctx, http.MethodPatch, "data_sources/"+nds, req); err != nil {
			return fmt.Errorf("data source %s: %w", ds, err)
		}
		if err := r.j.finish(key, nil); err != nil {
			return err
		}
	}
	return nil
}

// countDescription counts a data source's description, which the API
// cannot write.
func (r *restorer) countDescription(ds string) {
	if desc, _ := r.snap.DataSources[ds].Object["description"].([]any); len(desc) > 0 {
		r.count(r.rep.Substituted, "data source description → not restored (the API cannot write it)")
	}
}

// sourceText is the update that gives the first data source ds of database
// db its own title and icon; empty when it has its database's.
func (r *restorer) sourceText(ctx context.Context, db, ds string) (map[string]any, error) {
	r.countDescription(ds)
	db0, src := r.snap.Databases[db], r.snap.DataSources[ds]
	req := map[string]any{}
	if layout.PlainText(src.Object["title"]) != layout.PlainText(db0.Object["title"]) {
		req["title"] = r.richText(src.Object["title"], &refState{})
	}
	if !sameIcon(src.Object, src.Extra, db0.Object, db0.Extra) {
		ic, err := r.sourceIcon(ctx, src)
		if err != nil {
			return nil, err
		}
		req["icon"] = ic
	}
	return req, nil
}

// sourceIcon is a data source's icon in request form; nil (sent as null)
// when it has none, so that it does not take its database's.
func (r *restorer) sourceIcon(ctx context.Context, src *layout.DataSource) (any, error) {
	icon, ok := src.Object["icon"].(map[string]any)
	if !ok {
		return nil, nil
	}
	ic, err := r.icon(ctx, src.Extra, "/icon", icon)
	if ic == nil || err != nil {
		return nil, err
	}
	return ic, nil
}

// sameIcon reports whether two objects have the same icon: Notion-hosted
// ones by their stored bytes (their URLs are signed afresh on every read),
// others by their JSON.
func sameIcon(a layout.Object, ax layout.Extra, b layout.Object, bx layout.Extra) bool {
	ia, _ := a["icon"].(map[string]any)
	ib, _ := b["icon"].(map[string]any)
	if ia["type"] == "file" && ib["type"] == "file" {
		return ax.Files["/icon"].SHA256 != "" && ax.Files["/icon"].SHA256 == bx.Files["/icon"].SHA256
	}
	return reflect.DeepEqual(ia, ib)
}

// createSource creates one more data source in a database.
func (r *restorer) createSource(ctx context.Context, ds, nu string) error {
	{
		src := r.snap.DataSources[ds]
		_, err := r.create(ctx, "data_source:"+ds, ds, false, func(ctx context.Context) (string, error) {
			req, err := r.sourceRequest(ctx, src, nu)
			if err != nil {
				return "", err
			}
			res, err := r.call(ctx, http.MethodPost, "data_sources", req)
			if err != nil {
				return "", fmt.Errorf("create data source %s: %w", ds, err)
			}
			r.mu.Lock()
			r.rep.DataSources++
			r.mu.Unlock()
			return idOf(res), nil
		}, func() (string, error) {
			res, err := r.call(ctx, http.MethodGet, "databases/"+nu, nil)
			if err != nil {
				return "", err
			}
			list, _ := res["data_sources"].([]any)
			for _, x := range list {
				m, _ := x.(map[string]any)
				id, _ := m["id"].(string)
				if m["name"] == layout.PlainText(src.Object["title"]) && !r.j.ours(id) {
					return id, nil
				}
			}
			return "", nil
		})
		return err
	}
}

// sourceRequest is the create request of a data source other than its
// database's first, in the new database nu.
func (r *restorer) sourceRequest(ctx context.Context, src *layout.DataSource, nu string) (map[string]any, error) {
	req := map[string]any{
		"parent":     map[string]any{"type": "database_id", "database_id": nu},
		"title":      r.richText(src.Object["title"], &refState{}),
		"properties": r.schema(src, schemaInitial),
	}
	// Sent even when null: a data source without an icon must not take
	// its database's.
	ic, err := r.sourceIcon(ctx, src)
	if err != nil {
		return nil, err
	}
	req["icon"] = ic
	return req, nil
}

// createRows creates every row of every restored data source, oldest
// first, then what is placed in the rows. It starts from the databases the
// skeleton created; a database inside a row is created once its row
// exists, and its rows after it, at any depth. Rows are created several at
// a time, except rows of one data source with the same title: a create
// whose answer was lost is found again by its title, which must then name
// one row in flight.
func (r *restorer) createRows(ctx context.Context) error {
	p := newPool(ctx)
	for _, ds := range sortedKeys(r.plan.rows) {
		if r.plan.inRow[r.plan.container(r.snap.DataSources[ds].Object)] {
			continue
		}
		if err := r.queueRows(p, ds); err != nil {
			return err
		}
	}
	return p.run(r.opts.Concurrency)
}

// queueRows queues on p the creation of the rows of data source ds, which
// exists, and of what goes inside them.
func (r *restorer) queueRows(p *pool, ds string) error {
	nds, ok := r.j.id(ds)
	if !ok {
		return fmt.Errorf("data source %s was not created", ds)
	}
	parent := map[string]any{"type": "data_source_id", "data_source_id": nds}
	last := map[string]chan struct{}{} // by title: the row before
	for _, row := range r.plan.rows[ds] {
		title := r.plan.headers[row].Title
		before, done := last[title], make(chan struct{})
		last[title] = done
		p.add(func(ctx context.Context) error {
			if err := await(ctx, before); err != nil {
				return err
			}
			nu, err := r.createPage(ctx, row, parent, nds)
			if err != nil {
				return err
			}
			close(done)
			return r.createChildren(ctx, p, row, nu, true)
		})
	}
	return nil
}

// await waits until done is closed (at once for nil) or ctx ends.
func await(ctx context.Context, done <-chan struct{}) error {
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *restorer) addFixup(id string) {
	r.mu.Lock()
	r.fixups = append(r.fixups, id)
	r.mu.Unlock()
}

// resultIDs are the ids of a list answer's results, in order.
func resultIDs(res layout.Object) []string {
	list, _ := res["results"].([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		m, _ := x.(map[string]any)
		out = append(out, idOf(m))
	}
	return out
}
