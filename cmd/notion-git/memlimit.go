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

// fullSyncMemoryLimit is the soft memory limit of a sync that crawls the
// whole workspace (a first sync, --full) when GOMEMLIMIT does not set one
// (bench/RESULTS.md, "Full-sync memory").
//
// Its live heap is, at its highest, the listed page objects (which the
// crawl needs until its end), the tree of every path written, the pending
// pack and the pages in flight: about 180 MB for 10,000 pages and 235,000
// blocks. The collector's default headroom doubles that. A full crawl
// waits on Notion's rate limit for hours at that size, so the extra
// collections cost nothing a user sees; an incremental sync is left alone,
// since its heap follows the change and its CPU is what it costs.
const fullSyncMemoryLimit = 240 << 20

// limitRestoreMemory sets the restore's soft memory limit unless GOMEMLIMIT
// set one or a lower one is set, and returns the function that puts the
// previous limit back.
func limitRestoreMemory() func() { return limitMemory(restoreMemoryLimit) }

// limitFullSyncMemory is limitRestoreMemory for a full sync.
func limitFullSyncMemory() func() { return limitMemory(fullSyncMemoryLimit) }

// limitMemory lowers the soft memory limit to limit, unless GOMEMLIMIT set
// one or a lower one is set, and returns the function that puts the
// previous limit back.
func limitMemory(limit int64) func() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prev := debug.SetMemoryLimit(-1)
	if prev <= limit {
		return func() {}
	}
	debug.SetMemoryLimit(limit)
	return func() { debug.SetMemoryLimit(prev) }
}
