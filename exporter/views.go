package exporter

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/notion-git/notion-git/layout"
)

// viewSet holds the views read this run, by database. A database's views
// are read when the database itself is fetched (new, or one of its data
// sources changed); otherwise its stored views are carried over with it.
// Views have no last_edited_time outside their own object, so reading
// them on every run would cost a listing per database per run.
type viewSet struct {
	mu     sync.Mutex
	byDB   map[string][]*layout.View
	failed map[string]string // database id -> why its views could not be read
}

// fetchViews reads the views of database db: one listing, which returns
// ids only, then one GET per view, in the listing's (tab) order.
func (x *exporter) fetchViews(ctx context.Context, db string) {
	var ids []string
	err := x.acquire(ctx)
	if err == nil {
		_, err = x.list(ctx, http.MethodGet, "views", map[string][]string{"database_id": {db}}, nil, func(ref layout.Object) error {
			id, err := objectID(ref)
			if err == nil {
				ids = append(ids, id)
			}
			return err
		})
		x.release()
	}
	var views []*layout.View
	for _, id := range ids {
		if err != nil {
			break
		}
		var v layout.Object
		if v, err = x.get(ctx, "views/"+id); err == nil {
			if got, _ := objectID(v); got != id {
				err = fmt.Errorf("GET views/%s answered view %v", id, v["id"])
			}
			views = append(views, &layout.View{ID: id, Object: v})
		}
	}
	x.views.mu.Lock()
	defer x.views.mu.Unlock()
	if x.views.byDB == nil {
		x.views.byDB, x.views.failed = map[string][]*layout.View{}, map[string]string{}
	}
	if err != nil {
		x.views.failed[db] = fmt.Sprintf("views: %s", reason(err))
		return
	}
	x.views.byDB[db] = views
}

// databaseFiles returns the files of a database fetched this run, with the
// views read for it, and removes the view files of the previous snapshot
// that are gone.
func (x *exporter) databaseFiles(id string, obj layout.Object) (map[string][]byte, error) {
	d := &layout.Database{ID: id, Object: obj}
	x.views.mu.Lock()
	d.Views = x.views.byDB[id]
	why, bad := x.views.failed[id]
	x.views.mu.Unlock()
	if bad {
		// What the last sync stored is kept rather than lost to a failed
		// read, and the database says its views may be stale.
		d.Views = x.previousViews(id)
		d.Extra.Incomplete = append(d.Extra.Incomplete, layout.Incomplete{What: "views", Reason: why})
	}
	files, err := layout.EncodeDatabase(d)
	if err != nil {
		return nil, err
	}
	for _, p := range x.prev.PathsUnder(layout.ViewsDir(id)) {
		if _, kept := files[p]; !kept {
			if err := x.delete(p); err != nil {
				return nil, err
			}
		}
	}
	return files, nil
}

// previousViews reads the views the previous snapshot stored for a
// database, in their order; none when it stored none or cannot be read.
func (x *exporter) previousViews(id string) []*layout.View {
	tree := layout.MapSource{layout.MetaPath: []byte(`{"format_version":1,"api_version":"` + layout.APIVersion + `"}`)}
	for _, p := range append([]string{layout.DatabasePath(id)}, x.prev.PathsUnder(layout.ViewsDir(id))...) {
		b, err := x.prev.Read(p)
		if err != nil {
			return nil
		}
		tree[p] = b
	}
	snap, err := layout.DecodeSnapshot(tree)
	if err != nil || snap.Databases[id] == nil {
		return nil
	}
	return snap.Databases[id].Views
}
