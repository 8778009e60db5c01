package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/review"
)

// Ids of the basic fixture that only the review tests act on.
const (
	projectsDataSourceID = "d5000000-0000-4000-8000-000000000001" // "Projects", the schema of the rows below
	stateFileRowID       = "20000000-0000-4000-8000-000000000001" // row "Write the sync state file"
	readHandbookBlockID  = "b1000000-0000-4000-8000-000000000020" // to-do "Read the handbook" in Onboarding
)

// reviewHistory builds a repository of four syncs of the basic fixture:
//
//	HEAD~3  the first sync
//	HEAD~2  "Release notes" renamed "Changelog"; a to-do in Onboarding
//	        checked and reworded; the Projects schema edited
//	HEAD~1  "Changelog" moved from Team Home to Onboarding
//	HEAD    the row "Write the sync state file" put in the trash
func reviewHistory(t *testing.T) string {
	t.Helper()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)

	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	err := e.EditBlock(readHandbookBlockID, func(b map[string]any) {
		todo := b["to_do"].(map[string]any)
		todo["checked"] = true
		text := todo["rich_text"].([]any)[0].(map[string]any)
		text["plain_text"] = "Read the whole handbook"
		text["text"].(map[string]any)["content"] = "Read the whole handbook"
	})
	if err != nil {
		t.Fatal(err)
	}
	err = e.UpdateSchema(projectsDataSourceID, func(props map[string]any) {
		est := props["Estimate"].(map[string]any)
		est["name"] = "Points"
		props["Points"] = est
		delete(props, "Estimate")
		delete(props, "Due")
		props["Reviewed"] = map[string]any{"id": "rvwd", "name": "Reviewed", "type": "checkbox", "checkbox": map[string]any{}}
	})
	if err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK)

	if err := e.MovePage(releaseID, onboardingID); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK)

	if err := e.TrashPage(stateFileRowID); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK)
	if n := commitCount(t, dir); n != 4 {
		t.Fatalf("%d commits, want 4", n)
	}
	return dir
}

// runReview runs a review command line and fails the test unless it exits 0.
func runReview(t *testing.T, args ...string) string {
	t.Helper()
	r := runArgs(context.Background(), args...)
	if r.code != exitOK {
		t.Fatalf("%v: %s", args, r)
	}
	if r.stderr != "" {
		t.Errorf("%v wrote to stderr:\n%s", args, r.stderr)
	}
	return r.stdout
}

// wantLines fails the test for every line of want missing from out.
func wantLines(t *testing.T, what, out string, want ...string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	for _, w := range want {
		found := false
		for _, l := range lines {
			if l == w {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: no line %q in:\n%s", what, w, out)
		}
	}
}

func TestReviewCommands(t *testing.T) {
	t.Parallel()
	dir := reviewHistory(t)

	t.Run("log", func(t *testing.T) {
		out := runReview(t, "log", "--repo", dir)
		subjects := regexp.MustCompile(`(?m)^[0-9a-f]{12}  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}  (.*)$`).FindAllStringSubmatch(out, -1)
		if len(subjects) != 4 {
			t.Fatalf("log shows %d commits, want 4:\n%s", len(subjects), out)
		}
		if got := subjects[0][1]; got != `Sync Notion: "Write the sync state file" removed` {
			t.Errorf("newest first: top commit %q", got)
		}
		if got := subjects[3][1]; got != `Sync Notion: first sync, "Team Home" and 5 more pages` {
			t.Errorf("oldest last: bottom commit %q", got)
		}
		first := strings.Index(out, "    6 pages: 6 added, 0 changed, 0 removed; ")
		trash := strings.Index(out, "    5 pages: 0 added, 0 changed, 1 removed; ")
		if first < 0 || trash < 0 || trash > first {
			t.Errorf("log does not show the trailer counts, newest first:\n%s", out)
		}
		if !regexp.MustCompile(`; \d+ requests\n`).MatchString(out) {
			t.Errorf("log does not show the requests:\n%s", out)
		}

		if n := strings.Count(runReview(t, "log", "--repo", dir, "-n", "2"), "Sync Notion"); n != 2 {
			t.Errorf("log -n 2 shows %d commits", n)
		}
	})

	t.Run("log PAGE", func(t *testing.T) {
		out := runReview(t, "log", "--repo", dir, "https://www.notion.so/Changelog-"+strings.ReplaceAll(releaseID, "-", "")+"?pvs=4")
		got := regexp.MustCompile(`(?m)^    ".*$`).FindAllString(out, -1)
		want := []string{
			`    "Changelog" changed, moved`,
			`    "Changelog" changed, renamed from "Release notes"`,
			`    "Release notes" added`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("log of the renamed page:\n%s\nwant page lines:\n%s", out, strings.Join(want, "\n"))
		}
		if strings.Contains(out, "1 removed") {
			t.Errorf("log of the page shows the trash commit, which did not touch it:\n%s", out)
		}
		out = runReview(t, "log", "--repo", dir, stateFileRowID)
		wantLines(t, "log of the trashed row", out, `    "Write the sync state file" removed`, `    "Write the sync state file" added`)
	})

	t.Run("show", func(t *testing.T) {
		out := runReview(t, "show", "--repo", dir)
		wantLines(t, "show", out,
			`    Sync Notion: "Write the sync state file" removed`,
			"5 pages (2 of them database rows), 1 database, 1 data source, 3 users, 1 attachment",
			"# Basic fixture",
		)
		if !strings.HasPrefix(out, "commit ") || !strings.Contains(out, "\nDate:   ") {
			t.Errorf("show does not start with the commit and its date:\n%s", out)
		}
		if !strings.Contains(out, "  - [Onboarding]("+layout.PageReadmePath(onboardingID)+")\n    - [Changelog]("+layout.PageReadmePath(releaseID)+")\n") {
			t.Errorf("show does not print the page tree with the moved page:\n%s", out)
		}
		if _, tree, _ := strings.Cut(out, "# Basic fixture"); strings.Contains(tree, "Write the sync state file") {
			t.Errorf("the trashed row is still in the tree:\n%s", out)
		}

		old := runReview(t, "show", "--repo", dir, "HEAD~3")
		wantLines(t, "show HEAD~3", old, "6 pages (3 of them database rows), 1 database, 1 data source, 3 users, 1 attachment",
			"  - [Release notes]("+layout.PageReadmePath(releaseID)+")")
	})

	t.Run("show PAGE", func(t *testing.T) {
		md := runReview(t, "show", "--repo", dir, releaseID)
		if !strings.HasPrefix(md, "# Changelog\n") {
			t.Errorf("show PAGE at HEAD:\n%s", md)
		}
		md = runReview(t, "show", "--repo", dir, "HEAD~3", releaseID)
		if !strings.HasPrefix(md, "# Release notes\n") || !strings.Contains(md, "| First sync | \\#1 |") {
			t.Errorf("show HEAD~3 PAGE:\n%s", md)
		}
		md = runReview(t, "show", "--repo", dir, "HEAD~2", onboardingID)
		wantLines(t, "show HEAD~2 Onboarding", md, "- [x] Read the whole handbook")

		var doc struct {
			ID, Title, Markdown string
			Page                json.RawMessage
		}
		raw := runReview(t, "show", "--repo", dir, "--json", "HEAD~3", releaseID)
		if err := json.Unmarshal([]byte(raw), &doc); err != nil || doc.ID != releaseID || doc.Title != "Release notes" ||
			doc.Markdown != runReview(t, "show", "--repo", dir, "HEAD~3", releaseID) {
			t.Errorf("show --json: %v\n%s", err, raw)
		}
		if !sameJSON(t, doc.Page, []byte(git(t, dir, "show", "HEAD~3:"+layout.PagePath(releaseID)))) {
			t.Errorf("show --json does not hold the page.json of the commit:\n%s", raw)
		}

		r := runArgs(context.Background(), "show", "--repo", dir, "HEAD", stateFileRowID)
		if r.code != exitError || !strings.Contains(r.stderr, "page "+stateFileRowID+" is not in HEAD") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("show of a page that is not in the snapshot: %s", r)
		}
	})

	t.Run("diff rename, edit and schema", func(t *testing.T) {
		out := runReview(t, "diff", "--repo", dir, "HEAD~3", "HEAD~2")
		wantLines(t, "diff", out,
			`renamed: "Release notes" -> "Changelog" (`+releaseID+`)`,
			`changed: "Onboarding" +1 -1 (`+onboardingID+`)`,
			`changed: "Golden layout tests" +2 -2 (20000000-0000-4000-8000-000000000003)`, // a row: its properties follow the schema
			`-| Estimate | 2 |`,
			`+| Points | 2 |`,
			`data source "Projects": property "Due" removed; property "Estimate" renamed to "Points"; property "Reviewed" added (checkbox) (`+projectsDataSourceID+`)`,
			`page "Changelog" (`+releaseID+`)`,
			"--- a/"+layout.PageReadmePath(releaseID),
			"+++ b/"+layout.PageReadmePath(releaseID),
			`-# Release notes`,
			`+# Changelog`,
			`-- [[- -]] Read the handbook`, // the words it changed, marked as git's --word-diff=plain does
			`+- [{+x+}] Read the {+whole +}handbook`,
			` - [x] Set up your laptop`, // context
		)
		if strings.Contains(out, `changed: "Changelog"`) {
			t.Errorf("a rename alone is reported as an edit:\n%s", out)
		}
		if !regexp.MustCompile(`(?m)^@@ -1,\d+ \+1,\d+ @@$`).MatchString(out) {
			t.Errorf("no hunk header for the title line:\n%s", out)
		}
	})

	t.Run("diff move", func(t *testing.T) {
		out := runReview(t, "diff", "--repo", dir, "HEAD~2", "HEAD~1")
		wantLines(t, "diff", out,
			`moved:   "Changelog" from "Team Home" to "Onboarding" (`+releaseID+`)`,
			`changed: "Onboarding" +2 -0 (`+onboardingID+`)`,
			`changed: "Team Home" +0 -2 (`+homeID+`)`,
			`+[Changelog](../../`+layout.PageReadmePath(releaseID)+`)`, // the child page in its new parent
			`-[Changelog](../../`+layout.PageReadmePath(releaseID)+`)`, // and in its old one
		)
		if strings.Contains(out, `changed: "Changelog"`) || strings.Contains(out, "+++ b/"+layout.PageReadmePath(releaseID)) {
			t.Errorf("a move changes the Markdown of the moved page:\n%s", out)
		}
		if strings.Contains(out, "renamed:") {
			t.Errorf("a move is reported as a rename:\n%s", out)
		}
	})

	t.Run("diff trash, default revisions", func(t *testing.T) {
		out := runReview(t, "diff", "--repo", dir)
		if !strings.HasPrefix(out, "diff HEAD~1 (") {
			t.Errorf("diff without revisions does not compare HEAD~1 with HEAD:\n%s", out)
		}
		wantLines(t, "diff", out,
			`removed: "Write the sync state file" (`+stateFileRowID+`)`,
			`+++ /dev/null`,
			`@@ -1,10 +0,0 @@`,
			`-# Write the sync state file`,
		)
		// One revision is compared with HEAD.
		if one := runReview(t, "diff", "--repo", dir, "HEAD~1"); !strings.Contains(one, "diff HEAD~1 (") || !strings.Contains(one, "removed: ") {
			t.Errorf("diff HEAD~1:\n%s", one)
		}
	})

	t.Run("diff --stat", func(t *testing.T) {
		out := runReview(t, "diff", "--repo", dir, "--stat", "HEAD~3", "HEAD")
		for _, want := range []string{
			`"Changelog" +\| \+1 -1  renamed from "Release notes", moved from "Team Home" to "Onboarding"`,
			`"Onboarding" +\| \+3 -1`, // its to-do, and the page moved into it
			`"Team Home" +\| \+0 -2`,
			`"Write the sync state file" +\| \+0 -10  removed`,
			`data source "Projects": property "Due" removed; .*`,
		} {
			if !regexp.MustCompile(`(?m)^` + want + `$`).MatchString(out) {
				t.Errorf("diff --stat: no line matching %s in:\n%s", want, out)
			}
		}
		if !regexp.MustCompile(`(?m)^6 pages changed \(0 added, 1 removed\), 8 lines added, 18 removed$`).MatchString(out) {
			t.Errorf("diff --stat: no total:\n%s", out)
		}
		if strings.Contains(out, "@@") {
			t.Errorf("diff --stat prints hunks:\n%s", out)
		}
	})

	t.Run("no change", func(t *testing.T) {
		out := runReview(t, "diff", "--repo", dir, "HEAD", "HEAD")
		wantLines(t, "diff HEAD HEAD", out, "no change in Notion")
	})

	t.Run("bad revisions", func(t *testing.T) {
		for _, args := range [][]string{
			{"diff", "--repo", dir, "nope"},
			{"diff", "--repo", dir, "HEAD~9", "HEAD"},
			{"show", "--repo", dir, "nope"},
			{"show", "--repo", dir, "HEAD~9", releaseID},
		} {
			r := runArgs(context.Background(), args...)
			rev := args[3]
			if r.code != exitError || r.stdout != "" || r.stderr != "notion-git: unknown revision "+rev+"\n" {
				t.Errorf("%v: want one line \"unknown revision %s\" and exit 1, got %s", args, rev, r)
			}
		}
		r := runArgs(context.Background(), "log", "--repo", filepath.Join(t.TempDir(), "none"))
		if r.code != exitError || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "not a git repository") {
			t.Errorf("log of a missing repository: %s", r)
		}
		r = runArgs(context.Background(), "show", "--repo", dir, "HEAD", "not-a-page")
		if r.code != exitUsage {
			t.Errorf("show of a page that is no id: %s", r)
		}
	})
}

// TestReviewDemo: the commands on the demo repository, the README's first
// step, compare the first sync with nothing and show its pages.
func TestReviewDemo(t *testing.T) {
	t.Parallel()
	dir := newRepoDir(t)
	if r := runArgs(context.Background(), "sync", "--demo", "--repo", dir); r.code != exitOK {
		t.Fatalf("sync --demo: %s", r)
	}
	out := runReview(t, "diff", "--repo", dir, "--stat")
	if !strings.HasPrefix(out, "diff nothing .. HEAD (") {
		t.Errorf("diff of the first sync does not say it compares with nothing:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^65 pages changed \(65 added, 0 removed\)`).MatchString(out) {
		t.Errorf("diff --stat of the first sync does not add every page:\n%s", out)
	}
	if n := len(regexp.MustCompile(`(?m)^view "[^"]+" \((table|board|calendar)\) added in database "[^"]+" \(`).FindAllString(out, -1)); n != 6 {
		t.Errorf("diff --stat of the first sync lists %d views added, want the demo's 6:\n%s", n, out)
	}
	if out := runReview(t, "log", "--repo", dir); !strings.Contains(out, "    65 pages: 65 added, 0 changed, 0 removed; ") {
		t.Errorf("log of the demo:\n%s", out)
	}
	out = runReview(t, "show", "--repo", dir)
	wantLines(t, "show", out, "# Acme Demo")
	// Every page of the tree shows as Markdown under its own title.
	link := regexp.MustCompile(`^\s*- \[(.+)\]\((\S+)\)$`)
	shown := 0
	for _, line := range strings.Split(out, "\n") {
		m := link.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		info, ok := layout.ParsePath(m[2])
		if !ok || info.Kind != layout.PathPageReadme {
			continue
		}
		shown++
		md := runReview(t, "show", "--repo", dir, info.PageID)
		if first := strings.SplitN(md, "\n", 2)[0]; !strings.Contains(first, m[1]) {
			t.Errorf("show %s starts %q, want the title %q", info.PageID, first, m[1])
		}
	}
	if shown != 65 {
		t.Errorf("show lists %d pages of the 65 the snapshot holds:\n%s", shown, out)
	}
}

// TestPrintHunks pins the unified format that diff prints hunks in: git's
// ranges, a count only when it is not one, and an op before each line.
func TestPrintHunks(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	printHunks(&out, []review.Hunk{
		{OldStart: 1, OldCount: 2, NewStart: 1, NewCount: 2, Lines: []review.Line{{Op: '-', Text: "old"}, {Op: '+', Text: "new"}, {Op: ' ', Text: "same"}}},
		{OldStart: 9, OldCount: 0, NewStart: 10, NewCount: 1, Lines: []review.Line{{Op: '+', Text: ""}}},
		{OldStart: 0, OldCount: 0, NewStart: 1, NewCount: 3, Lines: []review.Line{{Op: '+', Text: "a"}, {Op: '+', Text: "b"}, {Op: '+', Text: "c"}}},
	})
	want := "@@ -1,2 +1,2 @@\n-old\n+new\n same\n@@ -9,0 +10 @@\n+\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n"
	if out.String() != want {
		t.Errorf("hunks:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestInit(t *testing.T) {
	t.Parallel()
	dir := newRepoDir(t)
	workflow := filepath.Join(dir, filepath.FromSlash(workflowPath))

	out := runReview(t, "init", "--repo", dir, "--github")
	for _, want := range []string{"Created a git repository", "NOTION_TOKEN", "share", "git -C " + dir + " push -u origin main"} {
		if !strings.Contains(out, want) {
			t.Errorf("init does not say %q:\n%s", want, out)
		}
	}
	if log := git(t, dir, "log", "--format=%s", "--name-only"); log != "Add the notion-git sync workflow\n\n"+workflowPath+"\n"+attributesLog {
		t.Errorf("git log after init:\n%s", log)
	}
	if b := strings.TrimSpace(git(t, dir, "symbolic-ref", "HEAD")); b != "refs/heads/main" {
		t.Errorf("HEAD is %s, want refs/heads/main", b)
	}
	if st := git(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("the working tree does not match the commit:\n%s", st)
	}
	content, err := os.ReadFile(workflow)
	if err != nil {
		t.Fatal(err)
	}
	checkWorkflow(t, string(content), "17 * * * *")

	t.Run("refuses to overwrite", func(t *testing.T) {
		r := runArgs(context.Background(), "init", "--repo", dir, "--github", "--schedule", "0 3 * * *")
		if r.code != exitError || !strings.Contains(r.stderr, workflowPath+" exists; pass --force") {
			t.Errorf("second init: %s", r)
		}
		if n := commitCount(t, dir); n != 2 {
			t.Errorf("%d commits after a refused init", n)
		}
		if b, _ := os.ReadFile(workflow); !bytes.Equal(b, content) {
			t.Errorf("a refused init changed the workflow file")
		}
		r = runArgs(context.Background(), "init", "--repo", dir, "--github", "--schedule", "every hour")
		if r.code != exitUsage {
			t.Errorf("init with a bad schedule: %s", r)
		}
	})

	t.Run("force", func(t *testing.T) {
		runReview(t, "init", "--repo", dir, "--github", "--schedule", "0 3 * * *", "--force")
		if n := commitCount(t, dir); n != 3 {
			t.Errorf("%d commits after init --force, want 3", n)
		}
		got := git(t, dir, "show", "HEAD:"+workflowPath)
		checkWorkflow(t, got, "0 3 * * *")
		if st := git(t, dir, "status", "--porcelain"); st != "" {
			t.Errorf("the working tree does not match the commit:\n%s", st)
		}
	})

	t.Run("sync keeps the workflow", func(t *testing.T) {
		e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
		e.sync(t, dir, exitOK)
		files := headFiles(t, dir)
		if !slices.Contains(files, workflowPath) || !slices.Contains(files, layout.MetaPath) {
			t.Errorf("after a sync, HEAD holds %d files, the workflow: %v, the layout: %v",
				len(files), slices.Contains(files, workflowPath), slices.Contains(files, layout.MetaPath))
		}
		if n := commitCount(t, dir); n != 4 {
			t.Errorf("%d commits, want 4", n)
		}
		out := runReview(t, "log", "--repo", dir)
		if !strings.Contains(out, "Add the notion-git sync workflow") || !strings.Contains(out, "6 pages: 6 added") {
			t.Errorf("log after init and sync:\n%s", out)
		}
	})

	t.Run("without --github", func(t *testing.T) {
		plain := newRepoDir(t)
		out := runReview(t, "init", "--repo", plain)
		if !strings.Contains(out, "notion-git sync --repo "+plain) {
			t.Errorf("init does not say what to do next:\n%s", out)
		}
		if _, err := os.Stat(filepath.Join(plain, ".git")); err != nil {
			t.Errorf("no repository: %v", err)
		}
		if log := git(t, plain, "log", "--format=%s", "--name-only"); log != attributesLog {
			t.Errorf("git log after a plain init:\n%s", log)
		}
	})
}

// checkWorkflow checks the workflow's key lines and that it reads as YAML
// would: spaces only, each line a key, a list item or a comment, at the
// indentation its block expects.
func checkWorkflow(t *testing.T, content, cron string) {
	t.Helper()
	wantLines(t, "workflow", content,
		"on:",
		"  schedule:",
		`    - cron: "`+cron+`"`,
		"permissions:",
		"  contents: write",
		"concurrency:",
		"  group: notion-git-sync-main",
		"  cancel-in-progress: false",
		"jobs:",
		"    timeout-minutes: 350",
		"      - uses: actions/checkout@v4",
		`          ref: "main"`,
		"          fetch-depth: 1",
		"          persist-credentials: false",
		"      - uses: notion-git/notion-git@main",
		"          notion-token: ${{ secrets.NOTION_TOKEN }}",
		`          branch: "main"`,
		"          max-duration: 5h20m",
		"          keepalive: 50d",
	)
	yamlLine := regexp.MustCompile(`^(  )*(#.*|- [a-z-]+: .*|[a-z_-]+:( .+)?|[A-Z_]+: .+)$`)
	for i, line := range strings.Split(strings.TrimSuffix(content, "\n"), "\n") {
		if line != "" && !yamlLine.MatchString(line) {
			t.Errorf("workflow line %d is not a YAML key or list item: %q", i+1, line)
		}
	}
	if strings.Contains(content, "\t") {
		t.Errorf("the workflow has tabs, which YAML refuses")
	}
}

// TestShowReadsAsTheREADME: show prints a page as its README in the tree
// reads, titles and people's names included, for every page of the
// snapshot; so does the page's side of a diff.
func TestShowReadsAsTheREADME(t *testing.T) {
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	pages := 0
	for _, p := range strings.Fields(git(t, dir, "ls-tree", "-r", "--name-only", "HEAD", layout.PagesDir)) {
		if path.Base(p) != "README.md" {
			continue
		}
		pages++
		id := path.Base(path.Dir(p))
		want := git(t, dir, "show", "HEAD:"+p)
		if got := runReview(t, "show", "--repo", dir, "HEAD", id); got != want {
			t.Errorf("show %s differs from %s:\n%s\n---\n%s", id, p, got, want)
		}
	}
	if pages < 6 {
		t.Fatalf("%d page READMEs", pages)
	}
}
