package apply

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestDeterministicSources keeps ARCHITECTURE's rules 1-3 honest for the
// code a simulated world runs: no goroutine statement, no wall clock, no
// global or unseeded randomness outside run.go, the goroutine executor.
func TestDeterministicSources(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	forbidden := map[string]bool{"time": true, "math/rand": true, "math/rand/v2": true, "crypto/rand": true,
		"hash/maphash": true, "os": true}
	fset := token.NewFileSet()
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || name == "run.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		n++
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); forbidden[path] {
				t.Errorf("%s imports %s", name, path)
			}
		}
		ast.Inspect(f, func(node ast.Node) bool {
			if g, ok := node.(*ast.GoStmt); ok {
				t.Errorf("go statement at %s", fset.Position(g.Pos()))
			}
			return true
		})
	}
	if n < 8 {
		t.Errorf("scanned only %d files", n)
	}
}
