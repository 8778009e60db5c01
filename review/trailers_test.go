package review

import (
	"math"
	"testing"
	"time"
)

// syncMessage is a commit message as sync writes it.
const syncMessage = `Sync Notion: 1 added, 2 changed, 0 removed

6 pages in the snapshot: 1 added, 2 changed, 0 removed.
Crawled 3 pages (0 by the rolling refresh); carried 3 without a request.

Notion-Git-Pages: 6
Notion-Git-Pages-Added: 1
Notion-Git-Pages-Changed: 2
Notion-Git-Pages-Removed: 0
Notion-Git-Attachments-Downloaded: 1
Notion-Git-Requests: 42
Notion-Git-Duration: 1m5s
Notion-Git-Unreadable: 0
Notion-Git-Mode: incremental
`

// TestTrailersFormat pins the trailers as repositories already hold them.
func TestTrailersFormat(t *testing.T) {
	t.Parallel()
	want := Trailers{Pages: 6, PagesAdded: 1, PagesChanged: 2, AttachmentsDownloaded: 1, Requests: 42, Duration: 65 * time.Second}
	got, ok := ParseTrailers(syncMessage)
	if !ok || got != want {
		t.Errorf("ParseTrailers = %+v, %v; want %+v", got, ok, want)
	}
	const trailers = "Notion-Git-Pages: 6\n"
	if enc := want.Encode(); syncMessage[len(syncMessage)-len(enc):] != enc || enc[:len(trailers)] != trailers {
		t.Errorf("Encode:\n%s\nis not the end of\n%s", enc, syncMessage)
	}
	if enc := (Trailers{Full: true}).Encode(); enc[len(enc)-len("Notion-Git-Mode: full\n"):] != "Notion-Git-Mode: full\n" {
		t.Errorf("Encode of a full sync:\n%s", enc)
	}
}

func TestTrailersRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tr := range []Trailers{
		{},
		{Pages: 65, PagesAdded: 65, Requests: 212, Duration: 3 * time.Second, Full: true},
		{Pages: -1, PagesAdded: math.MaxInt, PagesChanged: math.MinInt, PagesRemoved: 7, AttachmentsDownloaded: 3, Requests: 1, Duration: 1500 * time.Microsecond, Unreadable: 2},
		{Duration: math.MinInt64},
		{Duration: math.MaxInt64},
	} {
		for _, msg := range []string{tr.Encode(), "Subject\n\nBody.\n\n" + tr.Encode(), "Subject\n\n" + tr.Encode() + "\n\n"} {
			got, ok := ParseTrailers(msg)
			if !ok || got != tr {
				t.Errorf("ParseTrailers(%q) = %+v, %v; want %+v", msg, got, ok, tr)
			}
		}
	}
}

func TestParseTrailersOfOtherMessages(t *testing.T) {
	t.Parallel()
	for _, msg := range []string{
		"", "\n\n", "Add the notion-git sync workflow\n",
		"Subject\n\nNotion-Git-Pages: 6\n\nA paragraph after the trailers.\n", // trailers are the last paragraph
		"Subject\n\nNotion-Git-Pages: six\n",
		"Subject\n\nNotion-Git-Pages : 6\n",
	} {
		if got, ok := ParseTrailers(msg); ok || got != (Trailers{}) {
			t.Errorf("ParseTrailers(%q) = %+v, %v; want nothing", msg, got, ok)
		}
	}
	// A value that does not parse is zero; the others are kept.
	got, ok := ParseTrailers("s\n\nNotion-Git-Pages: 3\nNotion-Git-Requests: many\nNotion-Git-Duration: long\nOther: x\nNotion-Git-Pages-Added:  2 \n")
	if want := (Trailers{Pages: 3, PagesAdded: 2}); !ok || got != want {
		t.Errorf("ParseTrailers of odd values = %+v, %v; want %+v", got, ok, want)
	}
}

// FuzzParseTrailers: commit messages are untrusted. Whatever ParseTrailers
// reads from one, Encode writes back and ParseTrailers reads again alike.
func FuzzParseTrailers(f *testing.F) {
	for _, seed := range []string{syncMessage, "", "x\n\nNotion-Git-Pages: 1\nNotion-Git-Duration: -1h2m3.5s", "Notion-Git-Pages: 9223372036854775808"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		tr, ok := ParseTrailers(msg)
		if !ok {
			if tr != (Trailers{}) {
				t.Fatalf("not a sync's message, yet %+v", tr)
			}
			return
		}
		again, ok := ParseTrailers("Subject\n\n" + tr.Encode())
		if !ok || again != tr {
			t.Fatalf("%+v encodes to\n%s\nwhich reads as %+v, %v", tr, tr.Encode(), again, ok)
		}
	})
}
