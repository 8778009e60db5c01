package gitrepo

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// goGitBlob reads blob h through go-git alone, the reader packBlobs is a
// shortcut for.
func goGitBlob(t *testing.T, r *Repo, h plumbing.Hash) []byte {
	t.Helper()
	obj, err := r.store.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := obj.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPackBlobsReadAsGoGit reads every blob of a repository from notion-git's
// own packs, then after git repacks them with deltas and an index with
// large offsets absent, and checks each against go-git's reading.
func TestPackBlobsReadAsGoGit(t *testing.T) {
	r := newRepo(t, false)
	rng := rand.New(rand.NewPCG(1, 2))
	files := map[string]string{}
	for i := range 60 {
		// Similar files, so that git deltifies them; some empty, one large.
		body := fmt.Sprintf("{\"id\": %d, \"text\": %q}\n", i, bytes.Repeat([]byte("abc"), rng.IntN(400)))
		switch i {
		case 3:
			body = ""
		case 7:
			big := make([]byte, 3<<20)
			for j := range big {
				big[j] = byte('a' + rng.IntN(26))
			}
			body = string(big)
		}
		files[fmt.Sprintf("pages/p%02d/page.json", i)] = body
	}
	c := commitChange(t, r, files)
	check := func(stage string, wantShortcut bool) {
		t.Helper()
		s, err := r.Snapshot(c)
		if err != nil {
			t.Fatal(err)
		}
		shortcuts := 0
		for path, want := range files {
			h, ok := s.lookup(path)
			if !ok {
				t.Fatalf("%s: %s not in the tree", stage, path)
			}
			if _, ok, err := r.packs.blob(h); err != nil {
				t.Fatalf("%s: %s: %v", stage, path, err)
			} else if ok {
				shortcuts++
			}
			got, err := s.Read(path)
			if err != nil {
				t.Fatalf("%s: %s: %v", stage, path, err)
			}
			if string(got) != want || !bytes.Equal(got, goGitBlob(t, r, h)) {
				t.Errorf("%s: %s: %d bytes, want %d", stage, path, len(got), len(want))
			}
		}
		if wantShortcut && shortcuts != len(files) {
			t.Errorf("%s: %d of %d blobs read from the packs directly", stage, shortcuts, len(files))
		}
		if !wantShortcut && shortcuts == len(files) {
			t.Errorf("%s: no blob left to go-git, though git stored deltas", stage)
		}
	}
	check("own pack", true)
	runGit(t, r.WorkDir(), "repack", "-a", "-d", "-f", "--window=50", "--depth=50")
	r.packs.reset()
	r.store.(interface{ Reindex() }).Reindex()
	check("repacked", false)
}

func TestParsePackIndexRefusesGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("\xfftOc\x00\x00\x00\x02"), bytes.Repeat([]byte{0xff}, 2000)} {
		if _, err := parsePackIndex(b); err == nil {
			t.Errorf("%q...: parsed", b[:min(len(b), 8)])
		}
	}
}
