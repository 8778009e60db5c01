package main

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// TestSyncAndRestoreUnderInTrashVersion runs sync, restore --dry-run and
// restore --verify with --notion-version 2026-03-11, as a user would: no
// request is refused (the emulator refuses that version's removed fields),
// none names `archived`, no placeholder is deleted, and the verified copy
// has nothing unexpected (restore --verify exits non-zero otherwise).
func TestSyncAndRestoreUnderInTrashVersion(t *testing.T) {
	src := emulator.New(workspace.Sample(), emulator.Options{RecordBodies: true})
	srv := httptest.NewServer(src)
	t.Cleanup(srv.Close)
	dir := filepath.Join(t.TempDir(), "repo")
	v := []string{"--notion-version", notion.VersionInTrash, "--token", emulator.DefaultToken, "--rate", "1000"}
	code, _, errOut := runCLI(t, append([]string{"sync", "--repo", dir, "--api-url", srv.URL, "--full", "--comments", "all", "-q"}, v...)...)
	if code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, errOut)
	}
	fsck(t, dir)

	s, url := target(t)
	for _, extra := range [][]string{{"--dry-run"}, {"--verify"}} {
		args := append([]string{"restore", "HEAD", "--repo", dir, "--to", workspace.EmptyTargetID, "--api-url", url}, v...)
		code, out, errOut := runCLI(t, append(args, extra...)...)
		if code != exitOK {
			t.Fatalf("restore %v: exit %d\n%s\n%s", extra, code, out, errOut)
		}
		if extra[0] == "--verify" && !strings.Contains(out, "fidelity of the restored copy") {
			t.Errorf("restore --verify printed no fidelity report:\n%s", out)
		}
	}
	for _, l := range [][]emulator.LogEntry{src.Log(), s.Log()} {
		for _, e := range l {
			if e.Status >= 400 {
				t.Errorf("%s %s answered %d: %s", e.Method, e.Path, e.Status, e.ResponseBody)
			}
			if strings.Contains(string(e.RequestBody), `"archived"`) || e.Method == "DELETE" && strings.HasPrefix(e.Path, "/v1/blocks/") {
				t.Errorf("%s %s under %s: %s", e.Method, e.Path, notion.VersionInTrash, e.RequestBody)
			}
		}
	}
}
