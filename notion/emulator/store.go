package emulator

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// store is the workspace state. Every field is guarded by Server.mu.
type store struct {
	pages       map[string]map[string]any
	blocks      map[string]map[string]any
	databases   map[string]map[string]any
	dataSources map[string]map[string]any
	comments    map[string]map[string]any
	users       map[string]map[string]any
	bot         map[string]any

	// Insertion orders keep search, listings and exports deterministic.
	pageOrder    []string
	dsOrder      []string
	commentOrder []string
	userOrder    []string

	// children maps a parent id (page, block, data source) to its ordered
	// children: block ids, and the ids of pages and databases that show up in
	// their parent as child_page and child_database blocks, or rows.
	children map[string][]string
	shared   map[string]bool

	// files holds Notion-hosted bytes by name ("fixture:NAME" refers to
	// files[NAME]); fileByID maps the id in a signed URL back to the name.
	files    map[string][]byte
	fileByID map[string]string
	uploads  map[string]*upload
	upOrder  []string

	views viewState // see views.go
}

func newStore(f *Fixture) *store {
	st := &store{
		pages: map[string]map[string]any{}, blocks: map[string]map[string]any{},
		databases: map[string]map[string]any{}, dataSources: map[string]map[string]any{},
		comments: map[string]map[string]any{}, users: map[string]map[string]any{},
		children: map[string][]string{}, shared: map[string]bool{},
		files: map[string][]byte{}, fileByID: map[string]string{}, uploads: map[string]*upload{},
	}
	if f == nil {
		f = &Fixture{}
	}
	f = cloneFixture(f)
	st.bot = f.Bot
	if st.bot == nil {
		st.bot = map[string]any{"object": "user", "id": "00000000-0000-4000-8000-000000000001",
			"name": "notion-git emulator", "avatar_url": nil, "type": "bot",
			"bot": map[string]any{"owner": map[string]any{"type": "workspace", "workspace": true},
				"workspace_name": "Emulated workspace", "workspace_id": "00000000-0000-4000-8000-0000000000aa",
				"workspace_limits": map[string]any{"max_file_upload_size_in_bytes": json.Number("5368709120")}}}
	}
	for _, u := range f.Users {
		id := str(u["id"])
		st.users[id] = u
		st.userOrder = append(st.userOrder, id)
	}
	if bid := str(st.bot["id"]); st.users[bid] == nil {
		st.users[bid] = st.bot
		st.userOrder = append(st.userOrder, bid)
	}
	for _, id := range f.Shared {
		st.shared[id] = true
	}
	for _, p := range f.Pages {
		st.pages[str(p["id"])] = p
		st.pageOrder = append(st.pageOrder, str(p["id"]))
	}
	for _, d := range f.Databases {
		st.databases[str(d["id"])] = d
	}
	for _, d := range f.DataSources {
		st.dataSources[str(d["id"])] = d
		st.dsOrder = append(st.dsOrder, str(d["id"]))
	}
	for _, b := range f.Blocks {
		id := str(b["id"])
		parent := parentKey(b)
		st.children[parent] = append(st.children[parent], id)
		// A child_page or child_database block only marks where the page or
		// database sits in its parent; the object itself is the truth.
		if st.pages[id] != nil || st.databases[id] != nil {
			continue
		}
		st.blocks[id] = b
	}
	placed := map[string]bool{}
	for _, ids := range st.children {
		for _, id := range ids {
			placed[id] = true
		}
	}
	for _, id := range st.pageOrder {
		if !placed[id] {
			if parent := parentKey(st.pages[id]); parent != "" {
				st.children[parent] = append(st.children[parent], id)
			}
		}
	}
	for _, d := range f.Databases {
		if id := str(d["id"]); !placed[id] {
			if parent := parentKey(d); parent != "" {
				st.children[parent] = append(st.children[parent], id)
			}
		}
	}
	for _, c := range f.Comments {
		st.comments[str(c["id"])] = c
		st.commentOrder = append(st.commentOrder, str(c["id"]))
	}
	for name, data := range f.Files {
		st.addFile(name, data)
	}
	st.loadViews(f.Views)
	return st
}

// addFile stores Notion-hosted bytes under name and returns the file's id.
func (st *store) addFile(name string, data []byte) string {
	id := hashID("file\x00" + name)
	st.files[name] = data
	st.fileByID[id] = name
	return id
}

// parentKey is the id of an object's parent, "" for the workspace.
func parentKey(obj map[string]any) string {
	p, _ := obj["parent"].(map[string]any)
	if p == nil {
		return ""
	}
	t := str(p["type"])
	if t == "" {
		for _, k := range []string{"page_id", "block_id", "data_source_id", "database_id"} {
			if p[k] != nil {
				t = k
				break
			}
		}
	}
	if t == "workspace" {
		return ""
	}
	return str(p[t])
}

// object finds any object by id.
func (st *store) object(id string) map[string]any {
	if o := st.pages[id]; o != nil {
		return o
	}
	if o := st.blocks[id]; o != nil {
		return o
	}
	if o := st.databases[id]; o != nil {
		return o
	}
	return st.dataSources[id]
}

// readable reports whether id is shared or lies below something shared.
func (st *store) readable(id string) bool {
	for i := 0; id != "" && i < 10000; i++ {
		if st.shared[id] {
			return true
		}
		o := st.object(id)
		if o == nil {
			return false
		}
		id = parentKey(o)
	}
	return false
}

// visibility returns a test of "readable and not in the trash" that
// remembers every ancestor it has decided, for a caller that asks about
// every object of the workspace at once (search): siblings share their
// ancestors' answer instead of walking up again.
func (st *store) visibility() func(id string) bool {
	memo := map[string]bool{}
	var visible func(id string, depth int) bool
	visible = func(id string, depth int) bool {
		if v, ok := memo[id]; ok {
			return v
		}
		o := st.object(id)
		var v bool
		switch {
		case o == nil || depth > 10000:
			v = false
		case selfTrashed(o):
			v = false
		case st.shared[id]:
			// Shared and not trashed itself; its ancestors may be trashed.
			v = !st.trashed(parentKey(o))
		default:
			v = parentKey(o) != "" && visible(parentKey(o), depth+1)
		}
		memo[id] = v
		return v
	}
	return func(id string) bool { return visible(id, 0) }
}

// trashed reports whether id or one of its ancestors is in the trash.
func (st *store) trashed(id string) bool {
	for i := 0; id != "" && i < 10000; i++ {
		o := st.object(id)
		if o == nil {
			return false
		}
		if selfTrashed(o) {
			return true
		}
		id = parentKey(o)
	}
	return false
}

func selfTrashed(o map[string]any) bool {
	return o["in_trash"] == true || o["archived"] == true
}

// pageOf is the page that holds id (id itself when it is a page).
func (st *store) pageOf(id string) string {
	for i := 0; id != "" && i < 10000; i++ {
		if st.pages[id] != nil {
			return id
		}
		o := st.object(id)
		if o == nil {
			return ""
		}
		id = parentKey(o)
	}
	return ""
}

func (st *store) removeChild(parent, id string) {
	st.children[parent] = slices.DeleteFunc(st.children[parent], func(c string) bool { return c == id })
}

// insertChild places ids under parent, after the child `after` or at the end.
func (st *store) insertChild(parent, after string, ids ...string) {
	list := st.children[parent]
	at := len(list)
	if after != "" {
		if i := slices.Index(list, after); i >= 0 {
			at = i + 1
		}
	}
	st.children[parent] = slices.Insert(slices.Clip(list), at, ids...)
}

// touch bumps last_edited_time of an object.
func touch(o map[string]any, now string, editor map[string]any) {
	if o == nil {
		return
	}
	o["last_edited_time"] = now
	if editor != nil {
		o["last_edited_by"] = editor
	}
}

// notionTime formats t like Notion: UTC, rounded down to the minute.
func notionTime(t time.Time) string {
	return t.UTC().Truncate(time.Minute).Format("2006-01-02T15:04:05.000Z")
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// hashID makes a stable dashed UUID (version 4 layout) from a seed string.
func hashID(seed string) string {
	h := sha256.Sum256([]byte(seed))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func seededID(seed int64, n uint64, kind string) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(seed))
	binary.BigEndian.PutUint64(b[8:], n)
	return hashID(kind + string(b[:]))
}

// normID accepts ids with or without dashes, in any case.
func normID(id string) string {
	id = strings.ToLower(strings.ReplaceAll(id, "-", ""))
	if len(id) != 32 {
		return id
	}
	return id[0:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// deepCopy copies a generic JSON value so that callers never share maps.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = deepCopy(x)
		}
		return s
	case []map[string]any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = deepCopy(x)
		}
		return s
	default:
		return v
	}
}

func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return deepCopy(m).(map[string]any)
}

func cloneFixture(f *Fixture) *Fixture {
	out := &Fixture{Bot: copyMap(f.Bot), Shared: slices.Clone(f.Shared), Files: map[string][]byte{}}
	cp := func(in []map[string]any) []map[string]any {
		o := make([]map[string]any, len(in))
		for i, m := range in {
			o[i] = copyMap(m)
		}
		return o
	}
	out.Users, out.Pages, out.Databases = cp(f.Users), cp(f.Pages), cp(f.Databases)
	out.DataSources, out.Blocks, out.Comments = cp(f.DataSources), cp(f.Blocks), cp(f.Comments)
	out.Views = cp(f.Views)
	for k, v := range f.Files {
		out.Files[k] = slices.Clone(v)
	}
	return out
}
