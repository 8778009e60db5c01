package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	f       io.WriteCloser // nil: kept in memory only
	ids     map[string]string
	created map[string]bool // new ids, to tell ours from others in listings
	done    map[string]bool
	intent  map[string]bool
	// sent records, for each intended append, what it carried, so that a
	// resumed restore reconciles the request that was really sent.
	sent map[string]sentAppend
	// comments records, for each intended comment, what it carried.
	comments map[string]sentComment
	// target is the page the journal's restore writes into, as its first
	// line says ("" in journals written before it did).
	target  string
	resumed bool
	// sentThisRun marks uploads whose bytes this run sent or confirmed:
	// used again without asking Notion.
	sentThisRun map[string]bool
	// adopting serialises the adoption of uploads found by listing.
	adopting sync.Mutex
}

// sentAppend is what one append request carried.
type sentAppend struct {
	Top    []string            `json:"top"`
	Nested map[string][]string `json:"nested,omitempty"`
}

// sentComment is what one comment create carried: enough to recognise the
// comment among its page's or block's comments when its answer was lost.
type sentComment struct {
	// Text is the SHA-256 of the typed text sent (see typedText).
	Text string `json:"text"`
	// Discussion is the restored discussion replied to, or "" for a comment
	// starting a discussion on Parent.
	Discussion string `json:"discussion,omitempty"`
	Parent     string `json:"parent,omitempty"`
}

// record is one line of the journal.
type record struct {
	Target  string            `json:"target,omitempty"`
	Map     map[string]string `json:"map,omitempty"`
	Done    string            `json:"done,omitempty"`
	Intent  string            `json:"intent,omitempty"`
	Append  *sentAppend       `json:"append,omitempty"`
	Comment *sentComment      `json:"comment,omitempty"`
}

func newJournal() *journal {
	return &journal{ids: map[string]string{}, created: map[string]bool{}, done: map[string]bool{}, intent: map[string]bool{},
		sent: map[string]sentAppend{}, comments: map[string]sentComment{}, sentThisRun: map[string]bool{}}
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
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("journal: %w", err)
	}
	used, err := j.load(path, b)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	// The next record must start a line of its own: appended to a torn line,
	// or to a last line whose newline was lost, it would make one unreadable
	// line in the middle, which a later resume refuses.
	var mend error
	switch {
	case used < len(b):
		mend = f.Truncate(int64(used))
	case len(b) > 0 && b[len(b)-1] != '\n':
		_, mend = f.Write([]byte{'\n'})
	}
	if mend != nil {
		return nil, errors.Join(fmt.Errorf("journal: %w", mend), f.Close())
	}
	j.f = f
	return j, nil
}

// maxJournalLine bounds one journal line. The largest record, an append's
// list of ids, is tens of kilobytes; a longer line is not one this code wrote.
var maxJournalLine = 64 << 20

// load replays the journal lines in b, read from path, and returns the
// length of the part it used. Only the last line may be unreadable, and only
// if it lacks its newline: that is a crash in the middle of an append, and
// the line is dropped. Anything else unreadable is an error naming the line,
// since skipping it would forget an id mapping or a finished step and create
// objects twice.
func (j *journal) load(path string, b []byte) (int, error) {
	used := 0
	for line := 1; used < len(b); line++ {
		text, rest, complete := bytes.Cut(b[used:], []byte{'\n'})
		if len(text) > maxJournalLine {
			return 0, fmt.Errorf("journal %s: line %d is longer than %d bytes", path, line, maxJournalLine)
		}
		if len(bytes.TrimSpace(text)) > 0 {
			var r record
			if err := json.Unmarshal(text, &r); err != nil {
				if !complete {
					return used, nil // torn by a crash
				}
				return 0, fmt.Errorf("journal %s: line %d: %w", path, line, err)
			}
			j.apply(r)
			j.resumed = true
		}
		used = len(b) - len(rest)
	}
	return used, nil
}

func (j *journal) apply(r record) {
	if r.Target != "" {
		j.target = r.Target
	}
	for old, nu := range r.Map {
		j.ids[old] = nu
		j.created[nu] = true
	}
	if r.Intent != "" {
		j.intent[r.Intent] = true
		if r.Append != nil {
			j.sent[r.Intent] = *r.Append
		}
		if r.Comment != nil {
			j.comments[r.Intent] = *r.Comment
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

func (j *journal) markSentNow(key string) {
	j.mu.Lock()
	j.sentThisRun[key] = true
	j.mu.Unlock()
}

func (j *journal) sentNow(key string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.sentThisRun[key]
}

// intendComment marks a comment create as started, with what it carries.
func (j *journal) intendComment(key string, c sentComment) error {
	return j.write(record{Intent: key, Comment: &c})
}

// commentFor returns what a pending comment create carried.
func (j *journal) commentFor(key string) (sentComment, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	c, ok := j.comments[key]
	return c, ok
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
