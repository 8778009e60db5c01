package layout

import "encoding/json"

// outlineFields is the part of a block or comment object that an outline
// reads (OutlineOf, SortComments): an Object holding only "type",
// "parent", "synced_block.synced_from" and "created_time", as Decode would
// have them, without decoding the rest of the file.
//
// It is a shortcut for decodeObject, not a second decoder: it answers only
// a file that decodeObject accepts (json.Valid is the same scanner that
// Decode runs, and the reserved member goes through the same parse and
// checks), and for anything it does not take on (an escaped or non-ASCII
// string where it reads one, a field of an unexpected type, a mismatched
// id, views), it reports !ok and the caller decodes the file whole, which
// gives the answer or the error. FuzzOutlineFields checks that whatever it
// answers is what decodeObject answers.
func outlineFields(b []byte, id string) (obj Object, r reserved, ok bool) {
	if !json.Valid(b) {
		return nil, reserved{}, false
	}
	s := jsonScan{b: b}
	s.space()
	if !s.peek('{') {
		return nil, reserved{}, false
	}
	obj = Object{}
	gotID, haveReserved := false, false
	var raw []byte
	ok = s.members(func(key string) bool {
		switch key {
		case "id":
			v, isStr, good := s.str()
			gotID = good && isStr && v == id
			return good
		case "type", "created_time":
			return s.strField(obj, key)
		case "parent":
			par := Object{}
			obj[key] = par
			return s.object(par, func(k string) bool {
				switch k {
				case "type", "block_id", "page_id":
					return s.strField(par, k)
				}
				return s.skip()
			})
		case "synced_block":
			sb := Object{}
			obj[key] = sb
			return s.object(sb, func(k string) bool {
				if k != "synced_from" {
					return s.skip()
				}
				from := Object{}
				sb[k] = from
				return s.object(from, func(k string) bool {
					if k == "block_id" {
						return s.strField(from, k)
					}
					return s.skip()
				})
			})
		case ReservedKey:
			start := s.i
			haveReserved = true
			if !s.skip() {
				return false
			}
			raw = b[start:s.i]
			return true
		}
		return s.skip()
	})
	if !ok || !gotID {
		return nil, reserved{}, false
	}
	if haveReserved {
		// Through Decode's value and back, as decodeReserved reads it, so
		// that duplicate or case-folded keys come out the same.
		v, err := decodeAny(raw)
		if err != nil {
			return nil, reserved{}, false
		}
		if raw, err = json.Marshal(v); err != nil {
			return nil, reserved{}, false
		}
		if r, err = parseReserved(raw); err != nil || r.Views != nil {
			return nil, reserved{}, false
		}
	}
	return obj, r, true
}

// jsonScan walks JSON that json.Valid accepted, so it checks nothing of
// the syntax; it gives up (false) on what it does not read itself.
type jsonScan struct {
	b []byte
	i int
}

func (s *jsonScan) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *jsonScan) peek(c byte) bool { return s.i < len(s.b) && s.b[s.i] == c }

// members calls f with each key of the object at s.i, positioned at its
// value, which f must consume.
func (s *jsonScan) members(f func(key string) bool) bool {
	s.i++ // {
	for {
		s.space()
		if s.peek('}') {
			s.i++
			return true
		}
		if s.peek(',') {
			s.i++
			s.space()
		}
		key, _, ok := s.str()
		if !ok {
			return false
		}
		s.space()
		s.i++ // :
		s.space()
		if !f(key) {
			return false
		}
		s.space()
	}
}

// object reads the value at s.i into m when it is an object, as Decode
// would replace m; a value of another type leaves m out of its parent, as
// a type assertion on Decode's value would find nothing.
func (s *jsonScan) object(m Object, f func(key string) bool) bool {
	if !s.peek('{') {
		clear(m)
		return s.skip()
	}
	return s.members(f)
}

// strField sets m[key] to the string at s.i, or deletes it when the value
// is of another type (a later duplicate replaces an earlier one).
func (s *jsonScan) strField(m Object, key string) bool {
	v, isStr, ok := s.str()
	if !ok {
		return false
	}
	if isStr {
		m[key] = v
	} else {
		delete(m, key)
	}
	return true
}

// str reads a string without escapes or non-ASCII bytes (ok false for
// one with either), or skips a value of another type (isStr false).
func (s *jsonScan) str() (v string, isStr, ok bool) {
	if !s.peek('"') {
		return "", false, s.skip()
	}
	start := s.i + 1
	for j := start; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			return string(s.b[start:j]), true, true
		case c == '\\' || c >= 0x80:
			return "", false, false
		}
	}
	return "", false, false
}

// skip moves past the value at s.i.
func (s *jsonScan) skip() bool {
	depth := 0
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			s.i++
			for s.i < len(s.b) && s.b[s.i] != '"' {
				if s.b[s.i] == '\\' {
					s.i++
				}
				s.i++
			}
			s.i++
			if depth == 0 {
				return true
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return true // the end of the enclosing value
			}
			depth--
			if depth == 0 {
				s.i++
				return true
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return true
			}
		}
		s.i++
	}
	return depth == 0
}

// readOutlineObject reads one block or comment file for an outline: the
// shortcut when it answers, decodeObject otherwise.
func readOutlineObject(src Source, path, id string) (Object, Extra, []string, error) {
	b, err := src.Read(path)
	if err != nil {
		return nil, Extra{}, nil, err
	}
	if obj, r, ok := outlineFields(b, id); ok {
		return obj, r.Extra, r.Children, nil
	}
	obj, extra, children, err := decodeObject(b, id)
	if err != nil {
		return nil, Extra{}, nil, err
	}
	return obj, extra, children, nil
}
