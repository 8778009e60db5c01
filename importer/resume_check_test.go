package importer

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// restoreOnce restores src into a new empty workspace with a journal and
// returns the workspace, the options and the report.
func restoreOnce(t *testing.T, src source, journal string) (*localNotion, Options, *Report) {
	t.Helper()
	dst := emptyTarget(t, emulator.Options{})
	opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree), Journal: journal}
	rep, err := Restore(context.Background(), dst.client, src.snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	return dst, opts, rep
}

// writesTo counts the writes an emulator answered.
func writesTo(e *localNotion) int {
	n := 0
	for _, l := range e.srv.Log() {
		if l.Method != "GET" && !strings.HasSuffix(l.Path, "/query") {
			n++
		}
	}
	return n
}

// TestResumeChecksTheCopyIsThere: a journal is trusted only while the copy
// it recorded is in the target. A finished restore rerun after its copy was
// trashed, or into the same page id of another workspace, must restore the
// whole snapshot again, not report success having done nothing.
func TestResumeChecksTheCopyIsThere(t *testing.T) {
	src := tinySource(t)
	roots := mustPlan(t, src.snap).roots
	ref, _, refRep := restoreOnce(t, src, "")
	refCopy, _ := syncTree(t, ref, workspace.EmptyTargetID)
	wantP, wantB, wantC := copyShape(refCopy)

	rerun := func(t *testing.T, dst *localNotion, opts Options) (*Report, []string, error) {
		var notices []string
		opts.Notice = func(s string) { notices = append(notices, s) }
		rep, err := Restore(context.Background(), dst.client, src.snap, opts)
		return rep, notices, err
	}
	startedOver := func(t *testing.T, dst *localNotion, opts Options) {
		t.Helper()
		rep, notices, err := rerun(t, dst, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(notices) != 1 || !strings.Contains(notices[0], "starting over") {
			t.Errorf("notices %q, want one saying the restore starts over", notices)
		}
		if rep.Resumed != 0 || rep.Pages != refRep.Pages || rep.Blocks != refRep.Blocks || rep.Comments != refRep.Comments {
			t.Errorf("rerun restored %d pages, %d blocks, %d comments (%d steps resumed); a first restore: %d, %d, %d",
				rep.Pages, rep.Blocks, rep.Comments, rep.Resumed, refRep.Pages, refRep.Blocks, refRep.Comments)
		}
		got, _ := syncTree(t, dst, workspace.EmptyTargetID)
		if p, b, c := copyShape(got); p != wantP || b != wantB || c != wantC {
			t.Errorf("the target holds %d pages, %d blocks, %d comments outside the trash; want %d, %d, %d", p, b, c, wantP, wantB, wantC)
		}
		fid, err := Verify(src.snap, opts, rep, got)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range fid.Unexpected() {
			t.Error(u)
		}
		// The new journal describes the new copy: one more run resumes it.
		again, notices, err := rerun(t, dst, opts)
		if err != nil || len(notices) != 0 || again.Resumed == 0 || again.Pages != 0 {
			t.Errorf("run after starting over: err %v, notices %q, %d resumed, %d pages created", err, notices, again.Resumed, again.Pages)
		}
	}

	t.Run("copy in the trash", func(t *testing.T) {
		journal := filepath.Join(t.TempDir(), "journal.jsonl")
		dst, opts, rep := restoreOnce(t, src, journal)
		for _, old := range roots {
			if err := dst.srv.TrashPage(rep.IDs[old]); err != nil {
				t.Fatal(err)
			}
		}
		startedOver(t, dst, opts)
	})
	t.Run("same page id in another workspace", func(t *testing.T) {
		journal := filepath.Join(t.TempDir(), "journal.jsonl")
		restoreOnce(t, src, journal)
		other := emptyTarget(t, emulator.Options{})
		startedOver(t, other, Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree), Journal: journal})
	})
	t.Run("copy intact", func(t *testing.T) {
		journal := filepath.Join(t.TempDir(), "journal.jsonl")
		dst, opts, _ := restoreOnce(t, src, journal)
		before := writesTo(dst)
		rep, notices, err := rerun(t, dst, opts)
		if err != nil || len(notices) != 0 || rep.Resumed == 0 {
			t.Fatalf("rerun of a finished restore: err %v, notices %q, %d resumed", err, notices, rep.Resumed)
		}
		if n := writesTo(dst) - before; n != 0 {
			t.Errorf("rerun of a finished restore whose copy is intact wrote %d times", n)
		}
	})
	t.Run("part of the copy gone", func(t *testing.T) {
		// Two sibling pages restored side by side: two roots in the target.
		two := childPages(src.snap, roots[0])
		if len(two) < 2 {
			t.Fatalf("root %s has %d child pages; the test needs two", roots[0], len(two))
		}
		dst := emptyTarget(t, emulator.Options{})
		opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree), Pages: two[:2],
			Journal: filepath.Join(t.TempDir(), "journal.jsonl")}
		rep, err := Restore(context.Background(), dst.client, src.snap, opts)
		if err != nil {
			t.Fatal(err)
		}
		first := rep.Pages
		if err := dst.srv.TrashPage(rep.IDs[two[0]]); err != nil {
			t.Fatal(err)
		}
		before := writesTo(dst)
		_, notices, err := rerun(t, dst, opts)
		if !errors.Is(err, ErrJournalStale) || !strings.Contains(err.Error(), "--fresh") || !strings.Contains(err.Error(), "in the trash") {
			t.Fatalf("rerun with one root trashed: %v, want ErrJournalStale naming the trashed root and --fresh", err)
		}
		if len(notices) != 0 {
			t.Errorf("notices %q", notices)
		}
		if n := writesTo(dst) - before; n != 0 {
			t.Errorf("a refused resume wrote %d times", n)
		}
		// --fresh is the way out it names: a whole new copy.
		opts.Fresh = true
		fresh, err := Restore(context.Background(), dst.client, src.snap, opts)
		if err != nil || fresh.Resumed != 0 || fresh.Pages != first {
			t.Errorf("--fresh: err %v, %d resumed, %d pages", err, fresh.Resumed, fresh.Pages)
		}
	})
	t.Run("journal of another target", func(t *testing.T) {
		journal := filepath.Join(t.TempDir(), "journal.jsonl")
		dst, _, _ := restoreOnce(t, src, journal)
		other, err := dst.srv.AddPage(map[string]any{"parent": map[string]any{"type": "workspace", "workspace": true},
			"properties": map[string]any{"title": map[string]any{"type": "title", "title": []any{map[string]any{"type": "text", "text": map[string]any{"content": "Other"}}}}}})
		if err != nil {
			t.Fatal(err)
		}
		dst.srv.Share(other)
		opts := Options{Target: other, Files: layout.MapSource(src.tree), Journal: journal}
		if _, err := Restore(context.Background(), dst.client, src.snap, opts); !errors.Is(err, ErrJournalStale) {
			t.Fatalf("journal of page %s used for page %s: %v, want ErrJournalStale", workspace.EmptyTargetID, other, err)
		}
	})
}

// childPages lists the pages (not rows) whose parent is the page parent.
func childPages(snap *layout.Snapshot, parent string) []string {
	var out []string
	for _, id := range sortedKeys(snap.Pages) {
		if h := snap.Header(id); h.ParentType == "page_id" && h.ParentID == parent {
			out = append(out, id)
		}
	}
	return out
}

func mustPlan(t *testing.T, snap *layout.Snapshot) *plan {
	t.Helper()
	p, err := planFor(snap, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
