package importer

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// TestRestoreTableMatchesCode parses the tables of RESTORE.md and checks
// them against BlockRules and PropertyRules, and both against the API's
// type lists: the document cannot drift from what the importer does.
func TestRestoreTableMatchesCode(t *testing.T) {
	b, err := os.ReadFile("RESTORE.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| `(\\w+)` \\| ([a-z ]+) \\| (.*) \\|$")
	tables := map[string]map[string]Rule{}
	section := ""
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "## ") {
			section = strings.TrimPrefix(line, "## ")
			continue
		}
		if m := row.FindStringSubmatch(line); m != nil {
			if tables[section] == nil {
				tables[section] = map[string]Rule{}
			}
			tables[section][m[1]] = Rule{Fidelity(m[2]), m[3]}
		}
	}
	check := func(section string, code map[string]Rule, types []string) {
		doc := tables[section]
		if len(doc) != len(types) || len(code) != len(types) {
			t.Errorf("%s: %d rows in RESTORE.md, %d rules in code, %d types in the API", section, len(doc), len(code), len(types))
		}
		for _, typ := range types {
			d, ok := doc[typ]
			c, okc := code[typ]
			switch {
			case !ok:
				t.Errorf("%s: RESTORE.md has no row for %s", section, typ)
			case !okc:
				t.Errorf("%s: the importer has no rule for %s", section, typ)
			case d != c:
				t.Errorf("%s: %s is %q (%s) in RESTORE.md but %q (%s) in code", section, typ, d.Fidelity, d.How, c.Fidelity, c.How)
			}
		}
	}
	check("Block types (37)", BlockRules, workspace.BlockTypes)
	check("Property value types (24)", PropertyRules, workspace.PropertyTypes)
	check("View types (10)", ViewRules, viewTypes)
}

// viewTypes are the view types of the API (DataSourceViewObjectResponse's
// type, SDK 5.26).
var viewTypes = []string{"table", "board", "list", "calendar", "timeline", "gallery", "form", "chart", "map", "dashboard"}
