package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
)

type initCmd struct {
	Repo     string `short:"r" placeholder:"DIR" help:"Repository to create (default: the current directory); an existing one is kept."`
	GitHub   bool   `name:"github" help:"Also commit a GitHub Actions workflow that syncs on a schedule and pushes."`
	Schedule string `placeholder:"CRON" default:"17 * * * *" help:"When the workflow runs: a cron expression in UTC (default: hourly, at 17 minutes past)."`
	Force    bool   `help:"Overwrite an existing workflow file."`
}

// Run runs the init command for the CLI.
func (c *initCmd) Run(env *Env) error {
	return runInit(env.Ctx, c, env.Stdout)
}

// workflowPath is where GitHub looks for workflows. Dot-paths other than
// .notion-git/ belong to the owner, so syncs leave the file alone.
const workflowPath = ".github/workflows/notion-git.yml"

// cronField is one field of a cron expression as GitHub accepts it; the
// check also keeps quotes and newlines out of the YAML.
var cronField = regexp.MustCompile(`^[0-9A-Za-z*/,-]+$`)

// runInit is the init command without the CLI around it; tests call it.
func runInit(ctx context.Context, c *initCmd, out io.Writer) error {
	fields := strings.Fields(c.Schedule)
	if c.GitHub {
		if len(fields) != 5 || !allMatch(cronField, fields) {
			return usageError{fmt.Errorf("--schedule %q: want a cron expression of 5 fields, such as \"17 * * * *\"", c.Schedule)}
		}
	}
	dir := repoDirFor(c.Repo, false)
	repo, err := gitrepo.Open(dir, gitrepo.OpenOptions{})
	created := false
	if errors.Is(err, gitrepo.ErrNotRepository) {
		repo, err = gitrepo.Open(dir, gitrepo.OpenOptions{Create: true, Branch: gitrepo.DefaultBranch})
		created = true
	}
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(out, "Created a git repository in %s (branch %s).\n", dir, gitrepo.DefaultBranch)
	} else {
		fmt.Fprintf(out, "%s is already a git repository; kept as it is.\n", dir)
	}
	if err := setUpGitDiff(repo, out); err != nil {
		return err
	}
	if !c.GitHub {
		fmt.Fprintf(out, `
Next:
  export NOTION_TOKEN=ntn_...          # your integration's secret
  notion-git sync --repo %s
Run 'notion-git init --github --repo %s' to sync on a schedule with GitHub Actions.
`, dir, dir)
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if repo.Bare() {
		return fmt.Errorf("%s is a bare repository: GitHub Actions needs the workflow in a repository with a working tree", dir)
	}
	branch, ok, err := repo.CurrentBranch()
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("HEAD is detached: check out the branch that syncs should commit to first")
	}
	if !safeBranch.MatchString(branch) {
		return fmt.Errorf("branch %q: the workflow takes a branch named with letters, digits, '.', '_', '/' and '-' only; check out such a branch first", branch)
	}
	if err := repo.RemoveStaleFiles(); err != nil {
		return err
	}
	if _, err := repo.FinishRefresh(); err != nil {
		return err
	}
	commit, err := commitWorkflow(repo, branch, workflowYAML(strings.Join(fields, " "), branch), c.Force)
	if err != nil {
		return err
	}
	if commit.IsZero() {
		fmt.Fprintf(out, "%s is already up to date.\n", workflowPath)
	} else {
		fmt.Fprintf(out, "Committed %s (%s): syncs at %q (UTC) and pushes.\n", workflowPath, short(commit), strings.Join(fields, " "))
	}
	fmt.Fprintf(out, `
Next:
  1. In Notion, create an internal integration (Settings, Connections, Develop or manage
     integrations) with Read content, and share each top-level page to back up with it
     (the page's "...", Connections).
  2. Create an empty repository on GitHub and push this one to it:
       git -C %s remote add origin git@github.com:OWNER/REPO.git
       git -C %s push -u origin %s
  3. Add the integration's secret as the repository secret NOTION_TOKEN
     (Settings, Secrets and variables, Actions, or: gh secret set NOTION_TOKEN).
  4. Run the workflow once from the Actions tab ("Run workflow") instead of waiting for the schedule.
`, dir, dir, branch)
	return nil
}

func allMatch(re *regexp.Regexp, ss []string) bool {
	for _, s := range ss {
		if !re.MatchString(s) {
			return false
		}
	}
	return true
}

// commitWorkflow commits the workflow file on branch, the checked-out one, with
// plumbing, as a sync commits, and brings the working tree along. It
// returns the zero hash when the branch already holds exactly this file.
func commitWorkflow(repo *gitrepo.Repo, branch string, content []byte, force bool) (plumbing.Hash, error) {
	head, _, err := repo.Head(branch)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	current, err := repo.SnapshotOf(head, []string{workflowPath})
	if err != nil {
		return plumbing.ZeroHash, err
	}
	onDisk := filepath.Join(repo.WorkDir(), filepath.FromSlash(workflowPath))
	local, readErr := os.ReadFile(onDisk)
	if current.Same(workflowPath, content) && (readErr != nil || bytes.Equal(local, content)) {
		return plumbing.ZeroHash, nil
	}
	if (current.Has(workflowPath) || readErr == nil) && !force {
		return plumbing.ZeroHash, fmt.Errorf("%s exists; pass --force to replace it", workflowPath)
	}
	if force && readErr == nil {
		// The owner asked for the file to be replaced: a local copy that
		// differs would otherwise stop the working tree refresh.
		if err := os.Remove(onDisk); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	builder, err := repo.NewTreeBuilder(head)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if err := builder.Put(workflowPath, content); err != nil {
		return plumbing.ZeroHash, err
	}
	tree, err := builder.Write()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	var parents []plumbing.Hash
	if !head.IsZero() {
		parents = []plumbing.Hash{head}
	}
	commit, err := repo.Commit(gitrepo.CommitOptions{
		Tree: tree, Parents: parents, Author: signature(),
		Message: "Add the notion-git sync workflow\n\nGitHub Actions runs notion-git sync on a schedule and pushes the snapshot.\n",
	})
	if err != nil {
		return plumbing.ZeroHash, err
	}
	refresh, err := repo.PrepareRefresh(branch, head, commit, []string{workflowPath})
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if err := refresh.MoveBranch(); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := refresh.Apply(); err != nil {
		return commit, worktreeError{commit: commit, branch: branch, err: err}
	}
	return commit, nil
}

// workflowYAML is the scheduled sync: the notion-git action (action.yml at
// the repository's root), pinned at the version of notion-git that writes
// the workflow. The concurrency group queues a run behind a running one,
// since two syncs of one branch would race for it. branch holds only
// safeBranch's characters, schedule only cronField's: neither can break
// out of its YAML string nor form a ${{ }} expression.
func workflowYAML(schedule, branch string) []byte {
	ref, pin := actionRef(version(), buildRevision())
	return []byte(`# Syncs the Notion workspace into this repository on a schedule and pushes
# the commit, with the notion-git action (see "GitHub Action" in notion-git's
# README). The integration's secret is the repository secret NOTION_TOKEN.
name: notion-git sync

on:
  schedule:
    - cron: "` + schedule + `"
  workflow_dispatch:

# The push is all the job writes: this repository's contents, nothing else.
permissions:
  contents: write

concurrency:
  group: notion-git-sync-` + branch + `
  cancel-in-progress: false

jobs:
  sync:
    runs-on: ubuntu-latest
    # GitHub stops a job after 6 hours by default. The sync stops itself at
    # max-duration, well before this, keeps what it crawled as a checkpoint
    # under refs/notion-git/, and the next run continues it; the margin is
    # for the build (on a new version), the push and the caches.
    timeout-minutes: 350
    steps:
      # The branch tip is all a sync needs. The token is not kept in
      # .git/config: the action pushes with it from the environment.
      - uses: actions/checkout@v4
        with:
          ref: "` + branch + `"
          fetch-depth: 1
          persist-credentials: false
      # ` + strings.ReplaceAll(pin, "\n", "\n      # ") + `
      - uses: notion-git/notion-git@` + ref + `
        with:
          notion-token: ${{ secrets.NOTION_TOKEN }}
          branch: "` + branch + `"
          max-duration: 5h20m
          # GitHub disables a schedule after 60 days without activity in the
          # repository; a quiet workspace makes no commits. After 50 days
          # without a change, a sync commits the same snapshot again.
          keepalive: 50d
`)
}

// safeBranch is a branch name that can be written into the workflow as it
// is: YAML and GitHub's expressions give none of its characters a meaning.
var safeBranch = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)

// releaseVersion is a release's version, which the repository has a tag for.
var releaseVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$`)

// pseudoVersion is the module version Go gives a commit without a tag
// (v0.0.0-20260102150405-abcdef123456): no tag to pin.
var pseudoVersion = regexp.MustCompile(`[.-](0\.)?[0-9]{14}-[0-9a-f]{12}$`)

// actionRef is the ref the workflow pins the action at, given the version
// this notion-git reports and the commit it was built from (40 hex digits,
// or ""), and the comment that says which it is. A release pins its tag.
// A development build pins its commit (uses: takes only a full commit id),
// and with neither the workflow follows main: each says to pin a release.
func actionRef(v, revision string) (ref, comment string) {
	switch {
	case releaseVersion.MatchString(v) && !pseudoVersion.MatchString(v):
		return v, "notion-git " + v + " wrote this workflow and pins its version of the action;\nto upgrade, change the version."
	case len(revision) == 40:
		return revision, "A development build of notion-git (" + v + ") wrote this: pinned to the commit\nit was built from; pin a release tag such as v1.2.3 instead."
	default:
		return "main", "A development build of notion-git (" + v + ") wrote this: it follows main,\nunpinned; pin a release tag such as v1.2.3 instead."
	}
}

// buildRevision is the commit the binary was built from, as the Go
// toolchain recorded it; "" if it did not, or if the build had changes
// that commit does not hold.
func buildRevision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	rev := ""
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			return ""
		}
	}
	return rev
}
