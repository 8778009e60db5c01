package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// readSummary reads the step summary file and empties it for the next run.
func readSummary(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantInSummary(t *testing.T, summary string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(summary, w) {
			t.Errorf("the step summary lacks %q:\n%s", w, summary)
		}
	}
}

func TestStepSummarySaysWhatEachRunDid(t *testing.T) {
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	path := filepath.Join(t.TempDir(), "summary.md")

	// A first sync adds every page.
	e.sync(t, dir, exitOK, "--step-summary", path)
	s := readSummary(t, path)
	head := short(hashOf(t, dir, "HEAD"))
	wantInSummary(t, s, "## notion-git sync: complete\n", "Committed `"+head+"` on `main`.", "- added: **Team Home**", "- added: **Release notes**", "### Requests\n")

	// A rename and an edit: the pages by title, what happened to each.
	if err := e.SetTitle(releaseID, "Changelog <b>*v2*</b>"); err != nil {
		t.Fatal(err)
	}
	err := e.EditBlock(readHandbookBlockID, func(b map[string]any) {
		text := b["to_do"].(map[string]any)["rich_text"].([]any)[0].(map[string]any)
		text["plain_text"] = "Read the whole handbook"
		text["text"].(map[string]any)["content"] = "Read the whole handbook"
	})
	if err != nil {
		t.Fatal(err)
	}
	r := e.sync(t, dir, exitOK, "--step-summary", path)
	s = readSummary(t, path)
	// Team Home holds the renamed page's child_page block, whose title
	// changed with it.
	wantInSummary(t, s, "## notion-git sync: complete\n", "### Pages changed (3)\n",
		// Markdown and HTML in a title show as written.
		`- renamed from **Release notes**: **Changelog \<b\>\*v2\*\</b\>** (+1 −1 lines)`,
		"- changed: **Onboarding** (+1 −1 lines)\n",
		"- changed: **Team Home** (+1 −1 lines)\n")
	if n := strings.Count(s, "\n- "); n != 3 {
		t.Errorf("%d pages listed, want 3:\n%s", n, s)
	}
	// The same requests as the run's summary line counts.
	wantInSummary(t, s, "| "+requestsOf(t, r.stdout)+" | 0 | 0 |")

	// Nothing changed: said so, briefly.
	e.sync(t, dir, exitOK, "--step-summary", path)
	s = readSummary(t, path)
	wantInSummary(t, s, "## notion-git sync: complete\n", "No change in Notion: nothing to commit.")
	if strings.Contains(s, "Pages changed") {
		t.Errorf("no change, yet pages are listed:\n%s", s)
	}

	// A failure before anything was read.
	r = runArgs(context.Background(), "sync", "--api-url", e.URL, "--token", "wrong", "--rate", "1000", "--repo", dir, "--step-summary", path)
	if r.code != exitError {
		t.Fatalf("a wrong token: %s", r)
	}
	s = readSummary(t, path)
	wantInSummary(t, s, "## notion-git sync: failed\n", "401")
}

// requestsOf reads the request count from a sync's summary line.
func requestsOf(t *testing.T, stdout string) string {
	t.Helper()
	m := regexp.MustCompile(`; ([0-9]+) requests in `).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no request count in %q", stdout)
	}
	return m[1]
}

func hashOf(t *testing.T, dir, rev string) plumbing.Hash {
	t.Helper()
	return plumbing.NewHash(strings.TrimSpace(git(t, dir, "rev-parse", rev)))
}

func TestStepSummaryOfAPartialSync(t *testing.T) {
	path := "/v1/blocks/" + releaseID + "/children"
	next := map[string]string{"": "A", "A": "B", "B": "A"}
	h := &hostile{match: pathIs("GET", path), answer: func(w http.ResponseWriter, r *http.Request, _ int) {
		io.WriteString(w, listPage("", next[r.URL.Query().Get("start_cursor")]))
	}}
	e := startEmulator(t, basicFixture(t), emulator.Options{}, h.wrap)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	h.armed.Store(true)
	summary := filepath.Join(t.TempDir(), "summary.md")
	r := runArgsOn(&instantClock{now: fixtureTime}, e.syncArgs(dir, "--full", "--step-summary", summary)...)
	if r.code != exitPartial {
		t.Fatalf("want exit 3, got %s", r)
	}
	s := readSummary(t, summary)
	wantInSummary(t, s, "## notion-git sync: partial\n", "### Unreadable (1, kept their previous version)\n",
		"- page `"+releaseID+"`: page "+releaseID+": blocks: notion: GET blocks/{id}/children: the listing does not end")
}

func TestStepSummaryOfAnIncompleteSync(t *testing.T) {
	clock := &requestClock{now: fixtureTime, step: 100 * time.Millisecond}
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{}, clock.wrap)
	dir := newRepoDir(t)
	summary := filepath.Join(t.TempDir(), "summary.md")
	e.syncOn(t, clock, dir, exitIncomplete, "--max-duration", "20s", "--checkpoint-interval", "1s", "--step-summary", summary)
	s := readSummary(t, summary)
	wantInSummary(t, s, "## notion-git sync: incomplete, will resume\n", "kept as a checkpoint", "The next run continues from the checkpoint.", "### Requests\n")
	if strings.Contains(s, "Committed") {
		t.Errorf("an incomplete run says it committed:\n%s", s)
	}
	e.syncOn(t, clock, dir, exitOK, "--step-summary", summary)
	s = readSummary(t, summary)
	wantInSummary(t, s, "## notion-git sync: complete\n", "Committed `", "### Pages changed (")
}
