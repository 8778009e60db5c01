package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/review"
)

type textconvCmd struct {
	State bool   `help:"FILE is a file of the sync state: print it without what every sync changes (crawl times, edit times, digests)."`
	File  string `arg:"" placeholder:"FILE" help:"The file to print (git passes a temporary copy of a blob)."`
}

// Run runs the textconv command for the CLI.
func (c *textconvCmd) Run(env *Env) error {
	b, err := os.ReadFile(c.File)
	if err != nil {
		return err
	}
	_, err = env.Stdout.Write(textconv(b, c.State, workTreeNames()))
	return err
}

// workTreeNames are the names the READMEs of the working tree show, when
// git runs the driver there (it runs it from the top of the working
// tree): a block of any version then names the pages and people it links
// to as they are called now. nil elsewhere.
func workTreeNames() layout.Names {
	if _, err := os.Stat(layout.MetaPath); err != nil {
		return nil
	}
	return review.NamesOf(dirTree{})
}

// dirTree is the current directory as a review.Tree.
type dirTree struct{}

func (dirTree) Has(p string) bool {
	fi, err := os.Stat(filepath.FromSlash(p))
	return err == nil && fi.Mode().IsRegular()
}

func (dirTree) Read(p string) ([]byte, error) { return os.ReadFile(filepath.FromSlash(p)) }

func (dirTree) PathsUnder(dir string) []string {
	var out []string
	filepath.WalkDir(filepath.FromSlash(dir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, filepath.ToSlash(p))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// textconv is what git shows of a snapshot file in place of its bytes.
// git names the file by a temporary path, so the JSON's "object" field
// says what it is: a page, block or comment file prints as the Markdown of
// its page's README.md. Anything it does not recognise prints unchanged,
// never an error: a textconv that fails stops git diff and git log -p.
func textconv(b []byte, state bool, names layout.Names) []byte {
	if state {
		return stateTextconv(b)
	}
	if md, ok := layout.RenderObject(b, names); ok {
		return md
	}
	return b
}

// volatileStateFields are the members of the sync state that change when
// a page is edited or crawled again, whatever the edit: shown, they are
// most of the lines of a one-word edit.
var volatileStateFields = []string{"last_sync", "crawled", "last_edited", "digest"}

// stateTextconv prints a file of the sync state without its volatile
// members, so that git diff shows a change of the state only when what it
// knows of the workspace changed (a title, a parent, a page trashed). What
// does not decode prints unchanged.
func stateTextconv(b []byte) []byte {
	obj, err := layout.Decode(b)
	if err != nil {
		return b
	}
	dropVolatile(obj, 0)
	out, err := layout.Canonical(obj)
	if err != nil {
		return b
	}
	return out
}

// dropVolatile removes the volatile members from the header (depth 0), from
// each entry of a shard (depth 1), and from each entry of a version 1 state's
// objects (depth 2).
func dropVolatile(obj map[string]any, depth int) {
	for _, k := range volatileStateFields {
		delete(obj, k)
	}
	if depth == 2 {
		return
	}
	for _, v := range obj {
		if m, ok := v.(map[string]any); ok {
			dropVolatile(m, depth+1)
		}
	}
}
