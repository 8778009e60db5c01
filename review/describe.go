package review

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/notion-git/notion-git/layout"
)

// SubjectWidth is the most columns Describe's subject takes: git's tools and
// web views cut a longer first line.
const SubjectWidth = 72

const (
	subjectPrefix = "Sync Notion: "
	// bodyTitleWidth is the most columns a title takes in the body, quotes
	// included: a page called by a whole paragraph stays one readable line.
	bodyTitleWidth = 60
	// listed is the most lines of one kind (added, changed, ...) the body
	// lists before "And N more": a sync that touches 10,000 pages must not
	// write a 10,000-line message.
	listed = 10
	// minTitle is the fewest columns a cut title keeps in the subject.
	minTitle = 12
)

// Describe words d for a commit message. The subject names a page and what
// happened to it (`Sync Notion: "Roadmap" changed`, `… and 4 more pages`),
// in at most SubjectWidth columns. The body has one line per page added,
// changed, renamed, moved or removed, by title, and per database, data
// source or view that changed, each kind capped at a few lines; a first sync
// is counted, with the pages at its top. Titles are quoted as Go strings, so
// that a title holding a newline or a control character stays on its line
// and cannot pass for a trailer. body is "" when there is nothing to list.
func Describe(d *Diff) (subject, body string) {
	if d.First {
		return subjectPrefix + firstSubject(d), firstBody(d)
	}
	return subjectPrefix + changeSubject(d), changeBody(d)
}

// What happened to a page, in the order a subject prefers to name it: what
// appeared or went before what was renamed or moved, and those before the
// pages edited, which are often only their parents taking in or giving up
// a child link.
const (
	eventAdded = iota
	eventRemoved
	eventRenamed
	eventMoved
	eventEdited
	eventChanged // in both, nothing its Markdown shows (a property, an attachment)
)

func event(p *PageChange) int {
	switch {
	case p.Added():
		return eventAdded
	case p.Removed():
		return eventRemoved
	case p.Renamed():
		return eventRenamed
	case p.Moved():
		return eventMoved
	case p.Edited:
		return eventEdited
	}
	return eventChanged
}

// primary is the page a subject names: the first of d.Pages (by title) of
// the most telling event.
func primary(pages []*PageChange) *PageChange {
	var best *PageChange
	for _, p := range pages {
		if best == nil || event(p) < event(best) {
			best = p
		}
	}
	return best
}

// phrase is a page's event as the subject says it, for fit.
func phrase(p *PageChange) []any {
	switch event(p) {
	case eventAdded:
		return []any{titled(p.NewTitle), " added"}
	case eventRemoved:
		return []any{titled(p.OldTitle), " removed"}
	case eventRenamed:
		return []any{titled(p.OldTitle), " renamed to ", titled(p.NewTitle)}
	case eventMoved:
		return []any{titled(p.NewTitle), " moved to ", parentTitle(p.NewParent)}
	}
	return []any{titled(p.NewTitle), " changed"}
}

// verb is the one word that two pages of the same simple event share
// ("A" and "B" changed); "" for a rename or a move, which say more.
func verb(p *PageChange) string {
	switch event(p) {
	case eventAdded:
		return "added"
	case eventRemoved:
		return "removed"
	case eventEdited, eventChanged:
		return "changed"
	}
	return ""
}

func changeSubject(d *Diff) string {
	width := SubjectWidth - len(subjectPrefix)
	if u := d.FormatUpgrade; u != nil {
		// What the upgrade rewrote is no change in Notion; what else the
		// sync brought is, after it.
		head := upgradeWords(u)
		if d.Empty() {
			return head
		}
		room := width - len(head) - 2
		rest := whatChanged(d, room)
		if columns(rest) > room {
			// No title fits beside the upgrade: the count alone.
			switch {
			case len(d.Pages) > 0:
				rest = count(len(d.Pages), "page", "pages") + " changed"
			case len(d.Schemas) > 0:
				rest = count(len(d.Schemas), "database or data source", "databases or data sources") + " changed"
			default:
				rest = count(len(d.Views), "view", "views") + " changed"
			}
		}
		return head + "; " + rest
	}
	return whatChanged(d, width)
}

// upgradeWords is how the subject says a format upgrade.
func upgradeWords(u *FormatUpgrade) string {
	if u.To < u.From { // a comparison backwards, not a sync
		return "layout downgraded to format " + strconv.Itoa(u.To)
	}
	return "layout upgraded to format " + strconv.Itoa(u.To)
}

// whatChanged is the subject's account of what changed in Notion, in width
// columns.
func whatChanged(d *Diff, width int) string {
	switch {
	case len(d.Pages) > 0:
		return pagesSubject(d.Pages, width)
	case len(d.Schemas) > 0:
		s := d.Schemas[0]
		parts := []any{schemaKind(s.Kind) + " "}
		switch {
		case !s.InOld:
			parts = append(parts, titled(s.NewTitle), " added")
		case !s.InNew:
			parts = append(parts, titled(s.OldTitle), " removed")
		case s.Renamed() && len(s.Properties) == 0:
			parts = append(parts, titled(s.OldTitle), " renamed to ", titled(s.NewTitle))
		default:
			parts = append(parts, titled(s.NewTitle), " changed")
		}
		return withMore(parts, len(d.Schemas)-1, "database or data source", "databases or data sources", width)
	case len(d.Views) > 0:
		v := d.Views[0]
		parts := []any{"view "}
		switch {
		case !v.InOld:
			parts = append(parts, titled(v.NewName), " added to ", titled(v.DatabaseTitle))
		case !v.InNew:
			parts = append(parts, titled(v.OldName), " removed from ", titled(v.DatabaseTitle))
		case v.Renamed() && !v.SettingsChanged:
			parts = append(parts, titled(v.OldName), " renamed to ", titled(v.NewName))
		default:
			parts = append(parts, titled(v.NewName), " of ", titled(v.DatabaseTitle), " changed")
		}
		return withMore(parts, len(d.Views)-1, "view", "views", width)
	}
	return "no page, database or view changed"
}

// pagesSubject names one page, or two where they fit, and counts the rest.
func pagesSubject(pages []*PageChange, width int) string {
	first := primary(pages)
	if len(pages) == 2 {
		other := pages[0]
		if other == first {
			other = pages[1]
		}
		var parts []any
		if v := verb(first); v != "" && v == verb(other) {
			parts = []any{phrase(first)[0], " and ", phrase(other)[0], " " + v}
		} else {
			parts = append(append(phrase(first), ", "), phrase(other)...)
		}
		if s, ok := fitWhole(width, parts...); ok {
			return s
		}
	}
	return withMore(phrase(first), len(pages)-1, "page", "pages", width)
}

// withMore is parts, then "and N more ..." when others is not zero.
func withMore(parts []any, others int, one, many string, width int) string {
	if others > 0 {
		parts = append(parts, " and "+count(others, "more "+one, "more "+many))
	}
	s, _ := fit(width, parts...)
	return s
}

func firstSubject(d *Diff) string {
	width := SubjectWidth - len(subjectPrefix)
	var added []*PageChange
	for _, p := range d.Pages {
		if p.InNew {
			added = append(added, p)
		}
	}
	switch len(added) {
	case 0:
		return "first sync, no pages"
	case 1:
		s, _ := fit(width, "first sync, ", titled(added[0].NewTitle))
		return s
	case 2:
		if s, ok := fitWhole(width, "first sync, ", titled(added[0].NewTitle), " and ", titled(added[1].NewTitle)); ok {
			return s
		}
	}
	top := roots(added, d.Schemas)
	return withMore([]any{"first sync, ", titled(top[0].NewTitle)}, len(added)-1, "page", "pages", width)
}

// roots are the pages whose parent is not among pages or schemas: the tops
// of what a first sync brought.
func roots(pages []*PageChange, schemas []*SchemaChange) []*PageChange {
	in := make(map[string]bool, len(pages)+len(schemas))
	for _, p := range pages {
		in[p.ID] = true
	}
	for _, s := range schemas {
		in[s.ID] = true
	}
	var out []*PageChange
	for _, p := range pages {
		if !in[p.NewParent.ID] {
			out = append(out, p)
		}
	}
	if len(out) == 0 { // a cycle the snapshot should not hold
		return pages
	}
	return out
}

// firstBody counts what a first sync brought and lists the pages at its top.
func firstBody(d *Diff) string {
	var added []*PageChange
	for _, p := range d.Pages {
		if p.InNew {
			added = append(added, p)
		}
	}
	databases, sources := 0, 0
	for _, s := range d.Schemas {
		if s.InNew && s.Kind == layout.KindDataSource {
			sources++
		} else if s.InNew {
			databases++
		}
	}
	views := 0
	for _, v := range d.Views {
		if v.InNew {
			views++
		}
	}
	what := []string{count(len(added), "page", "pages")}
	for _, c := range []struct {
		n         int
		one, many string
	}{{databases, "database", "databases"}, {sources, "data source", "data sources"}, {views, "view", "views"}} {
		if c.n > 0 {
			what = append(what, count(c.n, c.one, c.many))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "First sync: %s.\n", strings.Join(what, ", "))
	if len(added) == 0 {
		return b.String()
	}
	top := roots(added, d.Schemas)
	lines := make([]string, len(top))
	for i, p := range top {
		lines[i] = quoteTitle(p.NewTitle, bodyTitleWidth)
	}
	fmt.Fprintf(&b, "At the top:\n")
	list(&b, lines)
	return b.String()
}

// changeBody lists what happened to each page, then to schemas and views.
func changeBody(d *Diff) string {
	var added, changed, renamed, moved, removed, schemas, views []string
	for _, p := range d.Pages {
		t := quoteTitle(p.Title(), bodyTitleWidth)
		switch {
		case p.Added():
			if p.NewParent.ID != "" {
				t += " under " + quoteTitle(p.NewParent.Title, bodyTitleWidth)
			}
			added = append(added, t)
			continue
		case p.Removed():
			removed = append(removed, t)
			continue
		}
		if p.Renamed() {
			renamed = append(renamed, quoteTitle(p.OldTitle, bodyTitleWidth)+" → "+t)
		}
		if p.Moved() {
			moved = append(moved, t+" from "+parentName(p.OldParent)+" to "+parentName(p.NewParent))
		}
		if p.Edited || (!p.Renamed() && !p.Moved()) {
			changed = append(changed, t)
		}
	}
	for _, s := range d.Schemas {
		kind := schemaKind(s.Kind) + " "
		switch {
		case !s.InOld:
			schemas = append(schemas, "added "+kind+quoteTitle(s.NewTitle, bodyTitleWidth))
		case !s.InNew:
			schemas = append(schemas, "removed "+kind+quoteTitle(s.OldTitle, bodyTitleWidth))
		default:
			line := kind + quoteTitle(s.NewTitle, bodyTitleWidth)
			if s.Renamed() {
				line = "renamed " + kind + quoteTitle(s.OldTitle, bodyTitleWidth) + " → " + quoteTitle(s.NewTitle, bodyTitleWidth)
			}
			if len(s.Properties) > 0 {
				line += ": " + count(len(s.Properties), "property", "properties") + " changed"
			}
			schemas = append(schemas, line)
		}
	}
	for _, v := range d.Views {
		of := " of " + quoteTitle(v.DatabaseTitle, bodyTitleWidth)
		switch {
		case !v.InOld:
			views = append(views, "added "+quoteTitle(v.NewName, bodyTitleWidth)+of)
		case !v.InNew:
			views = append(views, "removed "+quoteTitle(v.OldName, bodyTitleWidth)+of)
		case v.Renamed():
			line := "renamed " + quoteTitle(v.OldName, bodyTitleWidth) + " → " + quoteTitle(v.NewName, bodyTitleWidth) + of
			if v.SettingsChanged {
				line += ", settings changed"
			}
			views = append(views, line)
		default:
			views = append(views, "changed "+quoteTitle(v.NewName, bodyTitleWidth)+of)
		}
	}
	var b strings.Builder
	if u := d.FormatUpgrade; u != nil {
		how := "upgraded"
		if u.To < u.From {
			how = "downgraded"
		}
		fmt.Fprintf(&b, "Layout %s from format %d to format %d", how, u.From, u.To)
		if len(d.Relinked) > 0 {
			fmt.Fprintf(&b, "; the READMEs of %s rendered again", count(len(d.Relinked), "page", "pages"))
		}
		b.WriteString(".\n")
	}
	for _, sec := range []struct {
		head  string
		lines []string
	}{
		{"Added", added}, {"Removed", removed}, {"Renamed", renamed}, {"Moved", moved}, {"Changed", changed},
		{"Databases and data sources", schemas}, {"Views", views},
	} {
		if len(sec.lines) == 0 {
			continue
		}
		if len(sec.lines) == 1 {
			fmt.Fprintf(&b, "%s:\n", sec.head)
		} else {
			fmt.Fprintf(&b, "%s (%s):\n", sec.head, thousands(len(sec.lines)))
		}
		list(&b, sec.lines)
	}
	if len(d.Relinked) > 0 && d.FormatUpgrade == nil {
		// Counted, never named: each is a page that links to one that
		// changed, not a change of its own.
		fmt.Fprintf(&b, "%s updated in %s.\n", relinkCause(d), count(len(d.Relinked), "page", "pages"))
	}
	return b.String()
}

// relinkCause says why the READMEs of d.Relinked changed, as far as d
// tells: a page renamed or removed, a database renamed or removed, else
// something else they name (a person, say, which a Diff does not compare).
func relinkCause(d *Diff) string {
	renamed, removed := false, false
	for _, p := range d.Pages {
		renamed = renamed || p.Renamed()
		removed = removed || p.Removed()
	}
	switch {
	case renamed && removed:
		return "Links to renamed or removed pages"
	case renamed:
		return "Links to renamed pages"
	case removed:
		return "Links to removed pages"
	}
	for _, s := range d.Schemas {
		if s.Renamed() || !s.InNew {
			return "Links to renamed or removed databases"
		}
	}
	return "Names of what they link to"
}

// list writes lines as "- " items, at most listed of them and then how
// many more.
func list(b *strings.Builder, lines []string) {
	for i, l := range lines {
		if i == listed {
			fmt.Fprintf(b, "- and %s more\n", thousands(len(lines)-listed))
			return
		}
		fmt.Fprintf(b, "- %s\n", l)
	}
}

func schemaKind(kind string) string {
	if kind == layout.KindDataSource {
		return "data source"
	}
	return "database"
}

// parentName names the page, database or data source above a page.
func parentName(p Parent) string {
	if p.ID == "" {
		return "the top of the workspace"
	}
	return quoteTitle(p.Title, bodyTitleWidth)
}

// titled marks a title for fit, which cuts it to the room left.
type titled string

// parentTitle is what a subject calls a parent; fit does not cut it when
// it is no title.
func parentTitle(p Parent) any {
	if p.ID == "" {
		return "the top of the workspace"
	}
	return titled(p.Title)
}

// fit joins parts, strings as they are and titles quoted, cutting the
// titles so that the whole takes at most width columns; each title keeps
// at least minTitle. ok is false when even then it is too wide.
func fit(width int, parts ...any) (string, bool) {
	fixed, titles := 0, 0
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			fixed += columns(p)
		case titled:
			titles++
		}
	}
	// Titles that need less than an even share give the rest to the others.
	room := width - fixed
	quoted := make([]string, len(parts))
	left := titles
	for pass := 0; pass < 2; pass++ {
		for i, p := range parts {
			t, ok := p.(titled)
			if !ok || quoted[i] != "" {
				continue
			}
			share := max(room/max(left, 1), minTitle)
			if q := quoteTitle(string(t), share); pass == 1 || columns(q) < share {
				quoted[i] = q
				room -= columns(q)
				left--
			}
		}
	}
	var b strings.Builder
	for i, p := range parts {
		if s, ok := p.(string); ok {
			b.WriteString(s)
		} else {
			b.WriteString(quoted[i])
		}
	}
	return b.String(), columns(b.String()) <= width
}

// fitWhole is fit where no title may be cut: two pages are named only if
// both read whole, else one is, and the other counted.
func fitWhole(width int, parts ...any) (string, bool) {
	var b strings.Builder
	for _, p := range parts {
		if t, ok := p.(titled); ok {
			b.WriteString(quoteTitle(string(t), math.MaxInt))
		} else {
			b.WriteString(p.(string))
		}
	}
	return b.String(), columns(b.String()) <= width
}

// quoteTitle quotes a title as a Go string (control characters and invalid
// UTF-8 escaped, so the title stays on one line), cut on a rune boundary
// with "…" to at most width columns; an empty title is Untitled, unquoted,
// as Notion shows it, and unlike a page titled "Untitled".
func quoteTitle(t string, width int) string {
	if t == "" {
		return "Untitled"
	}
	q := strconv.Quote(t)
	if columns(q) <= width {
		return q
	}
	runes := []rune(t) // invalid UTF-8 becomes U+FFFD, one rune each
	for n := min(len(runes), width); n > 0; n-- {
		q = strconv.Quote(strings.TrimRight(string(runes[:n]), " ") + "…")
		if columns(q) <= width {
			return q
		}
	}
	return `"…"`
}

// columns is how many terminal columns s takes: two for the wide runes of
// East Asian scripts and emoji, one for the rest.
func columns(s string) int {
	n := 0
	for _, r := range s {
		n++
		if wide(r) {
			n++
		}
	}
	return n
}

func wide(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r <= 0x115F, // Hangul Jamo
		r >= 0x2E80 && r <= 0xA4CF && r != 0x303F,              // CJK, Kana, Yi
		r >= 0xAC00 && r <= 0xD7A3,                             // Hangul syllables
		r >= 0xF900 && r <= 0xFAFF,                             // CJK compatibility
		r >= 0xFE30 && r <= 0xFE4F,                             // CJK compatibility forms
		r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6, // full-width forms
		r >= 0x1F300 && r <= 0x1F64F, r >= 0x1F900 && r <= 0x1F9FF, // emoji
		r >= 0x20000 && r <= 0x3FFFD:
		return true
	}
	return false
}

// count is n with its noun, singular for one, with thousands separated.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// thousands writes n with a comma between each group of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
