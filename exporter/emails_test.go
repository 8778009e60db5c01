package exporter_test

import (
	"strings"
	"testing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// personEmails lists the email addresses of people (user objects) in a
// tree. An "email" property's value is the user's content and is not one.
func personEmails(t *testing.T, tree map[string][]byte) map[string][]string {
	t.Helper()
	found := map[string][]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if person, ok := v["person"].(map[string]any); ok && v["object"] == "user" {
				if email, ok := person["email"].(string); ok {
					found[path] = append(found[path], email)
				}
			}
			for _, x := range v {
				walk(path, x)
			}
		case []any:
			for _, x := range v {
				walk(path, x)
			}
		}
	}
	for p, b := range tree {
		if strings.HasSuffix(p, ".json") && !isState(p) {
			obj, err := layout.Decode(b)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			walk(p, map[string]any(obj))
		}
	}
	return found
}

// TestSyncRemovesEmailsUnlessAsked checks the one documented loss: people's
// email addresses are not stored unless Options.UserEmails, since backup
// repositories get shared more widely than workspaces.
func TestSyncRemovesEmailsUnlessAsked(t *testing.T) {
	t.Parallel()
	t.Run("users", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, basicFixture(t), emulator.Options{})
		tree, _ := w.syncMemory(nil, exporter.Options{})
		people := 0
		for p, b := range tree {
			if !isKind(p, layout.PathUser) {
				continue
			}
			u, err := layout.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := u["person"].(map[string]any); ok {
				people++
			}
		}
		if people != 2 {
			t.Errorf("%d people stored, want the fixture's 2", people)
		}
		for p, emails := range personEmails(t, tree) {
			t.Errorf("%s keeps email addresses without UserEmails: %v", p, emails)
		}

		tree, _ = w.syncMemory(nil, exporter.Options{UserEmails: true})
		if got := personEmails(t, tree); len(got) != 2 {
			t.Errorf("with UserEmails, email addresses in %v, want in the 2 people's files", got)
		}
	})
	t.Run("people in page properties", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, workspace.Sample(), emulator.Options{})
		tree, _ := w.syncMemory(nil, exporter.Options{})
		for p, emails := range personEmails(t, tree) {
			t.Errorf("%s keeps email addresses without UserEmails: %v", p, emails)
		}
		tree, _ = w.syncMemory(nil, exporter.Options{UserEmails: true})
		inPages := 0
		for p := range personEmails(t, tree) {
			if info, _ := layout.ParsePath(p); info.PageID != "" {
				inPages++
			}
		}
		if inPages == 0 {
			t.Error("with UserEmails, no page keeps a person's email address: the check above proves nothing")
		}
	})
}
