package contract

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// skipNotice says once per test binary why its contract tests skip and how
// to run them, so that a checkout without ../shared does not pass them
// without a word. go test ./... prints nothing of a package that passes,
// skips included, so the line goes to the terminal when there is one, and
// to stderr (seen with -v, or go test in the package's folder) otherwise.
var skipNotice sync.Once

func noticeSkip(err error) {
	line := fmt.Sprintf("contract tests skipped: %v (put notion-contract at ../shared/notion-contract beside the repository, or set %s=/path/to/notion-contract, to run them)\n", err, EnvDir)
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		if _, err := tty.WriteString(line); err == nil {
			return
		}
	}
	fmt.Fprint(os.Stderr, line)
}

// Require skips a test when the contract directory is not beside the
// repository (a contributor's checkout without ../shared), and fails it
// when the environment says CI, where its absence is a broken setup that
// would silently let contract tests pass.
func Require(tb testing.TB) {
	tb.Helper()
	if _, err := Dir(); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("CI must have the contract directory: %v", err)
		}
		skipNotice.Do(func() { noticeSkip(err) })
		tb.Skipf("no contract directory: %v", err)
	}
}
