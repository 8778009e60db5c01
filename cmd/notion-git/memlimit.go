package main

import (
	"os"
	"runtime/debug"
)

// restoreMemoryLimit is the soft memory limit a restore runs under when
// GOMEMLIMIT does not set one (bench/RESULTS.md, "Restore memory").
//
// A restore's live heap is its plan, its id maps and the pages in flight,
// and grows slowly as ids are learned. With Go's default GOGC the heap
// grows to twice the live heap between collections, and that headroom,
// not the live heap, is most of what the process's peak RSS measures. A
// soft limit makes the collector run sooner as the heap nears it. It is
// soft: when the live heap itself is larger (a much larger workspace) the
// runtime goes past the limit rather than fail, spending at most about
// half of the CPU on collection meanwhile; a restore waits on Notion's
// rate limit far more than on the CPU.
const restoreMemoryLimit = 352 << 20

// limitRestoreMemory sets the restore's soft memory limit unless GOMEMLIMIT
// set one or a lower one is set, and returns the function that puts the
// previous limit back.
func limitRestoreMemory() func() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prev := debug.SetMemoryLimit(-1)
	if prev <= restoreMemoryLimit {
		return func() {}
	}
	debug.SetMemoryLimit(restoreMemoryLimit)
	return func() { debug.SetMemoryLimit(prev) }
}
