// Command notion-git keeps a Notion workspace under version control.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile := func() {}
	if path := os.Getenv(memProfileEnv); path != "" {
		stopProfile = startMemProfile(path, os.Stderr)
	}
	stopCPU := func() {}
	if path := os.Getenv(cpuProfileEnv); path != "" {
		stopCPU = startCPUProfile(path, os.Stderr)
	}
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopCPU()
	stopProfile()
	stop()
	os.Exit(code)
}
