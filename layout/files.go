package layout

import (
	"net/url"
	"path"
	"strings"
)

// maxExtLen bounds a file extension: long enough for "markdown", short
// enough that a name made of dots is not taken for one.
const maxExtLen = 8

// CleanExt returns ext (with or without its dot) lowercased when it is 1 to
// 8 of [a-z0-9], else "". Extensions become paths and link targets, so
// nothing else gets through.
func CleanExt(ext string) string {
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	if len(ext) == 0 || len(ext) > maxExtLen {
		return ""
	}
	for i := 0; i < len(ext); i++ {
		if c := ext[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return ""
		}
	}
	return ext
}

// contentTypeExts names the extension of the content types Notion's files
// commonly have. A fixed table rather than the system's MIME database: the
// same bytes must get the same name on every machine.
var contentTypeExts = map[string]string{
	"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp",
	"image/bmp": "bmp", "image/svg+xml": "svg", "image/x-icon": "ico", "image/vnd.microsoft.icon": "ico",
	"image/heic": "heic", "image/avif": "avif", "image/tiff": "tiff",
	"application/pdf": "pdf", "application/zip": "zip", "application/json": "json",
	"application/ogg": "ogg", "audio/ogg": "ogg", "audio/mpeg": "mp3", "audio/wave": "wav",
	"audio/wav": "wav", "audio/mp4": "m4a", "video/mp4": "mp4", "video/webm": "webm",
	"video/quicktime": "mov", "text/plain": "txt", "text/html": "html", "text/csv": "csv",
	"text/markdown": "md", "font/woff": "woff", "font/woff2": "woff2", "font/ttf": "ttf",
}

// UnknownExt is the extension of bytes whose name, URL and content type say
// nothing: every stored file has one, so that every link has one.
const UnknownExt = "bin"

// ChooseFileExt picks the extension a file's bytes are stored under: the
// one of its name in Notion, else of its URL's path, else of its content
// type (as sent or sniffed), else UnknownExt.
func ChooseFileExt(name, rawURL, contentType string) string {
	if ext := CleanExt(path.Ext(name)); ext != "" {
		return ext
	}
	if u, err := url.Parse(rawURL); err == nil {
		if ext := CleanExt(path.Ext(u.Path)); ext != "" {
			return ext
		}
	}
	ct, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	if ext, ok := contentTypeExts[strings.TrimSpace(ct)]; ok {
		return ext
	}
	return UnknownExt
}

// FileIndex maps the SHA-256 of each stored attachment to its path under
// files/: the path holds the extension chosen when the bytes were first
// stored, which nothing else records.
type FileIndex map[string]string

// IndexFiles builds the index of the files/ paths among paths; other paths
// are ignored. Should the same bytes be stored under two names, the first in
// byte order wins, so the choice does not depend on the listing's order.
func IndexFiles(paths []string) FileIndex {
	idx := FileIndex{}
	for _, p := range paths {
		info, ok := ParsePath(p)
		if !ok || info.Kind != PathFile {
			continue
		}
		if old, dup := idx[info.FileHash]; !dup || p < old {
			idx[info.FileHash] = p
		}
	}
	return idx
}

// StoredFile returns the path of the attachment with the given SHA-256 in
// the snapshot: under its extension, or the format 1 name without one.
func (s *Snapshot) StoredFile(sha string) string {
	if p, ok := s.FilePaths[sha]; ok {
		return p
	}
	return FilePath(sha)
}
