package notion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// List is one page of a paginated answer. Results are the raw bytes of each
// element, sliced out of the response without being re-encoded.
type List struct {
	Results    []json.RawMessage `json:"results"`
	NextCursor *string           `json:"next_cursor"`
	HasMore    bool              `json:"has_more"`
	// RequestStatus is set when Notion stopped early, for example a data
	// source query that reached its 10,000-result limit.
	RequestStatus *struct {
		Type             string `json:"type"`
		IncompleteReason string `json:"incomplete_reason"`
	} `json:"request_status,omitempty"`
}

// Incomplete reports whether Notion cut the listing short (the 10,000-result
// limit of data source queries), which the caller must split to get the rest.
func (l *List) Incomplete() bool {
	return l.RequestStatus != nil && l.RequestStatus.Type == "incomplete"
}

// ErrEndlessListing says a listing did not end as any Notion listing ends:
// a cursor came back that the listing had already given; it went on for
// more pages or results than one listing of that endpoint can hold, or for
// more empty pages in a row than Notion gives (see ListBound); or a page
// said there was more but gave no cursor to it, so the rest cannot be had
// and what came is not the whole. It is a fault of the object listed,
// which keeps its previous version; it is never retried, since the same
// walk would go the same way again.
var ErrEndlessListing = errors.New("the listing does not end")

// Bound is the most one listing may bring: results, pages to bring them
// in, and pages in a row that bring none while saying there is more.
type Bound struct {
	Results, Pages, EmptyPages int
}

// The results one listing can hold, by endpoint kind. Each is far above any
// real workspace, so a real listing never meets it, yet finite, so that a
// server whose pages never stop (a fresh cursor on every page, has_more
// always true) ends the listing instead of the run.
const (
	// queryResults is Notion's own cap on one data source query: it stops
	// at 10,000 results, says so in request_status, and has_more is false.
	// A query listing past it is not Notion's.
	queryResults = 10_000
	// listResults bounds every other listing: the children of one block,
	// search over everything shared with the integration, comments, users,
	// property items. Notion caps none of these, and a page of a million
	// direct children, or a million pages shared with one integration, is a
	// hundred times the largest workspace the benchmarks model (10,000
	// pages, 235,000 blocks).
	listResults = 1_000_000
	// shortPages allows pages that are not full: search, notably, may
	// return fewer results than page_size (it filters what the integration
	// may see after paging) and even none with has_more. A listing may take
	// this many times the pages its results would fill.
	shortPages = 2
	// emptyPages is how many pages in a row may bring no result while
	// has_more is true, outside search. Notion fills these pages to
	// page_size whenever more follow: every has_more page in the contract
	// recordings (block children, file uploads) is full, and the emulator
	// pages the same way; an empty page with has_more is not a Notion
	// answer at all. A few in a row are let pass, so that one odd answer
	// does not cost a page; at 3 requests/s they cost a second, where the
	// page bound alone let one block's children run for hours.
	emptyPages = 3
	// searchEmptyPages is the same for search, which filters what the
	// integration may see after paging: a run of empty pages is as long
	// as a run of objects hidden from it, a hundred to a page. A thousand
	// is 100,000 hidden objects in a row, ten times the largest workspace
	// the benchmarks model; walking them takes about six minutes at
	// 3 requests/s, once a sync, since search is one listing per run.
	searchEmptyPages = 1_000
)

// ListBound returns the bound of a listing of endpoint (a template from
// Endpoint, e.g. "blocks/{id}/children").
func ListBound(endpoint string) Bound {
	results, empty := listResults, emptyPages
	switch {
	case strings.HasSuffix(endpoint, "/query"):
		results = queryResults
	case endpoint == "search":
		empty = searchEmptyPages
	}
	return Bound{Results: results, Pages: shortPages * results / PageSize, EmptyPages: empty}
}

// Paginate walks a list endpoint to its end, calling fn with each page. GET
// lists take the cursor in the query, POST lists (search, data source
// queries) in the body; body is not modified. A listing that does not end
// (ErrEndlessListing) stops with an error after at most ListBound's pages.
func (c *Client) Paginate(ctx context.Context, method, path string, query url.Values, body map[string]any, fn func(*List) error) error {
	cursor := ""
	seen := map[string]bool{}
	bound := ListBound(Endpoint(path))
	pages, results, empty := 0, 0, 0
	for {
		var raw []byte
		var err error
		switch method {
		case http.MethodGet:
			q := url.Values{}
			maps.Copy(q, query)
			q.Set("page_size", strconv.Itoa(PageSize))
			if cursor != "" {
				q.Set("start_cursor", cursor)
			}
			raw, err = c.Do(ctx, method, path, q, nil)
		default:
			b := map[string]any{}
			maps.Copy(b, body)
			b["page_size"] = PageSize
			if cursor != "" {
				b["start_cursor"] = cursor
			}
			raw, err = c.Do(ctx, method, path, query, b)
		}
		if err != nil {
			return err
		}
		page, err := decodeList(raw)
		if err != nil {
			return fmt.Errorf("notion: %s %s: list answer: %w", method, Endpoint(path), err)
		}
		pages++
		results += len(page.Results)
		if results > bound.Results {
			return fmt.Errorf("notion: %s %s: %w: more than %d results, more than one listing of it can hold", method, Endpoint(path), ErrEndlessListing, bound.Results)
		}
		if err := fn(page); err != nil {
			return err
		}
		if !page.HasMore {
			return nil
		}
		if page.NextCursor == nil || *page.NextCursor == "" {
			// A page Notion cut short at its own limit says so in
			// request_status; fn has seen it, and the caller splits
			// the rest into listings of their own.
			if page.Incomplete() {
				return nil
			}
			return fmt.Errorf("notion: %s %s: %w: page %d says there is more but gives no cursor to it", method, Endpoint(path), ErrEndlessListing, pages)
		}
		// A cursor seen before, the last one or any earlier, would walk
		// the same pages again and again. Only the cursors are kept, not
		// the pages, so the memory of a long walk stays small.
		seen[cursor] = true
		if seen[*page.NextCursor] {
			return fmt.Errorf("notion: %s %s: %w: page %d gave a cursor already given", method, Endpoint(path), ErrEndlessListing, pages)
		}
		if len(page.Results) == 0 {
			empty++
		} else {
			empty = 0
		}
		if empty >= bound.EmptyPages {
			return fmt.Errorf("notion: %s %s: %w: %d pages in a row with no results and still more", method, Endpoint(path), ErrEndlessListing, empty)
		}
		if pages >= bound.Pages {
			return fmt.Errorf("notion: %s %s: %w: still more after %d pages (%d results), more than one listing of it can take", method, Endpoint(path), ErrEndlessListing, pages, results)
		}
		cursor = *page.NextCursor
	}
}

// decodeList reads one page of a list answer, matching keys exactly:
// encoding/json also fills a field from a key that differs only in case,
// the last one winning, so "Results":[] after "results" would have emptied
// a page that had results.
func decodeList(raw []byte) (*List, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	var l List
	for key, dst := range map[string]any{
		"results": &l.Results, "next_cursor": &l.NextCursor,
		"has_more": &l.HasMore, "request_status": &l.RequestStatus,
	} {
		if b, ok := fields[key]; ok {
			if err := json.Unmarshal(b, dst); err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
		}
	}
	return &l, nil
}
