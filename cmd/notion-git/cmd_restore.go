package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/importer"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

type restoreCmd struct {
	Revision string   `arg:"" help:"Snapshot to restore: any git revision (HEAD, HEAD~3, a tag, a commit hash)."`
	To       string   `placeholder:"PAGE" help:"Page (id or URL) to restore into; it must be shared with the integration. Required unless --demo."`
	Page     []string `placeholder:"PAGE_ID" help:"Only restore this page of the snapshot and everything below it; repeatable."`
	DryRun   bool     `name:"dry-run" help:"Print the plan (objects, requests, substitutions, time at the --rate budget) and write nothing."`
	Verify   bool     `help:"After restoring, sync the restored copy and compare it with the snapshot, type by type."`
	Demo     bool     `help:"Restore into a fresh in-process emulator workspace (run 'sync --demo' first to have a snapshot)."`
	Fresh    bool     `help:"Ignore the journal of an interrupted restore of this revision into this page and start over."`
	Repo     string   `short:"r" placeholder:"DIR" help:"Git repository holding the snapshots (default: the current directory, or ./notion-demo with --demo)."`
}

func (c *restoreCmd) Run(g *Globals, env *Env) error {
	_, err := runRestore(env.Ctx, g, c, env)
	return err
}

// runRestore is the restore command without the CLI around it; tests call it.
func runRestore(ctx context.Context, g *Globals, c *restoreCmd, env *Env) (*importer.Report, error) {
	started := time.Now()
	// The dry run counts from the same opened snapshot, one page at a
	// time, so it keeps to the same bound.
	defer limitRestoreMemory()()
	repoDir := repoDirFor(c.Repo, c.Demo)
	if !c.Demo && strings.TrimSpace(c.To) == "" {
		return nil, usageError{errors.New("--to PAGE is required: the page to restore into")}
	}
	target := workspace.EmptyTargetID
	if !c.Demo || c.To != "" {
		id, err := layout.ParseID(c.To)
		if err != nil {
			return nil, usageError{fmt.Errorf("--to %q: not a Notion page id or URL", c.To)}
		}
		target = id
	}
	for _, p := range c.Page {
		if _, err := layout.ParseID(p); err != nil {
			return nil, usageError{fmt.Errorf("--page %q: not a Notion page id or URL", p)}
		}
	}

	repo, err := gitrepo.Open(repoDir, gitrepo.OpenOptions{})
	if err != nil {
		if c.Demo && errors.Is(err, gitrepo.ErrNotRepository) {
			return nil, fmt.Errorf("no snapshot in %s: run 'notion-git sync --demo' first", repoDir)
		}
		return nil, err
	}
	commit, err := repo.Resolve(c.Revision)
	if err != nil {
		// Only a repository without commits wants a first demo sync; a
		// revision it does not know is a typo or a commit of elsewhere.
		if _, herr := repo.Resolve("HEAD"); c.Demo && herr != nil {
			return nil, fmt.Errorf("no snapshot %q in %s: it has no commits yet; run 'notion-git sync --demo' first", c.Revision, repoDir)
		}
		if errors.Is(err, gitrepo.ErrUnknownRevision) {
			return nil, fmt.Errorf("%w %q in %s ('notion-git log --repo %s' lists the syncs)", gitrepo.ErrUnknownRevision, c.Revision, repoDir, repoDir)
		}
		return nil, fmt.Errorf("revision %q: %w", c.Revision, err)
	}
	tree, err := repo.Snapshot(commit)
	if err != nil {
		return nil, err
	}
	if !tree.Has(layout.MetaPath) {
		return nil, fmt.Errorf("revision %q (%s) is not a notion-git snapshot: it has no %s", c.Revision, commit.String()[:12], layout.MetaPath)
	}
	// Opened, not decoded: every file is checked now, but a page's blocks
	// are decoded again only while the restore writes them, so memory holds
	// the plan and the pages in flight, not the snapshot.
	snap, err := layout.OpenSnapshot(tree)
	if err != nil {
		return nil, fmt.Errorf("revision %q: %w", c.Revision, err)
	}

	progress := newProgress(env.Stderr, g.Quiet)
	opts := importer.Options{Target: target, Pages: c.Page, Files: tree, Fresh: c.Fresh, Concurrency: g.Concurrency, Progress: progress.restoreUpdate}
	rate := g.Rate
	// Free workspaces with several members stop at a fixed number of
	// API-created blocks; the API cannot tell the plan, so say it before
	// anything is written.
	blocks, err := importer.BlocksToCreate(snap, opts)
	if err != nil {
		return nil, err
	}
	if c.DryRun {
		// The plan is counted, not rehearsed: a rehearsal would hold the
		// snapshot a second time, in the emulator.
		est, err := importer.EstimateRequests(snap, opts, g.NotionVersion)
		if err != nil {
			return nil, err
		}
		if !c.Demo {
			// Nothing is written, but the target is checked, so that the
			// real run does not fail on it.
			client, err := g.client()
			if err != nil {
				return nil, err
			}
			if _, err := client.Get(ctx, "pages/"+target, nil); err != nil {
				if errors.Is(err, context.Canceled) {
					return nil, interruptedError{"interrupted; dry run: nothing was written", err}
				}
				if notion.IsNotFound(err) {
					return nil, fmt.Errorf("target page %s does not exist or is not shared with the integration", target)
				}
				return nil, err
			}
		}
		printPlan(env, est, blocks, rate, c.Revision, commit.String()[:12])
		return est.Report, nil
	}
	if w := importer.FreeLimitWarning(blocks); w != "" && !g.Quiet {
		fmt.Fprintln(env.Stderr, w)
	}

	client, stop, err := restoreClient(g, c)
	if err != nil {
		return nil, err
	}
	defer stop()
	if !c.Demo {
		opts.Journal = filepath.Join(repo.GitDir(), "notion-git", "restore-"+target+"-"+commit.String()[:12]+".jsonl")
	}
	// Starting over instead of resuming is said even with --quiet: a user
	// who expected a resume gets a whole new copy.
	opts.Notice = func(line string) { fmt.Fprintf(env.Stderr, "notion-git: %s\n", line) }
	rep, err := importer.Restore(ctx, client, snap, opts)
	progress.done()
	if errors.Is(err, importer.ErrJournalStale) {
		// Nothing was written; the command that starts over is printed
		// whole, so that the choice is the user's and takes one paste.
		fresh := resumeCommand(g, c, target, commit.String()[:12]) + " --fresh"
		return rep, fmt.Errorf("%w; to start over: %s", err, fresh)
	}
	if errors.Is(err, context.Canceled) {
		return rep, interruptedError{restoreInterruption(rep, err, g, c, target, commit.String()[:12], opts.Journal != ""), err}
	}
	if err != nil {
		if opts.Journal != "" && rep != nil && !errors.Is(err, importer.ErrTarget) {
			// Exit 1 here does not mean nothing was written: say what was.
			if made := createdSoFar(rep); made != "" {
				return rep, fmt.Errorf("%w (this run had created %s in page %s; run the same command again to resume where it stopped)", err, made, target)
			}
			return rep, fmt.Errorf("%w (run the same command again to resume where it stopped)", err)
		}
		return rep, err
	}
	rep.Duration = time.Since(started)
	if !g.Quiet {
		fmt.Fprintf(env.Stdout, "%s %s into page %s: %s\n", c.Revision, commit.String()[:12], target, rep.Summary())
		if d := rep.Details(); d != "" && g.Verbose {
			fmt.Fprint(env.Stdout, d)
		}
	}
	if g.Verbose {
		fmt.Fprint(env.Stderr, rep.Requests.String())
	}
	if c.Verify {
		err := verifyRestore(ctx, client, snap, opts, rep, env, g)
		if errors.Is(err, context.Canceled) {
			return rep, interruptedError{"interrupted while verifying; the restore itself finished (see above)", err}
		}
		return rep, err
	}
	return rep, nil
}

// restoreInterruption says what an interrupted restore wrote into the target
// page and, when a journal was kept, the command that resumes it. The
// command names the commit rather than the revision given: the journal
// belongs to the commit, and a revision such as HEAD moves with the next
// sync.
//
// The counts are of objects whose creation Notion answered; they are lower
// bounds, since a write Notion carried out as the run stopped may have lost
// its answer, and the writes left without one are counted apart.
func restoreInterruption(rep *importer.Report, err error, g *Globals, c *restoreCmd, target, commit string, journal bool) string {
	created, uploads, unanswered, resumed := "", 0, 0, 0
	if rep != nil {
		created, uploads, unanswered, resumed = createdSoFar(rep), rep.Uploads, writesUnanswered(rep.Requests), rep.Resumed
	}
	var what string
	switch {
	case created != "" || uploads > 0:
		var done []string
		if created != "" {
			done = append(done, fmt.Sprintf("creating at least %s in page %s", created, target))
		}
		if uploads > 0 {
			done = append(done, "uploading "+plural(uploads, "file"))
		}
		what = "interrupted after " + strings.Join(done, " and ")
		if created == "" {
			what += " for page " + target
		}
		if unanswered > 0 {
			what += fmt.Sprintf(" (%s sent without an answer may have created more)", plural(unanswered, "write"))
		}
	case unanswered > 0:
		what = fmt.Sprintf("interrupted with %s to page %s sent but not answered", plural(unanswered, "write"), target)
	case resumed > 0:
		what = fmt.Sprintf("interrupted after finding %d steps done by an earlier run, before writing more to page %s", resumed, target)
	case rep != nil && writesCarriedOut(rep.Requests) > 0:
		what = fmt.Sprintf("interrupted after %s to page %s whose results were not recorded", plural(writesCarriedOut(rep.Requests), "write"), target)
	default:
		return fmt.Sprintf("interrupted before anything was written to page %s", target)
	}
	switch {
	case !journal:
		return what + "; the demo workspace it wrote into is gone with this run"
	case errors.Is(err, importer.ErrJournal):
		return what + "; the restore journal could not be saved, so a rerun may create again what this run created: " + oneLine(err)
	}
	// The token is never printed: a resume reads it from NOTION_TOKEN, where
	// it already is unless it came with --token.
	if g.Token != "" && os.Getenv("NOTION_TOKEN") != g.Token {
		return what + "; to resume where it stopped, run, with the same token in NOTION_TOKEN: " + resumeCommand(g, c, target, commit)
	}
	return what + "; to resume where it stopped, run: " + resumeCommand(g, c, target, commit)
}

// createdSoFar lists the objects a restore report counts as created, such
// as "3 pages, 1 database, 120 blocks"; "" when there are none. Uploads are
// not among them: a file counts when its bytes are uploaded, which comes
// before the block that holds it.
func createdSoFar(rep *importer.Report) string {
	var parts []string
	for _, n := range []struct {
		count int
		noun  string
	}{
		{rep.Pages, "page"}, {rep.Rows, "row"}, {rep.Databases, "database"},
		{rep.DataSources, "data source"}, {rep.Blocks, "block"}, {rep.Comments, "comment"},
	} {
		if n.count > 0 {
			parts = append(parts, plural(n.count, n.noun))
		}
	}
	return strings.Join(parts, ", ")
}

// writesUnanswered counts the writes sent that got no answer: each may or
// may not have changed Notion. A write answered with an error is not among
// them.
func writesUnanswered(s notion.StatsSnapshot) int {
	n := 0
	for k, count := range s.Requests {
		if k.Writes() && k.Status == 0 {
			n += count
		}
	}
	return n
}

// writesCarriedOut counts the writes Notion answered with success.
func writesCarriedOut(s notion.StatsSnapshot) int {
	n := 0
	for k, count := range s.Requests {
		if k.Writes() && k.Status/100 == 2 {
			n += count
		}
	}
	return n
}

// resumeCommand is the command line that runs the same restore again, which
// the journal turns into a resume. Settings that only pace the run are left
// out, and so is --fresh, which would start over; the token never shows.
func resumeCommand(g *Globals, c *restoreCmd, target, commit string) string {
	args := []string{"notion-git", "restore", commit, "--to", target}
	for _, p := range c.Page {
		args = append(args, "--page", p)
	}
	if c.Repo != "" {
		args = append(args, "--repo", c.Repo)
	}
	if c.Verify {
		args = append(args, "--verify")
	}
	if g.APIURL != notion.DefaultBaseURL {
		args = append(args, "--api-url", g.APIURL)
	}
	if g.NotionVersion != notion.DefaultVersion {
		args = append(args, "--notion-version", g.NotionVersion)
	}
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return strings.Join(args, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// restoreClient returns the Notion client; with --demo an emulator
// holding only an empty page to restore into.
func restoreClient(g *Globals, c *restoreCmd) (*notion.Client, func(), error) {
	if c.Demo {
		return demoRestoreClient(g)
	}
	client, err := g.client()
	return client, func() {}, err
}

// verifyRestore syncs the restored copy into memory and compares it. The
// copy is held whole; the snapshot's side is read page by page.
func verifyRestore(ctx context.Context, client *notion.Client, snap *layout.Snapshot, opts importer.Options, rep *importer.Report, env *Env, g *Globals) error {
	tree := exporter.MemoryTree{}
	if _, err := exporter.Sync(ctx, client, nil, tree, exporter.Options{
		Roots: []string{opts.Target}, Comments: exporter.CommentsAll, Full: true, Concurrency: g.Concurrency,
	}); err != nil {
		return fmt.Errorf("verify: sync the restored copy: %w", err)
	}
	got, err := layout.DecodeSnapshot(layout.MapSource(tree))
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	fid, err := importer.Verify(snap, opts, rep, got)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	fmt.Fprintf(env.Stdout, "fidelity of the restored copy (equal/compared, ids, times and authors aside):\n%s", fid)
	if bad := fid.Unexpected(); len(bad) > 0 {
		for _, b := range bad {
			fmt.Fprintln(env.Stderr, "differs:", b)
		}
		return partialError{fmt.Errorf("restored, but %s of objects differ from the snapshot (see above)", pluralWord(len(bad), "kind", "kinds"))}
	}
	return nil
}

func printPlan(env *Env, est *importer.Estimate, blocks int, rate float64, rev, commit string) {
	r := est.Report
	fmt.Fprintf(env.Stdout, "plan for restoring %s (%s): %s, %s, %s (%s, %s), %s, %s, %s\n",
		rev, commit, plural(r.Pages, "page"), plural(r.Rows, "row"), plural(r.Databases, "database"), plural(r.DataSources, "data source"),
		plural(r.Views, "view"), plural(r.Blocks, "block"), plural(r.Comments, "comment"), plural(r.Uploads, "attachment"))
	fmt.Fprintf(env.Stdout, "blocks to create through the API: %d (pages and databases included)\n", blocks)
	if w := importer.FreeLimitWarning(blocks); w != "" {
		fmt.Fprintln(env.Stdout, w)
	}
	fmt.Fprintf(env.Stdout, "requests: at most %d (%d writes), counted from the plan, about %s at %g requests/s (retries aside):\n%s", est.Total, est.Writes, est.Duration(rate), rate, est)
	if d := r.Details(); d != "" {
		fmt.Fprintf(env.Stdout, "not restored exactly:\n%s", d)
	}
	fmt.Fprintln(env.Stdout, "dry run: nothing was written")
}

// restoreUpdate shows a restore's progress on a terminal.
func (p *progress) restoreUpdate(s importer.Progress) {
	p.show(s.Done >= s.Total, "restore %s: %d/%d objects, %d requests", s.Phase, s.Done, s.Total, s.Requests)
}
