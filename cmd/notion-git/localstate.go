package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/layout"
)

// The sync state changes on every run (crawl times, the rolling refresh's
// progress) even when Notion did not, and a run that changed nothing makes
// no commit. So the newest state is also kept beside the repository, in its
// git directory, tagged with the commit it continues from; a fresh checkout
// falls back to the state inside the last commit.
const localStateFile = "notion-git/state.json"

// localState is the local state file. State is the whole state in one
// document (layout.EncodeState's form; a file written before the state was
// sharded holds version 1, which still reads). Tree says that base's tree
// holds exactly these objects (its last_sync may be older), so that the next
// commit writes its state shards as changes to them without reading the
// tree's.
type localState struct {
	Base  string          `json:"base"`
	State json.RawMessage `json:"state"`
	Tree  bool            `json:"tree,omitempty"`
}

// loadLocalState returns the state kept after the last run if it continues
// from base, else nil; and whether base's tree holds its objects.
func loadLocalState(gitDir string, base plumbing.Hash) (*layout.State, bool) {
	b, err := os.ReadFile(filepath.Join(gitDir, localStateFile))
	if err != nil {
		return nil, false
	}
	return decodeLocalState(b, base)
}

// decodeLocalState reads the bytes of the local state file: nil unless they
// hold a valid state that continues from base.
func decodeLocalState(b []byte, base plumbing.Hash) (*layout.State, bool) {
	var ls localState
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if dec.Decode(&ls) != nil || dec.More() || ls.Base != base.String() || len(ls.State) == 0 {
		return nil, false
	}
	// The state's own bytes go through the layout's strict decoder, which
	// refuses unknown fields and checks ids before they are used as paths.
	s, err := layout.DecodeState(ls.State)
	if err != nil {
		return nil, false
	}
	return s, ls.Tree
}

// saveLocalState keeps the state of this run for the next one.
func saveLocalState(gitDir string, base plumbing.Hash, s *layout.State, inTree bool) error {
	b, err := encodeLocalState(base, s, inTree)
	if err != nil {
		return err
	}
	path := filepath.Join(gitDir, localStateFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return errors.Join(err, os.Remove(tmp))
	}
	if err := os.Rename(tmp, path); err != nil {
		return errors.Join(err, os.Remove(tmp))
	}
	return nil
}

// encodeLocalState returns the bytes of the local state file.
func encodeLocalState(base plumbing.Hash, s *layout.State, inTree bool) ([]byte, error) {
	state, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return json.Marshal(localState{Base: base.String(), State: state, Tree: inTree})
}

// sameObjects reports whether two states hold the same entries, whatever
// their last_sync.
func sameObjects(a, b *layout.State) bool {
	if a == nil || b == nil || len(a.Objects) != len(b.Objects) {
		return a == nil && b == nil
	}
	for id, o := range a.Objects {
		if p, ok := b.Objects[id]; !ok || !o.Equal(p) {
			return false
		}
	}
	return true
}
