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
//   - No value is null, and is_empty and is_not_empty hold true, the one
//     value they take; this holds in nested conditions too.
//   - The condition is decoded into notionapi's type, and a value of the
//     wrong JSON type for an operator notionapi knows (a string for a
//     checkbox, a number for a text or a date) is refused, naming the value
//     Notion wants. A list where notionapi expects one string is accepted
//     for select and status only: Notion now takes a list of options there.
//     Values notionapi cannot parse but does not type (relative dates such
//     as "today") are left to Notion.

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
	if err := checkValues(cond, at); err != nil {
		return err
	}
	if typed == nil {
		return nil
	}
	target := reflect.New(reflect.TypeOf(typed)).Interface()
	var te *json.UnmarshalTypeError
	if err := json.Unmarshal(f[kind], target); errors.As(err, &te) {
		field := at
		if te.Field != "" {
			field += "." + te.Field
		}
		// The kind that holds the operator: the filter's own, or a formula's
		// or a rollup's inner one.
		holder := kind
		if i := strings.LastIndexByte(te.Field, '.'); i >= 0 {
			holder = te.Field[:i]
			holder = holder[strings.LastIndexByte(holder, '.')+1:]
		}
		listOfOptions := holder == "select" || holder == "status"
		if te.Value == "array" && te.Type.Kind() == reflect.String && listOfOptions {
			return nil // a list of options, which Notion takes since notionapi was written
		}
		want := wantedValue(te.Type)
		if listOfOptions && te.Type.Kind() == reflect.String {
			want += " or a list of strings"
		}
		return fmt.Errorf("%s: %s is wanted, not %s", field, want, jsonValueName(te.Value))
	}
	return nil
}

// checkValues refuses what no operator takes: null, where Notion wants a
// value, and anything but true for is_empty and is_not_empty, which take
// no value but true. It walks nested conditions (a formula's, a rollup's).
func checkValues(cond map[string]json.RawMessage, at string) error {
	for _, op := range slices.Sorted(maps.Keys(cond)) {
		v := bytes.TrimSpace(cond[op])
		where := at + "." + op
		switch {
		case bytes.Equal(v, []byte("null")):
			return fmt.Errorf("%s: a value is wanted, not null", where)
		case op == "is_empty" || op == "is_not_empty":
			if !bytes.Equal(v, []byte("true")) {
				return fmt.Errorf("%s: true is wanted (the operator takes no other value), not %s", where, v)
			}
		}
		var inner map[string]json.RawMessage
		if json.Unmarshal(v, &inner) == nil && inner != nil {
			if err := checkValues(inner, where); err != nil {
				return err
			}
		}
		var items []json.RawMessage
		if json.Unmarshal(v, &items) == nil {
			for i, item := range items {
				if bytes.Equal(bytes.TrimSpace(item), []byte("null")) {
					return fmt.Errorf("%s[%d]: a value is wanted, not null", where, i)
				}
			}
		}
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

// dateType is notionapi's date, which Notion takes as an ISO 8601 string.
var dateType = reflect.TypeOf(notionapi.Date{})

// wantedValue names, with its article, the JSON value Notion wants where
// notionapi's condition has a field of type t.
func wantedValue(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == dateType:
		return "a date string (ISO 8601)"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "a boolean"
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64 || t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() == reflect.Struct && t.NumField() == 0:
		return "an empty object ({})"
	case t.Kind() == reflect.Struct || t.Kind() == reflect.Map:
		return "an object"
	case t.Kind() == reflect.Slice:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(wantedValue(t.Elem()), "a "), "an ") + "s"
	}
	return "a " + t.String()
}

// jsonValueName names, with its article, the kind of JSON value that
// encoding/json reports in an UnmarshalTypeError.
func jsonValueName(v string) string {
	switch {
	case v == "array":
		return "a list"
	case v == "object":
		return "an object"
	case v == "bool":
		return "a boolean"
	case strings.HasPrefix(v, "number"):
		return "a number"
	}
	return "a " + v
}
