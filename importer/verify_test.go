package importer

import (
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
)

// TestVerifyReportsAnObjectItCannotCompare compares a snapshot with itself
// after one page got a value JSON cannot hold: Verify says which page,
// rather than comparing it as something else.
func TestVerifyReportsAnObjectItCannotCompare(t *testing.T) {
	src := smallSource(t)
	// Decoded whole: the snapshot is both sides, and one of its objects is
	// edited in memory.
	whole, err := layout.DecodeSnapshot(layout.MapSource(src.tree))
	if err != nil {
		t.Fatal(err)
	}
	src.snap = whole
	ids := map[string]string{}
	for id := range src.snap.Pages {
		ids[id] = id
	}
	for id := range src.snap.Databases {
		ids[id] = id
	}
	for id := range src.snap.DataSources {
		ids[id] = id
	}
	rep := &Report{IDs: ids}
	if _, err := Verify(src.snap, Options{}, rep, src.snap); err != nil {
		t.Fatalf("a snapshot compared with itself: %v", err)
	}
	bad := slices.Sorted(maps.Keys(src.snap.Pages))[0]
	src.snap.Pages[bad].Object["broken"] = math.NaN()
	_, err = Verify(src.snap, Options{}, rep, src.snap)
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("Verify with a NaN in page %s: %v", bad, err)
	}
}
