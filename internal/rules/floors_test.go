package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// modulePath is the import path of the module; floors name packages
// relative to it.
const modulePath = "github.com/redosim/redosim"

// floor is one row of the layer map: the packages a pattern names, the
// module packages they may depend on, and the standard-library packages
// they must not import directly. A pattern is a path relative to the
// module ("sim") or a path with "/..." ("sim/...": that package and every
// package below it); "..." alone is the whole module.
type floor struct {
	pkgs string
	may  []string
	// stdBanned is checked against direct imports only: every package
	// reaches os and sync through fmt, so a transitive check would say
	// nothing.
	stdBanned []string
}

// floors is the layer map of docs/ARCHITECTURE.md, ground floor first. A
// package's floor is its most specific row (an exact path beats a
// pattern, a longer pattern a shorter one); every package of the module
// must have one, and every row must name a package. Dependencies are
// transitive (go list's Deps), so a floor's may list covers what its
// imports bring along. Every package may also depend on internal/...,
// the basement of cross-cutting leaves.
var floors = []floor{
	{pkgs: "internal/..."},
	// The leaves: virtual time (so a sans-I/O core can take time as input
	// without the kernel) and the run-results schema (written by the
	// runner, read by the reports).
	{pkgs: "sim/vtime"},
	{pkgs: "results"},
	// sim: the world's physics.
	{pkgs: "sim", may: []string{"sim/vtime"}},
	{pkgs: "sim/...", may: []string{"sim/..."}},
	// engine: a general redo engine; TiCDC's on-disk format (engine/ticdc)
	// is one of its codecs, a leaf beside engine/codec. Its core is a
	// state machine that does no I/O and reads no clock.
	{pkgs: "engine/codec"},
	{pkgs: "engine/ticdc", may: []string{"engine/codec"}},
	{pkgs: "engine/core", may: []string{"engine/codec", "engine/ticdc", "sim/vtime"},
		stdBanned: []string{"os", "time", "sync", "sync/atomic", "syscall", "net", "math/rand", "math/rand/v2", "crypto/rand"}},
	{pkgs: "engine/...", may: []string{"engine/...", "sim/..."}},
	// model: the replication system, built on the engine and the physics.
	{pkgs: "model/...", may: []string{"model/...", "engine/...", "sim/..."}},
	// scenarios: named worlds; they write results.
	{pkgs: "scenarios/...", may: []string{"scenarios/...", "model/...", "engine/...", "sim/...", "results"}},
	// reports read results only: no model, engine, scenarios or kernel.
	{pkgs: "reports/...", may: []string{"reports/...", "results"}},
	// The CLI sits on top of everything.
	{pkgs: "cmd/...", may: []string{"..."}},
}

// basement is what every package may depend on.
const basement = "internal/..."

// pkgInfo is what the check needs of one package from go list.
type pkgInfo struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// edge is one violation of the map.
type edge struct {
	from, to, why string
}

func (e edge) String() string { return fmt.Sprintf("%s -> %s: %s", e.from, e.to, e.why) }

// matches reports whether pattern names the module-relative package rel.
func matches(pattern, rel string) bool {
	if pattern == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return rel == base || strings.HasPrefix(rel, base+"/")
	}
	return rel == pattern
}

// specificity orders patterns: an exact path beats any "/..." pattern, and
// a longer pattern a shorter one.
func specificity(pattern string) int {
	if pattern == "..." {
		return 0
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return 1 + len(base)
	}
	return 1 << 20
}

// floorOf returns the most specific floor naming rel, or false.
func floorOf(table []floor, rel string) (floor, bool) {
	best, found := floor{}, false
	for _, f := range table {
		if matches(f.pkgs, rel) && (!found || specificity(f.pkgs) > specificity(best.pkgs)) {
			best, found = f, true
		}
	}
	return best, found
}

// checkFloors returns every edge of pkgs that the table does not allow,
// and every row of the table that names no package, sorted by package
// and dependency.
func checkFloors(table []floor, pkgs []pkgInfo) []edge {
	var out []edge
	used := make(map[string]bool)
	for _, p := range pkgs {
		rel, ok := strings.CutPrefix(p.ImportPath, modulePath+"/")
		if !ok {
			continue // the module root has no package; others are not ours
		}
		f, ok := floorOf(table, rel)
		if !ok {
			out = append(out, edge{rel, "", "no floor: add the package to floors in internal/rules/floors_test.go"})
			continue
		}
		used[f.pkgs] = true
		for _, d := range p.Deps {
			dep, ok := strings.CutPrefix(d, modulePath+"/")
			if !ok || dep == rel || matches(basement, dep) {
				continue
			}
			if !slices.ContainsFunc(f.may, func(m string) bool { return matches(m, dep) }) {
				out = append(out, edge{rel, dep, fmt.Sprintf("floor %s may depend only on %v", f.pkgs, f.may)})
			}
		}
		for _, imp := range p.Imports {
			if slices.Contains(f.stdBanned, imp) {
				out = append(out, edge{rel, imp, fmt.Sprintf("floor %s must not import %s", f.pkgs, imp)})
			}
		}
	}
	for _, f := range table {
		if !used[f.pkgs] {
			out = append(out, edge{f.pkgs, "", "floor names no package: remove or fix the row"})
		}
	}
	slices.SortFunc(out, func(a, b edge) int {
		if c := strings.Compare(a.from, b.from); c != 0 {
			return c
		}
		return strings.Compare(a.to, b.to)
	})
	return out
}

// listPackages runs go list in root over every package of the module
// (extra flags such as -overlay go first) and decodes its JSON stream.
func listPackages(t *testing.T, root string, extra ...string) []pkgInfo {
	t.Helper()
	args := append([]string{"list"}, extra...)
	args = append(args, "-json=ImportPath,Imports,Deps", "./...")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	var pkgs []pkgInfo
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkgInfo
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}

// TestFloors checks every package of the module against the layer map:
// no package depends on a floor above its own (or beside it, where the
// map does not say so), and engine/core imports no I/O, clock or
// randomness from the standard library. Method: go list's transitive Deps
// for every package, checked against floors.
func TestFloors(t *testing.T) {
	for _, e := range checkFloors(floors, listPackages(t, moduleRoot(t))) {
		t.Error(e)
	}
}

// TestFloorsCatchPlantedEdges plants upward edges into the real tree
// through a go list overlay (no file on disk changes) and checks that the
// floors check reports exactly them: engine/core importing the kernel and
// os, reports importing the model, and sim importing the engine.
func TestFloorsCatchPlantedEdges(t *testing.T) {
	root := moduleRoot(t)
	dir := t.TempDir()
	planted := map[string]string{
		"engine/core/zz_planted.go": `package core; import (_ "os"; _ "` + modulePath + `/sim")`,
		"reports/zz_planted.go":     `package reports; import _ "` + modulePath + `/model/tso"`,
		"sim/disk/zz_planted.go":    `package disk; import _ "` + modulePath + `/engine/codec"`,
	}
	overlay := map[string]map[string]string{"Replace": {}}
	for rel, src := range planted {
		tmp := filepath.Join(dir, strings.ReplaceAll(rel, "/", "_"))
		if err := os.WriteFile(tmp, []byte(src+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		overlay["Replace"][filepath.Join(root, filepath.FromSlash(rel))] = tmp
	}
	js, err := json.Marshal(overlay)
	if err != nil {
		t.Fatal(err)
	}
	overlayFile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayFile, js, 0o644); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range checkFloors(floors, listPackages(t, root, "-overlay", overlayFile)) {
		got[e.from+" -> "+e.to] = true
	}
	// Each plant must be reported; what a plant brings along (model/tso
	// pulls in the kernel) and the packages importing a planted one
	// (reports' sample report) are reported too, but depend on the tree.
	for _, want := range []string{
		"engine/core -> os",
		"engine/core -> sim",
		"reports -> model/tso",
		"sim/disk -> engine/codec",
	} {
		if !got[want] {
			t.Errorf("planted edge %s not reported; reported: %v", want, slices.Sorted(maps.Keys(got)))
		}
	}
}

// TestFloorsTable checks the table's own rules on a made-up module: the
// most specific row decides, a package without a row fails, a row without
// a package fails, and the basement is open to every floor.
func TestFloorsTable(t *testing.T) {
	table := []floor{
		{pkgs: "internal/..."},
		{pkgs: "a"},
		{pkgs: "a/..."},
		{pkgs: "b/...", may: []string{"a/..."}},
		{pkgs: "b/tight", may: []string{"a"}},
		{pkgs: "gone"},
	}
	m := func(rel string) string { return modulePath + "/" + rel }
	pkgs := []pkgInfo{
		{ImportPath: m("internal/check")},
		{ImportPath: m("a")},
		{ImportPath: m("a/x"), Deps: []string{m("internal/check")}},
		{ImportPath: m("b"), Deps: []string{m("a"), m("a/x"), "fmt"}},
		{ImportPath: m("b/tight"), Deps: []string{m("a"), m("a/x")}},
		{ImportPath: m("c")},
	}
	var got []string
	for _, e := range checkFloors(table, pkgs) {
		got = append(got, e.from+" -> "+e.to)
	}
	want := []string{"b/tight -> a/x", "c -> ", "gone -> "}
	if !slices.Equal(got, want) {
		t.Errorf("violations = %q, want %q", got, want)
	}
}
