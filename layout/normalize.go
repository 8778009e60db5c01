package layout

import (
	"slices"
	"strconv"
	"strings"
)

// FileRef is one Notion-hosted file inside an object.
type FileRef struct {
	// Pointer is the RFC 6901 JSON Pointer of the file's {"url": ...} object,
	// e.g. "/image/file"; it is the key of Extra.Files.
	Pointer string
	// URL is the file's URL as stored: signed when fresh from the API,
	// without its query once normalised.
	URL string
}

// Normalize removes what changes on every read without the workspace
// changing, in place, so that the same state always gives the same bytes:
// the top-level request_id, and the expiry_time and signature (URL query) of
// every Notion-hosted file. External files are left alone: their URLs are
// the user's own data. (Encoding writes the same normalised form without
// changing the object: see canonicalWriter.)
func Normalize(obj Object) {
	delete(obj, "request_id")
	normalizeFiles(obj)
}

// normalizeFiles normalises every Notion-hosted file under v. The order of
// the visit does not matter: what makes a map a file wrapper is not what
// normalising changes.
func normalizeFiles(v any) {
	switch v := v.(type) {
	case map[string]any:
		if file, ok := hostedFile(v); ok {
			delete(file, "expiry_time")
			if u, ok := file["url"].(string); ok {
				file["url"] = stripQuery(u)
			}
		}
		for _, e := range v {
			normalizeFiles(e)
		}
	case []any:
		for _, e := range v {
			normalizeFiles(e)
		}
	}
}

// FileRefs lists every Notion-hosted file in obj, in a stable order, for the
// exporter to download and the importer to re-upload.
func FileRefs(obj Object) []FileRef {
	w := fileWalker{}
	w.walk(obj)
	return w.refs
}

// fileWalker finds the hosted files of an object in the order of its sorted
// keys. The JSON Pointer of a file is built only when one is found: most
// objects hold none, and a string per key visited was most of what encoding
// a workspace allocated.
type fileWalker struct {
	refs []FileRef
	path []step   // from the object down to the value being walked
	keys []string // a stack of the sorted keys of the maps being walked
}

// step is one step of a path: a key, or an index into an array.
type step struct {
	key   string
	index int
	array bool
}

// pointer returns the JSON Pointer of the walker's path, then token.
func (w *fileWalker) pointer(token string) string {
	var b []byte
	for _, s := range w.path {
		b = append(b, '/')
		if s.array {
			b = strconv.AppendInt(b, int64(s.index), 10)
		} else {
			b = append(b, EscapePointer(s.key)...)
		}
	}
	b = append(b, '/')
	return string(append(b, token...))
}

func (w *fileWalker) walk(v any) {
	switch v := v.(type) {
	case map[string]any:
		if file, ok := hostedFile(v); ok {
			u, _ := file["url"].(string)
			w.refs = append(w.refs, FileRef{Pointer: w.pointer("file"), URL: u})
		}
		base := len(w.keys)
		for k, e := range v {
			switch e.(type) {
			case map[string]any, []any:
				w.keys = append(w.keys, k) // nothing else can hold a file
			}
		}
		slices.Sort(w.keys[base:])
		for i := base; i < len(w.keys); i++ {
			k := w.keys[i]
			w.path = append(w.path, step{key: k})
			w.walk(v[k])
			w.path = w.path[:len(w.path)-1]
		}
		w.keys = w.keys[:base]
	case []any:
		for i, e := range v {
			switch e.(type) {
			case map[string]any, []any:
				w.path = append(w.path, step{index: i, array: true})
				w.walk(e)
				w.path = w.path[:len(w.path)-1]
			}
		}
	}
}

// hostedFile returns m's Notion-hosted file object, if m wraps one.
func hostedFile(m map[string]any) (map[string]any, bool) {
	file, ok := m["file"].(map[string]any)
	if !ok {
		return nil, false
	}
	if _, ok := file["url"].(string); !ok {
		return nil, false
	}
	if m["type"] == "file" {
		return file, true
	}
	if _, ok := m["category"]; ok {
		return file, true
	}
	return nil, false
}

// stripQuery drops the query of a URL (the signature of a Notion-hosted file;
// its path is stable), keeping any fragment.
func stripQuery(u string) string {
	q := strings.IndexByte(u, '?')
	if q < 0 {
		return u
	}
	h := strings.IndexByte(u, '#')
	switch {
	case h >= 0 && h < q:
		return u // the '?' is part of the fragment
	case h >= 0:
		return u[:q] + u[h:]
	default:
		return u[:q]
	}
}

// EscapePointer escapes one JSON Pointer reference token (RFC 6901).
func EscapePointer(token string) string {
	return pointerEscaper.Replace(token)
}

// UnescapePointer reverses EscapePointer.
func UnescapePointer(token string) string {
	return pointerUnescaper.Replace(token)
}

// Lookup resolves a JSON Pointer in obj, for finding the file object that an
// Extra.Files key names.
func Lookup(obj Object, pointer string) (any, bool) {
	if pointer == "" {
		return obj, true
	}
	if pointer[0] != '/' {
		return nil, false
	}
	var cur any = obj
	for _, tok := range strings.Split(pointer[1:], "/") {
		tok = UnescapePointer(tok)
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) || strconv.Itoa(i) != tok {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// Built once: a Replacer is costly to build.
var (
	pointerEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)
