package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// A sync stopped by --max-duration (or killed) keeps what it crawled as a
// checkpoint: a commit on refs/notion-git/checkpoints/<branch>, never on the
// branch, whose parent is the branch tip it continues and whose tree is the
// partial snapshot with the partial sync state (see exporter.Options.
// Checkpoint). Its objects are flushed to a pack before the ref moves, so
// a kill -9 loses only what was crawled since. The next sync of the branch
// starts from it, unless the branch has moved, --full is given, or the
// options that shape a snapshot differ; the sync that completes the
// snapshot moves the branch and deletes the ref.

// checkpointRefPrefix is where checkpoints live, one per branch.
const checkpointRefPrefix = "refs/notion-git/checkpoints/"

// checkpointTrailer records, in the checkpoint commit's message, the
// options it was crawled with.
const checkpointTrailer = "Notion-Git-Checkpoint-Options: "

// checkpointOptions are the options that shape a snapshot: a checkpoint
// made with other ones is no part of this sync's snapshot.
type checkpointOptions struct {
	APIURL        string   `json:"api_url"`
	NotionVersion string   `json:"notion_version"`
	Roots         []string `json:"roots,omitempty"`
	Comments      string   `json:"comments"`
	UserEmails    bool     `json:"user_emails,omitempty"`
	External      bool     `json:"download_external,omitempty"`
	MaxFileSize   int64    `json:"max_file_size"`
}

// syncCheckpoint is one sync's view of its branch's checkpoint.
type syncCheckpoint struct {
	repo    *gitrepo.Repo
	branch  string
	ref     string
	base    plumbing.Hash // the branch tip this sync started from
	commit  plumbing.Hash // the checkpoint the ref holds; zero if none
	options string        // checkpointOptions as JSON
	stderr  io.Writer     // for warnings that do not stop the sync

	head    *branchState // the branch tip's tree and the state it holds
	builder *gitrepo.TreeBuilder

	// snapshot and state are the checkpoint's, when this sync continues it.
	snapshot *gitrepo.Snapshot
	state    *layout.State
}

// openCheckpoint finds the branch's checkpoint and decides whether this
// sync continues it; one it does not continue is deleted, with a line
// saying why.
func openCheckpoint(repo *gitrepo.Repo, g *Globals, c *syncCmd, roots []string, tip *branchState, stderr io.Writer) (*syncCheckpoint, error) {
	head := tip.head
	opts, err := json.Marshal(checkpointOptions{
		APIURL: g.APIURL, NotionVersion: g.NotionVersion, Roots: roots, Comments: c.Comments,
		UserEmails: c.UserEmails, External: c.External, MaxFileSize: int64(c.MaxFileSize),
	})
	if err != nil {
		return nil, err
	}
	k := &syncCheckpoint{repo: repo, branch: c.Branch, ref: checkpointRefPrefix + c.Branch, base: head.Commit(), options: string(opts), head: tip, stderr: stderr}
	if k.commit, err = repo.Ref(k.ref); err != nil || k.commit.IsZero() {
		return k, err
	}
	why, err := k.load(c.Full)
	if err != nil {
		return nil, err
	}
	if why != "" {
		if !g.Quiet {
			fmt.Fprintf(stderr, "notion-git: starting afresh, not from the checkpoint of an incomplete sync: %s\n", why)
		}
		if err := k.discard(); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// load reads the checkpoint if this sync continues it, or says why not.
func (k *syncCheckpoint) load(full bool) (why string, err error) {
	info, err := k.repo.ReadCommit(k.commit)
	if err != nil {
		return fmt.Sprintf("it cannot be read (%v)", err), nil
	}
	switch {
	case full:
		return "--full crawls everything anew", nil
	case info.FirstParent() != k.base:
		return "the branch has moved since it was written", nil
	case trailerValue(info.Message, checkpointTrailer) != k.options:
		return "it was crawled with other options (--root, --comments, --user-emails, --download-external, --max-file-size, --api-url or --notion-version)", nil
	}
	snap, err := k.repo.LazySnapshot(k.commit)
	if err != nil {
		return fmt.Sprintf("its tree cannot be read (%v)", err), nil
	}
	state, err := layout.ReadState(snap)
	if err != nil || state == nil {
		return fmt.Sprintf("its sync state cannot be read (%v)", err), nil
	}
	k.snapshot, k.state = snap, state
	return "", nil
}

func trailerValue(message, key string) string {
	for _, line := range strings.Split(message, "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// from returns where the crawl starts: the checkpoint's tree and state when
// this sync continues one, else the branch tip's and the given state.
func (k *syncCheckpoint) from(head *gitrepo.Snapshot, state *layout.State) (*gitrepo.Snapshot, *layout.State) {
	if k == nil || k.snapshot == nil {
		return head, state
	}
	return k.snapshot, k.state
}

// attach makes the checkpoint the tree the sink edits. The checkpoint's
// state files are put back to the branch tip's, so that the commit compares
// the content with the branch's (no change, no commit) and writes its own
// state as changes to the tip's.
func (k *syncCheckpoint) attach(b *gitrepo.TreeBuilder) error {
	k.builder = b
	if k.snapshot == nil {
		return nil
	}
	paths := []string{layout.StatePath}
	paths = append(paths, k.snapshot.PathsUnder(layout.StateDir+"/")...)
	paths = append(paths, k.head.head.PathsUnder(layout.StateDir+"/")...)
	return k.restoreState(paths)
}

// restoreState puts the branch tip's version of each state file back into
// the builder, or removes the file where the tip has none.
func (k *syncCheckpoint) restoreState(paths []string) error {
	head := k.head.head
	for _, p := range paths {
		if !head.Has(p) {
			if err := k.builder.Delete(p); err != nil {
				return err
			}
			continue
		}
		b, err := head.Read(p)
		if err != nil {
			return err
		}
		if err := k.builder.Put(p, b); err != nil {
			return err
		}
	}
	return nil
}

// write is exporter.Options.Checkpoint: it commits the sink's tree with the
// partial state on top of the branch tip and moves the checkpoint ref.
func (k *syncCheckpoint) write(_ context.Context, state *layout.State) error {
	old, err := k.head.state()
	if err != nil {
		return err
	}
	// The builder holds the tip's state files (restored after each
	// checkpoint): only the shards this run changed are written.
	touched, err := putState(k.builder, k.head.head, old, state)
	if err != nil {
		return err
	}
	tree, err := k.builder.Write()
	if err != nil {
		return err
	}
	if err := k.restoreState(touched); err != nil {
		return err
	}
	var parents []plumbing.Hash
	if !k.base.IsZero() {
		parents = []plumbing.Hash{k.base}
	}
	pages := 0
	for _, o := range state.Objects {
		if o.Kind == layout.KindPage && !o.Pending() && o.LastEdited != "" {
			pages++
		}
	}
	msg := fmt.Sprintf("Checkpoint of an incomplete sync of %s\n\n"+
		"%s crawled so far. Not a snapshot: the next sync continues from\n"+
		"here and moves the branch once the snapshot is complete.\n\n%s%s\n",
		k.branch, plural(pages, "page"), checkpointTrailer, k.options)
	commit, err := k.repo.Commit(gitrepo.CommitOptions{Tree: tree, Parents: parents, Message: msg, Author: signature()})
	if err != nil {
		return err
	}
	if err := k.repo.UpdateRef(k.ref, k.commit, commit); err != nil {
		return fmt.Errorf("%w (another sync of %s may be running)", err, k.branch)
	}
	k.commit = commit
	maintainPacks(k.repo, k.stderr)
	return nil
}

// holds reports whether a checkpoint of this run's progress is on the ref.
func (k *syncCheckpoint) holds() bool { return k != nil && !k.commit.IsZero() }

// discard deletes the checkpoint: the branch now holds a complete snapshot,
// or the checkpoint is no part of this sync's.
func (k *syncCheckpoint) discard() error {
	if k == nil || k.commit.IsZero() {
		return nil
	}
	if err := k.repo.DeleteRef(k.ref, k.commit); err != nil && !errors.Is(err, gitrepo.ErrRefChanged) {
		return fmt.Errorf("delete the checkpoint: %w", err)
	}
	k.commit = plumbing.ZeroHash
	return nil
}

// incompleteError marks a sync stopped by --max-duration that kept its
// progress (exit 5).
type incompleteError struct{ error }

// checkpointKept marks a failed sync whose checkpoint holds what it
// crawled before it failed: the next sync continues from it.
type checkpointKept struct{ error }

func (e checkpointKept) Unwrap() error { return e.error }

// incompleteSync is the one line a time-boxed sync ends with.
func incompleteSync(inc *exporter.IncompleteError, elapsed time.Duration, dryRun bool) error {
	var what string
	switch {
	case dryRun:
		what = fmt.Sprintf("%s of %s pages crawled; a dry run keeps nothing", thousands(inc.PagesDone), thousands(inc.PagesKnown))
	case !inc.Checkpointed:
		what = "stopped before the crawl began, with nothing new to keep; run again to continue"
	default:
		what = fmt.Sprintf("%s of %s pages crawled and kept as a checkpoint; run again to continue", thousands(inc.PagesDone), thousands(inc.PagesKnown))
	}
	var wait *notion.WaitTooLongError
	if errors.As(inc.Cause, &wait) {
		what = stoppedEarly(wait) + "; " + what
	}
	return incompleteError{fmt.Errorf("incomplete after %s: %s (the branch has not moved)", shortDuration(elapsed), what)}
}

// stoppedEarly says why a time-boxed sync stopped before its time was up:
// Notion asked for a wait it could not wait.
func stoppedEarly(w *notion.WaitTooLongError) string {
	limit := fmt.Sprintf("the %s this run may wait", shortDuration(w.Limit))
	if w.Deadline {
		limit = fmt.Sprintf("the %s left of --max-duration", shortDuration(w.Limit))
	}
	if w.RetryAfter == "" {
		return fmt.Sprintf("%s needs a wait of %s, longer than %s", w.Why, shortDuration(w.Wait), limit)
	}
	asked := "Retry-After: " + w.RetryAfter
	if w.Reason != "" {
		asked += ", rate_limit_reason: " + w.Reason
	}
	return fmt.Sprintf("Notion asked to wait %s (%s), longer than %s", shortDuration(w.Wait), asked, limit)
}

// thousands writes n with thousands separators: 10,278.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// shortDuration writes d as people do: 5h50m, 3m5s, 12s.
func shortDuration(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
