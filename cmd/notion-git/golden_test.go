package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator"
)

var update = flag.Bool("update", false, "rewrite the golden layout in testdata/golden from a sync of the fixture")

// goldenDir holds the files of a sync of testdata/fixtures/basic.json.
var goldenDir = filepath.Join("..", "..", "testdata", "golden", "basic")

// emulatorPlaceholder replaces the emulator's address (a random loopback
// port) in stored file URLs, so that trees of different runs compare.
const emulatorPlaceholder = "http://notion-emulator.invalid"

// comparableTree returns the files of a tree as they compare between syncs of
// the same workspace from different emulators: the emulator's address is
// replaced and, unless keepState, the sync state (crawl times) is left out.
func comparableTree(e *localNotion, tree map[string][]byte, keepState bool) map[string][]byte {
	out := make(map[string][]byte, len(tree))
	for p, b := range tree {
		if isStateFile(p) && !keepState {
			continue
		}
		if strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".md") {
			b = bytes.ReplaceAll(b, []byte(e.URL), []byte(emulatorPlaceholder))
		}
		out[p] = b
	}
	return out
}

var syncTimes = regexp.MustCompile(`("(?:crawled|last_sync)": )"[^"]*"`)

// pageDigests matches the digests of the state: a page's digest hashes its
// object as listed, file URLs and so the emulator's random port included.
var pageDigests = regexp.MustCompile(`("digest": )"[0-9a-f]{32}"`)

// compareTrees fails the test for every file missing, extra or different.
func compareTrees(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	var paths []string
	for p := range want {
		paths = append(paths, p)
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		w, inWant := want[p]
		g, inGot := got[p]
		switch {
		case !inWant:
			t.Errorf("%s: unexpected file", p)
		case !inGot:
			t.Errorf("%s: missing", p)
		case !bytes.Equal(w, g):
			t.Errorf("%s differs: %s", p, firstDifference(w, g))
		}
	}
}

// firstDifference describes the first line where two files differ.
func firstDifference(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d: want %q, got %q", i+1, w, g)
		}
	}
	return "same lines, different bytes"
}

// TestSyncGoldenLayout syncs the hand-written fixture and compares every file
// of the commit with testdata/golden/basic. Refresh it with
// `go test ./cmd/notion-git -run Golden -update` and review the diff.
func TestSyncGoldenLayout(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)

	got := comparableTree(e, headTree(t, dir), true)
	// Crawl times are the machine's; the rest of the state is compared.
	for p, b := range got {
		if isStateFile(p) {
			b = syncTimes.ReplaceAll(b, []byte(`$1"(time of the sync)"`))
			got[p] = pageDigests.ReplaceAll(b, []byte(`$1"(digest of the listed object)"`))
		}
	}

	if *update {
		if err := os.RemoveAll(goldenDir); err != nil {
			t.Fatal(err)
		}
		for p, b := range got {
			path := filepath.Join(goldenDir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("wrote %d files to %s", len(got), goldenDir)
		return
	}
	want := map[string][]byte{}
	err := filepath.WalkDir(goldenDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(goldenDir, path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		want[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatalf("read the golden layout (run with -update to make it): %v", err)
	}
	compareTrees(t, want, got)
}
