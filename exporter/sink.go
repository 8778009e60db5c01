package exporter

import "github.com/notion-git/notion-git/layout"

// Previous is the snapshot a sync starts from, read-only. A nil Previous is
// an empty repository.
type Previous interface {
	// Read returns the bytes of a file.
	Read(path string) ([]byte, error)
	// Has reports whether a file exists.
	Has(path string) bool
	// PathsUnder lists the files below a folder, sorted.
	PathsUnder(dir string) []string
	// Same reports whether path holds exactly data.
	Same(path string, data []byte) bool
}

// Sink receives the new snapshot as changes to Previous. Calls are
// serialised by the exporter.
type Sink interface {
	Put(path string, data []byte) error
	Delete(path string) error
	DeleteDir(dir string) error
}

// emptyPrevious is the Previous of a repository without a snapshot.
type emptyPrevious struct{}

func (emptyPrevious) Read(path string) ([]byte, error) { return nil, errNoFile(path) }
func (emptyPrevious) Has(string) bool                  { return false }
func (emptyPrevious) PathsUnder(string) []string       { return nil }
func (emptyPrevious) Same(string, []byte) bool         { return false }

type errNoFile string

func (e errNoFile) Error() string { return string(e) + ": no such file" }

// folderLister is a Previous that can tell whether a folder exists from the
// folder above it (gitrepo's lazy snapshot): asking whether each listed page
// is stored then reads pages/ once instead of every page's folder.
type folderLister interface {
	HasDir(dir string) bool
}

// pageStored reports whether the previous snapshot holds a page. A page's
// folder is written whole, page.json with it, so the folder stands for it.
func (x *exporter) pageStored(id string) bool {
	if f, ok := x.prev.(folderLister); ok {
		return f.HasDir(layout.PageDir(id))
	}
	return x.prev.Has(layout.PagePath(id))
}
