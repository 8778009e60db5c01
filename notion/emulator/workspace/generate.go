// Package workspace makes Notion workspaces for tests, benchmarks and the
// demo: generated ones of any size, deterministic from a seed, and hand-written
// ones loaded from JSON files. Objects are in the API's own JSON form (version
// 2025-09-03) as emulator.Fixture holds them.
//
// A generated Fixture shares small leaf maps that never change between its
// objects (user references, default annotations, the parent of siblings):
// the Large workspace would otherwise need a third more memory. Replace a
// field rather than editing a nested map in place, or Clone the Fixture
// first.
package workspace

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/notion-git/notion-git/notion/emulator"
)

// Generate makes a workspace of the given size. It is deterministic: the same
// Options give the same Fixture, byte for byte once marshalled.
func Generate(opts Options) *emulator.Fixture {
	g := newGen(opts.withDefaults(), nil)
	g.run()
	return g.f
}

// gen holds the state of one generation. All randomness comes from r and all
// iteration is over slices, never maps, so the output depends on the seed
// alone.
type gen struct {
	o     Options
	r     *rand.Rand
	f     *emulator.Fixture
	names *namer

	clock time.Time // creation times advance from here
	step  int       // the most minutes one tick advances the clock

	bot    map[string]any
	people []*user

	pages    []*page // ordinary pages, parents before children
	rows     []*page // database rows
	dbs      []*database
	sources  []*dataSource
	blockIDs []string // every block that may carry a comment or be linked
	synced   []string // original synced blocks, for copies to reference
	emoji    map[string]any

	fileSeq int
	// reserved attachments are kept for the tour of block types, so that
	// it has Notion-hosted media however early the budget is spent.
	reserved int

	// Leaf values that never change are shared between objects to keep large
	// workspaces lean (see the package comment): a user reference per user,
	// and the default annotations.
	refs map[string]map[string]any
	ann  map[string]any
}

type user struct {
	id, name, email string
}

type page struct {
	id, title string
	depth     int
	parent    *page       // nil for a top-level page or a row
	ds        *dataSource // set for a row
	obj       map[string]any
	children  []*page
	dbs       []*database // databases whose parent is this page

	created, edited time.Time
	author          *user
}

type database struct {
	id, title string
	parent    *page // nil: at the workspace level
	sources   []*dataSource
	inline    bool
	obj       map[string]any
}

type dataSource struct {
	id, name string
	db       *database
	props    []*propConfig
	rows     []*page
	obj      map[string]any
}

type propConfig struct {
	id, name, typ string
	options       []map[string]any // select, multi_select, status
	target        *dataSource      // relation, rollup
	dual          *propConfig      // the other side of a dual relation
	back          bool             // the synced side of a dual relation
	cfg           map[string]any
}

func newGen(o Options, names *namer) *gen {
	r := rand.New(rand.NewPCG(o.Seed, 0x6e6f74696f6e)) // "notion"
	if names == nil {
		names = &namer{r: r}
	}
	return &gen{
		o:        o,
		r:        r,
		names:    names,
		refs:     map[string]map[string]any{},
		reserved: min(o.Attachments, 5),
		ann:      plainAnnotations(),
		clock:    time.Date(2024, 1, 8, 9, 0, 0, 0, time.UTC).Add(time.Duration(o.Seed%1000) * time.Hour),
		step:     tickStep(o),
		f: &emulator.Fixture{
			Users:       []map[string]any{},
			Shared:      []string{},
			Pages:       []map[string]any{},
			Databases:   []map[string]any{},
			DataSources: []map[string]any{},
			Blocks:      []map[string]any{},
			Comments:    []map[string]any{},
			Files:       map[string][]byte{},
		},
	}
}

func (g *gen) run() {
	g.makeUsers()
	g.planPages()
	g.planDatabases()
	for _, ds := range g.sources {
		g.makeSchema(ds)
	}
	g.makeRows()
	g.emitPages()
	g.makeComments()
	if g.o.Views {
		g.makeViews()
	}
}

// id returns a fresh random (version 4) UUID in Notion's dashed form.
func (g *gen) id() string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := g.r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// tick advances the workspace clock by up to a few hours and returns it,
// rounded down to the minute as the API reports times.
func (g *gen) tick() time.Time {
	g.clock = g.clock.Add(time.Duration(1+g.r.IntN(g.step)) * time.Minute)
	return g.clock
}

// tickStep keeps a big workspace's history in the past: ticks of up to four
// hours suit a few thousand objects, but 10,000 pages and their rows would
// run years ahead, into times a sync must treat as just edited. Workspaces of
// up to 3,000 pages and rows keep four hours, and so their exact bytes.
func tickStep(o Options) int {
	objects := o.Pages + o.Databases*o.DataSourcesPerDatabase*o.RowsPerDataSource
	if objects <= 3000 {
		return 240
	}
	return max(1, 240*3000/objects)
}

func stamp(t time.Time) string {
	return t.UTC().Truncate(time.Minute).Format("2006-01-02T15:04:05.000Z")
}

// times returns a created and a last edited time, the edit at or after the
// creation.
func (g *gen) times() (created, edited string) {
	c := g.tick()
	e := c
	if g.r.IntN(3) > 0 {
		e = c.Add(time.Duration(g.r.IntN(60*24*90)) * time.Minute)
	}
	return stamp(c), stamp(e)
}

func num[T int | float64](v T) json.Number {
	switch v := any(v).(type) {
	case int:
		return json.Number(fmt.Sprint(v))
	default:
		return json.Number(strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.6f", v), "0"), "."))
	}
}

func (g *gen) pick(n int) int { return g.r.IntN(n) }

func (g *gen) chance(percent int) bool { return g.r.IntN(100) < percent }

func (g *gen) randomUser() *user { return g.people[g.pick(len(g.people))] }

func userRef(id string) map[string]any { return map[string]any{"object": "user", "id": id} }

// ref is the shared reference to a user.
func (g *gen) ref(u *user) map[string]any {
	r, ok := g.refs[u.id]
	if !ok {
		r = userRef(u.id)
		g.refs[u.id] = r
	}
	return r
}

func (u *user) full() map[string]any {
	return map[string]any{
		"object": "user", "id": u.id, "type": "person", "name": u.name,
		"avatar_url": nil, "person": map[string]any{"email": u.email},
	}
}

func (g *gen) makeUsers() {
	botID := g.id()
	g.bot = map[string]any{
		"object": "user", "id": botID, "type": "bot", "name": "notion-git",
		"avatar_url": nil,
		"bot": map[string]any{
			"owner":            map[string]any{"type": "workspace", "workspace": true},
			"workspace_name":   g.names.workspace(),
			"workspace_id":     g.id(),
			"workspace_limits": map[string]any{"max_file_upload_size_in_bytes": num(5 << 20)},
		},
	}
	g.f.Bot = g.bot
	for range g.o.Users {
		name := g.names.person()
		u := &user{id: g.id(), name: name, email: emailOf(name, len(g.people))}
		g.people = append(g.people, u)
		obj := u.full()
		if g.chance(30) {
			obj["avatar_url"] = fmt.Sprintf("https://s3-us-west-2.amazonaws.com/public.notion-static.com/%s/avatar.png", u.id)
		}
		g.f.Users = append(g.f.Users, obj)
	}
	// Another integration in the workspace: a bot that is not us.
	g.f.Users = append(g.f.Users, map[string]any{
		"object": "user", "id": g.id(), "type": "bot", "name": "Calendar sync",
		"avatar_url": nil, "bot": map[string]any{},
	})
	g.f.Users = append(g.f.Users, cloneJSON(g.bot).(map[string]any))
	g.emoji = map[string]any{
		"id": g.id(), "name": "shipit",
		"url": "https://s3-us-west-2.amazonaws.com/public.notion-static.com/custom-emoji/shipit.png",
	}
}

func emailOf(name string, n int) string {
	local := strings.ToLower(strings.ReplaceAll(name, " ", "."))
	return fmt.Sprintf("%s%d@example.com", local, n+1)
}

// planPages lays out the page tree before any content exists, so that blocks
// can mention and link to pages anywhere in the workspace.
func (g *gen) planPages() {
	roots := min(g.o.Pages, max(1, min(12, g.o.Pages/15), len(g.names.roots)))
	for i := range g.o.Pages {
		p := &page{id: g.id(), depth: 1}
		if i == roots && g.o.MaxDepth > 1 {
			// The first page holds the tour of every block type; give it a
			// subpage so that it has a child_page block too.
			p.parent, p.depth = g.pages[0], 2
			g.pages[0].children = append(g.pages[0].children, p)
		} else if i > roots {
			// Prefer recent pages as parents: real trees grow in bursts, and it
			// makes deep branches without making every branch deep.
			for {
				lo := max(0, len(g.pages)-40)
				if g.chance(30) {
					lo = 0
				}
				par := g.pages[lo+g.pick(len(g.pages)-lo)]
				if par.depth < g.o.MaxDepth {
					p.parent, p.depth = par, par.depth+1
					par.children = append(par.children, p)
					break
				}
			}
		}
		p.title = g.names.pageTitle(p.depth)
		g.pages = append(g.pages, p)
	}
}

func (g *gen) planDatabases() {
	for i := range g.o.Databases {
		db := &database{id: g.id(), title: g.names.databaseTitle()}
		// The first database sits in the first page, so that even the smallest
		// workspace has a child_database block; a few live at the top level.
		switch {
		case i == 0:
			db.parent = g.pages[0]
		case i%7 == 3:
			db.parent = nil
		default:
			db.parent = g.pages[g.pick(len(g.pages))]
		}
		if db.parent != nil {
			db.parent.dbs = append(db.parent.dbs, db)
			db.inline = g.chance(40)
		}
		n := 1
		if g.o.DataSourcesPerDatabase > 1 && (i == 1 || i%4 == 2) {
			n = 2 + g.pick(g.o.DataSourcesPerDatabase-1)
		}
		for j := range n {
			name := db.title
			if n > 1 {
				name = g.names.sourceName(db.title, j)
			}
			ds := &dataSource{id: g.id(), name: name, db: db}
			db.sources = append(db.sources, ds)
			g.sources = append(g.sources, ds)
		}
		g.dbs = append(g.dbs, db)
	}
}

// cloneJSON deep-copies a JSON value built of maps and slices.
func cloneJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = cloneJSON(x)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = cloneJSON(x)
		}
		return s
	case []map[string]any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = cloneJSON(x)
		}
		return s
	}
	return v
}

// Clone returns a deep copy of f that shares nothing with it, for a caller
// that edits objects in place.
func Clone(f *emulator.Fixture) *emulator.Fixture {
	c := &emulator.Fixture{
		Shared: append([]string{}, f.Shared...),
		Files:  make(map[string][]byte, len(f.Files)),
	}
	if f.Bot != nil {
		c.Bot = cloneJSON(f.Bot).(map[string]any)
	}
	for _, list := range []struct{ dst, src *[]map[string]any }{
		{&c.Users, &f.Users}, {&c.Pages, &f.Pages}, {&c.Databases, &f.Databases},
		{&c.DataSources, &f.DataSources}, {&c.Blocks, &f.Blocks}, {&c.Comments, &f.Comments},
		{&c.Views, &f.Views},
	} {
		*list.dst = make([]map[string]any, len(*list.src))
		for i, o := range *list.src {
			(*list.dst)[i] = cloneJSON(o).(map[string]any)
		}
	}
	for k, v := range f.Files {
		c.Files[k] = append([]byte(nil), v...)
	}
	return c
}
