package contract

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Exchange is one recorded request and its reply to the real API.
type Exchange struct {
	Cassette      string // recording name, e.g. "test_blocks_children_list"
	N             int    // position in the cassette, from 1
	Method        string
	Host          string // "api.notion.com" for Notion; a few cassettes use a mock host
	Path          string // e.g. "/v1/blocks/393abc1e-…/children"
	Query         string // raw query string, "" when none
	Status        int
	NotionVersion string
	// RequestContentType is the request's Content-Type, "" when it had no body.
	RequestContentType string
	// Request is the JSON request body; nil when there was none or it was not
	// JSON (multipart uploads).
	Request []byte
	// Response is the JSON response body; nil when it was not JSON.
	Response []byte
}

// Name identifies the exchange in test output: "cassette#n METHOD path".
func (x Exchange) Name() string {
	return fmt.Sprintf("%s#%d %s %s", x.Cassette, x.N, x.Method, x.Path)
}

// Recordings reads every exchange under recordings/, ordered by cassette and
// position.
func Recordings() ([]Exchange, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	indexes, err := filepath.Glob(filepath.Join(dir, "recordings", "*", "index.json"))
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	sort.Strings(indexes)
	var all []Exchange
	for _, idx := range indexes {
		xs, err := readCassette(idx)
		if err != nil {
			return nil, err
		}
		all = append(all, xs...)
	}
	return all, nil
}

func readCassette(index string) ([]Exchange, error) {
	b, err := os.ReadFile(index)
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	var file struct {
		Interactions []struct {
			N                  int     `json:"n"`
			Method             string  `json:"method"`
			Host               string  `json:"host"`
			Path               string  `json:"path"`
			Query              *string `json:"query"`
			Status             int     `json:"status"`
			NotionVersion      string  `json:"notion_version"`
			RequestContentType *string `json:"request_content_type"`
			RequestFile        *string `json:"request_file"`
			ResponseFile       *string `json:"response_file"`
		} `json:"interactions"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		return nil, fmt.Errorf("contract: %s: %w", index, err)
	}
	dir := filepath.Dir(index)
	read := func(name *string) ([]byte, error) {
		if name == nil {
			return nil, nil
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.Base(*name)))
		if err != nil {
			return nil, fmt.Errorf("contract: %w", err)
		}
		return b, nil
	}
	xs := make([]Exchange, 0, len(file.Interactions))
	for _, in := range file.Interactions {
		x := Exchange{
			Cassette:      filepath.Base(dir),
			N:             in.N,
			Method:        in.Method,
			Host:          in.Host,
			Path:          in.Path,
			Status:        in.Status,
			NotionVersion: in.NotionVersion,
		}
		if in.Query != nil {
			x.Query = *in.Query
		}
		if in.RequestContentType != nil {
			x.RequestContentType = *in.RequestContentType
		}
		if x.Request, err = read(in.RequestFile); err != nil {
			return nil, err
		}
		if x.Response, err = read(in.ResponseFile); err != nil {
			return nil, err
		}
		xs = append(xs, x)
	}
	return xs, nil
}
