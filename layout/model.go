package layout

// FormatVersion is the version of the layout this package writes. It reads
// it and every version from MinFormatVersion on (see FORMAT.md).
const FormatVersion = 2

// MinFormatVersion is the oldest version of the layout this package reads:
// format 1 differs only in attachment names (no extension) and in its
// READMEs, which are derived.
const MinFormatVersion = 1

// APIVersion is the Notion API version whose JSON the layout stores.
const APIVersion = "2025-09-03"

// ReservedKey is the key, in every object file, that holds notion-git's own
// additions (Extra and child order), so that the API's fields stay untouched.
const ReservedKey = "notion_git"

// Snapshot is a whole workspace as stored in one commit.
type Snapshot struct {
	Meta        Meta
	State       *State // nil when the tree has no .notion-git/state.json
	Pages       map[string]*Page
	Databases   map[string]*Database
	DataSources map[string]*DataSource
	Users       map[string]Object
	Files       map[string]int64 // sha256 -> size of each file under files/
	// FilePaths maps the sha256 of each file under files/ to its path, which
	// holds its extension (see StoredFile); set by the decoders.
	FilePaths map[string]string

	// lazy is set by OpenSnapshot: the pages' blocks and comments stay in
	// the source and are decoded one page at a time (see PageContent).
	lazy *lazyContent
}

// NewSnapshot returns an empty snapshot with its maps made.
func NewSnapshot(meta Meta) *Snapshot {
	return &Snapshot{
		Meta:        meta,
		Pages:       map[string]*Page{},
		Databases:   map[string]*Database{},
		DataSources: map[string]*DataSource{},
		Users:       map[string]Object{},
		Files:       map[string]int64{},
		FilePaths:   map[string]string{},
	}
}

// Page is a page (a database row included) with all of its blocks and
// comments: the unit that a sync rewrites. In a snapshot from OpenSnapshot,
// Blocks and Comments are nil; PageContent decodes them.
type Page struct {
	ID       string
	Object   Object            // the API's page object, normalised
	Children []string          // ids of the top-level blocks, in order
	Blocks   map[string]*Block // every block of the page, at any depth
	Comments []*Comment        // sorted by created_time, then id
	Extra    Extra
}

// Block is one block; its children are blocks of the same page.
type Block struct {
	ID       string
	Object   Object   // the API's block object, normalised
	Children []string // ids of the child blocks, in order
	Extra    Extra
}

// Comment is one comment on a page or on one of its blocks. It has an Extra
// because comment attachments are Notion-hosted files.
type Comment struct {
	ID     string
	Object Object
	Extra  Extra
}

// Database is a database container; its schema lives in its data sources.
type Database struct {
	ID     string
	Object Object
	Extra  Extra
	// Views are the database's views in tab order; nil when none were
	// stored (a snapshot made before views were backed up has none).
	Views []*View
}

// View is one view of a database: the Views API's object.
type View struct {
	ID     string
	Object Object
	Extra  Extra
}

// DataSource is a data source: a schema whose rows are pages.
type DataSource struct {
	ID     string
	Object Object
	Extra  Extra
}

// Extra is notion-git's own information about an object, stored under
// ReservedKey next to the API's fields. Child order is kept apart, in the
// model's Children fields.
type Extra struct {
	// Files maps the JSON Pointer of each Notion-hosted file object inside
	// the object (see FileRefs) to what was stored for it.
	Files map[string]FileInfo `json:"files,omitempty"`
	// Incomplete lists what could not be read, so a partial copy is never
	// mistaken for a whole one.
	Incomplete []Incomplete `json:"incomplete,omitempty"`
	// PropertyItemsComplete marks a page whose properties were completed
	// beyond the 25 references a page object carries.
	PropertyItemsComplete bool `json:"property_items_complete,omitempty"`
}

// FileInfo says where the bytes of one Notion-hosted file are: files/ by
// SHA-256, or nowhere and why.
type FileInfo struct {
	SHA256  string `json:"sha256,omitempty"`
	Size    int64  `json:"size,omitempty"`
	Skipped string `json:"skipped,omitempty"` // why the bytes were not stored
}

// Incomplete records one part of an object that could not be read.
type Incomplete struct {
	What   string `json:"what"`   // e.g. "children", "comments", "property:Tags"
	Reason string `json:"reason"` // the error or limit, for people
}

// reserved is the on-disk form of the reserved key.
type reserved struct {
	Children []string `json:"children,omitempty"`
	// Views is the tab order of a database's views (database.json only).
	Views []string `json:"views,omitempty"`
	Extra
}

// Meta is notion-git.json: what wrote the tree and for which workspace.
type Meta struct {
	FormatVersion int    `json:"format_version"`
	APIVersion    string `json:"api_version"`
	Bot           Object `json:"bot,omitempty"` // the integration's user object
	WorkspaceName string `json:"workspace_name,omitempty"`
}
