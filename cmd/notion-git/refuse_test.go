package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// missingPageID is a page id no workspace of the tests holds.
const missingPageID = "99999999-0000-4000-8000-000000000009"

// TestSyncRootNotFound: a --root that names no page the integration can read
// stops the sync with one line naming it, exit 1, and nothing committed.
func TestSyncRootNotFound(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)

	t.Run("existing repository", func(t *testing.T) {
		dir := newRepoDir(t)
		e.sync(t, dir, exitOK)
		head := git(t, dir, "rev-parse", "HEAD")
		r := e.sync(t, dir, exitError, "--root", missingPageID)
		if line := oneStderrLine(t, r); !strings.Contains(line, missingPageID) || !strings.Contains(line, "not shared") {
			t.Errorf("stderr does not name the root and why: %s", line)
		}
		if git(t, dir, "rev-parse", "HEAD") != head {
			t.Error("the branch moved")
		}
	})
	t.Run("a root that exists", func(t *testing.T) {
		dir := newRepoDir(t)
		e.sync(t, dir, exitOK, "--root", releaseID)
		if files := headFiles(t, dir); !slices.Contains(files, layout.PagePath(releaseID)) {
			t.Errorf("the root is not in the snapshot: %v", files)
		}
	})
}

// TestFailedFirstSyncLeavesFolderAsFound: a first sync that fails before it
// commits removes the repository it created, and the folder too if it
// created that, but never a folder or file that was there before.
func TestFailedFirstSyncLeavesFolderAsFound(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	bad := *e
	bad.Token = "ntn_not_the_right_token"
	failures := map[string]func(t *testing.T, dir string, extra ...string) result{
		"wrong token": func(t *testing.T, dir string, extra ...string) result {
			return bad.sync(t, dir, exitError, extra...)
		},
		"root not found": func(t *testing.T, dir string, extra ...string) result {
			return e.sync(t, dir, exitError, append(extra, "--root", missingPageID)...)
		},
	}
	for name, fail := range failures {
		t.Run(name+"/new folder", func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "a", "backup")
			fail(t, dir)
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("left in %s: %v", parent, entries)
			}
		})
		t.Run(name+"/existing folder", func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			fail(t, dir)
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatalf("the folder is gone: %v", err)
			}
			if len(entries) != 1 || entries[0].Name() != "notes.txt" {
				t.Errorf("the folder holds %v, want only notes.txt", entries)
			}
		})
		t.Run(name+"/existing empty folder, bare", func(t *testing.T) {
			dir := t.TempDir()
			fail(t, dir, "--bare")
			if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
				t.Errorf("the folder holds %v (%v), want it empty", entries, err)
			}
		})
	}
}
