package review

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
)

// Ids of the test workspace.
const (
	homeID     = "10000000-0000-4000-8000-000000000001" // "Home", at the top
	guideID    = "10000000-0000-4000-8000-000000000002" // "Guide", under Home
	notesID    = "10000000-0000-4000-8000-000000000003" // "Notes", under Home
	databaseID = "d0000000-0000-4000-8000-000000000001" // "Tasks", under Home
	sourceID   = "d5000000-0000-4000-8000-000000000001" // "Tasks", its data source
	rowID      = "20000000-0000-4000-8000-000000000001" // "Write tests", a row
	personID   = "a0000000-0000-4000-8000-000000000001"
)

// block returns the id of block n of a page, made of the page's id.
func block(page string, n int) string {
	return "b" + page[:1] + page[2:33] + page[35:] + string(rune('0'+n/10)) + string(rune('0'+n%10))
}

// rich is a rich text array of one plain text item.
func rich(s string) []any {
	return []any{map[string]any{
		"type": "text", "text": map[string]any{"content": s, "link": nil},
		"annotations": map[string]any{"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"},
		"plain_text":  s, "href": nil,
	}}
}

// workspace is a small Notion workspace that tests edit between commits.
type workspace struct{ snap *layout.Snapshot }

// newWorkspace is Home with Guide and Notes under it, and a database of
// tasks with one row.
func newWorkspace() *workspace {
	w := &workspace{snap: layout.NewSnapshot(layout.Meta{FormatVersion: layout.FormatVersion, APIVersion: "2025-09-03", WorkspaceName: "Review test"})}
	w.page(homeID, map[string]any{"type": "workspace", "workspace": true}, "Home", "Welcome home.")
	w.page(guideID, pageParent(homeID), "Guide", "Read this first.", "Then this.", "And this.")
	w.page(notesID, pageParent(homeID), "Notes", "Nothing yet.")
	w.snap.Databases[databaseID] = &layout.Database{ID: databaseID, Object: layout.Object{
		"object": "database", "id": databaseID, "title": rich("Tasks"), "parent": pageParent(homeID),
		"data_sources":     []any{map[string]any{"id": sourceID, "name": "Tasks"}},
		"last_edited_time": "2026-07-04T09:08:00.000Z",
	}}
	w.snap.DataSources[sourceID] = &layout.DataSource{ID: sourceID, Object: layout.Object{
		"object": "data_source", "id": sourceID, "title": rich("Tasks"),
		"parent":           map[string]any{"type": "database_id", "database_id": databaseID},
		"last_edited_time": "2026-07-04T09:08:00.000Z",
		"properties": map[string]any{
			"Name":     map[string]any{"id": "title", "name": "Name", "type": "title", "title": map[string]any{}},
			"Estimate": map[string]any{"id": "est", "name": "Estimate", "type": "number", "number": map[string]any{}},
			"Due":      map[string]any{"id": "due", "name": "Due", "type": "date", "date": map[string]any{}},
		},
	}}
	w.page(rowID, map[string]any{"type": "data_source_id", "data_source_id": sourceID}, "Write tests", "Soon.")
	w.snap.Users[personID] = layout.Object{"object": "user", "id": personID, "name": "Ann"}
	return w
}

func pageParent(id string) map[string]any { return map[string]any{"type": "page_id", "page_id": id} }

// page puts a page with one paragraph block per line.
func (w *workspace) page(id string, parent map[string]any, title string, lines ...string) {
	p := &layout.Page{ID: id, Blocks: map[string]*layout.Block{}, Object: layout.Object{
		"object": "page", "id": id, "parent": parent, "in_trash": false,
		"last_edited_time": "2026-07-04T09:08:00.000Z",
		"properties":       map[string]any{"title": map[string]any{"id": "title", "type": "title", "title": rich(title)}},
	}}
	for i, line := range lines {
		bid := block(id, i+1)
		p.Children = append(p.Children, bid)
		p.Blocks[bid] = &layout.Block{ID: bid, Object: layout.Object{
			"object": "block", "id": bid, "parent": pageParent(id), "has_children": false,
			"type": "paragraph", "paragraph": map[string]any{"rich_text": rich(line), "color": "default"},
		}}
	}
	w.snap.Pages[id] = p
}

// setTitle renames a page.
func (w *workspace) setTitle(id, title string) {
	props := w.snap.Pages[id].Object["properties"].(map[string]any)
	props["title"].(map[string]any)["title"] = rich(title)
}

// setLine rewrites paragraph n (from 1) of a page.
func (w *workspace) setLine(id string, n int, text string) {
	w.snap.Pages[id].Blocks[block(id, n)].Object["paragraph"].(map[string]any)["rich_text"] = rich(text)
}

// move puts a page under another page.
func (w *workspace) move(id, parent string) {
	w.snap.Pages[id].Object["parent"] = pageParent(parent)
}

// schema edits the data source's properties.
func (w *workspace) schema(edit func(props map[string]any)) {
	edit(w.snap.DataSources[sourceID].Object["properties"].(map[string]any))
}

// testRepo is a repository in a temporary folder, checked with
// `git fsck --strict` when the test ends, and the commits made in it.
type testRepo struct {
	*gitrepo.Repo
	dir  string
	head plumbing.Hash
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	dir := t.TempDir()
	r, err := gitrepo.Open(dir, gitrepo.OpenOptions{Create: true, Bare: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsck(t, dir) })
	return &testRepo{Repo: r, dir: dir}
}

// commit writes the workspace as the whole tree of a new commit on top of
// the last one, with the sync state a sync would write.
func (r *testRepo) commit(t *testing.T, w *workspace, message string) plumbing.Hash {
	t.Helper()
	objects := w.snap.Objects()
	w.snap.State = &layout.State{Version: layout.StateVersion, LastSync: "2026-07-04T09:08:00Z", Objects: objects}
	files, err := layout.EncodeSnapshot(w.snap)
	if err != nil {
		t.Fatal(err)
	}
	return r.commitFiles(t, files, message)
}

// commitFiles commits exactly files as the tree of a new commit.
func (r *testRepo) commitFiles(t *testing.T, files map[string][]byte, message string) plumbing.Hash {
	t.Helper()
	b, err := r.NewTreeBuilder(plumbing.ZeroHash)
	if err != nil {
		t.Fatal(err)
	}
	for p, data := range files {
		if err := b.Put(p, data); err != nil {
			t.Fatal(err)
		}
	}
	tree, err := b.Write()
	if err != nil {
		t.Fatal(err)
	}
	var parents []plumbing.Hash
	if !r.head.IsZero() {
		parents = []plumbing.Hash{r.head}
	}
	c, err := r.Commit(gitrepo.CommitOptions{
		Tree: tree, Parents: parents, Message: message,
		Author: gitrepo.Signature{Name: "notion-git", Email: "sync@example.com", When: time.Date(2026, 7, 4, 9, 8, 0, 0, time.UTC)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateBranch("main", r.head, c); err != nil {
		t.Fatal(err)
	}
	r.head = c
	return c
}

// fsck runs the real `git fsck --strict` on a repository.
func fsck(t testing.TB, dir string) {
	t.Helper()
	cmd := exec.Command("git", "-c", "gc.auto=0", "fsck", "--strict", "--no-progress", "--no-dangling")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "error") || strings.Contains(string(out), "warning") {
		t.Fatalf("git fsck --strict in %s: %v\n%s", dir, err, out)
	}
}
