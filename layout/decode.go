package layout

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// ErrNoLayout is returned by DecodeSnapshot for a tree without notion-git.json.
var ErrNoLayout = errors.New("not a notion-git layout (no " + MetaPath + ")")

// Source is a tree of files to decode: a git tree, a directory, a map.
type Source interface {
	Paths() []string
	Read(path string) ([]byte, error)
}

// FileSource reads single files of a tree without listing it: a commit
// read on demand, the snapshot a sync starts from.
type FileSource interface {
	Has(path string) bool
	Read(path string) ([]byte, error)
}

// Sizer is implemented by a Source that knows a file's size without reading
// it; DecodeSnapshot uses it for files/, whose bytes it never needs.
type Sizer interface {
	Size(path string) (int64, error)
}

// MapSource is a Source over an in-memory tree, e.g. the output of EncodePage.
type MapSource map[string][]byte

// Paths returns the paths of the tree, sorted.
func (m MapSource) Paths() []string { return slices.Sorted(maps.Keys(m)) }

// Read returns the bytes at path.
func (m MapSource) Read(path string) ([]byte, error) {
	b, ok := m[path]
	if !ok {
		return nil, fmt.Errorf("%s: no such file", path)
	}
	return b, nil
}

// Has reports whether path is a file of the tree.
func (m MapSource) Has(path string) bool {
	_, ok := m[path]
	return ok
}

// Size returns the length of the bytes at path.
func (m MapSource) Size(path string) (int64, error) {
	b, ok := m[path]
	if !ok {
		return 0, fmt.Errorf("%s: no such file", path)
	}
	return int64(len(b)), nil
}

// pathSet is the files of a Source that one step reads, as a FileSource.
type pathSet map[string]bool

func (p pathSet) of(src Source) FileSource { return pathSource{src, p} }

type pathSource struct {
	Source
	paths pathSet
}

func (s pathSource) Has(path string) bool { return s.paths[path] }

// DecodeSnapshot reads a whole tree into a Snapshot. README.md files are
// derived and ignored; files/ contributes sizes only. Every malformed file,
// id that does not match its path, unknown path or broken block tree is an
// error that names the path.
func DecodeSnapshot(src Source) (*Snapshot, error) {
	return decodeSnapshot(src, false)
}

// decodeSnapshot is DecodeSnapshot; with lazy, each page's blocks and
// comments are checked and then dropped, leaving an Outline (see
// OpenSnapshot).
func decodeSnapshot(src Source, lazy bool) (*Snapshot, error) {
	s := NewSnapshot(Meta{})
	pageFiles := map[string][]string{} // page id -> its block and comment paths
	viewFiles := map[string][]string{} // database id -> its view paths
	viewOrder := map[string][]string{} // database id -> notion_git.views
	haveMeta := false
	statePaths := pathSet{}
	for _, path := range src.Paths() {
		if IsIgnoredPath(path) {
			continue
		}
		info, known := ParsePath(path)
		var err error
		switch info.Kind {
		case PathIndex, PathPageReadme, PathDatabaseReadme, PathDataSourceReadme:
			// Derived from the objects; never read back.
		case PathMeta:
			haveMeta = true
			err = decodeMetaFile(src, s)
		case PathScope:
			// The owner's sync rules; the exporter reads them.
		case PathState, PathStateShard:
			// Read below, the header and its shards together.
			statePaths[path] = true
		case PathPage:
			if _, ok := s.Pages[info.PageID]; !ok {
				// Filled below, once all paths are known. The id is a
				// part of the path; copied, it does not hold the path.
				s.Pages[strings.Clone(info.PageID)] = nil
			}
		case PathBlock, PathComment:
			pageFiles[info.PageID] = append(pageFiles[info.PageID], path)
		case PathDatabase:
			var d Database
			var r reserved
			var b []byte
			if b, err = src.Read(path); err == nil {
				if d.Object, r, err = decodeReserved(b, info.DatabaseID); err == nil && r.Children != nil {
					err = fmt.Errorf("%s: a database has no children", ReservedKey)
				}
			}
			if err == nil {
				d.ID, d.Extra = info.DatabaseID, r.Extra
				s.Databases[d.ID] = &d
				viewOrder[d.ID] = r.Views
			}
		case PathView:
			viewFiles[info.DatabaseID] = append(viewFiles[info.DatabaseID], path)
		case PathDataSource:
			var ds DataSource
			if ds.Object, ds.Extra, _, err = readObject(src, path, info.DataSourceID); err == nil {
				ds.ID = info.DataSourceID
				s.DataSources[ds.ID] = &ds
			}
		case PathUser:
			var u Object
			var extra Extra
			if u, extra, _, err = readObject(src, path, info.UserID); err == nil {
				if !extra.isZero() {
					err = fmt.Errorf("unexpected %q in a user", ReservedKey)
				}
				s.Users[info.UserID] = u
			}
		case PathFile:
			s.Files[info.FileHash], err = sizeOf(src, path)
			if old, dup := s.FilePaths[info.FileHash]; !dup || path < old {
				s.FilePaths[info.FileHash] = path
			}
		}
		switch {
		case known:
		case info.PageID != "":
			err = errors.New("unknown path in a page directory")
		default:
			err = errors.New("unknown path")
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if !haveMeta {
		return nil, ErrNoLayout
	}
	if len(statePaths) > 0 {
		var err error
		if s.State, err = ReadState(statePaths.of(src)); err != nil {
			return nil, err
		}
	}
	if err := decodeViews(src, s, viewFiles, viewOrder); err != nil {
		return nil, err
	}
	for id := range pageFiles {
		if _, ok := s.Pages[id]; !ok {
			return nil, fmt.Errorf("%s: missing, but the page has other files", PagePath(id))
		}
	}
	var in interner
	if lazy {
		s.lazy = &lazyContent{src: src, outlines: make(map[string]*Outline, len(s.Pages)), headers: make(map[string]*PageHeader, len(s.Pages))}
		in = interner{}
		for id := range s.Pages {
			in[id] = id
		}
	}
	for id := range s.Pages {
		read := readObject
		if lazy {
			// The outline needs only a few fields of each block and comment.
			read = readOutlineObject
		}
		p, err := decodePageWith(src, id, pageFiles[id], read)
		if err != nil {
			return nil, err
		}
		if lazy {
			s.lazy.outlines[id] = compactOutline(p, in)
			h := HeaderOf(p.Object)
			h.ParentID, h.Mentions = in.get(h.ParentID), internAll(h.Mentions, in)
			s.lazy.headers[id] = h
			p = &Page{ID: id}
		}
		s.Pages[id] = p
	}
	return s, nil
}

// decodePage reads one page directory: page.json and the given block and
// comment paths.
func decodePage(src Source, id string, paths []string) (*Page, error) {
	return decodePageWith(src, id, paths, readObject)
}

// decodePageWith is decodePage reading block and comment files with read.
func decodePageWith(src Source, id string, paths []string, read objectReader) (*Page, error) {
	p, err := readPageWith(src, id, paths, read)
	if err != nil {
		return nil, err
	}
	if err := checkTree(p); err != nil {
		return nil, err
	}
	SortComments(p.Comments)
	return p, nil
}

// readPage reads page.json and the given block and comment paths of one
// page, without checking its block tree.
func readPage(src Source, id string, paths []string) (*Page, error) {
	return readPageWith(src, id, paths, readObject)
}

// objectReader reads one object file: readObject, or readOutlineObject.
type objectReader func(src Source, path, id string) (Object, Extra, []string, error)

func readPageWith(src Source, id string, paths []string, read objectReader) (*Page, error) {
	p := &Page{ID: id, Blocks: map[string]*Block{}}
	path := PagePath(id)
	var err error
	if p.Object, p.Extra, p.Children, err = readObject(src, path, id); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := readPageFiles(src, p, paths, read); err != nil {
		return nil, err
	}
	return p, nil
}

// readPageFiles reads the given block and comment paths of page p into it.
func readPageFiles(src Source, p *Page, paths []string, read objectReader) error {
	for _, path := range paths {
		info, _ := ParsePath(path)
		childID := info.ObjectID()
		obj, extra, children, err := read(src, path, childID)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if info.Kind == PathBlock {
			p.Blocks[childID] = &Block{ID: childID, Object: obj, Children: children, Extra: extra}
			continue
		}
		if children != nil {
			return fmt.Errorf("%s: a comment has no children", path)
		}
		p.Comments = append(p.Comments, &Comment{ID: childID, Object: obj, Extra: extra})
	}
	return nil
}

// SortComments puts comments in their stored order: by created_time, then id.
func SortComments(cs []*Comment) {
	slices.SortFunc(cs, func(a, b *Comment) int {
		ta, _ := a.Object["created_time"].(string)
		tb, _ := b.Object["created_time"].(string)
		return cmp.Or(strings.Compare(ta, tb), strings.Compare(a.ID, b.ID))
	})
}

// readObject reads one object file and splits the reserved key from the
// API's fields, checking that the object's id is the one its path names.
func readObject(src Source, path, id string) (Object, Extra, []string, error) {
	b, err := src.Read(path)
	if err != nil {
		return nil, Extra{}, nil, err
	}
	return decodeObject(b, id)
}

// decodeViews reads the view files of every database, in the tab order its
// database.json lists: every listed view has a file, every file is listed
// once, and every view file belongs to a database of the tree.
func decodeViews(src Source, s *Snapshot, files, order map[string][]string) error {
	for db, paths := range files {
		if s.Databases[db] == nil {
			return fmt.Errorf("%s: the view's database has no %s", paths[0], DatabasePath(db))
		}
	}
	for db, ids := range order {
		have := map[string]bool{}
		for _, p := range files[db] {
			have[p] = true
		}
		views := make([]*View, 0, len(ids))
		for _, id := range ids {
			path := ViewPath(db, id)
			if !have[path] {
				return fmt.Errorf("%s: %s.views: view %s has no file", DatabasePath(db), ReservedKey, id)
			}
			delete(have, path)
			obj, extra, children, err := readObject(src, path, id)
			if err == nil && children != nil {
				err = errors.New("a view has no children")
			}
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			views = append(views, &View{ID: id, Object: obj, Extra: extra})
		}
		for path := range have {
			return fmt.Errorf("%s: not listed in %s.views of %s", path, ReservedKey, DatabasePath(db))
		}
		if len(views) > 0 {
			s.Databases[db].Views = views
		}
	}
	return nil
}

// decodeObject parses one object file (see readObject).
func decodeObject(b []byte, id string) (Object, Extra, []string, error) {
	obj, r, err := decodeReserved(b, id)
	if err != nil {
		return nil, Extra{}, nil, err
	}
	if r.Views != nil && obj["object"] != "database" {
		return nil, Extra{}, nil, fmt.Errorf("%s: views: only a database has views", ReservedKey)
	}
	return obj, r.Extra, r.Children, nil
}

// decodeReserved parses one object file and its reserved member whole.
func decodeReserved(b []byte, id string) (Object, reserved, error) {
	obj, err := Decode(b)
	if err != nil {
		return nil, reserved{}, err
	}
	if objID, _ := obj["id"].(string); objID != id {
		return nil, reserved{}, fmt.Errorf("id %q does not match the path", truncate(objID, 80))
	}
	var r reserved
	if raw, ok := obj[ReservedKey]; ok {
		delete(obj, ReservedKey)
		b, err := json.Marshal(raw)
		if err != nil {
			return nil, reserved{}, err
		}
		if r, err = parseReserved(b); err != nil {
			return nil, reserved{}, err
		}
	}
	return obj, r, nil
}

// parseReserved parses and checks the reserved member of an object file.
func parseReserved(b []byte) (reserved, error) {
	var r reserved
	if err := decodeStrict(b, &r); err != nil {
		return reserved{}, fmt.Errorf("%s: %w", ReservedKey, err)
	}
	if err := r.Extra.validate(); err != nil {
		return reserved{}, fmt.Errorf("%s: %w", ReservedKey, err)
	}
	for _, c := range append(slices.Clone(r.Children), r.Views...) {
		if !IsID(c) {
			return reserved{}, fmt.Errorf("%s: children: %q: %w", ReservedKey, truncate(c, 80), ErrBadID)
		}
	}
	if len(r.Children) == 0 {
		r.Children = nil
	}
	if len(r.Views) == 0 {
		r.Views = nil
	}
	return r, nil
}

// decodeMetaFile reads notion-git.json into s.Meta.
func decodeMetaFile(src Source, s *Snapshot) error {
	b, err := src.Read(MetaPath)
	if err != nil {
		return err
	}
	m, err := DecodeMeta(b)
	if err != nil {
		return err
	}
	s.Meta = m
	return nil
}

// DecodeMeta parses notion-git.json, refusing a format this code does not know.
func DecodeMeta(b []byte) (Meta, error) {
	// The version is checked before anything else, so that a newer layout
	// gets a clear message rather than an unknown-field error.
	var v struct {
		FormatVersion json.Number `json:"format_version"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return Meta{}, err
	}
	if v.FormatVersion == "" {
		return Meta{}, errors.New("no format_version")
	}
	if n, err := strconv.Atoi(v.FormatVersion.String()); err != nil || n < MinFormatVersion || n > FormatVersion {
		return Meta{}, fmt.Errorf("format version %q: this notion-git reads formats %d to %d; a newer notion-git wrote this tree", v.FormatVersion, MinFormatVersion, FormatVersion)
	}
	var m Meta
	if err := decodeStrict(b, &m); err != nil {
		return Meta{}, err
	}
	return m, nil
}

// sizeOf returns a file's size, without reading it when the source can tell.
func sizeOf(src Source, path string) (int64, error) {
	if sz, ok := src.(Sizer); ok {
		return sz.Size(path)
	}
	b, err := src.Read(path)
	return int64(len(b)), err
}

// isZero reports whether e holds nothing.
func (e Extra) isZero() bool {
	return len(e.Files) == 0 && len(e.Incomplete) == 0 && !e.PropertyItemsComplete
}

// DecodePage reads one page directory from src, given the paths under
// pages/<id>/ (README.md and other derived files are skipped). A sync uses it
// to rewrite a page whose object changed without re-fetching its blocks. A
// path that is no file of a page is an error, as in DecodeSnapshot.
func DecodePage(src Source, id string, paths []string) (*Page, error) {
	var files []string
	for _, p := range paths {
		info, ok := ParsePath(p)
		switch {
		case ok && info.PageID == id && (info.Kind == PathBlock || info.Kind == PathComment):
			files = append(files, p)
		case ok && info.PageID == id:
			// page.json is read by decodePage; README.md is derived.
		default:
			return nil, fmt.Errorf("%s: unknown path in a page directory", p)
		}
	}
	return decodePage(src, id, files)
}

// ReadObject reads and decodes the object file at path (a page.json, a block,
// a comment, a database.json, a data_source.json or a user), checking its id
// against the path; ok is false when src has no such file.
func ReadObject(src FileSource, path string) (obj Object, ok bool, err error) {
	info, known := ParsePath(path)
	if !known || info.ObjectID() == "" {
		return nil, false, fmt.Errorf("%s: not an object file of the layout", path)
	}
	if !src.Has(path) {
		return nil, false, nil
	}
	b, err := src.Read(path)
	if err != nil {
		return nil, false, err
	}
	if obj, _, _, err = decodeObject(b, info.ObjectID()); err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	return obj, true, nil
}

// DecodeObjectFile splits one object file into the API's object, notion-git's
// Extra and child order, checking that its id is id.
func DecodeObjectFile(b []byte, id string) (Object, Extra, []string, error) {
	return decodeObject(b, id)
}

var (
	_ Source     = MapSource(nil)
	_ FileSource = MapSource(nil)
	_ Sizer      = MapSource(nil)
)
