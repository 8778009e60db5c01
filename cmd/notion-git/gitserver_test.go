package main

import (
	"crypto/subtle"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// startGitServer serves a new, empty bare repository over HTTP on loopback
// through the real git http-backend, as a hosted remote would: smart HTTP,
// push enabled, and every request without the basic auth user:pass refused
// with 401 and a WWW-Authenticate challenge. url is the repository's URL
// (without credentials); bare is its folder, for the test to inspect. The
// server and the repository go away when the test ends; the bare repository
// is checked with `git fsck --strict` first.
func startGitServer(t *testing.T, user, pass string) (url, bare string) {
	t.Helper()
	url, bare, _ = startCountingGitServer(t, user, pass)
	return url, bare
}

// gitServerCounts counts what reached a loopback git server.
type gitServerCounts struct {
	requests     atomic.Int64 // every request
	unauthorized atomic.Int64 // refused with 401
	receivePacks atomic.Int64 // pushes that reached git-receive-pack
	pushAdverts  atomic.Int64 // pushes begun: receive-pack's reference advertisements
	fetchPacks   atomic.Int64 // fetches that asked git-upload-pack for objects

	mu    sync.Mutex
	auths []string // the Authorization header of every request ("" if none)
}

// authorizations is the Authorization header of every request so far.
func (c *gitServerCounts) authorizations() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.auths)
}

// startCountingGitServer is startGitServer that also says what the server
// received.
func startCountingGitServer(t *testing.T, user, pass string) (url, bare string, counts *gitServerCounts) {
	t.Helper()
	backend := gitHTTPBackend(t)
	root := t.TempDir()
	bare = filepath.Join(root, "remote.git")
	git(t, root, "init", "--quiet", "--bare", "--initial-branch=main", bare)
	// git http-backend refuses pushes unless the repository allows them
	// (it has no REMOTE_USER to go by otherwise).
	git(t, bare, "config", "http.receivepack", "true")
	cgiEnv := []string{
		"GIT_PROJECT_ROOT=" + root,
		"GIT_HTTP_EXPORT_ALL=1",
		// The backend's git must not read the machine's configuration.
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"HOME=" + root,
	}
	counts = &gitServerCounts{}
	h := &cgi.Handler{Path: backend, Root: "/", Dir: root, Env: cgiEnv, Stderr: testLog{t}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		counts.requests.Add(1)
		counts.mu.Lock()
		counts.auths = append(counts.auths, r.Header.Get("Authorization"))
		counts.mu.Unlock()
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(user)) != 1 || subtle.ConstantTimeCompare([]byte(p), []byte(pass)) != 1 {
			counts.unauthorized.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-receive-pack"):
			counts.receivePacks.Add(1)
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-upload-pack"):
			counts.fetchPacks.Add(1)
		case strings.HasSuffix(r.URL.Path, "/info/refs") && r.URL.Query().Get("service") == "git-receive-pack":
			counts.pushAdverts.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { gitFsck(t, bare) })
	return srv.URL + "/remote.git", bare, counts
}

// testLog writes what git http-backend says on stderr to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Logf("git http-backend: %s", strings.TrimSpace(string(b)))
	return len(b), nil
}

// gitHTTPBackend finds git http-backend where git keeps its programs. git
// ships it, and the push and the action are accepted against it: a
// machine without it fails these tests rather than skipping the
// acceptance (.ci/run installs git).
func gitHTTPBackend(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatalf("git http-backend: git is not installed (%v)", err)
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("git http-backend is not installed, and the push tests need it: %v", err)
	}
	return p
}

func TestGitServerRefusesWithoutAuth(t *testing.T) {
	url, _, counts := startCountingGitServer(t, "x-access-token", "s3cret")
	resp, err := http.Get(url + "/info/refs?service=git-upload-pack")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("without auth: %s, WWW-Authenticate %q", resp.Status, resp.Header.Get("WWW-Authenticate"))
	}
	req, _ := http.NewRequest(http.MethodGet, url+"/info/refs?service=git-receive-pack", nil)
	req.SetBasicAuth("x-access-token", "s3cret")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/x-git-receive-pack-advertisement" {
		t.Errorf("with auth: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	if counts.requests.Load() != 2 || counts.unauthorized.Load() != 1 {
		t.Errorf("requests %d, refused %d; want 2, 1", counts.requests.Load(), counts.unauthorized.Load())
	}
}

func TestGitServerTakesAPushFromGit(t *testing.T) {
	url, bare := startGitServer(t, "x-access-token", "s3cret")
	dir := t.TempDir()
	git(t, dir, "init", "--quiet", "--initial-branch=main")
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", "a.txt")
	git(t, dir, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "--quiet", "-m", "a")
	// The credentials go in the URL only here, in a test, for the git
	// command line: notion-git itself never takes them that way.
	authed := strings.Replace(url, "http://", "http://x-access-token:s3cret@", 1)
	git(t, dir, "push", "--quiet", authed, "main")
	if got, want := git(t, bare, "rev-parse", "main"), git(t, dir, "rev-parse", "main"); got != want {
		t.Errorf("remote main %q, local %q", got, want)
	}
	if out, err := tryGit(dir, "push", url, "main"); err == nil {
		t.Errorf("push without credentials succeeded:\n%s", out)
	}
}
