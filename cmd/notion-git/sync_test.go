package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

var update = flag.Bool("update", false, "rewrite the golden layout in testdata/golden from a sync of the fixture")

// goldenDir holds the files of a sync of testdata/fixtures/basic.json.
var goldenDir = filepath.Join("..", "..", "testdata", "golden", "basic")

// Ids of the basic fixture that the tests act on.
const (
	homeID         = "10000000-0000-4000-8000-000000000001" // "Team Home", the one shared page
	onboardingID   = "10000000-0000-4000-8000-000000000002" // child page of Team Home; holds the image
	releaseID      = "10000000-0000-4000-8000-000000000003" // "Release notes", child page of Team Home
	tableBlockID   = "b1000000-0000-4000-8000-000000000030" // a table in Release notes (a block with children)
	imageBlockID   = "b1000000-0000-4000-8000-000000000026" // a Notion-hosted image in Onboarding
)

// emulatorPlaceholder replaces the emulator's address (a random loopback
// port) in stored file URLs, so that trees of different runs compare.
const emulatorPlaceholder = "http://notion-emulator.invalid"

// comparableTree returns the files of a tree as they compare between syncs of
// the same workspace from different emulators: the emulator's address is
// replaced and, unless keepState, the sync state (crawl times) is left out.
func comparableTree(e *localNotion, tree map[string][]byte, keepState bool) map[string][]byte {
	out := make(map[string][]byte, len(tree))
	for p, b := range tree {
		if p == layout.StatePath && !keepState {
			continue
		}
		if strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".md") {
			b = bytes.ReplaceAll(b, []byte(e.URL), []byte(emulatorPlaceholder))
		}
		out[p] = b
	}
	return out
}

var syncTimes = regexp.MustCompile(`("(?:crawled|last_sync)": )"[^"]*"`)

// compareTrees fails the test for every file missing, extra or different.
func compareTrees(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	var paths []string
	for p := range want {
		paths = append(paths, p)
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		w, inWant := want[p]
		g, inGot := got[p]
		switch {
		case !inWant:
			t.Errorf("%s: unexpected file", p)
		case !inGot:
			t.Errorf("%s: missing", p)
		case !bytes.Equal(w, g):
			t.Errorf("%s differs: %s", p, firstDifference(w, g))
		}
	}
}

// firstDifference describes the first line where two files differ.
func firstDifference(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d: want %q, got %q", i+1, w, g)
		}
	}
	return "same lines, different bytes"
}

// TestSyncGoldenLayout syncs the hand-written fixture and compares every file
// of the commit with testdata/golden/basic. Refresh it with
// `go test ./cmd/notion-git -run Golden -update` and review the diff.
func TestSyncGoldenLayout(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)

	got := comparableTree(e, headTree(t, dir), true)
	// Crawl times are the machine's; the rest of the state is compared.
	got[layout.StatePath] = syncTimes.ReplaceAll(got[layout.StatePath], []byte(`$1"(time of the sync)"`))

	if *update {
		if err := os.RemoveAll(goldenDir); err != nil {
			t.Fatal(err)
		}
		for p, b := range got {
			path := filepath.Join(goldenDir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("wrote %d files to %s", len(got), goldenDir)
		return
	}
	want := map[string][]byte{}
	err := filepath.WalkDir(goldenDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(goldenDir, path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		want[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatalf("read the golden layout (run with -update to make it): %v", err)
	}
	compareTrees(t, want, got)
}

// imageURL is the URL of the image block in the answers the emulator logged
// from index `from` on.
func imageURL(t *testing.T, e *localNotion, from int) string {
	t.Helper()
	for _, entry := range e.Log()[from:] {
		if entry.Path != "/v1/blocks/"+onboardingID+"/children" || entry.Status != http.StatusOK {
			continue
		}
		list, err := layout.Decode(entry.ResponseBody)
		if err != nil {
			t.Fatalf("recorded answer is not a JSON object: %v", err)
		}
		results, _ := list["results"].([]any)
		for _, r := range results {
			if b, _ := r.(map[string]any); b["id"] == imageBlockID {
				u, _ := layout.Lookup(b, "/image/file/url")
				s, _ := u.(string)
				return s
			}
		}
	}
	t.Fatalf("the image block %s was not served", imageBlockID)
	return ""
}

// TestSyncWithoutChangeMakesNoCommit: syncing again, even crawling
// everything again and getting freshly signed file URLs, commits nothing.
func TestSyncWithoutChangeMakesNoCommit(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{RecordBodies: true}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	first := imageURL(t, e, 0)
	tree := git(t, dir, "rev-parse", "HEAD^{tree}")

	mark := len(e.Log())
	r := e.sync(t, dir, exitOK, "--full")
	second := imageURL(t, e, mark)
	if first == second {
		t.Fatalf("the emulator served the same signed URL twice (%s): the test proves nothing", first)
	}
	if strings.SplitN(first, "?", 2)[0] != strings.SplitN(second, "?", 2)[0] {
		t.Fatalf("the file's path changed between reads: %s, %s", first, second)
	}
	if !strings.Contains(r.stdout, "no change in Notion: no commit") {
		t.Errorf("second sync does not say it made no commit:\n%s", r)
	}
	e.sync(t, dir, exitOK) // incremental, with its rolling refresh
	if n := commitCount(t, dir); n != 1 {
		t.Errorf("git rev-list --count HEAD = %d after syncs without change, want 1", n)
	}
	if got := git(t, dir, "rev-parse", "HEAD^{tree}"); got != tree {
		t.Errorf("tree changed from %s to %s", tree, got)
	}
}

// changedFields lists the JSON pointers at which two JSON files differ; an
// array whose length changed counts once, at the array.
func changedFields(t *testing.T, a, b []byte) []string {
	t.Helper()
	av, err := layout.Decode(a)
	if err != nil {
		t.Fatal(err)
	}
	bv, err := layout.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(x, y any, ptr string)
	walk = func(x, y any, ptr string) {
		xm, xok := x.(map[string]any)
		ym, yok := y.(map[string]any)
		if xok && yok {
			keys := map[string]bool{}
			for k := range xm {
				keys[k] = true
			}
			for k := range ym {
				keys[k] = true
			}
			for k := range keys {
				walk(xm[k], ym[k], ptr+"/"+layout.EscapePointer(k))
			}
			return
		}
		xa, xok := x.([]any)
		ya, yok := y.([]any)
		if xok && yok && len(xa) == len(ya) {
			for i := range xa {
				walk(xa[i], ya[i], ptr+"/"+strconv.Itoa(i))
			}
			return
		}
		if !reflect.DeepEqual(x, y) {
			out = append(out, ptr)
		}
	}
	walk(map[string]any(av), map[string]any(bv), "")
	sort.Strings(out)
	return out
}

// changedFiles is `git diff --name-status from to`: path -> A, M or D.
func changedFiles(t *testing.T, dir, from, to string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(git(t, dir, "diff", "--no-renames", "--name-status", from, to)), "\n") {
		status, path, ok := strings.Cut(line, "\t")
		if ok {
			out[path] = status
		}
	}
	return out
}

// fileAt reads a file of a commit.
func fileAt(t *testing.T, dir, rev, path string) []byte {
	t.Helper()
	return []byte(git(t, dir, "show", rev+":"+path))
}

// TestSyncRenameIsOneLineDiff: renaming a page changes its title and what
// Notion changes with it, nothing else. The title is one value, which
// Notion's rich text holds twice (text.content and plain_text); Notion also
// records who edited it and when (last_edited_by, last_edited_time). The
// Markdown derived from the title follows (the page's README.md and the root
// index), and so does the sync state.
func TestSyncRenameIsOneLineDiff(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK)
	if n := commitCount(t, dir); n != 2 {
		t.Fatalf("%d commits after a rename, want 2", n)
	}

	pageJSON := layout.PagePath(releaseID)
	numstat := strings.TrimSpace(git(t, dir, "diff", "--numstat", "HEAD~1", "HEAD", "--", pageJSON))
	if want := "4\t4\t" + pageJSON; numstat != want {
		t.Errorf("git diff --numstat for %s: %q, want %q (title, plain text of the title, last_edited_time, last_edited_by)", pageJSON, numstat, want)
	}
	wantFields := []string{
		"/last_edited_by/id",
		"/last_edited_time",
		"/properties/title/title/0/plain_text",
		"/properties/title/title/0/text/content",
	}
	if got := changedFields(t, fileAt(t, dir, "HEAD~1", pageJSON), fileAt(t, dir, "HEAD", pageJSON)); !slices.Equal(got, wantFields) {
		t.Errorf("fields changed in %s: %v, want %v", pageJSON, got, wantFields)
	}

	changed := changedFiles(t, dir, "HEAD~1", "HEAD")
	for _, p := range []string{pageJSON, layout.PageReadmePath(releaseID), layout.IndexPath, layout.StatePath} {
		if changed[p] != "M" {
			t.Errorf("%s: %q in the diff, want it modified", p, changed[p])
		}
	}
	childBlock := layout.BlockPath(homeID, releaseID)
	for p := range changed {
		switch p {
		case pageJSON, layout.PageReadmePath(releaseID), layout.IndexPath, layout.StatePath:
		case childBlock:
			// The parent's child_page block shows the title, when the parent
			// was crawled (the rolling refresh may pick it).
			got := changedFields(t, fileAt(t, dir, "HEAD~1", p), fileAt(t, dir, "HEAD", p))
			for _, f := range got {
				if f != "/child_page/title" && f != "/last_edited_time" && f != "/last_edited_by/id" {
					t.Errorf("%s: field %s changed by a rename", p, f)
				}
			}
		case layout.PageReadmePath(homeID):
		default:
			t.Errorf("%s changed by a rename", p)
		}
	}
	if md := string(headFile(t, dir, layout.PageReadmePath(releaseID))); !strings.Contains(md, "Changelog") {
		t.Errorf("the page's README.md does not show the new title:\n%s", md)
	}
	if md := string(headFile(t, dir, layout.IndexPath)); !strings.Contains(md, "[Changelog](pages/"+releaseID+"/README.md)") {
		t.Errorf("the index does not show the new title:\n%s", md)
	}
}

// TestSyncMoveChangesOnlyParentAndChildFields: moving a page changes its
// parent, the child lists of its old and new parents (and the child_page
// block that stands for it), last_edited_* and the derived Markdown; no
// page's content moves, since paths are ids.
func TestSyncMoveChangesOnlyParentAndChildFields(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	if err := e.MovePage(releaseID, onboardingID); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK)
	if n := commitCount(t, dir); n != 2 {
		t.Fatalf("%d commits after a move, want 2", n)
	}

	moved := layout.PagePath(releaseID)
	want := []string{"/last_edited_by/id", "/last_edited_time", "/parent/page_id"}
	if got := changedFields(t, fileAt(t, dir, "HEAD~1", moved), fileAt(t, dir, "HEAD", moved)); !slices.Equal(got, want) {
		t.Errorf("fields changed in %s: %v, want %v", moved, got, want)
	}

	changed := changedFiles(t, dir, "HEAD~1", "HEAD")
	oldBlock, newBlock := layout.BlockPath(homeID, releaseID), layout.BlockPath(onboardingID, releaseID)
	for path, status := range map[string]string{
		moved:                               "M",
		layout.PagePath(homeID):             "M", // child list
		oldBlock:                            "D", // its child_page block
		layout.PagePath(onboardingID):       "M",
		newBlock:                            "A",
		layout.PageReadmePath(homeID):       "M",
		layout.PageReadmePath(onboardingID): "M",
		layout.IndexPath:                    "M",
		layout.StatePath:                    "M",
	} {
		if changed[path] != status {
			t.Errorf("%s: %q in the diff, want %q", path, changed[path], status)
		}
	}
	for path := range changed {
		switch path {
		case moved, oldBlock, newBlock, layout.IndexPath, layout.StatePath,
			layout.PageReadmePath(homeID), layout.PageReadmePath(onboardingID), layout.PageReadmePath(releaseID):
		case layout.PagePath(homeID), layout.PagePath(onboardingID):
			got := changedFields(t, fileAt(t, dir, "HEAD~1", path), fileAt(t, dir, "HEAD", path))
			if !slices.Equal(got, []string{"/notion_git/children"}) {
				t.Errorf("fields changed in %s: %v, want only its child list", path, got)
			}
		default:
			t.Errorf("%s changed by a move", path)
		}
	}
	if changed[newBlock] == "A" {
		var ids []string
		page, _ := layout.Decode(headFile(t, dir, layout.PagePath(onboardingID)))
		children, _ := layout.Lookup(page, "/notion_git/children")
		for _, c := range children.([]any) {
			ids = append(ids, c.(string))
		}
		if len(ids) == 0 || ids[len(ids)-1] != releaseID {
			t.Errorf("new parent's children %v do not end with the moved page", ids)
		}
	}
}

// interrupter cancels a run's context when the emulator receives the nth
// request of that run, as Ctrl-C would in the middle of a sync.
type interrupter struct {
	mu     sync.Mutex
	seen   int
	after  int
	cancel context.CancelFunc
}

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

// arm returns a context cancelled at the nth request from now.
func (i *interrupter) arm(t *testing.T, n int) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	i.mu.Lock()
	i.seen, i.after, i.cancel = 0, n, cancel
	i.mu.Unlock()
	return ctx
}

// TestSyncInterrupted: a sync stopped midway exits 130 and leaves the branch
// on the previous commit, with a repository git finds sound; the next sync
// completes.
func TestSyncInterrupted(t *testing.T) {
	t.Parallel()
	stop := &interrupter{}
	e := startEmulator(t, basicFixture(t), emulator.Options{}, stop.wrap)

	t.Run("first sync", func(t *testing.T) {
		dir := newRepoDir(t)
		r := runArgs(stop.arm(t, 10), e.syncArgs(dir)...)
		if r.code != exitCancel {
			t.Fatalf("want exit %d, got %s", exitCancel, r)
		}
		if n := commitCount(t, dir); n != 0 {
			t.Errorf("%d commits after an interrupted first sync, want none", n)
		}
	})

	dir := newRepoDir(t)
	mark := len(e.Log())
	e.sync(t, dir, exitOK)
	total := len(e.Log()) - mark // requests of a full crawl, as with --full
	head := git(t, dir, "rev-parse", "HEAD")
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 3, total / 4, total / 2, total - 4, total - 2} {
		r := runArgs(stop.arm(t, n), e.syncArgs(dir, "--full")...)
		if r.code != exitCancel {
			t.Errorf("cancelled at request %d of %d: want exit %d, got %s", n, total, exitCancel, r)
		}
		if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "interrupted") {
			t.Errorf("cancelled at request %d: stderr is not one line saying so:\n%s", n, r.stderr)
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

// refuser answers 404 for the children of one block while armed, as for a
// block deleted while the page is read.
type refuser struct {
	mu    sync.Mutex
	block string
}

func (f *refuser) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		block := f.block
		f.mu.Unlock()
		if block != "" && r.URL.Path == "/v1/blocks/"+block+"/children" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"object":"error","status":404,"code":"object_not_found","message":"Could not find block with ID: %s."}`, block)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (f *refuser) arm(block string) {
	f.mu.Lock()
	f.block = block
	f.mu.Unlock()
}

// TestSyncUnreadablePageExitsPartial: a sync in which a page cannot be read
// exits 3 with one line naming the page and why, and commits the rest with
// the page's previous version, saying so in the message and a trailer; the
// next sync, once the page reads again, exits 0 and commits it. (What the
// exporter keeps and reports is tested in exporter/unreadable_test.go.)
func TestSyncUnreadablePageExitsPartial(t *testing.T) {
	t.Parallel()
	refuse := &refuser{}
	e := startEmulator(t, basicFixture(t), emulator.Options{}, refuse.wrap)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	before := headFile(t, dir, layout.PagePath(releaseID))
	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	refuse.arm(tableBlockID)

	r := e.sync(t, dir, exitPartial)
	want := "could not read page " + releaseID + ": 404 object_not_found: Could not find block with ID: " + tableBlockID
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if strings.HasPrefix(l, "could not read") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.HasPrefix(lines[0], want) {
		t.Errorf("stderr does not name the page and why in one line (want %q):\n%s", want, r.stderr)
	}
	if n := commitCount(t, dir); n != 2 {
		t.Fatalf("%d commits after a partial sync, want 2 (the readable changes)", n)
	}
	if got := headFile(t, dir, layout.PagePath(releaseID)); !bytes.Equal(got, before) {
		t.Error("the commit does not hold the unreadable page's previous version")
	}
	if msg := git(t, dir, "log", "-1", "--format=%B"); !strings.Contains(msg, "Could not read page "+releaseID+" (kept its previous version): 404 object_not_found") {
		t.Errorf("the commit message does not name the unreadable page:\n%s", msg)
	}
	if v := trailers(t, dir)["Notion-Git-Unreadable"]; v != "1" {
		t.Errorf("Notion-Git-Unreadable: %q, want 1", v)
	}

	refuse.arm("")
	e.sync(t, dir, exitOK)
	if md := string(headFile(t, dir, layout.PagePath(releaseID))); !strings.Contains(md, "Changelog") {
		t.Error("the page was not committed once it could be read again")
	}
}

// TestSyncRemovedPageCommitSaysWhy: a page that Notion says is gone leaves
// the commit, whose message names it and why and whose trailer counts it.
// (How the exporter confirms a removal is tested in exporter/removed_test.go.)
func TestSyncRemovedPageCommitSaysWhy(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	if err := e.DeleteObject(releaseID); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK)
	for _, p := range headFiles(t, dir) {
		if strings.HasPrefix(p, layout.PageDir(releaseID)+"/") {
			t.Errorf("%s is still in the snapshot", p)
		}
	}
	msg := git(t, dir, "log", "-1", "--format=%B")
	if !strings.Contains(msg, "Removed "+releaseID+` "Release notes": deleted or no longer shared.`) {
		t.Errorf("the commit message does not say what was removed and why:\n%s", msg)
	}
	if v := trailers(t, dir)["Notion-Git-Pages-Removed"]; v != "1" {
		t.Errorf("Notion-Git-Pages-Removed: %q, want 1", v)
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
	git(t, dir, "show", "HEAD:README.md")
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
		if strings.HasPrefix(p, "pages/") {
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

// trailers reads the trailers of the last commit.
func trailers(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(git(t, dir, "log", "-1", "--format=%(trailers:only,unfold)")), "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if ok {
			out[k] = v
		}
	}
	return out
}

// TestSyncCommitTrailers: the commit message ends with Notion-Git-* trailers
// that git itself parses, for scripts reading the history.
func TestSyncCommitTrailers(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	got := trailers(t, dir)
	apiRequests := 0
	for _, entry := range e.Log() {
		if strings.HasPrefix(entry.Path, "/v1/") {
			apiRequests++
		}
	}
	for k, want := range map[string]string{
		"Notion-Git-Pages":                  "6",
		"Notion-Git-Pages-Added":            "6",
		"Notion-Git-Pages-Changed":          "0",
		"Notion-Git-Pages-Removed":          "0",
		"Notion-Git-Attachments-Downloaded": "1",
		"Notion-Git-Requests":               strconv.Itoa(apiRequests),
		"Notion-Git-Unreadable":             "0",
		"Notion-Git-Mode":                   "full", // a first sync crawls everything
	} {
		if got[k] != want {
			t.Errorf("trailer %s: %q, want %q", k, got[k], want)
		}
	}
	if _, err := time.ParseDuration(got["Notion-Git-Duration"]); err != nil {
		t.Errorf("trailer Notion-Git-Duration: %q: %v", got["Notion-Git-Duration"], err)
	}

	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK, "--full")
	got = trailers(t, dir)
	// Changed: the renamed page, and its parent, whose child_page block
	// shows the title.
	if got["Notion-Git-Pages-Changed"] != "2" || got["Notion-Git-Pages-Added"] != "0" || got["Notion-Git-Mode"] != "full" {
		t.Errorf("trailers of the second sync: %v", got)
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
	if _, err := os.Stat(filepath.Join(dir, "pages")); !os.IsNotExist(err) {
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
