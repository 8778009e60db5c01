package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// TestSyncInterrupted: a sync stopped midway exits 130 with one line saying
// nothing was committed, which is true: the branch stays on the previous
// commit (or none), with a repository git finds sound; the next sync
// completes.
func TestSyncInterrupted(t *testing.T) {
	t.Parallel()
	stop := &interrupter{}
	e := startEmulator(t, basicFixture(t), emulator.Options{}, stop.wrap)
	const nothingCommitted = "notion-git: interrupted; nothing was committed"

	t.Run("first sync", func(t *testing.T) {
		for _, n := range []int{5, 10} {
			dir := newRepoDir(t)
			r := runArgs(stop.arm(t, n), e.syncArgs(dir)...)
			if r.code != exitCancel {
				t.Fatalf("cancelled at request %d: want exit %d, got %s", n, exitCancel, r)
			}
			if got := oneStderrLine(t, r); got != nothingCommitted {
				t.Errorf("cancelled at request %d: stderr %q, want %q", n, got, nothingCommitted)
			}
			if c := commitCount(t, dir); c != 0 {
				t.Errorf("cancelled at request %d: %d commits after an interrupted first sync, want none", n, c)
			}
		}
	})

	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	mark := len(e.Log())
	e.sync(t, dir, exitOK, "--full", "--dry-run")
	total := len(e.Log()) - mark // requests of a sync with --full
	head := git(t, dir, "rev-parse", "HEAD")
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 3, total / 4, total / 2, total - 4, total - 2} {
		r := runArgs(stop.arm(t, n), e.syncArgs(dir, "--full")...)
		if r.code != exitCancel {
			t.Errorf("cancelled at request %d of %d: want exit %d, got %s", n, total, exitCancel, r)
		}
		if got := strings.TrimSpace(r.stderr); got != nothingCommitted {
			t.Errorf("cancelled at request %d: stderr %q, want %q", n, got, nothingCommitted)
		}
		if got := git(t, dir, "rev-parse", "HEAD"); got != head {
			t.Errorf("cancelled at request %d: HEAD moved from %s to %s", n, strings.TrimSpace(head), strings.TrimSpace(got))
		}
		gitFsck(t, dir)
	}
	stop.arm(t, 0)
	e.sync(t, dir, exitOK)
	if n := commitCount(t, dir); n != 2 {
		t.Errorf("%d commits after the sync that followed the interruptions, want 2", n)
	}
	if md := string(headFile(t, dir, layout.PageReadmePath(releaseID))); !strings.Contains(md, "Changelog") {
		t.Errorf("the change was not committed after the interruptions")
	}
}

// objectCount is the number of objects in a repository, loose and packed.
func objectCount(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	for _, line := range strings.Split(git(t, dir, "count-objects", "-v"), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		if k == "count" || k == "in-pack" {
			c, err := strconv.Atoi(v)
			if err != nil {
				t.Fatal(err)
			}
			n += c
		}
	}
	return n
}

// TestSyncBadTokenWritesNothing: a refused token fails at once with one line
// and neither commits nor writes an object.
func TestSyncBadTokenWritesNothing(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	bad := *e
	bad.Token = "ntn_not_the_right_token"

	t.Run("new repository", func(t *testing.T) {
		dir := newRepoDir(t)
		r := bad.sync(t, dir, exitError)
		if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(strings.ToLower(lines[0]), "token") {
			t.Errorf("stderr is not one line about the token:\n%s", r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("stdout: %q, want nothing", r.stdout)
		}
		if _, err := os.Stat(dir); err == nil {
			if n := commitCount(t, dir); n != 0 {
				t.Errorf("%d commits, want none", n)
			}
			if n := objectCount(t, dir); n != 0 {
				t.Errorf("%d objects written, want none", n)
			}
		}
	})
	t.Run("existing repository", func(t *testing.T) {
		dir := newRepoDir(t)
		e.sync(t, dir, exitOK)
		head, objects := git(t, dir, "rev-parse", "HEAD"), objectCount(t, dir)
		state, err := os.ReadFile(filepath.Join(dir, ".git", "notion-git", "state.json"))
		if err != nil {
			t.Fatal(err)
		}
		r := bad.sync(t, dir, exitError, "--full")
		if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 {
			t.Errorf("stderr is not one line:\n%s", r.stderr)
		}
		if got := git(t, dir, "rev-parse", "HEAD"); got != head {
			t.Errorf("HEAD moved")
		}
		if n := objectCount(t, dir); n != objects {
			t.Errorf("%d objects, want the %d of before", n, objects)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, ".git", "notion-git", "state.json")); !bytes.Equal(got, state) {
			t.Errorf("the kept sync state changed")
		}
	})
}

// TestSyncNeverWritesToken: the token appears in no file of the repository
// (objects decompressed), no report, and no output.
func TestSyncNeverWritesToken(t *testing.T) {
	t.Parallel()
	const token = "ntn_distinctive_test_token_1234567890"
	e := startEmulator(t, basicFixture(t), emulator.Options{Token: token}, nil)
	dir := newRepoDir(t)
	reports := t.TempDir()
	var outputs []result
	outputs = append(outputs, e.sync(t, dir, exitOK, "-v", "--report", filepath.Join(reports, "1.json")))
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddComment(releaseID, "Looks good"); err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, e.sync(t, dir, exitOK, "-v", "--full", "--report", filepath.Join(reports, "2.json")))
	// The same token refused by another workspace: the error must not
	// show it either.
	other := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	other.Token = token
	outputs = append(outputs, other.sync(t, newRepoDir(t), exitError, "-v"))

	for i, r := range outputs {
		if strings.Contains(r.stdout+r.stderr, token) {
			t.Errorf("run %d printed the token:\n%s", i+1, r)
		}
	}
	for _, root := range []string{dir, reports} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if bytes.Contains(b, []byte(token)) {
				t.Errorf("%s holds the token", path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Objects are compressed on disk: read every one of them through git.
	all, err := tryGit(dir, "cat-file", "--batch-all-objects", "--batch")
	if err != nil {
		t.Fatalf("git cat-file: %v", err)
	}
	if strings.Contains(all, token) {
		t.Error("a git object holds the token")
	}
	if len(all) < 10000 {
		t.Fatalf("git cat-file read only %d bytes of objects: the check proves nothing", len(all))
	}
	if out, _ := tryGit(dir, "grep", "-F", token, "HEAD", "HEAD~1"); out != "" {
		t.Errorf("git grep finds the token:\n%s", out)
	}
	if log := git(t, dir, "log", "-p", "--all"); strings.Contains(log, token) {
		t.Error("git log -p shows the token")
	}
}

// TestSyncDemo is the README's first step: `notion-git sync --demo` on a
// fresh machine makes a repository that the git command line reads, and a
// second run makes no new commit.
func TestSyncDemo(t *testing.T) {
	t.Parallel()
	dir := newRepoDir(t)
	r := runArgs(context.Background(), "sync", "--demo", "--repo", dir)
	if r.code != exitOK {
		t.Fatalf("sync --demo: %s", r)
	}
	if !strings.Contains(r.stdout, "git -C "+dir+" log") {
		t.Errorf("the demo does not say what to try next:\n%s", r.stdout)
	}
	if log := git(t, dir, "log"); !strings.Contains(log, "Notion-Git-Pages:") {
		t.Errorf("git log:\n%s", log)
	}
	if stat := git(t, dir, "show", "HEAD", "--stat"); !strings.Contains(stat, "notion-git.json") {
		t.Errorf("git show HEAD --stat does not list the layout:\n%s", stat)
	}
	git(t, dir, "show", "HEAD:"+layout.IndexPath)
	if out := git(t, dir, "status", "--porcelain"); out != "" {
		t.Errorf("the working tree does not match the commit:\n%s", out)
	}

	t.Run("second run makes no commit", func(t *testing.T) {
		r := runArgs(context.Background(), "sync", "--demo", "--repo", dir)
		if r.code != exitOK {
			t.Fatalf("second sync --demo: %s", r)
		}
		if n := commitCount(t, dir); n != 1 {
			t.Errorf("%d commits after a second demo run, want 1", n)
		}
	})
}

// TestSyncDryRunWritesNothing: --dry-run crawls and says what would change,
// and writes nothing: no commit, no object, no kept state.
func TestSyncDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)

	t.Run("existing repository", func(t *testing.T) {
		dir := newRepoDir(t)
		e.sync(t, dir, exitOK)
		if err := e.SetTitle(onboardingID, "Start here"); err != nil {
			t.Fatal(err)
		}
		head, objects := git(t, dir, "rev-parse", "HEAD"), objectCount(t, dir)
		state, err := os.ReadFile(filepath.Join(dir, ".git", "notion-git", "state.json"))
		if err != nil {
			t.Fatal(err)
		}
		r := e.sync(t, dir, exitOK, "--dry-run")
		if !strings.Contains(r.stdout, "dry run") || !strings.Contains(r.stdout, "nothing was written") {
			t.Errorf("stdout does not say it was a dry run:\n%s", r.stdout)
		}
		if got := git(t, dir, "rev-parse", "HEAD"); got != head {
			t.Error("HEAD moved")
		}
		if n := objectCount(t, dir); n != objects {
			t.Errorf("%d objects, want the %d of before", n, objects)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, ".git", "notion-git", "state.json")); !bytes.Equal(got, state) {
			t.Errorf("the kept sync state changed")
		}
		if out := git(t, dir, "status", "--porcelain"); out != "" {
			t.Errorf("the working tree changed:\n%s", out)
		}
		// The change is still there for the real sync.
		e.sync(t, dir, exitOK)
		if n := commitCount(t, dir); n != 2 {
			t.Errorf("%d commits after the real sync, want 2", n)
		}
	})
	t.Run("no repository yet", func(t *testing.T) {
		dir := newRepoDir(t)
		r := e.sync(t, dir, exitOK, "--dry-run")
		if !strings.Contains(r.stdout, "dry run") {
			t.Errorf("stdout does not say it was a dry run:\n%s", r.stdout)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("the dry run created %s", dir)
		}
	})
}

// TestSyncReportFile: --report writes the sync's counts as JSON.
func TestSyncReportFile(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	path := filepath.Join(t.TempDir(), "report.json")
	e.sync(t, dir, exitOK, "--report", path)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Pages struct {
			Total, Added, Changed, Removed, Crawled, Carried int
		} `json:"pages"`
		DataSources int `json:"data_sources"`
		Databases   int `json:"databases"`
		Users       int `json:"users"`
		Attachments struct {
			Downloaded int   `json:"downloaded"`
			Bytes      int64 `json:"bytes_downloaded"`
		} `json:"attachments"`
		Requests struct {
			Total int `json:"requests"`
		} `json:"requests"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, b)
	}
	apiRequests := 0
	for _, entry := range e.Log() {
		if strings.HasPrefix(entry.Path, "/v1/") {
			apiRequests++
		}
	}
	checks := []struct {
		name      string
		got, want int64
	}{
		{"pages.total", int64(rep.Pages.Total), 6},
		{"pages.added", int64(rep.Pages.Added), 6},
		{"pages.crawled", int64(rep.Pages.Crawled), 6},
		{"pages.removed", int64(rep.Pages.Removed), 0},
		{"data_sources", int64(rep.DataSources), 1},
		{"databases", int64(rep.Databases), 1},
		{"users", int64(rep.Users), 3},
		{"attachments.downloaded", int64(rep.Attachments.Downloaded), 1},
		{"attachments.bytes_downloaded", rep.Attachments.Bytes, int64(len(basicFixture(t).Files["diagram.png"]))},
		{"requests.requests", int64(rep.Requests.Total), int64(apiRequests)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("report %s = %d, want %d", c.name, c.got, c.want)
		}
	}

	// The report of a sync without change counts what was carried.
	e.sync(t, dir, exitOK, "--report", path)
	b, _ = os.ReadFile(path)
	rep.Pages.Carried, rep.Pages.Total = 0, 0
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Pages.Total != 6 || rep.Pages.Carried+rep.Pages.Crawled != 6 || rep.Pages.Carried == 0 {
		t.Errorf("second report: %+v, want 6 pages, most carried", rep.Pages)
	}
}

// TestSyncShrinkGate: a sync that would drop more than half of the pages
// stops with a message naming them, unless --allow-shrink.
func TestSyncShrinkGate(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	if err := e.TrashPage(homeID); err != nil { // and with it, everything below
		t.Fatal(err)
	}
	r := e.sync(t, dir, exitError)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"Team Home"`) || !strings.Contains(lines[0], "--allow-shrink") || !strings.Contains(lines[0], "6 of its 6 pages") {
		t.Errorf("stderr is not one line naming what would go and the way out:\n%s", r.stderr)
	}
	if n := commitCount(t, dir); n != 1 {
		t.Errorf("%d commits after a refused shrink, want 1", n)
	}

	e.sync(t, dir, exitOK, "--allow-shrink")
	if n := commitCount(t, dir); n != 2 {
		t.Errorf("%d commits with --allow-shrink, want 2", n)
	}
	for _, p := range headFiles(t, dir) {
		if info, _ := layout.ParsePath(p); info.PageID != "" {
			t.Errorf("%s is still in the snapshot", p)
		}
	}
}

// TestSyncRefusesForeignBranch: a branch that holds something other than a
// notion-git snapshot is left alone, with one line saying why.
func TestSyncRefusesForeignBranch(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	git(t, filepath.Dir(dir), "init", "-q", "-b", "main", dir)
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("my own notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", "notes.txt")
	git(t, dir, "-c", "user.name=Owner", "-c", "user.email=owner@example.com", "commit", "-q", "-m", "My notes")
	head := git(t, dir, "rev-parse", "HEAD")

	r := e.sync(t, dir, exitError)
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "not a notion-git snapshot") {
		t.Errorf("stderr is not one line saying why:\n%s", r.stderr)
	}
	if got := git(t, dir, "rev-parse", "HEAD"); got != head {
		t.Error("the branch moved")
	}
	if got := headFiles(t, dir); !slices.Equal(got, []string{"notes.txt"}) {
		t.Errorf("files of the branch: %v", got)
	}
}

// TestSyncIntoBareRepository: --bare creates a repository without a working
// tree, commits into it, and a second sync without changes commits nothing.
func TestSyncIntoBareRepository(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := filepath.Join(t.TempDir(), "backup.git")
	e.sync(t, dir, exitOK, "--bare")
	gitFsck(t, dir)
	if got := strings.TrimSpace(git(t, dir, "rev-parse", "--is-bare-repository")); got != "true" {
		t.Fatalf("is-bare-repository = %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(layout.PagesDir))); !os.IsNotExist(err) {
		t.Fatalf("a bare repository got a working tree: %v", err)
	}
	if !strings.Contains(git(t, dir, "ls-tree", "-r", "--name-only", "HEAD"), "notion-git.json") {
		t.Fatal("the commit holds no snapshot")
	}
	e.sync(t, dir, exitOK)
	if got := strings.TrimSpace(git(t, dir, "rev-list", "--count", "HEAD")); got != "1" {
		t.Fatalf("%s commits after a sync without changes, want 1", got)
	}
}

// TestSyncFlagsReachTheExporter: each of the sync command's crawl flags
// changes what is committed as it says. (What each option does in detail is
// tested in exporter/.)
func TestSyncFlagsReachTheExporter(t *testing.T) {
	t.Parallel()
	commentPath := layout.CommentPath(homeID, "c0000000-0000-4000-8000-000000000001")
	for _, tc := range []struct {
		name  string
		flags []string
		check func(t *testing.T, e *localNotion, files map[string][]byte)
	}{
		{"defaults", nil, func(t *testing.T, e *localNotion, files map[string][]byte) {
			for p, b := range files {
				if isKind(p, layout.PathUser) && bytes.Contains(b, []byte(`"email"`)) {
					t.Errorf("%s keeps an email address without --user-emails", p)
				}
			}
			if _, ok := files[commentPath]; !ok {
				t.Errorf("%s, a comment on a block, is missing by default (--comments all)", commentPath)
			}
			if !hasKind(files, layout.PathFile) || !hasPrefix(files, layout.PageDir(releaseID)+"/") {
				t.Error("the default sync lacks the attachment or a page")
			}
		}},
		{"user emails", []string{"--user-emails"}, func(t *testing.T, e *localNotion, files map[string][]byte) {
			n := 0
			for p, b := range files {
				if isKind(p, layout.PathUser) && bytes.Contains(b, []byte(`"email"`)) {
					n++
				}
			}
			if n != 2 {
				t.Errorf("%d users keep their email address with --user-emails, want the fixture's 2 people", n)
			}
		}},
		{"page comments", []string{"--comments", "pages"}, func(t *testing.T, e *localNotion, files map[string][]byte) {
			if _, ok := files[commentPath]; ok {
				t.Errorf("%s, a comment on a block, is kept with --comments pages", commentPath)
			}
		}},
		{"no comments", []string{"--comments", "none"}, func(t *testing.T, e *localNotion, files map[string][]byte) {
			for _, entry := range e.Log() {
				if entry.Path == "/v1/comments" {
					t.Fatalf("--comments none asked for comments: %s?%s", entry.Path, entry.Query)
				}
			}
		}},
		{"root given as a URL", []string{"--root", "https://www.notion.so/Onboarding-" + strings.ReplaceAll(onboardingID, "-", "")}, func(t *testing.T, e *localNotion, files map[string][]byte) {
			if !hasPrefix(files, layout.PageDir(onboardingID)+"/") {
				t.Error("the root page is not in the snapshot")
			}
			for _, other := range []string{homeID, releaseID} {
				if hasPrefix(files, layout.PageDir(other)+"/") {
					t.Errorf("page %s, outside the root, is in the snapshot", other)
				}
			}
		}},
		{"file size cap", []string{"--max-file-size", "100B"}, func(t *testing.T, e *localNotion, files map[string][]byte) {
			if hasKind(files, layout.PathFile) {
				t.Error("an attachment larger than --max-file-size was stored")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
			dir := newRepoDir(t)
			e.sync(t, dir, exitOK, tc.flags...)
			tc.check(t, e, headTree(t, dir))
		})
	}
	t.Run("root that is not an id", func(t *testing.T) {
		t.Parallel()
		e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
		dir := newRepoDir(t)
		r := e.sync(t, dir, exitUsage, "--root", "Team Home")
		if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], `--root "Team Home"`) {
			t.Errorf("stderr is not one line naming the flag:\n%s", r.stderr)
		}
		if len(e.Log()) != 0 {
			t.Errorf("%d requests sent after a usage error", len(e.Log()))
		}
	})
}

// hasPrefix reports whether some file of a tree lies below prefix.
func hasPrefix(files map[string][]byte, prefix string) bool {
	for p := range files {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// isKind reports whether p is a file of the layout of that kind.
func isKind(p string, kind layout.PathKind) bool {
	info, ok := layout.ParsePath(p)
	return ok && info.Kind == kind
}

// hasKind reports whether any file of the tree is of that kind.
func hasKind(files map[string][]byte, kind layout.PathKind) bool {
	for p := range files {
		if isKind(p, kind) {
			return true
		}
	}
	return false
}

// TestSyncAfterCommitFailuresKeepTheExitCode: once the branch has moved,
// a report that cannot be written is a warning, not exit 1 (which says
// nothing was committed).
func TestSyncAfterCommitFailuresKeepTheExitCode(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	r := e.sync(t, dir, exitOK, "--report", filepath.Join(t.TempDir(), "no", "such", "folder", "r.json"))
	if n := commitCount(t, dir); n != 1 {
		t.Fatalf("%d commits, want 1", n)
	}
	if !strings.Contains(r.stderr, "notion-git: the sync committed, but write report:") {
		t.Errorf("stderr does not warn of the report:\n%s", r.stderr)
	}
	// Before anything is committed, the same failure is the run's.
	e.sync(t, dir, exitError, "--report", filepath.Join(t.TempDir(), "no", "such", "folder", "r.json"))
}

// TestSyncRefusesMaxDurationWithDryRun: a dry run keeps nothing, so a time
// box that promises a next run to continue from is a usage error.
func TestSyncRefusesMaxDurationWithDryRun(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	r := e.sync(t, newRepoDir(t), exitUsage, "--dry-run", "--max-duration", "1m")
	if !strings.Contains(r.stderr, "--max-duration cannot be used with --dry-run") {
		t.Errorf("stderr: %s", r.stderr)
	}
	if len(e.Log()) != 0 {
		t.Errorf("%d requests before the usage error", len(e.Log()))
	}
}

// TestSyncRefusesNegativePeriods: a negative refresh or sweep period is a
// usage error (exit 2) with one line saying that 0 turns it off, and no
// request is made.
func TestSyncRefusesNegativePeriods(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	for _, flag := range []string{"--refresh-period", "--comment-sweep-period"} {
		dir := newRepoDir(t)
		mark := len(e.Log())
		r := e.sync(t, dir, exitUsage, flag+"=-1h")
		if got := strings.TrimSpace(r.stderr); !strings.Contains(got, flag+" must not be negative (0 turns") || strings.Contains(got, "\n") {
			t.Errorf("%s -1h: stderr %q", flag, got)
		}
		if n := len(e.Log()) - mark; n != 0 {
			t.Errorf("%s -1h: %d requests made", flag, n)
		}
	}
}
