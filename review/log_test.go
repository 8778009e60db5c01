package review

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// logOf runs Log from the history's last commit and returns its entries.
func logOf(t *testing.T, h *history, opts LogOptions) []*Entry {
	t.Helper()
	var out []*Entry
	err := Log(context.Background(), h.repo.Repo, h.remove, opts, func(e *Entry) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func commits(entries []*Entry) []plumbing.Hash {
	var out []plumbing.Hash
	for _, e := range entries {
		out = append(out, e.Commit.Hash)
	}
	return out
}

func TestLog(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	all := logOf(t, h, LogOptions{})
	if got, want := commits(all), []plumbing.Hash{h.remove, h.move, h.edit, h.first}; !reflect.DeepEqual(got, want) {
		t.Fatalf("log: %v, want newest first %v", got, want)
	}
	for _, e := range all {
		if e.Synced || e.Page != nil {
			t.Errorf("%s: a commit without trailers, and no page followed: %+v", e.Commit.Subject(), e)
		}
	}
	if got := commits(logOf(t, h, LogOptions{Max: 2})); !reflect.DeepEqual(got, []plumbing.Hash{h.remove, h.move}) {
		t.Errorf("log with Max 2: %v", got)
	}
}

func TestLogPage(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	guide := logOf(t, h, LogOptions{Page: guideID})
	if got := commits(guide); !reflect.DeepEqual(got, []plumbing.Hash{h.edit, h.first}) {
		t.Fatalf("log of Guide: %v, want the edit and the first sync", got)
	}
	if e := guide[0].Page; !e.InOld || !e.InNew || !e.Renamed() || e.Moved || e.OldTitle != "Guide" || e.Title() != "Handbook" {
		t.Errorf("Guide renamed: %+v", e)
	}
	if e := guide[1].Page; e.InOld || !e.InNew || e.Title() != "Guide" || e.Renamed() {
		t.Errorf("Guide added: %+v", e)
	}

	notes := logOf(t, h, LogOptions{Page: notesID})
	if got := commits(notes); !reflect.DeepEqual(got, []plumbing.Hash{h.move, h.first}) {
		t.Fatalf("log of Notes: %v", got)
	}
	if e := notes[0].Page; !e.Moved || e.Renamed() {
		t.Errorf("Notes moved: %+v", e)
	}

	row := logOf(t, h, LogOptions{Page: rowID, Max: 1})
	if got := commits(row); !reflect.DeepEqual(got, []plumbing.Hash{h.remove}) {
		t.Fatalf("log of the row, at most one: %v", got)
	}
	if e := row[0].Page; !e.InOld || e.InNew || e.Title() != "Write tests" {
		t.Errorf("row removed: %+v", e)
	}

	if got := logOf(t, h, LogOptions{Page: "30000000-0000-4000-8000-000000000009"}); len(got) != 0 {
		t.Errorf("log of a page never synced: %v", commits(got))
	}
}

func TestLogTrailers(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	w := newWorkspace()
	tr := Trailers{Pages: 4, PagesAdded: 4, Requests: 17}
	c := r.commit(t, w, "Sync Notion: 4 added, 0 changed, 0 removed\n\n"+tr.Encode())
	var got []*Entry
	err := Log(context.Background(), r.Repo, c, LogOptions{}, func(e *Entry) error {
		got = append(got, e)
		return nil
	})
	if err != nil || len(got) != 1 || !got[0].Synced || got[0].Trailers != tr {
		t.Errorf("log of a sync: %v, %+v", err, got)
	}
}

func TestLogStops(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	stop := errors.New("stop")
	n := 0
	err := Log(context.Background(), h.repo.Repo, h.remove, LogOptions{}, func(*Entry) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("Log after fn fails: %v after %d entries", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Log(ctx, h.repo.Repo, h.remove, LogOptions{}, func(*Entry) error { return nil }); err != context.Canceled {
		t.Errorf("Log with a cancelled context: %v", err)
	}
}
