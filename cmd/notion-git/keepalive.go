package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/gitrepo"
)

// GitHub disables a scheduled workflow after 60 days without activity in
// its repository, and a quiet workspace makes no commits: its backup would
// stop without anyone being told. With --keepalive D, a sync that finds no
// change commits anyway once the branch's last commit is older than D, and
// the push that follows is the activity. The commit has its parent's tree,
// so it is a complete snapshot like any other (show, diff and restore read
// it as its parent), and carries the usual trailers, so that log counts it
// as a sync that changed nothing.

// longDuration is a duration flag that also takes days ("50d"), since a
// keepalive is counted in days and Go's durations stop at hours.
type longDuration time.Duration

func (d *longDuration) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil || days < 0 || days > 1e5 {
			return fmt.Errorf("duration %q: want a number of days such as 50d, or a duration such as 1200h", text)
		}
		*d = longDuration(days * float64(24*time.Hour))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("duration %q: want a number of days such as 50d, or a duration such as 1200h", text)
	}
	*d = longDuration(v)
	return nil
}

func (d longDuration) String() string {
	if d > 0 && time.Duration(d)%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(time.Duration(d)/(24*time.Hour)), 10) + "d"
	}
	return time.Duration(d).String()
}

// keepaliveSubject is the first line of a keepalive commit; since is the
// time of the commit it follows.
func keepaliveSubject(since time.Time) string {
	return fmt.Sprintf("Sync Notion: no change since %s; this commit keeps the scheduled sync alive", since.UTC().Format("2006-01-02"))
}

// keepAlive commits prev's tree again on top of prev when the sync found no
// change and prev's commit is older than c.Keepalive at now. It reports
// whether it committed. The sync state is left out of the commit: its tree
// is its parent's, and the state kept in the git directory goes on.
func keepAlive(repo *gitrepo.Repo, prev *gitrepo.Snapshot, c *syncCmd, report *exporter.Report, now time.Time) (plumbing.Hash, bool, error) {
	if c.Keepalive <= 0 || prev.Commit().IsZero() {
		return plumbing.ZeroHash, false, nil
	}
	last, err := repo.ReadCommit(prev.Commit())
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	if now.Sub(last.Committer.When) < time.Duration(c.Keepalive) {
		return plumbing.ZeroHash, false, nil
	}
	// Dated by the sync's clock, which the age above is measured by: on
	// a clock set ahead (NOTION_GIT_CLOCK) the next quiet run must not
	// find this commit old at once.
	author := signature()
	author.When = now
	commit, err := repo.Commit(gitrepo.CommitOptions{
		Tree: prev.TreeHash(), Parents: []plumbing.Hash{prev.Commit()},
		Message: c.commitMessage(repo, prev.TreeHash(), prev.TreeHash(), keepaliveSubject(last.Committer.When), report), Author: author,
	})
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	// The tree is the same: the working tree has nothing to write, but
	// the refresh also finishes what an earlier one recorded.
	if moved, err := moveBranchTo(repo, c.Branch, prev.Commit(), commit, c.onCommit); err != nil {
		if !moved {
			return plumbing.ZeroHash, false, err
		}
		return commit, true, err
	}
	return commit, true, nil
}
