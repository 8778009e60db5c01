package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
)

type diffCmd struct {
	Repo string `short:"r" placeholder:"DIR" help:"Git repository holding the snapshots (default: the current directory)."`
	Stat bool   `help:"One line per changed page (title, lines added and removed, what happened) instead of the Markdown diff."`
	From string `arg:"" optional:"" placeholder:"REV1" help:"Older snapshot (default HEAD~1); alone, it is compared with HEAD."`
	To   string `arg:"" optional:"" placeholder:"REV2" help:"Newer snapshot (default HEAD)."`
}

// Run runs the diff command for the CLI.
func (c *diffCmd) Run(env *Env) error {
	return runDiff(env.Ctx, c, env.Stdout)
}

// diffContext is how many unchanged lines surround each change, as in git.
const diffContext = 3

// runDiff is the diff command without the CLI around it; tests call it.
func runDiff(ctx context.Context, c *diffCmd, out io.Writer) error {
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
	d, err := diffSnapshots(ctx, repo, from, to)
	if err != nil {
		return err
	}
	fromLabel := fmt.Sprintf("%s (%s)", fromName, short(from))
	if from.IsZero() {
		fromLabel = "nothing" // the first commit: everything in it is new
	}
	fmt.Fprintf(out, "diff %s .. %s (%s)\n", fromLabel, toName, short(to))
	if d.empty() {
		fmt.Fprintln(out, "no change in Notion")
		return nil
	}
	if c.Stat {
		d.printStat(out)
		return nil
	}
	d.printSummary(out)
	d.printPages(out)
	return nil
}

// snapshotDiff is what changed between two snapshots, in Notion terms.
type snapshotDiff struct {
	pages   []*pageDiff
	schemas []string // one line per database or data source that changed
}

// pageDiff is one page whose folder differs.
type pageDiff struct {
	id                   string
	inOld, inNew         bool
	oldTitle, newTitle   string
	oldParent, newParent string // titled for people, "" at the top
	oldMD, newMD         string
	lines                []diffLine
	added, removed       int
}

func (p *pageDiff) title() string {
	if p.inNew {
		return p.newTitle
	}
	return p.oldTitle
}

func (p *pageDiff) renamed() bool { return p.inOld && p.inNew && p.oldTitle != p.newTitle }
func (p *pageDiff) moved() bool   { return p.inOld && p.inNew && p.oldParent != p.newParent }

// edited reports whether the page's content changed, its title aside: a
// rename alone is reported as a rename.
func (p *pageDiff) edited() bool {
	_, oldBody, _ := strings.Cut(p.oldMD, "\n")
	_, newBody, _ := strings.Cut(p.newMD, "\n")
	return p.inOld && p.inNew && oldBody != newBody
}

func (d *snapshotDiff) empty() bool { return len(d.pages) == 0 && len(d.schemas) == 0 }

// diffSnapshots compares two commits. Only the folders that differ are
// read, so the cost follows the change, not the workspace.
func diffSnapshots(ctx context.Context, repo *gitrepo.Repo, from, to plumbing.Hash) (*snapshotDiff, error) {
	changed, err := repo.ChangedPaths(from, to)
	if err != nil {
		return nil, err
	}
	var pageIDs, databaseIDs, dataSourceIDs []string
	read := []string{layout.StatePath}
	for _, p := range changed {
		parts := strings.Split(p, "/")
		if len(parts) < 3 || !layout.IsID(parts[1]) {
			continue
		}
		id := parts[1]
		switch {
		case parts[0] == "pages" && !slices.Contains(pageIDs, id):
			pageIDs = append(pageIDs, id)
			read = append(read, layout.PageDir(id))
		case parts[0] == "databases" && p == layout.DatabasePath(id):
			databaseIDs = append(databaseIDs, id)
			read = append(read, p)
		case parts[0] == "data_sources" && p == layout.DataSourcePath(id):
			dataSourceIDs = append(dataSourceIDs, id)
			read = append(read, p)
		}
	}
	oldSnap, err := repo.SnapshotOf(from, read)
	if err != nil {
		return nil, err
	}
	newSnap, err := repo.SnapshotOf(to, read)
	if err != nil {
		return nil, err
	}
	oldState, err := layout.ReadState(oldSnap)
	if err != nil {
		return nil, err
	}
	newState, err := layout.ReadState(newSnap)
	if err != nil {
		return nil, err
	}

	d := &snapshotDiff{}
	for _, id := range pageIDs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := &pageDiff{id: id}
		if p.inOld, p.oldTitle, p.oldParent, p.oldMD, err = renderAt(oldSnap, oldState, id); err != nil {
			return nil, err
		}
		if p.inNew, p.newTitle, p.newParent, p.newMD, err = renderAt(newSnap, newState, id); err != nil {
			return nil, err
		}
		if !p.inOld && !p.inNew {
			continue // files beside a page.json that neither side has
		}
		if p.oldMD != p.newMD {
			p.lines = lineDiff(p.oldMD, p.newMD)
			for _, l := range p.lines {
				switch l.op {
				case '+':
					p.added++
				case '-':
					p.removed++
				}
			}
		}
		d.pages = append(d.pages, p)
	}
	slices.SortFunc(d.pages, func(a, b *pageDiff) int {
		return cmp.Or(strings.Compare(a.title(), b.title()), strings.Compare(a.id, b.id))
	})

	for _, id := range databaseIDs {
		line, err := containerChange(oldSnap, newSnap, "database", layout.DatabasePath(id), id)
		if err != nil {
			return nil, err
		}
		if line != "" {
			d.schemas = append(d.schemas, line)
		}
	}
	for _, id := range dataSourceIDs {
		line, err := containerChange(oldSnap, newSnap, "data source", layout.DataSourcePath(id), id)
		if err != nil {
			return nil, err
		}
		if line != "" {
			d.schemas = append(d.schemas, line)
		}
	}
	return d, nil
}

// renderAt decodes page id from snap and renders it. The parent is named by
// its title from the sync state, which resolves parents that are blocks.
func renderAt(snap *gitrepo.Snapshot, state *layout.State, id string) (ok bool, title, parent, md string, err error) {
	if !snap.Has(layout.PagePath(id)) {
		return false, "", "", "", nil
	}
	p, err := layout.DecodePage(snap, id, snap.PathsUnder(layout.PageDir(id)))
	if err != nil {
		return false, "", "", "", fmt.Errorf("%s: %w", short(snap.Commit()), err)
	}
	parentID := layout.ParentID(p.Object, nil)
	if state != nil {
		if o, known := state.Objects[id]; known {
			parentID = o.Parent
		}
	}
	if parentID != "" {
		parent = parentID
		if state != nil && state.Objects[parentID].Title != "" {
			parent = quoted(state.Objects[parentID].Title)
		}
	}
	return true, layout.Title(p.Object), parent, string(layout.RenderPage(p)), nil
}

// containerChange describes how a database or data source changed: added,
// removed, renamed, and for a data source the properties of its schema.
// It returns "" when nothing a reader would notice changed.
func containerChange(oldSnap, newSnap *gitrepo.Snapshot, kind, path, id string) (string, error) {
	before, _, err := layout.ReadObject(oldSnap, path)
	if err != nil {
		return "", err
	}
	after, _, err := layout.ReadObject(newSnap, path)
	if err != nil {
		return "", err
	}
	switch {
	case before == nil && after == nil:
		return "", nil
	case before == nil:
		return fmt.Sprintf("%s %s added (%s)", kind, quoted(layout.PlainText(after["title"])), id), nil
	case after == nil:
		return fmt.Sprintf("%s %s removed (%s)", kind, quoted(layout.PlainText(before["title"])), id), nil
	}
	var notes []string
	oldTitle, newTitle := layout.PlainText(before["title"]), layout.PlainText(after["title"])
	if oldTitle != newTitle {
		notes = append(notes, "renamed from "+quoted(oldTitle))
	}
	notes = append(notes, propertyChanges(before, after)...)
	if len(notes) == 0 {
		return "", nil
	}
	return fmt.Sprintf("%s %s: %s (%s)", kind, quoted(newTitle), strings.Join(notes, "; "), id), nil
}

// schemaProperty is one property of a data source's schema.
type schemaProperty struct{ name, typ string }

// schema maps property ids to their names and types. Properties are
// matched by id, which a rename keeps.
func schema(obj layout.Object) map[string]schemaProperty {
	props, _ := obj["properties"].(map[string]any)
	out := make(map[string]schemaProperty, len(props))
	for name, v := range props {
		m, _ := v.(map[string]any)
		id, _ := m["id"].(string)
		if id == "" {
			id = "name:" + name
		}
		typ, _ := m["type"].(string)
		out[id] = schemaProperty{name: name, typ: typ}
	}
	return out
}

// propertyChanges lists the properties added, removed, renamed or retyped.
func propertyChanges(before, after layout.Object) []string {
	old, cur := schema(before), schema(after)
	var notes []string
	for id, p := range cur {
		o, ok := old[id]
		switch {
		case !ok:
			notes = append(notes, fmt.Sprintf("property %s added (%s)", quoted(p.name), p.typ))
		case o.name != p.name && o.typ != p.typ:
			notes = append(notes, fmt.Sprintf("property %s renamed to %s and changed from %s to %s", quoted(o.name), quoted(p.name), o.typ, p.typ))
		case o.name != p.name:
			notes = append(notes, fmt.Sprintf("property %s renamed to %s", quoted(o.name), quoted(p.name)))
		case o.typ != p.typ:
			notes = append(notes, fmt.Sprintf("property %s changed from %s to %s", quoted(p.name), o.typ, p.typ))
		}
	}
	for id, o := range old {
		if _, ok := cur[id]; !ok {
			notes = append(notes, fmt.Sprintf("property %s removed", quoted(o.name)))
		}
	}
	slices.Sort(notes)
	return notes
}

// printSummary prints one line per thing that happened to a page, grouped
// the way a reviewer reads a change: what appeared, what went, what was
// renamed or moved, what was edited; then the schema changes.
func (d *snapshotDiff) printSummary(out io.Writer) {
	for _, p := range d.pages {
		if !p.inOld {
			fmt.Fprintf(out, "added:   %s (%s)\n", quoted(p.newTitle), p.id)
		}
	}
	for _, p := range d.pages {
		if !p.inNew {
			fmt.Fprintf(out, "removed: %s (%s)\n", quoted(p.oldTitle), p.id)
		}
	}
	for _, p := range d.pages {
		if p.renamed() {
			fmt.Fprintf(out, "renamed: %s -> %s (%s)\n", quoted(p.oldTitle), quoted(p.newTitle), p.id)
		}
	}
	for _, p := range d.pages {
		if p.moved() {
			fmt.Fprintf(out, "moved:   %s from %s to %s (%s)\n", quoted(p.newTitle), orTop(p.oldParent), orTop(p.newParent), p.id)
		}
	}
	for _, p := range d.pages {
		switch {
		case p.edited():
			fmt.Fprintf(out, "changed: %s +%d -%d (%s)\n", quoted(p.newTitle), p.added, p.removed, p.id)
		case p.inOld && p.inNew && !p.renamed() && !p.moved():
			// Properties Markdown does not show, attachments, or Notion's
			// own bookkeeping: still a change, so still listed.
			fmt.Fprintf(out, "changed: %s, nothing its Markdown shows (%s)\n", quoted(p.newTitle), p.id)
		}
	}
	for _, s := range d.schemas {
		fmt.Fprintln(out, s)
	}
}

// orTop names a parent, or the top of the workspace.
func orTop(parent string) string {
	if parent == "" {
		return "the top of the workspace"
	}
	return parent
}

// printPages prints each page's Markdown diff as unified hunks.
func (d *snapshotDiff) printPages(out io.Writer) {
	for _, p := range d.pages {
		if len(p.lines) == 0 {
			continue
		}
		a, b := "a/"+layout.PageReadmePath(p.id), "b/"+layout.PageReadmePath(p.id)
		if !p.inOld {
			a = "/dev/null"
		}
		if !p.inNew {
			b = "/dev/null"
		}
		fmt.Fprintf(out, "\npage %s (%s)\n--- %s\n+++ %s\n", quoted(p.title()), p.id, a, b)
		writeHunks(out, p.lines, diffContext)
	}
}

// printStat prints one line per page: title, lines added and removed, and
// what happened to it besides edits.
func (d *snapshotDiff) printStat(out io.Writer) {
	width := 0
	for _, p := range d.pages {
		width = max(width, min(len(quoted(p.title())), 48))
	}
	added, removed, plus, minus := 0, 0, 0, 0
	for _, p := range d.pages {
		var what []string
		switch {
		case !p.inOld:
			what, added = append(what, "added"), added+1
		case !p.inNew:
			what, removed = append(what, "removed"), removed+1
		}
		if p.renamed() {
			what = append(what, "renamed from "+quoted(p.oldTitle))
		}
		if p.moved() {
			what = append(what, "moved from "+orTop(p.oldParent)+" to "+orTop(p.newParent))
		}
		plus, minus = plus+p.added, minus+p.removed
		line := fmt.Sprintf("%-*s | +%d -%d", width, quoted(p.title()), p.added, p.removed)
		if len(what) > 0 {
			line += "  " + strings.Join(what, ", ")
		}
		fmt.Fprintln(out, line)
	}
	for _, s := range d.schemas {
		fmt.Fprintln(out, s)
	}
	fmt.Fprintf(out, "%s (%d added, %d removed), %d lines added, %d removed\n",
		plural(len(d.pages), "page")+" changed", added, removed, plus, minus)
}

// diffLine is one line of a line diff: op is ' ' (in both), '-' or '+'.
type diffLine struct {
	op   byte
	text string // without its newline
}

// lineDiff compares two texts line by line: each distinct line becomes one
// rune, so the character diff of diffmatchpatch becomes a line diff.
func lineDiff(a, b string) []diffLine {
	dmp := diffmatchpatch.New()
	ra, rb, lines := dmp.DiffLinesToRunes(a, b)
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(ra, rb, false), lines)
	var out []diffLine
	for _, d := range diffs {
		op := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = '-'
		case diffmatchpatch.DiffInsert:
			op = '+'
		}
		for _, line := range strings.SplitAfter(d.Text, "\n") {
			if line != "" {
				out = append(out, diffLine{op, strings.TrimSuffix(line, "\n")})
			}
		}
	}
	return out
}

// writeHunks prints a line diff as unified-diff hunks with context lines
// around each change; changes closer than twice the context share a hunk.
func writeHunks(out io.Writer, lines []diffLine, around int) {
	// oldAt[i] and newAt[i]: lines of each side before line i.
	oldAt, newAt := make([]int, len(lines)+1), make([]int, len(lines)+1)
	for i, l := range lines {
		oldAt[i+1], newAt[i+1] = oldAt[i], newAt[i]
		if l.op != '+' {
			oldAt[i+1]++
		}
		if l.op != '-' {
			newAt[i+1]++
		}
	}
	for i := 0; i < len(lines); {
		if lines[i].op == ' ' {
			i++
			continue
		}
		start := max(0, i-around)
		end := i // one past the last change of the hunk
		for j := i; j < len(lines) && j < end+2*around+1; j++ {
			if lines[j].op != ' ' {
				end = j + 1
			}
		}
		stop := min(len(lines), end+around)
		fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(oldAt[start], oldAt[stop]-oldAt[start]), hunkRange(newAt[start], newAt[stop]-newAt[start]))
		for _, l := range lines[start:stop] {
			fmt.Fprintf(out, "%c%s\n", l.op, l.text)
		}
		i = stop
	}
}

// hunkRange is "start,count" with git's conventions: lines count from 1,
// and an empty range names the line before it.
func hunkRange(before, count int) string {
	if count == 0 {
		return fmt.Sprintf("%d,0", before)
	}
	if count == 1 {
		return fmt.Sprintf("%d", before+1)
	}
	return fmt.Sprintf("%d,%d", before+1, count)
}
