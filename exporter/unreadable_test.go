package exporter_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// pageBreaker stands between the client and the emulator to make one page
// unreadable: after runs once, right after the emulator answered the listing
// (POST /v1/search), the window between the listing and the crawl; refuse
// answers 404 for the children of one block, as for a block deleted while
// the page is read.
type pageBreaker struct {
	mu     sync.Mutex
	after  func()
	refuse string
}

func (h *pageBreaker) install(w *world) {
	w.wrap = func(rw http.ResponseWriter, r *http.Request) bool {
		h.mu.Lock()
		refuse := h.refuse
		h.mu.Unlock()
		if refuse != "" && r.URL.Path == "/v1/blocks/"+refuse+"/children" {
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(rw, `{"object":"error","status":404,"code":"object_not_found","message":"Could not find block with ID: %s."}`, refuse)
			return true
		}
		if r.URL.Path != "/v1/search" {
			return false
		}
		w.server.ServeHTTP(rw, r)
		h.mu.Lock()
		act := h.after
		h.after = nil
		h.mu.Unlock()
		if act != nil {
			act()
		}
		return true
	}
}

func (h *pageBreaker) set(after func(), refuse string) {
	h.mu.Lock()
	h.after, h.refuse = after, refuse
	h.mu.Unlock()
}

// TestUnreadablePageKeepsPreviousVersion: a page that cannot be read during
// the crawl (it vanished after the listing, or a block of it fails) keeps
// its previous version, byte for byte, and is reported with its id and the
// reason; once Notion answers cleanly that the page is gone, the next sync
// removes it, and once it can be read again, the next sync stores it.
func TestUnreadablePageKeepsPreviousVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// breakIt makes the renamed Release notes page unreadable during
		// the next sync; it returns the reason the report must give, and
		// whether the sync after that should find the page gone.
		breakIt func(w *world, breaker *pageBreaker) (reason string, removed bool)
		// mend undoes breakIt before the sync after that, if it can.
		mend func(w *world)
	}{
		{"page deleted after the listing", func(w *world, breaker *pageBreaker) (string, bool) {
			breaker.set(func() { w.server.DeleteObject(releaseID) }, "")
			return "404 object_not_found", true
		}, nil},
		{"workspace unshared after the listing", func(w *world, breaker *pageBreaker) (string, bool) {
			breaker.set(func() { w.server.Unshare(homeID) }, "")
			return "404 object_not_found", false
		}, func(w *world) { w.server.Share(homeID) }},
		{"a block of the page fails", func(w *world, breaker *pageBreaker) (string, bool) {
			breaker.set(nil, tableBlockID)
			return "Could not find block with ID: " + tableBlockID, false
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, basicFixture(t), emulator.Options{})
			breaker := &pageBreaker{}
			breaker.install(w)
			before, _ := w.syncMemory(nil, exporter.Options{})
			if len(pageFiles(before, releaseID)) == 0 {
				t.Fatal("the page was not in the first sync")
			}
			w.clock.Advance(time.Hour)
			if err := w.server.SetTitle(releaseID, "Changelog"); err != nil {
				t.Fatal(err)
			}
			w.clock.Advance(time.Hour)
			reason, removed := tc.breakIt(w, breaker)

			after, rep := w.syncMemory(before, exporter.Options{})
			if !rep.Partial() {
				t.Error("the report does not say the snapshot is partial")
			}
			reported := false
			for _, e := range rep.Errors {
				if e.ID == releaseID && e.Kind == layout.KindPage && strings.Contains(e.Reason, reason) {
					reported = true
				}
				// Whatever else could not be read (Team Home, when the
				// whole workspace is unshared) keeps its previous version too.
				if len(pageFiles(before, e.ID)) == 0 {
					t.Errorf("reported %+v, not a page of the snapshot", e)
				}
				sameTree(t, pageFiles(before, e.ID), pageFiles(after, e.ID))
			}
			if !reported {
				t.Errorf("report errors = %+v, want page %s with a reason holding %q", rep.Errors, releaseID, reason)
			}
			if rep.Pages.Removed != 0 || len(rep.Removed) != 0 {
				t.Errorf("pages removed: %+v", rep.Removed)
			}

			// The next sync, in calm weather.
			breaker.set(nil, "")
			if tc.mend != nil {
				tc.mend(w)
			}
			w.clock.Advance(time.Hour)
			final, rep := w.syncMemory(after, exporter.Options{})
			if rep.Partial() {
				t.Errorf("the calm sync reports errors: %+v", rep.Errors)
			}
			switch {
			case removed && len(pageFiles(final, releaseID)) != 0:
				t.Errorf("the deleted page is still in the snapshot")
			case removed && (len(rep.Removed) != 1 || rep.Removed[0].ID != releaseID):
				t.Errorf("removed pages reported: %+v, want %s", rep.Removed, releaseID)
			case !removed && !bytes.Contains(final[layout.PagePath(releaseID)], []byte("Changelog")):
				t.Errorf("the page was not synced once it could be read again")
			}
		})
	}
}
