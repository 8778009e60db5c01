package exporter

import (
	"net/http"
	"strings"
	"sync"

	"github.com/notion-git/notion-git/layout"
)

// mirror is what the READMEs need from the whole sync: names of the objects
// they link to, where attachment bytes are stored, and the rows encoded
// this run (the databases' READMEs list them).
type mirror struct {
	mu sync.Mutex
	// files maps each stored attachment's SHA-256 to its path, extension
	// included: the previous snapshot's files/ and those put this run.
	files layout.FileIndex
	// users holds the names of the users listed this run, and of those read
	// from the previous snapshot when the listing was refused.
	users map[string]string
	// rows holds the row pages encoded this run: their stored page.json in
	// the previous snapshot is out of date.
	rows map[string]layout.Row
	// rendered holds the pages whose README this run wrote, with the ids
	// their README named (see recorder).
	rendered map[string][]string
	// unsure holds the pages rendered this run that named an object the
	// sync did not know of yet (a page found further on in the crawl): they
	// are rendered again once the whole tree is known.
	unsure map[string]*layout.Page
	// upgrade is set when the previous snapshot is of an older format:
	// every README is written again and the attachments get their
	// extensions.
	upgrade bool
}

// exporterNames is the layout.Names of a sync.
type exporterNames struct{ x *exporter }

func (n exporterNames) Title(id string) (string, bool) {
	x := n.x
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, m := range []map[string]layout.Object{x.pages, x.sources, x.dbs} {
		if obj, ok := m[id]; ok && obj != nil {
			return layout.Title(obj), true
		}
	}
	// A database carried without a request is in the tree when one of its
	// data sources is (as putDataSources keeps it), under its stored title.
	if o, ok := x.prevObject(id); ok && o.Kind == layout.KindDatabase {
		for _, ds := range x.sources {
			if p, _ := parentOf(ds); p == id {
				return o.Title, true
			}
		}
	}
	// Anything else (a page found
	// further on in the crawl, one kept after a failed read) is known only
	// once the crawl is over: the page is rendered again then (see
	// recorder and finalNames).
	return "", false
}

func (n exporterNames) User(id string) (string, bool) {
	x := n.x
	x.mirror.mu.Lock()
	defer x.mirror.mu.Unlock()
	if name, ok := x.mirror.users[id]; ok {
		return name, name != ""
	}
	name := ""
	if b, err := x.prev.Read(layout.UserPath(id)); err == nil {
		if u, err := layout.Decode(b); err == nil {
			name, _ = u["name"].(string)
		}
	}
	x.mirror.users[id] = name
	return name, name != ""
}

func (n exporterNames) File(sha string) string {
	n.x.mirror.mu.Lock()
	defer n.x.mirror.mu.Unlock()
	return n.x.mirror.files[sha]
}

// finalNames answers titles from the new state: once the crawl is over it
// holds exactly the objects of the new tree.
type finalNames struct{ exporterNames }

func (n finalNames) Title(id string) (string, bool) {
	n.x.mu.Lock()
	defer n.x.mu.Unlock()
	o, ok := n.x.state.Objects[id]
	return o.Title, ok && !o.Pending()
}

// initMirror indexes the stored attachments and, when the previous snapshot
// is of format 1, renames its attachments to names with extensions. A
// rename puts the same bytes under the new name: git stores the blob once,
// so the upgrade adds trees, not bytes. Format 1 recorded no name or type
// for the bytes, so their extension comes from their content, sniffed.
func (x *exporter) initMirror() error {
	x.mirror.users = map[string]string{}
	x.mirror.rows = map[string]layout.Row{}
	x.mirror.rendered = map[string][]string{}
	x.mirror.unsure = map[string]*layout.Page{}
	paths := x.prev.PathsUnder(layout.FilesDir + "/")
	x.mirror.files = layout.IndexFiles(paths)
	if b, err := x.prev.Read(layout.MetaPath); err == nil {
		if m, err := layout.DecodeMeta(b); err == nil && m.FormatVersion < layout.FormatVersion {
			x.mirror.upgrade = true
		}
	}
	for _, p := range paths {
		info, ok := layout.ParsePath(p)
		if !ok || info.Kind != layout.PathFile || info.FileExt != "" {
			continue
		}
		x.mirror.upgrade = true
		data, err := x.prev.Read(p)
		if err != nil {
			return err
		}
		np := layout.FilePathExt(info.FileHash, layout.ChooseFileExt("", "", http.DetectContentType(data)))
		if err := x.put(np, data); err != nil {
			return &writeError{err}
		}
		if err := x.delete(p); err != nil {
			return &writeError{err}
		}
		x.written[np] = true
		x.mirror.files[info.FileHash] = np
	}
	return nil
}

// fileStored reports whether the bytes with this SHA-256 are in the tree,
// under any name.
func (x *exporter) fileStored(sha string) bool {
	x.mirror.mu.Lock()
	defer x.mirror.mu.Unlock()
	_, ok := x.mirror.files[sha]
	return ok
}

// filePathFor returns the path the bytes of ref are stored under: the
// path they already have, else one with the extension of the file's name,
// URL or content.
func (x *exporter) filePathFor(sha string, obj layout.Object, ref layout.FileRef, data []byte) string {
	x.mirror.mu.Lock()
	defer x.mirror.mu.Unlock()
	if p, ok := x.mirror.files[sha]; ok {
		return p
	}
	name := ""
	if i := strings.LastIndexByte(ref.Pointer, '/'); i >= 0 {
		if w, ok := layout.Lookup(obj, ref.Pointer[:i]); ok {
			m, _ := w.(map[string]any)
			name, _ = m["name"].(string)
		}
	}
	p := layout.FilePathExt(sha, layout.ChooseFileExt(name, ref.URL, http.DetectContentType(data)))
	x.mirror.files[sha] = p
	return p
}

// recorder is a layout.Names that notes the objects a README names.
type recorder struct {
	layout.Names
	ids    map[string]bool
	absent bool // one of them was not known
}

func (r *recorder) Title(id string) (string, bool) {
	r.ids[id] = true
	t, ok := r.Names.Title(id)
	r.absent = r.absent || !ok
	return t, ok
}

// links returns the ids noted, sorted.
func (r *recorder) links() []string { return sortedKeys(r.ids) }

// encodePage encodes a page's files, its README naming what it links to,
// and notes what the databases' READMEs need of it.
func (x *exporter) encodePage(page *layout.Page) (map[string][]byte, error) {
	rec := &recorder{Names: exporterNames{x}, ids: map[string]bool{}}
	files, err := layout.EncodePageNamed(page, rec)
	if err != nil {
		return nil, err
	}
	x.mirror.mu.Lock()
	x.mirror.rendered[page.ID] = rec.links()
	if rec.absent {
		x.mirror.unsure[page.ID] = page
	} else {
		delete(x.mirror.unsure, page.ID)
	}
	if parent, _ := page.Object["parent"].(map[string]any); parent["type"] == "data_source_id" {
		x.mirror.rows[page.ID] = layout.Row{ID: page.ID, Object: page.Object, Extra: page.Extra}
	}
	x.mirror.mu.Unlock()
	return files, nil
}

// writeReadmes writes the READMEs derived from more than one page: those of
// the data sources and databases whose rows or schema changed (or that have
// none yet), and, on an upgrade from an older format, every page's again.
//
// A page's README is otherwise written with the page: it shows the titles
// of the pages it links to as they were then, and is not written again
// when only they are renamed (that would need to know, for every page,
// which pages link to it). FORMAT.md says so.
func (x *exporter) writeReadmes() error {
	final := finalNames{exporterNames{x}}
	// What each README names goes into its page's state entry.
	for id, links := range x.mirror.rendered {
		if o, ok := x.state.Objects[id]; ok {
			o.Links = links
			x.state.Objects[id] = o
		}
	}
	// Objects whose title, or whose being in the tree, changed: the
	// READMEs that name them, written before, are written again.
	renamed := map[string]bool{}
	if x.prevState != nil {
		for id, o := range x.prevState.Objects {
			if n, ok := x.state.Objects[id]; !ok || n.Title != o.Title || n.Pending() != o.Pending() {
				renamed[id] = true
			}
		}
	}
	for id, o := range x.state.Objects {
		if old, ok := x.prevObject(id); !ok || old.Title != o.Title {
			renamed[id] = true
		}
	}
	again := func(id string, page *layout.Page) error {
		rec := &recorder{Names: final, ids: map[string]bool{}}
		md := layout.RenderPageNamed(page, rec)
		if _, now := x.mirror.rendered[id]; now {
			// Its README was put this run: what the previous snapshot
			// holds says nothing of it.
			if err := x.put(layout.PageReadmePath(id), md); err != nil {
				return &writeError{err}
			}
		} else if err := x.putIfChanged(layout.PageReadmePath(id), md); err != nil {
			return err
		}
		o := x.state.Objects[id]
		o.Links = rec.links()
		x.state.Objects[id] = o
		x.mirror.rendered[id] = o.Links
		return nil
	}
	for _, id := range sortedKeys(x.mirror.unsure) {
		if err := again(id, x.mirror.unsure[id]); err != nil {
			return err
		}
	}
	for _, id := range sortedKeys(x.state.Objects) {
		o := x.state.Objects[id]
		if _, done := x.mirror.rendered[id]; done || o.Kind != layout.KindPage || o.Pending() {
			continue
		}
		names := x.mirror.upgrade
		for _, l := range o.Links {
			names = names || renamed[l]
		}
		if !names || !x.pageStored(id) {
			continue
		}
		page, err := x.storedPage(id)
		if err != nil {
			return &writeError{err}
		}
		if err := again(id, page); err != nil {
			return err
		}
	}
	// The rows of each data source, from the state: it has every row's
	// title and parent, so choosing the rows to list reads nothing.
	rowsOf := map[string][]string{}
	touched := map[string]bool{}
	for id, o := range x.state.Objects {
		if o.Kind != layout.KindPage {
			continue
		}
		if p, ok := x.state.Objects[o.Parent]; ok && p.Kind == layout.KindDataSource {
			rowsOf[o.Parent] = append(rowsOf[o.Parent], id)
			_, rendered := x.mirror.rendered[id]
			if old, ok := x.prevObject(id); !ok || !old.Equal(o) || rendered {
				touched[o.Parent] = true
			}
		}
	}
	if x.prevState != nil {
		for id, o := range x.prevState.Objects {
			if _, kept := x.state.Objects[id]; !kept && o.Kind == layout.KindPage {
				touched[o.Parent] = true // a row that left
			}
		}
	}
	changed := func(id string) bool {
		old, ok := x.prevObject(id)
		return !ok || !old.Equal(x.state.Objects[id])
	}
	tables := map[string]layout.RowsTable{}
	table := func(id string) (layout.RowsTable, error) {
		if t, ok := tables[id]; ok {
			return t, nil
		}
		t, err := x.rowsTable(id, rowsOf[id])
		tables[id] = t
		return t, err
	}
	dbDirty := map[string]bool{}
	for _, id := range sortedKeys(x.state.Objects) {
		o := x.state.Objects[id]
		if o.Kind != layout.KindDataSource {
			continue
		}
		path := layout.DataSourceReadmePath(id)
		if !x.mirror.upgrade && !touched[id] && !changed(id) && !changed(o.Parent) && x.prev.Has(path) {
			continue
		}
		dbDirty[o.Parent] = true
		t, err := table(id)
		if err != nil {
			return err
		}
		if t.Source == nil {
			continue
		}
		if err := x.putIfChanged(path, layout.RenderDataSource(t, x.database(o.Parent), final)); err != nil {
			return err
		}
	}
	for _, id := range sortedKeys(x.state.Objects) {
		o := x.state.Objects[id]
		path := layout.DatabaseReadmePath(id)
		if o.Kind != layout.KindDatabase || !x.mirror.upgrade && !dbDirty[id] && !changed(id) && x.prev.Has(path) {
			continue
		}
		db := x.database(id)
		if db == nil {
			continue
		}
		var ts []layout.RowsTable
		for _, ds := range layout.DatabaseSources(db.Object) {
			if _, ok := x.state.Objects[ds]; !ok {
				continue
			}
			t, err := table(ds)
			if err != nil {
				return err
			}
			if t.Source != nil {
				ts = append(ts, t)
			}
		}
		if err := x.putIfChanged(path, layout.RenderDatabase(db, ts, final)); err != nil {
			return err
		}
	}
	return nil
}

// rowsTable gathers the rows a data source's README lists: at most
// layout.MaxReadmeRows, by title then id, each from this run's encoding or
// from the previous snapshot's page.json.
func (x *exporter) rowsTable(id string, rowIDs []string) (layout.RowsTable, error) {
	t := layout.RowsTable{Total: len(rowIDs)}
	x.mu.Lock()
	obj := x.sources[id]
	x.mu.Unlock()
	if obj == nil {
		var err error
		if obj, _, err = layout.ReadObject(x.prev, layout.DataSourcePath(id)); err != nil || obj == nil {
			return t, err
		}
	}
	t.Source = &layout.DataSource{ID: id, Object: obj}
	// The state's titles choose the rows, so that only those listed are read.
	byTitle := make([]layout.Row, 0, len(rowIDs))
	for _, rid := range rowIDs {
		byTitle = append(byTitle, layout.Row{ID: rid, Object: layout.Object{"properties": map[string]any{"t": map[string]any{"type": "title", "title": []any{map[string]any{"plain_text": x.state.Objects[rid].Title}}}}}})
	}
	layout.SortRows(byTitle)
	for _, r := range byTitle[:min(len(byTitle), layout.MaxReadmeRows)] {
		if row, ok := x.mirror.rows[r.ID]; ok {
			t.Rows = append(t.Rows, row)
			continue
		}
		b, err := x.prev.Read(layout.PagePath(r.ID))
		if err != nil {
			continue // not stored: a row whose first crawl failed
		}
		o, extra, _, err := layout.DecodeObjectFile(b, r.ID)
		if err != nil {
			return t, &writeError{err}
		}
		t.Rows = append(t.Rows, layout.Row{ID: r.ID, Object: o, Extra: extra})
	}
	return t, nil
}

// database returns a database with its views as the new snapshot holds
// them: fetched this run, else stored; nil when neither.
func (x *exporter) database(id string) *layout.Database {
	x.mu.Lock()
	obj := x.dbs[id]
	x.mu.Unlock()
	if obj != nil {
		x.views.mu.Lock()
		views, ok := x.views.byDB[id]
		x.views.mu.Unlock()
		if !ok {
			views = x.previousViews(id)
		}
		return &layout.Database{ID: id, Object: obj, Views: views}
	}
	obj, _, err := layout.ReadObject(x.prev, layout.DatabasePath(id))
	if err != nil || obj == nil {
		return nil
	}
	return &layout.Database{ID: id, Object: obj, Views: x.previousViews(id)}
}

// putIfChanged writes a README unless the previous snapshot holds the same.
func (x *exporter) putIfChanged(path string, data []byte) error {
	if x.prev.Same(path, data) {
		return nil
	}
	if err := x.put(path, data); err != nil {
		return &writeError{err}
	}
	return nil
}
