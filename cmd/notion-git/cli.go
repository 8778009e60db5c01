package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/notion-git/notion-git/notion"
)

// Exit codes, documented in --help and the README.
const (
	exitOK      = 0
	exitError   = 1 // the command failed; nothing was committed or written
	exitUsage   = 2 // the command line was wrong
	exitPartial = 3 // sync committed, but some objects could not be read and kept their previous version
	exitCancel  = 130
)

const exitCodesHelp = `Exit codes: 0 success; 1 failure (nothing committed; also when Notion asks to wait longer than 15 minutes); 2 usage error; ` +
	`3 partial (a sync committed, but some pages could not be read and kept their previous version; ` +
	`or restore --verify found differences RESTORE.md does not allow); 130 interrupted.`

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
}

// Globals are the settings every command shares. Each may also come from the
// environment, which is how a scheduled CI job passes the token.
type Globals struct {
	Token         string  `env:"NOTION_TOKEN" help:"Notion integration secret. Prefer the environment variable: a flag shows in the process list." placeholder:"SECRET"`
	APIURL        string  `name:"api-url" env:"NOTION_API_URL" default:"${default_api_url}" help:"Notion API base URL (point it at a local emulator to test)."`
	NotionVersion string  `name:"notion-version" env:"NOTION_VERSION" default:"${default_version}" help:"Notion-Version header to speak."`
	Rate          float64 `env:"NOTION_GIT_RATE" default:"${default_rate}" help:"Most requests per second, for all requests together (Notion allows about 3 on average). The pacer adapts: on a 429 it slows down and learns the real budget, so a rate set too high costs little."`
	Burst         int     `env:"NOTION_GIT_BURST" default:"${default_burst}" help:"Requests that may go at once after an idle moment."`
	Concurrency   int     `env:"NOTION_GIT_CONCURRENCY" default:"8" help:"Requests in flight at once; hides latency, never raises the rate."`
	Quiet         bool    `short:"q" env:"NOTION_GIT_QUIET" help:"Print errors only."`
	Verbose       bool    `short:"v" env:"NOTION_GIT_VERBOSE" help:"Print request counts and details."`

	// clock is what the Notion client waits by: nil for the wall clock,
	// or the one run's context carries (clockKey).
	clock notion.Clock
	// waits tells of the client's long waits (see waitNotice).
	waits *waitNotice
}

// clockKey carries, in the context given to run, a clock for the Notion
// client other than the wall clock: a caller that runs the command line in
// process (the tests) waits out an hour's Retry-After in no real time.
type clockKey struct{}

// Env is what commands receive besides their flags: where to write and when
// to stop. Tests pass buffers and their own context.
type Env struct {
	Ctx    context.Context
	Stdout io.Writer
	Stderr io.Writer
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
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("notion-git"),
		kong.Description("Keep a Notion workspace under version control: sync it into git as canonical JSON, "+
			"review changes with git, restore any commit into a Notion page.\n\n"+exitCodesHelp),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitRequest{code}) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Vars{
			"default_api_url": notion.DefaultBaseURL,
			"default_version": notion.DefaultVersion,
			"default_rate":    fmt.Sprint(notion.DefaultRate),
			"default_burst":   fmt.Sprint(notion.DefaultBurst),
		},
	)
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
	env := &Env{Ctx: ctx, Stdout: stdout, Stderr: stderr}
	cli.Globals.clock, _ = ctx.Value(clockKey{}).(notion.Clock)
	cli.Globals.waits = &waitNotice{stderr: stderr, verbose: cli.Verbose && !cli.Quiet}
	err = kctx.Run(&cli.Globals, env)
	command, _, _ := strings.Cut(kctx.Command(), " ")
	return report(err, stderr, command)
}

// report prints err as one line and picks the exit code; command is the
// command that failed ("sync").
func report(err error, stderr io.Writer, command string) int {
	if err == nil {
		return exitOK
	}
	var usage usageError
	var partial partialError
	var wait *notion.WaitTooLongError
	switch {
	case errors.As(err, &wait):
		// The wait alone, without the step that met it: the step does
		// not matter, the wait does.
		next := "nothing was committed; run again later"
		if command == "restore" {
			next = "run the same restore again later: it resumes from its journal"
		}
		fmt.Fprintf(stderr, "notion-git: %s; %s\n", wait, next)
		return exitError
	case errors.Is(err, context.Canceled):
		var in interruptedError
		if errors.As(err, &in) {
			fmt.Fprintf(stderr, "notion-git: %s\n", in.what)
		} else {
			fmt.Fprintln(stderr, "notion-git: interrupted; nothing was committed")
		}
		return exitCancel
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
