package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator"
)

// pushDoc is what a test reads of sync --json --push.
type pushDoc struct {
	Status string `json:"status"`
	Commit string `json:"commit"`
	Branch string `json:"branch"`
	Error  string `json:"error"`
	Push   *struct {
		Remote string `json:"remote"`
		Status string `json:"status"`
		Error  string `json:"error"`
	} `json:"push"`
	Requests *struct {
		Total int `json:"total"`
	} `json:"requests"`
}

// onePushDoc parses stdout as exactly one JSON document with a push member.
func onePushDoc(t *testing.T, r result) pushDoc {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	var doc pushDoc
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not a JSON document: %v\n%s", err, r)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("stdout holds more than one document:\n%s", r)
	}
	if doc.Push == nil {
		t.Fatalf("the document has no push member:\n%s", r)
	}
	if strings.Contains(r.stdout, "127.0.0.1") && strings.Contains(r.stdout, "@") {
		t.Errorf("the document names the remote with credentials:\n%s", r.stdout)
	}
	return doc
}

// committedLines are the commits the summary lines on stderr announce.
func committedLines(stderr string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`committed ([0-9a-f]{12}) on`).FindAllStringSubmatch(stderr, -1) {
		out = append(out, m[1])
	}
	return out
}

// hookedEmulator is an emulator that calls the hook stored in during on
// every users/me request (once per sync, at its start).
func hookedEmulator(t *testing.T, during *atomic.Pointer[func()]) *localNotion {
	return startEmulator(t, basicFixture(t), emulator.Options{}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/users/me") {
				if f := during.Load(); f != nil {
					(*f)()
				}
			}
			h.ServeHTTP(w, r)
		})
	})
}

// moveRemote makes the bare repository's main move on, as another run's
// push would: a commit of the same snapshot with the same message on top.
func moveRemote(bare string) error {
	msg, err := exec.Command("git", "-C", bare, "log", "-1", "--format=%B", "main").Output()
	if err != nil {
		return err
	}
	c := exec.Command("git", "-C", bare, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit-tree", "main^{tree}", "-p", "main", "-F", "-")
	c.Stdin = bytes.NewReader(msg)
	h, err := c.Output()
	if err != nil {
		return err
	}
	return exec.Command("git", "-C", bare, "update-ref", "refs/heads/main", strings.TrimSpace(string(h))).Run()
}

// TestSyncPushJSONAfterRedo: another run pushes while this one crawls; the
// commit is dropped and made again. The one document on stdout names the
// commit the branch and the remote end on, not the dropped one, whose line
// reaches no output either; the step summary, written once, counts the
// requests of both syncs.
func TestSyncPushJSONAfterRedo(t *testing.T) {
	url, bare := startGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	var during atomic.Pointer[func()]
	e := hookedEmulator(t, &during)
	a := newRepoDir(t)
	e.sync(t, a, exitOK, "--push", "--remote", url)
	b := cloneRemote(t, url, 1)
	if err := e.SetTitle(releaseID, "Release log"); err != nil {
		t.Fatal(err)
	}
	var moved error
	once := func() {
		during.Store(nil)
		moved = moveRemote(bare)
	}
	during.Store(&once)
	sum := filepath.Join(t.TempDir(), "summary.md")
	r := e.sync(t, b, exitOK, "--push", "--json", "--step-summary", sum)
	if moved != nil {
		t.Fatal(moved)
	}
	doc := onePushDoc(t, r)
	head := strings.TrimSpace(git(t, b, "rev-parse", "main"))
	if doc.Status != "committed" || doc.Commit != head || doc.Push.Status != "pushed" || doc.Push.Remote != "origin" || doc.Error != "" {
		t.Errorf("document %+v push %+v, want committed %s, pushed to origin", doc, *doc.Push, head)
	}
	if got := strings.TrimSpace(git(t, bare, "rev-parse", "main")); got != head {
		t.Errorf("remote main %s, local %s", got, head)
	}
	if lines := committedLines(r.stderr); len(lines) != 1 || lines[0] != head[:12] {
		t.Errorf("stderr announces commits %v, want only %s:\n%s", lines, head[:12], r.stderr)
	}
	s, err := os.ReadFile(sum)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(s), "## notion-git sync"); n != 1 {
		t.Errorf("%d summaries written, want 1:\n%s", n, s)
	}
	for _, want := range []string{"Pushed to `origin`.", "Committed `" + head[:12] + "`", "Over 2 syncs: another run pushed first 1 time"} {
		if !strings.Contains(string(s), want) {
			t.Errorf("the summary does not say %q:\n%s", want, s)
		}
	}
}

// TestSyncPushJSONPushFails: the commit is made, the push refused: exit 1,
// and the one document says committed, with the commit, and not pushed,
// with the line stderr ends on.
func TestSyncPushJSONPushFails(t *testing.T) {
	url, bare := startGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK, "--push", "--remote", url)
	git(t, bare, "config", "http.receivepack", "false")
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	sum := filepath.Join(t.TempDir(), "summary.md")
	r := e.sync(t, dir, exitError, "--push", "--remote", url, "--json", "--step-summary", sum)
	doc := onePushDoc(t, r)
	head := strings.TrimSpace(git(t, dir, "rev-parse", "main"))
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	last := strings.TrimPrefix(lines[len(lines)-1], "notion-git: ")
	if doc.Status != "committed" || doc.Commit != head || doc.Push.Status != "not_pushed" ||
		!strings.Contains(doc.Push.Error, head[:12]+" on main is local and not pushed") || doc.Error != last || doc.Push.Remote != url {
		t.Errorf("document %+v push %+v; stderr ends %q", doc, *doc.Push, last)
	}
	s, _ := os.ReadFile(sum)
	if !strings.Contains(string(s), "## notion-git sync: failed") || !strings.Contains(string(s), "Not pushed to `"+url+"`") {
		t.Errorf("the summary does not say the push failed:\n%s", s)
	}

	// Failing before the sync (the remote unreachable) prints one
	// document too.
	git(t, bare, "config", "http.receivepack", "true")
	t.Setenv("GITHUB_TOKEN", "ghs_wrong")
	r = e.sync(t, dir, exitError, "--push", "--remote", url, "--json")
	doc = onePushDoc(t, r)
	if doc.Status != "failed" || doc.Push.Status != "not_pushed" || !strings.Contains(doc.Push.Error, "refused the token in GITHUB_TOKEN") {
		t.Errorf("document %+v push %+v", doc, *doc.Push)
	}
	// And a usage error.
	r = e.sync(t, dir, exitUsage, "--push", "--dry-run", "--json")
	if doc = onePushDoc(t, r); doc.Status != "failed" || !strings.Contains(doc.Error, "--dry-run") {
		t.Errorf("document %+v", doc)
	}
	// Nothing new, nothing to push.
	setGitHubToken(t, url, pushToken)
	e.sync(t, dir, exitOK, "--push", "--remote", url)
	r = e.sync(t, dir, exitOK, "--push", "--remote", url, "--json")
	if doc = onePushDoc(t, r); doc.Status != "unchanged" || doc.Push.Status != "up_to_date" {
		t.Errorf("document %+v push %+v", doc, *doc.Push)
	}
}

// TestSyncPushJSONAttemptsExhausted: the remote moves before every push,
// maxPushAttempts times: exit 1, one document naming the last commit,
// local and not pushed; the stderr announces that commit only. The next
// run keeps it (refs/notion-git/replaced/) and pushes, without anyone.
func TestSyncPushJSONAttemptsExhausted(t *testing.T) {
	url, bare := startGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	var during atomic.Pointer[func()]
	e := hookedEmulator(t, &during)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK, "--push", "--remote", url)
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	var moves atomic.Int64
	var moved error
	always := func() {
		moves.Add(1)
		if err := moveRemote(bare); err != nil {
			moved = err
		}
	}
	during.Store(&always)
	sum := filepath.Join(t.TempDir(), "summary.md")
	r := e.sync(t, dir, exitError, "--push", "--remote", url, "--json", "--step-summary", sum)
	during.Store(nil)
	if moved != nil {
		t.Fatal(moved)
	}
	if n := moves.Load(); n != maxPushAttempts {
		t.Errorf("%d syncs, want %d", n, maxPushAttempts)
	}
	doc := onePushDoc(t, r)
	head := strings.TrimSpace(git(t, dir, "rev-parse", "main"))
	if doc.Status != "committed" || doc.Commit != head || doc.Push.Status != "not_pushed" || !strings.Contains(doc.Push.Error, "moved again before each of 3 pushes") {
		t.Errorf("document %+v push %+v, want committed %s, not pushed", doc, *doc.Push, head)
	}
	if lines := committedLines(r.stderr); len(lines) != 1 || lines[0] != head[:12] {
		t.Errorf("stderr announces commits %v, want only %s:\n%s", lines, head[:12], r.stderr)
	}
	s, _ := os.ReadFile(sum)
	if !strings.Contains(string(s), "Over 3 syncs") || strings.Count(string(s), "## notion-git sync") != 1 {
		t.Errorf("the summary does not count the 3 syncs once:\n%s", s)
	}

	r = e.sync(t, dir, exitOK, "--push", "--remote", url, "--json")
	doc = onePushDoc(t, r)
	if doc.Push.Status != "pushed" || !strings.Contains(r.stderr, "kept as "+replacedRefPrefix+"main/"+head[:12]) {
		t.Errorf("the run after: document %+v push %+v\n%s", doc, *doc.Push, r.stderr)
	}
	if got := strings.TrimSpace(git(t, bare, "rev-parse", replacedRefPrefix+"main/"+head[:12])); got != head {
		t.Errorf("the remote's replaced ref is %q, want %s", got, head)
	}
}
