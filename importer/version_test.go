package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/contract"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// syncAt syncs the emulator's workspace (below roots, if any) speaking the
// given API version.
func syncAt(t testing.TB, e *localNotion, version string, roots ...string) (*layout.Snapshot, exporter.MemoryTree) {
	snap, tree, _ := syncState(t, e, version, roots...)
	return snap, tree
}

// syncState is syncAt that also returns the sync state.
func syncState(t testing.TB, e *localNotion, version string, roots ...string) (*layout.Snapshot, exporter.MemoryTree, *layout.State) {
	t.Helper()
	tree := exporter.MemoryTree{}
	res, err := exporter.Sync(context.Background(), newClient(t, e.url, &notion.Config{Version: version}), nil, tree, exporter.Options{
		Roots: roots, Comments: exporter.CommentsAll, Full: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := layout.DecodeSnapshot(layout.MapSource(tree))
	if err != nil {
		t.Fatal(err)
	}
	return snap, tree, res.State
}

// TestSyncSameLayoutUnderBothVersions syncs one workspace under 2025-09-03
// and under 2026-03-11 and compares the trees file by file. The only
// difference allowed is the one 2026-03-11 makes impossible to undo: a
// block stored as `transcription` reads, and is stored, as `meeting_notes`
// (with the README.md of its page, which names the type). The sync state
// is compared without its times, which are the syncs' own.
func TestSyncSameLayoutUnderBothVersions(t *testing.T) {
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{})
	_, older, sa := syncState(t, e, notion.DefaultVersion)
	_, newer, sb := syncState(t, e, notion.VersionInTrash)

	renamed := map[string]bool{} // pages holding a renamed block
	var paths []string
	for p := range older {
		paths = append(paths, p)
	}
	for p := range newer {
		if _, ok := older[p]; !ok {
			t.Errorf("%s: only under %s", p, notion.VersionInTrash)
		}
	}
	slices.Sort(paths)
	for _, p := range paths {
		a, b := older[p], newer[p]
		if b == nil {
			t.Errorf("%s: only under %s", p, notion.DefaultVersion)
			continue
		}
		if bytes.Equal(a, b) || strings.HasSuffix(p, "README.md") {
			continue
		}
		oa, _ := layout.Decode(a)
		ob, _ := layout.Decode(b)
		if oa["type"] == "transcription" && ob["type"] == "meeting_notes" {
			oa["type"], oa["meeting_notes"] = "meeting_notes", oa["transcription"]
			delete(oa, "transcription")
			if reflect.DeepEqual(oa, ob) {
				renamed[strings.SplitN(p, "/", 3)[1]] = true
				continue
			}
		}
		t.Errorf("%s differs:\n%s\n%s", p, a, b)
	}
	if len(renamed) == 0 {
		t.Error("the workspace holds no transcription block: the rename is not exercised")
	}
	for _, p := range paths {
		if strings.HasSuffix(p, "README.md") && !bytes.Equal(older[p], newer[p]) && !renamed[strings.SplitN(p, "/", 3)[min(1, strings.Count(p, "/"))]] {
			t.Errorf("%s differs, and its page holds no renamed block", p)
		}
	}
	for _, s := range []*layout.State{sa, sb} {
		s.LastSync = ""
		for id, o := range s.Objects {
			o.Crawled = ""
			s.Objects[id] = o
		}
	}
	if !reflect.DeepEqual(sa, sb) {
		t.Error("the sync states differ beyond their times")
	}
	t.Logf("%d files; %d pages differ only by transcription → meeting_notes", len(paths), len(renamed))
}

// hasKey reports whether key appears anywhere in the JSON value v.
func hasKey(v any, key string) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k == key || hasKey(x, key) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(v, func(x any) bool { return hasKey(x, key) })
	}
	return false
}

// TestRestoreUnderBothVersions restores a snapshot synced under each
// version with the other version, counts the requests that differ, and
// checks the round trip. Under 2026-03-11 the blocks before a page's first
// child page go at its start with `position`: no placeholder is created or
// deleted, and no request names `after` or `archived`. Under 2025-09-03
// every such page costs one placeholder append and one DELETE.
func TestRestoreUnderBothVersions(t *testing.T) {
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{})
	for _, c := range []struct{ synced, restored string }{
		{notion.DefaultVersion, notion.VersionInTrash},
		{notion.VersionInTrash, notion.DefaultVersion},
	} {
		t.Run("synced "+c.synced+", restored "+c.restored, func(t *testing.T) {
			snap, tree := syncAt(t, e, c.synced)
			pl, err := newPlan(snap, nil)
			if err != nil {
				t.Fatal(err)
			}
			leading := 0
			for _, pid := range pl.contentOrder {
				if pl.leading[pid] {
					leading++
				}
			}
			if leading == 0 {
				t.Fatal("no page has content before its first child page: nothing to count")
			}
			dst := emptyTarget(t, emulator.Options{})
			client := newClient(t, dst.url, &notion.Config{Version: c.restored})
			opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(tree), Journal: filepath.Join(t.TempDir(), "journal.jsonl")}
			rep, err := Restore(context.Background(), client, snap, opts)
			if err != nil {
				t.Fatal(err)
			}
			placeholderBody, _ := json.Marshal(map[string]any{"children": []any{emptyParagraph()}})
			var placeholders, deletes, after, position, archived int
			for _, x := range dst.srv.Log() {
				if x.Method == "DELETE" {
					deletes++
				}
				var body map[string]any
				if len(x.RequestBody) == 0 || json.Unmarshal(x.RequestBody, &body) != nil {
					continue
				}
				if x.Endpoint == "PATCH /v1/blocks/{id}/children" {
					if bytes.Equal(bytes.TrimSpace(x.RequestBody), placeholderBody) {
						placeholders++
					}
					if _, ok := body["after"]; ok {
						after++
					}
					if _, ok := body["position"]; ok {
						position++
					}
				}
				if hasKey(body, "archived") {
					archived++
				}
			}
			t.Logf("%d pages with content before their first child page; %d placeholder appends, %d DELETEs, %d appends with after, %d with position, %d bodies naming archived",
				leading, placeholders, deletes, after, position, archived)
			if c.restored == notion.VersionInTrash {
				if placeholders != 0 || deletes != 0 || after != 0 || archived != 0 {
					t.Errorf("under %s: %d placeholders, %d DELETEs, %d after, %d archived; want none", c.restored, placeholders, deletes, after, archived)
				}
				if position < leading {
					t.Errorf("under %s: %d appends with position, fewer than the %d pages that need one", c.restored, position, leading)
				}
			} else {
				if deletes != leading || placeholders < leading || position != 0 {
					t.Errorf("under %s: %d placeholders, %d DELETEs, %d position; want %d, %d, 0", c.restored, placeholders, deletes, position, leading, leading)
				}
			}

			got, _ := syncAt(t, dst, c.restored, workspace.EmptyTargetID)
			fid, err := Verify(snap, opts, rep, got)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range fid.Unexpected() {
				t.Error(u)
			}

			contract.Require(t)
			for _, x := range dst.srv.Log() {
				if x.Endpoint != "PATCH /v1/blocks/{id}/children" || len(x.RequestBody) == 0 {
					continue
				}
				if err := contract.ValidateJSON("AppendBlockChildrenBodyParameters", x.RequestBody); err != nil {
					t.Errorf("%s: %v\n%.300s", x.Endpoint, err, x.RequestBody)
				}
			}
		})
	}
}
