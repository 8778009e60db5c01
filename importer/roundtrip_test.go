package importer

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// TestRoundTrip restores a generated workspace holding every block and
// property type into an empty page of another workspace, syncs the copy
// and compares: everything the API can create must come back equal, and
// every difference must be one RESTORE.md lists.
func TestRoundTrip(t *testing.T) {
	src := smallSource(t)
	dst := emptyTarget(t, emulator.Options{})
	opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree), Journal: filepath.Join(t.TempDir(), "journal.jsonl")}
	rep, err := Restore(context.Background(), dst.client, src.snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s", rep.Summary(), rep.Details())
	got, _ := syncTree(t, dst, workspace.EmptyTargetID)
	fid, err := Verify(src.snap, opts, rep, got)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fidelity:\n%s", fid)
	for _, u := range fid.Unexpected() {
		t.Error(u)
	}
}
