package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// sameJSON reports whether a and b are the same JSON value.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return reflect.DeepEqual(va, vb)
}

// TestShowJSON: show --json prints the snapshot's counts and its page tree,
// the same tree as the root README.md, as one JSON document.
func TestShowJSON(t *testing.T) {
	t.Parallel()
	dir := reviewHistory(t)
	var doc snapshotJSON
	raw := runReview(t, "show", "--repo", dir, "--json", "HEAD")
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("show --json: %v\n%s", err, raw)
	}
	head := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))
	if doc.Commit != head || !doc.Snapshot || doc.Pages != 5 || doc.Rows != 2 || doc.Databases != 1 || doc.Users != 3 ||
		!strings.HasPrefix(doc.Message, "Sync Notion: ") {
		t.Errorf("show --json: %+v", doc)
	}
	// Every object of the tree, in order, is a line of the README's tree.
	var lines []string
	var walk func([]treeNode, string)
	walk = func(nodes []treeNode, indent string) {
		for _, n := range nodes {
			if n.Path == "" || n.ID == "" {
				t.Errorf("node %+v has no path", n)
			}
			lines = append(lines, indent+"- ["+n.Title)
			walk(n.Children, indent+"  ")
		}
	}
	walk(doc.Tree, "")
	var readme []string
	for _, l := range strings.Split(git(t, dir, "show", "HEAD:"+layout.IndexPath), "\n") {
		if before, _, ok := strings.Cut(l, "]("); ok && strings.HasPrefix(strings.TrimLeft(l, " "), "- [") {
			readme = append(readme, before)
		}
	}
	if strings.Join(lines, "\n") != strings.Join(readme, "\n") || len(lines) < doc.Pages {
		t.Errorf("show --json tree:\n%s\nREADME tree:\n%s", strings.Join(lines, "\n"), strings.Join(readme, "\n"))
	}

	// A commit that is not a snapshot still gives a document.
	plain := t.TempDir()
	git(t, plain, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(plain, "notes.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, plain, "add", ".")
	git(t, plain, "-c", "user.name=A", "-c", "user.email=a@localhost", "commit", "-q", "-m", "notes")
	r := runArgs(t.Context(), "show", "--repo", plain, "--json")
	var none snapshotJSON
	if err := json.Unmarshal([]byte(r.stdout), &none); r.stdout != "" && (err != nil || none.Snapshot) {
		t.Errorf("show --json of a commit without a snapshot: %v\n%s", err, r)
	}
}

// TestVersionFlag: --version prints what the version command prints.
func TestVersionFlag(t *testing.T) {
	code, flag, errOut := runCLI(t, "--version")
	_, cmd, _ := runCLI(t, "version")
	if code != exitOK || flag != cmd || errOut != "" || !strings.HasPrefix(flag, "notion-git ") {
		t.Fatalf("--version: exit %d, %q (version prints %q), stderr %q", code, flag, cmd, errOut)
	}
}

// TestRepoFromEnvironment: NOTION_GIT_REPO is --repo on every command that
// has the flag, and the flag wins over it.
func TestRepoFromEnvironment(t *testing.T) {
	// Every --repo flag of the model carries the variable.
	var with []string
	for _, c := range model(t) {
		for _, f := range c.own {
			if f.Name == "repo" {
				if !reflect.DeepEqual(f.Envs, []string{repoEnv}) {
					t.Errorf("%s --repo: env %v", c.path, f.Envs)
				}
				with = append(with, c.path)
			}
		}
	}
	for _, want := range []string{"sync", "restore", "log", "show", "diff", "init"} {
		if !strings.Contains(" "+strings.Join(with, " ")+" ", " "+want+" ") {
			t.Errorf("%s has no --repo (commands with it: %v)", want, with)
		}
	}

	// And it is used: a sync, then log and show of the repository it names.
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	t.Setenv(repoEnv, dir)
	r := runArgs(t.Context(), "sync", "--api-url", e.URL, "--token", e.Token, "--rate", "1000", "-q")
	if r.code != exitOK || commitCount(t, dir) != 1 {
		t.Fatalf("sync with %s=%s: %s", repoEnv, dir, r)
	}
	if out := runReview(t, "log"); !strings.Contains(out, "Sync Notion: first sync") || !strings.Contains(out, "6 pages: 6 added") {
		t.Errorf("log with %s: %s", repoEnv, out)
	}
	if out := runReview(t, "show"); !strings.Contains(out, "6 pages") {
		t.Errorf("show with %s: %s", repoEnv, out)
	}
	// The flag wins: --repo names another folder, which the sync creates.
	other := newRepoDir(t) + "-other"
	r = runArgs(t.Context(), "sync", "--api-url", e.URL, "--token", e.Token, "--rate", "1000", "-q", "--repo", other)
	if r.code != exitOK || commitCount(t, other) != 1 || commitCount(t, dir) != 1 {
		t.Fatalf("sync --repo %s with %s set: %s", other, repoEnv, r)
	}
	gitFsck(t, other)
	if code, _, _ := runCLI(t, "--help"); code != exitOK {
		t.Fatal("--help")
	}
	if _, out, _ := runCLI(t, "log", "--help"); !strings.Contains(out, "$"+repoEnv) {
		t.Errorf("log --help does not name %s:\n%s", repoEnv, out)
	}
}

// model is the command line's kong model, as the completion and man
// commands see it.
func model(t *testing.T) []command {
	t.Helper()
	var cli CLI
	parser, err := newParser(&cli, new(bytes.Buffer), new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	cmds := walkCommands(parser.Model)
	if len(cmds) < 8 {
		t.Fatalf("%d commands in the model", len(cmds))
	}
	return cmds
}

// TestCompletionBash: the bash script loads without a word on stderr,
// registers the function, and completes commands, flags and enum values.
func TestCompletionBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	code, script, errOut := runCLI(t, "completion", "bash")
	if code != exitOK || errOut != "" {
		t.Fatalf("completion bash: exit %d: %s", code, errOut)
	}
	path := filepath.Join(t.TempDir(), "notion-git.bash")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	// complete WORDS... prints what completing the last word offers.
	probe := `source "$1" || exit 1
complete -p notion-git || exit 1
t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _notion_git; echo "${COMPREPLY[*]}"; }
t notion-git sy
t notion-git ''
t notion-git sync --comm
t notion-git --rate 3 sync --comments p
t notion-git sync -r "$2"/su
t notion-git completion ''
t notion-git -q show --repo . --js
t notion-git sync --repo x --dry-run --report "$2"/re
`
	work := t.TempDir()
	os.Mkdir(filepath.Join(work, "sub"), 0o755)
	os.WriteFile(filepath.Join(work, "report.json"), nil, 0o644)
	cmd := exec.Command(bash, "--norc", "--noprofile", "-c", probe, "probe", path, work)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() != 0 {
		t.Fatalf("bash: %v\nstderr:\n%s\nstdout:\n%s", err, stderr.String(), stdout.String())
	}
	var names []string
	for _, c := range model(t)[0].children {
		names = append(names, c.Name)
	}
	want := []string{
		"complete -F _notion_git notion-git",
		"sync",
		strings.Join(names, " "),
		"--comments --comment-sweep-period",
		"pages",
		work + "/sub",
		"bash zsh fish",
		"--json",
		work + "/report.json",
	}
	if got := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n"); !reflect.DeepEqual(got, want) {
		t.Errorf("completions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Every visible flag of every command is offered after that command.
	for _, c := range model(t) {
		if c.path == "" {
			continue
		}
		for _, f := range c.flags {
			if !strings.Contains(script, "'"+c.path+"') echo '") {
				t.Errorf("no flags for %s", c.path)
			}
			_, line, _ := strings.Cut(script, "\t'"+c.path+"') echo '")
			line, _, _ = strings.Cut(line, "' ;;")
			if !slices.Contains(strings.Fields(line), "--"+f.Name) {
				t.Errorf("%s: --%s is not offered: %s", c.path, f.Name, line)
			}
		}
	}
}

// TestCompletionZshAndFish: the other two scripts parse in their shells,
// where those are installed.
func TestCompletionZshAndFish(t *testing.T) {
	for _, sh := range []struct{ shell, check string }{{"zsh", "-n"}, {"fish", "--no-execute"}} {
		code, script, errOut := runCLI(t, "completion", sh.shell)
		if code != exitOK || errOut != "" || !strings.Contains(script, "notion-git") {
			t.Fatalf("completion %s: exit %d: %s", sh.shell, code, errOut)
		}
		bin, err := exec.LookPath(sh.shell)
		if err != nil {
			t.Logf("%s is not installed: its script is not run", sh.shell)
			continue
		}
		path := filepath.Join(t.TempDir(), "completion."+sh.shell)
		os.WriteFile(path, []byte(script), 0o644)
		if out, err := exec.Command(bin, sh.check, path).CombinedOutput(); err != nil || len(out) != 0 {
			t.Errorf("%s %s: %v\n%s", sh.shell, sh.check, err, out)
		}
		// Then loaded as a user's shell loads it, and asked for the
		// commands and for the values of an enum flag. zsh calls the
		// function through bashcompinit, with its own 1-based COMP_WORDS
		// and COMP_CWORD = CURRENT-1; its completion system then filters
		// by what was typed, so the command list may come whole.
		var script2 string
		switch sh.shell {
		case "zsh":
			script2 = `autoload -U compinit && compinit -u -d "$1.dump"; source "$1"
COMP_WORDS=(notion-git sy); COMP_CWORD=1; COMPREPLY=(); _notion_git; echo "${COMPREPLY[*]}"
COMP_WORDS=(notion-git sync --comments ""); COMP_CWORD=3; COMPREPLY=(); _notion_git; echo "${COMPREPLY[*]}"`
		case "fish":
			script2 = `source $argv[1]; complete -C "notion-git sy" | string split -f1 \t | string join " "; complete -C "notion-git sync --comments " | string split -f1 \t | string join " "`
		}
		args := []string{"-c", script2, sh.shell, path} // zsh: $0, $1
		if sh.shell == "fish" {
			args = []string{"-c", script2, path} // fish: $argv[1]
		}
		out, err := exec.Command(bin, args...).CombinedOutput()
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if err != nil || len(lines) != 2 || !slices.Contains(strings.Fields(lines[0]), "sync") ||
			!slices.Equal(sorted(strings.Fields(lines[1])), []string{"all", "none", "pages"}) {
			t.Errorf("%s: completing \"sy\" and \"--comments \": %v\n%s", sh.shell, err, out)
		}
	}
	if code, _, errOut := runCLI(t, "completion", "tcsh"); code != exitUsage || !strings.Contains(errOut, "bash") {
		t.Errorf("completion tcsh: exit %d, %s", code, errOut)
	}
}

// TestManPage: the manual page names every command, flag and environment
// variable of the model, and man renders it without a warning.
func TestManPage(t *testing.T) {
	code, page, errOut := runCLI(t, "man")
	if code != exitOK || errOut != "" || !strings.HasPrefix(page, ".TH ") {
		t.Fatalf("man: exit %d, %s\n%s", code, errOut, page)
	}
	for _, c := range model(t) {
		if c.path != "" && !strings.Contains(page, ".SS \"notion\\-git "+roffText(c.path)) {
			t.Errorf("no section for %s", c.path)
		}
		for _, f := range c.own {
			if !strings.Contains(page, `\fB\-\-`+roffText(f.Name)+`\fR`) {
				t.Errorf("%s: no --%s", c.path, f.Name)
			}
			for _, e := range f.Envs {
				if !strings.Contains(page, ".B \\%"+roffText(e)+"\n") {
					t.Errorf("no %s under ENVIRONMENT", e)
				}
			}
		}
	}
	for _, code := range []string{"0", "1", "2", "3", "4", "5", "130"} {
		if !strings.Contains(page, ".TP\n.B "+code+"\n") {
			t.Errorf("exit status %s is not listed", code)
		}
	}
	path := filepath.Join(t.TempDir(), "notion-git.1")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	if groff, err := exec.LookPath("groff"); err == nil {
		if out, err := exec.Command(groff, "-man", "-ww", "-z", path).CombinedOutput(); err != nil || len(out) != 0 {
			t.Errorf("groff warns: %v\n%s", err, out)
		}
	}
	man, err := exec.LookPath("man")
	if err != nil {
		t.Skip("man is not installed: the page is not rendered")
	}
	cmd := exec.Command(man, "-l", path)
	cmd.Env = append(os.Environ(), "MANPAGER=cat", "PAGER=cat", "MANWIDTH=80")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "EXIT STATUS") || !strings.Contains(string(out), "--max-duration=D") {
		t.Errorf("man -l: %v\n%s", err, out)
	}
}

func sorted(s []string) []string { slices.Sort(s); return s }

// TestDemoIgnoresTheRepoVariable: NOTION_GIT_REPO names the real backup;
// sync --demo and restore --demo keep to ./notion-demo unless --repo is
// given on the command line.
func TestDemoIgnoresTheRepoVariable(t *testing.T) {
	backup := newRepoDir(t)
	t.Setenv(repoEnv, backup)
	t.Setenv("NOTION_GIT_PUSH", "1")
	t.Chdir(t.TempDir())
	if r := runArgs(t.Context(), "sync", "--demo", "-q", "--comments", "pages"); r.code != exitOK {
		t.Fatalf("sync --demo: %s", r)
	}
	if _, err := os.Stat(filepath.Join(backup, ".git")); err == nil {
		t.Errorf("sync --demo wrote into %s=%s", repoEnv, backup)
	}
	if _, err := os.Stat(filepath.Join("notion-demo", ".git")); err != nil {
		t.Errorf("sync --demo did not make ./notion-demo: %v", err)
	}
	explicit := filepath.Join(t.TempDir(), "d")
	if r := runArgs(t.Context(), "sync", "--demo", "-q", "--comments", "pages", "--repo", explicit); r.code != exitOK || commitCount(t, explicit) != 1 {
		t.Fatalf("sync --demo --repo: %s", r)
	}
}
