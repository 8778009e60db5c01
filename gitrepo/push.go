package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/sideband"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
)

// Push sends branch to the same branch of remote (a configured remote name
// such as "origin"). auth may be nil for transports that need none. A
// remote that already has the commit is not an error. It never forces: a
// remote that moved meanwhile rejects the push.
func (r *Repo) Push(ctx context.Context, remote, branch string, auth transport.AuthMethod) error {
	spec := config.RefSpec(fmt.Sprintf("refs/heads/%s:refs/heads/%s", branch, branch))
	if err := spec.Validate(); err != nil {
		return fmt.Errorf("push %s to %s: %w", branch, remote, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.git.PushContext(ctx, &git.PushOptions{
		RemoteName: remote,
		RefSpecs:   []config.RefSpec{spec},
		Auth:       auth,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("push %s to %s: %w", branch, remote, err)
	}
	return nil
}

// ErrRemoteMoved means a reference on the remote no longer held the value
// a push was made against: another push came first.
var ErrRemoteMoved = errors.New("the remote has moved")

// ErrCredentialsInURL means a remote's URL holds a password. Credentials
// come from the caller (in memory), never from a URL that git would keep in
// its configuration and that messages would print.
var ErrCredentialsInURL = errors.New("the remote's URL holds a password")

// Remote is a repository to fetch from and push to.
type Remote struct {
	name string // the configured remote's name; "" for a URL
	ep   *transport.Endpoint
}

// String names the remote for messages: its name, or its URL without any
// user name.
func (m *Remote) String() string {
	if m.name != "" {
		return m.name
	}
	ep := *m.ep
	ep.User, ep.Password = "", ""
	return ep.String()
}

// HTTP reports whether the remote is reached over HTTP(S), where basic
// auth applies.
func (m *Remote) HTTP() bool { return m.ep.Protocol == "http" || m.ep.Protocol == "https" }

// Address is where the remote is reached: its URL's scheme, host (lower
// case, an IPv6 address without brackets) and port (the scheme's default
// when the URL has none; 0 for a path).
func (m *Remote) Address() (scheme, host string, port int) {
	host = strings.ToLower(strings.Trim(m.ep.Host, "[]"))
	port = m.ep.Port
	if port == 0 {
		switch m.ep.Protocol {
		case "http":
			port = 80
		case "https":
			port = 443
		}
	}
	return m.ep.Protocol, host, port
}

// ResolveRemote returns the remote named nameOrURL in the repository's
// configuration, or else nameOrURL taken as a URL (or a path). A URL with a
// password is refused (ErrCredentialsInURL), and the error does not repeat
// it.
func (r *Repo) ResolveRemote(nameOrURL string) (*Remote, error) {
	cfg, err := r.store.Config()
	if err != nil {
		return nil, fmt.Errorf("read the repository's configuration: %w", err)
	}
	if rc, ok := cfg.Remotes[nameOrURL]; ok {
		if len(rc.URLs) == 0 {
			return nil, fmt.Errorf("remote %s has no URL", nameOrURL)
		}
		m, err := ParseRemoteURL(rc.URLs[0])
		if err != nil {
			return nil, fmt.Errorf("remote %s: %w", nameOrURL, err)
		}
		m.name = nameOrURL
		return m, nil
	}
	if !looksLikeURL(nameOrURL) {
		return nil, fmt.Errorf("no remote named %q in the repository", nameOrURL)
	}
	return ParseRemoteURL(nameOrURL)
}

// looksLikeURL tells a URL or a path from a remote's name, which holds
// neither a colon nor a leading slash or dot.
func looksLikeURL(s string) bool {
	return strings.Contains(s, ":") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, ".")
}

// ParseRemoteURL parses a remote's URL (or path), refusing one with a
// password. The error never holds the URL.
func ParseRemoteURL(url string) (*Remote, error) {
	ep, err := transport.NewEndpoint(url)
	if err != nil {
		return nil, errors.New("not a URL or path git can reach")
	}
	if ep.Password != "" {
		return nil, ErrCredentialsInURL
	}
	return &Remote{ep: ep}, nil
}

// Fetch reads the remote's references and fetches what the repository
// lacks of those named (full names, such as refs/heads/main). It returns
// the remote's value of each named reference it has; it writes no
// reference: the caller decides what the values mean. In a shallow
// repository, the fetch is shallow too, depth commits deep from each
// fetched reference, so that the objects sent are complete for what the
// repository holds; elsewhere depth is not used.
func (r *Repo) Fetch(ctx context.Context, m *Remote, auth transport.AuthMethod, names []string, depth int) (map[string]plumbing.Hash, error) {
	return r.fetch(ctx, m, auth, names, depth, false)
}

// Deepen fetches the history of the named references (full names) of a
// shallow repository depth commits deep from their tips, also of those it
// already holds: their commits the shallow boundary hid, so that it can tell
// whether one commit is another's ancestor. A depth of 0 fetches the whole
// history. It returns what Fetch does.
func (r *Repo) Deepen(ctx context.Context, m *Remote, auth transport.AuthMethod, names []string, depth int) (map[string]plumbing.Hash, error) {
	if depth <= 0 {
		depth = infiniteDepth
	}
	return r.fetch(ctx, m, auth, names, depth, true)
}

// infiniteDepth is the depth git asks for to unshallow a repository.
const infiniteDepth = 1<<31 - 1

func (r *Repo) fetch(ctx context.Context, m *Remote, auth transport.AuthMethod, names []string, depth int, deepen bool) (map[string]plumbing.Hash, error) {
	c, err := client.NewClient(m.ep)
	if err != nil {
		return nil, err
	}
	s, err := c.NewUploadPackSession(m.ep, auth)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	ar, err := s.AdvertisedReferencesContext(ctx)
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return map[string]plumbing.Hash{}, nil
	}
	if err != nil {
		return nil, err
	}
	refs, err := ar.AllReferences()
	if err != nil {
		return nil, err
	}
	got := map[string]plumbing.Hash{}
	var wants []plumbing.Hash
	r.mu.Lock()
	for _, n := range names {
		ref, ok := refs[plumbing.ReferenceName(n)]
		if !ok || ref.Type() != plumbing.HashReference {
			continue
		}
		got[n] = ref.Hash()
		if (deepen || !r.hasObjectLocked(ref.Hash())) && !slices.Contains(wants, ref.Hash()) {
			wants = append(wants, ref.Hash())
		}
	}
	r.mu.Unlock()
	if len(wants) == 0 {
		return got, nil
	}
	req := packp.NewUploadPackRequestFromCapabilities(ar.Capabilities)
	req.Wants = wants
	if req.Haves, err = r.localHaves(); err != nil {
		return nil, err
	}
	shallows, err := r.store.Shallow()
	if err != nil {
		return nil, err
	}
	if deepen && len(shallows) == 0 {
		// Nothing is hidden: there is nothing to deepen.
		return got, nil
	}
	if len(shallows) > 0 {
		// Without its shallow commits, the remote would take the
		// repository for one holding their whole history and leave out
		// objects only that history has.
		req.Shallows = shallows
		req.Depth = packp.DepthCommits(max(depth, 1))
		if err := req.Capabilities.Set(capability.Shallow); err != nil {
			return nil, err
		}
	}
	resp, err := s.UploadPack(ctx, req)
	if err != nil {
		return nil, err
	}
	defer resp.Close()
	var rd io.Reader = resp
	switch {
	case req.Capabilities.Supports(capability.Sideband64k):
		rd = sideband.NewDemuxer(sideband.Sideband64k, resp)
	case req.Capabilities.Supports(capability.Sideband):
		rd = sideband.NewDemuxer(sideband.Sideband, resp)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(resp.Shallows) > 0 {
		// The new boundary commits, whose parents were not sent. The old
		// ones stay listed: what the repository lacks, it still lacks.
		for _, h := range resp.Shallows {
			if !slices.Contains(shallows, h) {
				shallows = append(shallows, h)
			}
		}
		if err := r.store.SetShallow(shallows); err != nil {
			return nil, err
		}
	}
	if err := packfile.UpdateObjectStorage(r.store, rd); err != nil {
		return nil, fmt.Errorf("receive objects: %w", err)
	}
	if len(resp.Unshallows) > 0 {
		// A deepening sent the parents of these: once they are stored,
		// and not before, the commits are whole.
		shallows = slices.DeleteFunc(shallows, func(h plumbing.Hash) bool { return slices.Contains(resp.Unshallows, h) })
		if err := r.store.SetShallow(shallows); err != nil {
			return nil, err
		}
	}
	r.packs.reset()
	if s, ok := r.store.(interface{ Reindex() }); ok {
		s.Reindex()
	}
	for _, h := range wants {
		if !r.hasObjectLocked(h) {
			return nil, fmt.Errorf("the remote did not send %s", h)
		}
	}
	return got, nil
}

// localHaves lists commits the repository holds, for a fetch to leave out
// what they reach: the tips of its references and a few of their first
// parents (the remote may not know a tip that was never pushed).
func (r *Repo) localHaves() ([]plumbing.Hash, error) {
	const perRef = 16
	iter, err := r.store.IterReferences()
	if err != nil {
		return nil, err
	}
	var tips []plumbing.Hash
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		if ref.Type() == plumbing.HashReference {
			tips = append(tips, ref.Hash())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	seen := map[plumbing.Hash]bool{}
	var haves []plumbing.Hash
	for _, h := range tips {
		for range perRef {
			if seen[h] {
				break
			}
			c, err := r.readCommit(h)
			if err != nil {
				break // a tag, a tree, or an object beyond a shallow boundary
			}
			seen[h] = true
			haves = append(haves, h)
			if len(c.ParentHashes) == 0 {
				break
			}
			h = c.ParentHashes[0]
		}
	}
	return haves, nil
}

// RefUpdate is one reference a push sets on the remote by compare-and-swap:
// from Old (zero: it must not exist) to New (zero deletes it).
type RefUpdate struct {
	Name     string
	Old, New plumbing.Hash
	// Err is set by PushRefs when this reference was not updated;
	// ErrRemoteMoved (wrapped) when the remote no longer held Old.
	Err error
}

// PushRefs sends the updates to the remote, each by compare-and-swap on
// the remote (git's receive-pack checks Old under the reference's lock), so
// nothing is ever overwritten that the caller has not seen. Each update
// succeeds or fails on its own, with the reason in its Err; the error
// returned is for the push as a whole (the remote unreachable, refusing
// the credentials, or refusing the objects). An update whose reference
// already holds New succeeds without being sent.
func (r *Repo) PushRefs(ctx context.Context, m *Remote, auth transport.AuthMethod, updates []*RefUpdate) error {
	if err := r.flush(); err != nil {
		return err
	}
	c, err := client.NewClient(m.ep)
	if err != nil {
		return err
	}
	s, err := c.NewReceivePackSession(m.ep, auth)
	if err != nil {
		return err
	}
	defer s.Close()
	ar, err := s.AdvertisedReferencesContext(ctx)
	if err != nil {
		return err
	}
	refs, err := ar.AllReferences()
	if err != nil {
		return err
	}
	remote := func(name string) plumbing.Hash {
		if ref, ok := refs[plumbing.ReferenceName(name)]; ok && ref.Type() == plumbing.HashReference {
			return ref.Hash()
		}
		return plumbing.ZeroHash
	}
	req := packp.NewReferenceUpdateRequestFromCapabilities(ar.Capabilities)
	sent := map[string]*RefUpdate{}
	var news []plumbing.Hash
	for _, u := range updates {
		u.Err = nil
		switch cur := remote(u.Name); {
		case cur == u.New:
			continue
		case cur != u.Old:
			u.Err = movedError(u.Name, u.Old, cur)
			continue
		case u.New.IsZero() && !ar.Capabilities.Supports(capability.DeleteRefs):
			u.Err = fmt.Errorf("the remote does not let %s be deleted", u.Name)
			continue
		}
		req.Commands = append(req.Commands, &packp.Command{Name: plumbing.ReferenceName(u.Name), Old: u.Old, New: u.New})
		sent[u.Name] = u
		if !u.New.IsZero() {
			news = append(news, u.New)
		}
	}
	if len(req.Commands) == 0 {
		return nil
	}
	// What the remote holds: its references' commits that are here too.
	var haves []plumbing.Hash
	r.mu.Lock()
	for _, ref := range refs {
		if ref.Type() == plumbing.HashReference && r.hasObjectLocked(ref.Hash()) {
			haves = append(haves, ref.Hash())
		}
	}
	defer r.mu.Unlock()
	var objs []plumbing.Hash
	if len(news) > 0 {
		if objs, err = r.objectsToPushLocked(news, haves); err != nil {
			return err
		}
	}
	status, err := r.sendPackLocked(ctx, s, req, objs, !ar.Capabilities.Supports(capability.OFSDelta))
	if err != nil {
		return err
	}
	if status == nil {
		return nil
	}
	if status.UnpackStatus != "ok" {
		return fmt.Errorf("the remote could not unpack the objects: %s", status.UnpackStatus)
	}
	for _, cs := range status.CommandStatuses {
		u := sent[cs.ReferenceName.String()]
		if u == nil || cs.Status == "ok" {
			continue
		}
		u.Err = fmt.Errorf("the remote refused to update %s: %s", u.Name, cs.Status)
		if strings.Contains(cs.Status, "stale") || strings.Contains(cs.Status, "fetch first") ||
			strings.Contains(cs.Status, "non-fast-forward") || strings.Contains(cs.Status, "failed to update") ||
			strings.Contains(cs.Status, "cannot lock") {
			// receive-pack's words for "the reference is no longer at
			// the old value" (it checks under the ref's lock).
			u.Err = fmt.Errorf("%w (%s: %s)", ErrRemoteMoved, u.Name, cs.Status)
		}
	}
	return nil
}

func movedError(name string, old, cur plumbing.Hash) error {
	short := func(h plumbing.Hash) string {
		if h.IsZero() {
			return "nothing"
		}
		return h.String()[:12]
	}
	return fmt.Errorf("%w: %s is at %s, not %s", ErrRemoteMoved, name, short(cur), short(old))
}

// sendPackLocked sends the commands and a pack of objs through s.
func (r *Repo) sendPackLocked(ctx context.Context, s transport.ReceivePackSession, req *packp.ReferenceUpdateRequest, objs []plumbing.Hash, refDeltas bool) (*packp.ReportStatus, error) {
	done := make(chan error, 1)
	allDelete := true
	for _, c := range req.Commands {
		allDelete = allDelete && c.New.IsZero()
	}
	if allDelete {
		close(done)
	} else {
		rd, wr := io.Pipe()
		req.Packfile = rd
		go func() {
			_, err := packfile.NewEncoder(wr, r.store, refDeltas).Encode(objs, 10)
			done <- wr.CloseWithError(err)
		}()
		defer rd.Close()
	}
	status, err := s.ReceivePack(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := <-done; err != nil {
		return nil, err
	}
	return status, nil
}

// objectsToPushLocked lists the commits from news back to what the remote
// holds (haves, and the repository's shallow boundary), with the trees and
// blobs each brings: those of its tree that no base tree holds at the same
// path. The bases are its first parent's tree (the remote holds it, either
// already or by this same push) and the trees of every have: a checkpoint
// is made on top of the branch's tip, not of the checkpoint it continues,
// and without the remote's checkpoint as a base each push of a long sync
// would send again all that the ones before it sent. An object that moved
// is sent again, which git accepts; a walk of the remote's whole history
// to avoid that is not worth its cost.
func (r *Repo) objectsToPushLocked(news, haves []plumbing.Hash) ([]plumbing.Hash, error) {
	stop := map[plumbing.Hash]bool{}
	var haveTrees []plumbing.Hash
	for _, h := range haves {
		stop[h] = true
		t, err := r.commitTreeLocked(h)
		if err != nil {
			continue // a tag, or not a commit
		}
		if !slices.Contains(haveTrees, t) {
			haveTrees = append(haveTrees, t)
		}
	}
	shallows, err := r.store.Shallow()
	if err != nil {
		return nil, err
	}
	shallow := map[plumbing.Hash]bool{}
	for _, h := range shallows {
		shallow[h] = true
	}
	seen := map[plumbing.Hash]bool{}
	var out []plumbing.Hash
	add := func(h plumbing.Hash) bool {
		if seen[h] {
			return false
		}
		seen[h] = true
		out = append(out, h)
		return true
	}
	todo := slices.Clone(news)
	for len(todo) > 0 {
		h := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if stop[h] || seen[h] {
			continue
		}
		c, err := r.readCommitLocked(h)
		if err != nil {
			return nil, err
		}
		add(h)
		bases := slices.Clone(haveTrees)
		if len(c.ParentHashes) > 0 && !shallow[h] {
			pc, err := r.commitTreeLocked(c.ParentHashes[0])
			if err != nil {
				return nil, err
			}
			bases = append(bases, pc)
			todo = append(todo, c.ParentHashes...)
		}
		if err := r.treeDeltaLocked(c.TreeHash, bases, add); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *Repo) commitTreeLocked(h plumbing.Hash) (plumbing.Hash, error) {
	c, err := r.readCommitLocked(h)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return c.TreeHash, nil
}

// treeDeltaLocked adds tree and what it holds that no base holds at the
// same path.
func (r *Repo) treeDeltaLocked(tree plumbing.Hash, bases []plumbing.Hash, add func(plumbing.Hash) bool) error {
	if slices.Contains(bases, tree) || !add(tree) {
		return nil
	}
	t, err := r.readTreeLocked(tree)
	if err != nil {
		return err
	}
	// old holds, per name, the entries the bases have there.
	old := map[string][]object.TreeEntry{}
	for _, base := range bases {
		if base.IsZero() {
			continue
		}
		b, err := r.readTreeLocked(base)
		if err != nil {
			return err
		}
		for _, e := range b.Entries {
			old[e.Name] = append(old[e.Name], e)
		}
	}
	for _, e := range t.Entries {
		had := old[e.Name]
		switch {
		case slices.ContainsFunc(had, func(o object.TreeEntry) bool { return o.Hash == e.Hash }):
		case e.Mode == filemode.Dir:
			var subs []plumbing.Hash
			for _, o := range had {
				if o.Mode == filemode.Dir && !slices.Contains(subs, o.Hash) {
					subs = append(subs, o.Hash)
				}
			}
			if err := r.treeDeltaLocked(e.Hash, subs, add); err != nil {
				return err
			}
		case e.Mode == filemode.Submodule:
			// A gitlink names a commit of another repository.
		default:
			add(e.Hash)
		}
	}
	return nil
}

// Histories is how two commits' histories relate, as far as a shallow
// repository can see.
type Histories struct {
	// Common is the newest commit found in both histories: local when it
	// is remote's ancestor, remote when it is local's; zero if none was
	// found.
	Common plumbing.Hash
	// LocalOnly are the commits of local's first-parent chain down to
	// Common, newest first: those remote's history lacks. Nil when Common
	// is not on that chain (a merge) or was not found.
	LocalOnly []plumbing.Hash
	// Hidden says that no common commit was found and a shallow boundary
	// stopped a walk: one may lie beyond it.
	Hidden bool
}

// CompareHistories walks local's and remote's histories by turns until it
// finds a commit both hold, so that a branch a few commits behind or
// ahead costs a few commits read, not its whole history.
func (r *Repo) CompareHistories(local, remote plumbing.Hash) (*Histories, error) {
	shallows, err := r.store.Shallow()
	if err != nil {
		return nil, err
	}
	boundary := map[plumbing.Hash]bool{}
	for _, h := range shallows {
		boundary[h] = true
	}
	type walk struct {
		todo []plumbing.Hash
		seen map[plumbing.Hash]bool
		hit  bool // stopped at the shallow boundary
	}
	l := &walk{todo: []plumbing.Hash{local}, seen: map[plumbing.Hash]bool{local: true}}
	m := &walk{todo: []plumbing.Hash{remote}, seen: map[plumbing.Hash]bool{remote: true}}
	step := func(w, other *walk) (plumbing.Hash, error) {
		h := w.todo[0]
		w.todo = w.todo[1:]
		if other.seen[h] {
			return h, nil
		}
		if boundary[h] {
			w.hit = true
			return plumbing.ZeroHash, nil
		}
		c, err := r.readCommit(h)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		for _, p := range c.ParentHashes {
			if !w.seen[p] {
				w.seen[p] = true
				w.todo = append(w.todo, p)
			}
		}
		return plumbing.ZeroHash, nil
	}
	var common plumbing.Hash
	for common.IsZero() && (len(l.todo) > 0 || len(m.todo) > 0) {
		for _, w := range [][2]*walk{{m, l}, {l, m}} {
			if len(w[0].todo) == 0 || !common.IsZero() {
				continue
			}
			if common, err = step(w[0], w[1]); err != nil {
				return nil, err
			}
		}
	}
	if common.IsZero() {
		return &Histories{Hidden: l.hit || m.hit}, nil
	}
	h := &Histories{Common: common}
	for c := local; c != common; {
		h.LocalOnly = append(h.LocalOnly, c)
		if boundary[c] {
			return &Histories{Common: common}, nil
		}
		info, err := r.readCommit(c)
		if err != nil {
			return nil, err
		}
		if len(info.ParentHashes) == 0 {
			return &Histories{Common: common}, nil
		}
		c = info.ParentHashes[0]
	}
	return h, nil
}

// IsShallow reports whether commit h is on the repository's shallow
// boundary: held, but not its parents.
func (r *Repo) IsShallow(h plumbing.Hash) (bool, error) {
	shallows, err := r.store.Shallow()
	return slices.Contains(shallows, h), err
}

// IsAncestor reports whether commit a is b or one of b's ancestors, as far
// as the repository's history goes: a shallow repository cannot see past its
// boundary, and there the answer is false.
func (r *Repo) IsAncestor(a, b plumbing.Hash) (bool, error) {
	if a.IsZero() || a == b {
		return true, nil
	}
	shallows, err := r.store.Shallow()
	if err != nil {
		return false, err
	}
	seen := map[plumbing.Hash]bool{}
	for _, h := range shallows {
		seen[h] = true // walked no further
	}
	if seen[b] {
		return false, nil
	}
	todo := []plumbing.Hash{b}
	for len(todo) > 0 {
		h := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		c, err := r.readCommit(h)
		if err != nil {
			return false, err
		}
		for _, p := range c.ParentHashes {
			if p == a {
				return true, nil
			}
			if !seen[p] {
				seen[p] = true
				todo = append(todo, p)
			}
		}
	}
	return false, nil
}
