// Command notion-git keeps a Notion workspace under version control.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// Read before anything else, so that a malformed value stops every
	// command the same way (one line, the usage exit code).
	now, err := clockFrom(os.Getenv(clockEnv))
	if err != nil {
		fmt.Fprintf(os.Stderr, "notion-git: %v\n", err)
		os.Exit(exitUsage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile := func() {}
	if path := os.Getenv(memProfileEnv); path != "" {
		stopProfile = startMemProfile(path, os.Stderr)
	}
	stopCPU := func() {}
	if path := os.Getenv(cpuProfileEnv); path != "" {
		stopCPU = startCPUProfile(path, os.Stderr)
	}
	code := runEnv(&Env{Ctx: ctx, Stdout: os.Stdout, Stderr: os.Stderr, Now: now}, os.Args[1:])
	stopCPU()
	stopProfile()
	stop()
	os.Exit(code)
}
