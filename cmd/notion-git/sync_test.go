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
	"github.com/notion-git/notion-git/notion/emulator/workspace"
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
	unknownBlockID = "b1000000-0000-4000-8000-000000000017" // an ai_summary block: a type the API does not document
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

// responseObjects returns the Notion objects in one recorded answer: the
// results of a list, or the object itself, without the answer's request_id
// (it names the request, not the object).
func responseObjects(t *testing.T, body []byte) []layout.Object {
	t.Helper()
	top, err := layout.Decode(body)
	if err != nil {
		t.Fatalf("recorded answer is not a JSON object: %v", err)
	}
	if top["object"] != "list" {
		delete(top, "request_id")
		return []layout.Object{top}
	}
	results, _ := top["results"].([]any)
	out := make([]layout.Object, 0, len(results))
	for _, r := range results {
		obj, ok := r.(map[string]any)
		if !ok {
			t.Fatalf("a list result is not an object: %v", r)
		}
		out = append(out, obj)
	}
	return out
}

// storedLayout indexes a synced tree by object id.
type storedLayout struct {
	tree     map[string][]byte
	blocks   map[string]string // block id -> path
	comments map[string]string // comment id -> path
}

func indexLayout(tree map[string][]byte) *storedLayout {
	l := &storedLayout{tree: tree, blocks: map[string]string{}, comments: map[string]string{}}
	for p := range tree {
		parts := strings.Split(p, "/")
		if len(parts) == 4 && parts[0] == "pages" {
			id := strings.TrimSuffix(parts[3], ".json")
			switch parts[2] {
			case "blocks":
				l.blocks[id] = p
			case "comments":
				l.comments[id] = p
			}
		}
	}
	return l
}

// object reads the stored file at path.
func (l *storedLayout) object(t *testing.T, path string) (layout.Object, bool) {
	t.Helper()
	b, ok := l.tree[path]
	if !ok {
		return nil, false
	}
	obj, err := layout.Decode(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return obj, true
}

// pathOf is the file that must hold an object the API sent.
func (l *storedLayout) pathOf(endpoint string, obj layout.Object) string {
	id, _ := obj["id"].(string)
	switch obj["object"] {
	case "page":
		return layout.PagePath(id)
	case "block":
		return l.blocks[id]
	case "database":
		return layout.DatabasePath(id)
	case "data_source":
		return layout.DataSourcePath(id)
	case "comment":
		return l.comments[id]
	case "user":
		if endpoint == "GET /v1/users/me" {
			return layout.MetaPath
		}
		return layout.UserPath(id)
	}
	return ""
}

// missingIn returns the JSON pointer of the first member of api (an answer
// of the API) that stored does not hold with the same value, or "". The
// documented exceptions are the signature (URL query) and expiry_time of
// Notion-hosted files.
func missingIn(api, stored any, ptr string, hostedFile bool) string {
	switch a := api.(type) {
	case map[string]any:
		s, ok := stored.(map[string]any)
		if !ok {
			return ptr
		}
		for k, av := range a {
			kp := ptr + "/" + layout.EscapePointer(k)
			if hostedFile && k == "expiry_time" {
				continue
			}
			sv, ok := s[k]
			if !ok {
				return kp
			}
			if hostedFile && k == "url" {
				au, _ := av.(string)
				if su, _ := sv.(string); su != strings.SplitN(au, "?", 2)[0] {
					return kp
				}
				continue
			}
			_, isCategory := a["category"]
			hosted := k == "file" && (a["type"] == "file" || isCategory)
			if p := missingIn(av, sv, kp, hosted); p != "" {
				return p
			}
		}
		return ""
	case []any:
		s, ok := stored.([]any)
		if !ok || len(s) != len(a) {
			return ptr
		}
		for i := range a {
			if p := missingIn(a[i], s[i], ptr+"/"+strconv.Itoa(i), false); p != "" {
				return p
			}
		}
		return ""
	default:
		if !reflect.DeepEqual(api, stored) {
			return ptr
		}
		return ""
	}
}

// completedProperties checks the documented exception for page objects:
// a value cut at 25 references is replaced by the whole list, of which the
// API's list must be the start. It returns a copy of the page without those
// values, for the general comparison.
func completedProperties(t *testing.T, where string, api, stored layout.Object) layout.Object {
	t.Helper()
	ng, _ := stored[layout.ReservedKey].(map[string]any)
	if ng["property_items_complete"] != true {
		return api
	}
	page := layout.Object{}
	for k, v := range api {
		page[k] = v
	}
	apiProps, _ := api["properties"].(map[string]any)
	storedProps, _ := stored["properties"].(map[string]any)
	props := map[string]any{}
	for name, v := range apiProps {
		p, _ := v.(map[string]any)
		typ, _ := p["type"].(string)
		list, isList := p[typ].([]any)
		if !isList || (p["has_more"] != true && len(list) < 25) {
			props[name] = v
			continue
		}
		sp, _ := storedProps[name].(map[string]any)
		full, _ := sp[typ].([]any)
		if len(full) < len(list) {
			t.Errorf("%s: property %q holds %d values, fewer than the %d the page object gave", where, name, len(full), len(list))
			continue
		}
		for i := range list {
			if ptr := missingIn(list[i], full[i], fmt.Sprintf("/properties/%s/%s/%d", name, typ, i), false); ptr != "" {
				t.Errorf("%s: completed property %q does not start with the page object's values: %s", where, name, ptr)
			}
		}
		rest := map[string]any{}
		for k, pv := range p {
			if k != typ && k != "has_more" {
				rest[k] = pv
			}
		}
		props[name] = rest
	}
	page["properties"] = props
	return page
}

// checkLossless fails the test for every field of every object the emulator
// sent during the sync that the synced tree does not hold. It returns how
// many objects of each kind were checked.
func checkLossless(t *testing.T, e *localNotion, tree map[string][]byte) map[string]int {
	t.Helper()
	l := indexLayout(tree)
	counts := map[string]int{}
	for _, entry := range e.Log() {
		if !strings.HasPrefix(entry.Path, "/v1/") || entry.Status != http.StatusOK {
			continue
		}
		if entry.ResponseBody == nil {
			t.Fatal("the emulator kept no answer bodies (Options.RecordBodies)")
		}
		for _, obj := range responseObjects(t, entry.ResponseBody) {
			kind, _ := obj["object"].(string)
			where := fmt.Sprintf("%s %s: %s %v", entry.Method, entry.Path, kind, obj["id"])
			if kind == "property_item" {
				checkPropertyItem(t, l, entry.Path, obj, where)
				counts[kind]++
				continue
			}
			path := l.pathOf(entry.Endpoint, obj)
			if path == "" {
				t.Errorf("%s: no file for this kind of object", where)
				continue
			}
			stored, ok := l.object(t, path)
			if !ok {
				t.Errorf("%s: not in the layout (%s missing)", where, path)
				continue
			}
			if path == layout.MetaPath {
				stored, _ = stored["bot"].(map[string]any)
			}
			if kind == "page" {
				obj = completedProperties(t, where, obj, stored)
			}
			if ptr := missingIn(map[string]any(obj), map[string]any(stored), "", false); ptr != "" {
				av, _ := layout.Lookup(obj, ptr)
				sv, _ := layout.Lookup(stored, ptr)
				t.Errorf("%s: field %s lost in %s: the API sent %v, the file holds %v", where, ptr, path, av, sv)
			}
			counts[kind]++
		}
	}
	return counts
}

// checkPropertyItem finds one property item (a reference beyond the 25 a page
// object carries) in its page's stored property.
func checkPropertyItem(t *testing.T, l *storedLayout, path string, item layout.Object, where string) {
	t.Helper()
	// /v1/pages/{id}/properties/{property_id}
	parts := strings.Split(path, "/")
	if len(parts) != 6 {
		t.Errorf("%s: unexpected path", where)
		return
	}
	pageID := parts[3]
	page, ok := l.object(t, layout.PagePath(pageID))
	if !ok {
		t.Errorf("%s: page %s not in the layout", where, pageID)
		return
	}
	typ, _ := item["type"].(string)
	props, _ := page["properties"].(map[string]any)
	for name, v := range props {
		p, _ := v.(map[string]any)
		if p["id"] != item["id"] {
			continue
		}
		values, _ := p[typ].([]any)
		for _, stored := range values {
			if missingIn(item[typ], stored, "", false) == "" {
				return
			}
		}
		t.Errorf("%s: value %v not in the stored property %q", where, item[typ], name)
		return
	}
	t.Errorf("%s: page %s has no property with id %v", where, pageID, item["id"])
}

// TestSyncIsLossless walks every answer the emulator sent during a sync and
// finds every field of every object in it in the layout, but for the
// documented exceptions: request_id, a Notion-hosted file's expiry_time and
// URL signature, and property values completed beyond 25 references.
func TestSyncIsLossless(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		fixture func(testing.TB) *emulator.Fixture
	}{
		{"basic fixture", basicFixture},
		// The demo workspace: every block and property type, a people
		// property with more than 25 members, attachments, comments.
		{"sample workspace", func(testing.TB) *emulator.Fixture { return workspace.Sample() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, tc.fixture(t), emulator.Options{RecordBodies: true}, nil)
			dir := newRepoDir(t)
			e.sync(t, dir, exitOK, "--comments", "all", "--user-emails")
			counts := checkLossless(t, e, headTree(t, dir))
			for _, kind := range []string{"page", "block", "database", "data_source", "comment", "user"} {
				if counts[kind] == 0 {
					t.Errorf("no %s object in the answers: nothing of that kind was checked", kind)
				}
			}
			if tc.name == "sample workspace" && counts["property_item"] == 0 {
				t.Error("no property item in the answers: the completion beyond 25 references was not checked")
			}
			t.Logf("checked %v", counts)
		})
	}
}

// personEmails lists the email addresses of people (user objects) in a
// tree. An "email" property's value is the user's content and is not one.
func personEmails(t *testing.T, tree map[string][]byte) map[string][]string {
	t.Helper()
	found := map[string][]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if person, ok := v["person"].(map[string]any); ok && v["object"] == "user" {
				if email, ok := person["email"].(string); ok {
					found[path] = append(found[path], email)
				}
			}
			for _, x := range v {
				walk(path, x)
			}
		case []any:
			for _, x := range v {
				walk(path, x)
			}
		}
	}
	for p, b := range tree {
		if strings.HasSuffix(p, ".json") && p != layout.StatePath {
			obj, err := layout.Decode(b)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			walk(p, map[string]any(obj))
		}
	}
	return found
}

// TestSyncRemovesEmailsUnlessAsked checks the one documented loss: people's
// email addresses are not stored unless --user-emails, since backup
// repositories get shared more widely than workspaces.
func TestSyncRemovesEmailsUnlessAsked(t *testing.T) {
	t.Parallel()
	t.Run("users", func(t *testing.T) {
		t.Parallel()
		e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
		dir := newRepoDir(t)
		e.sync(t, dir, exitOK)
		tree := headTree(t, dir)
		people := 0
		for p, b := range tree {
			if !strings.HasPrefix(p, "users/") {
				continue
			}
			u, err := layout.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := u["person"].(map[string]any); ok {
				people++
			}
		}
		if people != 2 {
			t.Errorf("%d people stored, want the fixture's 2", people)
		}
		for p, emails := range personEmails(t, tree) {
			t.Errorf("%s keeps email addresses without --user-emails: %v", p, emails)
		}

		dir = newRepoDir(t)
		e.sync(t, dir, exitOK, "--user-emails")
		if got := personEmails(t, headTree(t, dir)); len(got) != 2 {
			t.Errorf("with --user-emails, email addresses in %v, want in the 2 people's files", got)
		}
	})
	t.Run("people in page properties", func(t *testing.T) {
		t.Parallel()
		e := startEmulator(t, workspace.Sample(), emulator.Options{}, nil)
		dir := newRepoDir(t)
		e.sync(t, dir, exitOK)
		for p, emails := range personEmails(t, headTree(t, dir)) {
			t.Errorf("%s keeps email addresses without --user-emails: %v", p, emails)
		}
	})
}

// TestSyncKeepsUnknownBlockTypeByteForByte: a block type the API does not
// document (ai_summary) is stored exactly as the API sent it. (The sample
// workspace's unknown blocks are checked field by field by
// TestSyncIsLossless.)
func TestSyncKeepsUnknownBlockTypeByteForByte(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{RecordBodies: true}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	l := indexLayout(headTree(t, dir))
	found := 0
	for _, entry := range e.Log() {
		if entry.Endpoint != "GET /v1/blocks/{id}/children" || entry.Status != http.StatusOK {
			continue
		}
		for _, b := range responseObjects(t, entry.ResponseBody) {
			if b["type"] != workspace.UnknownBlockType {
				continue
			}
			found++
			id, _ := b["id"].(string)
			stored, ok := l.object(t, l.blocks[id])
			if !ok {
				t.Errorf("block %s (%s) is not in the layout", id, workspace.UnknownBlockType)
				continue
			}
			want, err := layout.Canonical(b[workspace.UnknownBlockType])
			if err != nil {
				t.Fatal(err)
			}
			got, err := layout.Canonical(stored[workspace.UnknownBlockType])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want, got) {
				t.Errorf("block %s: the %s payload changed:\nAPI:\n%s\nstored:\n%s", id, workspace.UnknownBlockType, want, got)
			}
			delete(stored, layout.ReservedKey)
			wantAll, _ := layout.Canonical(b)
			gotAll, _ := layout.Canonical(stored)
			if !bytes.Equal(wantAll, gotAll) {
				t.Errorf("block %s: the stored object is not the API's:\nAPI:\n%s\nstored:\n%s", id, wantAll, gotAll)
			}
		}
	}
	if found == 0 || l.blocks[unknownBlockID] == "" {
		t.Fatalf("the fixture's %s block %s was not served and stored: nothing was checked", workspace.UnknownBlockType, unknownBlockID)
	}
}

// imageURL is the URL of the image block in the answers the emulator logged
// from index `from` on.
func imageURL(t *testing.T, e *localNotion, from int) string {
	t.Helper()
	for _, entry := range e.Log()[from:] {
		if entry.Path != "/v1/blocks/"+onboardingID+"/children" || entry.Status != http.StatusOK {
			continue
		}
		for _, b := range responseObjects(t, entry.ResponseBody) {
			if b["id"] == imageBlockID {
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

// runningClock runs from fixtureTime at the speed of real time: the emulator's
// rate limiter needs time to pass.
func runningClock() func() time.Time {
	start := time.Now()
	return func() time.Time { return fixtureTime.Add(time.Since(start)) }
}

// TestSyncUnderRateLimitAndFaults: a sync through a storm of 429s and 5% of
// 5xx answers stores exactly what a sync in calm weather stores.
func TestSyncUnderRateLimitAndFaults(t *testing.T) {
	t.Parallel()
	calm := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	calmDir := newRepoDir(t)
	calm.sync(t, calmDir, exitOK)

	// The client paces at 1,000 requests/s; the emulator allows 50 with a
	// burst of 3, so that the client overruns it however fast the machine,
	// and fails 5% of requests with a server error (seed 3 puts three faults
	// among the first ten requests). Every 429 holds all requests for its
	// Retry-After, a whole second at least, which bounds how stormy a quick
	// test can be.
	storm := startEmulator(t, basicFixture(t), emulator.Options{
		Clock: runningClock(),
		Rate:  50, Burst: 3,
		Faults: emulator.Faults{
			Seed: 3, Probability: 0.05,
			Kinds: []emulator.FaultKind{emulator.Fault500, emulator.Fault502, emulator.Fault503, emulator.Fault504},
		},
	}, nil)
	stormDir := newRepoDir(t)
	r := storm.sync(t, stormDir, exitOK)

	limited, faults := 0, 0
	for k, n := range storm.Counts() {
		switch {
		case k.Status == http.StatusTooManyRequests:
			limited += n
		case k.Status >= 500:
			faults += n
		}
	}
	if limited < 10 || faults == 0 {
		t.Fatalf("weather too calm to prove anything: %d answers 429, %d 5xx", limited, faults)
	}
	t.Logf("%d answers 429, %d 5xx; %s", limited, faults, strings.TrimSpace(r.stdout))
	compareTrees(t, comparableTree(calm, headTree(t, calmDir), false), comparableTree(storm, headTree(t, stormDir), false))
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

// pageFiles returns the files of one page's folder in a tree.
func pageFiles(tree map[string][]byte, id string) map[string][]byte {
	out := map[string][]byte{}
	for p, b := range tree {
		if strings.HasPrefix(p, layout.PageDir(id)+"/") {
			out[p] = b
		}
	}
	return out
}

// afterListing runs action once, right after the emulator answered the
// listing (POST /v1/search) while armed: the window between the listing and
// the crawl.
type afterListing struct {
	mu     sync.Mutex
	action func()
}

func (a *afterListing) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if r.URL.Path == "/v1/search" {
			a.mu.Lock()
			act := a.action
			a.action = nil
			a.mu.Unlock()
			if act != nil {
				act()
			}
		}
	})
}

func (a *afterListing) arm(action func()) {
	a.mu.Lock()
	a.action = action
	a.mu.Unlock()
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

// TestSyncUnreadablePageKeepsPreviousVersion: a page that cannot be read
// during the crawl (it vanished after the listing, or a block of it fails)
// keeps its previous version and the sync exits 3 naming it; once Notion
// answers cleanly that the page is gone, the next sync removes it.
func TestSyncUnreadablePageKeepsPreviousVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// breakIt makes the renamed Release notes page unreadable during
		// the next sync; it returns what the sync after that should find.
		breakIt func(e *localNotion, listing *afterListing, refuse *refuser) (removed bool)
	}{
		{"page deleted after the listing", func(e *localNotion, listing *afterListing, _ *refuser) bool {
			listing.arm(func() { e.DeleteObject(releaseID) })
			return true
		}},
		{"workspace unshared after the listing", func(e *localNotion, listing *afterListing, _ *refuser) bool {
			listing.arm(func() { e.Unshare(homeID) })
			return false
		}},
		{"a block of the page fails", func(_ *localNotion, _ *afterListing, refuse *refuser) bool {
			refuse.block = tableBlockID
			return false
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			listing, refuse := &afterListing{}, &refuser{}
			e := startEmulator(t, basicFixture(t), emulator.Options{}, func(h http.Handler) http.Handler {
				return listing.wrap(refuse.wrap(h))
			})
			dir := newRepoDir(t)
			e.sync(t, dir, exitOK)
			before := headTree(t, dir)
			if err := e.SetTitle(releaseID, "Changelog"); err != nil {
				t.Fatal(err)
			}
			refuse.mu.Lock()
			removed := tc.breakIt(e, listing, refuse)
			refuse.mu.Unlock()

			r := e.sync(t, dir, exitPartial)
			if !strings.Contains(r.stderr, "could not read page "+releaseID) {
				t.Errorf("stderr does not name the page:\n%s", r.stderr)
			}
			after := headTree(t, dir)
			if len(pageFiles(before, releaseID)) == 0 {
				t.Fatal("the page was not in the first sync")
			}
			compareTrees(t, pageFiles(before, releaseID), pageFiles(after, releaseID))

			// The next sync, in calm weather.
			refuse.mu.Lock()
			refuse.block = ""
			refuse.mu.Unlock()
			if tc.name == "workspace unshared after the listing" {
				e.Share(homeID)
			}
			e.sync(t, dir, exitOK)
			final := headTree(t, dir)
			switch {
			case removed && len(pageFiles(final, releaseID)) != 0:
				t.Errorf("the deleted page is still in the snapshot")
			case !removed && !bytes.Contains(final[layout.PagePath(releaseID)], []byte("Changelog")):
				t.Errorf("the page was not synced once it could be read again")
			}
		})
	}
}

// TestSyncRemovesDeletedOrUnsharedPage: a page that Notion says is gone (404
// on a GET, deleted or no longer shared) leaves the snapshot, and the commit
// says why.
func TestSyncRemovesDeletedOrUnsharedPage(t *testing.T) {
	t.Parallel()
	const scratchID = "30000000-0000-4000-8000-000000000001"
	for _, tc := range []struct {
		name   string
		id     string
		remove func(e *localNotion) error
	}{
		{"deleted", releaseID, func(e *localNotion) error { return e.DeleteObject(releaseID) }},
		{"unshared", scratchID, func(e *localNotion) error { e.Unshare(scratchID); return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
			// A second top-level page, shared on its own.
			_, err := e.AddPage(map[string]any{
				"id":     scratchID,
				"parent": map[string]any{"type": "workspace", "workspace": true},
				"properties": map[string]any{"title": map[string]any{"id": "title", "type": "title", "title": []any{
					map[string]any{"type": "text", "text": map[string]any{"content": "Scratchpad", "link": nil}, "plain_text": "Scratchpad", "href": nil,
						"annotations": map[string]any{"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"}},
				}}},
			})
			if err != nil {
				t.Fatal(err)
			}
			e.Share(scratchID)
			dir := newRepoDir(t)
			e.sync(t, dir, exitOK)
			if !slices.Contains(headFiles(t, dir), layout.PagePath(tc.id)) {
				t.Fatalf("%s is not in the first sync", tc.id)
			}
			if err := tc.remove(e); err != nil {
				t.Fatal(err)
			}
			e.sync(t, dir, exitOK)
			for _, p := range headFiles(t, dir) {
				if strings.HasPrefix(p, layout.PageDir(tc.id)+"/") {
					t.Errorf("%s is still in the snapshot", p)
				}
			}
			msg := git(t, dir, "log", "-1", "--format=%B")
			if !strings.Contains(msg, "Removed "+tc.id) || !strings.Contains(msg, "deleted or no longer shared") {
				t.Errorf("the commit message does not say what was removed and why:\n%s", msg)
			}
			if v := trailers(t, dir)["Notion-Git-Pages-Removed"]; v != "1" {
				t.Errorf("Notion-Git-Pages-Removed: %q, want 1", v)
			}
		})
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
