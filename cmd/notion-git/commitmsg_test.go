package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/review"
)

// itChannelBlockID is the paragraph "Ask in the #it channel." in a toggle
// of Team Home.
const itChannelBlockID = "b1000000-0000-4000-8000-000000000008"

// setParagraph rewrites a paragraph block's one text item.
func setParagraph(text string) func(map[string]any) {
	return func(b map[string]any) {
		item := b["paragraph"].(map[string]any)["rich_text"].([]any)[0].(map[string]any)
		item["plain_text"] = text
		item["text"].(map[string]any)["content"] = text
	}
}

// message is the whole message of a commit.
func message(t *testing.T, dir, rev string) string {
	t.Helper()
	return git(t, dir, "log", "-1", "--format=%B", rev)
}

// TestCommitMessageOneWordEdit: the acceptance's one-word edit. The subject
// names the page, the body lists it, the trailers still parse (for git too),
// and log shows the title, as text and as JSON.
func TestCommitMessageOneWordEdit(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	if err := e.EditBlock(itChannelBlockID, setParagraph("Ask in the #help channel.")); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK)

	msg := message(t, dir, "HEAD")
	subject, rest, _ := strings.Cut(msg, "\n")
	if subject != `Sync Notion: "Team Home" changed` {
		t.Errorf("subject %q, want the page's title:\n%s", subject, msg)
	}
	if !strings.HasPrefix(rest, "\nChanged:\n- \"Team Home\"\n\n6 pages in the snapshot: 0 added, 1 changed, 0 removed.\n") {
		t.Errorf("body does not list the page, then the counts:\n%s", msg)
	}
	tr, ok := review.ParseTrailers(msg)
	if !ok || tr.Pages != 6 || tr.PagesChanged != 1 || tr.PagesAdded != 0 || tr.PagesRemoved != 0 {
		t.Errorf("trailers: %+v, %v", tr, ok)
	}
	// git reads the same paragraph as trailers.
	if got := git(t, dir, "log", "-1", "--format=%(trailers:key=Notion-Git-Pages-Changed,valueonly)"); strings.TrimSpace(got) != "1" {
		t.Errorf("git reads Notion-Git-Pages-Changed as %q", got)
	}
	if out, _ := tryGit(dir, "fsck", "--dangling", "--no-reflogs"); strings.Contains(out, "dangling") {
		t.Errorf("the sync left objects that nothing refers to:\n%s", out)
	}

	out := runReview(t, "log", "--repo", dir)
	if !strings.Contains(out, "\n    6 pages: 0 added, 1 changed, 0 removed; ") {
		t.Errorf("log does not show the counts:\n%s", out)
	}
	if !strings.Contains(out, `  Sync Notion: "Team Home" changed`+"\n") {
		t.Errorf("log does not show the title:\n%s", out)
	}

	var entries []logEntry
	raw := runReview(t, "log", "--repo", dir, "--json")
	if err := json.Unmarshal([]byte(raw), &entries); err != nil {
		t.Fatalf("log --json does not parse: %v\n%s", err, raw)
	}
	if len(entries) != 2 {
		t.Fatalf("log --json: %d entries, want 2", len(entries))
	}
	top := entries[0]
	if !top.Sync || top.Counts == nil || top.Counts.PagesChanged != 1 || top.Subject != subject || len(top.Commit) != 40 {
		t.Errorf("log --json, newest entry: %+v", top)
	}
	if len(top.Pages) != 1 || top.Pages[0] != (logPageJSON{ID: homeID, Title: "Team Home", Change: "changed"}) {
		t.Errorf("log --json pages of the edit: %+v", top.Pages)
	}
	if first := entries[1]; len(first.Pages) != 6 || first.Counts.PagesAdded != 6 || first.Pages[0].Change != "added" {
		t.Errorf("log --json, first sync: %+v", first)
	}
	titles := map[string]bool{}
	for _, p := range entries[1].Pages {
		titles[p.Title] = true
	}
	if !titles["Team Home"] || !titles["Release notes"] {
		t.Errorf("log --json of the first sync lacks titles: %v", titles)
	}
	// Following one page.
	raw = runReview(t, "log", "--repo", dir, "--json", homeID)
	if err := json.Unmarshal([]byte(raw), &entries); err != nil || len(entries) != 2 || entries[0].Pages[0].ID != homeID || entries[1].Pages[0].Change != "added" {
		t.Errorf("log --json PAGE: %v\n%s", err, raw)
	}
	raw = runReview(t, "log", "--repo", dir, "--json", stateFileRowID, "-n", "0")
	if err := json.Unmarshal([]byte(raw), &entries); err != nil {
		t.Errorf("log --json of a page no commit changed after its first: %v\n%s", err, raw)
	}
}

// TestCommitMessageEvents: one sync that adds, renames, moves and removes
// pages and edits a schema lists each with its titles, the move by its
// parents' titles; -m replaces the subject only.
func TestCommitMessageEvents(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)

	_, err := e.AddPage(map[string]any{
		"parent": map[string]any{"type": "page_id", "page_id": homeID},
		"properties": map[string]any{"title": map[string]any{"id": "title", "type": "title", "title": []any{
			map[string]any{"type": "text", "plain_text": "Q3 plan", "text": map[string]any{"content": "Q3 plan"}},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	if err := e.MovePage(releaseID, onboardingID); err != nil {
		t.Fatal(err)
	}
	if err := e.TrashPage(stateFileRowID); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK)
	msg := message(t, dir, "HEAD")
	if subject, _, _ := strings.Cut(msg, "\n"); subject != `Sync Notion: "Q3 plan" added and 4 more pages` {
		t.Errorf("subject %q", subject)
	}
	wantLines(t, "message", msg,
		"Added:", `- "Q3 plan" under "Team Home"`,
		"Removed:", `- "Write the sync state file"`,
		"Renamed:", `- "Release notes" → "Changelog"`,
		"Moved:", `- "Changelog" from "Team Home" to "Onboarding"`,
		"Changed (2):", `- "Onboarding"`, `- "Team Home"`,
		"6 pages in the snapshot: 1 added, 3 changed, 1 removed.",
		`Removed `+stateFileRowID+` "Write the sync state file": in the trash.`,
	)
	if tr, ok := review.ParseTrailers(msg); !ok || tr.Pages != 6 || tr.PagesAdded != 1 || tr.PagesRemoved != 1 {
		t.Errorf("trailers: %+v, %v", tr, ok)
	}

	if err := e.SetTitle(onboardingID, "Start here"); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK, "-m", "Weekly backup")
	msg = message(t, dir, "HEAD")
	if !strings.HasPrefix(msg, "Weekly backup\n\n") {
		t.Errorf("-m does not set the subject:\n%s", msg)
	}
	wantLines(t, "message with -m", msg, "Renamed:", `- "Onboarding" → "Start here"`)
}

// TestCommitMessageFirstSync: a first sync is counted, not listed page by
// page, and names the page at its top.
func TestCommitMessageFirstSync(t *testing.T) {
	t.Parallel()
	dir := newRepoDir(t)
	if r := runArgs(context.Background(), "sync", "--demo", "--repo", dir); r.code != exitOK {
		t.Fatalf("sync --demo: %s", r)
	}
	msg := message(t, dir, "HEAD")
	subject, _, _ := strings.Cut(msg, "\n")
	if !strings.HasPrefix(subject, `Sync Notion: first sync, "`) || !strings.HasSuffix(subject, `" and 64 more pages`) || len([]rune(subject)) > review.SubjectWidth {
		t.Errorf("subject %q", subject)
	}
	wantLines(t, "message", msg, "First sync: 65 pages, 3 databases, 5 data sources, 6 views.", "At the top:")
	if n := strings.Count(msg, "\n"); n > 40 {
		t.Errorf("the first sync's message has %d lines:\n%s", n, msg)
	}
	if _, ok := review.ParseTrailers(msg); !ok {
		t.Errorf("no trailers:\n%s", msg)
	}
}

// TestNotASnapshot: show, diff and log on a commit that is not a snapshot,
// or is of a newer format, say so in one line and exit 1; restore --demo
// names a revision it does not know.
func TestNotASnapshot(t *testing.T) {
	t.Parallel()
	refuse := func(t *testing.T, want string, args ...string) {
		t.Helper()
		r := runArgs(context.Background(), args...)
		if r.code != exitError || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, want) {
			t.Errorf("%v: want exit 1 and one line with %q, got %s", args, want, r)
		}
	}

	t.Run("plain git repository", func(t *testing.T) {
		t.Parallel()
		dir := newRepoDir(t)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		git(t, dir, "init", "-q", "-b", "main")
		if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("# Something else\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		git(t, dir, "add", "README.md")
		git(t, dir, "-c", "user.name=A", "-c", "user.email=a@example.invalid", "commit", "-q", "-m", "Start")
		refuse(t, "holds no notion-git sync: HEAD (", "log", "--repo", dir)
		refuse(t, "HEAD (", "log", "--repo", dir, "--json")
		refuse(t, "is not a notion-git snapshot: it has no "+layout.MetaPath, "show", "--repo", dir)
		refuse(t, "is not a notion-git snapshot", "show", "--repo", dir, "HEAD", homeID)
		refuse(t, "HEAD (", "diff", "--repo", dir)
	})

	t.Run("init, then a sync", func(t *testing.T) {
		t.Parallel()
		dir := newRepoDir(t)
		runReview(t, "init", "--repo", dir, "--github")
		refuse(t, "holds no notion-git sync", "log", "--repo", dir)
		refuse(t, "HEAD (", "show", "--repo", dir)

		e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
		e.sync(t, dir, exitOK)
		// The workflow commit shows in log as what it is.
		out := runReview(t, "log", "--repo", dir)
		wantLines(t, "log", out, "    not a sync")
		var entries []logEntry
		if err := json.Unmarshal([]byte(runReview(t, "log", "--repo", dir, "--json")), &entries); err != nil || len(entries) < 2 || !entries[0].Sync || entries[1].Sync || entries[1].Counts != nil {
			t.Errorf("log --json after init and sync: %v %+v", err, entries)
		}
		// diff chooses the workflow commit as the first sync's parent and
		// compares with it; named, it is refused.
		if out := runReview(t, "diff", "--repo", dir, "--stat"); !strings.Contains(out, "6 pages changed (6 added, 0 removed)") {
			t.Errorf("diff of the first sync after init:\n%s", out)
		}
		refuse(t, "HEAD~1 (", "diff", "--repo", dir, "HEAD~1", "HEAD")
		git(t, dir, "branch", "other", "HEAD~1")
		refuse(t, "other (", "diff", "--repo", dir, "main", "other")
		refuse(t, "other (", "show", "--repo", dir, "other")
	})

	t.Run("newer format", func(t *testing.T) {
		t.Parallel()
		e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
		dir := newRepoDir(t)
		e.sync(t, dir, exitOK)
		// A commit of the same tree with notion-git.json at the next format.
		cur, next := fmt.Sprintf(`"format_version": %d`, layout.FormatVersion), fmt.Sprintf(`"format_version": %d`, layout.FormatVersion+1)
		meta := git(t, dir, "show", "HEAD:"+layout.MetaPath)
		if !strings.Contains(meta, cur) {
			t.Fatalf("%s has no %s:\n%s", layout.MetaPath, cur, meta)
		}
		meta = strings.Replace(meta, cur, next, 1)
		blob := strings.TrimSpace(gitIn(t, dir, meta, nil, "hash-object", "-w", "--stdin"))
		index := []string{"GIT_INDEX_FILE=" + filepath.Join(t.TempDir(), "index")}
		gitIn(t, dir, "", index, "read-tree", "HEAD")
		gitIn(t, dir, "", index, "update-index", "--cacheinfo", "100644,"+blob+","+layout.MetaPath)
		tree := strings.TrimSpace(gitIn(t, dir, "", index, "write-tree"))
		commit := strings.TrimSpace(gitIn(t, dir, "", []string{"GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.invalid", "GIT_COMMITTER_NAME=A", "GIT_COMMITTER_EMAIL=a@example.invalid"},
			"commit-tree", tree, "-p", "HEAD", "-m", "From the future"))
		git(t, dir, "branch", "future", commit)

		want := fmt.Sprintf("was written by a newer notion-git (format version %d; this one reads %d)", layout.FormatVersion+1, layout.FormatVersion)
		refuse(t, "future ("+commit[:12]+") "+want, "show", "--repo", dir, "future")
		refuse(t, want, "show", "--repo", dir, "future", homeID)
		refuse(t, want, "diff", "--repo", dir, "main", "future")
		refuse(t, want, "diff", "--repo", dir, "future", "main")
		git(t, dir, "checkout", "-q", "future")
		refuse(t, want, "log", "--repo", dir)
		refuse(t, want, "diff", "--repo", dir)
	})

	t.Run("restore --demo, bad revision", func(t *testing.T) {
		t.Parallel()
		dir := newRepoDir(t)
		if r := runArgs(context.Background(), "sync", "--demo", "--repo", dir); r.code != exitOK {
			t.Fatalf("sync --demo: %s", r)
		}
		r := runArgs(context.Background(), "restore", "--demo", "--repo", dir, "HEAD~5")
		if r.code != exitError || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, `unknown revision "HEAD~5" in `+dir) || strings.Contains(r.stderr, "sync --demo") {
			t.Errorf("restore --demo of a revision the repository lacks: %s", r)
		}
	})
}

// gitIn runs git in dir with stdin and extra environment.
func gitIn(t *testing.T, dir, stdin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(gitEnv(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return string(out)
}

// TestLogEntryGrammar: one of a thing is not "1 pages".
func TestLogEntryGrammar(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	printLogEntry(&out, &review.Entry{Commit: &gitrepo.CommitInfo{Message: "Sync Notion: \"A\" added\n"}, Synced: true,
		Trailers: review.Trailers{Pages: 1, PagesAdded: 1, Requests: 1, Unreadable: 1}})
	if got := strings.SplitN(out.String(), "\n", 2)[1]; got != "    1 page: 1 added, 0 changed, 0 removed; 1 request; 1 unreadable\n" {
		t.Errorf("log entry of one page: %q", got)
	}
	out.Reset()
	printLogEntry(&out, &review.Entry{Commit: &gitrepo.CommitInfo{Message: "Add the workflow\n"}})
	if got := strings.SplitN(out.String(), "\n", 2)[1]; got != "    not a sync\n" {
		t.Errorf("log entry of a commit that is no sync: %q", got)
	}
}
