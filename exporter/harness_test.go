package exporter_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
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

// Sleep moves the clock on by d at once, so that a client on this clock
// waits out a Retry-After or a backoff in no real time, and the emulator's
// rate limiter, on the same clock, sees the wait.
func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		c.Advance(d)
	}
	return nil
}

var _ notion.Clock = (*clock)(nil)

// world is an emulated workspace that tests sync from.
type world struct {
	t      *testing.T
	clock  *clock
	server *emulator.Server
	url    string
	// wrap, when set, sees every request before the emulator.
	wrap func(w http.ResponseWriter, r *http.Request) bool
	// clientClock, when set, is the client's clock (the system's otherwise).
	clientClock notion.Clock
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
		BackoffBase: time.Millisecond, BackoffCap: 5 * time.Millisecond, Clock: w.clientClock})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// store holds what each sync starts from, as a repository's head does for
// the CLI: the files of the last sync, with its state among them.
type store struct {
	t    *testing.T
	tree exporter.MemoryTree // nil before the first sync
}

func newStore(t *testing.T) *store { return &store{t: t} }

// sync runs one sync from the store's files and keeps its result. It
// returns the report and whether the sync changed a file.
func (s *store) sync(w *world, opts exporter.Options) (*exporter.Report, bool) {
	s.t.Helper()
	tree, res, changes, err := w.syncFrom(s.tree, opts)
	if err != nil {
		s.t.Fatalf("sync: %v", err)
	}
	s.tree = tree
	return res.Report, len(changes) > 0
}

// files returns the store's files, less the sync state whose crawl times
// differ between any two runs.
func (s *store) files() map[string]string {
	out := map[string]string{}
	for p, b := range s.tree {
		if !isState(p) {
			out[p] = string(b)
		}
	}
	return out
}

func (s *store) read(path string) string {
	s.t.Helper()
	b, ok := s.tree[path]
	if !ok {
		s.t.Fatalf("%s: no such file", path)
	}
	return string(b)
}

// recordingSink is a MemoryTree that records the writes that changed it:
// a file put with other bytes than it held, a file or folder removed.
type recordingSink struct {
	exporter.MemoryTree
	changes []string
}

func (r *recordingSink) Put(path string, data []byte) error {
	if old, ok := r.MemoryTree[path]; !ok || !bytes.Equal(old, data) {
		r.changes = append(r.changes, "put "+path)
	}
	return r.MemoryTree.Put(path, data)
}

func (r *recordingSink) Delete(path string) error {
	if _, ok := r.MemoryTree[path]; ok {
		r.changes = append(r.changes, "delete "+path)
	}
	return r.MemoryTree.Delete(path)
}

func (r *recordingSink) DeleteDir(dir string) error {
	for p := range r.MemoryTree {
		if strings.HasPrefix(p, dir+"/") {
			r.changes = append(r.changes, "delete "+dir)
			break
		}
	}
	return r.MemoryTree.DeleteDir(dir)
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

// basicFixture loads testdata/fixtures/basic.json, the hand-written
// workspace of the golden layout.
func basicFixture(t testing.TB) *emulator.Fixture {
	t.Helper()
	f, err := workspace.Load(filepath.Join("..", "testdata", "fixtures", "basic.json"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Ids of the basic fixture that the tests act on.
const (
	homeID         = "10000000-0000-4000-8000-000000000001" // "Team Home", the one shared page
	onboardingID   = "10000000-0000-4000-8000-000000000002" // child page of Team Home; holds the image
	releaseID      = "10000000-0000-4000-8000-000000000003" // "Release notes", child page of Team Home
	tableBlockID   = "b1000000-0000-4000-8000-000000000030" // a table in Release notes (a block with children)
	imageBlockID   = "b1000000-0000-4000-8000-000000000026" // a Notion-hosted image in Onboarding
	unknownBlockID = "b1000000-0000-4000-8000-000000000017" // an ai_summary block: a type the API does not document
	commentID      = "c0000000-0000-4000-8000-000000000001" // the one comment, on a block of Team Home
	commentBlockID = "b1000000-0000-4000-8000-000000000006" // the block it is on
)

// memoryPrevious reads a MemoryTree as the snapshot a sync starts from.
type memoryPrevious exporter.MemoryTree

func (m memoryPrevious) Read(path string) ([]byte, error) {
	b, ok := m[path]
	if !ok {
		return nil, fmt.Errorf("%s: no such file", path)
	}
	return b, nil
}

func (m memoryPrevious) Has(path string) bool { _, ok := m[path]; return ok }

func (m memoryPrevious) PathsUnder(dir string) []string {
	if !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	var out []string
	for p := range m {
		if strings.HasPrefix(p, dir) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func (m memoryPrevious) Same(path string, data []byte) bool {
	b, ok := m[path]
	return ok && bytes.Equal(b, data)
}

var _ exporter.Previous = memoryPrevious(nil)

// syncMemory syncs into memory: it starts from prev (nil for a first sync)
// and returns the new tree, with the sync state in it as a commit holds it,
// so that the tree is the prev of the next sync.
func (w *world) syncMemory(prev exporter.MemoryTree, opts exporter.Options) (exporter.MemoryTree, *exporter.Report) {
	w.t.Helper()
	tree, res, err := w.trySyncMemory(prev, opts)
	if err != nil {
		w.t.Fatalf("sync: %v", err)
	}
	return tree, res.Report
}

func (w *world) trySyncMemory(prev exporter.MemoryTree, opts exporter.Options) (exporter.MemoryTree, *exporter.Result, error) {
	tree, res, _, err := w.syncFrom(prev, opts)
	return tree, res, err
}

// syncFrom is trySyncMemory that also returns the changes the sink saw,
// the sync state (the caller's to write) aside.
func (w *world) syncFrom(prev exporter.MemoryTree, opts exporter.Options) (exporter.MemoryTree, *exporter.Result, []string, error) {
	sink := &recordingSink{MemoryTree: exporter.MemoryTree{}}
	var from exporter.Previous
	if prev != nil {
		sink.MemoryTree = maps.Clone(prev)
		from = memoryPrevious(prev)
	}
	if opts.Now == nil {
		opts.Now = w.clock.Now
	}
	res, err := exporter.Sync(context.Background(), w.client(), from, sink, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := putState(sink.MemoryTree, res.State); err != nil {
		return nil, nil, nil, err
	}
	return sink.MemoryTree, res, sink.changes, nil
}

// isState reports whether a path is a file of the sync state.
func isState(p string) bool {
	info, _ := layout.ParsePath(p)
	return info.Kind == layout.PathState || info.Kind == layout.PathStateShard
}

// putState writes s into tree as a commit does: as changes to the state the
// tree holds.
func putState(tree exporter.MemoryTree, s *layout.State) error {
	old, err := layout.ReadState(memoryPrevious(tree))
	if err != nil {
		return err
	}
	put, del, err := layout.StateChanges(memoryPrevious(tree), old, s)
	if err != nil {
		return err
	}
	for p, b := range put {
		tree[p] = b
	}
	for _, p := range del {
		delete(tree, p)
	}
	return nil
}

// readState reads the sync state a tree holds.
func readState(t *testing.T, tree exporter.MemoryTree) *layout.State {
	t.Helper()
	s, err := layout.ReadState(memoryPrevious(tree))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var _ exporter.Sink = (*recordingSink)(nil)

// emulatorPlaceholder stands for an emulator's address (a random loopback
// port) in stored file URLs, so that trees synced from two emulators compare.
const emulatorPlaceholder = "http://notion-emulator.invalid"

// comparable returns a tree as it compares with a sync of the same workspace
// from another emulator: the emulator's address replaced, and the sync state
// (crawl times) left out.
func (w *world) comparable(tree exporter.MemoryTree) map[string][]byte {
	out := make(map[string][]byte, len(tree))
	for p, b := range tree {
		if isState(p) {
			continue
		}
		if strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".md") {
			b = bytes.ReplaceAll(b, []byte(w.url), []byte(emulatorPlaceholder))
		}
		out[p] = b
	}
	return out
}

// sameTree fails the test for every file missing, extra or different.
func sameTree(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	paths := slices.Sorted(maps.Keys(want))
	for p := range got {
		if _, ok := want[p]; !ok {
			paths = append(paths, p)
		}
	}
	for _, p := range paths {
		w, inWant := want[p]
		g, inGot := got[p]
		switch {
		case !inWant:
			t.Errorf("%s: unexpected file", p)
		case !inGot:
			t.Errorf("%s: missing", p)
		case !bytes.Equal(w, g):
			t.Errorf("%s differs:\nwant:\n%s\ngot:\n%s", p, w, g)
		}
	}
}

// pageFiles returns the files of one page's folder in a tree.
func pageFiles(tree exporter.MemoryTree, id string) map[string][]byte {
	out := map[string][]byte{}
	for p, b := range tree {
		if strings.HasPrefix(p, layout.PageDir(id)+"/") {
			out[p] = b
		}
	}
	return out
}

// isKind reports whether p is a file of the layout of that kind.
func isKind(p string, kind layout.PathKind) bool {
	info, ok := layout.ParsePath(p)
	return ok && info.Kind == kind
}
