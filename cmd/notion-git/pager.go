package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"golang.org/x/term"
)

// How a review command (diff; show and log may follow) meets a terminal:
// colour when a person reads it, a pager for output longer than a screen,
// and neither when a script or a pipe reads it, as git does.

// pagerEnv names notion-git's own pager, which wins over PAGER, as
// GIT_PAGER does for git.
const pagerEnv = "NOTION_GIT_PAGER"

// colorFlag is the --color setting of a review command.
type colorFlag struct {
	Color string `enum:"auto,always,never" default:"auto" placeholder:"WHEN" help:"Colour the output: auto (on a terminal, unless NO_COLOR is set), always or never."`
}

// pagerFlag is the --no-pager setting of a review command.
type pagerFlag struct {
	NoPager bool `name:"no-pager" help:"Write to the terminal directly instead of through a pager ($NOTION_GIT_PAGER, else $PAGER, else less)."`
}

// useColor decides the colour of output to w. Any non-empty NO_COLOR
// turns auto off (no-color.org); TERM=dumb too, as in git.
func useColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	return isTerminal(w) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// pager is the output of a review command: stdout itself, or the input of
// a pager that shows it.
type pager struct {
	io.Writer
	cmd  *exec.Cmd
	pipe *os.File
}

// startPager starts the pager when stdout is a terminal and the user did
// not turn it off; otherwise the output goes to stdout as it is. A pager
// that cannot start is said once on stderr and the output goes to the
// terminal. Close must be called when the output is complete.
func startPager(stdout, stderr io.Writer, noPager bool) *pager {
	if noPager || !isTerminal(stdout) {
		return &pager{Writer: stdout}
	}
	command := pagerCommand()
	if command == "" || command == "cat" {
		return &pager{Writer: stdout}
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(stderr, "notion-git: no pager: %v\n", err)
		return &pager{Writer: stdout}
	}
	cmd := shellCommand(command)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = r, stdout, stderr
	cmd.Env = os.Environ()
	// The defaults git gives less and lv: quit when the output fits on a
	// screen, pass colour through, do not clear the screen at the end.
	if _, ok := os.LookupEnv("LESS"); !ok {
		cmd.Env = append(cmd.Env, "LESS=FRX")
	}
	if _, ok := os.LookupEnv("LV"); !ok {
		cmd.Env = append(cmd.Env, "LV=-c")
	}
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		fmt.Fprintf(stderr, "notion-git: cannot start the pager %q: %v\n", command, err)
		return &pager{Writer: stdout}
	}
	r.Close() // the pager holds its own copy
	return &pager{Writer: &pagerWriter{w: w}, cmd: cmd, pipe: w}
}

// pagerCommand is the pager the user chose, else less. An empty
// NOTION_GIT_PAGER or PAGER, like "cat", means none.
func pagerCommand() string {
	for _, name := range []string{pagerEnv, "PAGER"} {
		if v, ok := os.LookupEnv(name); ok {
			return strings.TrimSpace(v)
		}
	}
	return "less"
}

// shellCommand runs a pager setting as git does: a bare program name
// directly, so that one that is not installed fails to start (and the
// output goes to the terminal), and anything else ("less -S", a pipe)
// through the shell.
func shellCommand(command string) *exec.Cmd {
	if runtime.GOOS == "windows" {
		f := strings.Fields(command)
		return exec.Command(f[0], f[1:]...)
	}
	if !strings.ContainsAny(command, shellMetachars) {
		return exec.Command(command)
	}
	return exec.Command("sh", "-c", command)
}

// shellMetachars are the characters that make git hand a command to the
// shell.
const shellMetachars = "|&;<>()$`\\\"' \t\n*?[#~=%"

// Close ends the output and waits for the pager to quit. The pager's own
// exit status is not the command's: a user who quits less before the end
// has not made the diff fail.
func (p *pager) Close() {
	if p.cmd == nil {
		return
	}
	p.pipe.Close()
	_ = p.cmd.Wait()
}

// pagerWriter writes to the pager until it quits. After the first failed
// write (EPIPE: the user quit) the rest of the output is dropped without
// an error, so that the command finishes quietly and quickly.
type pagerWriter struct {
	w    io.Writer
	gone bool
}

func (p *pagerWriter) Write(b []byte) (int, error) {
	if p.gone {
		return len(b), nil
	}
	if _, err := p.w.Write(b); err != nil {
		p.gone = true
	}
	return len(b), nil
}
