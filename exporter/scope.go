package exporter

import (
	"bytes"
	"encoding/json"
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
	// Filters maps a data source id to a Notion query filter (the "filter"
	// of POST data_sources/{id}/query): only the rows it matches are synced.
	// ParseScope checks each one (see checkFilter) and keeps its bytes as
	// written: they are what the query sends.
	Filters map[string]json.RawMessage `json:"filters,omitempty"`
}

// ParseScope reads a scope file strictly: an unknown key is an error rather
// than a rule silently ignored.
func ParseScope(b []byte) (*Scope, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s Scope
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", ScopePath, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: trailing data after the object", ScopePath)
	}
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
	for _, t := range append(append([]string{}, s.Pages...), s.DataSources...) {
		if strings.TrimSpace(t) == "" {
			return nil, fmt.Errorf("%s: empty title rule", ScopePath)
		}
	}
	return &s, nil
}

func (s *Scope) hasTitleRules() bool {
	return s != nil && len(s.Pages)+len(s.DataSources) > 0
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

// filterFor returns the query filter for a data source, or nil.
func (s *Scope) filterFor(id string) json.RawMessage {
	if s == nil {
		return nil
	}
	return s.Filters[id]
}
