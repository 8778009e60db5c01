package main

import (
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// TestRestoreRerunAfterTheCopyIsGone: a finished restore run again after
// its copy was trashed in Notion, or run into the same page id of another
// workspace, says it starts over and restores everything again (exit 0
// with the whole copy, never "resumed" with nothing restored).
func TestRestoreRerunAfterTheCopyIsGone(t *testing.T) {
	dir := syncedRepo(t)
	restore := func(url string) (int, string, string) {
		return runCLI(t, "restore", "HEAD", "--repo", dir, "--to", workspace.EmptyTargetID,
			"--api-url", url, "--token", emulator.DefaultToken, "--rate", "1000")
	}
	s, url := target(t)
	code, first, errOut := restore(url)
	if code != exitOK || strings.Contains(first, "resumed") {
		t.Fatalf("first restore: exit %d\n%s\n%s", code, first, errOut)
	}
	restored := strings.SplitN(first, "; ", 2)[0] // "... restored N pages, ..."
	restored = restored[strings.Index(restored, "restored"):]

	// The copy is in the trash: every page created in the target.
	for _, e := range s.Fixture().Pages {
		if par, _ := e["parent"].(map[string]any); par["page_id"] == workspace.EmptyTargetID {
			if err := s.TrashPage(e["id"].(string)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, url := range map[string]string{"copy trashed": url, "another workspace": func() string { _, u := target(t); return u }()} {
		code, out, errOut := restore(url)
		if code != exitOK || !strings.Contains(errOut, "starting over") || !strings.Contains(out, restored) || strings.Contains(out, "resumed") {
			t.Errorf("%s: exit %d, want 0 with %q and a line saying it starts over\nstdout: %s\nstderr: %s", name, code, restored, out, errOut)
		}
	}
}

// TestRestoreRefusesAJournalHalfGone: with part of the copy gone and part
// still there, the restore writes nothing, exits 1 and prints the command
// that starts over.
func TestRestoreRefusesAJournalHalfGone(t *testing.T) {
	dir := syncedRepo(t)
	s, url := target(t)
	api := []string{"--api-url", url, "--token", emulator.DefaultToken, "--rate", "1000"}
	var two []string
	// Two top-level pages of the snapshot, restored side by side.
	src := workspace.Sample()
	for _, p := range src.Pages {
		if par, _ := p["parent"].(map[string]any); par["type"] == "workspace" && len(two) < 2 {
			two = append(two, p["id"].(string))
		}
	}
	if len(two) < 2 {
		t.Skipf("the sample workspace has %d top-level pages", len(two))
	}
	args := append([]string{"restore", "HEAD", "--repo", dir, "--to", workspace.EmptyTargetID, "--page", two[0], "--page", two[1]}, api...)
	if code, out, errOut := runCLI(t, args...); code != exitOK {
		t.Fatalf("first restore: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, p := range s.Fixture().Pages {
		if par, _ := p["parent"].(map[string]any); par["page_id"] == workspace.EmptyTargetID {
			if err := s.TrashPage(p["id"].(string)); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	before := writes(s)
	code, out, errOut := runCLI(t, args...)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if code != exitError || len(lines) != 1 || !strings.Contains(errOut, "in the trash") || !strings.Contains(errOut, "to start over: notion-git restore ") || !strings.Contains(errOut, " --fresh") {
		t.Fatalf("half-gone copy: exit %d, want 1 with one line naming the trashed page and the --fresh command\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if n := writes(s) - before; n != 0 {
		t.Fatalf("the refused resume wrote %d times", n)
	}
}
