package layout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Object is a Notion API object kept as generic JSON, so that fields and
// types this code does not know survive untouched. Numbers are json.Number.
type Object = map[string]any

// Canonical encodes v as canonical JSON: keys sorted, two-space indent, a
// trailing newline, no HTML escaping, and json.Number written exactly as
// received. Structs are canonicalised too, so their field order never shows.
func Canonical(v any) ([]byte, error) {
	if _, ok := v.(map[string]any); !ok {
		// Re-decode through the generic form: encoding/json sorts map keys but
		// writes struct fields in declaration order.
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		if v, err = decodeAny(raw); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decode parses one JSON object, keeping numbers as json.Number. Anything
// but a single object (an array, a scalar, trailing data) is an error.
func Decode(b []byte) (Object, error) {
	v, err := decodeAny(b)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok || obj == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	return obj, nil
}

// decodeAny parses exactly one JSON value with numbers kept as json.Number.
func decodeAny(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("empty input")
		}
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// decodeStrict decodes b into a struct of notion-git's own, rejecting unknown
// fields: a field this version does not know would otherwise be lost on the
// next write.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}

// errSlowPath says that an object holds a value the canonical writer leaves
// to encoding/json (a Go number type, a struct, an invalid json.Number):
// objects decoded from the API never do, objects built in code may.
var errSlowPath = errors.New("value for encoding/json")

// canonicalWriter writes an API object in the bytes Canonical gives for
// its normalised form, while walking it: the object is neither copied nor
// changed, and no intermediate encoding is made. Its output must stay byte
// for byte what encodeReservedSlow writes (TestCanonicalWriterMatches).
type canonicalWriter struct {
	buf  []byte
	keys []string // a stack of the sorted keys of the maps being written
}

// object writes the top-level object: without request_id, with the
// reserved member r (if not empty) in its sorted place.
func (w *canonicalWriter) object(obj map[string]any, r *reserved) error {
	base := len(w.keys)
	defer func() { w.keys = w.keys[:base] }()
	for k := range obj {
		if k != "request_id" {
			w.keys = append(w.keys, k)
		}
	}
	if r != nil {
		w.keys = append(w.keys, ReservedKey)
	}
	slices.Sort(w.keys[base:])
	_, hosted := hostedFile(obj)
	w.buf = append(w.buf, '{')
	n := len(w.keys) - base
	for i := range n {
		k := w.keys[base+i]
		w.member(i, k, 1)
		var err error
		if k == ReservedKey && r != nil {
			err = w.reserved(r, 1)
		} else {
			err = w.value(obj[k], 1, hosted && k == "file")
		}
		if err != nil {
			return err
		}
	}
	w.close(n, '}', 0)
	w.buf = append(w.buf, '\n')
	return nil
}

// member starts the i-th member of an object at depth: the separator, the
// indented key and the colon.
func (w *canonicalWriter) member(i int, key string, depth int) {
	w.item(i, depth)
	w.buf = appendJSONString(w.buf, key)
	w.buf = append(w.buf, ':', ' ')
}

// item starts the i-th member or element at depth.
func (w *canonicalWriter) item(i, depth int) {
	if i > 0 {
		w.buf = append(w.buf, ',')
	}
	w.newline(depth)
}

func (w *canonicalWriter) newline(depth int) {
	w.buf = append(w.buf, '\n')
	for range depth {
		w.buf = append(w.buf, ' ', ' ')
	}
}

// close ends an object or array of n members opened at depth: an empty one
// stays on the line, as json.Indent leaves it.
func (w *canonicalWriter) close(n int, c byte, depth int) {
	if n > 0 {
		w.newline(depth)
	}
	w.buf = append(w.buf, c)
}

// value writes v at depth. file says that v is the file object of a
// Notion-hosted file wrapper, which is written normalised: without its
// expiry_time, its URL without the query (see Normalize).
func (w *canonicalWriter) value(v any, depth int, file bool) error {
	switch v := v.(type) {
	case nil:
		w.buf = append(w.buf, "null"...)
	case bool:
		w.buf = strconv.AppendBool(w.buf, v)
	case string:
		w.buf = appendJSONString(w.buf, v)
	case json.Number:
		s := string(v)
		if s == "" {
			s = "0" // encoding/json writes the zero Number so
		}
		if !validNumber(s) {
			return errSlowPath
		}
		w.buf = append(w.buf, s...)
	case []any:
		// A nil array or object is written empty, as the copy that
		// encoding/json was given made it.
		w.buf = append(w.buf, '[')
		for i, e := range v {
			w.item(i, depth+1)
			if err := w.value(e, depth+1, false); err != nil {
				return err
			}
		}
		w.close(len(v), ']', depth)
	case map[string]any:
		return w.mapValue(v, depth, file)
	default:
		return errSlowPath
	}
	return nil
}

func (w *canonicalWriter) mapValue(m map[string]any, depth int, file bool) error {
	base := len(w.keys)
	defer func() { w.keys = w.keys[:base] }()
	for k := range m {
		if !(file && k == "expiry_time") {
			w.keys = append(w.keys, k)
		}
	}
	slices.Sort(w.keys[base:])
	_, hosted := hostedFile(m)
	w.buf = append(w.buf, '{')
	n := len(w.keys) - base
	for i := range n {
		k := w.keys[base+i]
		w.member(i, k, depth+1)
		e := m[k]
		if u, ok := e.(string); ok && file && k == "url" {
			e = stripQuery(u)
		}
		if err := w.value(e, depth+1, hosted && k == "file"); err != nil {
			return err
		}
	}
	w.close(n, '}', depth)
	return nil
}

// reserved writes notion-git's member as its struct encodes through
// Canonical: keys sorted, empty fields left out.
func (w *canonicalWriter) reserved(r *reserved, depth int) error {
	w.buf = append(w.buf, '{')
	n := 0
	strs := func(key string, list []string) {
		if len(list) == 0 {
			return
		}
		w.member(n, key, depth+1)
		n++
		w.buf = append(w.buf, '[')
		for i, s := range list {
			w.item(i, depth+2)
			w.buf = appendJSONString(w.buf, validUTF8(s))
		}
		w.close(len(list), ']', depth+1)
	}
	strs("children", r.Children)
	if len(r.Files) > 0 {
		w.member(n, "files", depth+1)
		n++
		ptrs := make([]string, 0, len(r.Files))
		for p := range r.Files {
			ptrs = append(ptrs, p)
		}
		slices.Sort(ptrs)
		w.buf = append(w.buf, '{')
		for i, p := range ptrs {
			f := r.Files[p]
			w.member(i, validUTF8(p), depth+2)
			w.buf = append(w.buf, '{')
			m := 0
			if f.SHA256 != "" {
				w.member(m, "sha256", depth+3)
				m++
				w.buf = appendJSONString(w.buf, validUTF8(f.SHA256))
			}
			if f.Size != 0 {
				w.member(m, "size", depth+3)
				m++
				w.buf = strconv.AppendInt(w.buf, f.Size, 10)
			}
			if f.Skipped != "" {
				w.member(m, "skipped", depth+3)
				m++
				w.buf = appendJSONString(w.buf, validUTF8(f.Skipped))
			}
			w.close(m, '}', depth+2)
		}
		w.close(len(ptrs), '}', depth+1)
	}
	if len(r.Incomplete) > 0 {
		w.member(n, "incomplete", depth+1)
		n++
		w.buf = append(w.buf, '[')
		for i, inc := range r.Incomplete {
			w.item(i, depth+2)
			w.buf = append(w.buf, '{')
			w.member(0, "reason", depth+3)
			w.buf = appendJSONString(w.buf, validUTF8(inc.Reason))
			w.member(1, "what", depth+3)
			w.buf = appendJSONString(w.buf, validUTF8(inc.What))
			w.close(2, '}', depth+2)
		}
		w.close(len(r.Incomplete), ']', depth+1)
	}
	if r.PropertyItemsComplete {
		w.member(n, "property_items_complete", depth+1)
		n++
		w.buf = append(w.buf, "true"...)
	}
	strs("views", r.Views)
	w.close(n, '}', depth)
	return nil
}

// validUTF8 replaces each byte of s that is not UTF-8 with U+FFFD, as
// json.Marshal does: the reserved member went through it and back before
// Canonical wrote it, so its strings hold the character itself, where an
// object's strings, written directly, hold the escape.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b []byte
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b)
}

// appendJSONString appends s quoted as encoding/json quotes it without HTML
// escaping: control characters escaped (\b \f \n \r \t by name, the rest as
// \u00XX), invalid UTF-8 as \ufffd, and U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte { return appendQuoted(dst, s, false) }

// appendJSONStringHTML is appendJSONString with <, > and & escaped too, as
// json.Marshal writes them (the digest is defined on json.Marshal's bytes).
func appendJSONStringHTML(dst []byte, s string) []byte { return appendQuoted(dst, s, true) }

func appendQuoted(dst []byte, s string, html bool) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && !(html && (b == '<' || b == '>' || b == '&')) {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// validNumber reports whether s is a JSON number (RFC 8259), the check
// encoding/json makes before writing a json.Number.
func validNumber(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	switch {
	case s == "":
		return false
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = skipDigits(s[1:])
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && isDigit(s[1]) {
		s = skipDigits(s[2:])
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if s == "" {
				return false
			}
		}
		s = skipDigits(s)
	}
	return s == ""
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func skipDigits(s string) string {
	for len(s) > 0 && isDigit(s[0]) {
		s = s[1:]
	}
	return s
}
