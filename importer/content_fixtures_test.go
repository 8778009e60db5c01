package importer

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// fixtureRoundTrip syncs a hand-written fixture of testdata/fixtures/restore,
// restores it into an empty page of an emulator run with opts, syncs the
// copy and compares. It fails on any difference RESTORE.md does not list.
func fixtureRoundTrip(t *testing.T, name string, opts emulator.Options) (*Report, *FidelityReport, *layout.Snapshot, *localNotion) {
	t.Helper()
	f, err := workspace.Load(filepath.Join("..", "testdata", "fixtures", "restore", name))
	if err != nil {
		t.Fatal(err)
	}
	src := startEmulator(t, f, emulator.Options{})
	snap, tree := syncTree(t, src)
	dst := emptyTarget(t, opts)
	ropts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(tree), Journal: filepath.Join(t.TempDir(), "journal.jsonl")}
	rep, err := Restore(context.Background(), dst.client, snap, ropts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s", rep.Summary(), rep.Details())
	got, _ := syncTree(t, dst, workspace.EmptyTargetID)
	fid, err := Verify(snap, ropts, rep, got)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fidelity:\n%s", fid)
	for _, u := range fid.Unexpected() {
		t.Error(u)
	}
	return rep, fid, got, dst
}

// blockTexts lists a copy's blocks in document order as "type: text", the
// way a reader sees the page.
func blockTexts(pg *layout.Page) []string {
	var out []string
	var walk func(ids []string, depth int)
	walk = func(ids []string, depth int) {
		for _, id := range ids {
			b := pg.Blocks[id]
			if b == nil {
				continue
			}
			typ := typeOf(b)
			src, _ := b.Object[typ].(map[string]any)
			text := layout.PlainText(src["rich_text"])
			if title, ok := src["title"].(string); ok {
				text = title // child pages and databases
			}
			if typ == "code" {
				text, _ = src["language"].(string)
			}
			out = append(out, strings.Repeat("  ", depth)+typ+": "+text)
			walk(b.Children, depth+1)
		}
	}
	walk(pg.Children, 0)
	return out
}

// restoredRoot is the one page restored under the target.
func restoredRoot(t *testing.T, got *layout.Snapshot) *layout.Page {
	t.Helper()
	target := got.Pages[workspace.EmptyTargetID]
	if target == nil || len(target.Children) != 1 || got.Pages[target.Children[0]] == nil {
		t.Fatalf("the target does not hold one restored page")
	}
	return got.Pages[target.Children[0]]
}
