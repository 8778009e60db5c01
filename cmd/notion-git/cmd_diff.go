package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/review"
)

type diffCmd struct {
	Repo string `short:"r" placeholder:"DIR" help:"Git repository holding the snapshots (default: the current directory)."`
	Stat bool   `help:"One line per changed page (title, lines added and removed, what happened) instead of the Markdown diff."`
	JSON bool   `name:"json" help:"Print the comparison as one JSON document (pages with their hunks, schemas, views) for scripts."`
	colorFlag
	pagerFlag
	From string `arg:"" optional:"" placeholder:"REV1" help:"Older snapshot (default HEAD~1); alone, it is compared with HEAD."`
	To   string `arg:"" optional:"" placeholder:"REV2" help:"Newer snapshot (default HEAD)."`
}

// Run runs the diff command for the CLI.
func (c *diffCmd) Run(env *Env) error {
	return runDiff(env.Ctx, c, env.Stdout, env.Stderr)
}

// runDiff is the diff command without the CLI around it; tests call it.
// The pager starts only once the comparison is made, so that an error is
// a line on the terminal rather than a screen of less.
func runDiff(ctx context.Context, c *diffCmd, stdout, stderr io.Writer) error {
	repo, err := openHistory(c.Repo)
	if err != nil {
		return err
	}
	fromName, toName := c.From, c.To
	if toName == "" {
		toName = "HEAD"
	}
	to, err := resolveRevision(repo, toName)
	if err != nil {
		return err
	}
	var from plumbing.Hash
	if fromName == "" {
		// HEAD~1, except that the first sync is compared with nothing
		// rather than refused.
		fromName = toName + "~1"
		ci, err := repo.ReadCommit(to)
		if err != nil {
			return err
		}
		from = ci.FirstParent()
	} else if from, err = resolveRevision(repo, fromName); err != nil {
		return err
	}
	if err := checkDiffSides(repo, fromName, from, c.From == "", toName, to); err != nil {
		return err
	}
	d, err := review.Compare(ctx, repo, from, to)
	if err != nil {
		return err
	}
	if c.JSON {
		return printDiffJSON(stdout, d, fromName, from, toName, to)
	}
	pg := startPager(stdout, stderr, c.NoPager)
	defer pg.Close()
	out := io.Writer(pg)
	pal := palette(useColor(c.Color, stdout))
	fromLabel := fmt.Sprintf("%s (%s)", fromName, short(from))
	if from.IsZero() {
		fromLabel = "nothing" // the first commit: everything in it is new
	}
	fmt.Fprintln(out, pal.paint(colorHeader, fmt.Sprintf("diff %s .. %s (%s)", fromLabel, toName, short(to))))
	if u := d.FormatUpgrade; u != nil {
		fmt.Fprintf(out, "layout %s from format %d to format %d\n", upgradeVerb(u), u.From, u.To)
	}
	if d.Empty() {
		fmt.Fprintln(out, "no change in Notion")
		if len(d.Relinked) == 0 {
			return nil
		}
	}
	if c.Stat {
		printStat(out, d)
		return nil
	}
	printSummary(out, d)
	printPages(out, d, pal)
	return nil
}

// printSummary prints one line per thing that happened to a page, grouped
// the way a reviewer reads a change: what appeared, what went, what was
// renamed or moved, what was edited; then the schema changes.
func printSummary(out io.Writer, d *review.Diff) {
	for _, p := range d.Pages {
		if p.Added() {
			fmt.Fprintf(out, "added:   %s (%s)\n", quoted(p.NewTitle), p.ID)
		}
	}
	for _, p := range d.Pages {
		if p.Removed() {
			fmt.Fprintf(out, "removed: %s (%s)\n", quoted(p.OldTitle), p.ID)
		}
	}
	for _, p := range d.Pages {
		if p.Renamed() {
			fmt.Fprintf(out, "renamed: %s -> %s (%s)\n", quoted(p.OldTitle), quoted(p.NewTitle), p.ID)
		}
	}
	for _, p := range d.Pages {
		if p.Moved() {
			fmt.Fprintf(out, "moved:   %s from %s to %s (%s)\n", quoted(p.NewTitle), parentName(p.OldParent), parentName(p.NewParent), p.ID)
		}
	}
	for _, p := range d.Pages {
		switch {
		case p.Edited:
			fmt.Fprintf(out, "changed: %s +%d -%d (%s)\n", quoted(p.NewTitle), p.LinesAdded, p.LinesRemoved, p.ID)
		case p.InOld && p.InNew && !p.Renamed() && !p.Moved():
			// Properties Markdown does not show, attachments, or Notion's
			// own bookkeeping: still a change, so still listed.
			fmt.Fprintf(out, "changed: %s, nothing its Markdown shows (%s)\n", quoted(p.NewTitle), p.ID)
		}
	}
	for _, p := range d.Relinked {
		fmt.Fprintf(out, "%s %s (%s)\n", relinkHead(d), quoted(p.NewTitle), p.ID)
	}
	printSchemas(out, d)
}

// upgradeVerb is how a format change is said: upgraded, or downgraded for
// a comparison backwards.
func upgradeVerb(u *review.FormatUpgrade) string {
	if u.To < u.From {
		return "downgraded"
	}
	return "upgraded"
}

// relinkHead is what diff calls the pages of d.Relinked, whose README alone
// changed: their links, when a page or database they may link to was
// renamed or went, else the rendering, when the layout's format changed.
func relinkHead(d *review.Diff) string {
	if d.FormatUpgrade != nil {
		return "rendered again:"
	}
	return "links updated:"
}

// relinkWhy says why, as far as d tells, for the heading of their hunks.
func relinkWhy(d *review.Diff) string {
	if u := d.FormatUpgrade; u != nil {
		return fmt.Sprintf("layout %s to format %d", upgradeVerb(u), u.To)
	}
	for _, p := range d.Pages {
		if p.Renamed() {
			return "a page it links to was renamed"
		}
	}
	for _, p := range d.Pages {
		if p.Removed() {
			return "a page it links to was removed"
		}
	}
	for _, s := range d.Schemas {
		if s.Renamed() || !s.InNew {
			return "a database it links to was renamed or removed"
		}
	}
	return "a name it shows changed"
}

// printSchemas prints one line per database or data source that changed,
// then one per view.
func printSchemas(out io.Writer, d *review.Diff) {
	for _, s := range d.Schemas {
		kind := "database"
		if s.Kind == layout.KindDataSource {
			kind = "data source"
		}
		switch {
		case !s.InOld:
			fmt.Fprintf(out, "%s %s added (%s)\n", kind, quoted(s.NewTitle), s.ID)
			continue
		case !s.InNew:
			fmt.Fprintf(out, "%s %s removed (%s)\n", kind, quoted(s.OldTitle), s.ID)
			continue
		}
		var notes []string
		if s.Renamed() {
			notes = append(notes, "renamed from "+quoted(s.OldTitle))
		}
		var props []string
		for _, p := range s.Properties {
			props = append(props, propertyNote(p))
		}
		slices.Sort(props)
		notes = append(notes, props...)
		fmt.Fprintf(out, "%s %s: %s (%s)\n", kind, quoted(s.NewTitle), strings.Join(notes, "; "), s.ID)
	}
	for _, v := range d.Views {
		in := "in database " + quoted(v.DatabaseTitle)
		switch {
		case !v.InOld:
			fmt.Fprintf(out, "view %s (%s) added %s (%s)\n", quoted(v.NewName), v.NewType, in, v.ID)
			continue
		case !v.InNew:
			fmt.Fprintf(out, "view %s (%s) removed %s (%s)\n", quoted(v.OldName), v.OldType, in, v.ID)
			continue
		}
		var notes []string
		if v.Renamed() {
			notes = append(notes, "renamed from "+quoted(v.OldName))
		}
		if v.OldType != v.NewType {
			notes = append(notes, "changed from "+v.OldType+" to "+v.NewType)
		} else if v.SettingsChanged {
			notes = append(notes, "settings changed (filters, sorts, grouping or shown properties)")
		}
		fmt.Fprintf(out, "view %s %s: %s (%s)\n", quoted(v.NewName), in, strings.Join(notes, "; "), v.ID)
	}
}

// propertyNote says what happened to one property of a schema.
func propertyNote(p review.PropertyChange) string {
	o, n := p.Old, p.New
	switch {
	case !p.InOld:
		return fmt.Sprintf("property %s added (%s)", quoted(n.Name), n.Type)
	case !p.InNew:
		return fmt.Sprintf("property %s removed", quoted(o.Name))
	case o.Name != n.Name && o.Type != n.Type:
		return fmt.Sprintf("property %s renamed to %s and changed from %s to %s", quoted(o.Name), quoted(n.Name), o.Type, n.Type)
	case o.Name != n.Name:
		return fmt.Sprintf("property %s renamed to %s", quoted(o.Name), quoted(n.Name))
	}
	return fmt.Sprintf("property %s changed from %s to %s", quoted(n.Name), o.Type, n.Type)
}

// parentName names a parent for people: its title, else its id, or the
// top of the workspace.
func parentName(p review.Parent) string {
	switch {
	case p.ID == "":
		return "the top of the workspace"
	case p.Title != "":
		return quoted(p.Title)
	}
	return p.ID
}

// printPages prints each page's Markdown diff as unified hunks, then the
// README diff of each page only relinked, under a heading that says so.
func printPages(out io.Writer, d *review.Diff, pal palette) {
	for _, p := range d.Pages {
		printPage(out, p, fmt.Sprintf("page %s (%s)", quoted(p.Title()), p.ID), pal)
	}
	for _, p := range d.Relinked {
		printPage(out, p, fmt.Sprintf("%s %s (%s) (%s)", relinkHead(d), quoted(p.Title()), relinkWhy(d), p.ID), pal)
	}
}

func printPage(out io.Writer, p *review.PageChange, heading string, pal palette) {
	if len(p.Hunks) == 0 {
		return
	}
	a, b := "a/"+layout.PageReadmePath(p.ID), "b/"+layout.PageReadmePath(p.ID)
	if p.Added() {
		a = "/dev/null"
	}
	if p.Removed() {
		b = "/dev/null"
	}
	fmt.Fprintf(out, "\n%s\n%s\n%s\n", pal.paint(colorHeader, heading),
		pal.paint(colorHeader, "--- "+a), pal.paint(colorHeader, "+++ "+b))
	printHunksIn(out, p.Hunks, pal)
}

// printStat prints one line per page: title, lines added and removed, and
// what happened to it besides edits.
func printStat(out io.Writer, d *review.Diff) {
	width := 0
	for _, p := range slices.Concat(d.Pages, d.Relinked) {
		width = max(width, min(len(quoted(p.Title())), 48))
	}
	added, removed, plus, minus := 0, 0, 0, 0
	for _, p := range d.Pages {
		var what []string
		switch {
		case p.Added():
			what, added = append(what, "added"), added+1
		case p.Removed():
			what, removed = append(what, "removed"), removed+1
		}
		if p.Renamed() {
			what = append(what, "renamed from "+quoted(p.OldTitle))
		}
		if p.Moved() {
			what = append(what, "moved from "+parentName(p.OldParent)+" to "+parentName(p.NewParent))
		}
		plus, minus = plus+p.LinesAdded, minus+p.LinesRemoved
		line := fmt.Sprintf("%-*s | +%d -%d", width, quoted(p.Title()), p.LinesAdded, p.LinesRemoved)
		if len(what) > 0 {
			line += "  " + strings.Join(what, ", ")
		}
		fmt.Fprintln(out, line)
	}
	for _, p := range d.Relinked {
		fmt.Fprintf(out, "%-*s | +%d -%d  %s\n", width, quoted(p.Title()), p.LinesAdded, p.LinesRemoved, strings.TrimSuffix(relinkHead(d), ":"))
	}
	printSchemas(out, d)
	fmt.Fprintf(out, "%s changed (%d added, %d removed), %s added, %d removed\n",
		plural(len(d.Pages), "page"), added, removed, plural(plus, "line"), minus)
	if len(d.Relinked) > 0 {
		// Not changes of their own: counted apart, so that the total is
		// the pages that changed in Notion.
		fmt.Fprintf(out, "%s whose README alone changed (%s)\n", pluralWord(len(d.Relinked), "more page", "more pages"), strings.TrimSuffix(relinkHead(d), ":"))
	}
}

// printHunks prints hunks in the unified diff format, without colour.
func printHunks(out io.Writer, hunks []review.Hunk) { printHunksIn(out, hunks, false) }

// printHunksIn prints hunks in the unified diff format. The words a changed
// line changed are marked: in reverse video with colour, as git's
// diff-highlight does, and otherwise between git's --word-diff=plain marks,
// [-removed-] and {+added+}, so that a pipe or a log file shows them too.
func printHunksIn(out io.Writer, hunks []review.Hunk, pal palette) {
	var b strings.Builder
	for _, h := range hunks {
		fmt.Fprintln(out, pal.paint(colorHunk, fmt.Sprintf("@@ -%s +%s @@", hunkRange(h.OldStart, h.OldCount), hunkRange(h.NewStart, h.NewCount))))
		for _, l := range h.Lines {
			b.Reset()
			lineColor, open, shut := "", "", ""
			switch l.Op {
			case '-':
				lineColor, open, shut = colorRemoved, "[-", "-]"
			case '+':
				lineColor, open, shut = colorAdded, "{+", "+}"
			}
			if pal && lineColor != "" {
				b.WriteString(escape + lineColor + "m")
				open, shut = escape+colorWord+"m", escape+colorWordOff+"m"
			}
			b.WriteByte(l.Op)
			if l.Words == nil {
				b.WriteString(visible(l.Text))
			}
			for _, w := range l.Words {
				if w.Changed {
					b.WriteString(open + visible(w.Text) + shut)
				} else {
					b.WriteString(visible(w.Text))
				}
			}
			if pal && lineColor != "" {
				b.WriteString(escape + "m")
			}
			fmt.Fprintln(out, b.String())
		}
	}
}

// Colours of the diff, git's defaults: bold headers, cyan hunk headers,
// red and green lines, changed words in reverse video.
const (
	escape       = "\x1b["
	colorHeader  = "1"
	colorHunk    = "36"
	colorRemoved = "31"
	colorAdded   = "32"
	colorWord    = "7"
	colorWordOff = "27"
)

// palette is whether output is coloured.
type palette bool

// paint wraps s in the SGR code, when colouring.
func (p palette) paint(code, s string) string {
	if !p {
		return s
	}
	return escape + code + "m" + s + escape + "m"
}

// hunkRange is "start,count", or "start" alone for one line, as git writes it.
func hunkRange(start, count int) string {
	if count == 1 {
		return fmt.Sprintf("%d", start)
	}
	return fmt.Sprintf("%d,%d", start, count)
}
