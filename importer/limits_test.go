package importer

import (
	"context"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

func para(text string, kids ...map[string]any) map[string]any {
	p := map[string]any{"rich_text": []any{map[string]any{"type": "text", "text": map[string]any{"content": text}}}}
	if len(kids) > 0 {
		ks := make([]any, len(kids))
		for i, k := range kids {
			ks[i] = k
		}
		p["children"] = ks
	}
	return map[string]any{"type": "toggle", "toggle": p}
}

// TestLimitsArePlanned restores a page the API could never take in one
// request: 250 top-level blocks, a toggle with 150 children, nesting six
// levels deep and a 4,500-character text. The emulator rejects any request
// over Notion's limits, so the restore passing proves the planning.
func TestLimitsArePlanned(t *testing.T) {
	src := startEmulator(t, workspace.Empty("Source"), emulator.Options{})
	var blocks []map[string]any
	for i := range 250 {
		blocks = append(blocks, para("block "+strings.Repeat("x", i%7)))
	}
	wide := make([]map[string]any, 150)
	for i := range wide {
		wide[i] = para("child")
	}
	blocks = append(blocks, para("wide", wide...))
	deep := para("level 6")
	for l := 5; l >= 1; l-- {
		deep = para("level", deep)
	}
	blocks = append(blocks, deep, para(strings.Repeat("long text ", 450)))
	if _, err := src.srv.AppendBlocks(workspace.EmptyTargetID, blocks...); err != nil {
		t.Fatal(err)
	}
	snap, tree := syncTree(t, src)

	dst := emptyTarget(t, emulator.Options{})
	opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(tree)}
	rep, err := Restore(context.Background(), dst.client, snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := syncTree(t, dst, workspace.EmptyTargetID)
	restored := got.Pages[rep.IDs[workspace.EmptyTargetID]]
	if restored == nil || len(restored.Blocks) != len(snap.Pages[workspace.EmptyTargetID].Blocks) {
		t.Fatalf("restored page has %v blocks, want %d", restored, len(snap.Pages[workspace.EmptyTargetID].Blocks))
	}
	fid, err := Verify(snap, opts, rep, got)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range fid.Unexpected() {
		// A long text comes back split into items of at most 2,000
		// characters, as RESTORE.md says; everything else must be equal.
		if !strings.HasPrefix(u, "block toggle: 1 of") {
			t.Error(u)
		}
	}
}

// TestRestoreOnlyPages restores one page and its subtree: nothing else is
// created, and references leaving the subtree keep their ids and are
// counted.
func TestRestoreOnlyPages(t *testing.T) {
	src := tinySource(t)
	var root string
	for id := range src.snap.Pages {
		if src.snap.Header(id).ParentType == "page_id" && len(src.snap.Outline(id).Blocks) > 0 && (root == "" || id < root) {
			root = id
		}
	}
	dst := emptyTarget(t, emulator.Options{})
	opts := Options{Target: workspace.EmptyTargetID, Pages: []string{root}, Files: layout.MapSource(src.tree)}
	rep, err := Restore(context.Background(), dst.client, src.snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	pl, _ := newPlan(src.snap, []string{root})
	if rep.Pages+rep.Rows != len(pl.pages) || len(pl.pages) >= len(src.snap.Pages) {
		t.Errorf("restored %d pages and rows, plan has %d of %d", rep.Pages+rep.Rows, len(pl.pages), len(src.snap.Pages))
	}
	got, _ := syncTree(t, dst, workspace.EmptyTargetID)
	if n := len(got.Pages); n != len(pl.pages)+1 {
		t.Errorf("the copy has %d pages, want %d and the target", n, len(pl.pages))
	}
	fid, err := Verify(src.snap, opts, rep, got)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range fid.Unexpected() {
		t.Error(u)
	}
}
