package contract

import (
	"os"
	"testing"
)

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
		tb.Skipf("no contract directory: %v", err)
	}
}
