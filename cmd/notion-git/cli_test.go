package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runCLI runs the command line in-process and returns exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestHelpAndVersion(t *testing.T) {
	code, out, _ := runCLI(t, "--help")
	if code != exitOK || !strings.Contains(out, "Exit codes") || !strings.Contains(out, "NOTION_TOKEN") {
		t.Fatalf("--help: exit %d, output:\n%s", code, out)
	}
	code, out, _ = runCLI(t, "version")
	if code != exitOK || !strings.HasPrefix(out, "notion-git ") || !strings.Contains(out, "2025-09-03") {
		t.Fatalf("version: exit %d, output %q", code, out)
	}
}

func TestUsageErrorsExitTwoWithOneLine(t *testing.T) {
	for _, args := range [][]string{{"no-such-command"}, {"--rate", "fast", "version"},
		{"--notion-version", "2022-06-28", "version"}, {"--notion-version", "", "sync", "--demo"}} {
		code, _, errOut := runCLI(t, args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
		if lines := strings.Count(strings.TrimSpace(errOut), "\n") + 1; lines != 1 {
			t.Errorf("%v: %d lines of error, want 1:\n%s", args, lines, errOut)
		}
	}
}
