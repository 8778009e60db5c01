package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// attributesLog is init's commit of .gitattributes in
// `git log --format=%s --name-only`.
const attributesLog = "Add the diff drivers of notion-git to .gitattributes\n\n" + attributesPath + "\n"

// askBlockID is the paragraph "Ask in the #it channel." of the basic
// fixture, which the one-word edit rewords.
const askBlockID = "b1000000-0000-4000-8000-000000000008"

// oneWordEdit builds a repository set up by init (run as the built binary
// bin), synced, then synced again after one word of one paragraph changed.
func oneWordEdit(t *testing.T, bin string) string {
	t.Helper()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	if code, out, errOut := runBinary(t, bin, os.Getenv("PATH"), "init", "--repo", dir); code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, out, errOut)
	}
	e.sync(t, dir, exitOK)
	err := e.EditBlock(askBlockID, func(b map[string]any) {
		text := b["paragraph"].(map[string]any)["rich_text"].([]any)[0].(map[string]any)
		text["plain_text"] = "Ask in the #help channel."
		text["text"].(map[string]any)["content"] = "Ask in the #help channel."
	})
	if err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK)
	return dir
}

// buildBinary builds notion-git into a folder of its own, to put on the
// PATH of the git that runs it as a diff driver.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "bin", "notion-git")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runBinary runs a program with gitEnv and PATH set to path.
func runBinary(t *testing.T, bin, path string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(gitEnv(), "PATH="+path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}

// changedLines are the lines of a diff that start with op, file headers
// aside.
func changedLines(out string, op string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, op) && !strings.HasPrefix(l, op+op+op) {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestOneWordEdit is the review of a one-word edit: notion-git diff marks
// the word and only it, with and without colour and as JSON; git log -p
// and git diff, with init's drivers, show Markdown lines and none of the
// sync state; without the drivers git still shows the change, as JSON.
func TestOneWordEdit(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	withDriver := filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH")
	dir := oneWordEdit(t, bin)
	if files := headFiles(t, dir); !slices.Contains(files, attributesPath) {
		t.Errorf("the syncs dropped %s: %v", attributesPath, files)
	}
	gitAt := func(path string, args ...string) string {
		t.Helper()
		git, err := exec.LookPath("git")
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runBinary(t, git, path, append([]string{"-C", dir}, args...)...)
		if code != 0 || errOut != "" {
			t.Fatalf("git %v: exit %d\n%s", args, code, errOut)
		}
		return out
	}

	t.Run("notion-git diff", func(t *testing.T) {
		out := runReview(t, "diff", "--repo", dir)
		removed, added := changedLines(out, "-"), changedLines(out, "+")
		if len(removed) != 1 || len(added) != 1 {
			t.Fatalf("want one line removed and one added:\n%s", out)
		}
		if removed[0] != "-Ask in the \\#[-it-] channel." || added[0] != "+Ask in the \\#{+help+} channel." {
			t.Errorf("the word is not marked, or not alone:\n%s\n%s", removed[0], added[0])
		}
		if strings.Contains(out, "\x1b[") {
			t.Errorf("colour without a terminal:\n%q", out)
		}
		// One of each, in the singular.
		stat := runReview(t, "diff", "--repo", dir, "--stat")
		wantLines(t, "diff --stat", stat, `"Team Home" | +1 -1`, "1 page changed (0 added, 0 removed), 1 line added, 1 removed")
	})

	t.Run("colour", func(t *testing.T) {
		out := runReview(t, "diff", "--repo", dir, "--color=always")
		for _, want := range []string{
			"\x1b[31m-Ask in the \\#\x1b[7mit\x1b[27m channel.\x1b[m\n",
			"\x1b[32m+Ask in the \\#\x1b[7mhelp\x1b[27m channel.\x1b[m\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("no %q in:\n%q", want, out)
			}
		}
		if strings.Contains(out, "{+") || strings.Contains(out, "[-") {
			t.Errorf("plain marks in colour:\n%q", out)
		}
		if never := runReview(t, "diff", "--repo", dir, "--color=never"); strings.Contains(never, "\x1b[") {
			t.Errorf("--color=never writes colour:\n%q", never)
		}
	})

	t.Run("json", func(t *testing.T) {
		var doc struct {
			From, To struct{ Rev, Commit string }
			Pages    []struct {
				ID, Title string
				Changes   []string
				Hunks     []struct {
					Lines []struct {
						Op, Text string
						Words    []struct {
							Text    string
							Changed bool
						}
					}
				}
			}
			Schemas, Views []any
		}
		raw := runReview(t, "diff", "--repo", dir, "--json")
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			t.Fatalf("diff --json does not parse: %v\n%s", err, raw)
		}
		if len(doc.Pages) != 1 || !slices.Equal(doc.Pages[0].Changes, []string{"edited"}) || len(doc.To.Commit) != 40 || doc.From.Rev != "HEAD~1" {
			t.Fatalf("diff --json: %+v", doc)
		}
		var changed []string
		for _, h := range doc.Pages[0].Hunks {
			for _, l := range h.Lines {
				for _, w := range l.Words {
					if w.Changed {
						changed = append(changed, l.Op+w.Text)
					}
				}
			}
		}
		if !slices.Equal(changed, []string{"-it", "+help"}) {
			t.Errorf("changed words in the JSON: %q", changed)
		}
		if schemas, views := doc.Schemas, doc.Views; schemas == nil || views == nil {
			t.Errorf("schemas and views are not lists: %s", raw)
		}
	})

	t.Run("git log -p with the driver", func(t *testing.T) {
		for _, args := range [][]string{{"log", "-p", "-1"}, {"diff", "HEAD~1", "HEAD"}} {
			out := gitAt(withDriver, args...)
			block := "+++ b/" + layout.BlockPath(pageOfBlock(t, dir), askBlockID)
			if !strings.Contains(out, block+"\n") {
				t.Errorf("git %v does not show the block file:\n%s", args, out)
			}
			if !slices.Contains(changedLines(out, "+"), "+Ask in the \\#help channel.") {
				t.Errorf("git %v shows no Markdown line of the new sentence:\n%s", args, out)
			}
			if strings.Contains(out, `"content"`) || strings.Contains(out, `"last_edited_time"`) {
				t.Errorf("git %v shows JSON:\n%s", args, out)
			}
			if strings.Contains(out, ".notion-git/state") || strings.Contains(out, "crawled") {
				t.Errorf("git %v shows the sync state:\n%s", args, out)
			}
		}
	})

	t.Run("git log -p without notion-git on the PATH", func(t *testing.T) {
		path := strings.Join(slices.DeleteFunc(filepath.SplitList(os.Getenv("PATH")), func(p string) bool {
			_, err := os.Stat(filepath.Join(p, "notion-git"))
			return err == nil
		}), string(os.PathListSeparator))
		out := gitAt(path, "log", "-p", "-1")
		if !jsonLineAdded(out) {
			t.Errorf("the configured driver without its program does not fall back to the JSON:\n%s", out)
		}
	})

	t.Run("a clone without the drivers", func(t *testing.T) {
		clone := filepath.Join(t.TempDir(), "clone")
		gitAt(withDriver, "clone", "-q", dir, clone)
		code, out, errOut := runBinary(t, "git", withDriver, "-C", clone, "log", "-p", "-1")
		if code != 0 || !jsonLineAdded(out) {
			t.Errorf("git log -p in a clone: exit %d, %s\n%s", code, errOut, out)
		}
		// init in the clone sets the drivers up; .gitattributes is already there.
		if code, out, errOut := runBinary(t, bin, withDriver, "init", "--repo", clone); code != 0 || strings.Contains(out, "Committed") {
			t.Errorf("init in a clone: exit %d\n%s%s", code, out, errOut)
		}
		_, out, _ = runBinary(t, "git", withDriver, "-C", clone, "log", "-p", "-1")
		if !slices.Contains(changedLines(out, "+"), "+Ask in the \\#help channel.") {
			t.Errorf("git log -p in a clone after init:\n%s", out)
		}
	})
}

// jsonLineAdded reports whether a diff adds the edited sentence as a line
// of JSON.
func jsonLineAdded(out string) bool {
	return regexp.MustCompile(`(?m)^\+ +"content": "Ask in the #help channel\.",$`).MatchString(out)
}

// pageOfBlock finds the page whose folder holds the edited block.
func pageOfBlock(t *testing.T, dir string) string {
	t.Helper()
	for _, f := range headFiles(t, dir) {
		if info, ok := layout.ParsePath(f); ok && info.Kind == layout.PathBlock && strings.HasSuffix(f, askBlockID+".json") {
			return info.PageID
		}
	}
	t.Fatalf("no file of block %s", askBlockID)
	return ""
}

// TestInitAttributes: init keeps the owner's own attributes and adds its
// lines once; a second init changes nothing.
func TestInitAttributes(t *testing.T) {
	t.Parallel()
	dir := newRepoDir(t)
	runReview(t, "init", "--repo", dir)
	if err := os.WriteFile(filepath.Join(dir, attributesPath), []byte("*.png binary\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "-c", "user.name=Owner", "-c", "user.email=owner@localhost", "commit", "-qam", "own attributes")
	out := runReview(t, "init", "--repo", dir)
	if !strings.Contains(out, "Committed "+attributesPath) {
		t.Errorf("init after the owner replaced the attributes:\n%s", out)
	}
	got := git(t, dir, "show", "HEAD:"+attributesPath)
	if !strings.HasPrefix(got, "*.png binary\n\n# notion-git") {
		t.Errorf("the owner's line is not kept first:\n%s", got)
	}
	for _, l := range attributeLines() {
		if strings.Count(got, l+"\n") != 1 {
			t.Errorf("%q is not in .gitattributes once:\n%s", l, got)
		}
	}
	if n := commitCount(t, dir); n != 3 {
		t.Errorf("%d commits, want 3", n)
	}
	if out := runReview(t, "init", "--repo", dir); strings.Contains(out, "Committed") || strings.Contains(out, "Set git") {
		t.Errorf("a second init changed something:\n%s", out)
	}
	if n := commitCount(t, dir); n != 3 {
		t.Errorf("%d commits after a second init", n)
	}
	// The attributes git reads: the drivers on the layout's files.
	for path, want := range map[string]string{
		layout.PagePath(homeID):              pageDriver,
		layout.BlockPath(homeID, askBlockID): pageDriver,
		layout.StatePath:                     stateDriver,
		layout.StateShardPath("10"):          stateDriver,
		layout.PageReadmePath(homeID):        "unspecified",
		layout.ScopePath:                     "unspecified",
	} {
		attr := git(t, dir, "check-attr", "diff", "--", path)
		if !strings.HasSuffix(attr, ": diff: "+want+"\n") {
			t.Errorf("%s: %s", path, attr)
		}
	}
	if attr := git(t, dir, "check-attr", "linguist-generated", "--", layout.StateShardPath("10")); !strings.HasSuffix(attr, ": set\n") && !strings.HasSuffix(attr, ": true\n") {
		t.Errorf("the state is not marked generated for GitHub: %s", attr)
	}

	// An uncommitted edit of the file is left alone.
	other := newRepoDir(t)
	runReview(t, "init", "--repo", other)
	if err := os.WriteFile(filepath.Join(other, attributesPath), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, other, "-c", "user.name=Owner", "-c", "user.email=owner@localhost", "commit", "-qam", "mine")
	if err := os.WriteFile(filepath.Join(other, attributesPath), []byte("mine, edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out = runReview(t, "init", "--repo", other)
	if !strings.Contains(out, "not committed; add these lines") {
		t.Errorf("init over an uncommitted edit:\n%s", out)
	}
	if b, _ := os.ReadFile(filepath.Join(other, attributesPath)); string(b) != "mine, edited\n" {
		t.Errorf("init rewrote an uncommitted edit: %q", b)
	}
}

// TestStateTextconv: the state prints without what every sync changes,
// keeping what it knows of the workspace.
func TestStateTextconv(t *testing.T) {
	t.Parallel()
	shard := `{"10000000-0000-4000-8000-000000000001":{"crawled":"2026-01-01T00:00:00Z","digest":"0123456789abcdef0123456789abcdef","kind":"page","last_edited":"2026-01-01T00:00:00.000Z","title":"Team Home"}}`
	got := string(textconv([]byte(shard), true, nil))
	if strings.Contains(got, "crawled") || strings.Contains(got, "digest") || strings.Contains(got, "last_edited") || !strings.Contains(got, `"title": "Team Home"`) {
		t.Errorf("shard:\n%s", got)
	}
	if got := string(textconv([]byte(`{"last_sync":"2026-01-01T00:00:00Z","version":2}`), true, nil)); got != "{\n  \"version\": 2\n}\n" {
		t.Errorf("header:\n%s", got)
	}
	v1 := `{"last_sync":"x","objects":{"10000000-0000-4000-8000-000000000001":{"crawled":"x","kind":"page","title":"T"}},"version":1}`
	if got := string(textconv([]byte(v1), true, nil)); strings.Contains(got, "crawled") || strings.Contains(got, "last_sync") || !strings.Contains(got, `"title": "T"`) {
		t.Errorf("version 1:\n%s", got)
	}
}

// TestTextconvCommand: the command prints a block as Markdown and other
// files as they are, and fails only when the file cannot be read.
func TestTextconvCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	block := filepath.Join(dir, "a")
	os.WriteFile(block, []byte(`{"object":"block","id":"`+askBlockID+`","type":"heading_1","heading_1":{"rich_text":[{"type":"text","text":{"content":"Plan"},"plain_text":"Plan"}]}}`), 0o644)
	if out := runReview(t, "textconv", block); out != "## Plan\n" {
		t.Errorf("textconv of a block: %q", out)
	}
	odd := filepath.Join(dir, "b")
	os.WriteFile(odd, []byte("\x00\xffnot json"), 0o644)
	if out := runReview(t, "textconv", odd); out != "\x00\xffnot json" {
		t.Errorf("textconv of odd bytes: %q", out)
	}
	if r := runArgs(context.Background(), "textconv", filepath.Join(dir, "none")); r.code != exitError || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("textconv of a missing file: %s", r)
	}
}

// TestTextconvCommandLine: the driver's command line quotes the program
// and falls back to printing the file.
func TestTextconvCommandLine(t *testing.T) {
	t.Parallel()
	got := textconvCommand("/opt/my tools/notion-git", "textconv --state")
	if got != `f() { '/opt/my tools/notion-git' textconv --state "$1" 2>/dev/null || cat "$1"; }; f` {
		t.Errorf("command line: %s", got)
	}
	if !regexp.MustCompile(`^f\(\) \{ notion-git textconv "\$1"`).MatchString(textconvCommand("notion-git", "textconv")) {
		t.Errorf("command line of a program on the PATH: %s", textconvCommand("notion-git", "textconv"))
	}
}

// TestFirstSyncSetsUpGitDiff: a repository the first sync creates, without
// init, gets init's .gitattributes in its first snapshot and the drivers
// in its configuration, so git log -p shows the page files as Markdown
// there too; the next sync leaves the file as it is.
func TestFirstSyncSetsUpGitDiff(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	if n := commitCount(t, dir); n != 1 {
		t.Fatalf("%d commits after a first sync, want 1", n)
	}
	want, _ := withAttributes(nil)
	if got := git(t, dir, "show", "HEAD:"+attributesPath); got != string(want) {
		t.Fatalf("the first snapshot's %s:\n%s", attributesPath, got)
	}
	if got := strings.TrimSpace(git(t, dir, "config", "--get", "diff."+pageDriver+".textconv")); !strings.Contains(got, "textconv") {
		t.Fatalf("diff.%s.textconv is %q", pageDriver, got)
	}
	if err := e.EditBlock(askBlockID, func(b map[string]any) {
		text := b["paragraph"].(map[string]any)["rich_text"].([]any)[0].(map[string]any)
		text["plain_text"] = "Ask in the #help channel."
		text["text"].(map[string]any)["content"] = "Ask in the #help channel."
	}); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK)
	if out := git(t, dir, "diff", "--name-only", "HEAD~1", "HEAD", "--", attributesPath); out != "" {
		t.Errorf("the second sync changed %s", attributesPath)
	}
	code, out, errOut := runBinary(t, "git", filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"), "-C", dir, "log", "-p", "-1")
	if code != 0 {
		t.Fatalf("git log -p: exit %d: %s", code, errOut)
	}
	added := changedLines(out, "+")
	if !slices.Contains(added, "+Ask in the \\#help channel.") || jsonLineAdded(out) || strings.Contains(out, "crawled") {
		t.Errorf("git log -p after a sync without init:\n%s", out)
	}
}

// TestFirstSyncKeepsTheOwnersAttributes: a first sync into a folder that
// already has its own, uncommitted .gitattributes commits its snapshot
// and leaves the file as it is (it would otherwise refuse to overwrite
// it, after the whole crawl).
func TestFirstSyncKeepsTheOwnersAttributes(t *testing.T) {
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := t.TempDir()
	git(t, dir, "init", "--quiet", "--initial-branch", "main")
	own := "*.png binary\n"
	if err := os.WriteFile(filepath.Join(dir, attributesPath), []byte(own), 0o644); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK)
	if b, err := os.ReadFile(filepath.Join(dir, attributesPath)); err != nil || string(b) != own {
		t.Errorf("the owner's %s is now %q (%v)", attributesPath, b, err)
	}
	if _, err := tryGit(dir, "cat-file", "-e", "HEAD:"+attributesPath); err == nil {
		t.Errorf("the first snapshot holds %s over the owner's file", attributesPath)
	}
}
