// Package contract checks JSON against Notion's own API contract: JSON Schemas
// generated from the official SDK's TypeScript types, the endpoint route table
// and real recorded exchanges, all kept in the shared notion-contract directory
// beside the repository. The emulator's contract tests and the importer's
// request-body tests use it to prove they speak the same JSON as Notion.
package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// EnvDir names the environment variable that overrides where the contract
// directory is looked for.
const EnvDir = "NOTION_CONTRACT_DIR"

// ErrNoContract reports that the contract directory could not be found.
var ErrNoContract = errors.New("notion contract directory not found")

var dirOnce = sync.OnceValues(findDir)

// Dir returns the contract directory: $NOTION_CONTRACT_DIR if set, else
// ../shared/notion-contract beside the module root (the directory holding
// go.mod, found by walking up from the working directory).
func Dir() (string, error) { return dirOnce() }

func findDir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return checkDir(d)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoContract, err)
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return checkDir(filepath.Join(filepath.Dir(d), "shared", "notion-contract"))
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("%w: no go.mod above %s", ErrNoContract, wd)
		}
		d = parent
	}
}

// checkDir accepts d only if it holds the schemas, so that a stray empty
// directory is reported here rather than as a missing schema later.
func checkDir(d string) (string, error) {
	abs, err := filepath.Abs(d)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoContract, err)
	}
	if fi, err := os.Stat(filepath.Join(abs, "schemas")); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("%w: %s has no schemas/ directory", ErrNoContract, abs)
	}
	return abs, nil
}

// compiled is one schema, compiled on first use. Compiling the large block
// unions takes a noticeable fraction of a second, so each schema is compiled
// once per process and only when a test actually needs it.
type compiled struct {
	once sync.Once
	sch  *jsonschema.Schema
	err  error
}

var schemas sync.Map // schema name → *compiled

// schemaName turns "PageObjectResponse", "PageObjectResponse.json" or
// "schemas/PageObjectResponse.json" (as endpoints.json writes it) into the
// bare name.
func schemaName(s string) string {
	return strings.TrimSuffix(strings.TrimPrefix(s, "schemas/"), ".json")
}

// Schema returns the compiled schema of that name (see schemas/ in the
// contract directory), compiling it on first use.
func Schema(name string) (*jsonschema.Schema, error) {
	name = schemaName(name)
	c, _ := schemas.LoadOrStore(name, &compiled{})
	e := c.(*compiled)
	e.once.Do(func() { e.sch, e.err = compile(name) })
	return e.sch, e.err
}

func compile(name string) (*jsonschema.Schema, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.Contains(name, "..") {
		return nil, fmt.Errorf("contract: bad schema name %q", name)
	}
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "schemas", name+".json")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("contract: schema %s: %w", name, err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("contract: schema %s: %w", name, err)
	}
	// The generator writes @deprecated as "deprecated": "<text>". Draft-07 does
	// not define the keyword, and later drafts want a boolean: drop it so no
	// metaschema ever sees it. It is an annotation and never affects validity.
	dropDeprecated(doc)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	url := "file:///notion-contract/schemas/" + name + ".json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("contract: schema %s: %w", name, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("contract: compile schema %s: %w", name, err)
	}
	return sch, nil
}

func dropDeprecated(v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["deprecated"].(string); ok {
			delete(v, "deprecated")
		}
		for _, x := range v {
			dropDeprecated(x)
		}
	case []any:
		for _, x := range v {
			dropDeprecated(x)
		}
	}
}

// Validate checks a decoded JSON value (map[string]any, []any, string,
// json.Number or float64, bool, nil) against the named schema. Values of other
// Go types (structs, []map[string]any, ints) are passed through encoding/json
// first. The error is a *ValidationError naming the first failing place.
func Validate(schemaName string, v any) error {
	sch, err := Schema(schemaName)
	if err != nil {
		return err
	}
	if !plainJSON(v) {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("contract: encode value for %s: %w", schemaName, err)
		}
		if v, err = decode(b); err != nil {
			return fmt.Errorf("contract: re-decode value for %s: %w", schemaName, err)
		}
	}
	return check(schemaName, sch, v)
}

// ValidateJSON checks raw JSON bytes against the named schema.
func ValidateJSON(schemaName string, b []byte) error {
	sch, err := Schema(schemaName)
	if err != nil {
		return err
	}
	v, err := decode(b)
	if err != nil {
		return fmt.Errorf("contract: %s: invalid JSON: %w", schemaName, err)
	}
	return check(schemaName, sch, v)
}

// ValidateResponse checks a response body against the named schema after
// dropping the top-level request_id, which the live API adds to nearly every
// body but the SDK types do not declare.
func ValidateResponse(schemaName string, b []byte) error {
	sch, err := Schema(schemaName)
	if err != nil {
		return err
	}
	v, err := decode(b)
	if err != nil {
		return fmt.Errorf("contract: %s: invalid JSON: %w", schemaName, err)
	}
	if m, ok := v.(map[string]any); ok {
		delete(m, "request_id")
	}
	return check(schemaName, sch, v)
}

func decode(b []byte) (any, error) {
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// plainJSON reports whether v consists only of the types encoding/json
// produces, which is what the validator understands.
func plainJSON(v any) bool {
	switch v := v.(type) {
	case nil, string, bool, json.Number, float64:
		return true
	case map[string]any:
		for _, x := range v {
			if !plainJSON(x) {
				return false
			}
		}
		return true
	case []any:
		for _, x := range v {
			if !plainJSON(x) {
				return false
			}
		}
		return true
	}
	return false
}

// ValidationError is a value that does not match a schema, reduced to the one
// failure most likely to explain it.
type ValidationError struct {
	Schema  string // schema name
	Path    string // JSON pointer into the value, "/" for the root
	Keyword string // failing schema keyword, e.g. "additionalProperties"
	Message string // the validator's description of the failure
	// Full is the validator's complete error tree, for debugging.
	Full *jsonschema.ValidationError
}

// Error returns "Schema: /path: keyword: message".
func (e *ValidationError) Error() string {
	return fmt.Sprintf("%s: %s: %s: %s", e.Schema, e.Path, e.Keyword, e.Message)
}

var printer = message.NewPrinter(language.English)

func check(name string, sch *jsonschema.Schema, v any) error {
	err := sch.Validate(v)
	if err == nil {
		return nil
	}
	var full *jsonschema.ValidationError
	if !errors.As(err, &full) {
		return fmt.Errorf("contract: %s: %w", schemaName(name), err)
	}
	leaf, msg := explain(full)
	if msg == "" {
		msg = leaf.ErrorKind.LocalizedString(printer)
	}
	kw := strings.Join(leaf.ErrorKind.KeywordPath(), "/")
	if kw == "" {
		// Some failures (a false schema, such as the "not": {} that closes an
		// empty object) carry no keyword; the schema location says where.
		_, kw, _ = strings.Cut(leaf.SchemaURL, "#")
	}
	return &ValidationError{
		Schema:  schemaName(name),
		Path:    pointer(leaf.InstanceLocation),
		Keyword: kw,
		Message: msg,
		Full:    full,
	}
}

// explain picks the leaf error that best explains a failure. Notion's types
// are big unions (anyOf over 37 block shapes), so most leaves say "type must
// be paragraph" for branches that were never meant to match. At each union
// the branches that failed on their discriminator (a const on a direct
// property such as "type" or "object") are set aside, and among the rest the
// deepest failure wins, as the branch that got furthest is the intended one.
// When every branch failed on its discriminator, the value is of no known
// variant, and msg says so instead of naming one arbitrary branch.
func explain(e *jsonschema.ValidationError) (leaf *jsonschema.ValidationError, msg string) {
	if len(e.Causes) == 0 {
		return e, ""
	}
	causes := e.Causes
	switch e.ErrorKind.(type) {
	case *kind.AnyOf, *kind.OneOf:
		var kept []*jsonschema.ValidationError
		var want []string
		for _, c := range causes {
			if k := discriminatorMismatch(c, len(e.InstanceLocation)+1); k != nil {
				if w := fmt.Sprintf("%v", k.Want); !slices.Contains(want, w) {
					want = append(want, w)
				}
				continue
			}
			kept = append(kept, c)
		}
		if len(kept) == 0 {
			l, _ := explain(causes[0])
			got := fmt.Sprintf("%v", l.ErrorKind.(*kind.Const).Got)
			if len(want) > 6 {
				want = append(want[:6], "…")
			}
			return l, fmt.Sprintf("%q matches no variant (want one of %s)", got, strings.Join(want, ", "))
		}
		causes = kept
	}
	for _, c := range causes {
		l, m := explain(c)
		if leaf == nil || len(l.InstanceLocation) > len(leaf.InstanceLocation) {
			leaf, msg = l, m
		}
	}
	return leaf, msg
}

// discriminatorMismatch returns the failed const on a direct property of the
// union's value (at depth) in branch e, or nil.
func discriminatorMismatch(e *jsonschema.ValidationError, depth int) *kind.Const {
	if k, ok := e.ErrorKind.(*kind.Const); ok && len(e.InstanceLocation) == depth {
		return k
	}
	for _, c := range e.Causes {
		if _, isUnion := c.ErrorKind.(*kind.AnyOf); isUnion {
			continue // a nested union's branches are its own business
		}
		if k := discriminatorMismatch(c, depth); k != nil {
			return k
		}
	}
	return nil
}

func pointer(loc []string) string {
	if len(loc) == 0 {
		return "/"
	}
	var sb strings.Builder
	for _, s := range loc {
		sb.WriteByte('/')
		s = strings.ReplaceAll(s, "~", "~0")
		sb.WriteString(strings.ReplaceAll(s, "/", "~1"))
	}
	return sb.String()
}
