// Package notiongit_test checks the structure that ARCHITECTURE.md
// describes: the table of packages there is the rule, read from the page
// itself, so the page and the code cannot drift apart.
package notiongit_test

import (
	"bufio"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/notion-git/notion-git"

// rule is one row of the table: which of our packages a package may import.
type rule struct {
	any     bool     // "anything"
	except  []string // "anything but `x`"
	allowed []string // a list of packages, or none
}

func (r rule) permits(dep string) bool {
	if r.any {
		return !slices.ContainsFunc(r.except, func(e string) bool { return dep == e || strings.HasPrefix(dep, e+"/") })
	}
	return slices.Contains(r.allowed, dep)
}

var ticked = regexp.MustCompile("`([^`]+)`")

// readRules parses the package table of ARCHITECTURE.md.
func readRules(t *testing.T) map[string]rule {
	f, err := os.Open("ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rules := map[string]rule{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) != 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		pkg := strings.Trim(strings.TrimSpace(cells[1]), "`")
		col := strings.TrimSpace(cells[3])
		var r rule
		switch {
		case strings.HasPrefix(col, "anything"):
			r.any = true
			for _, m := range ticked.FindAllStringSubmatch(col, -1) {
				r.except = append(r.except, m[1])
			}
		case strings.HasPrefix(col, "nothing"):
		default:
			for _, m := range ticked.FindAllStringSubmatch(col, -1) {
				r.allowed = append(r.allowed, m[1])
			}
		}
		rules[pkg] = r
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rules) == 0 {
		t.Fatal("ARCHITECTURE.md has no package table")
	}
	return rules
}

// productImports maps each of our packages to the packages of ours that its
// non-test files import.
func productImports(t *testing.T) map[string][]string {
	imports := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		if _, ok := imports[pkg]; !ok {
			imports[pkg] = nil
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if dep, ok := strings.CutPrefix(p, module+"/"); ok && !slices.Contains(imports[pkg], dep) {
				imports[pkg] = append(imports[pkg], dep)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return imports
}

// TestArchitecture holds every package to its row of ARCHITECTURE.md: no
// package goes undocumented, and none imports what its row does not allow.
func TestArchitecture(t *testing.T) {
	rules := readRules(t)
	imports := productImports(t)
	for pkg, deps := range imports {
		r, ok := rules[pkg]
		if !ok {
			t.Errorf("package %s is not in the table of ARCHITECTURE.md: add a row saying what it owns and may import", pkg)
			continue
		}
		for _, dep := range deps {
			if !r.permits(dep) {
				t.Errorf("%s imports %s, which ARCHITECTURE.md does not allow", pkg, dep)
			}
		}
	}
	for pkg := range rules {
		if _, ok := imports[pkg]; !ok {
			t.Errorf("ARCHITECTURE.md lists %s, which has no Go files", pkg)
		}
	}
}

// TestNoTestPackagesInProduct: a package whose path ends in "test" is, in
// Go, test-only; the product must not import one.
func TestNoTestPackagesInProduct(t *testing.T) {
	for pkg, deps := range productImports(t) {
		for _, dep := range deps {
			if strings.HasSuffix(dep, "test") {
				t.Errorf("%s imports %s, a test-only name", pkg, dep)
			}
		}
	}
}
