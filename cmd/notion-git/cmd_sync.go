package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

type syncCmd struct {
	Repo        string        `short:"r" placeholder:"DIR" help:"Git repository to commit into; created if missing (default: the current directory, or ./notion-demo with --demo)."`
	Branch      string        `help:"Branch to commit to (default: the checked-out branch, or main in a new repository); another branch than the checked-out one leaves the working tree alone."`
	Bare        bool          `help:"Create the repository bare if it does not exist."`
	Demo        bool          `help:"Sync the bundled sample workspace from an in-process Notion emulator: no token needed."`
	DryRun      bool          `name:"dry-run" help:"Crawl and report what would change, but write nothing."`
	Message     string        `short:"m" help:"First line of the commit message (default: a summary of the changes)."`
	Report      string        `placeholder:"FILE.json" help:"Write the sync's counts as JSON to this file; - is stdout, as with --json."`
	JSON        bool          `name:"json" help:"Print the sync's report as one JSON document on stdout (the --report counts, with status, commit and branch); what it says for people goes to stderr."`
	Root        []string      `placeholder:"PAGE_ID" help:"Only sync this page (id or URL) and everything below it; repeatable. The repository's .notion-git/scope.json can narrow further."`
	Comments    string        `enum:"none,pages,all" default:"all" help:"Comments to keep: none; pages (on pages only); all (the default: also on blocks, read at once for pages that changed and by the comment sweep for the rest)."`
	UserEmails  bool          `name:"user-emails" help:"Keep people's email addresses in the users' files (off: backup repos get shared)."`
	MaxFileSize byteSize      `name:"max-file-size" default:"95MiB" help:"Largest attachment to store; larger ones are recorded as skipped (default stays under GitHub's 100 MB file limit)."`
	External    bool          `name:"download-external" help:"Also store the bytes of external (non-Notion) files, not just their links."`
	Full        bool          `help:"Crawl every page, not only what changed since the last sync."`
	Refresh     time.Duration `name:"refresh-period" default:"2160h" placeholder:"D" help:"Crawl every page again within D (default 90 days) even if Notion shows it unchanged; pages whose text follows other pages or people, within D/4; 0 turns the refresh off."`
	Sweep       time.Duration `name:"comment-sweep-period" default:"3600h" placeholder:"D" help:"Read the comments of pages that did not change again within D (default 150 days), a slice each run; 0 turns the sweep off (a full sync then reads every block's comments at once)."`
	AllowShrink bool          `name:"allow-shrink" help:"Commit even if the snapshot loses more than half of its pages."`
	Push        bool          `env:"NOTION_GIT_PUSH" help:"Start from the remote branch's tip and push the branch after committing (never forced; redone on top when another run pushed first). The token comes from GITHUB_TOKEN (for the host of GITHUB_SERVER_URL) or GIT_TOKEN (user GIT_USERNAME), over https or to this machine."`
	Remote      string        `default:"origin" env:"NOTION_GIT_REMOTE" placeholder:"NAME|URL" help:"Remote to push to with --push: a configured remote's name or a URL without credentials."`

	MaxDuration time.Duration `name:"max-duration" env:"NOTION_GIT_MAX_DURATION" placeholder:"D" help:"Stop the crawl cleanly before D (e.g. 5h50m) and keep what it crawled as a checkpoint outside the branch; exit 5 says run again to continue."`
	// CheckpointEvery and CheckpointBudget are exporter.Options'
	// CheckpointInterval and CheckpointBudget; bench/ scales them with
	// Notion's pace.
	CheckpointEvery  time.Duration `name:"checkpoint-interval" hidden:"" default:"1m" help:"Least time between two checkpoints of a long crawl."`
	CheckpointBudget float64       `name:"checkpoint-budget" hidden:"" default:"0.03" help:"Share of the crawl's time checkpoints may take."`

	StepSummary string       `name:"step-summary" env:"NOTION_GIT_STEP_SUMMARY" placeholder:"FILE" help:"Append what the run did, in Markdown, to FILE (a GitHub Actions job summary: $GITHUB_STEP_SUMMARY), whether it succeeds or not."`
	Keepalive   longDuration `name:"keepalive" env:"NOTION_GIT_KEEPALIVE" placeholder:"D" help:"When nothing changed and the branch's last commit is older than D (e.g. 50d), commit the same snapshot again, so that a scheduled workflow sees activity (GitHub disables schedules after 60 days without any)."`
	// summary is what --step-summary needs to know of the run.
	summary runSummary

	// failpoint is handed to the repository (gitrepo.OpenOptions.Failpoint):
	// tests stop or fail a sync's publication with it.
	failpoint func(gitrepo.Failpoint) error
	// resumed says the crawl went on from a checkpoint, not the branch.
	resumed bool
	// boxStart, when set, is when the --max-duration box began: the
	// start of sync --push, whose attempts share one box.
	boxStart time.Time
	// lastCompared is the last comparison of two trees (compareTrees).
	lastCompared *compared
	// onCommit is called once the branch has moved: from then on, the
	// run has committed.
	onCommit func()
	// committed is the commit the run moved the branch to, and kept the
	// last report it wrote, for --json (syncjson.go).
	committed plumbing.Hash
	kept      *exporter.Report
	// jsonReport is the report of the last sync, for the document
	// syncAndPush prints after the push.
	jsonReport *exporter.Report
}

func (c *syncCmd) Run(g *Globals, env *Env) error {
	var err error
	if c.Push {
		err = syncAndPush(env.Ctx, g, c, env)
	} else {
		_, err = runSync(env.Ctx, g, c, env)
	}
	c.writeStepSummary(env, err)
	return err
}

// runSync is the sync command without the CLI around it; tests call it.
func runSync(ctx context.Context, g *Globals, c *syncCmd, env *Env) (report *exporter.Report, err error) {
	started := env.now()
	// The time box runs from the start of the command: a push that makes
	// the sync again on the remote's tip (push.go) shares it.
	boxStart := started
	if !c.boxStart.IsZero() {
		boxStart = c.boxStart
	}
	env, finishJSON := c.jsonOutput(env)
	defer func() { err = finishJSON(report, err) }()
	if c.MaxDuration < 0 {
		return nil, usageError{errors.New("--max-duration must not be negative")}
	}
	if c.Refresh < 0 {
		return nil, usageError{errors.New("--refresh-period must not be negative (0 turns the refresh off)")}
	}
	if c.Sweep < 0 {
		return nil, usageError{errors.New("--comment-sweep-period must not be negative (0 turns the sweep off)")}
	}
	if c.MaxDuration > 0 && c.DryRun {
		return nil, usageError{errors.New("--max-duration cannot be used with --dry-run: a dry run keeps nothing for a next run to continue from")}
	}
	repoDir := repoDirFor(c.Repo, c.Demo)
	roots := make([]string, 0, len(c.Root))
	for _, r := range c.Root {
		id, err := layout.ParseID(r)
		if err != nil {
			return nil, usageError{fmt.Errorf("--root %q: not a Notion page id or URL", r)}
		}
		roots = append(roots, id)
	}

	client, stop, err := syncClient(g, c)
	if err != nil {
		return nil, err
	}
	defer stop()
	if c.MaxDuration > 0 {
		// A Retry-After longer than what is left of the time box stops
		// the run at once rather than outlasting it.
		client.SetDeadline(boxStart.Add(c.MaxDuration))
	}

	kept := false // the run committed, or kept a checkpoint
	repo, err := gitrepo.Open(repoDir, gitrepo.OpenOptions{Bare: c.Bare, Branch: c.Branch, Failpoint: c.failpoint})
	if errors.Is(err, gitrepo.ErrNotRepository) {
		if c.DryRun {
			// A dry run into a repository that does not exist yet reports
			// what a first sync would write, and creates nothing.
			return dryRunFirstSync(ctx, g, c, env, client, roots)
		}
		// A first sync that fails before its commit, and before it kept a
		// checkpoint, leaves the folder as it found it.
		undo, uerr := noteCreation(repoDir)
		if uerr != nil {
			return nil, uerr
		}
		defer func() {
			if err != nil && !kept {
				err = errors.Join(err, undo())
			}
		}()
		c.onCommit = func() { kept = true }
		repo, err = gitrepo.Open(repoDir, gitrepo.OpenOptions{Create: true, Bare: c.Bare, Branch: c.Branch, Failpoint: c.failpoint})
	}
	if err != nil {
		return nil, err
	}
	if !c.DryRun {
		// Whatever stopped the last run, what its writes left is removed,
		// and if it stopped after its branch moved, the working tree is
		// brought up to date before this run compares against it.
		if err := repo.RemoveStaleFiles(); err != nil {
			return nil, err
		}
		if _, err := repo.FinishRefresh(); err != nil {
			return nil, withEditHint(err)
		}
	}
	if c.Branch, err = syncBranch(repo, c.Branch); err != nil {
		return nil, err
	}
	head, _, err := repo.Head(c.Branch)
	if err != nil {
		return nil, err
	}
	c.summary.base, c.summary.opened = head, true
	if head.IsZero() || c.Full {
		// The whole workspace is crawled: see fullSyncMemoryLimit.
		defer limitFullSyncMemory()()
	}
	prev, err := repo.LazySnapshot(head)
	if err != nil {
		return nil, err
	}
	if !head.IsZero() && !prev.Has(layout.MetaPath) && !onlyOwnerFiles(prev) {
		return nil, fmt.Errorf("branch %s of %s holds files but no %s: not a notion-git snapshot; use an empty repository or another --branch", c.Branch, repoDir, layout.MetaPath)
	}
	var scope *exporter.Scope
	if prev.Has(layout.ScopePath) {
		b, err := prev.Read(layout.ScopePath)
		if err != nil {
			return nil, err
		}
		if scope, err = exporter.ParseScope(b); err != nil {
			return nil, err
		}
	}
	state, inTree := loadLocalState(repo.GitDir(), head)
	tip := &branchState{head: prev}
	if inTree {
		tip.known, tip.loaded = state, true
	}

	var sink exporter.Sink
	var builder *gitrepo.TreeBuilder
	var ckpt *syncCheckpoint // nil in a dry run, which keeps nothing
	crawlFrom := prev
	opts := exporter.Options{
		Roots: roots, Scope: scope, Comments: c.Comments, UserEmails: c.UserEmails,
		MaxFileSize: int64(c.MaxFileSize), DownloadExternal: c.External, Full: c.Full,
		RefreshPeriod: c.Refresh, CommentSweepPeriod: c.Sweep, Concurrency: g.Concurrency,
		Now: env.Now, CheckpointInterval: c.CheckpointEvery, CheckpointBudget: c.CheckpointBudget,
	}
	if c.MaxDuration > 0 {
		opts.StopAt = boxStart.Add(c.MaxDuration)
	}
	if c.DryRun {
		sink = &countingSink{}
	} else {
		if ckpt, err = openCheckpoint(repo, g, c, roots, tip, env.Stderr); err != nil {
			return nil, err
		}
		crawlFrom, state = ckpt.from(prev, state)
		c.resumed = crawlFrom.Commit() != prev.Commit()
		if builder, err = repo.NewTreeBuilder(crawlFrom.Commit()); err != nil {
			return nil, err
		}
		// A first sync's checkout moves the files it wrote into place
		// rather than reading them back from the packs.
		if err := builder.StageCheckout(c.Branch); err != nil {
			return nil, err
		}
		if err := ckpt.attach(builder); err != nil {
			return nil, err
		}
		sink, opts.Checkpoint = builder, ckpt.write
	}
	opts.State = state
	progress := newProgress(env.Stderr, g.Quiet)
	g.waits.attach(progress)
	opts.Progress = progress.update
	res, err := exporter.Sync(ctx, client, crawlFrom, sink, opts)
	progress.done()
	if res != nil {
		c.summary.report = res.Report
	}
	var inc *exporter.IncompleteError
	if errors.As(err, &inc) {
		// The checkpoint holds the progress: a first sync's repository
		// stays for the next run to continue.
		kept = true
		if res != nil {
			if err := c.saveReport(res.Report); err != nil {
				return res.Report, err
			}
		}
		return nil, incompleteSync(inc, env.now().Sub(started), c.DryRun)
	}
	if err != nil {
		if ckpt.holds() {
			// What the checkpoints kept is progress the next run goes on
			// from, even on a first sync that failed.
			kept = true
			err = checkpointKept{fmt.Errorf("%w (what was crawled before is kept as a checkpoint; the next sync continues from it)", err)}
		}
		return nil, err
	}
	report = res.Report
	report.Duration = env.now().Sub(started)

	if shrinks(report) && !c.AllowShrink {
		return report, fmt.Errorf("refusing to commit: the snapshot would lose %d of its %d pages (%s); if that is right, run again with --allow-shrink",
			report.Pages.Removed, report.Pages.Previous, removedNames(report.Removed, 5))
	}

	outcome := ""
	committed := false    // this run moved the branch
	var unrefreshed error // committed, but the working tree lags behind
	switch {
	case c.DryRun:
		outcome = fmt.Sprintf("dry run: %s would be written, %s removed; nothing was written",
			plural(sink.(*countingSink).puts, "file"), pluralWord(sink.(*countingSink).deletes, "folder or file", "folders or files"))
	default:
		commitStart := time.Now()
		commit, changed, err := commitSync(repo, builder, prev, tip, c, res, env.Stderr)
		keptAlive := false
		if err == nil && !changed {
			commit, keptAlive, err = keepAlive(repo, prev, c, report, env.now())
			changed = keptAlive
		}
		report.Commit = time.Since(commitStart)
		if errors.As(err, new(worktreeError)) {
			unrefreshed, err = err, nil
		}
		if err != nil {
			return report, err
		}
		base := head
		committed = changed
		if changed {
			base = commit
			c.committed = commit
			outcome = fmt.Sprintf("committed %s on %s", commit.String()[:12], c.Branch)
			if keptAlive {
				outcome = fmt.Sprintf("no change in Notion; committed %s on %s to keep the schedule alive", commit.String()[:12], c.Branch)
			}
		} else {
			outcome = "no change in Notion: no commit"
		}
		// The commit holds this state's objects; a run without one may
		// have changed none of them (unchanged objects keep their entries).
		inTree := changed && !keptAlive || tip.loaded && tip.err == nil && sameObjects(tip.known, res.State)
		if err := saveLocalState(repo.GitDir(), base, res.State, inTree); err != nil {
			if !changed {
				return report, fmt.Errorf("keep the sync state: %w", err)
			}
			// The commit holds the state too, and the next sync falls back
			// to it: the run did its job, and its exit code says so.
			fmt.Fprintf(env.Stderr, "notion-git: could not keep the sync state beside the repository (%v); the next sync reads it from the commit\n", oneLine(err))
		}
		// The branch holds the complete snapshot: no checkpoint to go on
		// from. One left behind is harmless: the next sync sets aside a
		// checkpoint of an older branch tip.
		if err := ckpt.discard(); err != nil {
			if !changed {
				return report, err
			}
			fmt.Fprintf(env.Stderr, "notion-git: could not delete the checkpoint (%v); the next sync sets it aside\n", oneLine(err))
		}
	}
	if err := c.saveReport(report); err != nil {
		if !committed {
			return report, err
		}
		// The commit is made: the exit code says so, and the line
		// says what is missing.
		fmt.Fprintf(env.Stderr, "notion-git: the sync committed, but %v\n", oneLine(err))
	}
	if g.Verbose {
		fmt.Fprint(env.Stderr, report.Requests.String())
	}
	if !g.Quiet {
		fmt.Fprintf(env.Stdout, "%s; %s\n", report.Summary(), outcome)
		for _, e := range report.Errors {
			fmt.Fprintf(env.Stderr, "could not read %s %s: %s\n", e.Kind, e.ID, e.Reason)
		}
		if c.Demo {
			printDemoNext(env, repoDir)
		}
	}
	if unrefreshed != nil {
		return report, unrefreshed
	}
	if report.Partial() {
		return report, partialError{fmt.Errorf("%d objects could not be read and kept their previous version (see above)", len(report.Errors))}
	}
	return report, nil
}

// syncBranch is the branch a sync commits to: --branch, else the branch HEAD
// points at (the checked-out one, or a bare repository's default branch),
// else main.
func syncBranch(repo *gitrepo.Repo, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	branch, ok, err := repo.CurrentBranch()
	if err != nil {
		return "", err
	}
	if !ok {
		if repo.Bare() {
			return gitrepo.DefaultBranch, nil
		}
		return "", errors.New("HEAD is detached: check out the branch to sync into, or pass --branch")
	}
	return branch, nil
}

// noteCreation records what dir holds before a repository is created in it
// and returns the function that removes what was added since: dir itself
// and the folders above it that did not exist, or else the entries of dir
// that are new. A folder that existed before is never removed.
func noteCreation(dir string) (undo func() error, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	// The highest folder of abs that does not exist yet, if any.
	created := ""
	for p := abs; ; p = filepath.Dir(p) {
		if _, err := os.Lstat(p); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		created = p
		if filepath.Dir(p) == p {
			break
		}
	}
	if created != "" {
		return func() error { return os.RemoveAll(created) }, nil
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return nil, err
	}
	before := make(map[string]bool, len(entries))
	for _, e := range entries {
		before[e.Name()] = true
	}
	return func() error {
		entries, err := os.ReadDir(abs)
		if err != nil {
			return err
		}
		var errs []error
		for _, e := range entries {
			if !before[e.Name()] {
				errs = append(errs, os.RemoveAll(filepath.Join(abs, e.Name())))
			}
		}
		return errors.Join(errs...)
	}, nil
}

// onlyOwnerFiles reports whether a branch holds nothing but the owner's
// dot-files (the workflow that 'notion-git init --github' commits), which a
// first sync keeps beside the snapshot.
func onlyOwnerFiles(s *gitrepo.Snapshot) bool {
	for _, p := range s.Paths() {
		if !layout.IsIgnoredPath(p) {
			return false
		}
	}
	return true
}

// dryRunFirstSync crawls into nothing and prints what a first sync would
// write.
func dryRunFirstSync(ctx context.Context, g *Globals, c *syncCmd, env *Env, client *notion.Client, roots []string) (*exporter.Report, error) {
	sink := &countingSink{}
	res, err := exporter.Sync(ctx, client, nil, sink, exporter.Options{
		Roots: roots, Comments: c.Comments, UserEmails: c.UserEmails,
		MaxFileSize: int64(c.MaxFileSize), DownloadExternal: c.External, Full: true,
		RefreshPeriod: c.Refresh, CommentSweepPeriod: c.Sweep, Concurrency: g.Concurrency,
		Now: env.Now,
	})
	if err != nil {
		return nil, err
	}
	if err := c.saveReport(res.Report); err != nil {
		return res.Report, err
	}
	if !g.Quiet {
		fmt.Fprintf(env.Stdout, "%s; dry run: a first sync would write %s; nothing was written\n", res.Report.Summary(), plural(sink.puts, "file"))
	}
	if res.Report.Partial() {
		return res.Report, partialError{fmt.Errorf("%d objects could not be read", len(res.Report.Errors))}
	}
	return res.Report, nil
}

// syncClient returns the Notion client, or with --demo the emulator's.
func syncClient(g *Globals, c *syncCmd) (*notion.Client, func(), error) {
	if c.Demo {
		return demoSyncClient(g)
	}
	client, err := g.client()
	return client, func() {}, err
}

// shrinks reports whether the snapshot would lose more than half its pages.
func shrinks(r *exporter.Report) bool {
	return r.Pages.Previous > 0 && r.Pages.Removed*2 > r.Pages.Previous
}

func removedNames(removed []exporter.RemovedPage, n int) string {
	var names []string
	for i, r := range removed {
		if i == n {
			names = append(names, fmt.Sprintf("and %d more", len(removed)-n))
			break
		}
		title := r.Title
		if title == "" {
			title = r.ID
		}
		names = append(names, fmt.Sprintf("%q %s", title, r.Why))
	}
	return strings.Join(names, ", ")
}

// commitSync writes the state and commits the snapshot if anything but the
// state changed, moving the branch by compare-and-set and refreshing the
// working tree. It reports whether a commit was made.
func commitSync(repo *gitrepo.Repo, builder *gitrepo.TreeBuilder, prev *gitrepo.Snapshot, tip *branchState, c *syncCmd, res *exporter.Result, stderr io.Writer) (plumbing.Hash, bool, error) {
	// Hashed, not written: a tree stored only to be compared would stay in
	// the repository, referenced by nothing.
	content, err := builder.Hash()
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	if content == prev.TreeHash() && !prev.Commit().IsZero() {
		return plumbing.ZeroHash, false, nil
	}
	old, err := tip.state()
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	if _, err := putState(builder, prev, old, res.State); err != nil {
		return plumbing.ZeroHash, false, err
	}
	firstAttributes, err := putFirstAttributes(repo, builder, prev)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	tree, err := builder.Write()
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	if c.resumed {
		// The exporter counted against the checkpoint it went on from;
		// the commit tells what changed on the branch (the state file,
		// which differs too, belongs to no page).
		if err := countAgainstBranch(repo, prev, tree, res.Report); err != nil {
			return plumbing.ZeroHash, false, err
		}
	}
	var parents []plumbing.Hash
	if !prev.Commit().IsZero() {
		parents = []plumbing.Hash{prev.Commit()}
	}
	commit, err := repo.Commit(gitrepo.CommitOptions{
		Tree: tree, Parents: parents, Message: c.commitMessage(repo, prev.TreeHash(), tree, c.Message, res.Report),
		Author: signature(),
	})
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	if moved, err := moveBranchTo(repo, c.Branch, prev.Commit(), commit, c.onCommit); err != nil {
		if !moved {
			return plumbing.ZeroHash, false, err
		}
		return commit, true, err
	}
	if firstAttributes {
		if err := configureDrivers(repo, io.Discard); err != nil {
			fmt.Fprintf(stderr, "notion-git: warning: the diff drivers of .gitattributes are not set (run notion-git init): %v\n", oneLine(err))
		}
	}
	maintainPacks(repo, stderr)
	return commit, true, nil
}

// moveBranchTo moves branch from old to new by compare-and-swap, and
// brings the working tree along when the branch is checked out. It
// refuses before the branch moves if the working tree has local edits to
// files the commit changes. onMoved, if not nil, is called once the branch
// has moved. moved tells whether the branch holds new, also when the
// working tree then could not follow (a worktreeError, exit 4).
func moveBranchTo(repo *gitrepo.Repo, branch string, old, new plumbing.Hash, onMoved func()) (moved bool, err error) {
	refresh, err := repo.PrepareRefresh(branch, old, new, nil)
	if err != nil {
		return false, withEditHint(err)
	}
	if err := refresh.MoveBranch(); err != nil {
		if errors.Is(err, gitrepo.ErrRefChanged) {
			err = fmt.Errorf("%w (another sync may have committed meanwhile; run again)", err)
		}
		return false, fmt.Errorf("move branch %s: %w", branch, err)
	}
	if onMoved != nil {
		onMoved()
	}
	if err := refresh.Apply(); err != nil {
		return true, worktreeError{commit: new, branch: branch, err: err}
	}
	return true, nil
}

// maintainPacks merges packs after a commit (gitrepo.Repo.Maintain). A
// merge that fails leaves the packs as they were, and the commit stands:
// it is reported, not fatal, and the next commit tries again.
func maintainPacks(repo *gitrepo.Repo, stderr io.Writer) {
	if _, err := repo.Maintain(); err != nil {
		fmt.Fprintf(stderr, "notion-git: warning: %v\n", oneLine(err))
	}
}

// branchState is the sync state the branch tip's tree holds, read once and
// only when a commit or a checkpoint needs it: the state files are written
// as changes to it (layout.StateChanges).
type branchState struct {
	head   *gitrepo.Snapshot
	known  *layout.State // set when the local state is the tree's
	loaded bool
	err    error
}

func (b *branchState) state() (*layout.State, error) {
	if !b.loaded {
		b.loaded = true
		if b.known != nil {
			return b.known, nil
		}
		b.known, b.err = layout.ReadState(b.head)
	}
	return b.known, b.err
}

// putState writes s into a tree that holds old (the state of tree): only
// the shards whose entries changed, and the header. It returns the paths
// it put or deleted.
func putState(b *gitrepo.TreeBuilder, tree layout.FileSource, old, s *layout.State) ([]string, error) {
	put, del, err := layout.StateChanges(tree, old, s)
	if err != nil {
		return nil, err
	}
	paths := slices.Sorted(maps.Keys(put))
	for _, p := range paths {
		if err := b.Put(p, put[p]); err != nil {
			return nil, err
		}
	}
	for _, p := range del {
		if err := b.Delete(p); err != nil {
			return nil, err
		}
	}
	return append(paths, del...), nil
}

// withEditHint says, after a refusal to overwrite files a person edited,
// what to do about it.
func withEditHint(err error) error {
	if !errors.Is(err, gitrepo.ErrLocalChanges) {
		return err
	}
	return fmt.Errorf("%w; nothing was committed: commit, move or discard those edits (git checkout -- PATH), then run again", err)
}

// countAgainstBranch sets the report's added, changed and previous page
// counts from the files that differ between the branch's snapshot and the
// tree about to be committed.
func countAgainstBranch(repo *gitrepo.Repo, prev *gitrepo.Snapshot, tree plumbing.Hash, r *exporter.Report) error {
	paths, err := repo.ChangedTreePaths(prev.TreeHash(), tree)
	if err != nil {
		return err
	}
	touched := map[string]bool{}
	for _, p := range paths {
		if info, _ := layout.ParsePath(p); info.PageID != "" {
			touched[info.PageID] = true
		}
	}
	previous := 0
	for _, p := range prev.Paths() {
		if info, ok := layout.ParsePath(p); ok && info.Kind == layout.PathPage {
			previous++
		}
	}
	removed := map[string]bool{}
	for _, p := range r.Removed {
		removed[p.ID] = true
	}
	added, changed := 0, 0
	for id := range touched {
		switch {
		case removed[id]: // counted by the exporter: a checkpoint removes nothing
		case prev.Has(layout.PagePath(id)):
			changed++
		default:
			added++
		}
	}
	r.Pages.Previous, r.Pages.Added, r.Pages.Changed = previous, added, changed
	return nil
}

// signature is the commit author: the git identity from the environment if
// set, else notion-git's own.
func signature() gitrepo.Signature {
	name, email := os.Getenv("GIT_AUTHOR_NAME"), os.Getenv("GIT_AUTHOR_EMAIL")
	if name == "" {
		name = "notion-git"
	}
	if email == "" {
		email = "notion-git@localhost"
	}
	return gitrepo.Signature{Name: name, Email: email, When: time.Now()}
}

func writeReport(path string, r *exporter.Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func printDemoNext(env *Env, repoDir string) {
	git := "git -C " + repoDir
	tries := [][2]string{
		{git + " log --stat", "one commit per sync, with a summary"},
		{git + " show HEAD:" + layout.IndexPath, "the page tree by title"},
		{"ls " + path.Join(repoDir, layout.PagesDir) + " | head", "one folder per page, one file per block"},
		{"go run ./cmd/notion-git log --repo " + repoDir, "the syncs, in Notion terms"},
		{"go run ./cmd/notion-git sync --demo --repo " + repoDir, "again: no change, no commit"},
	}
	width := 0
	for _, t := range tries {
		width = max(width, len(t[0]))
	}
	fmt.Fprintf(env.Stdout, "\nThe sample workspace is now a git repository in %s. Try:\n", repoDir)
	for _, t := range tries {
		fmt.Fprintf(env.Stdout, "  %-*s  # %s\n", width, t[0], t[1])
	}
}

// countingSink is the sink of a dry run: it counts and writes nothing.
type countingSink struct{ puts, deletes int }

func (s *countingSink) Put(string, []byte) error { s.puts++; return nil }
func (s *countingSink) Delete(string) error      { s.deletes++; return nil }
func (s *countingSink) DeleteDir(string) error   { s.deletes++; return nil }

var _ exporter.Sink = (*gitrepo.TreeBuilder)(nil)
var _ exporter.Previous = (*gitrepo.Snapshot)(nil)
