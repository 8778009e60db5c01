package importer

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// readCounter is a layout.Source that counts the reads of each path.
type readCounter struct {
	layout.MapSource
	mu    sync.Mutex
	reads map[string]int
}

func (c *readCounter) Read(path string) ([]byte, error) {
	c.mu.Lock()
	c.reads[path]++
	c.mu.Unlock()
	return c.MapSource.Read(path)
}

func (c *readCounter) reset() {
	c.mu.Lock()
	c.reads = map[string]int{}
	c.mu.Unlock()
}

// TestRestoreStreamsPages restores a snapshot opened with
// layout.OpenSnapshot, with latency so that pages are written side by side,
// and checks what it held: never more pages' blocks at once than tasks in
// flight, each block file read once by the whole restore (so no page is
// decoded whole twice and nothing decodes the snapshot), each page object
// read only where it is written (its creation, its content, and its later
// properties if its header says it has any), and a copy as exact as from a
// snapshot decoded whole.
func TestRestoreStreamsPages(t *testing.T) {
	src := tinySource(t)
	counted := &readCounter{MapSource: layout.MapSource(src.tree), reads: map[string]int{}}
	snap, err := layout.OpenSnapshot(counted)
	if err != nil {
		t.Fatal(err)
	}
	blockFiles := 0
	for p := range src.tree {
		if info, _ := layout.ParsePath(p); info.Kind == layout.PathBlock {
			blockFiles++
		}
	}
	if blockFiles < 50 {
		t.Fatalf("the snapshot has %d blocks: too few to tell", blockFiles)
	}
	counted.reset()
	dst := emptyTarget(t, emulator.Options{Latency: 5 * time.Millisecond})
	opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree), Concurrency: 3}
	rep, err := Restore(context.Background(), dst.client, snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s; at most %d pages held at once", rep.Summary(), rep.PagesHeld)
	if rep.PagesHeld < 1 || rep.PagesHeld > opts.Concurrency {
		t.Errorf("%d pages' blocks held at once, want 1 to %d (the tasks in flight)", rep.PagesHeld, opts.Concurrency)
	}
	// A page holding a synced copy that comes before its original is read
	// once more, to add the copy at the end.
	pl, err := planFor(snap, nil)
	if err != nil {
		t.Fatal(err)
	}
	reread := map[string]bool{}
	for id := range pl.late {
		reread[pl.owner[id]] = true
	}
	read := 0
	for p, n := range counted.reads {
		if info, _ := layout.ParsePath(p); info.Kind == layout.PathBlock {
			read++
			want := 1
			if reread[info.PageID] {
				want = 2
			}
			if n != want {
				t.Errorf("%s read %d times by the restore, want %d", p, n, want)
			}
		}
	}
	if read != blockFiles {
		t.Errorf("the restore read %d of %d block files", read, blockFiles)
	}
	later := 0
	for id := range snap.Pages {
		want := 2 // created, then read with its blocks
		if reread[id] {
			want++
		}
		if (&restorer{plan: pl}).writesLater(id) {
			want++
			later++
		}
		if n := counted.reads[layout.PagePath(id)]; n != want {
			t.Errorf("%s read %d times by the restore, want %d", layout.PagePath(id), n, want)
		}
	}
	if later == 0 || later == len(snap.Pages) {
		t.Errorf("%d of %d pages have properties written later: the test tells nothing", later, len(snap.Pages))
	}
	got, _ := syncTree(t, dst, workspace.EmptyTargetID)
	fid, err := Verify(snap, opts, rep, got)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range fid.Unexpected() {
		t.Error(u)
	}
	// The same restore from the snapshot decoded whole plans the same
	// requests.
	whole := emptyTarget(t, emulator.Options{})
	rep2, err := Restore(context.Background(), whole.client, src.snap, Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree), Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Requests.Total != rep.Requests.Total || rep2.Blocks != rep.Blocks || rep2.Comments != rep.Comments {
		t.Errorf("opened: %s; decoded whole: %s", rep.Summary(), rep2.Summary())
	}
}

// TestImporterNeverDecodesTheSnapshot keeps the restore streaming: no file
// of the importer may decode a whole snapshot; it is handed one, and reads
// pages' content through restorer.loadPage and Snapshot.PageComments.
func TestImporterNeverDecodesTheSnapshot(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, b, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(file, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "layout" && (sel.Sel.Name == "DecodeSnapshot" || sel.Sel.Name == "DecodePage") {
					t.Errorf("%s calls layout.%s", f, sel.Sel.Name)
				}
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no source file checked")
	}
}
