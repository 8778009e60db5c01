package workspace

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// undash writes id as a request may, and as Notion never answers.
func undash(id string) string { return strings.ReplaceAll(id, "-", "") }

// TestFixturesHoldOnlyDashedIDs runs the load-time id check over every
// fixture the project builds or ships: each must pass as it is.
func TestFixturesHoldOnlyDashedIDs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "fixtures", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures under testdata/fixtures: %v", err)
	}
	for _, path := range files {
		if _, err := Load(path); err != nil {
			t.Errorf("%v", err)
		}
	}
	for name, f := range map[string]interface{ CheckIDs() error }{
		"small": Generate(Small()), "sample": Sample(), "empty": Empty("Restored"),
	} {
		if err := f.CheckIDs(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestLoadRejectsUndashedIDs spoils one id at a time in basic.json and
// expects the load to fail naming the field that holds it.
func TestLoadRejectsUndashedIDs(t *testing.T) {
	raw, err := os.ReadFile(basicPath(t))
	if err != nil {
		t.Fatal(err)
	}
	type doc = map[string]any
	at := func(d doc, list string, i int) doc { return d[list].([]any)[i].(doc) }
	firstPageMention := func(d doc) (doc, string) {
		for i, b := range d["blocks"].([]any) {
			p, _ := b.(doc)["paragraph"].(doc)
			rt, _ := p["rich_text"].([]any)
			for j, it := range rt {
				if m, _ := it.(doc)["mention"].(doc); m["type"] == "page" {
					return m["page"].(doc), "blocks[" + itoa(i) + "].paragraph.rich_text[" + itoa(j) + "].mention.page.id"
				}
			}
		}
		t.Fatal("basic.json has no page mention in a paragraph")
		return nil, ""
	}
	cases := []struct {
		name  string
		spoil func(d doc) string // returns the path the error must name
	}{
		{"page id", func(d doc) string {
			p := at(d, "pages", 1)
			p["id"] = undash(p["id"].(string))
			return "pages[1].id"
		}},
		{"parent", func(d doc) string {
			par := at(d, "pages", 1)["parent"].(doc)
			par["page_id"] = undash(par["page_id"].(string))
			return "pages[1].parent.page_id"
		}},
		{"block parent", func(d doc) string {
			par := at(d, "blocks", 0)["parent"].(doc)
			k := par["type"].(string)
			par[k] = undash(par[k].(string))
			return "blocks[0].parent." + k
		}},
		{"mention", func(d doc) string {
			m, path := firstPageMention(d)
			m["id"] = undash(m["id"].(string))
			return path
		}},
		{"people value", func(d doc) string {
			u := at(d, "pages", 3)["properties"].(doc)["Owner"].(doc)["people"].([]any)[0].(doc)
			u["id"] = undash(u["id"].(string))
			return "pages[3].properties.Owner.people[0].id"
		}},
		{"author", func(d doc) string {
			u := at(d, "comments", 0)["created_by"].(doc)
			u["id"] = undash(u["id"].(string))
			return "comments[0].created_by.id"
		}},
		{"discussion", func(d doc) string {
			c := at(d, "comments", 0)
			c["discussion_id"] = undash(c["discussion_id"].(string))
			return "comments[0].discussion_id"
		}},
		{"data source of a database", func(d doc) string {
			ds := at(d, "databases", 0)["data_sources"].([]any)[0].(doc)
			ds["id"] = undash(ds["id"].(string))
			return "databases[0].data_sources[0].id"
		}},
		{"shared", func(d doc) string {
			sh := d["shared"].([]any)
			sh[0] = undash(sh[0].(string))
			return "shared[0]"
		}},
		{"upper case", func(d doc) string {
			u := at(d, "users", 0)
			u["id"] = strings.ToUpper(u["id"].(string))
			return "users[0].id"
		}},
		{"not an id", func(d doc) string {
			at(d, "blocks", 2)["id"] = "b1"
			return "blocks[2].id"
		}},
	}
	for _, c := range cases {
		var d doc
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		want := c.spoil(d)
		b, _ := json.Marshal(d)
		_, err := Parse(b)
		if err == nil || !strings.HasPrefix(err.Error(), want+": ") {
			t.Errorf("%s: got %v; want an error naming %s", c.name, err, want)
		}
	}
}

// TestLoadAcceptsAnyPropertyName checks that the id check tells a property
// named like a reference ("owner", "user") from a reference.
func TestLoadAcceptsAnyPropertyName(t *testing.T) {
	raw, err := os.ReadFile(basicPath(t))
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	for _, x := range d["pages"].([]any) {
		props := x.(map[string]any)["properties"].(map[string]any)
		if v, ok := props["Owner"]; ok {
			props["owner"], props["user"] = v, v
			delete(props, "Owner")
		}
	}
	b, _ := json.Marshal(d)
	if _, err := Parse(b); err != nil {
		t.Fatal(err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
