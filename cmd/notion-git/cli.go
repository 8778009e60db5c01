package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/alecthomas/kong"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/notion"
)

// Exit codes, documented in --help and the README.
const (
	exitOK      = 0
	exitError   = 1 // the command failed; nothing was committed to the branch
	exitUsage   = 2 // the command line was wrong
	exitPartial = 3 // sync committed, but some objects could not be read and kept their previous version
	exitStale   = 4 // committed, but the working tree could not be updated; the next sync finishes it
	// exitIncomplete: sync stopped at --max-duration and kept its progress
	// as a checkpoint; the branch has not moved; run again to continue.
	exitIncomplete = 5
	exitCancel     = 130
)

const exitCodesHelp = `Exit codes: 0 success; 1 failure (a sync committed nothing; a restore may have written part of the copy and says what, run it again to resume; also when Notion asks to wait longer than 15 minutes); 2 usage error; ` +
	`3 partial (a sync committed, but some pages could not be read and kept their previous version; ` +
	`or restore --verify found differences RESTORE.md does not allow); ` +
	`4 committed, but the working tree could not be updated (the next sync finishes it); ` +
	`5 incomplete (sync stopped at --max-duration, its progress kept as a checkpoint, the branch not moved: run again to continue); ` +
	`130 interrupted.`

// CLI is the command line: global settings, then one field per command.
type CLI struct {
	Globals

	Sync    syncCmd    `cmd:"" help:"Crawl the workspace and commit it as a snapshot (only what changed since the last sync)."`
	Restore restoreCmd `cmd:"" help:"Restore a snapshot (any git revision) into a Notion page, with every reference pointing inside the copy."`
	Log     logCmd     `cmd:"" help:"List the syncs, newest first, with their counts; with PAGE, only those that changed that page."`
	Show    showCmd    `cmd:"" help:"Show a snapshot's summary and page tree, or one page of it as Markdown."`
	Diff    diffCmd    `cmd:"" help:"What changed in Notion between two snapshots: pages added, removed, renamed, moved and edited, and schemas."`
	Init    initCmd    `cmd:"" help:"Create the repository and, with --github, a scheduled GitHub Actions workflow that syncs and pushes."`
	Version versionCmd `cmd:"" help:"Print the version of notion-git and the Notion API version it speaks."`

	Completion completionCmd `cmd:"" help:"Print a shell completion script: source <(notion-git completion bash), or zsh, or fish."`
	Man        manCmd        `cmd:"" help:"Print the manual page (roff): notion-git man > ~/.local/share/man/man1/notion-git.1"`
	// For git, not for people: the diff driver of init's .gitattributes.
	Textconv textconvCmd `cmd:"" help:"Print a snapshot file as git diff should show it: a page, block or comment file as Markdown (the diff driver that init sets up)."`
}

// Globals are the settings every command shares. Each may also come from the
// environment, which is how a scheduled CI job passes the token.
type Globals struct {
	Token         string  `env:"NOTION_TOKEN" help:"Notion integration secret. Prefer the environment variable: a flag shows in the process list." placeholder:"SECRET"`
	APIURL        string  `name:"api-url" env:"NOTION_API_URL" default:"${default_api_url}" help:"Notion API base URL (point it at a local emulator to test)."`
	NotionVersion string  `name:"notion-version" env:"NOTION_VERSION" default:"${default_version}" help:"Notion API version to speak (the Notion-Version header): ${notion_versions}. The snapshot is the same under either."`
	Rate          float64 `env:"NOTION_GIT_RATE" default:"${default_rate}" help:"Most requests per second, for all requests together (Notion allows about 3 on average). The pacer adapts: on a 429 it slows down and learns the real budget, so a rate set too high costs little."`
	Burst         int     `env:"NOTION_GIT_BURST" default:"${default_burst}" help:"Requests that may go at once after an idle moment."`
	Concurrency   int     `env:"NOTION_GIT_CONCURRENCY" default:"8" help:"Requests in flight at once; hides latency, never raises the rate."`
	Quiet         bool    `short:"q" env:"NOTION_GIT_QUIET" help:"Print errors only."`
	Verbose       bool    `short:"v" env:"NOTION_GIT_VERBOSE" help:"Print request counts and details."`
	// VersionFlag is --version, for the habit; it prints what the version
	// command does.
	VersionFlag kong.VersionFlag `name:"version" help:"Print the version and exit."`

	// clock is what the Notion client waits by: Env.Clock.
	clock notion.Clock
	// waits tells of the client's long waits (see waitNotice).
	waits *waitNotice
}

// Env is what commands receive besides their flags: where to write and when
// to stop. Tests pass buffers and their own context.
type Env struct {
	Ctx    context.Context
	Stdout io.Writer
	Stderr io.Writer
	// Now is the clock of time boxes and reports; time.Now when nil.
	Now func() time.Time
	// Clock is what the Notion client waits by (Retry-After, backoff); the
	// wall clock when nil. Tests wait out an hour's Retry-After in no
	// real time with it.
	Clock notion.Clock
}

func (e *Env) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// client builds the Notion client from the global settings. It needs the
// token: a clear error says where to put it.
func (g *Globals) client() (*notion.Client, error) {
	if strings.TrimSpace(g.Token) == "" {
		return nil, errors.New("no Notion token: set NOTION_TOKEN to your integration's secret (or pass --token)")
	}
	if g.Rate <= 0 {
		return nil, usageError{errors.New("--rate must be above 0")}
	}
	cfg := notion.Config{
		BaseURL: g.APIURL, Token: strings.TrimSpace(g.Token), Version: g.NotionVersion,
		Rate: g.Rate, Burst: g.Burst, UserAgent: "notion-git/" + version(), Clock: g.clock,
	}
	if g.waits != nil {
		cfg.OnWait = g.waits.onWait
	}
	return notion.New(cfg)
}

// usageError marks a command-line mistake found after parsing (exit 2).
type usageError struct{ error }

// partialError marks a run that did its job but left something out (exit 3).
type partialError struct{ error }

// worktreeError is a commit whose working-tree refresh failed (exit 4): the
// branch holds the commit; the working tree lags behind until the next sync
// (or init) finishes the refresh.
type worktreeError struct {
	commit plumbing.Hash
	branch string
	err    error
}

func (e worktreeError) Error() string {
	return fmt.Sprintf("committed %s on %s, but the working tree could not be updated: %v; the next sync will finish it",
		e.commit.String()[:12], e.branch, e.err)
}
func (e worktreeError) Unwrap() error { return e.err }

// interruptedError is an interruption (it wraps context.Canceled) that
// says what it left behind. Without one, an interruption is a sync's or a
// read-only command's, and those commit nothing when stopped.
type interruptedError struct {
	what string
	err  error
}

func (e interruptedError) Error() string { return e.what }
func (e interruptedError) Unwrap() error { return e.err }

type exitRequest struct{ code int }

// run parses args and runs the command, returning the exit code. Errors are
// printed as one line on stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWith(&Env{Ctx: ctx, Stdout: stdout, Stderr: stderr}, args, nil)
}

// runPrepared is run with prepare, if not nil, called on the parsed command line
// before the command runs: tests set what no flag sets through it.
func runPrepared(ctx context.Context, args []string, stdout, stderr io.Writer, prepare func(*CLI)) int {
	return runWith(&Env{Ctx: ctx, Stdout: stdout, Stderr: stderr}, args, prepare)
}

// runEnv is run with every dependency in env (tests pass their own clock).
func runEnv(env *Env, args []string) int { return runWith(env, args, nil) }

// runWith is run with its dependencies in env and, if not nil, prepare
// called on the parsed command line before the command runs.
func runWith(env *Env, args []string, prepare func(*CLI)) (code int) {
	stdout, stderr := env.Stdout, env.Stderr
	var cli CLI
	parser, err := newParser(&cli, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "notion-git: %v\n", err)
		return exitError
	}
	defer func() {
		if r := recover(); r != nil {
			req, ok := r.(exitRequest)
			if !ok {
				panic(r)
			}
			code = req.code
			if code == 1 { // kong exits 1 on usage errors it reports itself
				code = exitUsage
			}
		}
	}()
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "notion-git: %v (see notion-git --help)\n", err)
		return exitUsage
	}
	// Checked before any command runs: a version notion-git does not know
	// would answer in shapes it cannot read or write back.
	if !notion.KnownVersion(cli.NotionVersion) {
		fmt.Fprintf(stderr, "notion-git: --notion-version %q is not one notion-git speaks: use %s (see notion-git --help)\n",
			cli.NotionVersion, strings.Join(notion.Versions, " or "))
		return exitUsage
	}
	demoOnlyByFlag(&cli, kctx)
	if prepare != nil {
		prepare(&cli)
	}
	cli.Globals.clock = env.Clock
	cli.Globals.waits = &waitNotice{stderr: stderr, verbose: cli.Verbose && !cli.Quiet}
	err = kctx.Run(&cli.Globals, env)
	command, _, _ := strings.Cut(kctx.Command(), " ")
	return report(err, stderr, command)
}

// newParser is the command line's parser into cli: the kong model that
// --help, the completion scripts and the man page are made from.
func newParser(cli *CLI, stdout, stderr io.Writer) (*kong.Kong, error) {
	return kong.New(cli,
		kong.Name("notion-git"),
		kong.Description("Keep a Notion workspace under version control: sync it into git as canonical JSON, "+
			"review changes with git, restore any commit into a Notion page.\n\n"+exitCodesHelp),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitRequest{code}) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Vars{
			"default_api_url": notion.DefaultBaseURL,
			"default_version": notion.DefaultVersion,
			"notion_versions": strings.Join(notion.Versions, " or "),
			"default_rate":    fmt.Sprint(notion.DefaultRate),
			"default_burst":   fmt.Sprint(notion.DefaultBurst),
			"version":         versionLine(),
		},
		repoFromEnv,
	)
}

// report prints err as one line and picks the exit code; command is the
// command that failed ("sync").
func report(err error, stderr io.Writer, command string) int {
	if err == nil {
		return exitOK
	}
	var usage usageError
	var partial partialError
	var stale worktreeError
	var incomplete incompleteError
	var wait *notion.WaitTooLongError
	switch {
	case errors.As(err, &wait):
		// The wait alone, without the step that met it: the step does
		// not matter, the wait does.
		next := "nothing was committed; run again later"
		switch {
		case command == "restore":
			next = "run the same restore again later: it resumes from its journal"
		case errors.As(err, new(checkpointKept)):
			next = "nothing was committed to the branch; what was crawled before is kept as a checkpoint; run again later to continue from it"
		}
		fmt.Fprintf(stderr, "notion-git: %s; %s\n", wait, next)
		return exitError
	case errors.As(err, &incomplete):
		fmt.Fprintf(stderr, "notion-git: %v\n", oneLine(err))
		return exitIncomplete
	case errors.Is(err, context.Canceled):
		var in interruptedError
		if errors.As(err, &in) {
			fmt.Fprintf(stderr, "notion-git: %s\n", in.what)
		} else {
			fmt.Fprintln(stderr, "notion-git: interrupted; nothing was committed")
		}
		return exitCancel
	case errors.As(err, &stale):
		fmt.Fprintf(stderr, "notion-git: %v\n", oneLine(err))
		return exitStale
	case errors.As(err, &partial):
		fmt.Fprintf(stderr, "notion-git: %v\n", oneLine(err))
		return exitPartial
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "notion-git: %v (see notion-git --help)\n", oneLine(err))
		return exitUsage
	default:
		fmt.Fprintf(stderr, "notion-git: %v\n", oneLine(err))
		return exitError
	}
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// repoEnv sets --repo on every command that has the flag.
const repoEnv = "NOTION_GIT_REPO"

// repoFromEnv gives every --repo flag the NOTION_GIT_REPO variable, as if
// each command's field said env:"NOTION_GIT_REPO": set once here, a command
// added later cannot miss it. The flag, when given, wins over the variable.
var repoFromEnv = kong.PostBuild(func(k *kong.Kong) error {
	var walk func(*kong.Node)
	walk = func(n *kong.Node) {
		for _, f := range n.Flags {
			if f.Name == "repo" && !slices.Contains(f.Envs, repoEnv) {
				f.Envs = append(f.Envs, repoEnv)
				f.Value.Tag.Envs = append(f.Value.Tag.Envs, repoEnv)
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(k.Model.Node)
	return nil
})

// repoDirFor is the repository a command works on: --repo, else the current
// directory, or ./notion-demo for the demo.
func repoDirFor(repo string, demo bool) string {
	switch {
	case repo != "":
		return repo
	case demo:
		return "notion-demo"
	}
	return "."
}

// demoOnlyByFlag keeps the environment's NOTION_GIT_REPO and
// NOTION_GIT_PUSH away from --demo: a variable set for the real backup
// would otherwise commit the sample workspace into it, and push it. Given
// on the command line, they still apply.
func demoOnlyByFlag(cli *CLI, kctx *kong.Context) {
	given := map[string]bool{}
	for _, p := range kctx.Path {
		if p.Flag != nil {
			given[p.Flag.Name] = true
		}
	}
	if cli.Sync.Demo {
		if !given["repo"] {
			cli.Sync.Repo = ""
		}
		if !given["push"] {
			cli.Sync.Push = false
		}
	}
	if cli.Restore.Demo && !given["repo"] {
		cli.Restore.Repo = ""
	}
}
