package importer

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// commentFiles lists, for every comment of a snapshot with attachments,
// its text and the hashes of its stored files, sorted: the same for a
// snapshot and its restored copy when every attachment came back.
func commentFiles(t *testing.T, s *layout.Snapshot) []string {
	t.Helper()
	var out []string
	for id := range s.Pages {
		cs, err := s.PageComments(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			att, _ := c.Object["attachments"].([]any)
			if len(att) == 0 {
				continue
			}
			var files []string
			for i := range att {
				f, ok := c.Extra.Files[fmt.Sprintf("/attachments/%d/file", i)]
				if !ok || f.SHA256 == "" {
					t.Errorf("comment %s: attachment %d has no stored bytes", c.ID, i)
				}
				files = append(files, f.SHA256)
			}
			out = append(out, layout.PlainText(c.Object["rich_text"])+" | "+strings.Join(files, ","))
		}
	}
	slices.Sort(out)
	return out
}

// TestRoundTripCommentAttachments: a workspace whose comments carry
// Notion-hosted files syncs them into files/ and restores them as uploads
// attached to the copy's comments: the same files by content, and every
// upload created is attached.
func TestRoundTripCommentAttachments(t *testing.T) {
	f := workspace.Generate(workspace.Options{Seed: 11, Pages: 16, MaxDepth: 3, BlocksPerPage: 12, Databases: 2,
		DataSourcesPerDatabase: 2, RowsPerDataSource: 3, Comments: 60, Attachments: 24, Users: 3})
	inFixture := 0
	for _, c := range f.Comments {
		if a, _ := c["attachments"].([]any); len(a) > 0 {
			inFixture++
		}
	}
	_, tree := syncTree(t, startEmulator(t, f, emulator.Options{}))
	src := openedSource(t, tree)
	want := commentFiles(t, src.snap)
	if inFixture < 3 || len(want) != inFixture {
		t.Fatalf("%d of %d comments with attachments synced, want all, and at least 3", len(want), inFixture)
	}
	for _, w := range want {
		sum := w[strings.LastIndex(w, " ")+1:]
		if _, ok := tree[src.snap.StoredFile(sum)]; !ok {
			t.Errorf("file %s of a comment is not in files/", sum)
		}
	}
	dst := emptyTarget(t, emulator.Options{})
	opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree), Journal: filepath.Join(t.TempDir(), "journal.jsonl")}
	rep, err := Restore(context.Background(), dst.client, src.snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := syncTree(t, dst, workspace.EmptyTargetID)
	if have := commentFiles(t, got); !slices.Equal(have, want) {
		t.Errorf("comment attachments of the copy:\n%s\nwant:\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"))
	}
	ups := dst.srv.Uploads()
	if ups.Created != ups.Attached || ups.Created != rep.Uploads {
		t.Errorf("%d uploads created, %d attached, %d attachments restored", ups.Created, ups.Attached, rep.Uploads)
	}
	fid, err := Verify(src.snap, opts, rep, got)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range fid.Unexpected() {
		t.Error(u)
	}
	t.Logf("%d comments with attachments; %d uploads created, %d attached", len(want), ups.Created, ups.Attached)
}
