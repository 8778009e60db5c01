package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/notion-git/notion-git/notion/emulator"
)

// Load reads a hand-written fixture file: a emulator.Fixture as JSON, with
// the bytes of Files in base64 as encoding/json writes []byte.
func Load(path string) (*emulator.Fixture, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load fixture: %w", err)
	}
	f, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("load fixture %s: %w", path, err)
	}
	return f, nil
}

// Parse decodes a fixture. Numbers stay json.Number so that they are served
// back exactly as written; an unknown top-level key is an error, since it is
// most likely a misspelt collection that would otherwise be silently empty.
func Parse(b []byte) (*emulator.Fixture, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var f emulator.Fixture
	if err := dec.Decode(&f); err != nil {
		return nil, positioned(b, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("data after the fixture object at offset %d", dec.InputOffset())
	}
	if f.Bot == nil {
		return nil, errors.New(`no "bot": the server needs it to answer users/me`)
	}
	if f.Files == nil {
		f.Files = map[string][]byte{}
	}
	for _, list := range []struct {
		kind string
		objs []map[string]any
	}{
		{"user", f.Users}, {"page", f.Pages}, {"database", f.Databases},
		{"data source", f.DataSources}, {"block", f.Blocks}, {"comment", f.Comments},
		{"view", f.Views},
	} {
		seen := map[string]bool{}
		for i, o := range list.objs {
			id, ok := o["id"].(string)
			if !ok || id == "" {
				return nil, fmt.Errorf("%s #%d has no id", list.kind, i+1)
			}
			if seen[id] {
				return nil, fmt.Errorf("%s %s appears twice", list.kind, id)
			}
			seen[id] = true
		}
	}
	// Ids are checked after the duplicates, so that a fixture reads as a
	// list of its problems in the order a person fixes them.
	if err := f.CheckIDs(); err != nil {
		return nil, err
	}
	return &f, nil
}

// positioned adds the line and column to a JSON syntax or type error, since a
// byte offset is of little help in a hand-written file.
func positioned(b []byte, err error) error {
	var off int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	}
	if off < 0 || off > int64(len(b)) {
		return err
	}
	line := 1 + bytes.Count(b[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(b[:off], '\n'))
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}
