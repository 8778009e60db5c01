package main

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/importer"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// cancellableTarget is an emulator holding one empty page to restore into,
// behind c.
func cancellableTarget(t *testing.T, c *interrupter) (*emulator.Server, string) {
	t.Helper()
	s := emulator.New(workspace.Empty("Restored"), emulator.Options{RecordBodies: true})
	srv := httptest.NewServer(c.wrap(s))
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// objectCounts counts what a workspace holds, by kind.
func objectCounts(s *emulator.Server) map[string]int {
	f := s.Fixture()
	return map[string]int{
		"pages": len(f.Pages), "blocks": len(f.Blocks), "databases": len(f.Databases),
		"data sources": len(f.DataSources), "comments": len(f.Comments),
	}
}

// oneStderrLine returns the only line a run printed on stderr.
func oneStderrLine(t *testing.T, r result) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 1 {
		t.Fatalf("stderr is not one line:\n%s", r)
	}
	return lines[0]
}

// TestInterruptedRestoreSaysWhatItWroteAndHowToResume: a restore stopped
// midway exits 130 with one line giving what it created and the command
// that resumes it; that command finishes the copy without creating anything
// twice. Stopped before its first write, it says nothing was written.
func TestInterruptedRestoreSaysWhatItWroteAndHowToResume(t *testing.T) {
	// The token comes with --token, so the resume command asks for it in
	// the environment.
	t.Setenv("NOTION_TOKEN", "")
	// Each restore has a repository of its own: the journal is kept in the
	// repository, by commit and target page, and every target here has the
	// same page id.
	restore := func(ctx context.Context, url string) result {
		return runArgs(ctx, "restore", "HEAD", "--repo", syncedRepo(t), "--to", workspace.EmptyTargetID,
			"--api-url", url, "--token", emulator.DefaultToken, "--rate", "1000")
	}

	clean := &interrupter{}
	cleanServer, cleanURL := cancellableTarget(t, clean)
	if r := restore(clean.arm(t, 0), cleanURL); r.code != exitOK {
		t.Fatalf("uninterrupted restore: %s", r)
	}
	total := clean.requests()
	want := objectCounts(cleanServer)

	t.Run("before the first write", func(t *testing.T) {
		stop := &interrupter{}
		s, url := cancellableTarget(t, stop)
		r := restore(stop.arm(t, 1), url)
		if r.code != exitCancel {
			t.Fatalf("want exit %d, got %s", exitCancel, r)
		}
		if got, line := oneStderrLine(t, r), "notion-git: interrupted before anything was written to page "+workspace.EmptyTargetID; got != line {
			t.Errorf("stderr:\n%s\nwant:\n%s", got, line)
		}
		if n := writes(s); n != 0 {
			t.Errorf("%d writes reached Notion", n)
		}
	})

	t.Run("midway, then resumed", func(t *testing.T) {
		stop := &interrupter{}
		s, url := cancellableTarget(t, stop)
		r := restore(stop.arm(t, total/2), url)
		if r.code != exitCancel {
			t.Fatalf("cancelled at request %d of %d: want exit %d, got %s", total/2, total, exitCancel, r)
		}
		line := oneStderrLine(t, r)
		t.Log(line)
		m := regexp.MustCompile(`^notion-git: interrupted after creating at least (.+) in page ` + workspace.EmptyTargetID +
			`(?: and uploading (\d+) files?)?(?: \((\d+) writes? sent without an answer may have created more\))?` +
			`; to resume where it stopped, run, with the same token in NOTION_TOKEN: (notion-git restore [0-9a-f]{12} --to ` + workspace.EmptyTargetID + ` --repo \S+ --api-url \S+)$`).FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("stderr does not say what was written and how to resume:\n%s", line)
		}
		// Each count is of objects Notion answered for: at least that many
		// are there, and a write in flight when the run stopped may have
		// created more. Rows are pages, and the target page was there before.
		said := map[string]int{}
		for _, part := range strings.Split(m[1], ", ") {
			n, kind, _ := strings.Cut(part, " ")
			count, err := strconv.Atoi(n)
			if err != nil || count == 0 {
				t.Fatalf("%q in %q is not a count of objects", part, line)
			}
			said[strings.TrimSuffix(kind, "s")] = count
		}
		have := objectCounts(s)
		for kind, count := range map[string]int{
			"pages": said["page"] + said["row"], "blocks": said["block"], "databases": said["database"],
			"data sources": said["data source"], "comments": said["comment"],
		} {
			if kind == "pages" {
				count++
			}
			if count > have[kind] {
				t.Errorf("says more %s were created than the target holds (%d)", kind, have[kind])
			}
		}
		if said["page"] == 0 {
			t.Errorf("says no page was created, halfway through")
		}
		if m[2] != "" {
			uploads, _ := strconv.Atoi(m[2])
			if sent := uploadsSent(s); uploads > sent {
				t.Errorf("says %d files were uploaded; %d uploads reached Notion", uploads, sent)
			}
		}

		// The command as printed resumes the restore, the token coming
		// from the environment.
		t.Setenv("NOTION_TOKEN", emulator.DefaultToken)
		args := strings.Fields(m[4])[1:]
		args = append(args, "--rate", "1000")
		resumed := runArgs(stop.arm(t, 0), args...)
		if resumed.code != exitOK || !strings.Contains(resumed.stdout, "resumed") {
			t.Fatalf("the resume command: %s", resumed)
		}
		if got := objectCounts(s); !mapsEqual(got, want) {
			t.Errorf("interrupted and resumed, the target holds %v; restored at once, %v", got, want)
		}
	})
}

// uploadsSent counts the file uploads whose bytes reached Notion.
func uploadsSent(s *emulator.Server) int {
	n := 0
	for _, e := range s.Log() {
		if e.Method == "POST" && strings.HasSuffix(e.Path, "/send") {
			n++
		}
	}
	return n
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestRestoreInterruptionSaysOnlyWhatIsTrue pins the interrupt message:
// counts are lower bounds, writes left without an answer are counted apart
// from writes answered with an error, files count as uploaded (their blocks
// may not exist yet), and the resume command asks for the token where it
// will be read, never printing it.
func TestRestoreInterruptionSaysOnlyWhatIsTrue(t *testing.T) {
	const (
		page   = "0e3f9a52-7c4b-4d1e-9a86-5b2f1c0d7e41"
		commit = "7382fdb4a776"
		secret = "ntn_secret_of_the_flag"
	)
	appendKey := func(status int) notion.RequestKey {
		return notion.RequestKey{Method: "PATCH", Endpoint: "blocks/{id}/children", Status: status}
	}
	read := notion.RequestKey{Method: "GET", Endpoint: "pages/{id}", Status: 0}
	g := &Globals{Token: secret, APIURL: notion.DefaultBaseURL, NotionVersion: notion.DefaultVersion}
	c := &restoreCmd{Repo: "backup"}
	resume := "notion-git restore " + commit + " --to " + page + " --repo backup"

	for _, tc := range []struct {
		name string
		rep  *importer.Report
		want string
	}{{
		name: "creates answered, writes in flight",
		rep: &importer.Report{Pages: 16, Blocks: 122, Uploads: 6, Requests: notion.StatsSnapshot{Requests: map[notion.RequestKey]int{
			appendKey(200): 9, appendKey(0): 3, appendKey(400): 2, read: 4,
		}}},
		want: "interrupted after creating at least 16 pages, 122 blocks in page " + page +
			" and uploading 6 files (3 writes sent without an answer may have created more)",
	}, {
		name: "one of each, nothing in flight",
		rep:  &importer.Report{Pages: 1, Databases: 1, Blocks: 1, Uploads: 1},
		want: "interrupted after creating at least 1 page, 1 database, 1 block in page " + page + " and uploading 1 file",
	}, {
		name: "only uploads",
		rep:  &importer.Report{Uploads: 2},
		want: "interrupted after uploading 2 files for page " + page,
	}, {
		name: "one write without an answer",
		rep: &importer.Report{Requests: notion.StatsSnapshot{Requests: map[notion.RequestKey]int{
			appendKey(0): 1, appendKey(409): 2, read: 1,
		}}},
		want: "interrupted with 1 write to page " + page + " sent but not answered",
	}, {
		name: "writes answered with an error only",
		rep: &importer.Report{Requests: notion.StatsSnapshot{Requests: map[notion.RequestKey]int{
			appendKey(400): 2, read: 1,
		}}},
		want: "interrupted before anything was written to page " + page,
	}, {
		name: "a write carried out but not recorded",
		rep: &importer.Report{Requests: notion.StatsSnapshot{Requests: map[notion.RequestKey]int{
			appendKey(200): 1,
		}}},
		want: "interrupted after 1 write to page " + page + " whose results were not recorded",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := restoreInterruption(tc.rep, context.Canceled, g, c, page, commit, true)
			want := tc.want
			if !strings.HasPrefix(want, "interrupted before") {
				want += "; to resume where it stopped, run, with the same token in NOTION_TOKEN: " + resume
			}
			if got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}

	rep := &importer.Report{Pages: 2}
	said := "interrupted after creating at least 2 pages in page " + page + "; to resume where it stopped, run"
	for _, tc := range []struct{ env, want string }{
		{env: secret, want: said + ": " + resume},
		{env: "", want: said + ", with the same token in NOTION_TOKEN: " + resume},
		{env: "ntn_another_token", want: said + ", with the same token in NOTION_TOKEN: " + resume},
	} {
		t.Setenv("NOTION_TOKEN", tc.env)
		got := restoreInterruption(rep, context.Canceled, g, c, page, commit, true)
		if got != tc.want {
			t.Errorf("NOTION_TOKEN=%q:\ngot:\n%s\nwant:\n%s", tc.env, got, tc.want)
		}
		if strings.Contains(got, secret) {
			t.Errorf("the message shows the token: %s", got)
		}
	}
}
