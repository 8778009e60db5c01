package layout

import "strings"

// Fixed paths of the layout, relative to the repository root.
const (
	MetaPath  = "notion-git.json"
	StatePath = ".notion-git/state.json"
	// ScopePath is the owner's sync rules (see package exporter).
	ScopePath = ".notion-git/scope.json"
	IndexPath = "README.md"
)

// Top-level directories of the layout.
const (
	pagesDir       = "pages"
	databasesDir   = "databases"
	dataSourcesDir = "data_sources"
	usersDir       = "users"
	filesDir       = "files"
)

// PageDir is the directory holding every file of a page.
func PageDir(id string) string { return pagesDir + "/" + id }

// PagePath is the path of a page's page.json.
func PagePath(id string) string { return PageDir(id) + "/page.json" }

// PageReadmePath is the path of a page's rendered Markdown.
func PageReadmePath(id string) string { return PageDir(id) + "/README.md" }

// BlockPath is the path of one block of a page.
func BlockPath(pageID, blockID string) string {
	return PageDir(pageID) + "/blocks/" + blockID + ".json"
}

// CommentPath is the path of one comment of a page.
func CommentPath(pageID, commentID string) string {
	return PageDir(pageID) + "/comments/" + commentID + ".json"
}

// DatabaseDir is the directory of a database.
func DatabaseDir(id string) string { return databasesDir + "/" + id }

// DatabasePath is the path of a database's database.json.
func DatabasePath(id string) string { return DatabaseDir(id) + "/database.json" }

// DataSourceDir is the directory of a data source.
func DataSourceDir(id string) string { return dataSourcesDir + "/" + id }

// DataSourcePath is the path of a data source's data_source.json.
func DataSourcePath(id string) string { return DataSourceDir(id) + "/data_source.json" }

// UserPath is the path of one user.
func UserPath(id string) string { return usersDir + "/" + id + ".json" }

// FilePath is the path of an attachment's bytes, named by their SHA-256 in
// lowercase hex, fanned out by its first two digits.
func FilePath(sha string) string { return filesDir + "/" + sha[:2] + "/" + sha }

// IsIgnoredPath reports whether a path belongs to the repository's owner,
// not to the layout: dot-paths other than .notion-git/ (CI workflows,
// .gitattributes) are left alone and never read.
func IsIgnoredPath(p string) bool {
	return strings.HasPrefix(p, ".") && !strings.HasPrefix(p, ".notion-git/")
}
