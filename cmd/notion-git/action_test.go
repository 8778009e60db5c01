package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/review"
)

// actionDir is the repository's root, where action.yml and the action's
// scripts (action/) are.
var actionDir = filepath.Join("..", "..")

// actionMetadata is the part of action.yml the tests read.
type actionMetadata struct {
	Name, Description, Author string
	Branding                  map[string]string
	Inputs                    map[string]struct {
		Description, Default string
		Required             bool
	}
	Outputs map[string]struct{ Description, Value string }
	Runs    struct {
		Using string
		Steps []actionStep
	}
}

type actionStep struct {
	Name, ID, If, Uses, Run, Shell string
	With                           map[string]string
	Env                            map[string]string
}

// workflowFile is the part of a workflow the tests read.
type workflowFile struct {
	On          map[string]any
	Permissions map[string]string
	Concurrency map[string]any
	Jobs        map[string]struct {
		RunsOn         string `yaml:"runs-on"`
		TimeoutMinutes int    `yaml:"timeout-minutes"`
		Steps          []actionStep
	}
}

func readActionYAML(t *testing.T) actionMetadata {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(actionDir, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionMetadata
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

// TestActionYAML checks what actionlint does not: action.yml, a composite
// action. Each step runs one of the action's scripts with bash or uses a
// pinned action; every input is declared and used; every step output it
// reads comes from a step before; the sync step sets each variable the
// script reads; and the workflow init writes passes only inputs the action
// has.
func TestActionYAML(t *testing.T) {
	a := readActionYAML(t)
	if a.Runs.Using != "composite" || len(a.Runs.Steps) == 0 {
		t.Fatalf("runs.using %q with %d steps: want a composite action", a.Runs.Using, len(a.Runs.Steps))
	}
	if !a.Inputs["notion-token"].Required {
		t.Errorf("notion-token is not required")
	}
	expr := regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)
	used := map[string]bool{}
	ids := map[string]bool{}
	var all []string // every expression of the steps, for the inputs
	var syncStep *actionStep
	for i, s := range a.Runs.Steps {
		what := s.Name
		if what == "" {
			what = s.Uses
		}
		switch {
		case s.Uses != "" && s.Run != "":
			t.Errorf("step %d (%s) both uses and runs", i+1, what)
		case s.Uses != "":
			if !regexp.MustCompile(`^actions/[a-z-]+(/[a-z]+)?@v[0-9]+$`).MatchString(s.Uses) {
				t.Errorf("step %d uses %q: want one of GitHub's actions at a major version", i+1, s.Uses)
			}
		case s.Run != "":
			m := regexp.MustCompile(`^bash "\$GITHUB_ACTION_PATH/(action/[a-z]+\.sh)"$`).FindStringSubmatch(s.Run)
			if m == nil || s.Shell != "bash" {
				t.Errorf("step %d (%s) runs %q with shell %q: want bash running one of the action's scripts, which shellcheck reads", i+1, what, s.Run, s.Shell)
				continue
			}
			if _, err := os.Stat(filepath.Join(actionDir, m[1])); err != nil {
				t.Errorf("step %d: %v", i+1, err)
			}
			if m[1] == "action/sync.sh" {
				syncStep = &a.Runs.Steps[i]
			}
		default:
			t.Errorf("step %d (%s) neither uses nor runs", i+1, what)
		}
		texts := []string{s.If}
		for _, m := range []map[string]string{s.With, s.Env} {
			for _, v := range m {
				texts = append(texts, v)
			}
		}
		for _, text := range texts {
			for _, m := range expr.FindAllStringSubmatch(text, -1) {
				all = append(all, m[1])
			}
			for _, m := range regexp.MustCompile(`steps\.([a-z-]+)\.outputs`).FindAllStringSubmatch(text, -1) {
				if !ids[m[1]] {
					t.Errorf("step %d (%s) reads the outputs of step %q, which does not come before it", i+1, what, m[1])
				}
			}
		}
		if s.ID != "" {
			ids[s.ID] = true
		}
	}
	for _, e := range all {
		for _, m := range regexp.MustCompile(`inputs\.([a-z-]+)`).FindAllStringSubmatch(e, -1) {
			if _, ok := a.Inputs[m[1]]; !ok {
				t.Errorf("${{ %s }}: no input %q", e, m[1])
			}
			used[m[1]] = true
		}
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %q is declared but not used", name)
		}
	}
	for name, o := range a.Outputs {
		if m := regexp.MustCompile(`steps\.([a-z-]+)\.outputs`).FindStringSubmatch(o.Value); m == nil || !ids[m[1]] {
			t.Errorf("output %q: value %q reads no step of the action", name, o.Value)
		}
	}
	if syncStep == nil {
		t.Fatal("no step runs action/sync.sh")
	}
	script, err := os.ReadFile(filepath.Join(actionDir, "action", "sync.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\$\{(NOTION_GIT_ACTION_[A-Z_]+|NOTION_GIT_BIN|GITHUB_TOKEN)[:}]`).FindAllStringSubmatch(string(script), -1) {
		if _, ok := syncStep.Env[m[1]]; !ok {
			t.Errorf("sync.sh reads %s, which the sync step does not set", m[1])
		}
	}
	if syncStep.Env["NOTION_TOKEN"] != "${{ inputs.notion-token }}" {
		t.Errorf("the sync step passes NOTION_TOKEN as %q", syncStep.Env["NOTION_TOKEN"])
	}

	// The workflow init writes passes what the action takes.
	w := readWorkflow(t, workflowYAML("17 * * * *", "main"))
	job, ok := w.Jobs["sync"]
	if !ok {
		t.Fatalf("no job sync in the workflow")
	}
	var uses *actionStep
	for i, s := range job.Steps {
		if strings.HasPrefix(s.Uses, "notion-git/notion-git@") {
			uses = &job.Steps[i]
		}
	}
	if uses == nil {
		t.Fatal("the workflow does not use the action")
	}
	for k := range uses.With {
		if _, ok := a.Inputs[k]; !ok {
			t.Errorf("the workflow passes %q, which the action does not take", k)
		}
	}
	maxDuration, err := time.ParseDuration(uses.With["max-duration"])
	if err != nil {
		t.Fatal(err)
	}
	// The build, the push and the caches come after the time box.
	if limit := time.Duration(job.TimeoutMinutes) * time.Minute; limit > 6*time.Hour || maxDuration > limit-20*time.Minute {
		t.Errorf("max-duration %v under timeout-minutes %d: want at least 20 minutes between them, under GitHub's 6 hours", maxDuration, job.TimeoutMinutes)
	}
	if len(w.Permissions) != 1 || w.Permissions["contents"] != "write" {
		t.Errorf("permissions %v: want contents: write only", w.Permissions)
	}
	if _, ok := w.On["schedule"]; !ok {
		t.Errorf("the workflow has no schedule")
	}
	if _, ok := w.On["workflow_dispatch"]; !ok {
		t.Errorf("the workflow cannot be run by hand")
	}
}

func readWorkflow(t *testing.T, b []byte) workflowFile {
	t.Helper()
	var w workflowFile
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("the workflow: %v\n%s", err, b)
	}
	return w
}

func TestWorkflowPinsTheAction(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	for _, c := range []struct{ version, revision, ref, says string }{
		{"v1.2.3", rev, "v1.2.3", "pins its version"},
		{"v1.3.0-rc.1", "", "v1.3.0-rc.1", "pins its version"},
		// A pseudo-version has no tag: the commit, if known.
		{"v0.0.0-20260102150405-0123456789ab", rev, rev, "pinned to the commit"},
		{"v1.2.4-0.20260102150405-0123456789ab", "", "main", "follows main"},
		{"devel-0123456789ab", rev, rev, "pinned to the commit"},
		{"devel", "", "main", "follows main"},
	} {
		ref, comment := actionRef(c.version, c.revision)
		if ref != c.ref || !strings.Contains(comment, c.says) {
			t.Errorf("%s at %q: pinned at %q (%q), want %q (%q)", c.version, c.revision, ref, comment, c.ref, c.says)
		}
	}
	// The test binary has no version and no commit: init says so.
	dir := t.TempDir()
	r := runArgs(context.Background(), "init", "--repo", dir, "--github")
	if r.code != exitOK {
		t.Fatal(r)
	}
	w, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(workflowPath)))
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := actionRef(version(), buildRevision())
	if !strings.Contains(string(w), "      - uses: notion-git/notion-git@"+ref+"\n") || !strings.Contains(string(w), "pin a release tag") {
		t.Errorf("the workflow of a development build, pinned at %q:\n%s", ref, w)
	}
}

// actionRun is one run of the action's sync step.
type actionRun struct {
	code    int
	output  string // stdout and stderr: the job's log
	summary string // what it appended to $GITHUB_STEP_SUMMARY
	outputs string // what it wrote to $GITHUB_OUTPUT
}

// actionRunner runs action/sync.sh with bash as the action's sync step
// does: the built binary, the variables action.yml sets, and the files
// GitHub Actions provides.
type actionRunner struct {
	t      *testing.T
	bin    string
	env    []string
	files  string
	script string
	// Each run gets a fresh depth-1 clone of bare with origin at url, as
	// actions/checkout makes on a new runner, and the previous run's
	// local state file, as the action's cache restores it.
	bare, url, work string
	clone           string   // the last run's
	clones          []string // every run's
}

// freshClone makes the checkout of the next run.
func (a *actionRunner) freshClone() string {
	a.t.Helper()
	dir := filepath.Join(a.work, fmt.Sprintf("clone-%d", len(a.clones)+1))
	git(a.t, a.work, "clone", "--quiet", "--depth", "1", "file://"+a.bare, dir)
	git(a.t, dir, "remote", "set-url", "origin", a.url)
	if a.clone != "" {
		if b, err := os.ReadFile(filepath.Join(a.clone, ".git", localStateFile)); err == nil {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, ".git", localStateFile)), 0o755); err != nil {
				a.t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, ".git", localStateFile), b, 0o644); err != nil {
				a.t.Fatal(err)
			}
		}
	}
	a.clone = dir
	a.clones = append(a.clones, dir)
	return dir
}

func (a *actionRunner) run(extra ...string) actionRun {
	a.t.Helper()
	extra = append([]string{"NOTION_GIT_ACTION_REPOSITORY=" + a.freshClone()}, extra...)
	summary := filepath.Join(a.files, "step_summary")
	outputs := filepath.Join(a.files, "output")
	for _, f := range []string{summary, outputs} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			a.t.Fatal(err)
		}
	}
	cmd := exec.Command("bash", a.script)
	cmd.Dir = a.files
	cmd.Env = append(append(slices.Clip(a.env), "GITHUB_STEP_SUMMARY="+summary, "GITHUB_OUTPUT="+outputs), extra...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			a.t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	s, _ := os.ReadFile(summary)
	o, _ := os.ReadFile(outputs)
	return actionRun{code, out.String(), string(s), string(o)}
}

func (r actionRun) String() string {
	return "exit " + strconv.Itoa(r.code) + "\nlog:\n" + r.output + "\nsummary:\n" + r.summary + "\noutputs:\n" + r.outputs
}

// TestActionSyncsAndPushes runs the action's sync step with bash, as a
// scheduled job would: a depth-1 clone of a repository that holds only the
// workflow init wrote, the emulator as Notion, and a loopback git
// http-backend with basic auth as GitHub. It checks what the remote got,
// the job summary, the exit code the job ends with, and that the token
// is nowhere in .git.
func TestActionSyncsAndPushes(t *testing.T) {
	for _, tool := range []string{"bash", "base64"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: the action's script runs with it", tool)
		}
	}
	const token = "ghs_0123456789ActionTestTokenNotARealOne"
	bin := filepath.Join(t.TempDir(), "notion-git")
	build := exec.Command("go", "build", "-ldflags", "-X main.buildVersion=v9.8.7", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	h := &hostile{match: pathIs("GET", "/v1/blocks/"+releaseID+"/children")}
	next := map[string]string{"": "A", "A": "B", "B": "A"}
	h.answer = func(w http.ResponseWriter, r *http.Request, _ int) {
		io.WriteString(w, listPage("", next[r.URL.Query().Get("start_cursor")]))
	}
	e := startEmulator(t, basicFixture(t), emulator.Options{}, h.wrap)
	url, bare := startGitServer(t, "x-access-token", token)

	// The repository as init left it, pushed to the remote, and the
	// depth-1 clone that actions/checkout makes of it.
	work := t.TempDir()
	src := filepath.Join(work, "src")
	out, err := exec.Command(bin, "init", "--github", "--repo", src).CombinedOutput()
	if err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	workflow := git(t, src, "show", "HEAD:"+workflowPath)
	if !strings.Contains(workflow, "      - uses: notion-git/notion-git@v9.8.7\n") {
		t.Errorf("the workflow does not pin the action at the binary's version:\n%s", workflow)
	}
	git(t, src, "push", "--quiet", bare, "main")

	a := &actionRunner{t: t, bin: bin, files: t.TempDir(), script: filepath.Join(actionDir, "action", "sync.sh"),
		bare: bare, url: url, work: work}
	if a.script, err = filepath.Abs(a.script); err != nil {
		t.Fatal(err)
	}
	a.env = append(gitEnv(),
		"NOTION_GIT_BIN="+bin,
		"NOTION_TOKEN="+e.Token,
		"NOTION_API_URL="+e.URL,
		"NOTION_GIT_RATE=1000",
		"NOTION_GIT_BURST=100",
		"GITHUB_TOKEN="+token,
		"GITHUB_SERVER_URL="+gitServerOrigin(url),
		"NOTION_GIT_ACTION_BRANCH=",
		"NOTION_GIT_ACTION_REMOTE=origin",
		"NOTION_GIT_ACTION_MAX_DURATION=5h20m",
		"NOTION_GIT_ACTION_KEEPALIVE=50d",
		"NOTION_GIT_ACTION_ARGS=",
	)
	remoteTip := func() string { return strings.TrimSpace(git(t, bare, "rev-parse", "refs/heads/main")) }
	checkPushed := func(r actionRun, commits int) {
		t.Helper()
		if n := strings.TrimSpace(git(t, bare, "rev-list", "--count", "refs/heads/main")); n != strconv.Itoa(commits) {
			t.Fatalf("the remote has %s commits, want %d\n%s", n, commits, r)
		}
		if tip, local := remoteTip(), strings.TrimSpace(git(t, a.clone, "rev-parse", "HEAD")); tip != local {
			t.Fatalf("the remote's main is %s, the clone's HEAD %s\n%s", tip, local, r)
		}
		files := strings.Fields(git(t, bare, "ls-tree", "-r", "--name-only", "refs/heads/main"))
		if !slices.Contains(files, layout.MetaPath) || !slices.Contains(files, workflowPath) {
			t.Fatalf("the pushed commit lacks %s or the workflow: %d files", layout.MetaPath, len(files))
		}
		if tr, ok := review.ParseTrailers(git(t, bare, "log", "-1", "--format=%B", "refs/heads/main")); !ok || tr.Pages != 6 {
			t.Errorf("the pushed commit's trailers: %+v, %v", tr, ok)
		}
		if refs := git(t, bare, "for-each-ref", "refs/notion-git/"); refs != "" {
			t.Errorf("a checkpoint stays on the remote after a complete sync:\n%s", refs)
		}
	}

	// init's own commits (the workflow, the diff drivers) come first.
	initCommits, err := strconv.Atoi(strings.TrimSpace(git(t, bare, "rev-list", "--count", "refs/heads/main")))
	if err != nil {
		t.Fatal(err)
	}

	// The first run adds the workspace.
	r := a.run()
	if r.code != 0 || strings.Contains(r.output, "::error") || !strings.Contains(r.outputs, "exit-code=0\n") {
		t.Fatalf("first run:\n%s", r)
	}
	checkPushed(r, initCommits+1)
	wantInSummary(t, r.summary, "## notion-git sync: complete\n", "Committed `"+remoteTip()[:12]+"` on `main`.",
		"### Pages changed (6)\n", "- added: **Team Home**\n", "- added: **Release notes**\n", "### Requests\n")

	// An edit: one commit on top, the page named in the summary.
	err = e.EditBlock(readHandbookBlockID, func(b map[string]any) {
		text := b["to_do"].(map[string]any)["rich_text"].([]any)[0].(map[string]any)
		text["plain_text"] = "Read the whole handbook"
		text["text"].(map[string]any)["content"] = "Read the whole handbook"
	})
	if err != nil {
		t.Fatal(err)
	}
	r = a.run()
	if r.code != 0 {
		t.Fatalf("second run:\n%s", r)
	}
	checkPushed(r, initCommits+2)
	// Team Home's files change with its child's edit time.
	wantInSummary(t, r.summary, "### Pages changed (2)\n", "- changed: **Onboarding** (+1 −1 lines)\n", "- changed: **Team Home** (its text is the same)\n")

	// Stopped by the time box: the job succeeds with a notice, and the
	// summary says the next run resumes.
	r = a.run("NOTION_GIT_ACTION_MAX_DURATION=1ns")
	if r.code != 0 || !strings.Contains(r.output, "::notice title=notion-git sync incomplete::") || !strings.Contains(r.outputs, "exit-code=5\n") {
		t.Fatalf("a time-boxed run:\n%s", r)
	}
	wantInSummary(t, r.summary, "## notion-git sync: incomplete, will resume\n", "The next run continues from the checkpoint.")
	checkPushed(r, initCommits+2)

	// Partial: one page cannot be read, another changed. The change is
	// committed and pushed, and then the job fails with an error
	// annotation.
	if err := e.SetTitle(onboardingID, "Onboarding guide"); err != nil {
		t.Fatal(err)
	}
	h.armed.Store(true)
	r = a.run("NOTION_GIT_ACTION_ARGS=--full")
	if r.code != exitPartial || !strings.Contains(r.output, "::error title=notion-git sync partial::") || !strings.Contains(r.outputs, "exit-code=3\n") {
		t.Fatalf("a partial run:\n%s", r)
	}
	checkPushed(r, initCommits+3)
	wantInSummary(t, r.summary, "## notion-git sync: partial\n", "renamed from **Onboarding**: **Onboarding guide**",
		"### Unreadable (1, kept their previous version)\n", "- page `"+releaseID+"`: ")
	h.armed.Store(false)

	// The token, and the basic auth header made of it, are nowhere in
	// any run's git directory, nor in the summary.
	basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + token))
	for _, clone := range a.clones {
		err = filepath.WalkDir(filepath.Join(clone, ".git"), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if bytes.Contains(b, []byte(token)) || bytes.Contains(b, []byte(basic)) {
				t.Errorf("%s holds the token", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		gitFsck(t, clone)
	}
	if strings.Contains(r.summary, token) {
		t.Errorf("the summary holds the token")
	}
	if len(a.clones) != 4 {
		t.Errorf("%d runs, each in its own clone; want 4", len(a.clones))
	}
}
