package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// TestSyncRefusesAMalformedScopeFilterBeforeAnyRequest: a scope file whose
// filter is malformed stops the sync with one line naming the place, before
// a single request reaches Notion, and the branch stays where it was.
func TestSyncRefusesAMalformedScopeFilterBeforeAnyRequest(t *testing.T) {
	count := &interrupter{}
	e := startEmulator(t, workspace.Sample(), emulator.Options{}, count.wrap)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	scope := `{"filters": {"0e3f9a52-7c4b-4d1e-9a86-5b2f1c0d7e41": {"property": "Done", "checkbox": {"equals": "yes"}}}}`
	path := filepath.Join(dir, filepath.FromSlash(layout.ScopePath))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(scope+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", layout.ScopePath)
	git(t, dir, "-c", "user.name=Owner", "-c", "user.email=owner@example.com", "commit", "-q", "-m", "Narrow the sync")
	head := git(t, dir, "rev-parse", "HEAD")

	count.arm(t, 0)
	r := runArgs(context.Background(), e.syncArgs(dir, "--full")...)
	if r.code != exitError {
		t.Fatalf("want exit %d, got %s", exitError, r)
	}
	line := oneStderrLine(t, r)
	want := `notion-git: .notion-git/scope.json: filters["0e3f9a52-7c4b-4d1e-9a86-5b2f1c0d7e41"].checkbox.equals: a boolean is wanted, not a string`
	if line != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", line, want)
	}
	if n := count.requests(); n != 0 {
		t.Errorf("%d requests reached Notion", n)
	}
	if got := git(t, dir, "rev-parse", "HEAD"); got != head {
		t.Errorf("HEAD moved from %s to %s", strings.TrimSpace(head), strings.TrimSpace(got))
	}
}
