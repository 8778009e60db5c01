package gitrepo

import (
	"context"
	"errors"
	"fmt"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/transport"
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
