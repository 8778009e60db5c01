package contract

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// Route is one endpoint of the API as endpoints.json describes it.
type Route struct {
	SDKMethod string // the SDK's name for it, e.g. "retrievePage"
	Method    string // HTTP method
	Path      string // path template, e.g. "/v1/pages/{page_id}"
	// BodySchema names the request body schema, "" when the request has no
	// JSON body.
	BodySchema string
	// ResponseSchema names the schema of a 2xx reply. Any other status
	// answers with an APIErrorResponse.
	ResponseSchema string
	re             *regexp.Regexp
}

// ErrorSchema is the schema every non-2xx JSON body matches.
const ErrorSchema = "APIErrorResponse"

var routesOnce = sync.OnceValues(loadRoutes)

// Routes returns the route table of endpoints.json.
func Routes() ([]Route, error) { return routesOnce() }

func loadRoutes() ([]Route, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "endpoints.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	var file struct {
		Endpoints []struct {
			SDKMethod      string  `json:"sdk_method"`
			Method         string  `json:"method"`
			Path           string  `json:"path"`
			PathRegex      string  `json:"path_regex"`
			BodySchema     *string `json:"request_body_schema"`
			ResponseSchema string  `json:"response_schema"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		return nil, fmt.Errorf("contract: %s: %w", path, err)
	}
	eps := make([]Route, 0, len(file.Endpoints))
	for _, e := range file.Endpoints {
		re, err := regexp.Compile(e.PathRegex)
		if err != nil {
			return nil, fmt.Errorf("contract: %s: endpoint %s: %w", path, e.SDKMethod, err)
		}
		ep := Route{
			SDKMethod:      e.SDKMethod,
			Method:         strings.ToUpper(e.Method),
			Path:           e.Path,
			ResponseSchema: schemaName(e.ResponseSchema),
			re:             re,
		}
		if e.BodySchema != nil {
			ep.BodySchema = schemaName(*e.BodySchema)
		}
		eps = append(eps, ep)
	}
	return eps, nil
}

// Endpoint finds the route of a concrete request, such as GET
// "/v1/blocks/0f3c…/children". The "/v1" prefix may be left out and a query
// string is ignored. ok is false for an unknown route or when the contract
// cannot be read.
func Endpoint(method, path string) (Route, bool) {
	eps, err := Routes()
	if err != nil {
		return Route{}, false
	}
	path, _, _ = strings.Cut(path, "?")
	if !strings.HasPrefix(path, "/v1/") {
		path = "/v1" + path
	}
	method = strings.ToUpper(method)
	// More than one regex can match (/users/me and /users/{id}): the most
	// specific route, the one with the fewest parameters, wins.
	var best Route
	found := false
	for _, e := range eps {
		if e.Method != method || !e.re.MatchString(path) {
			continue
		}
		if !found || strings.Count(e.Path, "{") < strings.Count(best.Path, "{") {
			best, found = e, true
		}
	}
	return best, found
}
