package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/alecthomas/kong"
)

// The manual page is written here from kong's model, like the completion
// scripts. mango-kong, the kong add-on for man pages, leaves out what this
// command line leans on: the environment variables (NOTION_TOKEN is how a
// scheduled job passes its secret), enum values and the exit codes; and it
// stamps the page with the day it is printed, so the same binary prints
// different pages. The roff below is the few macros of man(7).
//
// The command is listed in --help: people look for `man` there when
// `man notion-git` finds nothing, and the help says where to put it.

type manCmd struct{}

func (manCmd) Run(kctx *kong.Context, env *Env) error {
	_, err := io.WriteString(env.Stdout, manPage(kctx.Model))
	return err
}

// manPage is the page for app in man(7) roff.
func manPage(app *kong.Application) string {
	var b strings.Builder
	name := app.Name
	cmds := walkCommands(app)
	desc, _, _ := strings.Cut(app.Help, "\n\n"+"Exit codes:")

	fmt.Fprintf(&b, ".TH %s 1 \"\" %s \"User Commands\"\n", roffArg(strings.ToUpper(name)), roffArg(name+" "+version()))
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", roffText(name), roffText(manSummary(desc)))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n.B %s\n[\\fIflags\\fR] \\fIcommand\\fR [\\fIflags\\fR] [\\fIarguments\\fR]\n", roffText(name))
	b.WriteString(".SH DESCRIPTION\n")
	for i, p := range strings.Split(strings.TrimSpace(desc), "\n\n") {
		if i > 0 {
			b.WriteString(".PP\n")
		}
		b.WriteString(roffText(p) + "\n")
	}
	b.WriteString(".PP\nEvery flag may also come from the environment variable named after it in its description; a flag given on the command line wins.\n")

	b.WriteString(".SH OPTIONS\nThese apply to every command.\n")
	for _, f := range cmds[0].own {
		writeManFlag(&b, f)
	}

	b.WriteString(".SH COMMANDS\n")
	for _, c := range cmds[1:] {
		fmt.Fprintf(&b, ".SS %s\n", roffArg(name+" "+c.node.Summary()))
		b.WriteString(roffText(c.node.Help) + "\n")
		if c.node.Detail != "" {
			b.WriteString(".PP\n" + roffText(c.node.Detail) + "\n")
		}
		for _, p := range c.node.Positional {
			fmt.Fprintf(&b, ".TP\n\\fI%s\\fR\n%s\n", roffText(p.Summary()), withValues(p.Help, p, nil))
		}
		for _, f := range c.own {
			writeManFlag(&b, f)
		}
	}

	// One entry a variable, naming every command whose flag it sets.
	b.WriteString(".SH ENVIRONMENT\n")
	var envs []string
	sets := map[string][]string{}
	for _, c := range cmds {
		for _, f := range c.own {
			for _, e := range f.Envs {
				if _, ok := sets[e]; !ok {
					envs = append(envs, e)
				}
				sets[e] = append(sets[e], c.path+"\x00"+f.Name)
			}
		}
	}
	for _, e := range envs {
		flag, where := "", []string{}
		for _, s := range sets[e] {
			path, name, _ := strings.Cut(s, "\x00")
			flag = name
			if path != "" {
				where = append(where, path)
			}
		}
		of := ""
		if len(where) > 0 {
			of = " of " + strings.Join(where, ", ")
		}
		fmt.Fprintf(&b, ".TP\n.B \\%%%s\nSets \\fB\\-\\-%s\\fR%s.\n", roffText(e), roffText(flag), roffText(of))
	}

	b.WriteString(".SH EXIT STATUS\n")
	for _, entry := range exitCodeEntries(exitCodesHelp) {
		code, what, _ := strings.Cut(entry, " ")
		fmt.Fprintf(&b, ".TP\n.B %s\n%s.\n", roffText(code), roffText(what))
	}
	b.WriteString(".SH SEE ALSO\n.BR git (1)\n")
	return b.String()
}

// exitCodeEntries splits exitCodesHelp into one entry a code ("3 partial
// (...)"): at "; " before a number, not at the semicolons inside an entry.
func exitCodeEntries(help string) []string {
	help = strings.TrimSuffix(strings.TrimPrefix(help, "Exit codes: "), ".")
	var out []string
	start := 0
	for _, m := range exitCodeSep.FindAllStringIndex(help, -1) {
		out = append(out, help[start:m[0]])
		start = m[0] + 2
	}
	return append(out, help[start:])
}

var exitCodeSep = regexp.MustCompile(`; [0-9]`)

// writeManFlag writes one flag as a tagged paragraph: its names and
// value, then its help, values, default and environment variables.
func writeManFlag(b *strings.Builder, f *kong.Flag) {
	names := ""
	if f.Short != 0 {
		names = fmt.Sprintf("\\fB\\-%s\\fR, ", roffText(string(f.Short)))
	}
	names += "\\fB\\-\\-" + roffText(f.Name) + "\\fR"
	if takesValue(f) {
		names += "=\\fI" + roffText(manPlaceholder(f)) + "\\fR"
	}
	if f.Tag != nil && f.Tag.Negatable != "" {
		names += ", \\fB\\-\\-no\\-" + roffText(f.Name) + "\\fR"
	}
	fmt.Fprintf(b, ".TP\n%s\n%s\n", names, withValues(f.Help, f.Value, f.Envs))
}

// withValues is help, in roff, with what it does not already say: the
// enum values, the default and the environment variables (which roff must
// not hyphenate: \%).
func withValues(help string, v *kong.Value, envs []string) string {
	help = strings.TrimSpace(help)
	if v.Enum != "" {
		help += " One of: " + strings.Join(v.EnumSlice(), ", ") + "."
	}
	if v.HasDefault && v.Default != "" && !v.IsBool() && !strings.Contains(strings.ToLower(help), "default") {
		help += " Default: " + v.Default + "."
	}
	out := roffText(help)
	if len(envs) > 0 {
		var names []string
		for _, e := range envs {
			names = append(names, `\fB\%`+roffText(e)+`\fR`)
		}
		out += " Environment: " + strings.Join(names, ", ") + "."
	}
	return out
}

// manPlaceholder is the word that stands for a flag's value: the one its
// help shows, else its name.
func manPlaceholder(f *kong.Flag) string {
	if f.PlaceHolder != "" {
		return f.PlaceHolder
	}
	if f.Enum != "" {
		return strings.Join(f.EnumSlice(), "|")
	}
	return strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
}

// manSummary is the description's first clause, for the NAME line.
func manSummary(desc string) string {
	s, _, _ := strings.Cut(firstSentence(desc), ": ")
	return s
}

// roffText escapes text for a roff text line: backslashes, and a line that
// would begin with a control character.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}

// roffArg quotes s as one macro argument.
func roffArg(s string) string {
	return `"` + strings.ReplaceAll(roffText(s), `"`, `\(dq`) + `"`
}
