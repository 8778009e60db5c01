package workspace

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/contract"
	"github.com/notion-git/notion-git/notion/emulator"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// index is a fixture's objects by id.
type index struct {
	users, pages, dbs, sources, blocks, comments map[string]map[string]any
	children                                     map[string][]map[string]any // parent id → blocks in order
}

func indexOf(t *testing.T, f *emulator.Fixture) *index {
	t.Helper()
	ix := &index{children: map[string][]map[string]any{}}
	collect := func(kind string, objs []map[string]any) map[string]map[string]any {
		m := map[string]map[string]any{}
		for _, o := range objs {
			id, _ := o["id"].(string)
			if !uuidRE.MatchString(id) {
				t.Errorf("%s id %q is not a dashed lowercase UUID", kind, id)
			}
			if _, dup := m[id]; dup {
				t.Errorf("duplicate %s id %s", kind, id)
			}
			m[id] = o
		}
		return m
	}
	ix.users = collect("user", f.Users)
	ix.pages = collect("page", f.Pages)
	ix.dbs = collect("database", f.Databases)
	ix.sources = collect("data source", f.DataSources)
	ix.blocks = collect("block", f.Blocks)
	ix.comments = collect("comment", f.Comments)
	for _, b := range f.Blocks {
		pid := parentID(b["parent"])
		ix.children[pid] = append(ix.children[pid], b)
	}
	return ix
}

func parentID(p any) string {
	m, _ := p.(map[string]any)
	if m == nil {
		return ""
	}
	t, _ := m["type"].(string)
	if t == "workspace" {
		return "workspace"
	}
	id, _ := m[t].(string)
	return id
}

// checkIntegrity asserts that every reference in f resolves and that the
// tree is consistent, as the server and the exporter assume.
func checkIntegrity(t *testing.T, f *emulator.Fixture) {
	t.Helper()
	ix := indexOf(t, f)
	if f.Bot == nil || ix.users[f.Bot["id"].(string)] == nil {
		t.Error("the bot must be among the users")
	}
	// Ids are unique across kinds too, but for a child_page or child_database
	// block, which shares its page's or database's id.
	for id, b := range ix.blocks {
		typ := b["type"]
		_, isPage := ix.pages[id]
		_, isDB := ix.dbs[id]
		if (isPage && typ != "child_page") || (isDB && typ != "child_database") || ix.sources[id] != nil || ix.users[id] != nil {
			t.Errorf("block %s (%s) reuses another object's id", id, typ)
		}
	}
	for _, id := range f.Shared {
		if ix.pages[id] == nil && ix.dbs[id] == nil {
			t.Errorf("shared id %s is neither a page nor a database", id)
		}
	}
	for id, p := range ix.pages {
		par := p["parent"].(map[string]any)
		switch par["type"] {
		case "workspace":
			if !slices.Contains(f.Shared, id) {
				t.Errorf("top-level page %s is not shared", id)
			}
		case "page_id":
			pid := par["page_id"].(string)
			if ix.pages[pid] == nil {
				t.Errorf("page %s: parent page %s missing", id, pid)
			}
			if b := ix.blocks[id]; b == nil || b["type"] != "child_page" || parentID(b["parent"]) != pid {
				t.Errorf("page %s has no child_page block in its parent %s", id, pid)
			}
		case "data_source_id":
			ds := ix.sources[par["data_source_id"].(string)]
			if ds == nil || parentID(ds["parent"]) != par["database_id"] {
				t.Errorf("row %s: parent %v does not resolve", id, par)
			}
		default:
			t.Errorf("page %s: unexpected parent %v", id, par)
		}
	}
	for id, db := range ix.dbs {
		switch pid := parentID(db["parent"]); {
		case pid == "workspace":
			if !slices.Contains(f.Shared, id) {
				t.Errorf("top-level database %s is not shared", id)
			}
		case ix.pages[pid] == nil:
			t.Errorf("database %s: parent page %s missing", id, pid)
		default:
			if b := ix.blocks[id]; b == nil || b["type"] != "child_database" || parentID(b["parent"]) != pid {
				t.Errorf("database %s has no child_database block in page %s", id, pid)
			}
		}
		refs := db["data_sources"].([]any)
		if len(refs) == 0 {
			t.Errorf("database %s has no data source", id)
		}
		for _, r := range refs {
			dsID := r.(map[string]any)["id"].(string)
			if ds := ix.sources[dsID]; ds == nil || parentID(ds["parent"]) != id {
				t.Errorf("database %s: data source %s missing or elsewhere", id, dsID)
			}
		}
	}
	for id, ds := range ix.sources {
		if ix.dbs[parentID(ds["parent"])] == nil {
			t.Errorf("data source %s: database missing", id)
		}
	}
	for i, b := range f.Blocks {
		id := b["id"].(string)
		pid := parentID(b["parent"])
		switch b["parent"].(map[string]any)["type"] {
		case "page_id":
			if ix.pages[pid] == nil {
				t.Errorf("block %s: page %s missing", id, pid)
			}
		case "block_id":
			if ix.blocks[pid] == nil || slices.IndexFunc(f.Blocks[:i], func(o map[string]any) bool { return o["id"] == pid }) < 0 {
				t.Errorf("block %s: parent block %s missing or after it", id, pid)
			}
		default:
			t.Errorf("block %s: unexpected parent %v", id, b["parent"])
		}
		kids := len(ix.children[id])
		if b["type"] == "child_page" || b["type"] == "child_database" {
			kids = 0 // their content belongs to the page or database
		}
		want := kids > 0
		if sb, ok := b["synced_block"].(map[string]any); ok && sb["synced_from"] != nil {
			// A copy shows its original's children.
			want = true
			if kids > 0 {
				t.Errorf("synced copy %s has children of its own", id)
			}
			orig := ix.blocks[sb["synced_from"].(map[string]any)["block_id"].(string)]
			if orig == nil || orig["synced_block"].(map[string]any)["synced_from"] != nil {
				t.Errorf("synced copy %s: original missing or itself a copy", id)
			}
		}
		if b["has_children"] != want {
			t.Errorf("block %s (%s): has_children %v, children in fixture %d", id, b["type"], b["has_children"], kids)
		}
		switch b["type"] {
		case "table":
			w := fmt.Sprint(b["table"].(map[string]any)["table_width"])
			for _, r := range ix.children[id] {
				if r["type"] != "table_row" || fmt.Sprint(len(r["table_row"].(map[string]any)["cells"].([]any))) != w {
					t.Errorf("table %s: row %s does not have %s cells", id, r["id"], w)
				}
			}
		case "column_list":
			cols := ix.children[id]
			if len(cols) < 2 {
				t.Errorf("column_list %s has %d columns", id, len(cols))
			}
			for _, c := range cols {
				if c["type"] != "column" || len(ix.children[c["id"].(string)]) == 0 {
					t.Errorf("column_list %s: %s is not a column with content", id, c["id"])
				}
			}
		case "link_to_page":
			l := b["link_to_page"].(map[string]any)
			if ix.pages[parentID(l)] == nil && ix.dbs[parentID(l)] == nil {
				t.Errorf("link_to_page %s: target %v missing", id, l)
			}
		}
	}
	for id, c := range ix.comments {
		pid := parentID(c["parent"])
		if ix.pages[pid] == nil && ix.blocks[pid] == nil {
			t.Errorf("comment %s: parent %s missing", id, pid)
		}
		if !uuidRE.MatchString(fmt.Sprint(c["discussion_id"])) {
			t.Errorf("comment %s: bad discussion_id", id)
		}
	}
	// Property values: relations point to rows of the configured data source.
	for id, p := range ix.pages {
		ds := ix.sources[fmt.Sprint(p["parent"].(map[string]any)["data_source_id"])]
		for name, v := range p["properties"].(map[string]any) {
			val := v.(map[string]any)
			if ds != nil {
				cfg, ok := ds["properties"].(map[string]any)[name].(map[string]any)
				if !ok || cfg["id"] != val["id"] || cfg["type"] != val["type"] {
					t.Errorf("row %s: property %q does not match its data source's schema", id, name)
					continue
				}
				if val["type"] == "relation" {
					target := cfg["relation"].(map[string]any)["data_source_id"]
					for _, r := range val["relation"].([]any) {
						rp := ix.pages[r.(map[string]any)["id"].(string)]
						if rp == nil || rp["parent"].(map[string]any)["data_source_id"] != target {
							t.Errorf("row %s: relation %q entry %v is not a row of %v", id, name, r, target)
						}
					}
				}
			}
		}
	}
	// Every reference anywhere: users, mentioned pages and databases, files.
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["object"] == "user" && ix.users[fmt.Sprint(v["id"])] == nil {
				t.Errorf("%s: unknown user %v", where, v["id"])
			}
			if v["type"] == "page" && v["page"] != nil {
				if ix.pages[fmt.Sprint(v["page"].(map[string]any)["id"])] == nil {
					t.Errorf("%s: mention of a missing page", where)
				}
			}
			if v["type"] == "database" && v["database"] != nil {
				if ix.dbs[fmt.Sprint(v["database"].(map[string]any)["id"])] == nil {
					t.Errorf("%s: mention of a missing database", where)
				}
			}
			if u, ok := v["url"].(string); ok && strings.HasPrefix(u, "fixture:") {
				if _, ok := f.Files[strings.TrimPrefix(u, "fixture:")]; !ok {
					t.Errorf("%s: %s not in Files", where, u)
				}
			}
			for _, x := range v {
				walk(where, x)
			}
		case []any:
			for _, x := range v {
				walk(where, x)
			}
		}
	}
	for _, list := range [][]map[string]any{f.Pages, f.Databases, f.DataSources, f.Blocks, f.Comments} {
		for _, o := range list {
			walk(fmt.Sprintf("%s %s", o["object"], o["id"]), o)
		}
	}
}

// sdkMissingConfigs are property types a data source can have but whose
// configuration the SDK's types do not declare.
var sdkMissingConfigs = []string{"button", "verification", "place"}

// checkShapes validates every object against the SDK's schema of its kind.
func checkShapes(t *testing.T, f *emulator.Fixture) {
	t.Helper()
	contract.Require(t)
	fails := 0
	check := func(schema string, o map[string]any) {
		if fails > 10 {
			return
		}
		if err := contract.Validate(schema, o); err != nil {
			fails++
			t.Errorf("%s %s: %v", o["object"], o["id"], err)
		}
	}
	for _, u := range f.Users {
		check("UserObjectResponse", u)
	}
	for _, p := range f.Pages {
		check("PageObjectResponse", p)
	}
	for _, d := range f.Databases {
		check("DatabaseObjectResponse", d)
	}
	for _, v := range f.Views {
		check("DataSourceViewObjectResponse", v)
	}
	for _, ds := range f.DataSources {
		c := Clone(&emulator.Fixture{DataSources: []map[string]any{ds}}).DataSources[0]
		for name, cfg := range c["properties"].(map[string]any) {
			if slices.Contains(sdkMissingConfigs, cfg.(map[string]any)["type"].(string)) {
				delete(c["properties"].(map[string]any), name)
			}
		}
		check("DataSourceObjectResponse", c)
	}
	for _, b := range f.Blocks {
		if slices.Contains(BlockTypes, b["type"].(string)) {
			check("BlockObjectResponse", b)
		}
	}
	for _, c := range f.Comments {
		check("CommentObjectResponse", c)
	}
}
