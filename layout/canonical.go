package layout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
