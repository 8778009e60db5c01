package main

import (
	"strings"
	"testing"

	"github.com/notion-git/notion-git/notion/emulator"
)

// TestDiffShowsControlCharactersAsEscapes: text from Notion that holds
// terminal escape sequences reaches the diff as visible escapes, so a page
// cannot clear the reader's screen or hide lines of the review.
func TestDiffShowsControlCharactersAsEscapes(t *testing.T) {
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	dir := newRepoDir(t)
	e.sync(t, dir, exitOK)
	const hostile = "Ask in \x1b[2J\x1b]0;owned\x07 the\u009b channel."
	if err := e.EditBlock(askBlockID, func(b map[string]any) {
		text := b["paragraph"].(map[string]any)["rich_text"].([]any)[0].(map[string]any)
		text["plain_text"] = hostile
		text["text"].(map[string]any)["content"] = hostile
	}); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK)
	out := runReview(t, "diff", "--repo", dir, "--color=never")
	if strings.ContainsAny(out, "\x1b\x07\u009b") {
		t.Errorf("the diff holds raw control characters:\n%q", out)
	}
	if !strings.Contains(out, `\x1b\[2J\x1b\]0;owned\a the\u009b`) {
		t.Errorf("the diff does not show them as escapes:\n%s", out)
	}
	// A title, in show's page tree.
	const title = "Release \x1b]2;owned\x07notes"
	if err := e.SetTitle(releaseID, title); err != nil {
		t.Fatal(err)
	}
	e.sync(t, dir, exitOK)
	if tree := runReview(t, "show", "--repo", dir); strings.ContainsAny(tree, "\x1b\x07") || !strings.Contains(tree, `Release \x1b]2;owned\anotes`) {
		t.Errorf("show's page tree holds raw control characters, or not their escapes:\n%q", tree)
	}
	colored := runReview(t, "diff", "--repo", dir, "HEAD~2", "HEAD~1", "--color=always")
	if strings.Count(colored, "\x1b[2J") > 0 || strings.Contains(colored, "\x07") {
		t.Errorf("with colour, the page's own escapes pass through:\n%q", colored)
	}
}

func TestVisible(t *testing.T) {
	for in, want := range map[string]string{
		"plain\ttext\n": "plain\ttext\n",
		"a\x1bb":        `a\x1bb`,
		"\x7f\x00":      `\x7f\x00`,
		"é ✓ \u0085":    `é ✓ \u0085`,
	} {
		if got := visible(in); got != want {
			t.Errorf("visible(%q) = %q, want %q", in, got, want)
		}
	}
}
