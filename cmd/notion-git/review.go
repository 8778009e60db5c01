package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/review"
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

// resolveSnapshot is resolveRevision for a commit that must be a snapshot
// this notion-git reads (see checkSnapshot).
func resolveSnapshot(repo *gitrepo.Repo, rev string) (plumbing.Hash, error) {
	h, err := resolveRevision(repo, rev)
	if err != nil {
		return h, err
	}
	return h, checkSnapshot(repo, rev, h)
}

// checkSnapshot refuses, in one line naming the revision, a commit that is
// not a notion-git snapshot or is of a newer format: show, diff and log
// all ask here, so they refuse the same commits in the same words.
func checkSnapshot(repo *gitrepo.Repo, rev string, h plumbing.Hash) error {
	if err := review.CheckSnapshot(repo, h); err != nil {
		return fmt.Errorf("%s (%s) %w", rev, short(h), err)
	}
	return nil
}

// checkDiffSides checks both sides of a diff. The older side, when diff
// chose it (the first parent), may be a commit before the first sync, such
// as the workflow init commits: the first sync is then compared with it,
// which holds no page, rather than refused.
func checkDiffSides(repo *gitrepo.Repo, fromName string, from plumbing.Hash, chosen bool, toName string, to plumbing.Hash) error {
	if err := checkSnapshot(repo, toName, to); err != nil {
		return err
	}
	if from.IsZero() {
		return nil
	}
	err := checkSnapshot(repo, fromName, from)
	if chosen && errors.Is(err, review.ErrNotSnapshot) {
		return nil
	}
	return err
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
// visible is text from Notion as it may go to a terminal: control
// characters other than tab and newline (an escape sequence in a page
// could otherwise move the cursor, retitle the window or hide lines of the
// diff) are written as Go escapes, \x1b, and everything else as it is.
func visible(s string) string {
	clean := true
	for _, r := range s {
		if isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool {
	return r != '\t' && r != '\n' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0))
}

func quoted(title string) string {
	if title == "" {
		title = "Untitled"
	}
	return fmt.Sprintf("%q", title)
}
