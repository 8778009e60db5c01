package exporter_test

import (
	"net/url"
	"testing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// TestCommentModes: none reads no comments; pages asks once per page and
// so misses the basic fixture's one comment, which is on a block; all asks
// for every block too, and stores it in its page's comments/ folder.
func TestCommentModes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode string
		// asked says which block_id values the comment requests must cover.
		asked  func(page, block bool) bool
		stored bool
	}{
		{exporter.CommentsNone, func(page, block bool) bool { return false }, false},
		{exporter.CommentsPages, func(page, block bool) bool { return page }, false},
		{exporter.CommentsAll, func(page, block bool) bool { return page || block }, true},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, basicFixture(t), emulator.Options{})
			tree, rep := w.syncMemory(nil, exporter.Options{Comments: tc.mode})

			pages, dbs, blocks := map[string]bool{}, map[string]bool{}, map[string]bool{}
			for p := range tree {
				switch info, _ := layout.ParsePath(p); info.Kind {
				case layout.PathPage:
					pages[info.PageID] = true
				case layout.PathDatabase:
					dbs[info.DatabaseID] = true
				case layout.PathBlock:
					blocks[info.BlockID] = true
				}
			}
			asked := map[string]bool{}
			for _, e := range w.server.Log() {
				if e.Path == "/v1/comments" {
					q, _ := url.ParseQuery(e.Query)
					asked[q.Get("block_id")] = true
				}
			}
			for id := range pages {
				if tc.asked(true, false) != asked[id] {
					t.Errorf("comments of page %s asked for: %v, want %v", id, asked[id], tc.asked(true, false))
				}
			}
			for id := range blocks {
				if pages[id] || dbs[id] {
					continue // a child_page or child_database block has the child's id
				}
				if tc.asked(false, true) != asked[id] {
					t.Errorf("comments of block %s asked for: %v, want %v", id, asked[id], tc.asked(false, true))
				}
			}
			if !blocks[commentBlockID] {
				t.Fatalf("block %s, which holds the comment, is not in the snapshot", commentBlockID)
			}

			path := layout.CommentPath(homeID, commentID)
			_, stored := tree[path]
			if stored != tc.stored {
				t.Errorf("%s stored: %v, want %v", path, stored, tc.stored)
			}
			for p := range tree {
				if isKind(p, layout.PathComment) && p != path {
					t.Errorf("%s: a comment the fixture does not have", p)
				}
			}
			if want := map[bool]int{true: 1}[tc.stored]; rep.Comments != want {
				t.Errorf("report counts %d comments, want %d", rep.Comments, want)
			}
		})
	}
}
