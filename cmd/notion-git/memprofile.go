package main

import (
	"fmt"
	"io"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"time"
)

// memProfileEnv names a file that receives a heap profile taken when the
// live heap reaches its highest, for measuring where a command's peak
// memory goes (bench/RESULTS.md). It is a diagnostic, not a flag: users
// never need it.
const memProfileEnv = "NOTION_GIT_MEMPROFILE"

// startMemProfile samples the live heap and, whenever it grows by a tenth
// past the highest seen, rewrites the profile at path; the returned func
// stops it and writes the file once more if nothing was written. A heap
// profile describes the heap as of the last collection, so the file holds
// what was live at, or just before, the peak. A file that cannot be
// created is said once on stderr; the command runs on unprofiled.
func startMemProfile(path string, stderr io.Writer) func() {
	done, stopped := make(chan struct{}), make(chan struct{})
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var once, warn sync.Once
	write := func() {
		f, err := os.Create(path)
		if err != nil {
			warn.Do(func() { fmt.Fprintf(stderr, "notion-git: %s: %v (no profile written)\n", memProfileEnv, err) })
			return
		}
		_ = pprof.WriteHeapProfile(f)
		_ = f.Close()
	}
	go func() {
		defer close(stopped)
		var peak uint64
		written := false
		for {
			select {
			case <-done:
				if !written {
					write()
				}
				return
			case <-time.After(50 * time.Millisecond):
			}
			metrics.Read(sample)
			if live := sample[0].Value.Uint64(); live > peak+peak/10 {
				peak = live
				write()
				written = true
			}
		}
	}()
	return func() {
		once.Do(func() { close(done); <-stopped })
	}
}
