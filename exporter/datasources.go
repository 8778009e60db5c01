package exporter

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/notion-git/notion-git/layout"
)

// syncDataSources writes each listed data source's schema (the object search
// returned, so no request), fetches the database containers of new or
// changed data sources, and queries their rows. Rows of unchanged data
// sources come from the listing like any page.
func (x *exporter) syncDataSources(ctx context.Context) error {
	var wg sync.WaitGroup
	var firstErr error
	var errMu sync.Mutex
	setErr := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
	}
	dbWanted := map[string]bool{}
	for _, id := range sortedKeys(x.sources) {
		ds := x.sources[id]
		dbID, _ := parentOf(ds)
		if dbID == "" {
			continue
		}
		if x.changed(id, ds) || !x.prev.Has(layout.DatabasePath(dbID)) {
			dbWanted[dbID] = true
		}
	}
	for _, dbID := range sortedKeys(dbWanted) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := x.get(ctx, "databases/"+dbID)
			if err != nil {
				if ctx.Err() != nil {
					setErr(ctx.Err())
				}
				x.fail(dbID, layout.KindDatabase, err)
				return
			}
			x.fetchViews(ctx, dbID)
			x.mu.Lock()
			x.dbs[dbID] = db
			x.mu.Unlock()
		}()
	}
	wg.Wait()
	return firstErr
}

// filterFor is the scope's filter for a data source, by its own id or its
// database's.
func (x *exporter) filterFor(id string) json.RawMessage {
	var database string
	x.mu.Lock()
	if ds := x.sources[id]; ds != nil {
		database, _ = parentOf(ds)
	}
	x.mu.Unlock()
	return x.opts.Scope.filterFor(id, database)
}

// queryRows queries the rows of the data sources that need it, after the
// scope is applied so that out-of-scope data sources cost nothing.
//
// A data source with a scope filter is queried on every run: its rows are
// exactly what the filter returns, so the rows the listing found for it are
// set aside first.
func (x *exporter) queryRows(ctx context.Context) error {
	for id, row := range x.pages {
		if ds, kind := parentOf(row); kind == "data_source" && x.filterFor(ds) != nil {
			delete(x.pages, id)
		}
	}
	var wg sync.WaitGroup
	for _, id := range sortedKeys(x.sources) {
		filtered := x.filterFor(id) != nil
		if !filtered && !x.changed(id, x.sources[id]) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := x.queryDataSource(ctx, id); err != nil {
				x.fail(id, layout.KindDataSource, fmt.Errorf("query rows: %w", err))
				return
			}
			if filtered {
				x.mu.Lock()
				x.filtered[id] = true
				x.mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// queryDataSource lists every row of a data source. Notion stops a query at
// 10,000 results; the rows are sorted by created_time, so the query resumes
// from the last created_time seen. Rows sharing that minute are fetched
// twice and deduplicated; a single minute with more than 10,000 rows cannot
// be split and is reported.
func (x *exporter) queryDataSource(ctx context.Context, id string) error {
	userFilter := x.filterFor(id)
	since := ""
	for {
		body := map[string]any{
			"sorts": []any{map[string]any{"timestamp": "created_time", "direction": "ascending"}},
		}
		var filters []any
		if userFilter != nil {
			filters = append(filters, json.RawMessage(userFilter))
		}
		if since != "" {
			filters = append(filters, map[string]any{"timestamp": "created_time", "created_time": map[string]any{"on_or_after": since}})
		}
		switch len(filters) {
		case 1:
			body["filter"] = filters[0]
		case 2:
			body["filter"] = map[string]any{"and": filters}
		}
		latest := ""
		if err := x.acquire(ctx); err != nil {
			return err
		}
		last, err := x.list(ctx, http.MethodPost, "data_sources/"+id+"/query", nil, body, func(row layout.Object) error {
			rid, err := objectID(row)
			if err != nil {
				return err
			}
			if t, _ := row["created_time"].(string); t > latest {
				latest = t
			}
			if !isTrashed(row) {
				x.mu.Lock()
				x.pages[rid] = row
				x.mu.Unlock()
			}
			return nil
		})
		x.release()
		if err != nil {
			return err
		}
		if last == nil || !last.Incomplete() {
			return nil
		}
		if latest == "" || latest == since {
			return fmt.Errorf("more than 10,000 rows created in the minute %s: Notion's query limit cannot be split further", since)
		}
		since = latest
	}
}

// writeDataSources writes the schema files of the data sources and
// databases in scope, removes those that left, and records their state.
func (x *exporter) writeDataSources() error {
	states, keptDB, err := x.putDataSources()
	if err != nil {
		return err
	}
	for id, st := range states {
		x.state.Objects[id] = st
	}
	x.report.DataSources, x.report.Databases = len(x.sources), len(keptDB)
	if x.prevState == nil {
		return nil
	}
	for id, o := range x.prevState.Objects {
		switch {
		case o.Kind == layout.KindDataSource && x.sources[id] == nil && !x.keepFailed(id):
			if err := x.deleteDir(layout.DataSourceDir(id)); err != nil {
				return err
			}
		case o.Kind == layout.KindDatabase && !keptDB[id] && !x.keepFailed(id):
			if err := x.deleteDir(layout.DatabaseDir(id)); err != nil {
				return err
			}
		}
	}
	return nil
}

// putDataSources writes the schema files of the data sources and databases
// known so far and returns their state, with the previous state of those
// that could not be read. It writes the same bytes when called again, so a
// checkpoint calls it too: what was fetched before the crawl is kept.
func (x *exporter) putDataSources() (states map[string]layout.ObjectState, keptDB map[string]bool, err error) {
	x.mu.Lock()
	sources := make(map[string]layout.Object, len(x.sources))
	for id, ds := range x.sources {
		sources[id] = ds
	}
	dbs := make(map[string]layout.Object, len(x.dbs))
	for id, db := range x.dbs {
		dbs[id] = db
	}
	x.mu.Unlock()
	states = map[string]layout.ObjectState{}
	crawled := x.report.Started.Format(timeLayout)
	for _, id := range sortedKeys(sources) {
		ds := sources[id]
		files, err := layout.EncodeDataSource(&layout.DataSource{ID: id, Object: ds})
		if err != nil {
			return nil, nil, err
		}
		if err := x.putAll(files); err != nil {
			return nil, nil, err
		}
		dbID, _ := parentOf(ds)
		states[id] = x.unlessUnchanged(id, layout.ObjectState{Kind: layout.KindDataSource, LastEdited: lastEdited(ds),
			Crawled: crawled, Title: layout.Title(ds), Parent: dbID}, files)
	}
	keptDB = map[string]bool{}
	for _, id := range sortedKeys(sources) {
		dbID, _ := parentOf(sources[id])
		if dbID == "" || keptDB[dbID] {
			continue
		}
		keptDB[dbID] = true
		if db, ok := dbs[dbID]; ok {
			files, err := x.databaseFiles(dbID, db)
			if err != nil {
				return nil, nil, err
			}
			if err := x.putAll(files); err != nil {
				return nil, nil, err
			}
			states[dbID] = x.unlessUnchanged(dbID, layout.ObjectState{Kind: layout.KindDatabase, LastEdited: lastEdited(db),
				Crawled: crawled, Title: layout.Title(db), Parent: x.ownerOf(dbID, db)}, files)
		} else if old, ok := x.prevObject(dbID); ok {
			states[dbID] = old // carried over without a request
		}
	}
	if x.prevState != nil {
		for id, o := range x.prevState.Objects {
			if (o.Kind == layout.KindDataSource || o.Kind == layout.KindDatabase) && x.keepFailed(id) {
				states[id] = o
			}
		}
	}
	return states, keptDB, nil
}

// unlessUnchanged returns st, the entry of a data source or database fetched
// this run, or its previous entry when nothing of it changed: the same files
// and the same entry but for the crawl time. So a commit rewrites the state
// of changed objects only (the shards of layout.StateChanges).
func (x *exporter) unlessUnchanged(id string, st layout.ObjectState, files map[string][]byte) layout.ObjectState {
	old, ok := x.prevObject(id)
	if !ok || old.Pending() {
		return st
	}
	same := st
	same.Crawled = old.Crawled
	if !same.Equal(old) {
		return st
	}
	for p, b := range files {
		if !x.prev.Same(p, b) {
			return st
		}
	}
	return old
}

func (x *exporter) putAll(files map[string][]byte) error {
	for _, p := range sortedKeys(files) {
		if err := x.put(p, files[p]); err != nil {
			return err
		}
	}
	return nil
}
