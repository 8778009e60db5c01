package layout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
)

// StateVersion is the version of the sync state this package writes.
// Version 1 held every object inline in .notion-git/state.json; version 2
// keeps only last_sync and the version there and shards the objects into
// .notion-git/state/<xx>.json (see FORMAT.md). Both are read.
const StateVersion = 2

// stateV1 is the version that held its objects inline.
const stateV1 = 1

// shardCount is the number of shards: one per value of the first two hex
// digits of an id.
const shardCount = 256

// State is the sync state kept in the repository itself, so that a fresh
// checkout syncs incrementally. The exporter fills it; its format lives here.
// In memory it is one map whatever the shards on disk.
//
// The fields of State and ObjectState are declared in the order of their
// JSON keys, so that encoding/json writes canonical bytes directly: the state
// of a 10,000-page workspace took 150 ms through the generic form.
type State struct {
	LastSync string                 `json:"last_sync,omitempty"` // RFC 3339 start of the last sync
	Objects  map[string]ObjectState `json:"objects,omitempty"`   // by id
	Version  int                    `json:"version"`
}

// stateHeader is .notion-git/state.json of version 2: what changes on every
// commit, kept apart from the objects so that it stays small.
type stateHeader struct {
	LastSync string `json:"last_sync,omitempty"`
	Version  int    `json:"version"`
}

// ObjectState is what the last sync knew of one page, database or data source.
type ObjectState struct {
	Crawled string `json:"crawled,omitempty"` // RFC 3339 time its content was last fetched
	// Digest is, for a page, a hash of its object as the listing gives it
	// (PageDigest's caller decides the form): a sync that lists the same
	// digest again knows the stored page.json still holds that object
	// without reading it.
	Digest string `json:"digest,omitempty"`
	// Files lists the SHA-256 of every attachment the object's files refer
	// to, so that a sync can drop files no page uses without reading every
	// page.
	Files      []string `json:"files,omitempty"`
	Kind       string   `json:"kind"`                  // KindPage, KindDatabase or KindDataSource
	LastEdited string   `json:"last_edited,omitempty"` // the object's last_edited_time
	Parent     string   `json:"parent,omitempty"`      // id of the page, database or data source above it; "" at the top
	Title      string   `json:"title,omitempty"`
	Trashed    bool     `json:"trashed,omitempty"`
	// Volatile, when set, says why the page's content can change without a
	// new last_edited_time (e.g. "mention"): the rolling refresh verifies
	// it more often. Set when the page is crawled.
	Volatile string `json:"volatile,omitempty"`
	// Links lists, for a page, the ids of the pages, databases and data
	// sources its README names: a sync that renames or removes one of them
	// writes those READMEs again without reading every page.
	Links []string `json:"links,omitempty"`
}

// Pending reports whether the object was listed by a sync that stopped
// before it crawled it (a checkpoint's state): nothing of it is stored yet.
// A complete sync's state has crawl times on every object.
func (o ObjectState) Pending() bool { return o.Crawled == "" }

// Equal reports whether two entries would be written the same.
func (o ObjectState) Equal(p ObjectState) bool {
	if len(o.Files) == 0 && len(p.Files) == 0 {
		o.Files, p.Files = nil, nil
	}
	if len(o.Links) == 0 && len(p.Links) == 0 {
		o.Links, p.Links = nil, nil
	}
	return reflect.DeepEqual(o, p)
}

// DigestLen is the length of ObjectState.Digest: 128 bits in lowercase hex.
const DigestLen = 32

// Kinds of object in State and in the index.
const (
	KindPage       = "page"
	KindDatabase   = "database"
	KindDataSource = "data_source"
)

// EncodeState returns the whole state as one canonical document, objects
// inline, at the current version: the form kept outside the tree (the local
// state file of the CLI). A tree holds EncodeStateFiles instead.
func EncodeState(s *State) ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", StatePath, err)
	}
	out := *s
	out.Version = StateVersion
	return encodeStateJSON(&out)
}

// encodeStateJSON writes v as canonical JSON: two-space indent, no HTML
// escaping, map keys sorted, struct fields in their declared (sorted) order.
func encodeStateJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodeState parses a whole state as one document: a version 1
// .notion-git/state.json, or what EncodeState writes. The state comes back
// at the current version.
func DecodeState(b []byte) (*State, error) {
	var s State
	if err := decodeStrict(b, &s); err != nil {
		return nil, err
	}
	if s.Version != stateV1 && s.Version != StateVersion {
		return nil, versionError(s.Version)
	}
	s.Version = StateVersion
	if err := s.validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

func versionError(v int) error {
	return fmt.Errorf("state version %d, this notion-git reads versions %d and %d", v, stateV1, StateVersion)
}

// DecodeStateShard parses one shard of the sync state: the entries of the
// objects whose ids begin with shard.
func DecodeStateShard(shard string, b []byte) (map[string]ObjectState, error) {
	if !isShardName(shard) {
		return nil, fmt.Errorf("shard %q is not two lowercase hex digits", truncate(shard, 40))
	}
	var objects map[string]ObjectState
	if err := decodeStrict(b, &objects); err != nil {
		return nil, err
	}
	if objects == nil {
		return nil, fmt.Errorf("a shard is an object of entries by id")
	}
	if err := validateObjects(objects); err != nil {
		return nil, err
	}
	for id := range objects {
		if StateShard(id) != shard {
			return nil, fmt.Errorf("%s belongs in shard %s, not %s", id, StateShard(id), shard)
		}
	}
	return objects, nil
}

// ReadState reads the sync state of a tree, of either version; nil, and no
// error, when the tree has none (a repository before its first sync).
func ReadState(src FileSource) (*State, error) {
	if !src.Has(StatePath) {
		if hasAnyShard(src) {
			return nil, fmt.Errorf("%s: missing, but %s holds state shards", StatePath, StateDir)
		}
		return nil, nil
	}
	b, err := src.Read(StatePath)
	if err != nil {
		return nil, err
	}
	var head State
	if err := decodeStrict(b, &head); err != nil {
		return nil, fmt.Errorf("%s: %w", StatePath, err)
	}
	switch head.Version {
	case stateV1:
		// Objects inline. The first sync after the upgrade writes the
		// shards and this file anew.
		s, err := DecodeState(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", StatePath, err)
		}
		if hasAnyShard(src) {
			return nil, fmt.Errorf("%s: version %d holds its objects inline, but %s holds state shards", StatePath, stateV1, StateDir)
		}
		return s, nil
	case StateVersion:
	default:
		return nil, fmt.Errorf("%s: %w", StatePath, versionError(head.Version))
	}
	if head.Objects != nil {
		return nil, fmt.Errorf("%s: version %d keeps its objects in %s, not inline", StatePath, StateVersion, StateDir)
	}
	s := &State{Version: StateVersion, LastSync: head.LastSync, Objects: map[string]ObjectState{}}
	for i := range shardCount {
		shard := shardName(i)
		path := StateShardPath(shard)
		if !src.Has(path) {
			continue
		}
		b, err := src.Read(path)
		if err != nil {
			return nil, err
		}
		objects, err := DecodeStateShard(shard, b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for id, o := range objects {
			s.Objects[id] = o
		}
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", StatePath, err)
	}
	return s, nil
}

func hasAnyShard(src FileSource) bool {
	for i := range shardCount {
		if src.Has(StateShardPath(shardName(i))) {
			return true
		}
	}
	return false
}

// shardName is the name of shard i, 0 to 255: two lowercase hex digits.
func shardName(i int) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[i>>4], digits[i&15]})
}

// shardIndex is the number of an id's shard.
func shardIndex(id string) int {
	n, _ := strconv.ParseUint(id[:2], 16, 8)
	return int(n)
}

// EncodeStateFiles returns every file of the state as a tree holds it:
// .notion-git/state.json and one shard per first two hex digits in use.
func EncodeStateFiles(s *State) (map[string][]byte, error) {
	put, _, err := StateChanges(nil, nil, s)
	return put, err
}

// StateChanges returns the files to put and the paths to delete so that a
// tree holding the state old holds s: the header, always (its last_sync
// moves), and only the shards with an entry added, removed or changed. A
// shard is encoded only then, so a commit costs the change, not the
// workspace. old must be what ReadState(tree) gives (nil for none); tree
// tells which shards it holds, so that a tree of version 1 gets all of them
// (the migration). A nil tree holds nothing.
func StateChanges(tree FileSource, old, s *State) (put map[string][]byte, del []string, err error) {
	if err := s.validate(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", StatePath, err)
	}
	header, err := encodeStateJSON(stateHeader{LastSync: s.LastSync, Version: StateVersion})
	if err != nil {
		return nil, nil, err
	}
	put = map[string][]byte{StatePath: header}
	has := func(path string) bool { return tree != nil && tree.Has(path) }
	var dirty, used [shardCount]bool
	var oldObjects map[string]ObjectState
	if old != nil {
		oldObjects = old.Objects
	}
	for id, o := range s.Objects {
		i := shardIndex(id)
		used[i] = true
		if prev, ok := oldObjects[id]; !ok || !prev.Equal(o) {
			dirty[i] = true
		}
	}
	for id := range oldObjects {
		if _, ok := s.Objects[id]; !ok {
			dirty[shardIndex(id)] = true
		}
	}
	var shards [shardCount]map[string]ObjectState
	for i := range shardCount {
		path := StateShardPath(shardName(i))
		switch {
		case !used[i]:
			if has(path) {
				del = append(del, path)
			}
		case dirty[i] || !has(path):
			shards[i] = map[string]ObjectState{}
		}
	}
	for id, o := range s.Objects {
		if m := shards[shardIndex(id)]; m != nil {
			m[id] = o
		}
	}
	for i, m := range shards {
		if m == nil {
			continue
		}
		b, err := encodeStateJSON(m)
		if err != nil {
			return nil, nil, err
		}
		put[StateShardPath(shardName(i))] = b
	}
	return put, del, nil
}

// validate checks what later code relies on: a known version and ids that
// are safe to turn into paths.
func (s *State) validate() error {
	if s.Version != StateVersion {
		return versionError(s.Version)
	}
	return validateObjects(s.Objects)
}

func validateObjects(objects map[string]ObjectState) error {
	for id, o := range objects {
		if !IsID(id) {
			return fmt.Errorf("objects: %q: %w", truncate(id, 80), ErrBadID)
		}
		switch o.Kind {
		case KindPage, KindDatabase, KindDataSource:
		default:
			return fmt.Errorf("objects: %s: unknown kind %q", id, truncate(o.Kind, 40))
		}
		for _, sha := range o.Files {
			if !isSHA256(sha) {
				return fmt.Errorf("objects: %s: file %q is not a SHA-256", id, truncate(sha, 80))
			}
		}
		for _, l := range o.Links {
			if !IsID(l) {
				return fmt.Errorf("objects: %s: link %q: %w", id, truncate(l, 80), ErrBadID)
			}
		}
		if o.Parent != "" && !IsID(o.Parent) {
			return fmt.Errorf("objects: %s: parent %q: %w", id, truncate(o.Parent, 80), ErrBadID)
		}
		if o.Digest != "" && !isDigest(o.Digest) {
			return fmt.Errorf("objects: %s: digest %q is not %d lowercase hex digits", id, truncate(o.Digest, 80), DigestLen)
		}
	}
	return nil
}

func isDigest(s string) bool {
	if len(s) != DigestLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLowerHex(s[i]) {
			return false
		}
	}
	return true
}
