package review

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
)

// Diff is what changed between two snapshots, in Notion terms.
type Diff struct {
	// First reports that the older side holds no snapshot: the first sync,
	// compared with nothing (or with a commit made before it, such as the
	// workflow that init writes).
	First   bool
	Pages   []*PageChange   // by title, then id
	Schemas []*SchemaChange // databases, then data sources, each by id
	Views   []*ViewChange   // by database, then view id
	// Relinked are the pages whose README alone changed, by title, then
	// id: nothing of the page did (page.json, blocks, comments), only
	// what its Markdown shows of others (the title of a page it links to,
	// a person's name, an attachment's name) or how the layout renders
	// it. They are not changed pages: renaming one page rewrites the
	// READMEs of every page that links to it, and a commit that names
	// them all would bury the rename.
	Relinked []*PageChange
	// FormatUpgrade is set when the two sides' notion-git.json differ in
	// format_version: the upgrade that renames files and renders every
	// README again (layout/FORMAT.md). nil when both are the same, and on
	// a first sync.
	FormatUpgrade *FormatUpgrade
}

// FormatUpgrade is the layout's format version on each side.
type FormatUpgrade struct{ From, To int }

// Empty reports whether nothing changed that Notion shows. Pages only
// relinked, and a format upgrade, are no change in Notion.
func (d *Diff) Empty() bool { return len(d.Pages) == 0 && len(d.Schemas) == 0 && len(d.Views) == 0 }

// ViewChange is a database view that was added, removed, renamed, or
// whose settings (type, filters, sorts, grouping, shown properties)
// changed.
type ViewChange struct {
	Database, ID     string
	DatabaseTitle    string // in the newer snapshot, else the older
	InOld, InNew     bool
	OldName, NewName string
	OldType, NewType string
	SettingsChanged  bool // anything but its name and Notion's edit stamps
}

// Renamed reports whether a view in both snapshots changed its name.
func (v *ViewChange) Renamed() bool { return v.InOld && v.InNew && v.OldName != v.NewName }

// PageChange is one page whose folder differs between the snapshots.
type PageChange struct {
	ID                   string
	InOld, InNew         bool   // whether each snapshot has the page
	OldTitle, NewTitle   string // "" on the side that lacks the page
	OldParent, NewParent Parent
	// Edited reports whether the page's Markdown changed, its title line
	// aside: a rename alone is a rename, not an edit.
	Edited bool
	// Hunks are the Markdown diff with Context lines around each change;
	// none when the Markdown is the same (a property that Markdown does not
	// show, an attachment, Notion's own bookkeeping).
	Hunks                    []Hunk
	LinesAdded, LinesRemoved int
	// Relinked reports a page of Diff.Relinked: its README alone changed.
	// Its Hunks are then those of the README files as stored (none with
	// CompareOptions.Outline or Titles), and its two titles are the same.
	Relinked bool
}

// Parent is the page, database or data source above a page.
type Parent struct {
	ID    string // "" at the top of the workspace
	Title string // as the snapshot's sync state knows it; "" if unknown
}

// Title is the page's title where it is now, or was last.
func (p *PageChange) Title() string {
	if p.InNew {
		return p.NewTitle
	}
	return p.OldTitle
}

// Added reports whether the page is new.
func (p *PageChange) Added() bool { return !p.InOld }

// Removed reports whether the page went.
func (p *PageChange) Removed() bool { return !p.InNew }

// Renamed reports whether a page in both snapshots changed its title.
func (p *PageChange) Renamed() bool { return p.InOld && p.InNew && p.OldTitle != p.NewTitle }

// Moved reports whether a page in both snapshots changed its parent.
func (p *PageChange) Moved() bool { return moved(p.InOld, p.InNew, p.OldParent.ID, p.NewParent.ID) }

// moved is the one meaning of a move, in Compare and in Log: the page is in
// both snapshots and what parentOf puts above it changed.
func moved(inOld, inNew bool, oldParent, newParent string) bool {
	return inOld && inNew && oldParent != newParent
}

// parentOf is the id of the page, database or data source above page id,
// "" at the top of the workspace. A page inside a block (a toggle, a column)
// is under the page that holds the block, which only the sync state knows,
// so state is called only then: a page taken from one block to another of
// the same page has not moved; the page holding it was edited.
func parentOf(id string, page layout.Object, state func() (*layout.State, error)) (string, error) {
	if parent, _ := page["parent"].(map[string]any); parent["type"] != "block_id" {
		return layout.ParentID(page, nil), nil
	}
	s, err := state()
	if err != nil || s == nil {
		return "", err
	}
	return s.Objects[id].Parent, nil
}

// SchemaChange is a database or data source that was added, removed,
// renamed, or whose properties changed.
type SchemaChange struct {
	Kind               string // layout.KindDatabase or layout.KindDataSource
	ID                 string
	InOld, InNew       bool
	OldTitle, NewTitle string
	Properties         []PropertyChange // by name, then id; only for one in both snapshots
}

// Renamed reports whether one in both snapshots changed its title.
func (s *SchemaChange) Renamed() bool { return s.InOld && s.InNew && s.OldTitle != s.NewTitle }

// PropertyChange is one property of a schema that was added, removed,
// renamed or given another type. Properties are matched by id, which a
// rename keeps.
type PropertyChange struct {
	ID           string
	InOld, InNew bool
	Old, New     Property // zero on the side that lacks it
}

// Property is a property of a schema as a reader knows it.
type Property struct{ Name, Type string }

// Name is the property's name before the change, or its new name if it is new.
func (p PropertyChange) Name() string {
	if p.InOld {
		return p.Old.Name
	}
	return p.New.Name
}

// Compare says what changed from one commit to another (zero for none: the
// first sync is compared with nothing). Only the folders that differ are
// read, so the cost follows the change, not the workspace.
func Compare(ctx context.Context, repo *gitrepo.Repo, from, to plumbing.Hash) (*Diff, error) {
	a, err := rootOf(repo, from)
	if err != nil {
		return nil, err
	}
	b, err := rootOf(repo, to)
	if err != nil {
		return nil, err
	}
	return compareRoots(ctx, repo, sideName(from, a), a, sideName(to, b), b, CompareOptions{})
}

// CompareOptions tunes CompareTrees.
type CompareOptions struct {
	// Outline reads a page that only one side has from its page.json alone
	// (title and parent): no Markdown, no hunks, no line counts. A commit
	// message names pages and needs no more; a first sync of 10,000 pages
	// then reads 10,000 small files, not every block. A page on both sides
	// is still rendered, to tell an edit from a rename.
	Outline bool
	// Titles reads every page from its page.json alone, on both sides: a
	// page in both whose folder differs is changed, with no word on whether
	// its Markdown is (Edited stays false). Log names the pages of each
	// commit so, at a few small reads per page.
	Titles bool
}

// CompareTrees is Compare for two root trees (zero for the empty tree), one
// of which no commit holds yet: sync words the message of the commit it is
// about to make from the tree it wrote.
func CompareTrees(ctx context.Context, repo *gitrepo.Repo, from, to plumbing.Hash, opts CompareOptions) (*Diff, error) {
	return compareRoots(ctx, repo, sideName(plumbing.ZeroHash, from), from, sideName(plumbing.ZeroHash, to), to, opts)
}

// rootOf is a commit's root tree; zero for the zero commit.
func rootOf(repo *gitrepo.Repo, commit plumbing.Hash) (plumbing.Hash, error) {
	if commit.IsZero() {
		return plumbing.ZeroHash, nil
	}
	ci, err := repo.ReadCommit(commit)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return ci.Tree, nil
}

// sideName names a side in errors: its commit, else its tree.
func sideName(commit, tree plumbing.Hash) string {
	if commit.IsZero() {
		commit = tree
	}
	return commit.String()[:12]
}

func compareRoots(ctx context.Context, repo *gitrepo.Repo, fromName string, from plumbing.Hash, toName string, to plumbing.Hash, opts CompareOptions) (*Diff, error) {
	changed, err := repo.ChangedTreePaths(from, to)
	if err != nil {
		return nil, fmt.Errorf("diff %s %s: %w", fromName, toName, err)
	}
	var pageIDs, databaseIDs, dataSourceIDs []string
	var views []layout.PathInfo
	read := []string{layout.MetaPath, layout.StatePath, layout.StateDir}
	// own marks the pages with a changed file other than their README:
	// any file of the folder, a stray one included, is the page's.
	own := map[string]bool{}
	for _, p := range changed {
		if info, _ := layout.ParsePath(p); info.PageID != "" && info.Kind != layout.PathPageReadme {
			own[info.PageID] = true
		}
	}
	pageSeen := map[string]bool{}
	for _, p := range changed {
		info, ok := layout.ParsePath(p)
		switch {
		case info.PageID != "" && !pageSeen[info.PageID]:
			pageSeen[info.PageID] = true
			pageIDs = append(pageIDs, info.PageID)
			if own[info.PageID] {
				read = append(read, layout.PageDir(info.PageID))
			} else {
				// Relinked: its title and parent, and the README itself,
				// not its blocks.
				read = append(read, layout.PagePath(info.PageID), layout.PageReadmePath(info.PageID))
			}
		case ok && info.Kind == layout.PathDatabase:
			databaseIDs = append(databaseIDs, info.DatabaseID)
			read = append(read, p)
		case ok && info.Kind == layout.PathDataSource:
			dataSourceIDs = append(dataSourceIDs, info.DataSourceID)
			read = append(read, p)
		case ok && info.Kind == layout.PathView:
			views = append(views, info)
			read = append(read, p, layout.DatabasePath(info.DatabaseID))
		}
	}
	old, err := openSide(repo, fromName, from, read)
	if err != nil {
		return nil, err
	}
	cur, err := openSide(repo, toName, to, read)
	if err != nil {
		return nil, err
	}
	old.outline, cur.outline = opts.Outline, opts.Outline
	old.titles, cur.titles = opts.Titles, opts.Titles

	d := &Diff{First: !old.snap.Has(layout.MetaPath)}
	if !d.First {
		from, to := formatOf(old.snap), formatOf(cur.snap)
		if from != 0 && to != 0 && from != to {
			d.FormatUpgrade = &FormatUpgrade{From: from, To: to}
		}
	}
	for _, id := range pageIDs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var p *PageChange
		if own[id] {
			p, err = comparePage(old, cur, id)
		} else {
			p, err = relinkedPage(old, cur, id)
		}
		switch {
		case err != nil:
			return nil, err
		case p != nil && p.Relinked:
			d.Relinked = append(d.Relinked, p)
		case p != nil:
			d.Pages = append(d.Pages, p)
		}
	}
	for _, pages := range [][]*PageChange{d.Pages, d.Relinked} {
		slices.SortFunc(pages, func(a, b *PageChange) int {
			return cmp.Or(strings.Compare(a.Title(), b.Title()), strings.Compare(a.ID, b.ID))
		})
	}
	for _, c := range []struct {
		kind string
		ids  []string
		path func(string) string
	}{
		{layout.KindDatabase, databaseIDs, layout.DatabasePath},
		{layout.KindDataSource, dataSourceIDs, layout.DataSourcePath},
	} {
		for _, id := range c.ids {
			s, err := compareSchema(old, cur, c.kind, c.path(id), id)
			if err != nil {
				return nil, err
			}
			if s != nil {
				d.Schemas = append(d.Schemas, s)
			}
		}
	}
	for _, info := range views {
		v, err := compareView(old, cur, info)
		if err != nil {
			return nil, err
		}
		if v != nil {
			d.Views = append(d.Views, v)
		}
	}
	slices.SortFunc(d.Views, func(a, b *ViewChange) int {
		return cmp.Or(strings.Compare(a.Database, b.Database), strings.Compare(a.ID, b.ID))
	})
	return d, nil
}

// viewStamps are the members of a view that change with no edit a reader
// would call a change of its settings.
var viewStamps = []string{"name", "last_edited_time", "last_edited_by"}

// compareView compares one view file on both sides; nil when nothing a
// reader would notice changed.
func compareView(old, cur side, info layout.PathInfo) (*ViewChange, error) {
	path := layout.ViewPath(info.DatabaseID, info.ViewID)
	before, inOld, err := layout.ReadObject(old.snap, path)
	if err != nil {
		return nil, err
	}
	after, inNew, err := layout.ReadObject(cur.snap, path)
	if err != nil {
		return nil, err
	}
	if !inOld && !inNew {
		return nil, nil
	}
	v := &ViewChange{Database: info.DatabaseID, ID: info.ViewID, InOld: inOld, InNew: inNew}
	for _, sd := range []side{cur, old} {
		if db, ok, err := layout.ReadObject(sd.snap, layout.DatabasePath(info.DatabaseID)); err == nil && ok {
			v.DatabaseTitle = layout.Title(db)
			break
		}
	}
	if inOld {
		v.OldName, _ = before["name"].(string)
		v.OldType, _ = before["type"].(string)
	}
	if inNew {
		v.NewName, _ = after["name"].(string)
		v.NewType, _ = after["type"].(string)
	}
	if inOld && inNew {
		a, b := maps.Clone(before), maps.Clone(after)
		for _, k := range viewStamps {
			delete(a, k)
			delete(b, k)
		}
		v.SettingsChanged = !reflect.DeepEqual(a, b)
		if !v.Renamed() && !v.SettingsChanged {
			return nil, nil
		}
	}
	return v, nil
}

// side is one of the two snapshots, limited to the paths compared.
type side struct {
	name    string // the commit or tree, for errors
	snap    *gitrepo.Snapshot
	state   *lazyState
	outline bool // see CompareOptions.Outline
	titles  bool // see CompareOptions.Titles
	// names are what the side's READMEs show around a page, so that a
	// page is compared as its README reads.
	names layout.Names
}

func openSide(repo *gitrepo.Repo, name string, tree plumbing.Hash, paths []string) (side, error) {
	snap, err := repo.SnapshotOfTree(tree, paths)
	if err != nil {
		return side{}, err
	}
	return side{name: name, snap: snap, state: &lazyState{snap: snap, read: map[string]bool{}},
		names: NamesOf(repo.LazySnapshotOfTree(tree))}, nil
}

// lazyState is a side's sync state, read a shard at a time as the pages
// compared need their parents' titles: a comparison of two pages of a
// 10,000-page workspace reads a few shards, not all 256 twice.
type lazyState struct {
	snap  *gitrepo.Snapshot
	state *layout.State   // the entries read so far; nil while none
	read  map[string]bool // the shards read
	whole bool            // a state of version 1, whose entries are all inline
}

// of returns the state holding at least id's entry; nil when the side has
// no state.
func (l *lazyState) of(id string) (*layout.State, error) {
	if !layout.IsID(id) {
		return l.state, nil
	}
	shard := layout.StateShard(id)
	if l.whole || l.read[shard] {
		return l.state, nil
	}
	l.read[shard] = true
	part, err := layout.ReadState(onlyPaths{l.snap, []string{layout.StatePath, layout.StateShardPath(shard)}})
	if err != nil || part == nil {
		return l.state, err
	}
	if len(l.snap.PathsUnder(layout.StateDir)) == 0 {
		l.whole = true
	}
	if l.state == nil {
		l.state = &layout.State{Version: part.Version, LastSync: part.LastSync, Objects: map[string]layout.ObjectState{}}
	}
	maps.Copy(l.state.Objects, part.Objects)
	return l.state, nil
}

// onlyPaths is a snapshot seen through some of its paths.
type onlyPaths struct {
	snap  *gitrepo.Snapshot
	paths []string
}

func (o onlyPaths) Has(p string) bool { return slices.Contains(o.paths, p) && o.snap.Has(p) }

func (o onlyPaths) Read(p string) ([]byte, error) { return o.snap.Read(p) }

// comparePage compares page id's folder on both sides; nil when neither
// has the page (stray files beside a page.json that neither side has).
func comparePage(old, cur side, id string) (*PageChange, error) {
	p := &PageChange{ID: id}
	if inOld, inNew := old.snap.Has(layout.PagePath(id)), cur.snap.Has(layout.PagePath(id)); old.titles || (old.outline && inOld != inNew) {
		var err error
		if p.InOld, p.OldTitle, p.OldParent, err = old.header(id); err != nil {
			return nil, err
		}
		if p.InNew, p.NewTitle, p.NewParent, err = cur.header(id); err != nil {
			return nil, err
		}
		if !p.InOld && !p.InNew {
			return nil, nil
		}
		return p, nil
	}
	var oldMD, newMD string
	var err error
	if p.InOld, p.OldTitle, p.OldParent, oldMD, err = old.render(id); err != nil {
		return nil, err
	}
	if p.InNew, p.NewTitle, p.NewParent, newMD, err = cur.render(id); err != nil {
		return nil, err
	}
	if !p.InOld && !p.InNew {
		return nil, nil
	}
	if oldMD != newMD {
		lines := LineDiff(oldMD, newMD)
		p.LinesAdded, p.LinesRemoved = countLines(lines)
		p.Hunks = Hunks(lines, Context)
	}
	_, oldBody, _ := strings.Cut(oldMD, "\n")
	_, newBody, _ := strings.Cut(newMD, "\n")
	p.Edited = p.InOld && p.InNew && oldBody != newBody
	return p, nil
}

// relinkedPage is the change of page id when its README is the only file of
// its folder that changed; nil when neither side has the page (a README
// beside no page.json). A page on one side only (a README left behind, or
// written before its page.json) is compared as any other page.
func relinkedPage(old, cur side, id string) (*PageChange, error) {
	if inOld, inNew := old.snap.Has(layout.PagePath(id)), cur.snap.Has(layout.PagePath(id)); !inOld || !inNew {
		if !inOld && !inNew {
			return nil, nil
		}
		return comparePage(old, cur, id)
	}
	p := &PageChange{ID: id, Relinked: true}
	var err error
	if p.InOld, p.OldTitle, p.OldParent, err = old.header(id); err != nil {
		return nil, err
	}
	if p.InNew, p.NewTitle, p.NewParent, err = cur.header(id); err != nil {
		return nil, err
	}
	if old.outline || old.titles {
		return p, nil
	}
	// The README as stored, not as rendered now: the files this commit
	// rewrote, rendered with the names each side had.
	var before, after string
	for _, r := range []struct {
		s  side
		md *string
	}{{old, &before}, {cur, &after}} {
		if !r.s.snap.Has(layout.PageReadmePath(id)) {
			continue
		}
		b, err := r.s.snap.Read(layout.PageReadmePath(id))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.s.name, err)
		}
		*r.md = string(b)
	}
	lines := LineDiff(before, after)
	p.LinesAdded, p.LinesRemoved = countLines(lines)
	p.Hunks = Hunks(lines, Context)
	return p, nil
}

// countLines counts the lines a diff adds and removes.
func countLines(lines []Line) (added, removed int) {
	for _, l := range lines {
		switch l.Op {
		case '+':
			added++
		case '-':
			removed++
		}
	}
	return added, removed
}

// formatOf is a side's format_version; 0 when it has no notion-git.json or
// one that does not say.
func formatOf(snap *gitrepo.Snapshot) int {
	b, err := snap.Read(layout.MetaPath)
	if err != nil {
		return 0
	}
	var v struct {
		FormatVersion json.Number `json:"format_version"`
	}
	if json.Unmarshal(b, &v) != nil {
		return 0
	}
	n, err := v.FormatVersion.Int64()
	if err != nil || n <= 0 || n > math.MaxInt32 {
		return 0
	}
	return int(n)
}

// header reads page id's page.json alone: whether the side has the page,
// its title and its parent, as render gives them.
func (s side) header(id string) (ok bool, title string, parent Parent, err error) {
	obj, ok, err := layout.ReadObject(s.snap, layout.PagePath(id))
	if err != nil || !ok {
		return false, "", Parent{}, err
	}
	parent, err = s.parent(id, obj)
	return err == nil, layout.Title(obj), parent, err
}

// parent is parentOf's, named by its title in the sync state.
func (s side) parent(id string, page layout.Object) (Parent, error) {
	var parent Parent
	var err error
	if parent.ID, err = parentOf(id, page, func() (*layout.State, error) { return s.state.of(id) }); err != nil || parent.ID == "" {
		return parent, err
	}
	state, err := s.state.of(parent.ID)
	if state != nil {
		parent.Title = state.Objects[parent.ID].Title
	}
	return parent, err
}

// render decodes page id and renders it. The parent is parentOf's, named
// by its title in the sync state.
func (s side) render(id string) (ok bool, title string, parent Parent, md string, err error) {
	if !s.snap.Has(layout.PagePath(id)) {
		return false, "", Parent{}, "", nil
	}
	p, err := layout.DecodePage(s.snap, id, s.snap.PathsUnder(layout.PageDir(id)))
	if err != nil {
		return false, "", Parent{}, "", fmt.Errorf("%s: %w", s.name, err)
	}
	if parent, err = s.parent(id, p.Object); err != nil {
		return false, "", Parent{}, "", fmt.Errorf("%s: %w", s.name, err)
	}
	return true, layout.Title(p.Object), parent, string(layout.RenderPageNamed(p, s.names)), nil
}

// compareSchema compares a database or data source; nil when nothing a
// reader would notice changed.
func compareSchema(old, cur side, kind, path, id string) (*SchemaChange, error) {
	before, inOld, err := layout.ReadObject(old.snap, path)
	if err != nil {
		return nil, err
	}
	after, inNew, err := layout.ReadObject(cur.snap, path)
	if err != nil {
		return nil, err
	}
	if !inOld && !inNew {
		return nil, nil
	}
	s := &SchemaChange{Kind: kind, ID: id, InOld: inOld, InNew: inNew}
	if inOld {
		s.OldTitle = layout.Title(before)
	}
	if inNew {
		s.NewTitle = layout.Title(after)
	}
	if !inOld || !inNew {
		return s, nil
	}
	s.Properties = propertyChanges(before, after)
	if !s.Renamed() && len(s.Properties) == 0 {
		return nil, nil
	}
	return s, nil
}

// schema maps property ids to their names and types.
func schema(obj layout.Object) map[string]Property {
	props, _ := obj["properties"].(map[string]any)
	out := make(map[string]Property, len(props))
	for name, v := range props {
		m, _ := v.(map[string]any)
		id, _ := m["id"].(string)
		if id == "" {
			id = "name:" + name
		}
		typ, _ := m["type"].(string)
		out[id] = Property{Name: name, Type: typ}
	}
	return out
}

// propertyChanges lists the properties added, removed, renamed or retyped.
func propertyChanges(before, after layout.Object) []PropertyChange {
	old, cur := schema(before), schema(after)
	var out []PropertyChange
	for id, p := range cur {
		if o, ok := old[id]; !ok || o != p {
			out = append(out, PropertyChange{ID: id, InOld: ok, InNew: true, Old: o, New: p})
		}
	}
	for id, o := range old {
		if _, ok := cur[id]; !ok {
			out = append(out, PropertyChange{ID: id, InOld: true, Old: o})
		}
	}
	slices.SortFunc(out, func(a, b PropertyChange) int {
		return cmp.Or(strings.Compare(a.Name(), b.Name()), strings.Compare(a.ID, b.ID))
	})
	return out
}
