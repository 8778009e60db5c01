package exporter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/notion-git/notion-git/layout"
)

// ScopePath is the repository file that narrows what a sync keeps, in the
// spirit of a connector's sync rules. It is the owner's file: sync reads it
// and never writes it.
const ScopePath = layout.ScopePath

// Scope narrows a sync to parts of the workspace.
//
// Title rules pick roots from the listing the sync makes anyway, rather than
// through Notion's search query: a search by title finds the matching page
// but not what is below it, so changes further down would go unseen.
type Scope struct {
	// Pages: a page whose title contains one of these (ignoring case) is
	// synced with everything below it.
	Pages []string `json:"pages,omitempty"`
	// DataSources: a data source whose title contains one of these is synced
	// with its database and rows.
	DataSources []string `json:"data_sources,omitempty"`
	// Roots: pages, databases or data sources, by id, synced with
	// everything below them, as --root does.
	Roots []string `json:"roots,omitempty"`
	// Filters maps a data source id to a Notion query filter (the "filter"
	// of POST data_sources/{id}/query): only the rows it matches are synced.
	// A database id stands for each of its data sources: that is what a
	// filter written for the API before 2025-09-03, which queried
	// databases, meant. ParseScope checks each one (see checkFilter) and
	// keeps its bytes as written: they are what the query sends.
	Filters map[string]json.RawMessage `json:"filters,omitempty"`
}

// ParseScope reads a scope file strictly: an unknown key is an error rather
// than a rule silently ignored. The file is notion-git's own form (the
// fields of Scope) or the advanced sync rules of Elastic's Notion
// connector, which are mapped onto it (see elastic.go).
func ParseScope(b []byte) (*Scope, error) {
	if isElastic(b) {
		s, err := parseElastic(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ScopePath, err)
		}
		return s.check()
	}
	var s Scope
	if err := decodeStrict(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", ScopePath, err)
	}
	for _, t := range append(append([]string{}, s.Pages...), s.DataSources...) {
		if strings.TrimSpace(t) == "" {
			return nil, fmt.Errorf("%s: empty title rule", ScopePath)
		}
	}
	return s.check()
}

// decodeStrict decodes one JSON value into v, refusing unknown keys and
// anything after the value.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the object")
	}
	return nil
}

// check canonicalises the ids of the rules and checks the filters.
func (s Scope) check() (*Scope, error) {
	roots := make([]string, 0, len(s.Roots))
	for _, id := range s.Roots {
		canon, err := layout.ParseID(id)
		if err != nil {
			return nil, fmt.Errorf("%s: roots: %w", ScopePath, err)
		}
		roots = append(roots, canon)
	}
	s.Roots = roots
	filters := make(map[string]json.RawMessage, len(s.Filters))
	for id, f := range s.Filters {
		canon, err := layout.ParseID(id)
		if err != nil {
			return nil, fmt.Errorf("%s: filters: %w", ScopePath, err)
		}
		if err := checkFilter(f, `filters["`+canon+`"]`); err != nil {
			return nil, fmt.Errorf("%s: %w", ScopePath, err)
		}
		filters[canon] = f
	}
	s.Filters = filters
	return &s, nil
}

// narrows tells whether the scope limits the sync to some roots. Filters
// alone do not: they choose rows of their data sources and leave the rest
// of the workspace in.
func (s *Scope) narrows() bool {
	return s != nil && len(s.Pages)+len(s.DataSources)+len(s.Roots) > 0
}

func matchesAny(title string, terms []string) bool {
	title = strings.ToLower(title)
	for _, t := range terms {
		if strings.Contains(title, strings.ToLower(t)) {
			return true
		}
	}
	return false
}

// filterFor returns the query filter for a data source, given with its
// database's id, or nil. A filter by the data source's own id comes first.
func (s *Scope) filterFor(id, database string) json.RawMessage {
	if s == nil {
		return nil
	}
	if f, ok := s.Filters[id]; ok {
		return f
	}
	if database != "" {
		return s.Filters[database]
	}
	return nil
}
