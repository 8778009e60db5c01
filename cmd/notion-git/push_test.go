package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
	"github.com/notion-git/notion-git/review"
)

// pushToken is the token the loopback git server accepts; tests look for
// it everywhere it must not be.
const pushToken = "ghs_pushTestToken0123456789abcdef"

// gitAuthHeader lets the git command line authenticate to the loopback
// server for one command, as actions/checkout does, without storing it.
func gitAuthHeader(user, pass string) []string {
	b := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	return []string{"-c", "http.extraHeader=Authorization: Basic " + b}
}

// setGitHubToken sets GITHUB_TOKEN for a test, with GITHUB_SERVER_URL the
// loopback git server at url, as GitHub Actions sets both: the token is
// sent to that server only.
func setGitHubToken(t *testing.T, url, token string) {
	t.Helper()
	t.Setenv("GITHUB_TOKEN", token)
	t.Setenv("GITHUB_SERVER_URL", gitServerOrigin(url))
}

// gitServerOrigin is url's scheme, host and port.
func gitServerOrigin(url string) string {
	i := strings.Index(url, "://")
	j := strings.Index(url[i+3:], "/")
	if j < 0 {
		return url
	}
	return url[:i+3+j]
}

// cloneRemote clones url into a new folder (checked by fsck at the end),
// depth commits deep if depth > 0.
func cloneRemote(t *testing.T, url string, depth int) string {
	t.Helper()
	dir := newRepoDir(t)
	args := append(gitAuthHeader("x-access-token", pushToken), "clone", "--quiet")
	if depth > 0 {
		args = append(args, "--depth", "1")
	}
	git(t, filepath.Dir(dir), append(args, url, dir)...)
	return dir
}

// assertNoToken fails if the token is in any file under dirs or in any of
// the outputs.
func assertNoToken(t *testing.T, token string, dirs []string, outputs ...string) {
	t.Helper()
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil || !e.Type().IsRegular() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Error(err)
			} else if bytes.Contains(b, []byte(token)) {
				t.Errorf("the token is written in %s", p)
			}
			return nil
		})
	}
	for _, o := range outputs {
		if strings.Contains(o, token) {
			t.Errorf("the token is in the output:\n%s", o)
		}
	}
}

// remoteHistory checks that the bare repository's branch is a line of
// complete snapshots: one parent each (none for the first), a state that
// reads, a summary of the snapshot, and trailers that parse. It returns
// the commits, newest first.
func remoteHistory(t *testing.T, bare, branch string) []string {
	t.Helper()
	repo, err := gitrepo.Open(bare, gitrepo.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(git(t, bare, "rev-list", "--parents", branch)), "\n")
	var commits []string
	for i, line := range lines {
		f := strings.Fields(line)
		commits = append(commits, f[0])
		if want := 2; i == len(lines)-1 {
			want = 1
			if len(f) != want {
				t.Errorf("the first commit %s has parents: %v", f[0], f[1:])
			}
		} else if len(f) != want {
			t.Errorf("commit %s has %d parents, want 1: the history is not linear", f[0], len(f)-1)
		}
		h := plumbing.NewHash(f[0])
		info, err := repo.ReadCommit(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := review.ParseTrailers(info.Message); !ok {
			t.Errorf("commit %s: no sync trailers in %q", f[0], info.Message)
		}
		c, err := review.Summarize(repo, h)
		if err != nil || c.Pages == 0 {
			t.Errorf("commit %s is not a complete snapshot: %v, %+v", f[0], err, c)
		}
		snap, err := repo.LazySnapshot(h)
		if err != nil {
			t.Fatal(err)
		}
		if st, err := layout.ReadState(snap); err != nil || st == nil {
			t.Errorf("commit %s: the sync state does not read: %v", f[0], err)
		}
	}
	return commits
}

// TestSyncPushWithTokenFromEnv: a first sync pushes to a URL with the token
// from GITHUB_TOKEN; a clone's sync pushes to its origin. The token is
// nowhere in any repository nor in what was printed.
func TestSyncPushWithTokenFromEnv(t *testing.T) {
	url, bare, counts := startCountingGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)

	first := newRepoDir(t)
	r1 := e.sync(t, first, exitOK, "--push", "--remote", url)
	if !strings.Contains(r1.stderr, "pushed main to "+url) {
		t.Errorf("no line says what was pushed:\n%s", r1)
	}
	if got, want := git(t, bare, "rev-parse", "main"), git(t, first, "rev-parse", "main"); got != want {
		t.Fatalf("remote main %q, local %q", got, want)
	}

	clone := cloneRemote(t, url, 1)
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	before := counts.requests.Load()
	r2 := e.sync(t, clone, exitOK, "--push")
	if got, want := git(t, bare, "rev-parse", "main"), git(t, clone, "rev-parse", "main"); got != want {
		t.Fatalf("after the clone's push: remote main %q, local %q", got, want)
	}
	if !strings.Contains(git(t, bare, "show", "main:"+layout.PagePath(releaseID)), "Changelog") {
		t.Error("the pushed commit does not hold the edit")
	}
	// Two fetches that find nothing to fetch (the branch, the
	// checkpoint) and one push: three reference listings and one pack.
	if n := counts.requests.Load() - before; n != 4 {
		t.Errorf("the clone's sync made %d requests to the git server, want 4", n)
	}
	// Nothing new in Notion: no commit, nothing to push, no request to
	// push.
	pushes := counts.pushAdverts.Load()
	e.sync(t, clone, exitOK, "--push")
	if n := counts.pushAdverts.Load() - pushes; n != 0 {
		t.Errorf("a sync without a commit began %d pushes", n)
	}
	remoteHistory(t, bare, "main")
	assertNoToken(t, pushToken, []string{first, clone, bare}, r1.stdout, r1.stderr, r2.stdout, r2.stderr)
	if cfg := git(t, clone, "config", "--list", "--local"); strings.Contains(cfg, "extraheader") || strings.Contains(cfg, "x-access-token") {
		t.Errorf("the clone's configuration holds credentials:\n%s", cfg)
	}
}

// TestSyncPushWrongToken: a token the remote refuses stops the sync before
// the crawl with one line that names the variable and not the token.
func TestSyncPushWrongToken(t *testing.T) {
	url, bare, counts := startCountingGitServer(t, "x-access-token", pushToken)
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	setGitHubToken(t, url, pushToken)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK, "--push", "--remote", url)
	git(t, dir, "remote", "add", "origin", url)

	const wrong = "ghs_wrongToken9876543210"
	t.Setenv("GITHUB_TOKEN", wrong)
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	head := git(t, dir, "rev-parse", "main")
	e.ResetLog()
	r := e.sync(t, dir, exitError, "--push")
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 ||
		!strings.Contains(lines[0], "refused the token in GITHUB_TOKEN") {
		t.Errorf("want one line naming GITHUB_TOKEN:\n%s", r)
	}
	if n := len(e.Log()); n != 0 {
		t.Errorf("%d requests reached Notion before the remote was reached", n)
	}
	if git(t, dir, "rev-parse", "main") != head {
		t.Error("the branch moved")
	}
	if counts.unauthorized.Load() == 0 {
		t.Error("the server refused nothing")
	}
	assertNoToken(t, wrong, []string{dir, bare}, r.stdout, r.stderr)
	assertNoToken(t, pushToken, []string{dir, bare}, r.stdout, r.stderr)

	// No token at all: the line says where to put one.
	t.Setenv("GITHUB_TOKEN", "")
	r = e.sync(t, dir, exitError, "--push")
	if !strings.Contains(r.stderr, "set GITHUB_TOKEN or GIT_TOKEN") {
		t.Errorf("without a token:\n%s", r)
	}

	// GIT_TOKEN with its user works too.
	t.Setenv("GIT_TOKEN", pushToken)
	e.sync(t, dir, exitOK, "--push")
	if got, want := git(t, bare, "rev-parse", "main"), git(t, dir, "rev-parse", "main"); got != want {
		t.Errorf("push with GIT_TOKEN: remote %q, local %q", got, want)
	}
}

// TestSyncPushRefusesCredentialsInURL: a URL with a password is refused in
// one line that does not repeat the password, and nothing is crawled.
func TestSyncPushRefusesCredentialsInURL(t *testing.T) {
	url, _ := startGitServer(t, "x-access-token", pushToken)
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	withCreds := strings.Replace(url, "http://", "http://x-access-token:"+pushToken+"@", 1)
	dir := newRepoDir(t)
	r := e.sync(t, dir, exitUsage, "--push", "--remote", withCreds)
	if !strings.Contains(r.stderr, "holds a password") {
		t.Errorf("want a refusal:\n%s", r)
	}
	assertNoToken(t, pushToken, nil, r.stdout, r.stderr)
	if _, err := os.Stat(dir); err == nil {
		t.Error("the repository was created")
	}
	// A configured remote with credentials in its URL is refused too.
	e.sync(t, dir, exitOK)
	git(t, dir, "remote", "add", "origin", withCreds)
	r = e.sync(t, dir, exitUsage, "--push")
	if !strings.Contains(r.stderr, "holds a password") {
		t.Errorf("want a refusal:\n%s", r)
	}
	assertNoToken(t, pushToken, nil, r.stdout, r.stderr)
}

// TestSyncPushNotPushedAfterCommit: a remote that refuses the push after the
// commit is made leaves the commit local, says so in one line, exits 1;
// the next sync pushes it.
func TestSyncPushNotPushedAfterCommit(t *testing.T) {
	url, bare := startGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK, "--push", "--remote", url)
	remoteBefore := git(t, bare, "rev-parse", "main")

	git(t, bare, "config", "http.receivepack", "false") // a read-only token
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	r := e.sync(t, dir, exitError, "--push", "--remote", url)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	local := strings.TrimSpace(git(t, dir, "rev-parse", "main"))
	if last := lines[len(lines)-1]; !strings.Contains(last, local[:12]+" on main is local and not pushed") {
		t.Errorf("the last line does not say the commit is local:\n%s", r)
	}
	if git(t, bare, "rev-parse", "main") != remoteBefore {
		t.Error("the remote moved")
	}
	if commitCount(t, dir) != 2 {
		t.Error("the commit was not kept")
	}

	// Nothing new in Notion, but the commit is still to push.
	git(t, bare, "config", "http.receivepack", "true")
	e.sync(t, dir, exitOK, "--push", "--remote", url)
	if got := strings.TrimSpace(git(t, bare, "rev-parse", "main")); got != local {
		t.Errorf("remote main %s, want the local commit %s", got, local)
	}
	remoteHistory(t, bare, "main")
}

// TestSyncPushTwoClonesInTurn: two clones of the same remote sync and push
// in turn. In the last round, the other clone pushes while this one's sync
// is crawling: its push is refused, it takes the remote's tip, syncs again
// on top of it and pushes. The remote's history is a line of complete
// snapshots, and the last holds every edit.
func TestSyncPushTwoClonesInTurn(t *testing.T) {
	url, bare, counts := startCountingGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	var during atomic.Pointer[func()]
	e := startEmulator(t, basicFixture(t), emulator.Options{}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if f := during.Swap(nil); f != nil {
				(*f)()
			}
			h.ServeHTTP(w, r)
		})
	})

	a := newRepoDir(t)
	e.sync(t, a, exitOK, "--push", "--remote", url)
	b := cloneRemote(t, url, 1) // as a CI job checks out

	// In turn: each starts from the other's push.
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	e.sync(t, b, exitOK, "--push")
	if err := e.SetTitle(onboardingID, "Welcome aboard"); err != nil {
		t.Fatal(err)
	}
	e.sync(t, a, exitOK, "--push", "--remote", url)
	if got, want := git(t, a, "rev-parse", "main^"), git(t, b, "rev-parse", "main"); got != want {
		t.Errorf("a's commit is not on top of b's: parent %q, b's %q", got, want)
	}

	// The race: b crawls; meanwhile a syncs an edit and pushes.
	if err := e.SetTitle(releaseID, "Release log"); err != nil {
		t.Fatal(err)
	}
	var aRun result
	race := func() {
		aRun = runArgs(context.Background(), e.syncArgs(a, "--push", "--remote", url)...)
		if err := e.SetTitle(homeID, "Team Space"); err != nil {
			t.Error(err)
		}
	}
	during.Store(&race)
	adverts := counts.pushAdverts.Load()
	r := e.sync(t, b, exitOK, "--push")
	if aRun.code != exitOK {
		t.Fatalf("a's sync during b's: %s", aRun)
	}
	if !strings.Contains(r.stderr, "syncing again on top of it (attempt 2 of 3)") {
		t.Errorf("b's sync does not say it redid its commit:\n%s", r)
	}
	if n := strings.Count(r.stdout, "committed "); n != 1 {
		t.Errorf("b's sync printed %d commit lines, want 1 (the pushed one):\n%s", n, r)
	}
	// a's push, b's refused one (refused on the listing, before any
	// objects were sent) and b's second.
	if n := counts.pushAdverts.Load() - adverts; n != 3 {
		t.Errorf("%d pushes begun during the race, want 3", n)
	}

	commits := remoteHistory(t, bare, "main")
	if len(commits) != 5 {
		t.Errorf("%d commits on the remote, want 5 (a, b, a, a, b)", len(commits))
	}
	if got, want := git(t, bare, "rev-parse", "main"), git(t, b, "rev-parse", "main"); got != want {
		t.Errorf("remote main %q, b's %q", got, want)
	}
	if got, want := git(t, b, "rev-parse", "main^"), git(t, a, "rev-parse", "main"); got != want {
		t.Errorf("b's commit is not on top of a's: parent %q, a's %q", got, want)
	}
	// b's commit holds a's edit (read again, not reverted) and its own.
	for id, title := range map[string]string{releaseID: "Release log", onboardingID: "Welcome aboard", homeID: "Team Space"} {
		if !strings.Contains(git(t, bare, "show", "main:"+layout.PagePath(id)), title) {
			t.Errorf("the remote's tip does not hold %q", title)
		}
	}
	// a, in turn again, fast-forwards to b's commit and has nothing new.
	r2 := e.sync(t, a, exitOK, "--push", "--remote", url)
	if got, want := git(t, a, "rev-parse", "main"), git(t, bare, "rev-parse", "main"); got != want {
		t.Errorf("a did not take b's commit: %q, remote %q", got, want)
	}
	assertNoToken(t, pushToken, []string{a, b, bare}, r.stdout, r.stderr, aRun.stdout, aRun.stderr, r2.stdout, r2.stderr)
}

// TestSyncPushDiverged: a branch with commits of its own, behind a remote
// that moved too, is not merged or overwritten: one line, exit 1.
func TestSyncPushDiverged(t *testing.T) {
	url, bare := startGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	a := newRepoDir(t)
	e.sync(t, a, exitOK, "--push", "--remote", url)
	b := cloneRemote(t, url, 0)
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	e.sync(t, a, exitOK, "--push", "--remote", url)
	// A person's commit, not pushed: not a sync, so not for notion-git
	// to set aside.
	if err := os.WriteFile(filepath.Join(b, "NOTES.md"), []byte("notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, b, "add", "NOTES.md")
	git(t, b, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "--quiet", "-m", "Notes")
	if err := e.SetTitle(onboardingID, "Welcome aboard"); err != nil {
		t.Fatal(err)
	}
	local := git(t, b, "rev-parse", "main")
	r := e.sync(t, b, exitError, "--push")
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "does not merge snapshots") {
		t.Errorf("want one line:\n%s", r)
	}
	if git(t, b, "rev-parse", "main") != local {
		t.Error("the branch moved")
	}
	if refs := git(t, bare, "for-each-ref", replacedRefPrefix); refs != "" {
		t.Errorf("a person's commit was set aside:\n%s", refs)
	}
	remoteHistory(t, bare, "main")
}

// TestSyncPushKeepsReplacedSyncs: a run commits but cannot push, another
// machine pushes meanwhile. The next run keeps the unpushed sync under
// refs/notion-git/replaced/main/<hash>, here and on the remote, syncs
// again on top of the remote's tip and pushes: the scheduled backup goes
// on without anyone, and the versions the unpushed sync read travel with
// the backup.
func TestSyncPushKeepsReplacedSyncs(t *testing.T) {
	url, bare := startGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	a := newRepoDir(t)
	e.sync(t, a, exitOK, "--push", "--remote", url)
	b := cloneRemote(t, url, 1)

	git(t, bare, "config", "http.receivepack", "false")
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	e.sync(t, a, exitError, "--push", "--remote", url) // committed, not pushed
	if err := e.SetTitle(releaseID, "Changelog, again"); err != nil {
		t.Fatal(err)
	}
	e.sync(t, a, exitError, "--push", "--remote", url) // a second one
	unpushed := strings.TrimSpace(git(t, a, "rev-parse", "main"))
	git(t, bare, "config", "http.receivepack", "true")
	if err := e.SetTitle(homeID, "Team Space"); err != nil {
		t.Fatal(err)
	}
	e.sync(t, b, exitOK, "--push")
	other := strings.TrimSpace(git(t, bare, "rev-parse", "main"))
	if err := e.SetTitle(onboardingID, "Welcome aboard"); err != nil {
		t.Fatal(err)
	}

	r := e.sync(t, a, exitOK, "--push", "--remote", url)
	ref := replacedRefPrefix + "main/" + unpushed[:12]
	if !strings.Contains(r.stderr, "moved on without 2 syncs of main; kept as "+ref) {
		t.Errorf("no line says the syncs were kept:\n%s", r)
	}
	for _, repo := range []string{a, bare} {
		if got := strings.TrimSpace(git(t, repo, "rev-parse", ref)); got != unpushed {
			t.Errorf("%s: %s is %q, want %s", repo, ref, got, unpushed)
		}
	}
	if !strings.Contains(git(t, bare, "show", ref+"~1:"+layout.PagePath(releaseID)), "Changelog") {
		t.Error("the kept commits on the remote do not hold the version they read")
	}
	if got := strings.TrimSpace(git(t, bare, "rev-parse", "main^")); got != other {
		t.Errorf("the run's commit is on %s, not on the other machine's %s", got, other)
	}
	if got, want := git(t, bare, "rev-parse", "main"), git(t, a, "rev-parse", "main"); got != want {
		t.Errorf("remote main %q, local %q", got, want)
	}
	remoteHistory(t, bare, "main")
	// And the run after it is an ordinary one.
	e.sync(t, a, exitOK, "--push", "--remote", url)
}

// TestSyncPushPartial: a partial sync (exit 3) pushes what it committed and
// still exits 3.
func TestSyncPushPartial(t *testing.T) {
	url, bare := startGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	refuse := &refuser{}
	e := startEmulator(t, basicFixture(t), emulator.Options{}, refuse.wrap)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK, "--push", "--remote", url)
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	if err := e.SetTitle(onboardingID, "Welcome aboard"); err != nil {
		t.Fatal(err)
	}
	refuse.arm(tableBlockID)
	r := e.sync(t, dir, exitPartial, "--push", "--remote", url)
	if !strings.Contains(r.stderr, "pushed main to ") {
		t.Errorf("the partial sync did not push:\n%s", r)
	}
	if got, want := git(t, bare, "rev-parse", "main"), git(t, dir, "rev-parse", "main"); got != want {
		t.Errorf("remote main %q, local %q", got, want)
	}
	remoteHistory(t, bare, "main")
}

// TestSyncPushCheckpointContinuesInAFreshClone: a time-boxed sync that stops
// (exit 5) pushes its checkpoint; a fresh clone elsewhere continues from
// it, pushes the complete snapshot and deletes the remote's checkpoint.
func TestSyncPushCheckpointContinuesInAFreshClone(t *testing.T) {
	url, bare := startGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	clock := &requestClock{now: fixtureTime, step: 100 * time.Millisecond}
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{}, clock.wrap)

	whole := newRepoDir(t)
	e.syncOn(t, clock, whole, exitOK)
	full := clock.take()

	a := newRepoDir(t)
	r := e.syncOn(t, clock, a, exitIncomplete, "--push", "--remote", url, "--max-duration", "25s", "--checkpoint-interval", "5s")
	first := clock.take()
	if got, want := git(t, bare, "rev-parse", checkpointRef), git(t, a, "rev-parse", checkpointRef); got != want {
		t.Fatalf("remote checkpoint %q, local %q:\n%s", got, want, r)
	}
	if hasRef(bare, "refs/heads/main") {
		t.Error("the remote has a branch after an incomplete first sync")
	}

	b := cloneRemote(t, url, 0)
	rb := e.syncOn(t, clock, b, exitOK, "--push")
	second := clock.take()
	if strings.Contains(rb.stderr, "starting afresh") {
		t.Errorf("the clone did not continue the checkpoint:\n%s", rb)
	}
	if second >= full {
		t.Errorf("the clone's sync made %d requests, a whole one %d: it did not continue the checkpoint", second, full)
	}
	t.Logf("%d + %d requests, a whole sync %d", first, second, full)
	if hasRef(bare, checkpointRef) {
		t.Error("the remote's checkpoint was kept after the complete snapshot was pushed")
	}
	if got, want := git(t, bare, "rev-parse", "main"), git(t, b, "rev-parse", "main"); got != want {
		t.Errorf("remote main %q, the clone's %q", got, want)
	}
	commits := remoteHistory(t, bare, "main")
	if len(commits) != 1 {
		t.Errorf("%d commits on the remote, want 1", len(commits))
	}
	got, want := headBlobs(t, b), headBlobs(t, whole)
	for p, h := range want {
		if !isStateFile(p) && got[p] != h {
			t.Errorf("%s: differs from, or missing beside, the uninterrupted sync's", p)
		}
	}
}

// TestSyncPushCheckpointThatCannotBePushedFails: a time-boxed sync whose
// checkpoint the remote refuses exits 1, not 5. On a CI runner the
// checkpoint dies with the machine; a run reported as a success would
// repeat the same crawl on every schedule.
func TestSyncPushCheckpointThatCannotBePushedFails(t *testing.T) {
	url, bare := startGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	git(t, bare, "config", "http.receivepack", "false")
	clock := &requestClock{now: fixtureTime, step: 100 * time.Millisecond}
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{}, clock.wrap)
	a := newRepoDir(t)
	r := e.syncOn(t, clock, a, exitError, "--push", "--remote", url, "--max-duration", "25s", "--checkpoint-interval", "5s")
	if !strings.Contains(r.stderr, "checkpoint is local and not pushed") {
		t.Errorf("stderr does not say the checkpoint stayed local:\n%s", r)
	}
	if !hasRef(a, checkpointRef) {
		t.Error("the local checkpoint is gone")
	}
	if hasRef(bare, checkpointRef) {
		t.Error("the remote holds a checkpoint it refused")
	}
}

// TestPushAuthScope: a token goes to the host it is for, over https or to
// this machine, and nowhere else.
func TestPushAuthScope(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	gh := "ghs_scope"
	for _, tc := range []struct {
		name, url string
		env       func(string) string
		from      string // the variable sent; "" none
		withheld  string // part of the reason when none is sent
	}{
		{"GitHub", "https://github.com/o/r.git", env("GITHUB_TOKEN", gh), "GITHUB_TOKEN", ""},
		{"GitHub, explicit port", "https://github.com:443/o/r.git", env("GITHUB_TOKEN", gh), "GITHUB_TOKEN", ""},
		{"GitHub host in another case", "https://GitHub.com/o/r.git", env("GITHUB_TOKEN", gh), "GITHUB_TOKEN", ""},
		{"another host", "https://git.invalid/o/r.git", env("GITHUB_TOKEN", gh), "", "GITHUB_TOKEN is for https://github.com (GITHUB_SERVER_URL), not git.invalid:443"},
		{"GitHub over http", "http://github.com/o/r.git", env("GITHUB_TOKEN", gh), "", "GITHUB_TOKEN is not sent over plain http"},
		{"Enterprise Server", "https://ghe.invalid/o/r.git", env("GITHUB_TOKEN", gh, "GITHUB_SERVER_URL", "https://ghe.invalid"), "GITHUB_TOKEN", ""},
		{"github.com beside an Enterprise Server", "https://github.com/o/r.git", env("GITHUB_TOKEN", gh, "GITHUB_SERVER_URL", "https://ghe.invalid"), "", "not github.com:443"},
		{"same host, other port", "https://ghe.invalid:8443/o/r.git", env("GITHUB_TOKEN", gh, "GITHUB_SERVER_URL", "https://ghe.invalid"), "", "not ghe.invalid:8443"},
		{"GIT_TOKEN to any https remote", "https://git.invalid/o/r.git", env("GITHUB_TOKEN", gh, "GIT_TOKEN", "t"), "GIT_TOKEN", ""},
		{"GIT_TOKEN not over plain http", "http://git.invalid/o/r.git", env("GIT_TOKEN", "t"), "", "GIT_TOKEN is not sent over plain http"},
		{"GIT_TOKEN over http to loopback", "http://127.0.0.1:8080/r.git", env("GIT_TOKEN", "t"), "GIT_TOKEN", ""},
		{"GIT_TOKEN over http to localhost", "http://localhost:8080/r.git", env("GIT_TOKEN", "t"), "GIT_TOKEN", ""},
		{"GIT_TOKEN over http to ::1", "http://[::1]:8080/r.git", env("GIT_TOKEN", "t"), "GIT_TOKEN", ""},
		{"GITHUB_TOKEN over http to its loopback server", "http://127.0.0.1:8080/r.git", env("GITHUB_TOKEN", gh, "GITHUB_SERVER_URL", "http://127.0.0.1:8080"), "GITHUB_TOKEN", ""},
		{"GITHUB_TOKEN to another loopback name", "http://localhost:8080/r.git", env("GITHUB_TOKEN", gh, "GITHUB_SERVER_URL", "http://127.0.0.1:8080"), "", "not localhost:8080"},
		{"ssh", "ssh://git@github.com/o/r.git", env("GITHUB_TOKEN", gh, "GIT_TOKEN", "t"), "", ""},
		{"no token", "https://github.com/o/r.git", env(), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := gitrepo.ParseRemoteURL(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			auth, from, withheld := pushAuth(m, tc.env)
			if from != tc.from || (auth == nil) != (tc.from == "") {
				t.Errorf("sent %q (auth %v), want %q", from, auth != nil, tc.from)
			}
			if !strings.Contains(withheld, tc.withheld) || (tc.withheld == "") != (withheld == "") {
				t.Errorf("withheld %q, want %q", withheld, tc.withheld)
			}
			for _, tok := range []string{gh, "t"} {
				if strings.Contains(withheld, tok) && len(tok) > 1 {
					t.Errorf("the reason holds the token: %q", withheld)
				}
			}
		})
	}
}

// TestSyncPushTokenNotSentElsewhere: with GITHUB_TOKEN for another host
// (as a user who exported it for other tools has), a remote on this
// machine never sees it, in any request; the remote then asking for
// credentials gets one line saying why none was sent. The token for the
// remote's own host is sent.
func TestSyncPushTokenNotSentElsewhere(t *testing.T) {
	url, bare, counts := startCountingGitServer(t, "x-access-token", pushToken)
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+pushToken))
	sawToken := func() bool {
		for _, a := range counts.authorizations() {
			if a != "" {
				return true
			}
		}
		return false
	}

	t.Setenv("GITHUB_TOKEN", pushToken)
	t.Setenv("GITHUB_SERVER_URL", "")
	r := e.sync(t, dir, exitError, "--push", "--remote", url)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "no token was sent to it: GITHUB_TOKEN is for https://github.com (GITHUB_SERVER_URL), not 127.0.0.1:") {
		t.Errorf("want one line saying why the token was not sent:\n%s", r)
	}
	if counts.requests.Load() == 0 || sawToken() {
		t.Errorf("%d requests, Authorization headers %q: want some, none with a token", counts.requests.Load(), counts.authorizations())
	}

	// The same server under another of this machine's names is another
	// host.
	t.Setenv("GITHUB_SERVER_URL", strings.Replace(gitServerOrigin(url), "127.0.0.1", "localhost", 1))
	r = e.sync(t, dir, exitError, "--push", "--remote", url)
	if !strings.Contains(r.stderr, "GITHUB_TOKEN is for http://localhost:") || sawToken() {
		t.Errorf("GITHUB_TOKEN for localhost went to 127.0.0.1 (%q):\n%s", counts.authorizations(), r)
	}
	assertNoToken(t, pushToken, []string{dir, bare}, r.stdout, r.stderr)

	// GIT_TOKEN is for the remote it is used with.
	t.Setenv("GIT_TOKEN", pushToken)
	e.sync(t, dir, exitOK, "--push", "--remote", url)
	if got, want := git(t, bare, "rev-parse", "main"), git(t, dir, "rev-parse", "main"); got != want {
		t.Errorf("push with GIT_TOKEN: remote %q, local %q", got, want)
	}
	t.Setenv("GIT_TOKEN", "")

	// GITHUB_TOKEN for this server's host and port is sent.
	setGitHubToken(t, url, pushToken)
	before := len(counts.authorizations())
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK, "--push", "--remote", url)
	for _, a := range counts.authorizations()[before:] {
		if a != basic {
			t.Errorf("a request with GITHUB_TOKEN for this server had Authorization %q", a)
		}
	}
}

// remoteObjects counts the objects the bare repository received (every
// push kept as its own pack: receive.unpackLimit=1, no gc) and the
// distinct ones among them.
func remoteObjects(t *testing.T, bare string) (received, unique int) {
	t.Helper()
	for _, l := range strings.Split(git(t, bare, "count-objects", "-v"), "\n") {
		k, v, _ := strings.Cut(l, ": ")
		if k == "in-pack" || k == "count" {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			received += n
		}
	}
	unique = strings.Count(git(t, bare, "cat-file", "--batch-all-objects", "--batch-check"), "\n")
	return received, unique
}

// TestSyncPushCheckpointsSendOnlyWhatTheRemoteLacks: time-boxed runs in
// fresh clones, each going on from the checkpoint the one before pushed,
// then a run without a time box that completes the snapshot: the remote
// receives no object twice (each checkpoint is made on the branch's tip,
// so the one the run took over from the remote must be a base of the push
// too).
func TestSyncPushCheckpointsSendOnlyWhatTheRemoteLacks(t *testing.T) {
	url, bare := startGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	git(t, bare, "config", "receive.unpackLimit", "1")
	git(t, bare, "config", "gc.auto", "0")
	clock := &requestClock{now: fixtureTime, step: 100 * time.Millisecond}
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{}, clock.wrap)
	boxed := []string{"--push", "--max-duration", "15s", "--checkpoint-interval", "3s"}

	e.syncOn(t, clock, newRepoDir(t), exitIncomplete, append(boxed, "--remote", url)...)
	prev, prevUnique := remoteObjects(t, bare)
	runs := []string{fmt.Sprintf("run 1: %d objects", prev)}
	for run := 2; run <= 4; run++ {
		args, want := boxed, exitIncomplete
		if run == 4 {
			args, want = []string{"--push"}, exitOK
		}
		e.syncOn(t, clock, cloneRemote(t, url, 1), want, args...)
		received, unique := remoteObjects(t, bare)
		runs = append(runs, fmt.Sprintf("run %d: exit %d, %d objects received, %d new", run, want, received-prev, unique-prevUnique))
		if received != unique {
			t.Errorf("after run %d the remote received %d objects for %d distinct ones", run, received, unique)
		}
		prev, prevUnique = received, unique
	}
	t.Log(strings.Join(runs, "\n"))
	remoteHistory(t, bare, "main")
	if _, err := tryGit(bare, "rev-parse", "--verify", "--quiet", checkpointRef); err == nil {
		t.Error("the remote's checkpoint is left after the complete sync")
	}
}

// TestSyncPushShallowCloneFarBehind: shallow clones more commits behind the
// remote than the first fetch reaches (pushFetchDepth) sync and push: a
// depth-1 clone's tip, with nothing on top, takes the remote's tip; a
// depth-2 clone, whose tip is below its shallow boundary no longer,
// deepens its history until it sees that its tip is the remote's ancestor.
func TestSyncPushShallowCloneFarBehind(t *testing.T) {
	url, bare, counts := startCountingGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	a := newRepoDir(t)
	e.sync(t, a, exitOK, "--push", "--remote", url)
	if err := e.SetTitle(releaseID, "Changelog 0"); err != nil {
		t.Fatal(err)
	}
	e.sync(t, a, exitOK, "--push", "--remote", url)
	depth1 := cloneRemote(t, url, 1)
	depth2 := newRepoDir(t)
	git(t, filepath.Dir(depth2), append(gitAuthHeader("x-access-token", pushToken), "clone", "--quiet", "--depth", "2", url, depth2)...)
	behind := pushFetchDepth + 2
	for i := 1; i <= behind; i++ {
		if err := e.SetTitle(releaseID, fmt.Sprintf("Changelog %d", i)); err != nil {
			t.Fatal(err)
		}
		e.sync(t, a, exitOK, "--push", "--remote", url)
	}
	for i, clone := range []string{depth1, depth2} {
		name := fmt.Sprintf("the depth-%d clone", i+1)
		tip := strings.TrimSpace(git(t, bare, "rev-parse", "main"))
		if err := e.SetTitle(homeID, "Home of "+name); err != nil {
			t.Fatal(err)
		}
		fetches := counts.fetchPacks.Load()
		r := e.sync(t, clone, exitOK, "--push")
		if got := strings.TrimSpace(git(t, bare, "rev-parse", "main^")); got != tip {
			t.Errorf("%s: the pushed commit's parent is %s, not the remote's tip %s\n%s", name, got, tip, r)
		}
		// The depth-2 clone deepens once (to 64 commits) after the first
		// fetch; the depth-1 clone's tip needs no deepening.
		if n, want := counts.fetchPacks.Load()-fetches, int64(i+1); n != want {
			t.Errorf("%s fetched objects %d times, want %d", name, n, want)
		}
		// Again, now level with the remote: nothing to do.
		e.sync(t, clone, exitOK, "--push")
	}
	if n := len(remoteHistory(t, bare, "main")); n != behind+4 {
		t.Errorf("the remote has %d commits, want %d", n, behind+4)
	}
}

// TestSyncPushCheckpointMovedOnTheRemoteFails: a run stopped at its time
// box whose checkpoint the remote no longer takes (another run pushed one
// meanwhile: the compare-and-swap fails) exits 1, not 5: its progress is
// not on the remote, and a CI runner loses it.
func TestSyncPushCheckpointMovedOnTheRemoteFails(t *testing.T) {
	url, bare := startGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	clock := &requestClock{now: fixtureTime, step: 100 * time.Millisecond}
	var during atomic.Pointer[func()]
	e := startEmulator(t, workspace.Generate(workspace.Small()), emulator.Options{}, func(h http.Handler) http.Handler {
		return clock.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if f := during.Swap(nil); f != nil {
				(*f)()
			}
			h.ServeHTTP(w, r)
		}))
	})
	a := newRepoDir(t)
	boxed := []string{"--push", "--remote", url, "--max-duration", "15s", "--checkpoint-interval", "3s"}
	e.syncOn(t, clock, a, exitIncomplete, boxed...)
	first := strings.TrimSpace(git(t, bare, "rev-parse", checkpointRef))

	// Another run's checkpoint lands on the remote while this one crawls.
	otherCkpt := strings.TrimSpace(git(t, bare, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit-tree", first+"^{tree}", "-p", first, "-m", "another run's checkpoint"))
	var moved error
	other := func() { moved = exec.Command("git", "-C", bare, "update-ref", checkpointRef, otherCkpt).Run() }
	during.Store(&other)
	r := e.syncOn(t, clock, a, exitError, boxed...)
	if moved != nil {
		t.Fatal(moved)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "checkpoint is local and not pushed") || !strings.Contains(last, "checkpoint was not updated") {
		t.Errorf("the last line does not say the checkpoint is not on the remote:\n%s", r)
	}
	if got := strings.TrimSpace(git(t, bare, "rev-parse", checkpointRef)); got != otherCkpt {
		t.Errorf("the remote's checkpoint is %s: the other run's was overwritten", got)
	}
	if !hasRef(a, checkpointRef) {
		t.Error("the local checkpoint is gone")
	}
}

// TestSyncPushIntoAnUnbornBranch: git init, a remote added, then sync
// --push: the branch takes the remote's tip and the sync goes on from it.
func TestSyncPushIntoAnUnbornBranch(t *testing.T) {
	url, bare := startGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	first := newRepoDir(t)
	e.sync(t, first, exitOK, "--push", "--remote", url)

	dir := t.TempDir()
	git(t, dir, "init", "--quiet", "--initial-branch", "main")
	git(t, dir, "remote", "add", "origin", url)
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK, "--push")
	if got := strings.TrimSpace(git(t, dir, "rev-parse", "main^")); got != strings.TrimSpace(git(t, first, "rev-parse", "main")) {
		t.Errorf("the sync did not build on the remote's tip: parent %s", got)
	}
	if got, want := git(t, bare, "rev-parse", "main"), git(t, dir, "rev-parse", "main"); got != want {
		t.Errorf("remote main %q, local %q", got, want)
	}
	remoteHistory(t, bare, "main")
}

// TestSyncPushDoesNotRepublishWhatTheRemoteDropped: commits the remote
// held and then dropped (a force push, to purge a page that leaked) are
// refused, not pushed back as replaced syncs.
func TestSyncPushDoesNotRepublishWhatTheRemoteDropped(t *testing.T) {
	url, bare := startGitServer(t, "x-access-token", pushToken)
	setGitHubToken(t, url, pushToken)
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	a := newRepoDir(t)
	e.sync(t, a, exitOK, "--push", "--remote", url)
	base := strings.TrimSpace(git(t, a, "rev-parse", "main"))
	if err := e.SetTitle(releaseID, "Leaked secret"); err != nil {
		t.Fatal(err)
	}
	e.sync(t, a, exitOK, "--push", "--remote", url)
	leaked := strings.TrimSpace(git(t, a, "rev-parse", "main"))

	// The owner purges the leak: the remote's main goes back, and a
	// fresh clone syncs on top of it.
	git(t, bare, "update-ref", "refs/heads/main", base, leaked)
	if err := e.SetTitle(releaseID, "Release notes"); err != nil {
		t.Fatal(err)
	}
	if err := e.SetTitle(homeID, "Team Space"); err != nil {
		t.Fatal(err)
	}
	b := cloneRemote(t, url, 1)
	e.sync(t, b, exitOK, "--push")

	r := e.sync(t, a, exitError, "--push", "--remote", url)
	if !strings.Contains(r.stderr, "notion-git does not merge snapshots") {
		t.Errorf("the refusal does not say why:\n%s", r)
	}
	if refs := git(t, bare, "for-each-ref", replacedRefPrefix); refs != "" {
		t.Errorf("the dropped commit went back to the remote:\n%s", refs)
	}
	if strings.Contains(git(t, bare, "rev-list", "--all"), leaked) {
		t.Error("the remote holds the dropped commit again")
	}
}
