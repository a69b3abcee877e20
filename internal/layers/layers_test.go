package layers

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/advocacy-portal/portal/"

// domain are the packages that own the portal's types and rules.
var domain = []string{
	"internal/account", "internal/audit", "internal/cadence", "internal/check", "internal/concern", "internal/input",
	"internal/pause", "internal/post", "internal/reach", "internal/roster", "internal/scim", "internal/share", "internal/source",
	"internal/training",
}

// jobs are the background jobs and helpers: each declares the storage it
// needs as an interface, which the store implements.
var jobs = []string{
	"internal/mail", "internal/notify", "internal/privacy", "internal/publish", "internal/reminder", "internal/retention",
	"internal/sources",
}

// forbidden says what a package may not import, by the package's path
// relative to the module. A rule's prefix matches an import path or its
// start.
func forbidden(pkg string) []string {
	switch {
	case pkg == "views":
		return []string{module + "internal/store"}
	case slices.Contains(domain, pkg) || strings.HasPrefix(pkg, "internal/post/") || strings.HasPrefix(pkg, "internal/reach/"):
		return []string{"github.com/gofiber/", module + "internal/store", "database/sql", module + "handlers", module + "views"}
	case slices.Contains(jobs, pkg) || strings.HasPrefix(pkg, "internal/mail/"):
		return []string{"github.com/gofiber/", module + "internal/store", "database/sql"}
	case pkg == "handlers":
		return []string{"modernc.org/sqlite", "github.com/jackc/pgx", "github.com/mattn/go-sqlite3", "database/sql",
			module + "internal/store"}
	}
	return nil
}

// exceptions are imports the rules forbid that the portal still has, by
// package: each is work left (issue 13). Remove an entry when its import
// goes; the test fails on an entry no longer needed.
var exceptions = map[string][]string{}

// imports returns the imports of the non-test Go files of every package
// under the module root, by package path relative to the module.
func imports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(rel)
		for _, is := range f.Imports {
			p, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				return err
			}
			if !slices.Contains(out[pkg], p) {
				out[pkg] = append(out[pkg], p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLayers(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	all := imports(t, root)
	if len(all["views"]) == 0 || len(all["handlers"]) == 0 || len(all["internal/post"]) == 0 {
		t.Fatalf("read no imports for views, handlers or internal/post: %v", all)
	}
	for _, pkg := range jobs {
		if len(all[pkg]) == 0 {
			t.Errorf("read no imports for %s: is it still a job package?", pkg)
		}
	}
	used := map[string]bool{}
	for pkg, imps := range all {
		for _, imp := range imps {
			for _, rule := range forbidden(pkg) {
				if imp != rule && !strings.HasPrefix(imp, rule) {
					continue
				}
				if slices.Contains(exceptions[pkg], imp) {
					used[pkg+" "+imp] = true
					continue
				}
				t.Errorf("%s imports %s, which its layer may not", pkg, imp)
			}
		}
	}
	for pkg, imps := range exceptions {
		for _, imp := range imps {
			if !used[pkg+" "+imp] {
				t.Errorf("exception %s → %s is no longer needed: remove it from the list", pkg, imp)
			}
		}
	}
}

// TestRulesCatchAViolation holds the rules to a violation made up here, so
// that a rule broken into matching nothing is noticed.
func TestRulesCatchAViolation(t *testing.T) {
	for _, tt := range []struct{ pkg, imp string }{
		{"views", module + "internal/store"},
		{"internal/post", "github.com/gofiber/fiber/v2"},
		{"internal/share", "database/sql"},
		{"internal/training", module + "internal/store"},
		{"handlers", "modernc.org/sqlite"},
		{"handlers", module + "internal/store"},
		{"internal/publish", module + "internal/store"},
		{"internal/notify", "github.com/gofiber/fiber/v2"},
		{"internal/mail/letter", "database/sql"},
	} {
		caught := false
		for _, rule := range forbidden(tt.pkg) {
			caught = caught || tt.imp == rule || strings.HasPrefix(tt.imp, rule)
		}
		if !caught {
			t.Errorf("%s importing %s is not caught", tt.pkg, tt.imp)
		}
	}
}
