package exporter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/notion-git/notion-git/layout"
)

// Elastic's Notion connector takes "advanced sync rules": a JSON list of
// rule objects (or one object), each with
//
//	"searches": [{"filter": {"value": "page" | "database"}, "query": "…"}]
//	"database_query_filters": [{"database_id": "…", "filter": {…}}]
//
// The connector indexes what a Notion search by title finds, and the rows a
// database query returns. A scope file in that form is mapped onto
// notion-git's own rules, so that people moving from the connector keep
// their rules as they wrote them:
//
//   - a search for pages is a "pages" title rule, a search for databases a
//     "data_sources" rule (since 2025-09-03 search lists data sources, not
//     databases), and a search without a filter both. A title matches when
//     it contains the query, ignoring case. An empty query matches every
//     title, as Notion's search then lists everything.
//   - a database_query_filters entry makes the database a root and, with a
//     filter, keeps only the rows the filter matches, as "filters" does.
//     The filter is checked and sent as written; the id may be the
//     database's (as the connector, on the API before 2025-09-03, used it)
//     or a data source's.
//
// Two differences are deliberate. A matched page is synced with everything
// below it, where the connector indexes the page alone: a backup of a page
// without its subpages is not what anyone restores. And a title contains
// the query, where Notion's search may also match words out of order: the
// rule must give the same pages on every run, and search ranking does not.
//
// Elastic's own examples include one with trailing commas; they are
// accepted in this form, since the rules are copied from there.

// elasticRule is one object of the list.
type elasticRule struct {
	Searches []struct {
		Filter *struct {
			Value string `json:"value"`
			// Property is "object" in Notion's search filter; the
			// connector's examples leave it out.
			Property string `json:"property,omitempty"`
		} `json:"filter,omitempty"`
		Query *string `json:"query"`
	} `json:"searches,omitempty"`
	DatabaseQueryFilters []struct {
		DatabaseID string          `json:"database_id"`
		Filter     json.RawMessage `json:"filter,omitempty"`
	} `json:"database_query_filters,omitempty"`
}

// isElastic tells whether a scope file is in Elastic's form: a list, or an
// object with one of its keys.
func isElastic(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		return true
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal(stripTrailingCommas(b), &keys) != nil {
		return false
	}
	_, searches := keys["searches"]
	_, queries := keys["database_query_filters"]
	return searches || queries
}

// parseElastic maps Elastic's rules onto a Scope (see above).
func parseElastic(b []byte) (Scope, error) {
	b = stripTrailingCommas(bytes.TrimSpace(b))
	var rules []elasticRule
	if len(b) > 0 && b[0] == '[' {
		if err := decodeStrict(b, &rules); err != nil {
			return Scope{}, fmt.Errorf("advanced sync rules: %w", err)
		}
	} else {
		var one elasticRule
		if err := decodeStrict(b, &one); err != nil {
			return Scope{}, fmt.Errorf("advanced sync rules (use either notion-git's keys or Elastic's, not both): %w", err)
		}
		rules = []elasticRule{one}
	}
	if len(rules) == 0 {
		return Scope{}, errors.New("advanced sync rules: the list holds no rule")
	}
	var s Scope
	seen := map[string]bool{}
	add := func(list *[]string, kind, q string) {
		if !seen[kind+"\x00"+q] {
			seen[kind+"\x00"+q] = true
			*list = append(*list, q)
		}
	}
	for i, r := range rules {
		if len(r.Searches)+len(r.DatabaseQueryFilters) == 0 {
			return Scope{}, fmt.Errorf("advanced sync rules[%d]: no searches and no database_query_filters", i)
		}
		for j, search := range r.Searches {
			at := fmt.Sprintf("advanced sync rules[%d].searches[%d]", i, j)
			if search.Query == nil {
				return Scope{}, fmt.Errorf("%s: no query (an empty one, \"\", matches every title)", at)
			}
			q := strings.TrimSpace(*search.Query)
			kind := ""
			if search.Filter != nil {
				if p := search.Filter.Property; p != "" && p != "object" {
					return Scope{}, fmt.Errorf("%s: filter.property %q: Notion's search filters only on \"object\"", at, p)
				}
				kind = search.Filter.Value
			}
			switch kind {
			case "page":
				add(&s.Pages, "page", q)
			case "database", "data_source":
				add(&s.DataSources, "data_source", q)
			case "":
				add(&s.Pages, "page", q)
				add(&s.DataSources, "data_source", q)
			default:
				return Scope{}, fmt.Errorf("%s: filter.value %q: want \"page\" or \"database\"", at, kind)
			}
		}
		for j, dq := range r.DatabaseQueryFilters {
			at := fmt.Sprintf("advanced sync rules[%d].database_query_filters[%d]", i, j)
			if strings.TrimSpace(dq.DatabaseID) == "" {
				return Scope{}, fmt.Errorf("%s: no database_id", at)
			}
			id, err := layout.ParseID(dq.DatabaseID)
			if err != nil {
				return Scope{}, fmt.Errorf("%s: database_id: %w", at, err)
			}
			dq.DatabaseID = id
			if !seen["root\x00"+id] {
				seen["root\x00"+id] = true
				s.Roots = append(s.Roots, id)
			}
			if len(dq.Filter) == 0 || string(dq.Filter) == "null" {
				continue
			}
			if s.Filters == nil {
				s.Filters = map[string]json.RawMessage{}
			}
			if _, dup := s.Filters[dq.DatabaseID]; dup {
				return Scope{}, fmt.Errorf("%s: a second filter for database %s (combine them with \"and\" or \"or\")", at, dq.DatabaseID)
			}
			s.Filters[dq.DatabaseID] = dq.Filter
		}
	}
	return s, nil
}

// stripTrailingCommas removes the commas that stand just before a closing
// bracket or brace, outside strings; everything else is left as it is.
func stripTrailingCommas(b []byte) []byte {
	out := make([]byte, 0, len(b))
	inString, escaped := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			out = append(out, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
		}
		if c == ',' {
			k := i + 1
			for k < len(b) && (b[k] == ' ' || b[k] == '\t' || b[k] == '\n' || b[k] == '\r') {
				k++
			}
			if k < len(b) && (b[k] == '}' || b[k] == ']') {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}
