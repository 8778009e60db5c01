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
	if got := first[layout.FilePath(sha)]; !bytes.Equal(got, data) {
		t.Fatalf("%s holds %d bytes, want the %d of diagram.png", layout.FilePath(sha), len(got), len(data))
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
	if !bytes.Equal(second[blockPath], first[blockPath]) || !bytes.Equal(second[layout.FilePath(sha)], data) {
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
