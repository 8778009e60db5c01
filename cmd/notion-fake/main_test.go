package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/notion-git/notion-git/notion/emulator"
)

// hangGuard is how long the test lets notion-fake run before taking it for
// hung: far longer than it ever needs, so that a slow machine never trips it.
const hangGuard = 2 * time.Minute

// TestServesSearchOnLoopback runs the built command as a user would, asks
// it a search like curl would, and stops it with an interrupt.
func TestServesSearchOnLoopback(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "notion-fake")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-rate", "0", "-workspace", "sample")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// A hung notion-fake fails the test rather than hanging it: the guard
	// kills the process, which ends every read of its output and every
	// request to it below.
	var hung atomic.Bool
	guard := time.AfterFunc(hangGuard, func() {
		hung.Store(true)
		cmd.Process.Kill()
	})
	defer guard.Stop()
	failIfHung := func(doing string) {
		t.Helper()
		if hung.Load() {
			t.Fatalf("notion-fake hung %s; killed after %s", doing, hangGuard)
		}
	}
	lines := bufio.NewScanner(stdout)
	base := ""
	for base == "" && lines.Scan() {
		if v, ok := strings.CutPrefix(lines.Text(), "NOTION_API_URL="); ok {
			base = v
		}
	}
	failIfHung("before printing its URL")
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("no loopback URL printed (got %q)", base)
	}
	req, _ := http.NewRequest("POST", base+"/v1/search", strings.NewReader(`{"page_size":1}`))
	req.Header.Set("Authorization", "Bearer "+emulator.DefaultToken)
	req.Header.Set("Notion-Version", emulator.APIVersion)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		failIfHung("answering a search")
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"object":"list"`) {
		t.Fatalf("search: %d %s", resp.StatusCode, body)
	}
	cmd.Process.Signal(syscall.SIGINT)
	rest, _ := io.ReadAll(stdout) // until it exits, or the guard kills it
	cmd.Wait()
	failIfHung("after an interrupt")
	if !strings.Contains(string(rest), "POST /v1/search") {
		t.Fatalf("request counts not printed on stop:\n%s", rest)
	}
}
