package emulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// rowQuery evaluates data source query filters and sorts on stored rows.
type rowQuery struct {
	s      *Server
	filter map[string]any
	props  map[string]map[string]any // rendered properties, computed once per row
}

// timestampConds are the conditions of a timestamp filter that matchDate
// evaluates.
var timestampConds = []string{"equals", "before", "after", "on_or_before", "on_or_after", "is_empty", "is_not_empty"}

// check rejects filters the emulator cannot evaluate, rather than silently
// matching everything.
func (q *rowQuery) check(f map[string]any, path string) error {
	for _, k := range []string{"and", "or"} {
		if arr, ok := f[k].([]any); ok {
			if len(arr) > 100 {
				return errBody("%s.%s.length should be ≤ 100, instead was %d.", path, k, len(arr))
			}
			for i, x := range arr {
				m, _ := x.(map[string]any)
				if err := q.check(m, fmt.Sprintf("%s.%s[%d]", path, k, i)); err != nil {
					return err
				}
			}
			return nil
		}
	}
	if ts := str(f["timestamp"]); ts != "" {
		if ts != "created_time" && ts != "last_edited_time" {
			return errBody("%s.timestamp should be `created_time` or `last_edited_time`, instead was `%q`.", path, ts)
		}
		cond, _ := f[ts].(map[string]any)
		if cond == nil {
			return errBody("%s.%s should be defined, instead was `undefined`.", path, ts)
		}
		for k, v := range cond {
			if !slices.Contains(timestampConds, k) {
				return errBody("%s.%s should be one of %s, instead was `%s`.", path, ts, strings.Join(timestampConds, ", "), k)
			}
			if k == "is_empty" || k == "is_not_empty" {
				continue
			}
			if _, ok := parseTime(str(v)); !ok {
				return errBody("%s.%s.%s should be a valid ISO 8601 date string, instead was `%v`.", path, ts, k, v)
			}
		}
		return nil
	}
	if str(f["property"]) == "" {
		return errBody("%s should be a property filter, a timestamp filter or a compound filter.", path)
	}
	return nil
}

func (q *rowQuery) properties(pid string) map[string]any {
	if q.props == nil {
		q.props = map[string]map[string]any{}
	}
	p := q.props[pid]
	if p == nil {
		p = q.s.pageProperties(pid)
		q.props[pid] = p
	}
	return p
}

func (q *rowQuery) match(f map[string]any, pid string) bool {
	if arr, ok := f["and"].([]any); ok {
		for _, x := range arr {
			if !q.match(x.(map[string]any), pid) {
				return false
			}
		}
		return true
	}
	if arr, ok := f["or"].([]any); ok {
		for _, x := range arr {
			if q.match(x.(map[string]any), pid) {
				return true
			}
		}
		return false
	}
	if ts := str(f["timestamp"]); ts != "" {
		cond, _ := f[ts].(map[string]any)
		return matchDate(str(q.s.st.pages[pid][ts]), cond)
	}
	val, _ := q.properties(pid)[str(f["property"])].(map[string]any)
	if val == nil {
		for _, v := range q.properties(pid) {
			if m := v.(map[string]any); str(m["id"]) == str(f["property"]) {
				val = m
			}
		}
	}
	typ := str(val["type"])
	for k, c := range f {
		if k == "property" || k == "type" {
			continue
		}
		cond, _ := c.(map[string]any)
		return matchValue(typ, val[typ], cond)
	}
	return true
}

func matchValue(typ string, v any, cond map[string]any) bool {
	switch typ {
	case "title", "rich_text":
		return matchText(plainText(v), cond)
	case "url", "email", "phone_number":
		return matchText(str(v), cond)
	case "number":
		n, isNum := v.(json.Number)
		x, _ := n.Float64()
		for k, cv := range cond {
			cn, _ := cv.(json.Number)
			y, _ := cn.Float64()
			switch k {
			case "equals":
				return isNum && x == y
			case "does_not_equal":
				return !isNum || x != y
			case "greater_than":
				return isNum && x > y
			case "less_than":
				return isNum && x < y
			case "greater_than_or_equal_to":
				return isNum && x >= y
			case "less_than_or_equal_to":
				return isNum && x <= y
			case "is_empty":
				return !isNum
			case "is_not_empty":
				return isNum
			}
		}
	case "checkbox":
		for k, cv := range cond {
			if k == "equals" {
				return v == cv
			}
			return v != cv
		}
	case "select", "status":
		name := str(mapOf(v)["name"])
		for k, cv := range cond {
			switch k {
			case "equals":
				return name == str(cv)
			case "does_not_equal":
				return name != str(cv)
			case "is_empty":
				return name == ""
			case "is_not_empty":
				return name != ""
			}
		}
	case "multi_select", "people", "relation":
		arr, _ := v.([]any)
		has := func(want string) bool {
			for _, x := range arr {
				if m := mapOf(x); str(m["name"]) == want || str(m["id"]) == normID(want) {
					return true
				}
			}
			return false
		}
		for k, cv := range cond {
			switch k {
			case "contains":
				return has(str(cv))
			case "does_not_contain":
				return !has(str(cv))
			case "is_empty":
				return len(arr) == 0
			case "is_not_empty":
				return len(arr) > 0
			}
		}
	case "date":
		return matchDate(str(mapOf(v)["start"]), cond)
	case "created_time", "last_edited_time":
		return matchDate(str(v), cond)
	}
	return false
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func matchText(s string, cond map[string]any) bool {
	for k, cv := range cond {
		c := str(cv)
		switch k {
		case "equals":
			return s == c
		case "does_not_equal":
			return s != c
		case "contains":
			return strings.Contains(strings.ToLower(s), strings.ToLower(c))
		case "does_not_contain":
			return !strings.Contains(strings.ToLower(s), strings.ToLower(c))
		case "starts_with":
			return strings.HasPrefix(s, c)
		case "ends_with":
			return strings.HasSuffix(s, c)
		case "is_empty":
			return s == ""
		case "is_not_empty":
			return s != ""
		}
	}
	return false
}

// matchDate evaluates a date condition. A condition given as a bare date
// compares whole days, as Notion does.
func matchDate(value string, cond map[string]any) bool {
	t, ok := parseTime(value)
	for k, cv := range cond {
		switch k {
		case "is_empty":
			return !ok
		case "is_not_empty":
			return ok
		}
		c, cok := parseTime(str(cv))
		if !ok || !cok {
			return false
		}
		a, b := t, c
		if len(str(cv)) == len("2006-01-02") {
			a = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		}
		d := a.Compare(b)
		switch k {
		case "equals":
			return d == 0
		case "before":
			return d < 0
		case "after":
			return d > 0
		case "on_or_before":
			return d <= 0
		case "on_or_after":
			return d >= 0
		}
	}
	return true
}

// compare orders two rows by one sort: a timestamp or a property.
func (q *rowQuery) compare(sort map[string]any, a, b string) int {
	if ts := str(sort["timestamp"]); ts != "" {
		return cmp.Compare(str(q.s.st.pages[a][ts]), str(q.s.st.pages[b][ts]))
	}
	key := func(pid string) string {
		v, _ := q.properties(pid)[str(sort["property"])].(map[string]any)
		typ := str(v["type"])
		switch x := v[typ].(type) {
		case json.Number:
			f, _ := x.Float64()
			return fmt.Sprintf("%020.6f", f+1e12)
		case []any:
			return plainText(x)
		case map[string]any:
			return str(x["name"]) + str(x["start"])
		case bool:
			return fmt.Sprint(x)
		default:
			return str(x)
		}
	}
	return cmp.Compare(key(a), key(b))
}
