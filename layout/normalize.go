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
// the user's own data.
func Normalize(obj Object) {
	delete(obj, "request_id")
	walkFiles(obj, "", func(_ string, file map[string]any) {
		delete(file, "expiry_time")
		if u, ok := file["url"].(string); ok {
			file["url"] = stripQuery(u)
		}
	})
}

// FileRefs lists every Notion-hosted file in obj, in a stable order, for the
// exporter to download and the importer to re-upload.
func FileRefs(obj Object) []FileRef {
	var refs []FileRef
	walkFiles(obj, "", func(ptr string, file map[string]any) {
		u, _ := file["url"].(string)
		refs = append(refs, FileRef{Pointer: ptr, URL: u})
	})
	return refs
}

// walkFiles calls fn for each Notion-hosted file object under v, visiting
// keys in sorted order so that callers see a stable sequence. A hosted file
// is the "file" member of either a file wrapper ({"type":"file","file":{...}},
// used by icons, covers, media blocks and files properties) or a comment
// attachment ({"category":...,"file":{...}}), and carries a string "url".
func walkFiles(v any, ptr string, fn func(ptr string, file map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		if file, ok := hostedFile(v); ok {
			fn(ptr+"/file", file)
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			walkFiles(v[k], ptr+"/"+EscapePointer(k), fn)
		}
	case []any:
		for i, e := range v {
			walkFiles(e, ptr+"/"+strconv.Itoa(i), fn)
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

// Built once: a Replacer is costly to build and walkFiles escapes every key.
var (
	pointerEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)
