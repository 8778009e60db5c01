package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/gitrepo"
	"github.com/notion-git/notion-git/review"
)

// sync --push: the branch goes to the remote after each sync, and the sync
// starts from the remote's tip. Nothing is ever forced and nothing merged:
// every commit on the remote's branch is a complete snapshot made by a sync
// on top of the one before it, so the history stays linear. When another
// run pushed first, this run's commit is dropped and the sync is made again
// on top of the other's (see pusher.redo).

// maxPushAttempts bounds the syncs a run makes when other runs keep
// pushing first.
const maxPushAttempts = 3

// pushFetchDepth is how many commits of the remote's branch a shallow
// repository fetches, to see whether its own tip is among them (a
// fast-forward): enough for the runs that pushed since the clone.
const pushFetchDepth = 8

// defaultGitHubServer is where GITHUB_TOKEN is valid when
// GITHUB_SERVER_URL does not say (GitHub Actions sets it, also on GitHub
// Enterprise Server).
const defaultGitHubServer = "https://github.com"

// pushAuth is the basic auth a fetch and push to remote m send, and the
// variable it came from; withheld says why a token that is set is not
// sent, for the line when the remote then asks for credentials.
//
// A token goes only where it is meant for, and never in clear:
// GITHUB_TOKEN (as the user GitHub expects for it) to the host of
// GITHUB_SERVER_URL, GIT_TOKEN with GIT_USERNAME to the remote it is used
// with, both over https, or plain http to this machine (a loopback host,
// which no one else can listen on). An origin on another host, a
// scheduled job's GITHUB_TOKEN exported for other tools, must not receive
// it. It is handed to go-git in memory only: nothing writes it to the
// repository's configuration, a URL, a commit or a message.
func pushAuth(m *gitrepo.Remote, getenv func(string) string) (auth transport.AuthMethod, from, withheld string) {
	if !m.HTTP() {
		// ssh has its own keys, and go-git refuses a password there; a
		// path needs nothing.
		return nil, "", ""
	}
	scheme, host, port := m.Address()
	var why []string
	clear := scheme != "https" && !loopbackHost(host)
	if t := strings.TrimSpace(getenv("GITHUB_TOKEN")); t != "" {
		server := strings.TrimSpace(getenv("GITHUB_SERVER_URL"))
		if server == "" {
			server = defaultGitHubServer
		}
		var shost string
		var sport int
		if sm, err := gitrepo.ParseRemoteURL(server); err == nil {
			_, shost, sport = sm.Address()
		}
		switch {
		case clear:
			why = append(why, "GITHUB_TOKEN is not sent over plain http")
		case shost != host || sport != port:
			why = append(why, fmt.Sprintf("GITHUB_TOKEN is for %s (GITHUB_SERVER_URL), not %s", safeRemoteArg(server), hostPort(host, port)))
		default:
			return &githttp.BasicAuth{Username: "x-access-token", Password: t}, "GITHUB_TOKEN", ""
		}
	}
	if t := strings.TrimSpace(getenv("GIT_TOKEN")); t != "" {
		if clear {
			why = append(why, "GIT_TOKEN is not sent over plain http (only https, or http to this machine)")
		} else {
			user := strings.TrimSpace(getenv("GIT_USERNAME"))
			if user == "" {
				user = "x-access-token"
			}
			return &githttp.BasicAuth{Username: user, Password: t}, "GIT_TOKEN", ""
		}
	}
	return nil, "", strings.Join(why, "; ")
}

// loopbackHost reports whether host is this machine.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func hostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// envTokens are the tokens set in the environment, sent or not: no
// message may hold any of them.
func envTokens(getenv func(string) string) []string {
	var ts []string
	for _, v := range []string{"GITHUB_TOKEN", "GIT_TOKEN"} {
		if t := strings.TrimSpace(getenv(v)); t != "" {
			ts = append(ts, t)
		}
	}
	return ts
}

// pusher is one run of sync --push.
type pusher struct {
	g   *Globals
	c   *syncCmd
	env *Env

	dir      string
	remote   *gitrepo.Remote
	auth     transport.AuthMethod
	authFrom string   // the variable the token came from; "" if none
	withheld string   // why a token that is set was not sent to this remote
	tokens   []string // only to make sure no message ever holds them

	// pushed says the remote took a reference from this run; pushErr is
	// the error the fetching or pushing failed with; earlier are the
	// reports of the syncs dropped because another run pushed first.
	pushed  bool
	pushErr error
	earlier []*exporter.Report

	// base is the remote branch's tip the sync builds on (zero: the remote
	// has no such branch); start is the local branch's tip when the sync
	// starts; ckpt is the remote's checkpoint ref as last seen.
	base, start, ckpt plumbing.Hash
}

// errRedo says the push was refused because another run pushed first, and
// this run's commit is to be made again on top of the remote's tip.
var errRedo = errors.New("redo the sync on top of the remote's tip")

// syncAndPush is sync --push. With --json it prints the document once
// the push is decided, whatever path the run ended by, and tells
// --step-summary the push's outcome.
func syncAndPush(ctx context.Context, g *Globals, c *syncCmd, env *Env) (err error) {
	c.boxStart = env.now()
	p := &pusher{g: g, c: c, env: env, dir: repoDirFor(c.Repo, c.Demo)}
	p.tokens = envTokens(os.Getenv)
	defer func() {
		err = p.scrub(err)
		c.summary.push = p.outcome(err)
		c.summary.earlier = p.earlier
		if c.syncJSONOut() {
			doc := c.syncDoc(c.jsonReport, err)
			doc.Push = c.summary.push
			err = errors.Join(err, printJSON(env.Stdout, doc))
		}
	}()
	if c.DryRun {
		return usageError{errors.New("--push cannot be used with --dry-run: a dry run commits nothing to push")}
	}
	return p.run(ctx)
}

// outcome is what the push did, for --json and --step-summary, given the
// run's error.
func (p *pusher) outcome(err error) *pushJSON {
	o := &pushJSON{Remote: safeRemoteArg(p.c.Remote)}
	if p.remote != nil {
		o.Remote = p.remote.String()
	}
	complete := err == nil || errors.As(err, new(partialError)) || errors.As(err, new(worktreeError)) || errors.As(err, new(incompleteError))
	switch {
	case p.pushErr != nil:
		o.Status, o.Error = "not_pushed", oneLine(p.scrub(p.pushErr))
	case !complete:
		// The sync failed: nothing to push.
		o.Status = "not_pushed"
	case p.pushed:
		o.Status = "pushed"
	default:
		o.Status = "up_to_date"
	}
	return o
}

// useRemote sets the remote, and the token it gets (see pushAuth).
func (p *pusher) useRemote(m *gitrepo.Remote) {
	p.remote = m
	p.auth, p.authFrom, p.withheld = pushAuth(m, os.Getenv)
}

func (p *pusher) run(ctx context.Context) error {
	if err := p.prepare(ctx); err != nil {
		p.pushErr = err
		return err
	}
	for attempt := 1; ; attempt++ {
		// The summary line goes out once the push is decided: a commit
		// that another run's push makes void is not announced.
		var out bytes.Buffer
		env := *p.env
		env.Stdout = &out
		p.c.newAttempt()
		_, serr := runSync(ctx, p.g, p.c, &env)
		err := p.publish(ctx, serr)
		if errors.Is(err, errRedo) {
			if attempt == maxPushAttempts {
				p.flush(out.Bytes())
				p.pushErr = fmt.Errorf("%s's %s moved again before each of %d pushes (other runs are pushing); the last commit is local and not pushed; run again",
					p.remote, p.c.Branch, maxPushAttempts)
				return p.pushErr
			}
			report := p.c.summary.report
			if err := p.redo(ctx); err != nil {
				p.flush(out.Bytes())
				p.pushErr = fmt.Errorf("%s's %s moved before the push, and the sync could not be made again on top of it; the commit is local and not pushed: %w",
					p.remote, p.c.Branch, err)
				return p.pushErr
			}
			if report != nil {
				p.earlier = append(p.earlier, report)
			}
			if !p.g.Quiet {
				fmt.Fprintf(p.env.Stderr, "notion-git: %s's %s moved meanwhile; syncing again on top of it (attempt %d of %d)\n",
					p.remote, p.c.Branch, attempt+1, maxPushAttempts)
			}
			continue
		}
		if err != serr {
			p.pushErr = err
		}
		p.flush(out.Bytes())
		return err
	}
}

// flush writes what the sync that stays said for people: on stdout, or on
// stderr when stdout is for the JSON document.
func (p *pusher) flush(b []byte) {
	w := p.env.Stdout
	if p.c.syncJSONOut() {
		w = p.env.Stderr
	}
	w.Write(b)
}

// newAttempt forgets what an earlier sync of this run (dropped, and made
// again) left, so that the document and the summary tell of this one.
func (c *syncCmd) newAttempt() {
	c.committed, c.kept, c.jsonReport = plumbing.ZeroHash, nil, nil
	c.summary = runSummary{}
	c.resumed = false
}

// prepare resolves the remote and brings the branch up to the remote's tip
// before the crawl, with the remote's checkpoint of an unfinished sync, so
// that a fresh clone (a CI job's) continues where the last run stopped.
func (p *pusher) prepare(ctx context.Context) error {
	repo, err := gitrepo.Open(p.dir, gitrepo.OpenOptions{})
	if errors.Is(err, gitrepo.ErrNotRepository) {
		// A first sync creates the repository: there is no remote of any
		// name yet, and nothing to start from. If the remote's branch has
		// commits, the push is refused and the sync made again on top of
		// them.
		if !strings.ContainsAny(p.c.Remote, ":/.") {
			return usageError{fmt.Errorf("--remote %s: %s does not exist yet, so it has no remote of that name; pass the remote's URL, or clone it first",
				p.c.Remote, p.dir)}
		}
		m, err := gitrepo.ParseRemoteURL(p.c.Remote)
		if err != nil {
			return usageError{fmt.Errorf("--remote %s: %v", safeRemoteArg(p.c.Remote), p.remoteError(err))}
		}
		p.useRemote(m)
		return nil
	}
	if err != nil {
		return err
	}
	m, err := repo.ResolveRemote(p.c.Remote)
	if err != nil {
		return usageError{fmt.Errorf("--remote %s: %v", safeRemoteArg(p.c.Remote), p.remoteError(err))}
	}
	p.useRemote(m)
	if err := repo.RemoveStaleFiles(); err != nil {
		return err
	}
	if _, err := repo.FinishRefresh(); err != nil {
		return withEditHint(err)
	}
	if p.c.Branch, err = syncBranch(repo, p.c.Branch); err != nil {
		return err
	}
	branchRef := "refs/heads/" + p.c.Branch
	got, err := repo.Fetch(ctx, p.remote, p.auth, []string{branchRef}, pushFetchDepth)
	if err != nil {
		return p.transportError("fetch from", err)
	}
	remoteTip := got[branchRef]
	local, _, err := repo.Head(p.c.Branch)
	if err != nil {
		return err
	}
	if local, err = p.catchUp(ctx, repo, local, remoteTip); err != nil {
		return err
	}
	p.noteSeen(repo, remoteTip)
	p.base, p.start = remoteTip, local
	return p.adoptCheckpoint(ctx, repo, local)
}

// catchUp sets the branch, at local, to build on the remote's tip: moved
// to it when local is one of its ancestors, or local's own tip (a shallow
// clone's, with nothing of this repository on top); left when it holds
// commits the remote lacks on top of the remote's tip, which the push
// takes. It returns the branch's tip.
func (p *pusher) catchUp(ctx context.Context, repo *gitrepo.Repo, local, remoteTip plumbing.Hash) (plumbing.Hash, error) {
	if remoteTip.IsZero() || remoteTip == local {
		return local, nil
	}
	if local.IsZero() {
		// A branch with no commit yet (git init, then remote add):
		// everything is the remote's.
		if err := moveBranch(repo, p.c.Branch, local, remoteTip); err != nil {
			return local, err
		}
		return remoteTip, nil
	}
	h, err := p.histories(ctx, repo, local, remoteTip)
	if err != nil {
		return local, err
	}
	switch h.Common {
	case remoteTip:
		// Commits an earlier run could not push: this push takes them.
		return local, nil
	case local:
	default:
		shallow, err := repo.IsShallow(local)
		if err != nil {
			return local, err
		}
		if h.Common.IsZero() && h.Hidden && shallow {
			// The tip of a shallow clone, with nothing of this
			// repository on top: it came from a remote, which this run
			// follows.
			break
		}
		if p.syncsOnly(repo, h.LocalOnly) && p.sawLast(repo, h.Common) {
			if err := p.keepReplaced(ctx, repo, local, len(h.LocalOnly)); err != nil {
				return local, err
			}
			break
		}
		return local, fmt.Errorf("%s has commits that %s's %s lacks, and %s's has commits this repository lacks: notion-git does not merge snapshots; "+
			"to keep the remote's, run git fetch %s %s && git reset --hard FETCH_HEAD, then sync again",
			p.c.Branch, p.remote, p.c.Branch, p.remote, p.remote, p.c.Branch)
	}
	if err := moveBranch(repo, p.c.Branch, local, remoteTip); err != nil {
		return local, err
	}
	return remoteTip, nil
}

// seenRefPrefix begins the reference that holds, per branch, the remote's
// tip as this repository last fetched or pushed it.
const seenRefPrefix = "refs/notion-git/seen/"

// sawLast reports whether fork, where the branch and the remote's part,
// is the remote's tip as this repository last saw it: then the branch's
// own commits above it were made here while the remote moved on. When
// the remote dropped commits this repository had seen (a force push, to
// purge a page that leaked, say), fork is older, and those commits must
// not go back to the remote under another name.
func (p *pusher) sawLast(repo *gitrepo.Repo, fork plumbing.Hash) bool {
	seen, err := repo.Ref(seenRefPrefix + p.c.Branch)
	return err == nil && !seen.IsZero() && seen == fork
}

// noteSeen records the remote's tip as this repository saw it.
func (p *pusher) noteSeen(repo *gitrepo.Repo, tip plumbing.Hash) {
	if tip.IsZero() {
		return
	}
	ref := seenRefPrefix + p.c.Branch
	cur, err := repo.Ref(ref)
	if err != nil || cur == tip {
		return
	}
	// A failure only costs keeping unpushed syncs once: the next run
	// refuses them instead, with its line.
	_ = repo.UpdateRef(ref, cur, tip)
}

// replacedRefPrefix begins the references that keep the commits of a
// branch that the remote's branch replaced: refs/notion-git/replaced/
// <branch>/<short hash of the tip>.
const replacedRefPrefix = "refs/notion-git/replaced/"

// syncsOnly reports whether commits (the branch's, which the remote's
// lacks, down to one it has) are all notion-git syncs: snapshots of Notion
// that nothing but a sync would miss, not a person's work.
func (p *pusher) syncsOnly(repo *gitrepo.Repo, commits []plumbing.Hash) bool {
	if len(commits) == 0 {
		return false
	}
	for _, h := range commits {
		info, err := repo.ReadCommit(h)
		if err != nil {
			return false
		}
		if _, ok := review.ParseTrailers(info.Message); !ok {
			return false
		}
	}
	return true
}

// keepReplaced keeps the branch's n syncs that the remote's branch lacks,
// at tip, under a reference of their own, here and on the remote, before
// the branch takes the remote's tip and the sync is made again on top of
// it. They were made by a run whose push failed, while another machine's
// went through: dropping them would lose the versions they hold of pages
// Notion may no longer have, and keeping them on the branch would make
// every later run refuse to merge. The branch does not move unless the
// remote holds them.
func (p *pusher) keepReplaced(ctx context.Context, repo *gitrepo.Repo, tip plumbing.Hash, n int) error {
	ref := replacedRefPrefix + p.c.Branch + "/" + short(tip)
	cur, err := repo.Ref(ref)
	if err != nil {
		return err
	}
	if cur != tip {
		if err := repo.UpdateRef(ref, cur, tip); err != nil {
			return fmt.Errorf("keep %s as %s: %w", short(tip), ref, err)
		}
	}
	u := &gitrepo.RefUpdate{Name: ref, New: tip}
	err = repo.PushRefs(ctx, p.remote, p.auth, []*gitrepo.RefUpdate{u})
	if err != nil {
		err = p.transportError("push to", err)
	} else {
		err = u.Err
	}
	if err != nil {
		return fmt.Errorf("%s's %s moved on without %s of %s, kept as %s but not pushed, so %s stays: %w",
			p.remote, p.c.Branch, plural(n, "sync"), p.c.Branch, ref, p.c.Branch, err)
	}
	p.pushed = true
	if !p.g.Quiet {
		fmt.Fprintf(p.env.Stderr, "notion-git: %s's %s moved on without %s of %s; kept as %s (here and on %s), and syncing again on top of %s's %s\n",
			p.remote, p.c.Branch, plural(n, "sync"), p.c.Branch, ref, p.remote, p.remote, p.c.Branch)
	}
	return nil
}

// deepenSteps are the depths a shallow repository deepens its history to,
// in turn, when its shallow boundary hides how its branch and the
// remote's relate; 0 fetches the whole history.
var deepenSteps = []int{64, 512, 0}

// histories compares local with the remote's tip, deepening a shallow
// repository's history until the answer is known, or local is a shallow
// clone's own tip (see catchUp).
func (p *pusher) histories(ctx context.Context, repo *gitrepo.Repo, local, remoteTip plumbing.Hash) (*gitrepo.Histories, error) {
	for i := 0; ; i++ {
		h, err := repo.CompareHistories(local, remoteTip)
		if err != nil || !h.Hidden || i == len(deepenSteps) {
			return h, err
		}
		if shallow, err := repo.IsShallow(local); err != nil || shallow {
			return h, err
		}
		if _, err := repo.Deepen(ctx, p.remote, p.auth, []string{"refs/heads/" + p.c.Branch}, deepenSteps[i]); err != nil {
			return nil, p.transportError("fetch from", err)
		}
	}
}

// adoptCheckpoint fetches the remote's checkpoint and makes it the local
// one when it continues the branch's tip and the local one does not.
func (p *pusher) adoptCheckpoint(ctx context.Context, repo *gitrepo.Repo, tip plumbing.Hash) error {
	ref := checkpointRefPrefix + p.c.Branch
	// One commit deep: a checkpoint is of use only on top of the tip,
	// which the repository holds.
	got, err := repo.Fetch(ctx, p.remote, p.auth, []string{ref}, 1)
	if err != nil {
		return p.transportError("fetch from", err)
	}
	p.ckpt = got[ref]
	if p.ckpt.IsZero() || !continues(repo, p.ckpt, tip) {
		return nil
	}
	local, err := repo.Ref(ref)
	if err != nil || local == p.ckpt || !local.IsZero() && continues(repo, local, tip) {
		// The local checkpoint, on the same tip, is this machine's
		// latest progress.
		return err
	}
	if err := repo.UpdateRef(ref, local, p.ckpt); err != nil {
		return fmt.Errorf("take %s's checkpoint: %w", p.remote, err)
	}
	return nil
}

// continues reports whether checkpoint commit k was made on top of tip.
func continues(repo *gitrepo.Repo, k, tip plumbing.Hash) bool {
	info, err := repo.ReadCommit(k)
	return err == nil && info.FirstParent() == tip
}

// moveBranch is moveBranchTo for a branch the sync did not commit to.
func moveBranch(repo *gitrepo.Repo, branch string, old, new plumbing.Hash) error {
	_, err := moveBranchTo(repo, branch, old, new, nil)
	return err
}

// publish pushes what the sync left, given how it ended (serr): the branch
// after a complete snapshot (also a partial one, exit 3, or one whose
// working tree lags, exit 4), with the remote's now useless checkpoint
// deleted; the checkpoint after an incomplete sync (exit 5). It returns
// serr unless the push failed, or errRedo.
func (p *pusher) publish(ctx context.Context, serr error) error {
	complete := serr == nil || errors.As(serr, new(partialError)) || errors.As(serr, new(worktreeError))
	incomplete := errors.As(serr, new(incompleteError))
	if !complete && !incomplete {
		return serr
	}
	repo, err := gitrepo.Open(p.dir, gitrepo.OpenOptions{})
	if err != nil {
		return err
	}
	tip, _, err := repo.Head(p.c.Branch)
	if err != nil {
		return err
	}
	ckptRef := checkpointRefPrefix + p.c.Branch
	localCkpt, err := repo.Ref(ckptRef)
	if err != nil {
		return err
	}
	var branch, ckpt *gitrepo.RefUpdate
	var updates []*gitrepo.RefUpdate
	if tip != p.base {
		branch = &gitrepo.RefUpdate{Name: "refs/heads/" + p.c.Branch, Old: p.base, New: tip}
		updates = append(updates, branch)
	}
	switch {
	case incomplete && !localCkpt.IsZero() && localCkpt != p.ckpt:
		ckpt = &gitrepo.RefUpdate{Name: ckptRef, Old: p.ckpt, New: localCkpt}
	case complete && !p.ckpt.IsZero():
		ckpt = &gitrepo.RefUpdate{Name: ckptRef, Old: p.ckpt}
	}
	if ckpt != nil {
		updates = append(updates, ckpt)
	}
	if len(updates) == 0 {
		return serr
	}
	notPushed := func(why error) error {
		return fmt.Errorf("%s on %s is local and not pushed: %v", short(tip), p.c.Branch, why)
	}
	if err := repo.PushRefs(ctx, p.remote, p.auth, updates); err != nil {
		err = p.transportError("push to", err)
		if branch == nil && incomplete {
			// Not exit 5: on a CI runner the checkpoint dies with the
			// machine, and a run that reports success while its progress
			// is lost would repeat the same crawl forever.
			return fmt.Errorf("the sync stopped at its time box, and its checkpoint is local and not pushed (a run here continues from it, a fresh clone starts again): %w", err)
		}
		if branch == nil {
			return errors.Join(serr, fmt.Errorf("the checkpoint is local and not pushed: %w", err))
		}
		return notPushed(err)
	}
	if branch != nil && branch.Err != nil {
		if errors.Is(branch.Err, gitrepo.ErrRemoteMoved) && complete {
			return errRedo
		}
		return notPushed(branch.Err)
	}
	if branch != nil {
		p.base, p.pushed = tip, true
		p.noteSeen(repo, tip)
		if !p.g.Quiet {
			fmt.Fprintf(p.env.Stderr, "notion-git: pushed %s to %s (%s)\n", p.c.Branch, p.remote, short(tip))
		}
	}
	if ckpt != nil {
		switch {
		case ckpt.Err == nil:
			p.ckpt, p.pushed = ckpt.New, true
		case incomplete:
			// As when the push fails as a whole (above): the progress of
			// a run stopped at its time box is the checkpoint, and one
			// that did not reach the remote dies with a CI runner.
			return fmt.Errorf("the sync stopped at its time box, and its checkpoint is local and not pushed (a run here continues from it, a fresh clone starts again): %s's checkpoint was not updated: %v",
				p.remote, oneLine(ckpt.Err))
		default:
			// The snapshot is on the branch: the remote's checkpoint,
			// left undeleted, is set aside by the next run.
			fmt.Fprintf(p.env.Stderr, "notion-git: warning: %s's checkpoint was not deleted: %v\n", p.remote, oneLine(ckpt.Err))
		}
	}
	return serr
}

// ownCommit reports whether the only commit of the branch the remote lacks
// is the one this sync made on top of the remote's tip: only that one may
// be dropped and made again.
func (p *pusher) ownCommit(repo *gitrepo.Repo, tip plumbing.Hash) bool {
	if p.start != p.base || tip == p.start {
		return false
	}
	info, err := repo.ReadCommit(tip)
	return err == nil && info.FirstParent() == p.start
}

// redo sets the branch, and the working tree, from this run's unpushed
// commit to the remote's new tip, for the sync to run again from there.
//
// The sync is made again rather than its tree put on top of the remote's
// tip: the other run's commit may hold pages newer than this run's, read
// after it, and this run's tree on top would silently bring back their
// older versions. A sync from the remote's tip reads again only what
// changed since it, and every commit stays a snapshot some sync saw.
func (p *pusher) redo(ctx context.Context) error {
	repo, err := gitrepo.Open(p.dir, gitrepo.OpenOptions{})
	if err != nil {
		return err
	}
	branchRef := "refs/heads/" + p.c.Branch
	got, err := repo.Fetch(ctx, p.remote, p.auth, []string{branchRef}, 1)
	if err != nil {
		return p.transportError("fetch from", err)
	}
	tip, _, err := repo.Head(p.c.Branch)
	if err != nil {
		return err
	}
	remoteTip := got[branchRef]
	switch {
	case remoteTip.IsZero():
	case p.ownCommit(repo, tip):
		if err := moveBranch(repo, p.c.Branch, tip, remoteTip); err != nil {
			return fmt.Errorf("%s on %s is local and not pushed: %w", short(tip), p.c.Branch, err)
		}
		p.start = remoteTip
	default:
		// Syncs of earlier runs that could not push are under this
		// run's: kept (see keepReplaced), or a person's commit refused.
		if p.start, err = p.catchUp(ctx, repo, tip, remoteTip); err != nil {
			return fmt.Errorf("%s on %s is local and not pushed: %w", short(tip), p.c.Branch, err)
		}
	}
	p.noteSeen(repo, remoteTip)
	// A remote branch gone since the refusal: the next push creates it.
	p.base = remoteTip
	return p.adoptCheckpoint(ctx, repo, p.start)
}

// transportError says what failed talking to the remote, naming the token's
// variable when the remote refuses the credentials.
func (p *pusher) transportError(what string, err error) error {
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired) && p.authFrom == "" && p.withheld != "":
		return fmt.Errorf("%s %s: the remote asks for credentials, and no token was sent to it: %s", what, p.remote, p.withheld)
	case errors.Is(err, transport.ErrAuthenticationRequired) && p.authFrom == "":
		return fmt.Errorf("%s %s: the remote asks for credentials: set GITHUB_TOKEN or GIT_TOKEN", what, p.remote)
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		return fmt.Errorf("%s %s: the remote refused the token in %s", what, p.remote, p.authFrom)
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return fmt.Errorf("%s %s: no repository there (or the token in %s cannot see it)", what, p.remote, orNone(p.authFrom))
	}
	return fmt.Errorf("%s %s: %v", what, p.remote, p.remoteError(err))
}

func orNone(s string) string {
	if s == "" {
		return "no variable"
	}
	return s
}

func (p *pusher) remoteError(err error) error {
	if errors.Is(err, gitrepo.ErrCredentialsInURL) {
		return errors.New("the URL holds a password: notion-git takes the token from GITHUB_TOKEN or GIT_TOKEN, never from a URL; remove it from the URL")
	}
	return err
}

// scrub makes sure that no message holds the token, whatever a library
// put in an error.
func (p *pusher) scrub(err error) error {
	if err == nil {
		return err
	}
	msg := err.Error()
	for _, t := range p.tokens {
		msg = strings.ReplaceAll(msg, t, "***")
	}
	if msg == err.Error() {
		return err
	}
	switch {
	case errors.As(err, new(usageError)):
		return usageError{errors.New(msg)}
	case errors.As(err, new(partialError)):
		return partialError{errors.New(msg)}
	case errors.As(err, new(incompleteError)):
		return incompleteError{errors.New(msg)}
	}
	return errors.New(msg)
}

// safeRemoteArg is --remote as messages may show it: a URL without the
// credentials it may hold.
func safeRemoteArg(s string) string {
	if m, err := gitrepo.ParseRemoteURL(s); err == nil {
		if strings.ContainsAny(s, ":/") {
			return m.String()
		}
		return s
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		if j := strings.Index(s, "://"); j >= 0 && j < i {
			return s[:j+3] + "…" + s[i:]
		}
		return "…" + s[i:]
	}
	return s
}
