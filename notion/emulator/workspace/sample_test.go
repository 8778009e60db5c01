package workspace

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSampleCoversEveryTypeAndReadsWell(t *testing.T) {
	f := Sample()
	checkCoverage(t, f)
	checkIntegrity(t, f)
	checkShapes(t, f)
	if countType(f, UnknownBlockType) == 0 {
		t.Error("the demo has no block of an unknown type")
	}
	titles := map[string]bool{}
	for _, p := range f.Pages {
		if tt, ok := p["properties"].(map[string]any)["title"].(map[string]any); ok {
			titles[tt["title"].([]any)[0].(map[string]any)["plain_text"].(string)] = true
		}
	}
	for _, want := range []string{"Engineering Handbook", "Meeting notes", "Product", "Company Wiki"} {
		if !titles[want] {
			t.Errorf("the demo has no page %q", want)
		}
	}
	if !bytes.Equal(marshal(t, f), marshal(t, Sample())) {
		t.Error("Sample is not deterministic")
	}
}

func TestEmptyHasOnlyTheTargetPage(t *testing.T) {
	f := Empty("Restore here")
	checkIntegrity(t, f)
	checkShapes(t, f)
	if len(f.Pages) != 1 || f.Pages[0]["id"] != EmptyTargetID || len(f.Blocks) != 0 ||
		len(f.Shared) != 1 || f.Shared[0] != EmptyTargetID {
		t.Fatalf("Empty: %d pages, %d blocks, shared %v", len(f.Pages), len(f.Blocks), f.Shared)
	}
	if got := f.Pages[0]["properties"].(map[string]any)["title"].(map[string]any)["title"].([]any)[0].(map[string]any)["plain_text"]; got != "Restore here" {
		t.Errorf("title %v", got)
	}
}

func basicPath(t *testing.T) string {
	t.Helper()
	return filepath.Join("..", "..", "..", "testdata", "fixtures", "basic.json")
}

func TestLoadBasicFixture(t *testing.T) {
	f, err := Load(basicPath(t))
	if err != nil {
		t.Fatal(err)
	}
	checkIntegrity(t, f)
	checkShapes(t, f)
	people := 0
	for _, u := range f.Users {
		if u["type"] == "person" {
			people++
		}
	}
	rows := 0
	for _, p := range f.Pages {
		if p["parent"].(map[string]any)["type"] == "data_source_id" {
			rows++
		}
	}
	if len(f.Databases) != 1 || len(f.DataSources) != 1 || rows != 3 || people != 2 ||
		len(f.Blocks) < 20 || len(f.Blocks) > 40 || len(f.Comments) != 1 || len(f.Files) != 1 ||
		countType(f, UnknownBlockType) != 1 {
		t.Errorf("basic.json: %d databases, %d data sources, %d rows, %d people, %d blocks, %d comments, %d files, %d unknown blocks",
			len(f.Databases), len(f.DataSources), rows, people, len(f.Blocks), len(f.Comments), len(f.Files), countType(f, UnknownBlockType))
	}
	if !bytes.HasPrefix(f.Files["diagram.png"], []byte("\x89PNG")) {
		t.Error("diagram.png did not decode to its bytes")
	}
	// Numbers keep their written form.
	for _, p := range f.Pages {
		if e, ok := p["properties"].(map[string]any)["Estimate"]; ok {
			if n := e.(map[string]any)["number"]; n == nil || strings.ContainsAny(stringOf(n), ".e") {
				t.Errorf("Estimate decoded as %#v", n)
			}
		}
	}
}

func stringOf(v any) string {
	s, _ := v.(interface{ String() string })
	if s == nil {
		return "not a json.Number"
	}
	return s.String()
}

func TestLoadRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct{ body, want string }{
		"syntax.json":  {"{\n  \"bot\": {\"id\": \"x\"},\n  \"pages\": [,]\n}", "line 3"},
		"typo.json":    {`{"bot": {"id": "x"}, "pagess": []}`, "pagess"},
		"nobot.json":   {`{"pages": []}`, "bot"},
		"noid.json":    {`{"bot": {"id": "x"}, "blocks": [{"type": "paragraph"}]}`, "block #1 has no id"},
		"twice.json":   {`{"bot": {"id": "x"}, "pages": [{"id": "a"}, {"id": "a"}]}`, "page a appears twice"},
		"trailer.json": {`{"bot": {"id": "x"}} {}`, "after"},
	}
	for name, c := range cases {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v; want an error naming the file and %q", name, err, c.want)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}
