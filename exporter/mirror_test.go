package exporter_test

import (
	"bytes"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"

	"github.com/notion-git/notion-git/exporter"
	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// TestMirrorReadsOnGitHub syncs the generated workspace (every block and
// property type the generator makes), the sample and every hand-written
// fixture, and reads every README as GitHub does, with a GFM parser: a
// parser finds links, images and task items where GitHub does, which a
// pattern over the text cannot (a bracket inside code, a link inside a
// table cell, a quote that ends at a blank line). Every relative link
// resolves to a file of the tree, every image has an extension, no link
// is labelled with an id, no text is Go's formatting of a value, and no
// block is an invisible HTML comment. Every database and data source has a
// README that links each of its rows.
func TestMirrorReadsOnGitHub(t *testing.T) {
	t.Parallel()
	workspaces := map[string]*emulator.Fixture{
		"generated": workspace.Generate(workspace.Small()),
		"sample":    workspace.Sample(),
	}
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "fixtures", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join("..", "testdata", "fixtures", "*", "*.json"))
	for _, p := range append(paths, more...) {
		f, err := workspace.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		workspaces[filepath.Base(p)] = f
	}
	for name, f := range workspaces {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, f, emulator.Options{})
			tree, _ := w.syncMemory(nil, exporter.Options{})
			checkMirror(t, tree)
		})
	}
}

var (
	uuidText = regexp.MustCompile(`(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}`)
	goSyntax = []string{"<nil>", "&lt;nil&gt;", "map[", "%!", "[]interface"}
	gfm      = goldmark.New(goldmark.WithExtensions(extension.GFM))
)

// checkMirror reads every README of tree as GitHub would.
func checkMirror(t *testing.T, tree exporter.MemoryTree) {
	t.Helper()
	readmes, links := 0, 0
	for p, src := range tree {
		if path.Base(p) != "README.md" {
			continue
		}
		readmes++
		for _, bad := range goSyntax {
			if bytes.Contains(src, []byte(bad)) {
				t.Errorf("%s holds %q:\n%s", p, bad, excerpt(src, bad))
			}
		}
		if bytes.Contains(src, []byte("<!--")) {
			t.Errorf("%s holds an HTML comment:\n%s", p, excerpt(src, "<!--"))
		}
		doc := gfm.Parser().Parse(text.NewReader(src))
		err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			var dest string
			image := false
			switch n := n.(type) {
			case *ast.Link:
				dest = string(n.Destination)
			case *ast.Image:
				dest, image = string(n.Destination), true
			case *ast.Text:
				// A task item GitHub did not recognise shows its brackets.
				if s := string(n.Segment.Value(src)); strings.HasPrefix(s, "[ ]") || strings.HasPrefix(s, "[x]") {
					t.Errorf("%s: a to-do shows as text: %q", p, s)
				}
				return ast.WalkContinue, nil
			default:
				return ast.WalkContinue, nil
			}
			links++
			label := nodeText(n, src)
			if uuidText.MatchString(label) && !strings.Contains(label, "://") {
				t.Errorf("%s: a link is labelled with an id: [%s](%s)", p, label, dest)
			}
			u, err := url.Parse(dest)
			if err != nil {
				t.Errorf("%s: link %q does not parse: %v", p, dest, err)
				return ast.WalkContinue, nil
			}
			if image && path.Ext(u.Path) == "" {
				t.Errorf("%s: image %q has no extension", p, dest)
			}
			if u.Scheme != "" || u.Host != "" || u.Path == "" {
				return ast.WalkContinue, nil // another site, or an anchor of this page
			}
			target := path.Join(path.Dir(p), u.Path)
			if _, ok := tree[target]; !ok {
				t.Errorf("%s: link %q resolves to %s, which is not in the tree", p, dest, target)
			}
			return ast.WalkContinue, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Every database and data source has a README, and it lists its rows.
	rowsOf := map[string][]string{}
	for p, b := range tree {
		info, ok := layout.ParsePath(p)
		if !ok || info.Kind != layout.PathPage {
			continue
		}
		obj, err := layout.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if parent, _ := obj["parent"].(map[string]any); parent["type"] == "data_source_id" {
			ds, _ := parent["data_source_id"].(string)
			rowsOf[ds] = append(rowsOf[ds], info.PageID)
		}
	}
	for p := range tree {
		info, ok := layout.ParsePath(p)
		switch {
		case !ok:
		case info.Kind == layout.PathDatabase:
			if _, ok := tree[layout.DatabaseReadmePath(info.DatabaseID)]; !ok {
				t.Errorf("database %s has no README", info.DatabaseID)
			}
		case info.Kind == layout.PathDataSource:
			md, ok := tree[layout.DataSourceReadmePath(info.DataSourceID)]
			if !ok {
				t.Errorf("data source %s has no README", info.DataSourceID)
				continue
			}
			if rows := rowsOf[info.DataSourceID]; len(rows) <= layout.MaxReadmeRows {
				for _, row := range rows {
					if !bytes.Contains(md, []byte("(../../"+layout.PageReadmePath(row)+")")) {
						t.Errorf("the README of data source %s does not list its row %s", info.DataSourceID, row)
					}
				}
			}
		}
	}
	if readmes < 2 || links == 0 {
		t.Errorf("%d READMEs with %d links: the workspace rendered nothing to check", readmes, links)
	}
}

// nodeText is the text inside a link or image, as a reader sees it.
func nodeText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			b.Write(t.Segment.Value(src))
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// excerpt returns the line of src that holds s.
func excerpt(src []byte, s string) string {
	i := bytes.Index(src, []byte(s))
	start := bytes.LastIndexByte(src[:i], '\n') + 1
	end := bytes.IndexByte(src[i:], '\n')
	if end < 0 {
		return string(src[start:])
	}
	return string(src[start : i+end])
}
