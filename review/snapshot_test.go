package review

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/layout"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	c, err := Summarize(h.repo.Repo, h.first)
	if err != nil {
		t.Fatal(err)
	}
	want := Contents{Layout: true, Pages: 4, Rows: 1, Databases: 1, DataSources: 1, Users: 1, LastSync: "2026-07-04T09:08:00Z"}
	index := c.Index
	c.Index = nil
	if !reflect.DeepEqual(*c, want) {
		t.Errorf("Summarize = %+v, want %+v", *c, want)
	}
	if !bytes.Contains(index, []byte("[Guide]("+layout.PageReadmePath(guideID)+")")) {
		t.Errorf("index of the snapshot:\n%s", index)
	}
	if c, err := Summarize(h.repo.Repo, h.remove); err != nil || c.Pages != 3 || c.Rows != 0 {
		t.Errorf("Summarize after the row went: %+v, %v", c, err)
	}

	r := newTestRepo(t)
	other := r.commitFiles(t, map[string][]byte{"notes.txt": []byte("hello\n")}, "not a snapshot")
	if c, err := Summarize(r.Repo, other); err != nil || !reflect.DeepEqual(*c, Contents{}) {
		t.Errorf("Summarize of a commit without a snapshot: %+v, %v", c, err)
	}
	if c, err := Summarize(r.Repo, plumbing.ZeroHash); err != nil || c.Layout {
		t.Errorf("Summarize of no commit: %+v, %v", c, err)
	}
}

func TestPageAt(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	p, err := PageAt(h.repo.Repo, h.first, guideID)
	if err != nil || layout.Title(p.Object) != "Guide" || len(p.Blocks) != 3 {
		t.Fatalf("PageAt: %v, %v", p, err)
	}
	if p, err := PageAt(h.repo.Repo, h.edit, guideID); err != nil || layout.Title(p.Object) != "Handbook" {
		t.Errorf("PageAt after the rename: %v, %v", p, err)
	}
	b, err := PageJSON(h.repo.Repo, h.first, guideID)
	if err != nil {
		t.Fatal(err)
	}
	files, err := layout.EncodePage(p)
	if err != nil {
		t.Fatal(err)
	}
	if obj, err := layout.Decode(b); err != nil || obj["id"] != guideID || !bytes.Equal(b, files[layout.PagePath(guideID)]) {
		t.Errorf("PageJSON is not the first commit's page.json: %v\n%s", err, b)
	}
	for _, f := range []func() error{
		func() error { _, err := PageAt(h.repo.Repo, h.remove, rowID); return err },
		func() error { _, err := PageJSON(h.repo.Repo, h.remove, rowID); return err },
	} {
		if err := f(); !errors.Is(err, ErrNoPage) {
			t.Errorf("a page the commit does not hold: %v, want ErrNoPage", err)
		}
	}
}
