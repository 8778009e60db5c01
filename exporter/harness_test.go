package exporter_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
)

// clock is the one timeline of a test: the emulator stamps edits with it and
// the exporter reads crawl times from it.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// world is an emulated workspace and a repository synced from it.
type world struct {
	t      *testing.T
	clock  *clock
	server *emulator.Server
	url    string
	// wrap, when set, sees every request before the emulator.
	wrap func(w http.ResponseWriter, r *http.Request) bool
}

func newWorld(t *testing.T, f *emulator.Fixture, opts emulator.Options) *world {
	t.Helper()
	w := &world{t: t, clock: newClock()}
	opts.Clock = w.clock.Now
	w.server = emulator.New(f, opts)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if w.wrap != nil && w.wrap(rw, r) {
			return
		}
		w.server.ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	w.url = srv.URL
	return w
}

func (w *world) client() *notion.Client {
	c, err := notion.New(notion.Config{BaseURL: w.url, Token: emulator.DefaultToken, Rate: -1,
		BackoffBase: time.Millisecond, BackoffCap: 5 * time.Millisecond})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// repo is a git repository that a test syncs into, keeping the sync state
// between runs as the CLI does.
type repo struct {
	t     *testing.T
	dir   string
	r     *gitrepo.Repo
	state *layout.State
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	dir := t.TempDir()
	r, err := gitrepo.Open(dir, gitrepo.OpenOptions{Create: true, Bare: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsck(t, dir) })
	return &repo{t: t, dir: dir, r: r}
}

// sync runs one sync and commits its result when anything but the state
// changed. It returns the report and whether a commit was made.
func (rp *repo) sync(w *world, opts exporter.Options) (*exporter.Report, bool) {
	rp.t.Helper()
	res, committed, err := rp.trySync(w, opts)
	if err != nil {
		rp.t.Fatalf("sync: %v", err)
	}
	return res.Report, committed
}

func (rp *repo) trySync(w *world, opts exporter.Options) (*exporter.Result, bool, error) {
	head, _, err := rp.r.Head("main")
	if err != nil {
		return nil, false, err
	}
	prev, err := rp.r.Snapshot(head)
	if err != nil {
		return nil, false, err
	}
	b, err := rp.r.NewTreeBuilder(head)
	if err != nil {
		return nil, false, err
	}
	opts.State = rp.state
	opts.Now = w.clock.Now
	res, err := exporter.Sync(context.Background(), w.client(), prev, b, opts)
	if err != nil {
		return nil, false, err
	}
	rp.state = res.State
	content, err := b.Write()
	if err != nil {
		return nil, false, err
	}
	if content == prev.TreeHash() && !head.IsZero() {
		return res, false, nil
	}
	sb, err := layout.EncodeState(res.State)
	if err != nil {
		return nil, false, err
	}
	if err := b.Put(layout.StatePath, sb); err != nil {
		return nil, false, err
	}
	tree, err := b.Write()
	if err != nil {
		return nil, false, err
	}
	var parents []plumbing.Hash
	if !head.IsZero() {
		parents = []plumbing.Hash{head}
	}
	c, err := rp.r.Commit(gitrepo.CommitOptions{Tree: tree, Parents: parents, Message: "sync",
		Author: gitrepo.Signature{Name: "t", Email: "t@localhost", When: w.clock.Now()}})
	if err != nil {
		return nil, false, err
	}
	return res, true, rp.r.UpdateBranch("main", head, c)
}

// files returns the head snapshot's files, less the sync state whose crawl
// times differ between any two runs.
func (rp *repo) files() map[string]string {
	rp.t.Helper()
	head, _, err := rp.r.Head("main")
	if err != nil {
		rp.t.Fatal(err)
	}
	s, err := rp.r.Snapshot(head)
	if err != nil {
		rp.t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range s.Paths() {
		if p == layout.StatePath {
			continue
		}
		h, _ := s.Hash(p)
		out[p] = h.String()
	}
	return out
}

func (rp *repo) read(path string) string {
	rp.t.Helper()
	head, _, _ := rp.r.Head("main")
	s, err := rp.r.Snapshot(head)
	if err != nil {
		rp.t.Fatal(err)
	}
	b, err := s.Read(path)
	if err != nil {
		rp.t.Fatal(err)
	}
	return string(b)
}

// sameFiles fails the test with the differing paths if two trees differ.
func sameFiles(t *testing.T, got, want map[string]string) {
	t.Helper()
	var diffs []string
	for p, h := range want {
		if got[p] != h {
			diffs = append(diffs, "changed or missing: "+p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			diffs = append(diffs, "extra: "+p)
		}
	}
	if len(diffs) > 0 {
		if len(diffs) > 20 {
			diffs = append(diffs[:20], "...")
		}
		t.Fatalf("trees differ:\n%s", strings.Join(diffs, "\n"))
	}
}

func fsck(t *testing.T, dir string) {
	t.Helper()
	out, err := exec.Command("git", "-C", dir, "fsck", "--strict").CombinedOutput()
	if err != nil {
		t.Errorf("git fsck --strict: %v\n%s", err, out)
	}
}
