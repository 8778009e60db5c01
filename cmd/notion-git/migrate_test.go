package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
)

// TestStateOfVersion1IsMigrated: a repository whose state is of version 1
// (every object inline in .notion-git/state.json, as notion-git wrote it
// before the state was sharded) syncs incrementally, with no more requests
// than a repository of version 2, and its commit holds the shards only.
func TestStateOfVersion1IsMigrated(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, basicFixture(t), emulator.Options{}, nil)
	legacy, current := newRepoDir(t), newRepoDir(t)
	e.sync(t, legacy, exitOK)
	e.sync(t, current, exitOK)

	// Rewrite the legacy repository's state as version 1 and forget the
	// state kept beside it, so that the next sync reads the commit's.
	tree := headTree(t, legacy)
	state, err := layout.ReadState(layout.MapSource(tree))
	if err != nil {
		t.Fatal(err)
	}
	for id, o := range state.Objects {
		o.Digest = "" // version 1 had none
		state.Objects[id] = o
	}
	v1, err := json.MarshalIndent(map[string]any{"version": 1, "last_sync": state.LastSync, "objects": state.Objects}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	git(t, legacy, "rm", "-q", "-r", layout.StateDir)
	if err := os.WriteFile(filepath.Join(legacy, filepath.FromSlash(layout.StatePath)), append(v1, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, legacy, "add", layout.StatePath)
	git(t, legacy, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-q", "-m", "state of version 1")
	if err := os.Remove(filepath.Join(legacy, ".git", filepath.FromSlash(localStateFile))); err != nil {
		t.Fatal(err)
	}

	if err := e.SetTitle(releaseID, "Changelog"); err != nil {
		t.Fatal(err)
	}
	legacyReport, currentReport := syncReport(t, e, legacy), syncReport(t, e, current)
	if legacyReport.Full || legacyReport.Pages.Crawled > currentReport.Pages.Crawled {
		t.Errorf("after the migration: full %v, %d pages crawled; a repository of version 2 crawled %d",
			legacyReport.Full, legacyReport.Pages.Crawled, currentReport.Pages.Crawled)
	}
	if l, c := legacyReport.Requests.Total, currentReport.Requests.Total; l > c {
		t.Errorf("the sync that migrated made %d requests, one without the migration %d", l, c)
	}

	after := headTree(t, legacy)
	if !bytes.Contains(after[layout.StatePath], []byte(`"version": 2`)) || bytes.Contains(after[layout.StatePath], []byte(`"objects"`)) {
		t.Errorf("%s after the migration:\n%s", layout.StatePath, after[layout.StatePath])
	}
	migrated, err := layout.ReadState(layout.MapSource(after))
	if err != nil {
		t.Fatal(err)
	}
	shards := 0
	for p := range after {
		if strings.HasPrefix(p, layout.StateDir+"/") {
			shards++
		}
	}
	if shards == 0 || len(migrated.Objects) != len(state.Objects) {
		t.Errorf("after the migration: %d shards holding %d objects, want the %d objects of version 1", shards, len(migrated.Objects), len(state.Objects))
	}
	for id, o := range migrated.Objects {
		if o.Kind == layout.KindPage && o.Digest == "" {
			t.Errorf("page %s has no digest after the sync that migrated", id)
		}
	}
}

// syncReport syncs the emulator into dir and returns the sync's report.
func syncReport(t *testing.T, e *localNotion, dir string) *exporter.Report {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.json")
	e.sync(t, dir, exitOK, "--report", path)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r exporter.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}
