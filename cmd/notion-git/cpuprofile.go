package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// cpuProfileEnv names a file that receives a CPU profile of the whole
// command, for measuring where a command's time goes (bench/RESULTS.md).
// Like memProfileEnv, it is a diagnostic, not a flag.
const cpuProfileEnv = "NOTION_GIT_CPUPROFILE"

// startCPUProfile starts profiling into path; the returned func stops it
// and closes the file. A file that cannot be created leaves the command
// unprofiled rather than failing it, with one line on stderr saying so: a
// profile silently missing would be found only after the run it measured.
func startCPUProfile(path string, stderr io.Writer) func() {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(stderr, "notion-git: %s: %v (no profile written)\n", cpuProfileEnv, err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(stderr, "notion-git: %s: %v (no profile written)\n", cpuProfileEnv, err)
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}
