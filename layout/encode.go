package layout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// EncodePage returns every file of the page's directory (page.json, one file
// per block and per comment, README.md) keyed by repository-relative path.
// Objects are written normalised without being copied or changed; p is not
// modified. Its README knows nothing around the page (RenderPage);
// EncodePageNamed names what it links to.
func EncodePage(p *Page) (map[string][]byte, error) { return EncodePageNamed(p, nil) }

// EncodePageNamed is EncodePage with the README rendered by
// RenderPageNamed.
func EncodePageNamed(p *Page, names Names) (map[string][]byte, error) {
	if !IsID(p.ID) {
		return nil, fmt.Errorf("page %q: %w", truncate(p.ID, 80), ErrBadID)
	}
	if err := checkTree(p); err != nil {
		return nil, err
	}
	files := make(map[string][]byte, 2+len(p.Blocks)+len(p.Comments))
	path := PagePath(p.ID)
	b, err := encodeObject(p.ID, p.Object, p.Children, p.Extra)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	files[path] = b
	for id, blk := range p.Blocks {
		path := BlockPath(p.ID, id)
		if blk.ID != id {
			return nil, fmt.Errorf("%s: block is filed under id %s", path, blk.ID)
		}
		b, err := encodeObject(id, blk.Object, blk.Children, blk.Extra)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		files[path] = b
	}
	for _, c := range p.Comments {
		if !IsID(c.ID) {
			return nil, fmt.Errorf("%s: comment %q: %w", path, truncate(c.ID, 80), ErrBadID)
		}
		path := CommentPath(p.ID, c.ID)
		if _, dup := files[path]; dup {
			return nil, fmt.Errorf("%s: comment listed twice", path)
		}
		b, err := encodeObject(c.ID, c.Object, nil, c.Extra)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		files[path] = b
	}
	files[PageReadmePath(p.ID)] = RenderPageNamed(p, names)
	return files, nil
}

// EncodeDatabase returns the files of a database, keyed by path: its
// database.json, which holds the tab order of its views, and one file per
// view.
func EncodeDatabase(d *Database) (map[string][]byte, error) {
	if !IsID(d.ID) {
		return nil, fmt.Errorf("database %q: %w", truncate(d.ID, 80), ErrBadID)
	}
	path := DatabasePath(d.ID)
	files := make(map[string][]byte, 1+len(d.Views))
	order := make([]string, 0, len(d.Views))
	for _, v := range d.Views {
		if v == nil || !IsID(v.ID) {
			return nil, fmt.Errorf("%s: view: %w", path, ErrBadID)
		}
		vp := ViewPath(d.ID, v.ID)
		if _, dup := files[vp]; dup {
			return nil, fmt.Errorf("%s: view listed twice", vp)
		}
		b, err := encodeObject(v.ID, v.Object, nil, v.Extra)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", vp, err)
		}
		files[vp] = b
		order = append(order, v.ID)
	}
	b, err := encodeReserved(d.ID, d.Object, reserved{Views: order, Extra: d.Extra})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	files[path] = b
	return files, nil
}

// EncodeDataSource returns the file of a data source, keyed by its path.
func EncodeDataSource(ds *DataSource) (map[string][]byte, error) {
	if !IsID(ds.ID) {
		return nil, fmt.Errorf("data source %q: %w", truncate(ds.ID, 80), ErrBadID)
	}
	path := DataSourcePath(ds.ID)
	b, err := encodeObject(ds.ID, ds.Object, nil, ds.Extra)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return map[string][]byte{path: b}, nil
}

// EncodeUser returns the file of a user object, keyed by its path.
func EncodeUser(u Object) (map[string][]byte, error) {
	s, _ := u["id"].(string)
	id, err := ParseID(s)
	if err != nil {
		return nil, fmt.Errorf("user: %w", err)
	}
	path := UserPath(id)
	b, err := encodeObject(id, u, nil, Extra{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return map[string][]byte{path: b}, nil
}

// EncodeMeta returns the bytes of notion-git.json.
func EncodeMeta(m Meta) ([]byte, error) {
	if m.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%s: format version %d, this notion-git writes %d", MetaPath, m.FormatVersion, FormatVersion)
	}
	if m.Bot != nil {
		m.Bot = clone(m.Bot).(map[string]any)
		Normalize(m.Bot)
	}
	return Canonical(m)
}

// EncodeSnapshot returns every file of the layout but the attachment bytes
// under files/, which the layout only names: the whole tree of a full sync.
func EncodeSnapshot(s *Snapshot) (map[string][]byte, error) {
	files := map[string][]byte{}
	add := func(m map[string][]byte, err error) error {
		for p, b := range m {
			files[p] = b
		}
		return err
	}
	meta := s.Meta
	meta.FormatVersion = FormatVersion // a tree read in an older format is written in this one
	b, err := EncodeMeta(meta)
	if err != nil {
		return nil, err
	}
	files[MetaPath] = b
	names := s.Names()
	if s.State != nil {
		state, err := EncodeStateFiles(s.State)
		if err != nil {
			return nil, err
		}
		for p, b := range state {
			files[p] = b
		}
	}
	for id, p := range s.Pages {
		if p.ID != id {
			return nil, fmt.Errorf("page %s is filed under id %s", p.ID, id)
		}
		if err := add(EncodePageNamed(p, names)); err != nil {
			return nil, err
		}
	}
	for id, d := range s.Databases {
		if d.ID != id {
			return nil, fmt.Errorf("database %s is filed under id %s", d.ID, id)
		}
		if err := add(EncodeDatabase(d)); err != nil {
			return nil, err
		}
	}
	tables := s.Tables()
	for id, d := range s.Databases {
		var ts []RowsTable
		for _, ds := range DatabaseSources(d.Object) {
			if t, ok := tables[ds]; ok {
				ts = append(ts, t)
			}
		}
		files[DatabaseReadmePath(id)] = RenderDatabase(d, ts, names)
	}
	for id, t := range tables {
		dbID := ""
		if parent, _ := t.Source.Object["parent"].(map[string]any); parent["type"] == "database_id" {
			dbID, _ = ParseID(scalarText(parent["database_id"]))
		}
		files[DataSourceReadmePath(id)] = RenderDataSource(t, s.Databases[dbID], names)
	}
	for id, ds := range s.DataSources {
		if ds.ID != id {
			return nil, fmt.Errorf("data source %s is filed under id %s", ds.ID, id)
		}
		if err := add(EncodeDataSource(ds)); err != nil {
			return nil, err
		}
	}
	for id, u := range s.Users {
		m, err := EncodeUser(u)
		if err != nil {
			return nil, err
		}
		if _, ok := m[UserPath(id)]; !ok {
			return nil, fmt.Errorf("user %v is filed under id %s", u["id"], id)
		}
		add(m, nil)
	}
	files[IndexPath] = EncodeIndex(s.Meta.WorkspaceName, s.Objects())
	return files, nil
}

// encodeObject writes one object file: the API object, normalised, with
// notion-git's additions under ReservedKey.
func encodeObject(id string, obj Object, children []string, extra Extra) ([]byte, error) {
	return encodeReserved(id, obj, reserved{Children: children, Extra: extra})
}

// encodeReserved is encodeObject with the whole reserved member given.
func encodeReserved(id string, obj Object, r reserved) ([]byte, error) {
	children, extra := r.Children, r.Extra
	if obj == nil {
		return nil, fmt.Errorf("no object")
	}
	if _, ok := obj[ReservedKey]; ok {
		// The API never sends it; letting it through would mix the two.
		return nil, fmt.Errorf("the object already has the reserved key %q", ReservedKey)
	}
	objID, _ := obj["id"].(string)
	if objID != id {
		return nil, fmt.Errorf("object id %q does not match %s", truncate(objID, 80), id)
	}
	for _, c := range children {
		if !IsID(c) {
			return nil, fmt.Errorf("child %q: %w", truncate(c, 80), ErrBadID)
		}
	}
	if err := extra.validate(); err != nil {
		return nil, err
	}
	var rp *reserved
	if !r.empty() {
		rp = &r
	}
	w := writers.Get().(*canonicalWriter)
	defer writers.Put(w)
	w.buf, w.keys = w.buf[:0], w.keys[:0]
	switch err := w.object(obj, rp); {
	case err == nil:
		// The writer's buffer is reused: the file gets a copy of its size.
		return bytes.Clone(w.buf), nil
	case errors.Is(err, errSlowPath):
		return encodeReservedSlow(obj, r)
	default:
		return nil, err
	}
}

// writers keeps the canonical writers' buffers from one object to the next:
// a page of blocks is thousands of small files.
var writers = sync.Pool{New: func() any { return new(canonicalWriter) }}

// encodeReservedSlow normalises a copy of obj and encodes it through
// encoding/json: what the canonical writer does without the copy, kept for
// the values the writer leaves to encoding/json and as the reference its
// tests compare it with.
func encodeReservedSlow(obj Object, r reserved) ([]byte, error) {
	out := clone(obj).(map[string]any)
	Normalize(out)
	if !r.empty() {
		raw, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		if out[ReservedKey], err = decodeAny(raw); err != nil {
			return nil, err
		}
	}
	return Canonical(out)
}

// empty reports whether there is nothing to write under ReservedKey.
func (r reserved) empty() bool {
	return len(r.Children) == 0 && len(r.Views) == 0 && len(r.Files) == 0 && len(r.Incomplete) == 0 && !r.PropertyItemsComplete
}

// validate checks Extra's invariants: file pointers are JSON Pointers, and
// every stored file is named by a SHA-256 that can become a path.
func (e Extra) validate() error {
	for ptr, f := range e.Files {
		if !strings.HasPrefix(ptr, "/") {
			return fmt.Errorf("files: %q is not a JSON Pointer", truncate(ptr, 80))
		}
		switch {
		case f.SHA256 != "" && f.Skipped != "":
			return fmt.Errorf("files: %s: both stored and skipped", ptr)
		case f.SHA256 != "" && !isSHA256(f.SHA256):
			return fmt.Errorf("files: %s: sha256 %q is not lowercase hex SHA-256", ptr, truncate(f.SHA256, 80))
		case f.SHA256 == "" && f.Skipped == "":
			return fmt.Errorf("files: %s: neither stored nor skipped", ptr)
		case f.Size < 0:
			return fmt.Errorf("files: %s: negative size", ptr)
		}
	}
	return nil
}

// checkTree checks that a page's blocks form a tree: every child id names a
// block of the page, every block is reached exactly once from the page.
func checkTree(p *Page) error {
	seen := make(map[string]bool, len(p.Blocks))
	var walk func(parentPath string, children []string) error
	walk = func(parentPath string, children []string) error {
		for _, id := range children {
			blk, ok := p.Blocks[id]
			if !ok || blk == nil {
				return fmt.Errorf("%s: child block %q has no file", parentPath, truncate(id, 80))
			}
			if seen[id] {
				return fmt.Errorf("%s: block %s is listed as a child twice", parentPath, id)
			}
			seen[id] = true
			if err := walk(BlockPath(p.ID, id), blk.Children); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(PagePath(p.ID), p.Children); err != nil {
		return err
	}
	if len(seen) != len(p.Blocks) {
		var orphans []string
		for id := range p.Blocks {
			if !seen[id] {
				orphans = append(orphans, id)
			}
		}
		slices.Sort(orphans)
		return fmt.Errorf("%s: block is not reachable from the page's children", BlockPath(p.ID, truncate(orphans[0], 80)))
	}
	return nil
}

// Clone deep-copies an object, so that normalising or editing the copy never
// touches the original.
func Clone(o Object) Object { return clone(map[string]any(o)).(map[string]any) }

// clone deep-copies generic JSON, so that normalising never touches the
// caller's objects.
func clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = clone(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = clone(e)
		}
		return s
	default:
		return v
	}
}
