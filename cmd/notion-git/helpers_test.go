package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// basicFixturePath is the hand-written fixture workspace the golden layout
// is made from.
var basicFixturePath = filepath.Join("..", "..", "testdata", "fixtures", "basic.json")

// fixtureTime is the emulator's pinned clock: every time it stamps (an edit,
// a signed URL's expiry) is this one, so runs are reproducible. It lies in
// the past so that pages edited "now" are not taken as edited during a sync.
var fixtureTime = time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)

func pinnedClock() time.Time { return fixtureTime }

// Ids of the basic fixture that the tests act on.
const (
	homeID       = "10000000-0000-4000-8000-000000000001" // "Team Home", the one shared page
	onboardingID = "10000000-0000-4000-8000-000000000002" // child page of Team Home; holds the image
	releaseID    = "10000000-0000-4000-8000-000000000003" // "Release notes", child page of Team Home
	tableBlockID = "b1000000-0000-4000-8000-000000000030" // a table in Release notes (a block with children)
	imageBlockID = "b1000000-0000-4000-8000-000000000026" // a Notion-hosted image in Onboarding
)

// basicFixture loads testdata/fixtures/basic.json.
func basicFixture(t testing.TB) *emulator.Fixture {
	t.Helper()
	f, err := workspace.Load(basicFixturePath)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// localNotion is a Notion emulator served over HTTP on loopback.
type localNotion struct {
	*emulator.Server
	URL   string
	Token string
}

// startEmulator serves a workspace on loopback until the test ends. wrap,
// if not nil, stands between the network and the emulator (to cut a sync
// short or break one page).
func startEmulator(t testing.TB, f *emulator.Fixture, opts emulator.Options, wrap func(http.Handler) http.Handler) *localNotion {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = pinnedClock
	}
	srv := emulator.New(f, opts)
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(srv)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	token := opts.Token
	if token == "" {
		token = emulator.DefaultToken
	}
	return &localNotion{Server: srv, URL: hs.URL, Token: token}
}

// interrupter cancels a run's context when the nth request of that run
// reaches Notion, as Ctrl-C would in the middle of a run; it also counts the
// requests that reached Notion.
type interrupter struct {
	mu     sync.Mutex
	seen   int
	after  int
	cancel context.CancelFunc
}

// wrap puts the interrupter between the network and h.
func (i *interrupter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i.mu.Lock()
		i.seen++
		if i.cancel != nil && i.seen == i.after {
			i.cancel()
		}
		i.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// arm returns a context cancelled at the nth request from now; 0 never.
func (i *interrupter) arm(t *testing.T, n int) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	i.mu.Lock()
	i.seen, i.after, i.cancel = 0, n, cancel
	i.mu.Unlock()
	return ctx
}

// requests counts the requests that reached Notion since arm.
func (i *interrupter) requests() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.seen
}

// syncArgs is the command line of a sync of the emulator into dir, paced
// far above Notion's budget so that tests are quick.
func (e *localNotion) syncArgs(dir string, extra ...string) []string {
	args := []string{"sync", "--api-url", e.URL, "--token", e.Token, "--rate", "1000", "--burst", "100", "--repo", dir}
	return append(args, extra...)
}

// result is what one run of the command line printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + "\nstdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

// runArgs runs the command line in-process with ctx.
func runArgs(ctx context.Context, args ...string) result {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// runArgsOn runs the command line with the Notion client waiting by clock.
func runArgsOn(clock notion.Clock, args ...string) result {
	var stdout, stderr bytes.Buffer
	code := runEnv(&Env{Ctx: context.Background(), Stdout: &stdout, Stderr: &stderr, Clock: clock}, args)
	return result{code, stdout.String(), stderr.String()}
}

// sync runs a sync of the emulator into dir and fails the test unless it
// exits with want.
func (e *localNotion) sync(t testing.TB, dir string, want int, extra ...string) result {
	t.Helper()
	r := runArgs(context.Background(), e.syncArgs(dir, extra...)...)
	if r.code != want {
		t.Fatalf("sync %v: want exit %d, got %s", extra, want, r)
	}
	return r
}

// newRepoDir returns a folder for a repository that is checked with
// `git fsck --strict` when the test ends, if a repository was made in it.
func newRepoDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "backup")
	t.Cleanup(func() {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			gitFsck(t, dir)
		}
	})
	return dir
}

// gitEnv isolates the git command line from the machine's configuration.
func gitEnv() []string {
	return append(os.Environ(),
		"HOME="+os.TempDir(),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_PAGER=cat",
		"PAGER=cat",
	)
}

// tryGit runs git in dir and returns its combined output.
func tryGit(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "core.quotepath=false"}, args...)...)
	cmd.Env = gitEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// git runs git in dir, fails the test on error and returns its stdout.
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "core.quotepath=false"}, args...)...)
	cmd.Env = gitEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// gitFsck runs the real `git fsck --strict` on a repository and fails the
// test on any error or warning.
func gitFsck(t testing.TB, dir string) {
	t.Helper()
	out, err := tryGit(dir, "fsck", "--strict", "--no-progress", "--no-dangling")
	if err != nil || strings.Contains(out, "error") || strings.Contains(out, "warning") {
		t.Errorf("git fsck --strict in %s: %v\n%s", dir, err, out)
	}
}

// commitCount is `git rev-list --count HEAD`, 0 when there is no commit.
func commitCount(t testing.TB, dir string) int {
	t.Helper()
	if _, err := tryGit(dir, "rev-parse", "--verify", "-q", "HEAD"); err != nil {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(git(t, dir, "rev-list", "--count", "HEAD")))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// headFiles lists the files of HEAD's tree, sorted.
func headFiles(t testing.TB, dir string) []string {
	t.Helper()
	files := strings.Split(strings.TrimSpace(git(t, dir, "ls-tree", "-r", "--name-only", "HEAD")), "\n")
	sort.Strings(files)
	return files
}

// headBlobs maps each file of HEAD's tree to its blob hash.
func headBlobs(t testing.TB, dir string) map[string]string {
	t.Helper()
	blobs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(git(t, dir, "ls-tree", "-r", "HEAD")), "\n") {
		// <mode> SP <type> SP <hash> TAB <path>
		meta, path, ok := strings.Cut(line, "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) != 3 {
			t.Fatalf("git ls-tree: unexpected line %q", line)
		}
		blobs[path] = fields[2]
	}
	return blobs
}

// headFile returns one file of HEAD's tree.
func headFile(t testing.TB, dir, path string) []byte {
	t.Helper()
	return []byte(git(t, dir, "show", "HEAD:"+path))
}

// headTree reads every file of HEAD's tree, in one git process.
func headTree(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	blobs := headBlobs(t, dir)
	paths := make([]string, 0, len(blobs))
	var in bytes.Buffer
	for p := range blobs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		in.WriteString(blobs[p] + "\n")
	}
	cmd := exec.Command("git", "-C", dir, "cat-file", "--batch")
	cmd.Env = gitEnv()
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git cat-file --batch: %v", err)
	}
	files := make(map[string][]byte, len(paths))
	for _, p := range paths {
		// <hash> SP blob SP <size> LF <content> LF
		header, rest, ok := bytes.Cut(out, []byte("\n"))
		fields := strings.Fields(string(header))
		if !ok || len(fields) != 3 || fields[0] != blobs[p] {
			t.Fatalf("git cat-file --batch: unexpected header %q for %s", header, p)
		}
		size, err := strconv.Atoi(fields[2])
		if err != nil || size+1 > len(rest) {
			t.Fatalf("git cat-file --batch: bad size in %q", header)
		}
		files[p] = rest[:size:size]
		out = rest[size+1:]
	}
	return files
}
