package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// journal records a restore's progress: the new id of every object created
// and the steps finished. It is an append-only file of JSON lines, so a
// crash loses at most the line being written, and reading it back replays
// the lines in order. Before a write that is not idempotent (a create, an
// append) the step is marked as intended; a step intended but not done on
// resume may or may not have reached Notion, and is reconciled by reading
// the parent before anything is sent again.
type journal struct {
	mu      sync.Mutex
	f       *os.File // nil: kept in memory only
	ids     map[string]string
	created map[string]bool // new ids, to tell ours from others in listings
	done    map[string]bool
	intent  map[string]bool
	// sent records, for each intended append, what it carried, so that a
	// resumed restore reconciles the request that was really sent.
	sent    map[string]sentAppend
	resumed bool
}

// sentAppend is what one append request carried.
type sentAppend struct {
	Top    []string            `json:"top"`
	Nested map[string][]string `json:"nested,omitempty"`
}

// record is one line of the journal.
type record struct {
	Map    map[string]string `json:"map,omitempty"`
	Done   string            `json:"done,omitempty"`
	Intent string            `json:"intent,omitempty"`
	Append *sentAppend       `json:"append,omitempty"`
}

func newJournal() *journal {
	return &journal{ids: map[string]string{}, created: map[string]bool{}, done: map[string]bool{}, intent: map[string]bool{}, sent: map[string]sentAppend{}}
}

// openJournal reads the journal at path (if any, and unless fresh) and
// opens it for appending.
func openJournal(path string, fresh bool) (*journal, error) {
	j := newJournal()
	if path == "" {
		return j, nil
	}
	if fresh {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("journal: %w", err)
		}
	}
	if b, err := os.ReadFile(path); err == nil {
		j.load(b)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	j.f = f
	return j, nil
}

// load replays journal lines. A last line cut short by a crash is ignored.
func (j *journal) load(b []byte) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r record
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue
		}
		j.apply(r)
		j.resumed = true
	}
}

func (j *journal) apply(r record) {
	for old, nu := range r.Map {
		j.ids[old] = nu
		j.created[nu] = true
	}
	if r.Intent != "" {
		j.intent[r.Intent] = true
		if r.Append != nil {
			j.sent[r.Intent] = *r.Append
		}
	}
	if r.Done != "" {
		j.done[r.Done] = true
		delete(j.intent, r.Done)
	}
}

// write applies r and appends it to the file.
func (j *journal) write(r record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.apply(r)
	if j.f == nil {
		return nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// id returns the new id of an old one.
func (j *journal) id(old string) (string, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	nu, ok := j.ids[old]
	return nu, ok
}

// ours reports whether a new id is one this restore created.
func (j *journal) ours(nu string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.created[nu]
}

func (j *journal) isDone(key string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.done[key]
}

// pending reports whether a step was started but not confirmed.
func (j *journal) pending(key string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.intent[key]
}

func (j *journal) intend(key string) error { return j.write(record{Intent: key}) }

// intendAppend marks an append as started, with what it carries.
func (j *journal) intendAppend(key string, a sentAppend) error {
	return j.write(record{Intent: key, Append: &a})
}

// sentFor returns what a pending append carried.
func (j *journal) sentFor(key string) (sentAppend, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	a, ok := j.sent[key]
	return a, ok
}

func (j *journal) finish(key string, ids map[string]string) error {
	return j.write(record{Done: key, Map: ids})
}

// mapIDs records ids learned outside a step (by listing).
func (j *journal) mapIDs(ids map[string]string) error {
	if len(ids) == 0 {
		return nil
	}
	return j.write(record{Map: ids})
}

// snapshotIDs copies the id map.
func (j *journal) snapshotIDs() map[string]string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make(map[string]string, len(j.ids))
	for k, v := range j.ids {
		out[k] = v
	}
	return out
}

func (j *journal) close() error {
	if j.f == nil {
		return nil
	}
	return j.f.Close()
}
