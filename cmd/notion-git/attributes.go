package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
)

// How plain git shows a snapshot: init commits a .gitattributes that gives
// the page files a diff driver and the sync state another, and sets both
// drivers in .git/config, so that git diff and git log -p show a page's
// blocks as Markdown and leave out the crawl times of the state.
//
// .gitattributes is committed, not kept in .git/info/attributes: a
// dot-path outside .notion-git/ belongs to the owner and syncs carry it
// over untouched (layout.IsIgnoredPath), and GitHub reads its
// linguist-generated from the tree to fold the state in its diffs. The
// drivers themselves are local configuration, which git never clones: a
// clone without them (or a machine without notion-git) shows the JSON,
// as before; `notion-git init` in a clone sets them up.

const (
	attributesPath = ".gitattributes"
	pageDriver     = "notion-git"
	stateDriver    = "notion-git-state"
)

// attributeLines are the lines init makes sure .gitattributes holds.
func attributeLines() []string {
	return []string{
		layout.PagesDir + "/**/*.json diff=" + pageDriver,
		layout.StatePath + " diff=" + stateDriver + " linguist-generated=true",
		layout.StateDir + "/*.json diff=" + stateDriver + " linguist-generated=true",
	}
}

const attributesComment = `# notion-git: git diff and git log -p show the page files as Markdown, and
# the sync state without its crawl times, through the drivers that
# 'notion-git init' sets in .git/config (without them, git shows the JSON).
# GitHub folds the state in its diffs.
`

// setUpGitDiff wires the diff drivers: the configuration, then the
// committed .gitattributes. Neither is needed for notion-git itself, so
// what cannot be done (no git on the PATH, a bare repository, local edits
// to .gitattributes) is said and skipped, not an error.
func setUpGitDiff(repo *gitrepo.Repo, out io.Writer) error {
	if err := configureDrivers(repo, out); err != nil {
		return err
	}
	return commitAttributes(repo, out)
}

// configureDrivers sets the textconv of both drivers in the repository's
// own configuration, with git's own writer, which keeps the rest of the
// file as it is. Without git on the PATH the drivers would serve nothing.
func configureDrivers(repo *gitrepo.Repo, out io.Writer) error {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		fmt.Fprintln(out, "git is not on the PATH: git diff will show the page files as JSON (run init again once it is installed).")
		return nil
	}
	// No cachetextconv: git stores that cache as notes commits, and a
	// commit needs an identity, so git log -p would stop with "Author
	// identity unknown" wherever none is set (a CI runner, a fresh
	// machine). The driver costs a process a file instead.
	bin := textconvProgram()
	changed := false
	for _, d := range []struct{ driver, args string }{{pageDriver, "textconv"}, {stateDriver, "textconv --state"}} {
		key := "diff." + d.driver + ".textconv"
		value := textconvCommand(bin, d.args)
		cur, _ := exec.Command(gitBin, "--git-dir", repo.GitDir(), "config", "--local", "--get", key).Output()
		if strings.TrimSuffix(string(cur), "\n") == value {
			continue
		}
		if b, err := exec.Command(gitBin, "--git-dir", repo.GitDir(), "config", "--local", key, value).CombinedOutput(); err != nil {
			return fmt.Errorf("git config %s: %v: %s", key, err, strings.TrimSpace(string(b)))
		}
		changed = true
	}
	if changed {
		fmt.Fprintf(out, "Set git's diff drivers for notion-git in .git/config (they run %s).\n", bin)
	}
	return nil
}

// textconvProgram is how git should call notion-git. By its name when the
// notion-git on the PATH is this one: that survives upgrades that move the
// binary and reads the same on every machine. Else by the absolute path
// of this binary, unless that is a temporary build (go run, go test),
// which goes away: then by its name, and it has to be on the PATH.
func textconvProgram() string {
	self, err := os.Executable()
	if err != nil {
		return "notion-git"
	}
	if onPath, err := exec.LookPath("notion-git"); err == nil {
		a, errA := os.Stat(onPath)
		b, errB := os.Stat(self)
		if errA == nil && errB == nil && os.SameFile(a, b) {
			return "notion-git"
		}
	}
	if tmp, err := filepath.EvalSymlinks(os.TempDir()); err == nil {
		if real, err := filepath.EvalSymlinks(self); err == nil && strings.HasPrefix(real, tmp+string(filepath.Separator)) {
			return "notion-git"
		}
	}
	return self
}

// textconvCommand is the driver's command line. git runs it through the
// shell with the file as "$1"; when the program cannot be run (notion-git
// uninstalled, another machine's path) it falls back to printing the file,
// so that git diff and git log -p show the JSON instead of stopping.
func textconvCommand(bin, args string) string {
	return "f() { " + shellQuote(bin) + " " + args + ` "$1" 2>/dev/null || cat "$1"; }; f`
}

// commitAttributes commits .gitattributes with attributeLines on the
// checked-out branch, keeping any lines the owner has, and brings the
// working tree along. An owner's uncommitted edit to the file is left
// alone, with the lines to add printed instead.
func commitAttributes(repo *gitrepo.Repo, out io.Writer) error {
	if repo.Bare() {
		return nil // no working tree to diff; git log -p reads no attributes from the tree
	}
	branch, ok, err := repo.CurrentBranch()
	if err != nil || !ok {
		return err // detached: there is no branch to commit to
	}
	if err := repo.RemoveStaleFiles(); err != nil {
		return err
	}
	if _, err := repo.FinishRefresh(); err != nil {
		return err
	}
	head, _, err := repo.Head(branch)
	if err != nil {
		return err
	}
	var committed []byte
	if !head.IsZero() {
		snap, err := repo.SnapshotOf(head, []string{attributesPath})
		if err != nil {
			return err
		}
		if snap.Has(attributesPath) {
			if committed, err = snap.Read(attributesPath); err != nil {
				return err
			}
		}
	}
	content, missing := withAttributes(committed)
	if len(missing) == 0 {
		return nil
	}
	onDisk := filepath.Join(repo.WorkDir(), attributesPath)
	if local, err := os.ReadFile(onDisk); err == nil && !bytes.Equal(local, committed) {
		fmt.Fprintf(out, "%s has changes that are not committed; add these lines to it for git diff to show pages as Markdown:\n  %s\n",
			attributesPath, strings.Join(missing, "\n  "))
		return nil
	}
	builder, err := repo.NewTreeBuilder(head)
	if err != nil {
		return err
	}
	if err := builder.Put(attributesPath, content); err != nil {
		return err
	}
	tree, err := builder.Write()
	if err != nil {
		return err
	}
	var parents []plumbing.Hash
	if !head.IsZero() {
		parents = []plumbing.Hash{head}
	}
	commit, err := repo.Commit(gitrepo.CommitOptions{
		Tree: tree, Parents: parents, Author: signature(),
		Message: "Add the diff drivers of notion-git to .gitattributes\n\n" +
			"git diff and git log -p show the page files as Markdown and the sync\n" +
			"state without its crawl times, once 'notion-git init' has set the\n" +
			"drivers up; GitHub folds the state in its diffs.\n",
	})
	if err != nil {
		return err
	}
	refresh, err := repo.PrepareRefresh(branch, head, commit, []string{attributesPath})
	if err != nil {
		return err
	}
	if err := refresh.MoveBranch(); err != nil {
		return err
	}
	if err := refresh.Apply(); err != nil {
		return worktreeError{commit: commit, branch: branch, err: err}
	}
	fmt.Fprintf(out, "Committed %s (%s): git diff shows pages as Markdown.\n", attributesPath, short(commit))
	return nil
}

// putFirstAttributes adds .gitattributes to the first snapshot of a branch
// with a working tree, so that a repository a sync created (the demo's, a
// first backup without init) shows its diffs in Notion's terms as init's
// does. It reports whether it did; the drivers are then set once the
// commit stands. Later syncs carry the file over as the owner's.
func putFirstAttributes(repo *gitrepo.Repo, builder *gitrepo.TreeBuilder, prev *gitrepo.Snapshot) (bool, error) {
	if repo.Bare() || !prev.Commit().IsZero() || prev.Has(attributesPath) {
		return false, nil
	}
	// The owner's own file, not committed yet: the working tree refresh
	// would refuse to overwrite it, and the whole first crawl would be
	// lost. It is left alone; init adds the lines to it.
	if _, err := os.Lstat(filepath.Join(repo.WorkDir(), attributesPath)); !errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	content, _ := withAttributes(nil)
	return true, builder.Put(attributesPath, content)
}

// withAttributes is .gitattributes with the lines of attributeLines it
// lacks appended (after the comment that explains them), and those lines.
func withAttributes(cur []byte) ([]byte, []string) {
	have := map[string]bool{}
	for _, l := range strings.Split(string(cur), "\n") {
		have[strings.Join(strings.Fields(l), " ")] = true
	}
	var missing []string
	for _, l := range attributeLines() {
		if !have[l] {
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		return cur, nil
	}
	var b bytes.Buffer
	b.Write(cur)
	if len(cur) > 0 && !bytes.HasSuffix(cur, []byte("\n")) {
		b.WriteByte('\n')
	}
	if !bytes.Contains(cur, []byte(attributesComment)) {
		if len(cur) > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(attributesComment)
	}
	for _, l := range missing {
		b.WriteString(l + "\n")
	}
	return b.Bytes(), missing
}
