package layout

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"slices"
	"sync"
)

// The digest of a listed page is the SHA-256 of json.Marshal of the page as
// Normalize leaves a copy of it, with the properties the listing cuts
// at 25 references left out (see PageDigest). Copying and marshalling every
// listed page on each sync was a third of an incremental sync's local work
// at ten thousand pages, for a hash of bytes that are then thrown away: so
// the bytes are produced straight into the hash, normalised as they are
// written, from the object as it is. TestDigestWalkIsMarshal holds it to
// the definition.

// digester streams an object's JSON into a hash with a reused buffer.
type digester struct {
	h    hash.Hash
	buf  []byte
	free [][]string // key slices for reuse, one per level of nesting
}

var digesters = sync.Pool{New: func() any { return &digester{h: sha256.New(), buf: make([]byte, 0, 4096)} }}

// PageDigest hashes a page object as the listing gives it, in the form
// ObjectState.Digest records: normalised (no signed URLs or request ids)
// and without the properties cut says the listing cuts short (at 25
// references), which the stored copy holds completed. Equal digests mean
// the stored page.json was made from the same object, so planning need not
// read it. "" when obj cannot be digested: never equal to a stored digest.
func PageDigest(obj Object, cut func(prop map[string]any, typ string) bool) string {
	d := digesters.Get().(*digester)
	defer digesters.Put(d)
	d.h.Reset()
	d.buf = d.buf[:0]
	if !d.page(obj, cut) {
		return "" // never equal to a stored digest: the page is compared
	}
	d.flush()
	var sum [sha256.Size]byte
	return hex.EncodeToString(d.h.Sum(sum[:0])[:DigestLen/2])
}

func (d *digester) flush() {
	d.h.Write(d.buf)
	d.buf = d.buf[:0]
}

func (d *digester) grow() {
	if len(d.buf) > 3072 {
		d.flush()
	}
}

// page writes the top level: Normalize drops request_id there, and the
// digest drops the cut values of long properties.
func (d *digester) page(obj Object, cut func(prop map[string]any, typ string) bool) bool {
	_, hosted := hostedFile(obj)
	keys := d.sortedKeys(obj)
	defer d.release(keys)
	d.buf = append(d.buf, '{')
	first := true
	for _, k := range keys {
		if k == "request_id" {
			continue
		}
		if !first {
			d.buf = append(d.buf, ',')
		}
		first = false
		d.buf = appendJSONStringHTML(d.buf, k)
		d.buf = append(d.buf, ':')
		props, ok := obj[k].(map[string]any)
		if k != "properties" || !ok {
			if !d.value(obj[k], hosted && k == "file") {
				return false
			}
			continue
		}
		pkeys := d.sortedKeys(props)
		d.buf = append(d.buf, '{')
		for i, name := range pkeys {
			if i > 0 {
				d.buf = append(d.buf, ',')
			}
			d.buf = appendJSONStringHTML(d.buf, name)
			d.buf = append(d.buf, ':')
			prop, isMap := props[name].(map[string]any)
			typ, _ := prop["type"].(string)
			var ok bool
			if isMap && cut(prop, typ) {
				ok = d.object(prop, false, typ, "has_more")
			} else {
				ok = d.value(props[name], false)
			}
			if !ok {
				d.release(pkeys)
				return false
			}
		}
		d.release(pkeys)
		d.buf = append(d.buf, '}')
	}
	d.buf = append(d.buf, '}')
	return true
}

// value writes v as json.Marshal would after Normalize: inFile says v is
// the file object of a Notion-hosted file, whose expiry_time goes and whose
// URL loses its query.
func (d *digester) value(v any, inFile bool) bool {
	d.grow()
	switch v := v.(type) {
	case map[string]any:
		if inFile {
			return d.object(v, true, "expiry_time", "")
		}
		return d.object(v, false, "", "")
	case []any:
		d.buf = append(d.buf, '[')
		for i, e := range v {
			if i > 0 {
				d.buf = append(d.buf, ',')
			}
			if !d.value(e, false) {
				return false
			}
		}
		d.buf = append(d.buf, ']')
	case string:
		d.buf = appendJSONStringHTML(d.buf, v)
	case json.Number:
		if v == "" {
			d.buf = append(d.buf, '0') // as json.Marshal writes an empty Number
		} else if json.Valid([]byte(v)) {
			d.buf = append(d.buf, v...)
		} else {
			return false
		}
	case bool:
		if v {
			d.buf = append(d.buf, "true"...)
		} else {
			d.buf = append(d.buf, "false"...)
		}
	case nil:
		d.buf = append(d.buf, "null"...)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return false
		}
		d.buf = append(d.buf, b...)
	}
	return true
}

// object writes a map with its keys sorted, leaving out the keys skip1 and
// skip2; stripURL cuts the query of its "url" (a hosted file's).
func (d *digester) object(m map[string]any, stripURL bool, skip1, skip2 string) bool {
	_, hosted := hostedFile(m)
	keys := d.sortedKeys(m)
	defer d.release(keys)
	d.buf = append(d.buf, '{')
	first := true
	for _, k := range keys {
		if k == skip1 && skip1 != "" || k == skip2 && skip2 != "" {
			continue
		}
		if !first {
			d.buf = append(d.buf, ',')
		}
		first = false
		d.buf = appendJSONStringHTML(d.buf, k)
		d.buf = append(d.buf, ':')
		if s, ok := m[k].(string); ok && stripURL && k == "url" {
			d.buf = appendJSONStringHTML(d.buf, stripQuery(s))
			continue
		}
		if !d.value(m[k], hosted && k == "file") {
			return false
		}
	}
	d.buf = append(d.buf, '}')
	return true
}

// sortedKeys returns m's keys in byte order, in a slice from the pool of
// the digester that release gives back.
func (d *digester) sortedKeys(m map[string]any) []string {
	var keys []string
	if n := len(d.free); n > 0 {
		keys, d.free = d.free[n-1][:0], d.free[:n-1]
	}
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (d *digester) release(keys []string) {
	d.free = append(d.free, keys)
}
