package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// syncedRepo syncs the sample workspace into a new repository.
func syncedRepo(t *testing.T) string {
	t.Helper()
	return syncedRepoOf(t, workspace.Sample())
}

// syncedRepoOf syncs a workspace into a new repository.
func syncedRepoOf(t *testing.T, f *emulator.Fixture) string {
	t.Helper()
	srv := httptest.NewServer(emulator.New(f, emulator.Options{}))
	t.Cleanup(srv.Close)
	dir := filepath.Join(t.TempDir(), "repo")
	code, _, errOut := runCLI(t, "sync", "--repo", dir, "--api-url", srv.URL, "--token", emulator.DefaultToken, "--rate", "1000", "--full", "--comments", "all", "-q")
	if code != exitOK {
		t.Fatalf("sync: exit %d: %s", code, errOut)
	}
	return dir
}

// target is an emulator workspace with one empty page to restore into.
func target(t *testing.T) (*emulator.Server, string) {
	t.Helper()
	s := emulator.New(workspace.Empty("Restored"), emulator.Options{RecordBodies: true})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func writes(s *emulator.Server) int {
	n := 0
	for _, e := range s.Log() {
		if e.Method != "GET" && !strings.HasSuffix(e.Path, "/query") {
			n++
		}
	}
	return n
}

func fsck(t *testing.T, dir string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	if out, err := exec.Command("git", "-C", dir, "fsck", "--strict").CombinedOutput(); err != nil {
		t.Fatalf("git fsck: %v\n%s", err, out)
	}
}

func TestRestoreVerifyAndDryRun(t *testing.T) {
	dir := syncedRepo(t)
	s, url := target(t)
	api := []string{"--api-url", url, "--token", emulator.DefaultToken, "--rate", "1000"}

	code, out, errOut := runCLI(t, append([]string{"restore", "HEAD", "--repo", dir, "--to", workspace.EmptyTargetID, "--dry-run"}, api...)...)
	if code != exitOK || !strings.Contains(out, "dry run: nothing was written") || !strings.Contains(out, "requests:") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errOut)
	}
	if n := writes(s); n != 0 {
		t.Fatalf("dry run sent %d writes", n)
	}

	code, out, errOut = runCLI(t, append([]string{"restore", "HEAD", "--repo", dir, "--to", "https://www.notion.so/Restored-" + strings.ReplaceAll(workspace.EmptyTargetID, "-", ""), "--verify"}, api...)...)
	if code != exitOK {
		t.Fatalf("restore --verify: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"restored ", "fidelity of the restored copy", "block paragraph"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", "notion-git")); err != nil {
		t.Errorf("no journal under .git/notion-git: %v", err)
	}
	fsck(t, dir)
}

// TestRestoreRefusesWithOneLine: a bad revision, a revision that is not a
// snapshot and a target the integration cannot see each give one line and
// write nothing.
func TestRestoreRefusesWithOneLine(t *testing.T) {
	dir := syncedRepo(t)
	s, url := target(t)
	api := []string{"--api-url", url, "--token", emulator.DefaultToken, "--rate", "1000"}

	plain := filepath.Join(t.TempDir(), "plain")
	for _, cmd := range [][]string{{"init", "-q", "-b", "main", plain}, {"-C", plain, "commit", "-q", "--allow-empty", "-m", "x"}} {
		c := exec.Command("git", cmd...)
		c.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@x", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@x")
		if out, err := c.CombinedOutput(); err != nil {
			t.Skipf("git: %v %s", err, out)
		}
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad revision", []string{"restore", "no-such-rev", "--repo", dir, "--to", workspace.EmptyTargetID}, "no-such-rev"},
		{"not a snapshot", []string{"restore", "HEAD", "--repo", plain, "--to", workspace.EmptyTargetID}, "not a notion-git snapshot"},
		{"invisible target", []string{"restore", "HEAD", "--repo", dir, "--to", "11111111-2222-4333-8444-555555555555"}, "not shared with the integration"},
	}
	for _, tc := range cases {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append(tc.args, api...), &stdout, &stderr)
		msg := strings.TrimSpace(stderr.String())
		if code != exitError || strings.Count(msg, "\n") != 0 || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: exit %d, stderr %q, want one line with %q", tc.name, code, msg, tc.want)
		}
	}
	if n := writes(s); n != 0 {
		t.Errorf("%d write requests reached Notion", n)
	}
}

// TestRestoreWarnsOfFreeBlockLimit: a restore creating more than 1,000
// blocks says so in one line before writing, and its dry run gives the
// count; a smaller one gives the count and no warning.
func TestRestoreWarnsOfFreeBlockLimit(t *testing.T) {
	api := func(url string) []string {
		return []string{"--api-url", url, "--token", emulator.DefaultToken, "--rate", "1000"}
	}
	small := syncedRepo(t)
	_, url := target(t)
	code, out, errOut := runCLI(t, append([]string{"restore", "HEAD", "--repo", small, "--to", workspace.EmptyTargetID, "--dry-run"}, api(url)...)...)
	if code != exitOK || !strings.Contains(out, "blocks to create through the API: ") || strings.Contains(out+errOut, "warning") {
		t.Errorf("sample dry run: exit %d, want the count and no warning:\n%s\n%s", code, out, errOut)
	}

	big := syncedRepoOf(t, workspace.Generate(workspace.Small()))
	s, url := target(t)
	code, out, errOut = runCLI(t, append([]string{"restore", "HEAD", "--repo", big, "--to", workspace.EmptyTargetID, "--dry-run"}, api(url)...)...)
	if code != exitOK || !regexp.MustCompile(`blocks to create through the API: \d{4,} \(pages and databases included\)`).MatchString(out) || strings.Count(out, "warning: this restore creates") != 1 {
		t.Errorf("dry run: exit %d, want the count and one warning:\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, append([]string{"restore", "HEAD", "--repo", big, "--to", workspace.EmptyTargetID, "--concurrency", "4"}, api(url)...)...)
	if code != exitOK {
		t.Fatalf("restore: exit %d\n%s\n%s", code, out, errOut)
	}
	warning := regexp.MustCompile(`(?m)^warning: this restore creates [\d,]+ blocks .*only 1,000 blocks through the API.*$`)
	if n := len(warning.FindAllString(errOut, -1)); n != 1 {
		t.Errorf("restore printed %d warning lines, want 1:\n%s", n, errOut)
	}
	if writes(s) == 0 {
		t.Error("the warning stopped the restore")
	}
}
