package main

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"
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
	for _, p := range []string{pageJSON, layout.PageReadmePath(releaseID), layout.IndexPath, layout.StateShardPath(layout.StateShard(releaseID))} {
		if changed[p] != "M" {
			t.Errorf("%s: %q in the diff, want it modified", p, changed[p])
		}
	}
	onlyChangedState(t, changed)
	childBlock := layout.BlockPath(homeID, releaseID)
	for p := range changed {
		if isStateFile(p) {
			continue
		}
		switch p {
		case pageJSON, layout.PageReadmePath(releaseID), layout.IndexPath:
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
	if md := string(headFile(t, dir, layout.IndexPath)); !strings.Contains(md, "[Changelog]("+layout.PageReadmePath(releaseID)+")") {
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
		layout.StateShardPath(layout.StateShard(releaseID)): "M",
	} {
		if changed[path] != status {
			t.Errorf("%s: %q in the diff, want %q", path, changed[path], status)
		}
	}
	onlyChangedState(t, changed)
	for path := range changed {
		if isStateFile(path) {
			continue
		}
		switch path {
		case moved, oldBlock, newBlock, layout.IndexPath,
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

// isStateFile reports whether a path is a file of the sync state.
func isStateFile(p string) bool {
	info, _ := layout.ParsePath(p)
	return info.Kind == layout.PathState || info.Kind == layout.PathStateShard
}

// onlyChangedState checks that a commit rewrote only the state shards of
// pages whose files it changed (and the state's small header): the state
// of unchanged objects stays as it was.
func onlyChangedState(t *testing.T, changed map[string]string) {
	t.Helper()
	touched := map[string]bool{}
	for p := range changed {
		if info, _ := layout.ParsePath(p); info.PageID != "" {
			touched[layout.StateShardPath(layout.StateShard(info.PageID))] = true
		}
	}
	for p := range changed {
		if info, _ := layout.ParsePath(p); info.Kind == layout.PathStateShard && !touched[p] {
			t.Errorf("%s rewritten, but no page of that shard changed", p)
		}
	}
}
