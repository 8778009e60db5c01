package exporter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/jomei/notionapi"
)

// A scope file's filter is checked before any request, so that a typo fails
// the sync at once with the place it is in, rather than as Notion's 400 in
// the middle of a crawl. The check never rewrites the filter: the user's own
// bytes are what the query sends, so a filter form newer than the check
// still reaches Notion as written.
//
// The rule:
//
//   - A filter is {"and": [...]} or {"or": [...]} (the key alone, with at
//     least one filter in the list), a timestamp filter ("timestamp" is
//     created_time or last_edited_time, and the key of that name holds the
//     condition), or a property filter: "property" names the property,
//     "type" may repeat the kind, and exactly one other key is the kind.
//   - The kind is one Notion documents (filterKinds, from the official SDK's
//     QueryDataSourceBodyParameters) and its condition is an object with
//     exactly one operator.
//   - The operator is one that jomei/notionapi's condition type for the kind
//     has, or one Notion added since (newerOperators). Verification, which
//     notionapi does not model, has its operators listed there too.
//   - The condition is decoded into notionapi's type, and a value of the
//     wrong JSON type for an operator notionapi knows (a string for a
//     checkbox, a number for a text) is refused. A list where notionapi
//     expects one string is accepted: Notion now takes a list of options for
//     select and status. Values notionapi cannot parse but does not type
//     (relative dates such as "today") are left to Notion.

// filterKinds maps each kind of property filter to jomei/notionapi's
// condition type for it; nil where notionapi has none.
var filterKinds = map[string]any{
	"title": notionapi.TextFilterCondition{}, "rich_text": notionapi.TextFilterCondition{},
	"url": notionapi.TextFilterCondition{}, "email": notionapi.TextFilterCondition{},
	"phone_number": notionapi.TextFilterCondition{},
	"number":       notionapi.NumberFilterCondition{}, "unique_id": notionapi.NumberFilterCondition{},
	"checkbox": notionapi.CheckboxFilterCondition{},
	"select":   notionapi.SelectFilterCondition{}, "multi_select": notionapi.MultiSelectFilterCondition{},
	"status": notionapi.StatusFilterCondition{},
	"date":   notionapi.DateFilterCondition{}, "created_time": notionapi.DateFilterCondition{},
	"last_edited_time": notionapi.DateFilterCondition{},
	"people":           notionapi.PeopleFilterCondition{}, "created_by": notionapi.PeopleFilterCondition{},
	"last_edited_by": notionapi.PeopleFilterCondition{},
	"files":          notionapi.FilesFilterCondition{}, "relation": notionapi.RelationFilterCondition{},
	"formula": notionapi.FormulaFilterCondition{}, "rollup": notionapi.RollupFilterCondition{},
	"verification": nil,
}

// newerOperators are the operators Notion documents that notionapi's
// condition types lack.
var newerOperators = map[string][]string{
	"date": {"this_week"}, "created_time": {"this_week"}, "last_edited_time": {"this_week"},
	"unique_id":    {"is_empty", "is_not_empty"},
	"verification": {"status", "does_not_equal"},
}

// checkFilter checks one filter of the scope file by the rule above; at says
// where it is, for the error.
func checkFilter(raw json.RawMessage, at string) error {
	var f map[string]json.RawMessage
	if err := json.Unmarshal(raw, &f); err != nil || f == nil {
		return fmt.Errorf("%s: a filter is a JSON object", at)
	}
	for _, op := range []string{"and", "or"} {
		list, ok := f[op]
		if !ok {
			continue
		}
		if len(f) != 1 {
			return fmt.Errorf("%s: %q stands alone in its object, beside no other key", at, op)
		}
		var items []json.RawMessage
		if err := json.Unmarshal(list, &items); err != nil || len(items) == 0 {
			return fmt.Errorf("%s.%s: a list of at least one filter", at, op)
		}
		for i, item := range items {
			if err := checkFilter(item, fmt.Sprintf("%s.%s[%d]", at, op, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if ts, ok := f["timestamp"]; ok {
		var kind string
		if json.Unmarshal(ts, &kind) != nil || (kind != "created_time" && kind != "last_edited_time") {
			return fmt.Errorf("%s.timestamp: created_time or last_edited_time, not %s", at, ts)
		}
		return checkCondition(f, kind, []string{"timestamp", "type"}, at)
	}
	p, ok := f["property"]
	var name string
	if !ok || json.Unmarshal(p, &name) != nil || strings.TrimSpace(name) == "" {
		return fmt.Errorf("%s: a filter has \"and\", \"or\", \"timestamp\" or \"property\" (a property's name or id)", at)
	}
	var kinds []string
	for k := range f {
		if k != "property" && k != "type" {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) != 1 {
		return fmt.Errorf("%s: a property filter has one kind of condition (such as \"checkbox\"), not %d", at, len(kinds))
	}
	kind := kinds[0]
	if _, known := filterKinds[kind]; !known {
		return fmt.Errorf("%s: %q is not a kind of property filter; Notion's are %s", at, kind, strings.Join(slices.Sorted(maps.Keys(filterKinds)), ", "))
	}
	return checkCondition(f, kind, []string{"property", "type"}, at)
}

// checkCondition checks the condition f[kind]; besides it, f may hold only
// the keys in others, and "type" if present must name the kind.
func checkCondition(f map[string]json.RawMessage, kind string, others []string, at string) error {
	for k := range f {
		if k != kind && !slices.Contains(others, k) {
			return fmt.Errorf("%s: unexpected key %q beside %q", at, k, kind)
		}
	}
	if t, ok := f["type"]; ok && !bytes.Equal(bytes.TrimSpace(t), []byte(`"`+kind+`"`)) {
		return fmt.Errorf("%s.type: %s, not %s", at, kind, t)
	}
	at += "." + kind
	var cond map[string]json.RawMessage
	if err := json.Unmarshal(f[kind], &cond); err != nil || cond == nil {
		return fmt.Errorf("%s: a condition is a JSON object, such as {\"equals\": ...}", at)
	}
	if len(cond) != 1 {
		return fmt.Errorf("%s: a condition has exactly one operator, not %d", at, len(cond))
	}
	var op string
	for op = range cond {
	}
	typed := filterKinds[kind]
	ops := append(jsonNames(typed), newerOperators[kind]...)
	if !slices.Contains(ops, op) {
		return fmt.Errorf("%s: %q is not an operator of a %s filter; its operators are %s", at, op, kind, strings.Join(ops, ", "))
	}
	if typed == nil {
		return nil
	}
	target := reflect.New(reflect.TypeOf(typed)).Interface()
	var te *json.UnmarshalTypeError
	if err := json.Unmarshal(f[kind], target); errors.As(err, &te) {
		if te.Value == "array" && te.Type.Kind() == reflect.String {
			return nil // a list of options, which Notion takes since notionapi was written
		}
		field := at
		if te.Field != "" {
			field += "." + te.Field
		}
		return fmt.Errorf("%s: a %s is wanted, not a %s", field, goTypeName(te.Type), te.Value)
	}
	return nil
}

// jsonNames lists the JSON names of a struct's fields.
func jsonNames(v any) []string {
	if v == nil {
		return nil
	}
	var out []string
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// goTypeName says a Go type in JSON's words.
func goTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "number"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice:
		return "list"
	}
	return t.String()
}
