package exporter_test

import (
	"strings"
	"testing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// TestPersonalAccessTokenSyncs: with a personal access token, users/me is
// the person the token acts as, not a bot. The sync works the same, and the
// person's email address stays out of the snapshot unless asked for, as
// everyone else's does.
func TestPersonalAccessTokenSyncs(t *testing.T) {
	f := small()
	f.Bot = map[string]any{
		"object": "user", "id": "7d1a3b9e-2f4c-4e8a-b6d0-1c9e5f3a2b74", "type": "person",
		"name": "Ada Lovelace", "avatar_url": nil,
		"person": map[string]any{"email": "ada@example.invalid"},
	}
	for _, keep := range []bool{false, true} {
		rp := newStore(t)
		rp.sync(newWorld(t, f, emulator.Options{Seed: 41}), exporter.Options{UserEmails: keep})
		meta := rp.read(layout.MetaPath)
		if !strings.Contains(meta, "Ada Lovelace") {
			t.Errorf("meta does not name the token's person:\n%s", meta)
		}
		if got := strings.Contains(meta, "ada@example.invalid"); got != keep {
			t.Errorf("UserEmails %v: the person's email in meta: %v", keep, got)
		}
		if got := len(pagesIn(rp)); got != len(f.Pages) {
			t.Errorf("the snapshot holds %d of %d pages", got, len(f.Pages))
		}
	}
}
