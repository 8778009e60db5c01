package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
)

// What log, show and diff share: they read a repository that sync wrote,
// never create one, and name revisions and pages the way users type them.

// openHistory opens the repository of a review command.
func openHistory(dir string) (*gitrepo.Repo, error) {
	repo, err := gitrepo.Open(repoDirFor(dir, false), gitrepo.OpenOptions{})
	if errors.Is(err, gitrepo.ErrNotRepository) {
		return nil, fmt.Errorf("%s is not a git repository: run 'notion-git sync --repo %s' first", repoDirFor(dir, false), repoDirFor(dir, false))
	}
	return repo, err
}

// resolveRevision turns rev into a commit. A branch without commits gets
// its own message, since "unknown revision HEAD" would puzzle a new user.
func resolveRevision(repo *gitrepo.Repo, rev string) (plumbing.Hash, error) {
	h, err := repo.Resolve(rev)
	if err == nil {
		return h, nil
	}
	if branch, ok, berr := repo.CurrentBranch(); berr == nil && ok {
		if _, exists, herr := repo.Head(branch); herr == nil && !exists {
			return plumbing.ZeroHash, fmt.Errorf("%w %s: branch %s has no commits yet (run 'notion-git sync' first)", gitrepo.ErrUnknownRevision, rev, branch)
		}
	}
	return plumbing.ZeroHash, err // "unknown revision X" says it all
}

// parsePage turns a page argument (id or URL) into a canonical id.
func parsePage(s string) (string, error) {
	id, err := layout.ParseID(s)
	if err != nil {
		return "", usageError{fmt.Errorf("%q is not a Notion page id or URL", s)}
	}
	return id, nil
}

// short is the abbreviated commit hash that output shows.
func short(h plumbing.Hash) string {
	if h.IsZero() {
		return "none"
	}
	return h.String()[:12]
}

// commitDate formats when a commit was made, in the zone it was made in.
func commitDate(t time.Time) string { return t.Format("2006-01-02 15:04:05 -0700") }

// quoted shows a title for people, "Untitled" when empty.
func quoted(title string) string {
	if title == "" {
		title = "Untitled"
	}
	return fmt.Sprintf("%q", title)
}
