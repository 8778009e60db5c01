package notion

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
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

// Paginate walks a list endpoint to its end, calling fn with each page. GET
// lists take the cursor in the query, POST lists (search, data source
// queries) in the body; body is not modified.
func (c *Client) Paginate(ctx context.Context, method, path string, query url.Values, body map[string]any, fn func(*List) error) error {
	cursor := ""
	seen := map[string]bool{}
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
		if err := fn(page); err != nil {
			return err
		}
		if !page.HasMore || page.NextCursor == nil || *page.NextCursor == "" {
			return nil
		}
		// A cursor seen before, the last one or any earlier, would walk
		// the same pages again and again.
		seen[cursor] = true
		if seen[*page.NextCursor] {
			return fmt.Errorf("notion: %s %s: cursor did not advance", method, Endpoint(path))
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
