package importer

import (
	"context"
	"errors"
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// rejectSome is a rule of the emulator refusing some content, as Notion
// refuses blocks it will not create: callouts and quotes, paragraphs
// saying "(quote)", and text holding a date mention.
func rejectSome(b map[string]any) string {
	typ := blockType(b)
	content, _ := b[typ].(map[string]any)
	rt, _ := content["rich_text"].([]any)
	var text strings.Builder
	for _, x := range rt {
		it, _ := x.(map[string]any)
		if m, ok := it["mention"].(map[string]any); ok && m["type"] == "date" {
			return "rich_text should not hold a date mention here"
		}
		if t, ok := it["text"].(map[string]any); ok {
			text.WriteString(t["content"].(string))
		}
	}
	switch {
	case typ == "callout", typ == "quote":
		return "should be not present: this workspace does not take " + typ + " blocks"
	case typ == "paragraph" && strings.Contains(text.String(), "(quote)"):
		return "rich_text should not say (quote)"
	}
	return ""
}

func blockType(b map[string]any) string {
	if t, _ := b["type"].(string); t != "" {
		return t
	}
	for k := range b {
		if k != "object" && k != "children" {
			return k
		}
	}
	return ""
}

// rejections counts the emulator's 400 answers.
func rejections(e *localNotion) int {
	n := 0
	for k, c := range e.srv.Counts() {
		if k.Status == 400 {
			n += c
		}
	}
	return n
}

// The forms the fixture's rejected blocks end in, and how many rejections
// each takes on the way: the callout is rejected as itself and in plain
// text, then taken as a paragraph; the quote is rejected in every form of
// text and taken as code; the list item is taken in plain text.
var (
	wantForms = map[string]string{
		"bf000000-0000-4000-8000-000000000002": "paragraph",
		"bf000000-0000-4000-8000-000000000006": "code",
		"bf000000-0000-4000-8000-000000000008": "plain text",
	}
	wantSteps = 2 + 3 + 1
	wantCopy  = []string{
		"paragraph: Intro.",
		"paragraph: A callout the API rejects.",
		"  paragraph: Inside the callout.",
		"toggle: A toggle",
		"  paragraph: Accepted inside the toggle.",
		"  code: json",
		"bulleted_list_item: Due 2025-05-01 at the latest.",
		"paragraph: Outro.",
	}
)

// TestRestoreRejectedBlocks restores a page some of whose blocks the API
// rejects, naming them: the restore finishes, each rejected block is
// written in the closest form the API takes (a code block of its JSON as
// the last), counted, and listed for Verify, and every rejection costs one
// request.
func TestRestoreRejectedBlocks(t *testing.T) {
	clean, _, _, _ := fixtureRoundTrip(t, "content-rejected.json", emulator.Options{})
	rep, fid, got, dst := fixtureRoundTrip(t, "content-rejected.json", emulator.Options{RejectBlock: rejectSome})
	checkRejected(t, rep, fid, got)
	if n := rejections(dst); n != wantSteps {
		t.Errorf("%d rejected requests, want %d: one per step down a block's forms", n, wantSteps)
	}
	// Besides the rejected requests, the callout's child goes in a request
	// of its own (a block written after a rejection takes no children
	// along); the quote's child rides in its code block.
	base := clean.Requests.Total
	if bound := base + wantSteps + 1; rep.Requests.Total > bound {
		t.Errorf("%d requests, more than %d (%d without rejections)", rep.Requests.Total, bound, base)
	}
}

// TestRestoreRejectedBlocksUnnamed is the same restore when the API's
// message names no block: the request is sent in halves until the
// rejected block is alone, then without its children, then in plainer
// forms.
func TestRestoreRejectedBlocksUnnamed(t *testing.T) {
	rep, fid, got, dst := fixtureRoundTrip(t, "content-rejected.json", emulator.Options{RejectBlock: rejectSome, RejectUnnamed: true})
	checkRejected(t, rep, fid, got)
	// Each step costs at most the halvings of one request of n top blocks
	// and one request alone; a block with children is first tried alone.
	n := 5.0
	bound := (wantSteps + len(wantForms)) * (int(math.Ceil(math.Log2(n))) + 1)
	if r := rejections(dst); r > bound {
		t.Errorf("%d rejected requests, more than %d", r, bound)
	}
	t.Logf("%d rejected requests (bound %d)", rejections(dst), bound)
}

func checkRejected(t *testing.T, rep *Report, fid *FidelityReport, got *layout.Snapshot) {
	t.Helper()
	if have := blockTexts(restoredRoot(t, got)); !slices.Equal(have, wantCopy) {
		t.Errorf("the copy reads\n%s\nwant\n%s", strings.Join(have, "\n"), strings.Join(wantCopy, "\n"))
	}
	for id, form := range wantForms {
		if rep.Fallbacks[id] != form {
			t.Errorf("block %s written as %q, want %q", id, rep.Fallbacks[id], form)
		}
	}
	if len(rep.Fallbacks) != len(wantForms) {
		t.Errorf("fallbacks %v, want %v", rep.Fallbacks, wantForms)
	}
	for _, k := range []string{fallbackNote("callout", "paragraph"), fallbackNote("quote", "code"), fallbackNote("bulleted_list_item", "plain text")} {
		if kf := fid.Kinds[k]; kf == nil || !kf.Expected || kf.Compared != 1 {
			t.Errorf("Verify lists %q as %+v", k, kf)
		}
	}
	// A resumed run counts what it wrote itself; the forms come from the
	// journal either way.
	if rep.Resumed == 0 && rep.Substituted["block quote rejected by the API → code"] != 1 {
		t.Errorf("report: %v", rep.Substituted)
	}
	// The code block holds the quote and its child as stored.
	pg := restoredRoot(t, got)
	for _, b := range pg.Blocks {
		if typeOf(b) != "code" {
			continue
		}
		src := b.Object["code"].(map[string]any)
		js := layout.PlainText(src["rich_text"])
		if !strings.Contains(js, "(quote)") || !strings.Contains(js, "Below the quote.") || src["language"] != "json" {
			t.Errorf("the code block holds %.300s", js)
		}
	}
}

// TestRejectedBlocksResume kills the restore of rejected blocks after
// every number of answers and resumes it: the copy reads the same as an
// uninterrupted one, with each block in the same form.
func TestRejectedBlocksResume(t *testing.T) {
	f, err := workspace.Load(filepath.Join("..", "testdata", "fixtures", "restore", "content-rejected.json"))
	if err != nil {
		t.Fatal(err)
	}
	snap, tree := syncTree(t, startEmulator(t, f, emulator.Options{}))
	for n := int64(1); n <= 10; n++ {
		dst := emptyTarget(t, emulator.Options{RejectBlock: rejectSome})
		opts := Options{Target: workspace.EmptyTargetID, Files: layout.MapSource(tree), Journal: filepath.Join(t.TempDir(), "journal.jsonl")}
		ctx, cancel := context.WithCancel(context.Background())
		cut := &cutAfter{n: n, cancel: cancel}
		client := newClient(t, dst.url, &notion.Config{HTTPClient: &http.Client{Transport: cut}})
		if _, err := Restore(ctx, client, snap, opts); err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("cut at %d: %v", n, err)
		}
		cancel()
		rep, err := Restore(context.Background(), dst.client, snap, opts)
		if err != nil {
			t.Fatalf("resume after %d answers: %v", n, err)
		}
		got, _ := syncTree(t, dst, workspace.EmptyTargetID)
		fid, err := Verify(snap, opts, rep, got)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range fid.Unexpected() {
			t.Errorf("cut at %d: %s", n, u)
		}
		checkRejected(t, rep, fid, got)
	}
}
