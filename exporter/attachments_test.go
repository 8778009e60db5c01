package exporter_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// fileDownloads counts the emulator's answers for file bytes (GET /files/...).
func fileDownloads(s *emulator.Server, from int) int {
	n := 0
	for _, e := range s.Log()[from:] {
		if strings.HasPrefix(e.Path, "/files/") {
			n++
		}
	}
	return n
}

// TestAttachmentsAreStoredOnceByContent: a Notion-hosted file is stored
// under files/ by the SHA-256 of its bytes and recorded in the block that
// shows it; a later sync, even a full one with freshly signed URLs, does not
// download it again; a file over MaxFileSize is not downloaded and is
// recorded as skipped, with its size.
func TestAttachmentsAreStoredOnceByContent(t *testing.T) {
	t.Parallel()
	f := basicFixture(t)
	data := f.Files["diagram.png"]
	if len(data) == 0 {
		t.Fatal("the fixture has no diagram.png")
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	blockPath := layout.BlockPath(onboardingID, imageBlockID)

	w := newWorld(t, f, emulator.Options{})
	first, rep := w.syncMemory(nil, exporter.Options{})
	// Stored under the extension of its name in Notion, so that GitHub
	// shows it inline.
	stored := layout.FilePathExt(sha, "png")
	if got := first[stored]; !bytes.Equal(got, data) {
		t.Fatalf("%s holds %d bytes, want the %d of diagram.png", stored, len(got), len(data))
	}
	if a := rep.Attachments; a.Downloaded != 1 || a.Bytes != int64(len(data)) || a.Reused != 0 || a.Skipped != 0 {
		t.Errorf("attachments of the first sync: %+v, want 1 downloaded, %d bytes", a, len(data))
	}
	if !bytes.Contains(first[blockPath], []byte(`"sha256": "`+sha+`"`)) {
		t.Errorf("%s does not record the file's hash:\n%s", blockPath, first[blockPath])
	}

	w.clock.Advance(time.Hour)
	mark := len(w.server.Log())
	second, rep := w.syncMemory(first, exporter.Options{Full: true})
	if n := fileDownloads(w.server, mark); n != 0 {
		t.Errorf("a second sync downloaded the unchanged file %d times", n)
	}
	if a := rep.Attachments; a.Downloaded != 0 || a.Reused != 1 {
		t.Errorf("attachments of the second sync: %+v, want 1 reused, none downloaded", a)
	}
	if !bytes.Equal(second[blockPath], first[blockPath]) || !bytes.Equal(second[stored], data) {
		t.Error("the second sync changed the block or the file")
	}

	capped, rep := w.syncMemory(nil, exporter.Options{MaxFileSize: int64(len(data)) - 1})
	for p := range capped {
		if isKind(p, layout.PathFile) {
			t.Errorf("%s stored, though larger than MaxFileSize", p)
		}
	}
	if a := rep.Attachments; a.Skipped != 1 || a.Downloaded != 0 {
		t.Errorf("attachments with a cap below the file: %+v, want 1 skipped", a)
	}
	block, err := layout.Decode(capped[blockPath])
	if err != nil {
		t.Fatal(err)
	}
	info, _ := layout.Lookup(block, "/"+layout.ReservedKey+"/files/"+layout.EscapePointer("/image/file"))
	m, _ := info.(map[string]any)
	if skipped, _ := m["skipped"].(string); !strings.Contains(skipped, "larger than") || m["sha256"] != nil {
		t.Errorf("%s records the skipped file as %v, want why it was skipped and no hash", blockPath, info)
	}
	if size := fmt.Sprint(m["size"]); size != strconv.Itoa(len(data)) {
		t.Errorf("%s records the skipped file's size as %s, want %d", blockPath, size, len(data))
	}
}

// TestUpgradeNamesFilesWithExtensions: a tree of format 1, whose
// attachments have no extension, is upgraded by the next sync: the bytes
// move to a name with the extension of their content (format 1 kept no
// name for them), nothing is downloaded, and every README links the new
// name. The move is a rename: the bytes, and so git's blob, are the same.
func TestUpgradeNamesFilesWithExtensions(t *testing.T) {
	t.Parallel()
	f := basicFixture(t)
	data := f.Files["diagram.png"]
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	w := newWorld(t, f, emulator.Options{})
	first, _ := w.syncMemory(nil, exporter.Options{})

	// Make it the tree a format 1 notion-git wrote.
	old := exporter.MemoryTree{}
	for p, b := range first {
		old[p] = b
	}
	delete(old, layout.FilePathExt(sha, "png"))
	old[layout.FilePath(sha)] = data
	old[layout.MetaPath] = bytes.Replace(old[layout.MetaPath], []byte(`"format_version": 2`), []byte(`"format_version": 1`), 1)
	for p, b := range old {
		if strings.HasSuffix(p, "/README.md") {
			old[p] = bytes.ReplaceAll(b, []byte(sha+".png"), []byte(sha))
		}
	}

	w.clock.Advance(time.Hour)
	mark := len(w.server.Log())
	up, rep := w.syncMemory(old, exporter.Options{})
	if n := fileDownloads(w.server, mark); n != 0 || rep.Attachments.Downloaded != 0 {
		t.Errorf("the upgrade downloaded %d files", n)
	}
	if _, ok := up[layout.FilePath(sha)]; ok {
		t.Errorf("%s is still stored under its format 1 name", layout.FilePath(sha))
	}
	if got := up[layout.FilePathExt(sha, "png")]; !bytes.Equal(got, data) {
		t.Errorf("the upgrade stored %d bytes under the png name, want %d", len(got), len(data))
	}
	for p, b := range up {
		if strings.HasSuffix(p, "/README.md") && bytes.Contains(b, []byte(sha+")")) {
			t.Errorf("%s still links the format 1 name", p)
		}
	}
	if !bytes.Equal(up[layout.MetaPath], first[layout.MetaPath]) {
		t.Errorf("notion-git.json after the upgrade:\n%s", up[layout.MetaPath])
	}
	// The upgrade gives the tree a sync from nothing gives.
	w.clock.Advance(time.Hour)
	again, _ := w.syncMemory(up, exporter.Options{})
	fresh, _ := w.syncMemory(nil, exporter.Options{Full: true})
	for p, b := range fresh {
		if strings.HasSuffix(p, ".md") && !bytes.Equal(again[p], b) {
			t.Errorf("%s differs from a sync from nothing", p)
		}
	}
}
