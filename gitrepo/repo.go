// Package gitrepo stores snapshots in a git repository with go-git plumbing:
// blobs and trees written directly (reusing every unchanged subtree), commits,
// compare-and-set branch updates, and a working-tree refresh limited to the
// changed paths. It knows git, not Notion.
package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// objectCacheSize bounds go-git's cache of decoded objects.
const objectCacheSize = 8 * cache.MiByte

// DefaultBranch is the branch a new repository's HEAD points at.
const DefaultBranch = "main"

// OpenOptions says how Open treats a missing repository.
type OpenOptions struct {
	// Create makes Open initialise a repository when dir holds none.
	Create bool
	// Bare creates a bare repository (no working tree); only used with Create.
	Bare bool
	// Branch is the branch HEAD points at in a new repository; DefaultBranch if empty.
	Branch string
	// Failpoint, if set, is called at each Failpoint of a publication; an
	// error it returns fails that step. Only tests set it.
	Failpoint func(Failpoint) error
}

// Repo is an open git repository, bare or with a working tree.
type Repo struct {
	git     *git.Repository
	store   storage.Storer
	gitDir  string // the directory holding objects/ and refs/
	workDir string // the working tree, "" for a bare repository

	// mu serialises object store access: go-git's filesystem storage and
	// its caches are not documented as safe for concurrent use, and
	// Snapshot.Read may be called from several goroutines.
	mu sync.Mutex
	// pending holds the objects written since the last flush (see
	// pendingPack); guarded by mu.
	pending *pendingPack
	// packs reads whole blobs from the packs without go-git; guarded by mu.
	packs packBlobs
	// freshened is when this process last made each pack young again
	// (freshenLocked), by pack path; guarded by mu.
	freshened map[string]time.Time
	// stage, when not nil, keeps the files of a first sync for its
	// checkout (see checkoutStage).
	stage *checkoutStage

	failpoint func(Failpoint) error
}

// Open opens the repository in dir (a working tree with .git, or a bare
// repository), creating it when missing if opts.Create is set.
func Open(dir string, opts OpenOptions) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	gitDir, workDir, err := locate(abs)
	if errors.Is(err, ErrNotRepository) && opts.Create {
		r, err := create(abs, opts)
		if err != nil {
			return nil, err
		}
		r.failpoint = opts.Failpoint
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	r, err := openAt(gitDir, workDir)
	if err != nil {
		return nil, err
	}
	r.failpoint = opts.Failpoint
	return r, nil
}

// locate finds the git directory of dir: dir/.git (a folder, or a file
// "gitdir: <path>" as in linked worktrees), or dir itself if it is bare.
func locate(dir string) (gitDir, workDir string, err error) {
	fi, err := os.Stat(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return "", "", ErrNotRepository
		}
		return "", "", err
	}
	if !fi.IsDir() {
		return "", "", fmt.Errorf("%w: %s is a file", ErrNotRepository, dir)
	}
	dotGit := filepath.Join(dir, ".git")
	if fi, err := os.Stat(dotGit); err == nil {
		if fi.IsDir() {
			return dotGit, dir, nil
		}
		b, err := os.ReadFile(dotGit)
		if err != nil {
			return "", "", err
		}
		line := strings.TrimSpace(string(b))
		target, ok := strings.CutPrefix(line, "gitdir: ")
		if !ok {
			return "", "", fmt.Errorf("%w: %s is not a gitdir file", ErrNotRepository, dotGit)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(dir, target)
		}
		return target, dir, nil
	}
	// A bare repository has HEAD, objects/ and refs/ at its top.
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return "", "", ErrNotRepository
		}
	}
	return dir, "", nil
}

func create(dir string, opts OpenOptions) (*Repo, error) {
	branch := opts.Branch
	if branch == "" {
		branch = DefaultBranch
	}
	_, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName(branch)},
		Bare:        opts.Bare,
	})
	if err != nil {
		return nil, fmt.Errorf("create repository %s: %w", dir, err)
	}
	if opts.Bare {
		return openAt(dir, "")
	}
	return openAt(filepath.Join(dir, ".git"), dir)
}

// maxOpenPacks bounds the pack files kept open between reads (a sync adds
// one pack per commit; Maintain keeps their number logarithmic).
const maxOpenPacks = 64

func openAt(gitDir, workDir string) (*Repo, error) {
	// go-git's default cache holds 96 MiB of object content; of small files,
	// that is millions of objects with their overhead, read once each by a
	// worktree refresh. Trees, the objects read again, fit in far less.
	// Without open descriptors kept, go-git opens and closes a pack file for
	// every object it reads from it: a sync reading 10,000 page files spent
	// most of its time in open and close.
	store := filesystem.NewStorageWithOptions(osfs.New(gitDir), cache.NewObjectLRU(objectCacheSize),
		filesystem.Options{MaxOpenDescriptors: maxOpenPacks})
	var wt = osfs.New(workDir)
	if workDir == "" {
		wt = nil
	}
	var r *git.Repository
	var err error
	if wt == nil {
		r, err = git.Open(store, nil)
	} else {
		r, err = git.Open(store, wt)
	}
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("open repository %s: %w", gitDir, ErrNotRepository)
	}
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", gitDir, err)
	}
	return &Repo{git: r, store: store, gitDir: gitDir, workDir: workDir, pending: newPendingPack(gitDir),
		packs: packBlobs{dir: filepath.Join(gitDir, "objects", "pack")}}, nil
}

// Bare reports whether the repository has no working tree.
func (r *Repo) Bare() bool { return r.workDir == "" }

// WorkDir returns the working tree's directory, "" for a bare repository.
func (r *Repo) WorkDir() string { return r.workDir }

// GitDir returns the directory holding the repository's objects and refs.
func (r *Repo) GitDir() string { return r.gitDir }
