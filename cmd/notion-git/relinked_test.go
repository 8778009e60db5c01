package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
	"github.com/notion-git/notion-git/review"
)

// sectionHead matches the head of a list of pages in a commit's body.
var sectionHead = regexp.MustCompile(`(?m)^(Added|Removed|Renamed|Moved|Changed)( \([0-9,]+\))?:$`)

// linkers are the pages whose README links to page id's, in tree.
func linkers(tree map[string][]byte, id string) []string {
	var out []string
	for p, b := range tree {
		info, ok := layout.ParsePath(p)
		if ok && info.Kind == layout.PathPageReadme && info.PageID != id && strings.Contains(string(b), layout.PageReadmePath(id)) {
			out = append(out, info.PageID)
		}
	}
	slices.Sort(out)
	return out
}

// TestRenameOfALinkedPage: renaming a page that others link to rewrites
// their READMEs, with the new title in each link, and nothing else of
// them. The commit names the renamed page alone and counts the others in
// one line, as the trailers count one page changed; diff shows their
// README hunks under a heading that says why, and diff --json keeps them
// apart from the pages that changed.
func TestRenameOfALinkedPage(t *testing.T) {
	t.Parallel()
	f := workspace.Generate(workspace.Small())
	e := startEmulator(t, f, emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)

	// The database row most pages link to (through relations and
	// mentions): a row has no child_page block in a parent page, so its
	// rename changes no other page's files but their READMEs.
	tree := headTree(t, dir)
	var renamed string
	var links []string
	for _, p := range f.Pages {
		id := p["id"].(string)
		if parent := p["parent"].(map[string]any); parent["type"] != "data_source_id" {
			continue
		}
		if l := linkers(tree, id); len(l) > len(links) || len(l) == len(links) && id < renamed {
			renamed, links = id, l
		}
	}
	if len(links) < 2 {
		t.Fatalf("no row of the generated workspace is linked from 2 pages (best %s, %d)", renamed, len(links))
	}
	if err := e.SetTitle(renamed, "Renamed row"); err != nil {
		t.Fatal(err)
	}
	summary := filepath.Join(t.TempDir(), "summary.md")
	e.sync(t, dir, exitOK, "--step-summary", summary)

	msg := message(t, dir, "HEAD")
	subject, body, _ := strings.Cut(msg, "\n")
	if !strings.HasPrefix(subject, `Sync Notion: "`) || !strings.HasSuffix(subject, `" renamed to "Renamed row"`) {
		t.Errorf("subject %q, want the renamed page alone", subject)
	}
	wantLines(t, "message", msg, "Renamed:", fmt.Sprintf("Links to renamed pages updated in %d pages.", len(links)))
	if heads := sectionHead.FindAllString(body, -1); !slices.Equal(heads, []string{"Renamed:"}) {
		t.Errorf("the body lists %v, want the rename alone:\n%s", heads, msg)
	}
	if tr, ok := review.ParseTrailers(msg); !ok || tr.PagesChanged != 1 || tr.PagesAdded != 0 || tr.PagesRemoved != 0 {
		t.Errorf("trailers %+v, %v; want 1 page changed", tr, ok)
	}
	changed := git(t, dir, "diff", "--name-only", "HEAD~1", "HEAD")
	for _, id := range links {
		if !strings.Contains(changed, layout.PageReadmePath(id)) || strings.Contains(changed, layout.PageDir(id)+"/blocks/") || strings.Contains(changed, layout.PagePath(id)) {
			t.Errorf("page %s: want its README alone changed, got:\n%s", id, changed)
		}
	}
	s := readSummary(t, summary)
	wantInSummary(t, s, "### Pages changed (1)\n", "- renamed from **",
		fmt.Sprintf("The READMEs of %s were written again for the titles or names they show.\n", plural(len(links), "more page")))
	if n := strings.Count(s, "\n- "); n != 1 {
		t.Errorf("the summary lists %d pages, want the renamed one:\n%s", n, s)
	}

	var doc diffDoc
	raw := runReview(t, "diff", "--repo", dir, "--json")
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("diff --json: %v\n%s", err, raw)
	}
	if len(doc.Pages) != 1 || doc.Pages[0].ID != renamed || !slices.Equal(doc.Pages[0].Changes, []string{"renamed"}) {
		t.Errorf("diff --json pages: %+v, want the renamed row alone", doc.Pages)
	}
	var relinked []string
	for _, p := range doc.Relinked {
		relinked = append(relinked, p.ID)
		if !slices.Equal(p.Changes, []string{"relinked"}) || len(p.Hunks) == 0 || p.LinesAdded == 0 || p.OldTitle != p.NewTitle {
			t.Errorf("diff --json relinked page %s: changes %v, %d hunks, +%d", p.ID, p.Changes, len(p.Hunks), p.LinesAdded)
		}
	}
	slices.Sort(relinked)
	if !slices.Equal(relinked, links) {
		t.Errorf("diff --json relinked %v, want the pages that link to the row %v", relinked, links)
	}
	if doc.FormatUpgrade != nil {
		t.Errorf("diff --json reports a format upgrade: %+v", doc.FormatUpgrade)
	}

	out := runReview(t, "diff", "--repo", dir)
	one := doc.Relinked[0]
	wantLines(t, "diff", out,
		fmt.Sprintf("links updated: %s (%s)", quoted(one.Title), one.ID),
		fmt.Sprintf("links updated: %s (a page it links to was renamed) (%s)", quoted(one.Title), one.ID),
		"--- a/"+layout.PageReadmePath(one.ID),
		"+++ b/"+layout.PageReadmePath(one.ID),
	)
	if !strings.Contains(out, "{+Renamed row+}") {
		t.Errorf("diff does not mark the new title in the links:\n%s", out)
	}
	if strings.Contains(out, "changed: ") {
		t.Errorf("diff lists a page that only links to the renamed one as changed:\n%s", out)
	}
	stat := runReview(t, "diff", "--repo", dir, "--stat")
	wantLines(t, "diff --stat", stat, "1 page changed (0 added, 0 removed), 1 line added, 1 removed",
		fmt.Sprintf("%d more pages whose README alone changed (links updated)", len(links)))

	// log names the one page changed too.
	var entries []logEntry
	if err := json.Unmarshal([]byte(runReview(t, "log", "--repo", dir, "--json", "-n", "1")), &entries); err != nil || len(entries) != 1 ||
		len(entries[0].Pages) != 1 || entries[0].Pages[0].ID != renamed {
		t.Errorf("log --json of the rename: %v, %+v", err, entries)
	}
}

// TestFormatUpgradeCommit: the sync that upgrades a repository of format 1
// (attachments without an extension) to format 2 says so in its subject,
// and with nothing changed in Notion names no page: the README that links
// the attachment under its new name is rendered again, not changed.
func TestFormatUpgradeCommit(t *testing.T) {
	t.Parallel()
	f := basicFixture(t)
	e := startEmulator(t, f, emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)

	// Make HEAD what a format 1 notion-git wrote, as exporter's upgrade
	// test does: the attachment without its extension, READMEs linking
	// that name, format_version 1.
	sum := sha256.Sum256(f.Files["diagram.png"])
	sha := hex.EncodeToString(sum[:])
	git(t, dir, "mv", layout.FilePathExt(sha, "png"), layout.FilePath(sha))
	for p, b := range headTree(t, dir) {
		switch {
		case p == layout.MetaPath:
			b = []byte(strings.Replace(string(b), `"format_version": 2`, `"format_version": 1`, 1))
		case strings.HasSuffix(p, "/README.md") || p == layout.IndexPath:
			b = []byte(strings.ReplaceAll(string(b), sha+".png", sha))
		default:
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(t, dir, "add", "-A")
	git(t, dir, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-q", "-m", "format 1")
	if err := os.Remove(filepath.Join(dir, ".git", filepath.FromSlash(localStateFile))); err != nil {
		t.Fatal(err)
	}

	e.sync(t, dir, exitOK)
	if b := headFile(t, dir, layout.MetaPath); !strings.Contains(string(b), fmt.Sprintf(`"format_version": %d`, layout.FormatVersion)) {
		t.Fatalf("the sync did not upgrade the repository:\n%s", b)
	}
	msg := message(t, dir, "HEAD")
	subject, _, _ := strings.Cut(msg, "\n")
	if want := fmt.Sprintf("Sync Notion: layout upgraded to format %d", layout.FormatVersion); subject != want {
		t.Errorf("subject %q, want %q:\n%s", subject, want, msg)
	}
	wantLines(t, "message", msg, "Layout upgraded from format 1 to format 2; the READMEs of 1 page rendered again.")
	if sectionHead.MatchString(msg) || strings.Contains(msg, "Links to") {
		t.Errorf("the upgrade's message lists pages:\n%s", msg)
	}

	out := runReview(t, "diff", "--repo", dir)
	wantLines(t, "diff", out,
		"layout upgraded from format 1 to format 2",
		"no change in Notion",
		fmt.Sprintf(`rendered again: "Onboarding" (%s)`, onboardingID),
		fmt.Sprintf(`rendered again: "Onboarding" (layout upgraded to format 2) (%s)`, onboardingID),
	)
	if !strings.Contains(out, sha+"{+.png+}") {
		t.Errorf("diff does not show the attachment's new name:\n%s", out)
	}
	var doc diffDoc
	if err := json.Unmarshal([]byte(runReview(t, "diff", "--repo", dir, "--json")), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.FormatUpgrade == nil || *doc.FormatUpgrade != (diffFormatDoc{From: 1, To: 2}) || len(doc.Pages) != 0 || len(doc.Relinked) != 1 {
		t.Errorf("diff --json of the upgrade: format %+v, %d pages, %d relinked", doc.FormatUpgrade, len(doc.Pages), len(doc.Relinked))
	}
}
