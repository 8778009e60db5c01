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

// workflowYAML is the scheduled sync. The checkout keeps full history so
// that the sync commits on top of the branch and the push fast-forwards;
// the concurrency group queues a run behind a running one, since two syncs
// of one branch would race for it.
func workflowYAML(schedule, branch string) []byte {
	syncFlags := ""
	if branch != gitrepo.DefaultBranch {
		syncFlags = " --branch " + branch
	}
	return []byte(`# Syncs the Notion workspace into this repository on a schedule and pushes
# the commit. The integration's secret is the repository secret NOTION_TOKEN.
name: notion-git sync

on:
  schedule:
    - cron: "` + schedule + `"
  workflow_dispatch:

permissions:
  contents: write

concurrency:
  group: notion-git-sync
  cancel-in-progress: false

jobs:
  sync:
    runs-on: ubuntu-latest
    # GitHub stops a job after 6 hours. The sync stops itself before its
    # time box (NOTION_GIT_MAX_DURATION), keeps what it crawled as a
    # checkpoint under refs/notion-git/, and the next run continues it.
    timeout-minutes: 350
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - name: Fetch the checkpoint of an unfinished sync
        run: git fetch origin '+refs/notion-git/*:refs/notion-git/*' || true
      - uses: actions/setup-go@v5
        with:
          go-version: stable
          cache: false
      # Exit 5: the time box ended the crawl; its progress is kept and the
      # next scheduled run goes on, so the job succeeds.
      - name: Sync Notion
        env:
          NOTION_TOKEN: ${{ secrets.NOTION_TOKEN }}
          NOTION_GIT_MAX_DURATION: 5h20m
        run: code=0; go run github.com/notion-git/notion-git/cmd/notion-git@latest sync --repo .` + syncFlags + ` || code=$?; if [ "$code" = 5 ]; then echo "::notice::incomplete; the next run continues from the checkpoint"; exit 0; fi; exit "$code"
      # A partial sync (exit 3) committed what it could read: push it too,
      # and let the run show as failed.
      - name: Push
        if: ${{ !cancelled() }}
        run: git push origin HEAD:` + branch + `
      # The checkpoint goes with the repository, and leaves with it once
      # a sync completed the snapshot.
      - name: Push the checkpoint
        if: ${{ !cancelled() }}
        run: git push --prune origin '+refs/notion-git/*:refs/notion-git/*'
`)
}
