package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeJournal leaves a journal file as a crashed or damaged run would.
func writeJournal(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func reopen(t *testing.T, path string) *journal {
	t.Helper()
	j, err := openJournal(path, false)
	if err != nil {
		t.Fatalf("openJournal: %v", err)
	}
	t.Cleanup(func() { j.close() })
	return j
}

func TestJournalTornLastLine(t *testing.T) {
	path := writeJournal(t, `{"map":{"a":"A"},"done":"page:a"}`+"\n"+`{"intent":"page:b"}`+"\n"+`{"map":{"b":`)
	j := reopen(t, path)
	if nu, _ := j.id("a"); nu != "A" || !j.isDone("page:a") || !j.pending("page:b") {
		t.Fatalf("the lines before the torn one were not replayed: id(a)=%q done=%v pending=%v", nu, j.isDone("page:a"), j.pending("page:b"))
	}
	if _, ok := j.id("b"); ok {
		t.Fatal("the torn line was applied")
	}
	// The torn line is cut off, so the next record starts a line of its own
	// and the journal still reads after a second crash-free run.
	if err := j.finish("page:b", map[string]string{"b": "B"}); err != nil {
		t.Fatal(err)
	}
	j.close()
	again := reopen(t, path)
	if nu, _ := again.id("b"); nu != "B" || again.pending("page:b") {
		t.Fatalf("record written after the torn line: id(b)=%q pending=%v", nu, again.pending("page:b"))
	}
}

func TestJournalLastLineWithoutNewline(t *testing.T) {
	path := writeJournal(t, `{"map":{"a":"A"}}`)
	j := reopen(t, path)
	if err := j.mapIDs(map[string]string{"b": "B"}); err != nil {
		t.Fatal(err)
	}
	j.close()
	again := reopen(t, path)
	if a, _ := again.id("a"); a != "A" {
		t.Fatalf("id(a) = %q", a)
	}
	if b, _ := again.id("b"); b != "B" {
		t.Fatalf("id(b) = %q: the next record was glued to a line without its newline", b)
	}
}

func TestJournalCorruptLineRefused(t *testing.T) {
	for name, text := range map[string]string{
		"middle":             `{"map":{"a":"A"}}` + "\n" + `{"map":{"b":` + "\n" + `{"done":"page:a"}` + "\n",
		"last, with newline": `{"map":{"a":"A"}}` + "\n" + `{"done":"page:a"}` + "\n" + `not json` + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := writeJournal(t, text)
			j, err := openJournal(path, false)
			if err == nil {
				j.close()
				t.Fatal("a journal with an unreadable line was accepted")
			}
			line := "line 2"
			if name != "middle" {
				line = "line 3"
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), line) {
				t.Fatalf("error %q does not name %s and %s", err, path, line)
			}
			if b, _ := os.ReadFile(path); string(b) != text {
				t.Fatal("a refused journal was modified")
			}
		})
	}
}

func TestJournalOverlongLineRefused(t *testing.T) {
	defer func(n int) { maxJournalLine = n }(maxJournalLine)
	maxJournalLine = 64
	path := writeJournal(t, `{"map":{"a":"A"}}`+"\n"+`{"done":"`+strings.Repeat("x", 100)+`"}`+"\n")
	_, err := openJournal(path, false)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "line 2 is longer than 64 bytes") {
		t.Fatalf("over-long line: err = %v", err)
	}
}
