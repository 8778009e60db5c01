package importer

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/notion-git/notion-git/layout"
)

// FidelityReport compares a restored copy with the snapshot it came from, type by
// type, ids, times and authors aside.
type FidelityReport struct {
	// Kinds maps "block paragraph", "property select", "page", "comment"…
	// to how many were compared and how many were equal.
	Kinds map[string]*KindFidelity
}

// KindFidelity is the comparison of one kind of object.
type KindFidelity struct {
	Compared int
	Equal    int
	// Expected is true when the kind is not restored exactly (RESTORE.md
	// says how it differs), so a difference is no defect.
	Expected bool
	// Examples are the first differences found.
	Examples []string
}

// Unexpected lists the kinds with differences the rules do not explain.
func (f *FidelityReport) Unexpected() []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(f.Kinds)) {
		if kf := f.Kinds[k]; !kf.Expected && kf.Equal < kf.Compared {
			out = append(out, fmt.Sprintf("%s: %d of %d differ, e.g. %s", k, kf.Compared-kf.Equal, kf.Compared, strings.Join(kf.Examples, "; ")))
		}
	}
	return out
}

// String is the fidelity report, one line per kind.
func (f *FidelityReport) String() string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(f.Kinds)) {
		kf := f.Kinds[k]
		mark := "exact"
		switch {
		case kf.Equal < kf.Compared && kf.Expected:
			mark = "differs as documented"
		case kf.Equal < kf.Compared:
			mark = "DIFFERS"
		case kf.Expected:
			mark = "substituted"
		}
		fmt.Fprintf(&b, "  %-32s %5d/%-5d %s\n", k, kf.Equal, kf.Compared, mark)
	}
	return b.String()
}

func (f *FidelityReport) add(kind string, expected bool, equal bool, example string) {
	kf := f.Kinds[kind]
	if kf == nil {
		kf = &KindFidelity{Expected: expected}
		f.Kinds[kind] = kf
	}
	kf.Compared++
	if equal {
		kf.Equal++
	} else if len(kf.Examples) < 3 {
		kf.Examples = append(kf.Examples, example)
	}
}

// verifier holds one comparison.
type verifier struct {
	orig, got *layout.Snapshot
	plan      *plan
	ids       map[string]string
	fallbacks map[string]string // blocks the API rejected → the form written
	restored  map[string]bool   // the copy's ids of the objects restored
	target    string            // the page restored into
	roots     map[string]bool   // what the restore puts directly in the target
	f         *FidelityReport
	err       error // the first object that could not be compared
}

// Verify compares restored (a sync of the target page) with orig, the
// snapshot restored with opts (only opts.Pages is read) and whose report
// rep holds the new ids.
func Verify(orig *layout.Snapshot, opts Options, rep *Report, restored *layout.Snapshot) (*FidelityReport, error) {
	pl, err := planFor(orig, opts.Pages)
	if err != nil {
		return nil, err
	}
	v := &verifier{orig: orig, got: restored, plan: pl, ids: rep.IDs, fallbacks: rep.Fallbacks, restored: map[string]bool{}, f: &FidelityReport{Kinds: map[string]*KindFidelity{}}}
	for _, nu := range rep.IDs {
		v.restored[nu] = true
	}
	if t, err := layout.ParseID(opts.Target); err == nil {
		v.target = t
	}
	v.roots = map[string]bool{}
	for _, id := range pl.roots {
		v.roots[id] = true
	}
	for _, id := range sortedKeys(pl.pages) {
		v.page(id)
	}
	for _, id := range sortedKeys(pl.dbs) {
		v.database(id)
	}
	for _, id := range sortedKeys(pl.sources) {
		v.dataSource(id)
	}
	for _, id := range sortedKeys(pl.dbs) {
		v.views(id)
	}
	if v.err != nil {
		return nil, v.err
	}
	return v.f, nil
}

func (v *verifier) page(id string) {
	g := v.got.Pages[v.ids[id]]
	if g == nil {
		v.f.add("page", false, false, "page "+id+" missing")
		return
	}
	// The snapshot's side is decoded page by page when it was opened
	// (layout.OpenSnapshot), the copy's side is whole.
	o, err := v.orig.PageContent(id)
	if err != nil {
		if v.err == nil {
			v.err = err
		}
		return
	}
	want := v.normalize(o.Object, o.Extra, true)
	have := v.normalize(g.Object, g.Extra, false)
	wp, _ := want["properties"].(map[string]any)
	hp, _ := have["properties"].(map[string]any)
	for _, name := range sortedKeys(wp) {
		typ, _ := wp[name].(map[string]any)["type"].(string)
		if readOnlyProperty(typ) {
			v.f.add("property "+typ, true, false, "computed by Notion")
			continue
		}
		v.compare("property "+typ, false, wp[name], hp[name], id+"."+name)
	}
	delete(want, "properties")
	delete(have, "properties")
	v.parents(id, o.Object, g.Object, want, have)
	v.compare("page", false, want, have, id)
	v.blocks(o, g, v.expectedTop(id), g.Children)
	for _, b := range v.plan.strays[id] {
		typ := v.plan.outlines[id].Blocks[b].Type
		v.f.add("block "+typ+" ("+noteStray(typ)+")", true, false, "block "+b)
	}
	v.comments(o, g)
}

// expectedTop is a page's top level as the restore lays it out: child
// pages and databases found inside blocks come right after their block.
func (v *verifier) expectedTop(id string) []string {
	var out []string
	for _, ev := range v.plan.events[id] {
		out = append(out, ev.block+ev.child)
	}
	return out
}

func (v *verifier) blocks(o, g *layout.Page, want, have []string) {
	want = v.expand(o, want)
	for i, id := range want {
		b := o.Blocks[id]
		typ := "child_page"
		if b != nil {
			typ = typeOf(b)
		} else if v.orig.Databases[id] != nil {
			typ = "child_database"
		}
		rule, known := BlockRules[typ]
		expected := !known || rule.Fidelity != Exact
		kind := "block " + typ
		if i >= len(have) || g.Blocks[have[i]] == nil {
			v.f.add(kind, expected, false, "block "+id+" missing")
			continue
		}
		gb := g.Blocks[have[i]]
		if b == nil {
			v.f.add(kind, expected, gb.ID == v.ids[id], "block "+id+" is not its page")
			continue
		}
		form := v.fallbacks[id]
		switch {
		case form != "":
			v.f.add(fallbackNote(typ, form), true, false, "block "+id)
		case expected:
			v.f.add(kind, true, false, "substituted")
		case (typ == "child_page" || typ == "child_database") && !v.plan.restores(id):
			// A page or database outside the restore: a link to the
			// original, as RESTORE.md says.
			want := v.normalize(b.Object, b.Extra, true)
			ref := map[string]string{"child_page": "page_id", "child_database": "database_id"}[typ]
			delete(want, typ)
			want["type"], want["link_to_page"] = "link_to_page", map[string]any{"type": ref, ref: id}
			v.compare(kind, false, want, v.normalize(gb.Object, gb.Extra, false), id)
		default:
			v.compare(kind, false, v.normalize(b.Object, b.Extra, true), v.normalize(gb.Object, gb.Extra, false), id)
		}
		if syncedFrom(b.Object) == "" && form != formNames[formCode] {
			kids, gotKids := v.contentKidsOf(o, b), gb.Children
			if typ == "column" {
				gotKids = v.columnLead(o, g, id, kids, gotKids)
			}
			v.blocks(o, g, kids, gotKids)
		}
	}
	if len(have) > len(want) {
		v.f.add("block (extra)", false, false, fmt.Sprintf("%d blocks more than the original", len(have)-len(want)))
	}
}

// expand is a list of stored blocks as the restore writes it, each column
// list of fewer than two columns replaced by what is written in its place
// (see plan.written) and counted as that substitution.
func (v *verifier) expand(o *layout.Page, ids []string) []string {
	var out []string
	for _, id := range ids {
		if !v.plan.degenerate(o.ID, id) {
			out = append(out, id)
			continue
		}
		cols := v.plan.columnsOf(o.ID, id)
		if len(cols) == 0 {
			v.f.add("block column_list ("+noteNoColumns+")", true, false, "block "+id)
			continue
		}
		v.f.add("block column_list ("+noteOneColumn+")", true, false, "block "+id)
		out = append(out, v.expand(o, v.contentKidsOf(o, o.Blocks[cols[0]]))...)
	}
	return out
}

// columnLead checks the empty paragraph a column is written with when it
// holds no blocks or starts with a column list, table or tab, and returns
// the copy's blocks after it.
func (v *verifier) columnLead(o, g *layout.Page, id string, want, have []string) []string {
	want = v.plan.written(o.ID, want)
	if len(want) > 0 && !structural[typeOf(o.Blocks[want[0]])] {
		return have
	}
	kind := "block column (" + columnLead(want) + ")"
	lead := g.Blocks[first(have)]
	if lead == nil {
		v.f.add(kind, true, false, "block "+id+": no empty paragraph")
		return have
	}
	p, _ := lead.Object["paragraph"].(map[string]any)
	v.f.add(kind, true, typeOf(lead) == "paragraph" && layout.PlainText(p["rich_text"]) == "" && len(lead.Children) == 0, "block "+id)
	return have[1:]
}

func (v *verifier) contentKidsOf(pg *layout.Page, b *layout.Block) []string {
	if !keepsChildren(typeOf(b)) {
		return nil
	}
	return slices.DeleteFunc(slices.Clone(b.Children), func(id string) bool { return v.plan.isPlaced(id) })
}

func (v *verifier) comments(o, g *layout.Page) {
	var want, have []string
	// The author's name is kept as the display name (RESTORE.md); a
	// comment stored without one is shown with the integration's name,
	// which the copy's sync knows. Without it, names are compared only
	// where every comment of the page has one.
	name := func(c *layout.Comment) string {
		dn, _ := c.Object["display_name"].(map[string]any)
		s, _ := dn["resolved_name"].(string)
		return s
	}
	bot, _ := v.got.Meta.Bot["name"].(string)
	names := bot != "" || !slices.ContainsFunc(o.Comments, func(c *layout.Comment) bool { return name(c) == "" })
	for _, c := range o.Comments {
		n := v.normalize(c.Object, c.Extra, true)
		if names {
			n["display_name"] = cmp.Or(name(c), bot)
		}
		want = append(want, v.key(n))
	}
	for _, c := range g.Comments {
		n := v.normalize(c.Object, c.Extra, false)
		if names {
			n["display_name"] = name(c)
		}
		have = append(have, v.key(n))
	}
	slices.Sort(want)
	slices.Sort(have)
	for _, w := range want {
		i := slices.Index(have, w)
		v.f.add("comment", false, i >= 0, "comment "+w)
		if i >= 0 {
			have = slices.Delete(have, i, i+1)
		}
	}
	// A comment the copy holds beyond the original's (one posted twice by
	// a resume that did not find it) is a difference too.
	if len(g.Comments) > len(o.Comments) {
		v.f.add("comment (extra)", false, false, fmt.Sprintf("page %s: %d comments more than the original", o.ID, len(g.Comments)-len(o.Comments)))
	}
}

func (v *verifier) database(id string) {
	o := v.orig.Databases[id]
	g := v.got.Databases[v.ids[id]]
	if g == nil {
		v.f.add("database", false, false, "database "+id+" missing")
		return
	}
	want, have := v.normalize(o.Object, o.Extra, true), v.normalize(g.Object, g.Extra, false)
	v.parents(id, o.Object, g.Object, want, have)
	v.compare("database", false, want, have, id)
}

func (v *verifier) dataSource(id string) {
	o := v.orig.DataSources[id]
	g := v.got.DataSources[v.ids[id]]
	if g == nil {
		v.f.add("data_source", false, false, "data source "+id+" missing")
		return
	}
	want := v.normalize(o.Object, o.Extra, true)
	have := v.normalize(g.Object, g.Extra, false)
	wp, _ := want["properties"].(map[string]any)
	hp, _ := have["properties"].(map[string]any)
	for _, name := range sortedKeys(wp) {
		typ, _ := wp[name].(map[string]any)["type"].(string)
		if conf, _ := wp[name].(map[string]any)["relation"].(map[string]any); conf["type"] == "dual_property" {
			if to, _ := conf["data_source_id"].(string); !v.restored[to] {
				// Two-way to a data source outside the restore: one-way
				// (a dual relation would add a property to it).
				delete(conf, "dual_property")
				conf["type"], conf["single_property"] = "single_property", map[string]any{}
			}
		}
		if schemaPart(typ) == -1 {
			v.f.add("schema "+typ, true, false, "not creatable")
			continue
		}
		v.compare("schema "+typ, false, wp[name], hp[name], id+"."+name)
	}
	// A property the snapshot does not have (a two-way relation's side
	// created twice, a default Notion added) is a difference too.
	for _, name := range sortedKeys(hp) {
		if _, ok := wp[name]; !ok {
			typ, _ := hp[name].(map[string]any)["type"].(string)
			v.f.add("schema (extra)", false, false, fmt.Sprintf("%s.%s: a %s property not in the snapshot", id, name, typ))
		}
	}
	delete(want, "properties")
	delete(have, "properties")
	if desc, _ := want["description"].([]any); len(desc) > 0 {
		// The API cannot write a data source's description.
		v.f.add("data_source description", true, false, "not writable")
	}
	delete(want, "description")
	delete(have, "description")
	v.parents(id, o.Object, g.Object, want, have)
	v.compare("data_source", false, want, have, id)
}

// parents sets, in the normalized want and have of a restored object,
// the id of what it is in: for the original, where the restore puts it (the
// target for what goes at the top, else its restored container: the page
// holding the block it is in, its data source, its database); for the
// copy, its parent as Notion answers.
func (v *verifier) parents(id string, o, g layout.Object, want, have map[string]any) {
	if v.roots[id] {
		want["parent"] = v.target // already the copy's
	} else {
		want["parent"] = v.remap(v.plan.container(o))
	}
	par, _ := g["parent"].(map[string]any)
	t, _ := par["type"].(string)
	pid, _ := par[t].(string)
	if nu, err := layout.ParseID(pid); err == nil {
		pid = nu
	}
	have["parent"] = pid
}

func (v *verifier) compare(kind string, expected bool, want, have any, where string) {
	w, h := v.key(want), v.key(have)
	i := 0
	for i < len(w) && i < len(h) && w[i] == h[i] {
		i++
	}
	from := max(0, i-80)
	v.f.add(kind, expected, w == h, fmt.Sprintf("%s: want …%.200s, got …%.200s", where, w[from:], h[min(from, len(h)):]))
}

func (v *verifier) key(x any) string {
	b, _ := json.Marshal(x)
	return string(b)
}

// normalize gives the form two copies are compared in: no times, authors
// or places; Notion-hosted files by content; text Notion derives dropped
// (plain_text, href), except what a reader sees of a page or database
// mention; option values by name; references (mentions, relation values,
// link_to_page, synced copies, relation schemas) kept, the original's
// remapped to the copy's ids (see remapRefs); other ids dropped; and the
// documented substitutions applied to the original.
// An object that cannot be put in that form stops the comparison (Verify
// returns the first such error) and is compared as empty meanwhile.
func (v *verifier) normalize(obj layout.Object, extra layout.Extra, original bool) map[string]any {
	fail := func(step string, err error) map[string]any {
		if v.err == nil {
			v.err = fmt.Errorf("verify %v: %s: %w", obj["id"], step, err)
		}
		return map[string]any{}
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return fail("encode", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return fail("decode", err)
	}
	for ptr, info := range extra.Files {
		setPointer(m, ptr, map[string]any{"sha256": info.SHA256})
	}
	if original {
		v.remapRefs(m, "")
	}
	out, _ := v.clean(m, "").(map[string]any)
	return out
}

// refKeys are the keys whose values are references to other objects; only
// they are remapped, with the ids of mentions and relation values (see
// remapRefs). Literal text (text content, code, URLs, captions) keeps the
// original's ids, as the restore writes it back byte for byte.
var refKeys = map[string]bool{
	"page_id": true, "block_id": true, "database_id": true, "data_source_id": true,
	"dashboard_view_id": true, "view_id": true,
}

// remap is the id a reference to old has in the copy: the restored
// object's id, or old itself for something outside the restore (which the
// restore leaves pointing at the original).
func (v *verifier) remap(old string) string {
	if id, err := layout.ParseID(old); err == nil && v.ids[id] != "" {
		return v.ids[id]
	}
	return old
}

// remapRefs replaces, in place, the original's ids in references by the
// copy's: every refKeys value, the target of a page or database mention
// (and the address Notion derives from it), and each page of a relation
// value (key is the key x is found under).
func (v *verifier) remapRefs(x any, key string) {
	switch x := x.(type) {
	case map[string]any:
		if kind, body := mentionBody(x); kind == "page" || kind == "database" {
			if old, _ := body["id"].(string); old != "" {
				nu := v.remap(old)
				body["id"] = nu
				if href, ok := x["href"].(string); ok {
					x["href"] = strings.ReplaceAll(href, undashed(old), undashed(nu))
				}
			}
		}
		for k, val := range x {
			if s, ok := val.(string); ok && refKeys[k] {
				x[k] = v.remap(s)
				continue
			}
			v.remapRefs(val, k)
		}
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok && key == "relation" {
				if id, ok := m["id"].(string); ok {
					m["id"] = v.remap(id)
				}
				continue
			}
			v.remapRefs(e, key)
		}
	}
}

// mentionBody returns the kind and body of a rich text mention item.
func mentionBody(item map[string]any) (string, map[string]any) {
	if item["type"] != "mention" {
		return "", nil
	}
	m, _ := item["mention"].(map[string]any)
	kind, _ := m["type"].(string)
	body, _ := m[kind].(map[string]any)
	return kind, body
}

func undashed(id string) string { return strings.ReplaceAll(id, "-", "") }

// volatile keys differ between any two copies, or are derived by Notion
// from what is compared.
var volatile = map[string]bool{
	"id": true, "created_time": true, "last_edited_time": true, "created_by": true, "last_edited_by": true,
	"parent": true, "has_children": true, "in_trash": true, "archived": true, "is_archived": true,
	"request_id": true, "url": true, "public_url": true, "discussion_id": true, "display_name": true,
	"plain_text": true, "href": true, "has_more": true, "database_parent": true, "groups": true,
	"synced_property_id": true, "relation_property_id": true, "rollup_property_id": true,
	"expiry_time": true, "request_status": true, "data_sources": true,
}

// clean drops what normalize leaves out; key is the key x is found under.
func (v *verifier) clean(x any, key string) any {
	switch x := x.(type) {
	case map[string]any:
		if key == "user" || key == "custom_emoji" {
			// Users and custom emoji keep their ids; their names and
			// pictures are Notion's to fill in.
			return map[string]any{"id": x["id"]}
		}
		out := map[string]any{}
		for k, val := range x {
			if val == nil || (volatile[k] && !(k == "url" && key != "")) {
				continue
			}
			out[k] = v.clean(val, k)
		}
		switch kind, body := mentionBody(x); kind {
		case "link_preview", "link_mention":
			// A link preview or link mention is restored as linked text.
			content, url := linkedText(x)
			text := map[string]any{"content": content}
			if url != "" {
				text["link"] = map[string]any{"url": url}
			}
			return map[string]any{"type": "text", "text": text, "annotations": out["annotations"]}
		case "page", "database":
			// The target, and what a reader sees: the address, and the
			// text, which is the target's title as it is now. A restored
			// target has its original's title; the text of one outside
			// the restore is whatever the copy's workspace shows for it
			// (its title, or "Untitled" where it cannot be read), which
			// no snapshot can say.
			id, _ := body["id"].(string)
			out["mention"].(map[string]any)[kind] = map[string]any{"id": id}
			if x["href"] != nil {
				out["href"] = x["href"]
			}
			if v.restored[id] && x["plain_text"] != nil {
				out["plain_text"] = x["plain_text"]
			}
		}
		switch key {
		case "relation":
			// A relation schema's database is its data source's: Notion
			// derives it from the data source compared.
			if _, ok := out["data_source_id"]; ok {
				delete(out, "database_id")
			}
		case "select", "status":
			if n, ok := out["name"]; ok && out["options"] == nil {
				return map[string]any{"name": n}
			}
		case "multi_select":
			if opts, ok := out["options"].([]any); ok {
				for _, o := range opts {
					delete(o.(map[string]any), "id")
				}
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			m, ok := e.(map[string]any)
			switch {
			case ok && key == "multi_select":
				out = append(out, map[string]any{"name": m["name"]})
			case ok && (key == "people" || key == "relation"):
				// People keep their user ids; a relation value its pages.
				out = append(out, map[string]any{"id": m["id"]})
			default:
				out = append(out, v.clean(e, key))
			}
		}
		return out
	}
	return x
}

// setPointer replaces the value at a JSON pointer, if it exists.
func setPointer(m map[string]any, ptr string, val any) {
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	var cur any = m
	for i, p := range parts {
		p = layout.UnescapePointer(p)
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if _, ok := c[p]; ok {
					c[p] = val
				}
				return
			}
			cur = c[p]
		case []any:
			var n int
			if _, err := fmt.Sscanf(p, "%d", &n); err != nil || n < 0 || n >= len(c) {
				return
			}
			if last {
				c[n] = val
				return
			}
			cur = c[n]
		default:
			return
		}
	}
}

func first(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}
