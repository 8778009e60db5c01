package gitrepo

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestRemoveStaleFilesRemovesOldOwnTemporaries: a killed flush's temporary
// pack and index of notion-git's go once older than staleTempAge; fresh
// ones (a concurrent sync may be writing them) and git's own stay.
func TestRemoveStaleFilesRemovesOldOwnTemporaries(t *testing.T) {
	r := newRepo(t, true)
	c1 := newCommit(t, r, plumbing.ZeroHash, "1")
	if err := r.UpdateBranch("main", plumbing.ZeroHash, c1); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(r.GitDir(), "objects", "pack")
	old := time.Now().Add(-2 * staleTempAge)
	files := map[string]bool{ // name: removed
		packTempPrefix + "1234":  true,
		indexTempPrefix + "5678": true,
		packTempPrefix + "9012":  false, // fresh
		"tmp_pack_3456":          false, // git's own
		"tmp_idx_7890":           false,
	}
	for name := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("PACK\x00\x00\x00\x02"), 0o444); err != nil {
			t.Fatal(err)
		}
		if name != packTempPrefix+"9012" {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := r.RemoveStaleFiles(); err != nil {
		t.Fatal(err)
	}
	for name, removed := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if gone := os.IsNotExist(err); gone != removed {
			t.Errorf("%s: removed %v, want %v", name, gone, removed)
		}
	}
	// The packs themselves are untouched.
	if got := gitRev(t, r.GitDir(), "main"); got != c1.String() {
		t.Errorf("main at %q", got)
	}
	for name := range files {
		os.Remove(filepath.Join(dir, name))
	}
}
