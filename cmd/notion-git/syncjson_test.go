package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// syncDoc is what a script reads of `sync --json`.
type syncDoc struct {
	Status  string `json:"status"`
	Commit  string `json:"commit"`
	Branch  string `json:"branch"`
	Partial bool   `json:"partial"`
	Error   string `json:"error"`
	Pages   *struct {
		Total, Added, Changed, Removed, Crawled int
	} `json:"pages"`
	Errors []struct {
		ID string `json:"id"`
	} `json:"errors"`
}

// parseSyncJSON decodes the whole of stdout as one JSON document: anything
// else printed there fails the test.
func parseSyncJSON(t *testing.T, r result) syncDoc {
	t.Helper()
	var doc syncDoc
	var raw json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, r)
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("stdout: %v\n%s", err, r)
	}
	return doc
}

// TestSyncJSON: --json prints one JSON document on stdout and nothing else,
// on a commit, a sync without change, a dry run, a partial sync (exit 3) and
// a failure, and what the sync says for people goes to stderr.
func TestSyncJSON(t *testing.T) {
	t.Parallel()
	refuse := &refuser{}
	e := startEmulator(t, basicFixture(t), emulator.Options{}, refuse.wrap)
	dir := newRepoDir(t)

	// A dry run of a first sync creates nothing, and says what it would
	// write.
	r := e.sync(t, dir, exitOK, "--json", "--dry-run")
	if doc := parseSyncJSON(t, r); doc.Status != "dry_run" || doc.Commit != "" || doc.Pages == nil || doc.Pages.Total != 6 {
		t.Fatalf("dry run of a first sync: %+v\n%s", doc, r)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Fatal("the dry run created the repository")
	}

	file := filepath.Join(t.TempDir(), "report.json")
	r = e.sync(t, dir, exitOK, "--json", "--report", file)
	doc := parseSyncJSON(t, r)
	head := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))
	if doc.Status != "committed" || doc.Commit != head || doc.Branch != "main" || doc.Partial || doc.Error != "" || doc.Pages.Added != 6 {
		t.Fatalf("first sync: %+v, want committed %s on main with 6 pages added\n%s", doc, head, r)
	}
	if !strings.Contains(r.stderr, "committed "+head[:12]+" on main") {
		t.Errorf("the summary for people is not on stderr:\n%s", r)
	}
	// --report FILE still writes the report beside --json.
	var fromFile syncDoc
	if b, err := os.ReadFile(file); err != nil || json.Unmarshal(b, &fromFile) != nil || fromFile.Pages == nil || fromFile.Pages.Added != 6 {
		t.Fatalf("--report FILE with --json: %v\n%s", err, b)
	}

	// --report - is the same document on stdout; -q leaves stderr empty.
	r = e.sync(t, dir, exitOK, "--report", "-", "-q")
	if doc := parseSyncJSON(t, r); doc.Status != "unchanged" || doc.Commit != "" || doc.Branch != "" || doc.Pages.Total != 6 {
		t.Fatalf("sync without change: %+v\n%s", doc, r)
	}
	if r.stderr != "" {
		t.Errorf("-q --report -: stderr %q", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
		t.Error("--report - wrote a file named -")
	}

	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	r = e.sync(t, dir, exitOK, "--json", "--dry-run")
	if doc := parseSyncJSON(t, r); doc.Status != "dry_run" || doc.Pages.Changed == 0 {
		t.Fatalf("dry run: %+v\n%s", doc, r)
	}

	refuse.arm(tableBlockID)
	r = e.sync(t, dir, exitPartial, "--json")
	doc = parseSyncJSON(t, r)
	head = strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))
	if doc.Status != "committed" || doc.Commit != head || !doc.Partial || len(doc.Errors) != 1 || doc.Errors[0].ID != releaseID ||
		!strings.Contains(doc.Error, "1 objects could not be read") {
		t.Fatalf("partial sync: %+v, want committed %s, partial, naming %s\n%s", doc, head, releaseID, r)
	}

	// A failure before the crawl: a document without a report.
	r = runArgs(t.Context(), "sync", "--json", "--api-url", e.URL, "--token", "wrong", "--rate", "1000", "--repo", dir)
	doc = parseSyncJSON(t, r)
	if r.code != exitError || doc.Status != "failed" || doc.Pages != nil || doc.Error == "" || !strings.Contains(r.stderr, doc.Error) {
		t.Fatalf("failed sync: %+v\n%s", doc, r)
	}
}

// TestSyncJSONIncomplete: a sync stopped by --max-duration (exit 5) prints
// its report as JSON too, with what it crawled.
func TestSyncJSONIncomplete(t *testing.T) {
	t.Parallel()
	clock := &requestClock{now: fixtureTime, step: 100 * time.Millisecond}
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{}, clock.wrap)
	dir := newRepoDir(t)
	r := e.syncOn(t, clock, dir, exitIncomplete, "--json", "--max-duration", "25s", "--checkpoint-interval", "5s")
	doc := parseSyncJSON(t, r)
	if doc.Status != "incomplete" || doc.Commit != "" || doc.Pages == nil || doc.Pages.Crawled == 0 || !strings.Contains(doc.Error, "incomplete after") {
		t.Fatalf("incomplete sync: %+v\n%s", doc, r)
	}
	if line := oneStderrLine(t, r); line != "notion-git: "+doc.Error {
		t.Errorf("stderr %q, JSON error %q", line, doc.Error)
	}
}
