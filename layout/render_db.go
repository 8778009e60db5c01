package layout

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// MaxReadmeRows caps the rows a database's or data source's README lists:
// a table of 100,000 rows is no page anyone reads on github.com, and
// rendering it would read every row's page.json on every change of one.
const MaxReadmeRows = 1000

// Row is one row of a data source as its README shows it: the row page's
// object (its properties) and Extra (where its files are stored).
type Row struct {
	ID     string
	Object Object
	Extra  Extra
}

// SortRows orders rows as the READMEs list them: by title, then id. Notion's
// own order (a view's sorts, or the manual order) is not in the API's
// objects; a title order is one people can scan.
func SortRows(rows []Row) {
	slices.SortFunc(rows, func(a, b Row) int {
		return cmp.Or(strings.Compare(Title(a.Object), Title(b.Object)), strings.Compare(a.ID, b.ID))
	})
}

// RowsTable is the rows of one data source for its README: at most
// MaxReadmeRows of them, sorted (SortRows), and how many there are in all.
type RowsTable struct {
	Source *DataSource
	Rows   []Row
	Total  int
}

// RenderDataSource renders a data source's README: its title, the database
// that holds it, and its rows. db may be nil (a data source whose database
// is not stored); its views, when stored, choose the columns.
func RenderDataSource(t RowsTable, db *Database, names Names) []byte {
	r := &renderer{names: names, root: "../../", page: &Page{}}
	title := orUntitled(Title(t.Source.Object))
	r.line("# " + iconPrefix(t.Source.Object) + escapeText(title))
	r.blank("")
	if db != nil {
		r.line("A data source of " + r.databaseLink(db.ID, Title(db.Object), "") + ".")
		r.blank("")
	}
	r.description(t.Source.Object)
	r.rows(t, db)
	return r.bytes()
}

// RenderDatabase renders a database's README: its title and description,
// then the rows of each of its data sources, in the database's order.
func RenderDatabase(d *Database, tables []RowsTable, names Names) []byte {
	r := &renderer{names: names, root: "../../", page: &Page{}}
	r.line("# " + iconPrefix(d.Object) + escapeText(orUntitled(Title(d.Object))))
	r.blank("")
	r.description(d.Object)
	if len(d.Views) > 0 {
		var views []string
		for _, v := range d.Views {
			name, _ := v.Object["name"].(string)
			typ, _ := v.Object["type"].(string)
			views = append(views, escapeText(orUntitled(name))+" ("+escapeText(typ)+")")
		}
		r.line("Views: " + strings.Join(views, ", ") + ".")
		r.blank("")
	}
	if len(tables) == 0 {
		r.note("", "No data source of this database is in the backup")
	}
	for _, t := range tables {
		if len(tables) > 1 {
			r.line("## " + r.dataSourceLink(t.Source))
			r.blank("")
		}
		r.rows(t, d)
	}
	return r.bytes()
}

// dataSourceLink links a data source's README under its title.
func (r *renderer) dataSourceLink(ds *DataSource) string {
	return "[" + escapeText(orUntitled(Title(ds.Object))) + "](" + r.root + DataSourceReadmePath(ds.ID) + ")"
}

// description writes a database's or data source's description, if any.
func (r *renderer) description(obj Object) {
	if d := r.richText(obj["description"]); strings.TrimSpace(d) != "" {
		r.line(d)
		r.blank("")
	}
}

// rows writes the table of a data source's rows, each title linking to the
// row page's README, and says how many rows it leaves out.
func (r *renderer) rows(t RowsTable, db *Database) {
	titleName, cols := Columns(t.Source, db)
	if len(t.Rows) == 0 {
		r.note("", "No rows")
		return
	}
	head := []string{tableCell(escapeText(orUntitled(titleName)))}
	for _, c := range cols {
		head = append(head, tableCell(escapeText(c)))
	}
	r.line("| " + strings.Join(head, " | ") + " |")
	r.line("|" + strings.Repeat(" --- |", len(head)))
	for _, row := range t.Rows {
		r.page = &Page{ID: row.ID, Object: row.Object, Extra: row.Extra}
		props, _ := row.Object["properties"].(map[string]any)
		link := "[" + escapeText(orUntitled(Title(row.Object))) + "](" + r.root + PageReadmePath(row.ID) + ")"
		cells := []string{tableCell(link)}
		for _, c := range cols {
			v, _ := props[c].(map[string]any)
			cells = append(cells, tableCell(r.propertyValue(v, propertyPointer(c))))
		}
		r.line("| " + strings.Join(cells, " | ") + " |")
	}
	r.page = &Page{}
	r.blank("")
	if left := t.Total - len(t.Rows); left > 0 {
		r.note("", strconv.Itoa(left)+" more rows are not listed here (this table shows "+strconv.Itoa(len(t.Rows))+" of "+strconv.Itoa(t.Total)+", by title); each row is a page under pages/")
	}
}

// Columns returns the name of a data source's title property and the other
// properties its README shows, in order: the visible properties of the
// first stored view of the data source that lists them, in that view's
// order, else every property of the schema by name.
func Columns(ds *DataSource, db *Database) (title string, cols []string) {
	schema, _ := ds.Object["properties"].(map[string]any)
	byID := map[string]string{}
	var all []string
	for name, v := range schema {
		m, _ := v.(map[string]any)
		if m["type"] == "title" {
			title = name
			continue
		}
		all = append(all, name)
		if id, ok := m["id"].(string); ok {
			byID[id] = name
		}
	}
	slices.Sort(all)
	if db != nil {
		for _, v := range db.Views {
			if v.Object["data_source_id"] != ds.ID {
				continue
			}
			conf, _ := v.Object["configuration"].(map[string]any)
			list := asList(conf["properties"])
			if len(list) == 0 {
				continue
			}
			seen := map[string]bool{}
			for _, p := range list {
				m, _ := p.(map[string]any)
				id, _ := m["property_id"].(string)
				name, ok := byID[id]
				if !ok || m["visible"] == false || seen[name] {
					continue // the title, a property gone from the schema, or hidden
				}
				seen[name] = true
				cols = append(cols, name)
			}
			return title, cols
		}
	}
	return title, all
}

// snapshotNames is the Names of a whole snapshot: what EncodeSnapshot's
// READMEs show.
type snapshotNames struct {
	s       *Snapshot
	objects map[string]ObjectState
}

func (n snapshotNames) Title(id string) (string, bool) {
	o, ok := n.objects[id]
	return o.Title, ok
}

func (n snapshotNames) User(id string) (string, bool) {
	name, _ := n.s.Users[id]["name"].(string)
	return name, name != ""
}

// File names the stored path even when the snapshot holds no bytes for it
// (a tree read without files/): the object says they were stored.
func (n snapshotNames) File(sha string) string { return n.s.StoredFile(sha) }

// Names returns the names a snapshot's READMEs show: the titles of its
// pages, databases and data sources, its users' names, its files' paths.
func (s *Snapshot) Names() Names { return snapshotNames{s, s.Objects()} }

// Tables returns, for each data source of the snapshot, its rows as its
// README lists them.
func (s *Snapshot) Tables() map[string]RowsTable {
	out := map[string]RowsTable{}
	for id, ds := range s.DataSources {
		out[id] = RowsTable{Source: ds}
	}
	for id, p := range s.Pages {
		parent, _ := p.Object["parent"].(map[string]any)
		if parent["type"] != "data_source_id" {
			continue
		}
		dsID, err := ParseID(scalarText(parent["data_source_id"]))
		t, ok := out[dsID]
		if err != nil || !ok {
			continue
		}
		t.Rows = append(t.Rows, Row{ID: id, Object: p.Object, Extra: p.Extra})
		out[dsID] = t
	}
	for id, t := range out {
		SortRows(t.Rows)
		t.Total = len(t.Rows)
		t.Rows = t.Rows[:min(len(t.Rows), MaxReadmeRows)]
		out[id] = t
	}
	return out
}

// DatabaseSources returns the ids of a database's data sources in the
// order its object lists them.
func DatabaseSources(db Object) []string {
	var ids []string
	for _, v := range asList(db["data_sources"]) {
		m, _ := v.(map[string]any)
		if id, err := ParseID(scalarText(m["id"])); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}
