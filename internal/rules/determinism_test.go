package rules

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// worldRoots are the directories of world code, relative to the module
// root. Missing ones are skipped: the tree grows layer by layer.
var worldRoots = []string{"sim", "engine", "model", "scenarios"}

// excludedDirs hold code that runs only in the real world.
var excludedDirs = []string{"engine/osdriver"}

// realworldMarker exempts a file that runs only against the real world.
const realworldMarker = "//simrun:realworld"

// failpointOwner is the one package of world code that may use failpoint.
const failpointOwner = "sim/fault"

// wallClock lists the functions of package time that read or wait on the
// wall clock.
var wallClock = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"AfterFunc": true, "Tick": true, "NewTimer": true, "NewTicker": true,
}

// seededRand lists what world code may use of math/rand/v2: constructors
// that take an explicit seed or source, and types. Everything else there
// at package level draws from the process-wide, randomly seeded source.
var seededRand = map[string]bool{
	"New": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true,
	"Rand": true, "PCG": true, "ChaCha8": true, "Source": true, "Zipf": true,
}

// finding is one violation: where, which rule, and what.
type finding struct {
	pos  token.Position
	rule string
	what string
}

func (f finding) String() string { return fmt.Sprintf("%s: %s: %s", f.pos, f.rule, f.what) }

// fileScan is the result of scanning one file.
type fileScan struct {
	findings  []finding
	realworld bool // the file carries realworldMarker and was not checked
}

// scanFile checks one Go source file (src, or the file at filename when src
// is nil). relDir is its directory relative to the module root, in slash
// form; it decides whether failpoint may be imported.
func scanFile(fset *token.FileSet, filename string, src any, relDir string) (fileScan, error) {
	f, err := parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return fileScan{}, err
	}
	if hasMarker(f) {
		return fileScan{realworld: true}, nil
	}
	var out []finding
	report := func(n ast.Node, rule, format string, args ...any) {
		out = append(out, finding{pos: fset.Position(n.Pos()), rule: rule, what: fmt.Sprintf(format, args...)})
	}
	for _, imp := range f.Imports {
		checkImport(imp, relDir, report)
	}
	uses := packageUses(fset, f)
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			report(n, "goroutine", "go statement: a world runs on one goroutine; schedule work on the loop")
		case *ast.SelectorExpr:
			checkSelector(n, uses, report)
		}
		return true
	})
	return fileScan{findings: out}, nil
}

type reporter func(n ast.Node, rule, format string, args ...any)

func checkImport(imp *ast.ImportSpec, relDir string, report reporter) {
	p, _ := strconv.Unquote(imp.Path.Value)
	switch p {
	case "math/rand":
		report(imp, "global-rand", "import of math/rand: draw from the world's streams (w.Rand(name))")
	case "crypto/rand":
		report(imp, "crypto-rand", "import of crypto/rand: no seed replays it; draw from the world's streams")
	case "github.com/pingcap/failpoint":
		if relDir != failpointOwner && !strings.HasPrefix(relDir, failpointOwner+"/") {
			report(imp, "failpoint-direct", "import of failpoint outside %s: ask sim.World.Fire(point)", failpointOwner)
		}
	case "time", "math/rand/v2":
		if imp.Name != nil && imp.Name.Name == "." {
			report(imp, "dot-import", "dot import of %s hides its calls from this check", p)
		}
	}
}

// checkSelector reports pkg.Name where pkg resolves to an import of time or
// math/rand/v2 (a local variable that shadows the name does not count).
func checkSelector(sel *ast.SelectorExpr, uses map[*ast.Ident]string, report reporter) {
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return
	}
	name := sel.Sel.Name
	switch uses[id] {
	case "time":
		if wallClock[name] {
			report(sel, "wall-clock", "time.%s reads the wall clock; use the loop's virtual time", name)
		}
	case "math/rand/v2":
		if !seededRand[name] {
			report(sel, "global-rand", "rand.%s draws from the global source; draw from the world's streams", name)
		}
	}
}

// packageUses maps each identifier of f that names an imported package to
// the package's path. It type-checks the file alone, with every import
// faked as an empty package: errors about the rest are ignored, but scopes
// are exact, so "rand := w.Rand(...); rand.IntN(3)" is a method call, not
// the global function.
func packageUses(fset *token.FileSet, f *ast.File) map[*ast.Ident]string {
	info := &types.Info{Uses: make(map[*ast.Ident]types.Object)}
	conf := types.Config{Importer: fakeImporter{}, Error: func(error) {}}
	_, _ = conf.Check(f.Name.Name, fset, []*ast.File{f}, info) // errors expected: see above
	out := make(map[*ast.Ident]string)
	for id, obj := range info.Uses {
		if pn, ok := obj.(*types.PkgName); ok {
			out[id] = pn.Imported().Path()
		}
	}
	return out
}

// fakeImporter returns an empty, complete package for every path, named
// as the go tool would name it ("math/rand/v2" -> rand).
type fakeImporter struct{}

func (fakeImporter) Import(p string) (*types.Package, error) {
	name := path.Base(p)
	if len(name) > 1 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
		name = path.Base(path.Dir(p))
	}
	name = strings.NewReplacer("-", "_", ".", "_").Replace(name)
	pkg := types.NewPackage(p, name)
	pkg.MarkComplete()
	return pkg, nil
}

var _ types.Importer = fakeImporter{}

// hasMarker reports whether f carries the realworld directive.
func hasMarker(f *ast.File) bool {
	for _, g := range f.Comments {
		for _, c := range g.List {
			if c.Text == realworldMarker || strings.HasPrefix(c.Text, realworldMarker+" ") {
				return true
			}
		}
	}
	return false
}

// isWorldFile reports whether the file at rel (slash form, relative to the
// module root) is world code: a non-test .go file under a world root,
// outside testdata, dot and underscore directories and excludedDirs.
func isWorldFile(rel string) bool {
	if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
		return false
	}
	parts := strings.Split(rel, "/")
	if !slices.Contains(worldRoots, parts[0]) {
		return false
	}
	for _, dir := range parts[:len(parts)-1] {
		if dir == "testdata" || strings.HasPrefix(dir, ".") || strings.HasPrefix(dir, "_") {
			return false
		}
	}
	for _, ex := range excludedDirs {
		if strings.HasPrefix(rel, ex+"/") {
			return false
		}
	}
	return true
}

// moduleRoot finds the directory holding go.mod, from the test's directory
// upward.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("rules: no go.mod above the test directory")
		}
		dir = parent
	}
}

// worldFiles lists the world-code files under root, sorted.
func worldFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	for _, top := range worldRoots {
		dir := filepath.Join(root, top)
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			continue
		}
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			if !d.IsDir() && isWorldFile(filepath.ToSlash(rel)) {
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(files)
	return files
}

// TestDeterminismRules scans all world code and fails on every finding.
func TestDeterminismRules(t *testing.T) {
	root := moduleRoot(t)
	files := worldFiles(t, root)
	if !slices.Contains(files, "sim/loop.go") {
		t.Fatalf("rules: the walk missed sim/loop.go (found %d files): the scan would pass vacuously", len(files))
	}
	fset := token.NewFileSet()
	var realworld []string
	for _, rel := range files {
		res, err := scanFile(fset, filepath.Join(root, filepath.FromSlash(rel)), nil, path.Dir(rel))
		if err != nil {
			t.Errorf("rules: parse %s: %v", rel, err)
			continue
		}
		if res.realworld {
			realworld = append(realworld, rel)
		}
		for _, f := range res.findings {
			f.pos.Filename = rel
			t.Error(f)
		}
	}
	t.Logf("scanned %d world files; %d marked %s: %v", len(files), len(realworld), realworldMarker, realworld)
}

// plantedSrc carries one violation of each rule, each on a line ending in
// a "want" comment naming the rule, among code that must not be flagged:
// allowed constructors and types, a local variable named rand, and
// forbidden names inside strings and comments.
const plantedSrc = `package planted

import (
	crand "crypto/rand" // want crypto-rand
	mrand "math/rand" // want global-rand
	"math/rand/v2"
	clock "time"
	. "time" // want dot-import

	"github.com/pingcap/failpoint" // want failpoint-direct
)

var _ = crand.Reader
var _ = mrand.Int
var _ Duration

func violations() {
	_ = clock.Now() // want wall-clock
	clock.Sleep(clock.Millisecond) // want wall-clock
	_ = clock.Since(clock.Time{}) // want wall-clock
	<-clock.After(1) // want wall-clock
	now := clock.Now // want wall-clock
	_ = now
	go violations() // want goroutine
	_ = rand.IntN(3) // want global-rand
	_ = rand.N(clock.Second) // want global-rand
	rand.Shuffle(2, func(i, j int) {}) // want global-rand
	_, _ = failpoint.Eval("sim/disk/fsyncEIO")
}

func allowed() {
	r := rand.New(rand.NewPCG(1, 2))
	_ = r.IntN(3)
	var src rand.Source = rand.NewChaCha8([32]byte{})
	_ = src
	var d clock.Duration = 3 * clock.Second
	_ = d.String()
	_ = "time.Now() and rand.IntN(3) in a string"
	// time.Now() and go f() in a comment
	rand := rand.New(rand.NewPCG(3, 4)) // a local variable that shadows the package
	_ = rand.IntN(5)
	_ = rand.Float64()
}
`

// TestScannerCatchesPlantedViolations is the planted-bug test of the
// checker: every line marked "want <rule>" must yield exactly that finding,
// and no other line may yield one.
func TestScannerCatchesPlantedViolations(t *testing.T) {
	res, err := scanFile(token.NewFileSet(), "planted.go", plantedSrc, "model/planted")
	if err != nil {
		t.Fatal(err)
	}
	want := make(map[int]string)
	for i, line := range strings.Split(plantedSrc, "\n") {
		if _, rule, ok := strings.Cut(line, "// want "); ok {
			want[i+1] = rule
		}
	}
	got := make(map[int]string)
	for _, f := range res.findings {
		if prev, dup := got[f.pos.Line]; dup {
			t.Errorf("line %d: two findings, %s and %s", f.pos.Line, prev, f.rule)
		}
		got[f.pos.Line] = f.rule
		if want[f.pos.Line] != f.rule {
			t.Errorf("unexpected finding %v", f)
		}
	}
	for line, rule := range want {
		if got[line] != rule {
			t.Errorf("line %d: missed %s violation", line, rule)
		}
	}
	if len(want) != 13 {
		t.Fatalf("planted source has %d marked lines, want 13", len(want))
	}
}

func TestScannerScopes(t *testing.T) {
	for _, tc := range []struct {
		name, src, relDir string
		rules             []string
		realworld         bool
	}{
		{"failpoint allowed in sim/fault", "package fault\nimport \"github.com/pingcap/failpoint\"\nvar _ = failpoint.Eval\n", "sim/fault", nil, false},
		{"failpoint flagged in engine", "package w\nimport \"github.com/pingcap/failpoint\"\nvar _ = failpoint.Eval\n", "engine/writer", []string{"failpoint-direct"}, false},
		{"marker exempts the file", "//simrun:realworld wall-clock benchmark\npackage b\nimport \"time\"\nvar _ = time.Now\n", "engine/bench", nil, true},
		{"marker must be exact", "// simrun:realworld\npackage b\nimport \"time\"\nvar _ = time.Now\n", "engine/bench", []string{"wall-clock"}, false},
		{"time.Now in a closure", "package c\nimport \"time\"\nvar f = func() { go func() { time.Sleep(1) }() }\n", "sim/c", []string{"goroutine", "wall-clock"}, false},
	} {
		res, err := scanFile(token.NewFileSet(), "x.go", tc.src, tc.relDir)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var rules []string
		for _, f := range res.findings {
			rules = append(rules, f.rule)
		}
		if !slices.Equal(rules, tc.rules) || res.realworld != tc.realworld {
			t.Errorf("%s: rules %v realworld %v, want %v %v", tc.name, rules, res.realworld, tc.rules, tc.realworld)
		}
	}
}

func TestIsWorldFile(t *testing.T) {
	for rel, want := range map[string]bool{
		"sim/loop.go":                  true,
		"sim/disk/disk.go":             true,
		"engine/writer/writer.go":      true,
		"model/collector/collector.go": true,
		"scenarios/syncpoint/build.go": true,
		"sim/loop_test.go":             false,
		"sim/disk/testdata/gen.go":     false,
		"engine/osdriver/file.go":      false,
		"engine/osdriver/sub/x.go":     false,
		"engine/osdriverx/x.go":        true,
		"engine/.hidden/x.go":          false,
		"reports/plot.go":              false,
		"cmd/simrun/main.go":           false,
		"sim/README.md":                false,
	} {
		if got := isWorldFile(rel); got != want {
			t.Errorf("isWorldFile(%q) = %v, want %v", rel, got, want)
		}
	}
}
