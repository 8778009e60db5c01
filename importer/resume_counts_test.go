package importer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// cutOn cancels the restore's context when the n-th request that match
// accepts has reached the server and been carried out: its answer, and
// those of every other request in flight, are lost, as when the process is
// killed right after Notion did the write.
type cutOn struct {
	match  func(*http.Request) bool
	n      int64
	seen   atomic.Int64
	cancel context.CancelFunc
}

func (c *cutOn) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	resp, err := http.DefaultTransport.RoundTrip(req.WithContext(context.WithoutCancel(ctx)))
	if c.match(req) && c.seen.Add(1) == c.n {
		c.cancel()
	}
	if err == nil && ctx.Err() != nil {
		resp.Body.Close()
		return nil, ctx.Err()
	}
	return resp, err
}

func isPost(suffix string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, suffix)
	}
}

// resumeSource is a generated workspace with enough comments and
// Notion-hosted files for every interruption point to land on one.
func resumeSource(t testing.TB) source {
	t.Helper()
	f := workspace.Generate(workspace.Options{Seed: 11, Pages: 16, MaxDepth: 3, BlocksPerPage: 12, Databases: 2,
		DataSourcesPerDatabase: 2, RowsPerDataSource: 3, Comments: 40, Attachments: 24, Users: 3, Views: true})
	e := startEmulator(t, f, emulator.Options{})
	snap, tree := syncTree(t, e)
	return source{snap, tree}
}

// duplicates counts the comments of got beyond those of want, text by text.
func duplicates(want, got map[string]int) (extra, missing int) {
	for k, n := range got {
		extra += max(0, n-want[k])
	}
	for k, n := range want {
		missing += max(0, n-got[k])
	}
	return
}

// TestKilledRestoreResumesWithoutDuplicates stops restores right after
// Notion carried out a write whose answer the restore then never saw: a
// file upload created, its bytes sent, a comment posted, an append, at
// several points each, with other requests in flight. Each is resumed from
// its journal and must end as a restore that was never stopped: the same
// copy, no comment twice, and no upload left unattached, all counted in the
// emulator.
func TestKilledRestoreResumesWithoutDuplicates(t *testing.T) {
	src := resumeSource(t)
	ref := emptyTarget(t, emulator.Options{})
	refOpts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree)}
	refRep, err := Restore(context.Background(), ref.client, src.snap, refOpts)
	if err != nil {
		t.Fatal(err)
	}
	refCopy, _ := syncTree(t, ref, workspace.EmptyTargetID)
	refFid, err := Verify(src.snap, refOpts, refRep, refCopy)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range refFid.Unexpected() {
		t.Errorf("uninterrupted: %s", u)
	}
	wantP, wantB, wantC := copyShape(refCopy)
	wantComments, wantUploads := ref.srv.CommentTexts(), ref.srv.Uploads()
	if wantUploads.Orphaned() != 0 {
		t.Fatalf("an uninterrupted restore left %d of %d uploads unattached", wantUploads.Orphaned(), wantUploads.Created)
	}
	withAttachment := 0
	for k, n := range wantComments {
		if !strings.Contains(k, "|0 attachments|") {
			withAttachment += n
		}
	}
	t.Logf("reference copy: %d pages, %d blocks, %d comments (%d with an attachment), %d uploads", wantP, wantB, wantC, withAttachment, wantUploads.Created)
	if wantUploads.Created < 6 || wantC < 10 || withAttachment == 0 {
		t.Fatal("the source has too few comments, comment attachments or uploads to interrupt on")
	}

	type point struct {
		what  string
		match func(*http.Request) bool
		n     int64
	}
	var points []point
	for _, n := range []int64{1, int64(wantUploads.Created / 2), int64(wantUploads.Created)} {
		points = append(points,
			point{"upload created", isPost("/v1/file_uploads"), n},
			point{"upload sent", isPost("/send"), n})
	}
	for _, n := range []int64{1, int64(wantC / 2), int64(wantC)} {
		points = append(points, point{"comment posted", isPost("/v1/comments"), n})
	}
	views := 0
	for _, db := range src.snap.Databases {
		views += len(db.Views)
	}
	if views < 4 {
		t.Fatalf("the source has %d views, too few to interrupt on", views)
	}
	for _, n := range []int64{1, int64(views / 2)} {
		points = append(points, point{"view created", isPost("/v1/views"), n})
	}
	points = append(points, point{"Notion's view deleted", func(r *http.Request) bool {
		return r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/v1/views/")
	}, 1})
	for _, n := range []int64{3, 20} {
		points = append(points, point{"append", func(r *http.Request) bool {
			return r.Method == http.MethodPatch && strings.HasSuffix(r.URL.Path, "/children")
		}, n})
	}
	for _, p := range points {
		t.Run(fmt.Sprintf("%s %d", p.what, p.n), func(t *testing.T) {
			dst := emptyTarget(t, emulator.Options{Latency: time.Millisecond})
			opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(src.tree), Journal: filepath.Join(t.TempDir(), "journal.jsonl")}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cut := &cutOn{match: p.match, n: p.n, cancel: cancel}
			client := newClient(t, dst.url, &notion.Config{HTTPClient: &http.Client{Transport: cut}})
			if _, err := Restore(ctx, client, src.snap, opts); !errors.Is(err, context.Canceled) {
				t.Fatalf("stopped after %s %d: %v, want context.Canceled", p.what, p.n, err)
			}
			stopped := dst.srv.Uploads()
			rep, err := Restore(context.Background(), dst.client, src.snap, opts)
			if err != nil {
				t.Fatalf("resume: %v", err)
			}
			got, _ := syncTree(t, dst, workspace.EmptyTargetID)
			if pp, b, c := copyShape(got); pp != wantP || b != wantB || c != wantC {
				t.Errorf("copy has %d pages, %d blocks, %d comments; uninterrupted: %d, %d, %d", pp, b, c, wantP, wantB, wantC)
			}
			gotComments := dst.srv.CommentTexts()
			if extra, missing := duplicates(wantComments, gotComments); extra != 0 || missing != 0 {
				t.Errorf("%d comments posted twice, %d missing", extra, missing)
			}
			ups := dst.srv.Uploads()
			if ups.Orphaned() != 0 || ups.Created != wantUploads.Created {
				t.Errorf("%d uploads created (%d when stopped), %d attached: %d orphaned; uninterrupted: %d",
					ups.Created, stopped.Created, ups.Attached, ups.Orphaned(), wantUploads.Created)
			}
			fid, err := Verify(src.snap, opts, rep, got)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range fid.Unexpected() {
				t.Error(u)
			}
			if t.Failed() {
				t.Logf("comment texts differing: %v", diffCounts(wantComments, gotComments))
			}
		})
	}
}

func diffCounts(want, got map[string]int) map[string][2]int {
	out := map[string][2]int{}
	keys := maps.Clone(want)
	maps.Copy(keys, got)
	for k := range keys {
		if want[k] != got[k] {
			out[k] = [2]int{want[k], got[k]}
		}
	}
	return out
}
