package layout

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// StateVersion is the version of .notion-git/state.json this package writes.
const StateVersion = 1

// State is the sync state kept in the repository itself, so that a fresh
// checkout syncs incrementally. The exporter fills it; its format lives here.
//
// The fields of State and ObjectState are declared in the order of their
// JSON keys, so that encoding/json writes canonical bytes directly: the state
// of a 10,000-page workspace took 150 ms through the generic form.
type State struct {
	LastSync string                 `json:"last_sync,omitempty"` // RFC 3339 start of the last sync
	Objects  map[string]ObjectState `json:"objects,omitempty"`   // by id
	Version  int                    `json:"version"`
}

// ObjectState is what the last sync knew of one page, database or data source.
type ObjectState struct {
	Crawled string `json:"crawled,omitempty"` // RFC 3339 time its content was last fetched
	// Files lists the SHA-256 of every attachment the object's files refer
	// to, so that a sync can drop files no page uses without reading every
	// page.
	Files      []string `json:"files,omitempty"`
	Kind       string   `json:"kind"`                  // KindPage, KindDatabase or KindDataSource
	LastEdited string   `json:"last_edited,omitempty"` // the object's last_edited_time
	Parent     string   `json:"parent,omitempty"`      // id of the page, database or data source above it; "" at the top
	Title      string   `json:"title,omitempty"`
	Trashed    bool     `json:"trashed,omitempty"`
	// Volatile, when set, says why the page's content can change without a
	// new last_edited_time (e.g. "mention"): the rolling refresh verifies
	// it more often. Set when the page is crawled.
	Volatile string `json:"volatile,omitempty"`
}

// Pending reports whether the object was listed by a sync that stopped
// before it crawled it (a checkpoint's state): nothing of it is stored yet.
// A complete sync's state has crawl times on every object.
func (o ObjectState) Pending() bool { return o.Crawled == "" }

// Kinds of object in State and in the index.
const (
	KindPage       = "page"
	KindDatabase   = "database"
	KindDataSource = "data_source"
)

// EncodeState returns the canonical bytes of .notion-git/state.json.
func EncodeState(s *State) ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", StatePath, err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodeState parses .notion-git/state.json.
func DecodeState(b []byte) (*State, error) {
	var s State
	if err := decodeStrict(b, &s); err != nil {
		return nil, err
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// ReadState reads the sync state of a tree; nil, and no error, when the tree
// has none (a repository before its first sync).
func ReadState(src FileSource) (*State, error) {
	if !src.Has(StatePath) {
		return nil, nil
	}
	b, err := src.Read(StatePath)
	if err != nil {
		return nil, err
	}
	s, err := DecodeState(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", StatePath, err)
	}
	return s, nil
}

// validate checks what later code relies on: a known version and ids that
// are safe to turn into paths.
func (s *State) validate() error {
	if s.Version != StateVersion {
		return fmt.Errorf("state version %d, this notion-git reads version %d", s.Version, StateVersion)
	}
	for id, o := range s.Objects {
		if !IsID(id) {
			return fmt.Errorf("objects: %q: %w", truncate(id, 80), ErrBadID)
		}
		switch o.Kind {
		case KindPage, KindDatabase, KindDataSource:
		default:
			return fmt.Errorf("objects: %s: unknown kind %q", id, truncate(o.Kind, 40))
		}
		for _, sha := range o.Files {
			if !isSHA256(sha) {
				return fmt.Errorf("objects: %s: file %q is not a SHA-256", id, truncate(sha, 80))
			}
		}
		if o.Parent != "" && !IsID(o.Parent) {
			return fmt.Errorf("objects: %s: parent %q: %w", id, truncate(o.Parent, 80), ErrBadID)
		}
	}
	return nil
}
