package layout

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/layout")

// goldenDir holds the expected tree of the sample snapshot.
const goldenDir = "../testdata/layout/sample"

// sampleTree encodes the sample snapshot and adds the attachment bytes.
func sampleTree(t testing.TB) (*Snapshot, MapSource) {
	t.Helper()
	s := sampleSnapshot(t)
	s.Files[imageSHA] = 4
	s.Files[attachSHA] = 3
	s.FilePaths[imageSHA] = FilePathExt(imageSHA, "png")
	s.FilePaths[attachSHA] = FilePathExt(attachSHA, "txt")
	files, err := EncodeSnapshot(s)
	if err != nil {
		t.Fatalf("EncodeSnapshot: %v", err)
	}
	files[s.FilePaths[imageSHA]] = []byte("test")
	files[s.FilePaths[attachSHA]] = []byte("foo")
	return s, MapSource(files)
}

func TestGolden(t *testing.T) {
	_, tree := sampleTree(t)
	if *update {
		if err := os.RemoveAll(goldenDir); err != nil {
			t.Fatal(err)
		}
		for p, b := range tree {
			full := filepath.Join(goldenDir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var golden []string
	err := filepath.WalkDir(goldenDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(goldenDir, p)
		golden = append(golden, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatalf("read golden files (run go test ./layout -update): %v", err)
	}
	slices.Sort(golden)
	if got := tree.Paths(); !slices.Equal(got, golden) {
		t.Fatalf("paths differ from golden:\n got %q\nwant %q", got, golden)
	}
	for _, p := range golden {
		want, err := os.ReadFile(filepath.Join(goldenDir, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(tree[p], want) {
			t.Errorf("%s differs from golden (run go test ./layout -update and review the diff):\n%s", p, tree[p])
		}
	}
}

func TestRoundTrip(t *testing.T) {
	want, tree := sampleTree(t)
	got, err := DecodeSnapshot(tree)
	if err != nil {
		t.Fatalf("DecodeSnapshot: %v", err)
	}
	// The model read back holds what was written: the normalised objects.
	normalizeSnapshot(want)
	if !reflect.DeepEqual(got, want) {
		for id := range want.Pages {
			if !reflect.DeepEqual(got.Pages[id], want.Pages[id]) {
				t.Errorf("page %s differs:\n got %#v\nwant %#v", id, got.Pages[id], want.Pages[id])
			}
		}
		t.Fatalf("decoded snapshot differs from the encoded one")
	}
	again, err := EncodeSnapshot(got)
	if err != nil {
		t.Fatal(err)
	}
	for p, b := range again {
		if !bytes.Equal(b, tree[p]) {
			t.Errorf("%s: re-encoding the decoded snapshot changed its bytes", p)
		}
	}
}

// normalizeSnapshot applies Normalize to every object, as encoding does.
func normalizeSnapshot(s *Snapshot) {
	Normalize(s.Meta.Bot)
	for _, p := range s.Pages {
		Normalize(p.Object)
		for _, b := range p.Blocks {
			Normalize(b.Object)
		}
		for _, c := range p.Comments {
			Normalize(c.Object)
		}
	}
	for _, d := range s.Databases {
		Normalize(d.Object)
	}
	for _, d := range s.DataSources {
		Normalize(d.Object)
	}
	for _, u := range s.Users {
		Normalize(u)
	}
}

func TestUnknownBlockTypeSurvives(t *testing.T) {
	s, tree := sampleTree(t)
	raw := s.Pages[rootID].Blocks[b(9)].Object
	delete(raw, "request_id")
	want, err := Canonical(raw)
	if err != nil {
		t.Fatal(err)
	}
	got := tree[BlockPath(rootID, b(9))]
	if !bytes.Equal(got, want) {
		t.Fatalf("ai_summary block changed:\n got %s\nwant %s", got, want)
	}
	for _, lit := range []string{`"score": 1.50`, `"big": 12345678901234567890`, `2.0`, `"a": "<b>&</b>"`} {
		if !bytes.Contains(got, []byte(lit)) {
			t.Errorf("ai_summary block lost %s:\n%s", lit, got)
		}
	}
	snap, err := DecodeSnapshot(tree)
	if err != nil {
		t.Fatal(err)
	}
	again, err := EncodePage(snap.Pages[rootID])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again[BlockPath(rootID, b(9))], got) {
		t.Fatalf("ai_summary block changed on a second round trip")
	}
}

func TestCanonicalIgnoresKeyOrderAndWhitespace(t *testing.T) {
	a := mustDecode(t, `{"b":1,"a":{"y":[1,2.50,"<&>"],"x":null},"c":"é\u2028"}`)
	c := mustDecode(t, "{ \"c\" : \"\\u00e9\\u2028\",\n\t\"a\":{\"x\":null, \"y\":[1, 2.50, \"\\u003c&>\"]}, \"b\": 1 }")
	ba, err := Canonical(a)
	if err != nil {
		t.Fatal(err)
	}
	bc, err := Canonical(c)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"a\": {\n    \"x\": null,\n    \"y\": [\n      1,\n      2.50,\n      \"<&>\"\n    ]\n  },\n  \"b\": 1,\n  \"c\": \"é\\u2028\"\n}\n"
	if string(ba) != want || string(bc) != want {
		t.Fatalf("canonical forms:\n%s\n%s\nwant\n%s", ba, bc, want)
	}
}

func TestCanonicalSortsStructFields(t *testing.T) {
	got, err := Canonical(Meta{FormatVersion: 1, APIVersion: APIVersion})
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"api_version\": \"2025-09-03\",\n  \"format_version\": 1\n}\n"
	if string(got) != want {
		t.Fatalf("got %s want %s", got, want)
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, in := range []string{``, `[]`, `null`, `1`, `"x"`, `{}{}`, `{} x`, `{"a":1`, `{"a":01}`} {
		if _, err := Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) accepted it", in)
		}
	}
	if _, err := Decode([]byte(" {\"a\":1}\n\n")); err != nil {
		t.Errorf("surrounding whitespace rejected: %v", err)
	}
}

func TestSignedURLsGiveIdenticalBytes(t *testing.T) {
	mk := func(query, expiry string) []byte {
		s := sampleSnapshot(t)
		blk := s.Pages[rootID].Blocks[b(8)].Object
		img := blk["image"].(map[string]any)["file"].(map[string]any)
		img["url"] = "https://prod-files-secure.s3.us-west-2.amazonaws.com/231674b6/0a1b/photo.png" + query
		img["expiry_time"] = expiry
		blk["request_id"] = query
		files, err := EncodePage(s.Pages[rootID])
		if err != nil {
			t.Fatal(err)
		}
		return files[BlockPath(rootID, b(8))]
	}
	first := mk("?X-Amz-Signature=one&X-Amz-Date=20260704T090800Z", "2026-07-04T10:08:00.000Z")
	second := mk("?X-Amz-Signature=two&X-Amz-Date=20260704T100800Z", "2026-07-04T11:08:00.000Z")
	if !bytes.Equal(first, second) {
		t.Fatalf("signed URLs leak into the layout:\n%s\n%s", first, second)
	}
	if bytes.Contains(first, []byte("X-Amz")) || bytes.Contains(first, []byte("expiry_time")) || bytes.Contains(first, []byte("request_id")) {
		t.Fatalf("volatile fields kept:\n%s", first)
	}
}

func TestNormalizeKeepsExternalFiles(t *testing.T) {
	obj := mustDecode(t, `{"cover":{"type":"external","external":{"url":"https://example.com/c.png?v=2"}},
		"icon":{"type":"file","file":{"url":"https://s3.example.com/i.png?sig=1#frag","expiry_time":"x"}},
		"request_id":"r","nested":{"request_id":"kept"}}`)
	Normalize(obj)
	got, _ := Canonical(obj)
	for _, want := range []string{"https://example.com/c.png?v=2", `"url": "https://s3.example.com/i.png#frag"`, `"request_id": "kept"`} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("want %s in\n%s", want, got)
		}
	}
	if bytes.Contains(got, []byte("expiry_time")) || bytes.Contains(got, []byte(`"r"`)) {
		t.Errorf("volatile fields kept:\n%s", got)
	}
}

func TestFileRefs(t *testing.T) {
	s := sampleSnapshot(t)
	cases := []struct {
		obj  Object
		want []string
	}{
		{s.Pages[rootID].Blocks[b(8)].Object, []string{"/image/file"}},
		{s.Pages[rootID].Comments[0].Object, []string{"/attachments/0/file"}},
		{s.DataSources[dsID].Object, []string{"/icon/file"}},
		{s.Pages[rowID].Object, []string{"/properties/Files~1Media/files/0/file"}},
		{s.Pages[rootID].Object, nil}, // external cover, emoji icon
	}
	for _, c := range cases {
		var got []string
		for _, r := range FileRefs(c.obj) {
			got = append(got, r.Pointer)
			if v, ok := Lookup(c.obj, r.Pointer); !ok || v.(map[string]any)["url"] != r.URL {
				t.Errorf("Lookup(%s) does not find %s", r.Pointer, r.URL)
			}
			if !strings.HasPrefix(r.URL, "https://prod-files-secure") {
				t.Errorf("%s: url %s", r.Pointer, r.URL)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("FileRefs(%v) = %q, want %q", c.obj["id"], got, c.want)
		}
	}
	// A file block: the block's own "file" member wraps the hosted file.
	blk := mustDecode(t, `{"type":"file","file":{"caption":[],"type":"file","file":{"url":"https://x/y.pdf?s=1"},"name":"y.pdf"}}`)
	if refs := FileRefs(blk); len(refs) != 1 || refs[0].Pointer != "/file/file" {
		t.Errorf("file block: %v", refs)
	}
}

func TestParseID(t *testing.T) {
	const want = "393abc1e-edcd-81f5-ae94-ec2d55fe98ed"
	for _, in := range []string{
		want,
		"393abc1eedcd81f5ae94ec2d55fe98ed",
		"393ABC1E-EDCD-81F5-AE94-EC2D55FE98ED",
		"https://www.notion.so/Title-393abc1eedcd81f5ae94ec2d55fe98ed?pvs=4",
		"https://www.notion.so/acme/393abc1eedcd81f5ae94ec2d55fe98ed",
		"https://app.notion.com/p/Test-2026-07-04-393abc1eedcd81f5ae94ec2d55fe98ed#heading",
		"https://www.notion.so/393abc1e-edcd-81f5-ae94-ec2d55fe98ed/",
	} {
		got, err := ParseID(in)
		if err != nil || got != want {
			t.Errorf("ParseID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", "..", "../x", "../../etc/passwd", "pages/../x",
		"393abc1e-edcd-81f5-ae94-ec2d55fe98e", "393abc1eedcd81f5ae94ec2d55fe98edd",
		"393abc1e/edcd-81f5-ae94-ec2d55fe98ed", "393abc1e-edcd-81f5-ae94-ec2d55fe98e/",
		"../393abc1eedcd81f5ae94ec2d55fe98ed", "393abc1eedcd81f5ae94ec2d55fe98ed/..",
		"393abc1e-edcd-81f5-ae94-ec2d55fe98eg", "393abc1e-edcd81f5-ae94-ec2d-55fe98ed",
		"file:///393abc1eedcd81f5ae94ec2d55fe98ed", "https://www.notion.so/Title-x393abc1eedcd81f5ae94ec2d55fe98e",
		"393abc1eedcd81f5ae94ec2d55fe98ed\x00", " 393abc1eedcd81f5ae94ec2d55fe98ed",
	} {
		if got, err := ParseID(in); err == nil {
			t.Errorf("ParseID(%q) = %q, want an error", in, got)
		} else if !errors.Is(err, ErrBadID) {
			t.Errorf("ParseID(%q): %v is not ErrBadID", in, err)
		}
	}
}

func TestDecodeSnapshotErrorsNamePath(t *testing.T) {
	blockPath := BlockPath(rootID, b(9))
	cases := []struct {
		name   string
		change func(MapSource)
		want   string
	}{
		{"malformed block", func(m MapSource) { m[blockPath] = []byte(`{"id":`) }, blockPath + ": "},
		{"block is an array", func(m MapSource) { m[blockPath] = []byte(`[]`) }, blockPath + ": not a JSON object"},
		{"id does not match path", func(m MapSource) {
			m[blockPath] = bytes.Replace(m[blockPath], []byte(b(9)), []byte(b(99)), 1)
		}, blockPath + `: id "` + b(99) + `" does not match the path`},
		{"child without file", func(m MapSource) { delete(m, BlockPath(rootID, b(4))) }, BlockPath(rootID, b(3)) + ": child block"},
		{"orphan block", func(m MapSource) {
			m[BlockPath(rootID, b(99))] = bytes.Replace(m[blockPath], []byte(b(9)), []byte(b(99)), -1)
		}, BlockPath(rootID, b(99)) + ": block is not reachable"},
		{"unknown top-level path", func(m MapSource) { m["notes.txt"] = nil }, "notes.txt: unknown path"},
		{"traversal", func(m MapSource) { m["pages/../x/page.json"] = nil }, "pages/../x/page.json: unknown path"},
		{"uppercase id dir", func(m MapSource) { m["pages/"+strings.ToUpper(rootID)+"/page.json"] = nil }, "unknown path"},
		{"unknown reserved member", func(m MapSource) {
			m[PagePath(rowID)] = bytes.Replace(m[PagePath(rowID)], []byte(`"property_items_complete"`), []byte(`"surprise"`), 1)
		}, PagePath(rowID) + `: notion_git: json: unknown field "surprise"`},
		{"bad sha", func(m MapSource) {
			m[PagePath(rowID)] = bytes.Replace(m[PagePath(rowID)], []byte(attachSHA), []byte("../x"), 1)
		}, PagePath(rowID) + ": notion_git: files: "},
		{"misfiled attachment", func(m MapSource) { m["files/00/"+imageSHA] = nil }, "files/00/" + imageSHA + ": unknown path"},
		{"page without page.json", func(m MapSource) { delete(m, PagePath(rootID)) }, PagePath(rootID) + ": missing"},
		{"future format", func(m MapSource) { m[MetaPath] = []byte(`{"format_version":3,"api_version":"2030-01-01"}`) }, MetaPath + `: format version "3": this notion-git reads formats 1 to 2`},
		{"bad state", func(m MapSource) { m[StatePath] = []byte(`{"version":1,"objects":{"..":{"kind":"page"}}}`) }, StatePath + `: objects: "..": not a Notion id`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, tree := sampleTree(t)
			c.change(tree)
			for name, decode := range map[string]func(Source) (*Snapshot, error){"DecodeSnapshot": DecodeSnapshot, "OpenSnapshot": OpenSnapshot} {
				_, err := decode(tree)
				if err == nil {
					t.Fatalf("%s accepted the tree", name)
				}
				if !strings.Contains(err.Error(), c.want) {
					t.Fatalf("%s: error %q does not contain %q", name, err, c.want)
				}
			}
		})
	}
}

func TestDecodeSnapshotIgnoresOwnersFiles(t *testing.T) {
	_, tree := sampleTree(t)
	tree[".github/workflows/sync.yml"] = []byte("on: schedule")
	tree[PageReadmePath(rootID)] = []byte("edited by hand")
	if _, err := DecodeSnapshot(tree); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeSnapshot(MapSource{}); !errors.Is(err, ErrNoLayout) {
		t.Fatalf("empty tree: %v", err)
	}
}

func TestEncodeRefusesBrokenModel(t *testing.T) {
	cases := map[string]func(s *Snapshot){
		"bad page id":       func(s *Snapshot) { s.Pages[rootID].ID = "../x" },
		"missing child":     func(s *Snapshot) { s.Pages[rootID].Children = append(s.Pages[rootID].Children, b(98)) },
		"duplicate child":   func(s *Snapshot) { s.Pages[rootID].Children = append(s.Pages[rootID].Children, b(1)) },
		"reserved key":      func(s *Snapshot) { s.Pages[rootID].Object[ReservedKey] = true },
		"object id differs": func(s *Snapshot) { s.Pages[rootID].Blocks[b(1)].Object["id"] = b(2) },
		"bad sha":           func(s *Snapshot) { s.Pages[rowID].Extra.Files["/x"] = FileInfo{SHA256: "../../etc"} },
		"bad comment id":    func(s *Snapshot) { s.Pages[rootID].Comments[0].ID = "/" },
	}
	for name, change := range cases {
		s := sampleSnapshot(t)
		change(s)
		if _, err := EncodeSnapshot(s); err == nil {
			t.Errorf("%s: EncodeSnapshot accepted it", name)
		}
	}
}

func TestEncodeDoesNotModifyInput(t *testing.T) {
	s := sampleSnapshot(t)
	before, _ := Canonical(s.Pages[rootID].Blocks[b(8)].Object)
	if _, err := EncodeSnapshot(s); err != nil {
		t.Fatal(err)
	}
	after, _ := Canonical(s.Pages[rootID].Blocks[b(8)].Object)
	if !bytes.Equal(before, after) {
		t.Fatal("EncodeSnapshot changed the caller's object")
	}
}

// TestEncodeStateIsCanonical guards the fast path of EncodeState: its bytes
// must be exactly Canonical's, whatever the field values.
func TestEncodeStateIsCanonical(t *testing.T) {
	s := &State{Version: StateVersion, LastSync: "2026-03-02T10:00:00Z", Objects: map[string]ObjectState{
		"393abc1e-edcd-81f5-ae94-ec2d55fe98ed": {Kind: KindPage, LastEdited: "2026-03-02T09:59:00.000Z", Crawled: "2026-03-02T10:00:00Z",
			Title: "<Plans> & \u2028 \"quotes\"", Parent: "5b0e8f6a-2d4c-4e7b-8a19-c3d2e1f0a9b8", Trashed: true,
			Files: []string{"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
		"5b0e8f6a-2d4c-4e7b-8a19-c3d2e1f0a9b8": {Kind: KindDataSource},
	}}
	got, err := EncodeState(s)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Canonical(s)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("EncodeState differs from Canonical:\n%s\nwant:\n%s", got, want)
	}
}
