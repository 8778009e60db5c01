package layout

import "strings"

// Fixed paths of the layout, relative to the repository root.
const (
	MetaPath  = "notion-git.json"
	StatePath = ".notion-git/state.json"
	// StateDir holds the objects of the sync state, sharded by the first
	// two hex digits of their ids (see StateShardPath).
	StateDir = ".notion-git/state"
	// ScopePath is the owner's sync rules (see package exporter).
	ScopePath = ".notion-git/scope.json"
	IndexPath = "README.md"
)

// Top-level directories of the layout, and the names inside them. Only the
// builders below and ParsePath spell them: every other package asks.
const (
	pagesDir       = "pages"
	databasesDir   = "databases"
	dataSourcesDir = "data_sources"
	usersDir       = "users"
	filesDir       = "files"

	blocksDir      = "blocks"
	commentsDir    = "comments"
	viewsDir       = "views"
	pageFile       = "page.json"
	readmeFile     = "README.md"
	databaseFile   = "database.json"
	dataSourceFile = "data_source.json"
	jsonExt        = ".json"
)

// PageDir is the directory holding every file of a page.
func PageDir(id string) string { return pagesDir + "/" + id }

// PagePath is the path of a page's page.json.
func PagePath(id string) string { return PageDir(id) + "/" + pageFile }

// PageReadmePath is the path of a page's rendered Markdown.
func PageReadmePath(id string) string { return PageDir(id) + "/" + readmeFile }

// BlockPath is the path of one block of a page.
func BlockPath(pageID, blockID string) string {
	return PageDir(pageID) + "/" + blocksDir + "/" + blockID + jsonExt
}

// CommentPath is the path of one comment of a page.
func CommentPath(pageID, commentID string) string {
	return PageDir(pageID) + "/" + commentsDir + "/" + commentID + jsonExt
}

// DatabaseDir is the directory of a database.
func DatabaseDir(id string) string { return databasesDir + "/" + id }

// DatabasePath is the path of a database's database.json.
func DatabasePath(id string) string { return DatabaseDir(id) + "/" + databaseFile }

// DatabaseReadmePath is the path of a database's rendered Markdown: its
// rows, by data source.
func DatabaseReadmePath(id string) string { return DatabaseDir(id) + "/" + readmeFile }

// DataSourceReadmePath is the path of a data source's rendered Markdown.
func DataSourceReadmePath(id string) string { return DataSourceDir(id) + "/" + readmeFile }

// ViewsDir is the directory holding a database's views.
func ViewsDir(databaseID string) string { return DatabaseDir(databaseID) + "/" + viewsDir }

// ViewPath is the path of one view of a database.
func ViewPath(databaseID, viewID string) string {
	return ViewsDir(databaseID) + "/" + viewID + jsonExt
}

// DataSourceDir is the directory of a data source.
func DataSourceDir(id string) string { return dataSourcesDir + "/" + id }

// DataSourcePath is the path of a data source's data_source.json.
func DataSourcePath(id string) string { return DataSourceDir(id) + "/" + dataSourceFile }

// UsersDir is the directory holding every user file.
const UsersDir = usersDir

// PagesDir is the directory holding every page's folder.
const PagesDir = pagesDir

// UserPath is the path of one user.
func UserPath(id string) string { return usersDir + "/" + id + jsonExt }

// FilesDir is the directory holding every attachment's bytes.
const FilesDir = filesDir

// FilePath is the format 1 path of an attachment's bytes, named by their
// SHA-256 in lowercase hex, fanned out by its first two digits, without an
// extension. Format 2 writes FilePathExt; both are read.
func FilePath(sha string) string { return filesDir + "/" + sha[:2] + "/" + sha }

// FilePathExt is the path of an attachment's bytes under an extension
// (CleanExt): files/<sha256[:2]>/<sha256>.<ext>. An empty ext gives the
// format 1 name.
func FilePathExt(sha, ext string) string {
	if ext == "" {
		return FilePath(sha)
	}
	return FilePath(sha) + "." + ext
}

// StateShard is the shard of the sync state that holds an object's entry:
// the first two hex digits of its id.
func StateShard(id string) string { return id[:2] }

// StateShardPath is the path of one shard of the sync state.
func StateShardPath(shard string) string { return StateDir + "/" + shard + jsonExt }

// isShardName reports whether s names a shard: two lowercase hex digits.
func isShardName(s string) bool {
	return len(s) == 2 && isLowerHex(s[0]) && isLowerHex(s[1])
}

func isLowerHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

// IsIgnoredPath reports whether a path belongs to the repository's owner,
// not to the layout: dot-paths other than .notion-git/ (CI workflows,
// .gitattributes) are left alone and never read.
func IsIgnoredPath(p string) bool {
	return strings.HasPrefix(p, ".") && !strings.HasPrefix(p, ".notion-git/")
}

// PathKind says what a file of the layout is.
type PathKind uint8

// The kinds of file in the layout (see FORMAT.md).
const (
	PathUnknown          PathKind = iota // not a file of the layout
	PathMeta                             // notion-git.json
	PathState                            // .notion-git/state.json
	PathScope                            // .notion-git/scope.json
	PathIndex                            // README.md at the root
	PathPage                             // pages/<page-id>/page.json
	PathPageReadme                       // pages/<page-id>/README.md
	PathBlock                            // pages/<page-id>/blocks/<block-id>.json
	PathComment                          // pages/<page-id>/comments/<comment-id>.json
	PathDatabase                         // databases/<database-id>/database.json
	PathDataSource                       // data_sources/<data-source-id>/data_source.json
	PathUser                             // users/<user-id>.json
	PathFile                             // files/<sha256[:2]>/<sha256>[.<ext>]
	PathView                             // databases/<database-id>/views/<view-id>.json
	PathStateShard                       // .notion-git/state/<two hex digits>.json
	PathDatabaseReadme                   // databases/<database-id>/README.md
	PathDataSourceReadme                 // data_sources/<data-source-id>/README.md
)

var pathKindNames = [...]string{
	PathUnknown: "unknown", PathMeta: "meta", PathState: "state", PathScope: "scope",
	PathIndex: "index", PathPage: "page", PathPageReadme: "page readme", PathBlock: "block",
	PathComment: "comment", PathDatabase: "database", PathDataSource: "data source",
	PathUser: "user", PathFile: "file", PathView: "view", PathStateShard: "state shard",
	PathDatabaseReadme: "database readme", PathDataSourceReadme: "data source readme",
}

// String names the kind for messages and tests.
func (k PathKind) String() string {
	if int(k) < len(pathKindNames) {
		return pathKindNames[k]
	}
	return "unknown"
}

// PathInfo is what a path of the layout names. Only the ids of its kind
// are set: a block has PageID and BlockID, a user UserID, an attachment
// FileHash.
type PathInfo struct {
	Kind         PathKind
	PageID       string // the page whose folder holds the file
	BlockID      string
	CommentID    string
	DatabaseID   string
	DataSourceID string
	UserID       string
	FileHash     string // lowercase hex SHA-256 of an attachment
	FileExt      string // its extension, "" for a format 1 name
	ViewID       string
	StateShard   string // two lowercase hex digits: the ids whose entries the shard holds
}

// ParsePath tells what the file at p is and which ids its path names; ok
// is false for a path that is no file of the layout. Ids must be canonical
// (as the builders write them), so ParsePath(info.Path()) gives info back
// and no accepted path can name "..".
//
// A path inside a page folder that is no file of a page ("pages/<id>/x")
// is not ok, but its PageID is still set, so that a caller can tell which
// page a stray file belongs to. Owner's dot-files (IsIgnoredPath) are not
// files of the layout.
func ParsePath(p string) (info PathInfo, ok bool) {
	switch p {
	case MetaPath:
		return PathInfo{Kind: PathMeta}, true
	case StatePath:
		return PathInfo{Kind: PathState}, true
	case ScopePath:
		return PathInfo{Kind: PathScope}, true
	case IndexPath:
		return PathInfo{Kind: PathIndex}, true
	}
	if name, ok := strings.CutPrefix(p, StateDir+"/"); ok {
		if shard, ok := strings.CutSuffix(name, jsonExt); ok && isShardName(shard) {
			return PathInfo{Kind: PathStateShard, StateShard: shard}, true
		}
		return PathInfo{}, false
	}
	top, rest, _ := strings.Cut(p, "/")
	switch top {
	case pagesDir:
		return parsePagePath(rest)
	case databasesDir:
		if id, ok := idFolder(rest, databaseFile); ok {
			return PathInfo{Kind: PathDatabase, DatabaseID: id}, true
		}
		if id, ok := idFolder(rest, readmeFile); ok {
			return PathInfo{Kind: PathDatabaseReadme, DatabaseID: id}, true
		}
		db, inside, _ := strings.Cut(rest, "/")
		dir, name, _ := strings.Cut(inside, "/")
		if view, ok := idFile(name); ok && dir == viewsDir && IsID(db) {
			return PathInfo{Kind: PathView, DatabaseID: db, ViewID: view}, true
		}
	case dataSourcesDir:
		if id, ok := idFolder(rest, dataSourceFile); ok {
			return PathInfo{Kind: PathDataSource, DataSourceID: id}, true
		}
		if id, ok := idFolder(rest, readmeFile); ok {
			return PathInfo{Kind: PathDataSourceReadme, DataSourceID: id}, true
		}
	case usersDir:
		if id, ok := idFile(rest); ok {
			return PathInfo{Kind: PathUser, UserID: id}, true
		}
	case filesDir:
		fan, name, _ := strings.Cut(rest, "/")
		sha, ext, dotted := strings.Cut(name, ".")
		if isSHA256(sha) && fan == sha[:2] && (!dotted || ext != "" && CleanExt(ext) == ext) {
			return PathInfo{Kind: PathFile, FileHash: sha, FileExt: ext}, true
		}
	}
	return PathInfo{}, false
}

// parsePagePath parses what follows "pages/".
func parsePagePath(rest string) (PathInfo, bool) {
	id, inside, found := strings.Cut(rest, "/")
	if !found || !IsID(id) {
		return PathInfo{}, false
	}
	info := PathInfo{PageID: id}
	switch inside {
	case pageFile:
		info.Kind = PathPage
		return info, true
	case readmeFile:
		info.Kind = PathPageReadme
		return info, true
	}
	dir, name, _ := strings.Cut(inside, "/")
	child, ok := idFile(name)
	switch {
	case ok && dir == blocksDir:
		info.Kind, info.BlockID = PathBlock, child
		return info, true
	case ok && dir == commentsDir:
		info.Kind, info.CommentID = PathComment, child
		return info, true
	}
	return info, false // a stray file in the page's folder
}

// idFolder parses "<id>/<file>".
func idFolder(rest, file string) (string, bool) {
	id, name, _ := strings.Cut(rest, "/")
	return id, name == file && IsID(id)
}

// idFile parses "<id>.json".
func idFile(name string) (string, bool) {
	id, ok := strings.CutSuffix(name, jsonExt)
	return id, ok && IsID(id)
}

// Path builds the path that info names: the inverse of ParsePath. It is ""
// for PathUnknown.
func (info PathInfo) Path() string {
	switch info.Kind {
	case PathMeta:
		return MetaPath
	case PathState:
		return StatePath
	case PathScope:
		return ScopePath
	case PathIndex:
		return IndexPath
	case PathPage:
		return PagePath(info.PageID)
	case PathPageReadme:
		return PageReadmePath(info.PageID)
	case PathBlock:
		return BlockPath(info.PageID, info.BlockID)
	case PathComment:
		return CommentPath(info.PageID, info.CommentID)
	case PathDatabase:
		return DatabasePath(info.DatabaseID)
	case PathDataSource:
		return DataSourcePath(info.DataSourceID)
	case PathUser:
		return UserPath(info.UserID)
	case PathFile:
		return FilePathExt(info.FileHash, info.FileExt)
	case PathView:
		return ViewPath(info.DatabaseID, info.ViewID)
	case PathStateShard:
		return StateShardPath(info.StateShard)
	case PathDatabaseReadme:
		return DatabaseReadmePath(info.DatabaseID)
	case PathDataSourceReadme:
		return DataSourceReadmePath(info.DataSourceID)
	}
	return ""
}

// ObjectID is the id of the object the file holds (a page, block,
// comment, database, data source, user or view), "" for other files.
func (info PathInfo) ObjectID() string {
	switch info.Kind {
	case PathPage:
		return info.PageID
	case PathBlock:
		return info.BlockID
	case PathComment:
		return info.CommentID
	case PathDatabase:
		return info.DatabaseID
	case PathDataSource:
		return info.DataSourceID
	case PathUser:
		return info.UserID
	case PathView:
		return info.ViewID
	}
	return ""
}
