package gitrepo

import (
	"fmt"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestSnapshotLooksUpEveryPath checks the sorted index against the files
// committed: every path is listed once in byte order and answers its own
// blob, including names that sort differently as names than as paths
// ("a.b", "a-b" and "a0" around the folder "a"), and paths that are not
// files (a folder, a prefix, a path past the last) are not found.
func TestSnapshotLooksUpEveryPath(t *testing.T) {
	r := newRepo(t, true)
	files := map[string]string{"a.b": "1", "a-b": "2", "a0": "3", "a/c": "4", "a/b/d": "5", "z": "6"}
	for i := range 50 {
		files[fmt.Sprintf("pages/%03d/blocks/%d.json", i%7, i)] = fmt.Sprint(i)
	}
	c := commitFiles(t, r, plumbing.ZeroHash, "files", files)
	s, err := r.Snapshot(c)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for p := range files {
		want = append(want, p)
	}
	slices.Sort(want)
	if !slices.Equal(s.Paths(), want) || s.Len() != len(want) {
		t.Fatalf("paths %v, want %v", s.Paths(), want)
	}
	for p, content := range files {
		h, ok := s.Hash(p)
		if !ok || h != plumbing.ComputeHash(plumbing.BlobObject, []byte(content)) || !s.Has(p) || !s.Same(p, []byte(content)) {
			t.Errorf("%s: hash %s, %v", p, h, ok)
		}
		if b, err := s.Read(p); err != nil || string(b) != content {
			t.Errorf("%s: read %q, %v", p, b, err)
		}
	}
	for _, p := range []string{"a", "a/", "a/b", "pages/000", "", "zz", "0"} {
		if s.Has(p) {
			t.Errorf("%q is not a file but was found", p)
		}
		if _, err := s.Read(p); err == nil {
			t.Errorf("%q is not a file but was read", p)
		}
	}
}
