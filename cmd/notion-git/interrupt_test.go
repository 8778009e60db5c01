package main

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

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
		m := regexp.MustCompile(`^notion-git: interrupted after creating (.+) in page ` + workspace.EmptyTargetID +
			`; to resume where it stopped, run: (notion-git restore [0-9a-f]{12} --to ` + workspace.EmptyTargetID + ` --repo \S+ --api-url \S+)$`).FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("stderr does not say what was written and how to resume:\n%s", line)
		}
		// Each count is of objects Notion answered for; a create in flight
		// when the run stopped may have landed too. Rows are pages, and the
		// target page was there before.
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

		args := strings.Fields(m[2])[1:]
		args = append(args, "--token", emulator.DefaultToken, "--rate", "1000")
		resumed := runArgs(stop.arm(t, 0), args...)
		if resumed.code != exitOK || !strings.Contains(resumed.stdout, "resumed") {
			t.Fatalf("the resume command: %s", resumed)
		}
		if got := objectCounts(s); !mapsEqual(got, want) {
			t.Errorf("interrupted and resumed, the target holds %v; restored at once, %v", got, want)
		}
	})
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
