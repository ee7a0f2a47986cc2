package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redosim/redosim/scenarios"
)

// regenDescribe rewrites the -list and -describe goldens.
const regenDescribe = "go test ./cmd/simrun -run Describe -update"

// TestDescribeGolden pins `simrun -describe NAME` for every scenario in
// the catalogue against testdata/describe/NAME.golden: the parameters
// (key, kind, default, doc), variants, metrics and invariants a user reads
// before running. A new scenario fails here until its golden is written.
func TestDescribeGolden(t *testing.T) {
	all := scenarios.All()
	if len(all) == 0 {
		t.Fatal("scenarios.All() is empty")
	}
	names := map[string]bool{}
	for _, sc := range all {
		names[sc.Name] = true
		t.Run(sc.Name, func(t *testing.T) {
			r := run1(t, exitOK, "-describe", sc.Name)
			if r.stderr != "" {
				t.Errorf("stderr not empty: %s", r.stderr)
			}
			for _, p := range sc.Params {
				if !strings.Contains(r.stdout, "  "+p.Key+" ") {
					t.Errorf("-describe %s does not list parameter %s", sc.Name, p.Key)
				}
			}
			for _, inv := range sc.Invariants {
				if !strings.Contains(r.stdout, "  "+inv.Name+" ") {
					t.Errorf("-describe %s does not list invariant %s", sc.Name, inv.Name)
				}
			}
			checkGolden(t, filepath.Join("testdata", "describe", sc.Name+".golden"), r.stdout, regenDescribe)
		})
	}
	// A golden whose scenario is gone is stale: say so rather than keep it.
	entries, err := os.ReadDir(filepath.Join("testdata", "describe"))
	if err != nil && !*update {
		t.Fatal(err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".golden")
		if ok && !names[name] {
			t.Errorf("testdata/describe/%s: no scenario %q any more; delete the file", e.Name(), name)
		}
	}
}

// TestDescribeListGolden pins `simrun -list` (every scenario, sorted, with
// its summary) against testdata/describe/list.golden.
func TestDescribeListGolden(t *testing.T) {
	r := run1(t, exitOK, "-list")
	for _, sc := range scenarios.All() {
		if !strings.HasPrefix(r.stdout, sc.Name) && !strings.Contains(r.stdout, "\n"+sc.Name+" ") {
			t.Errorf("-list lacks %s", sc.Name)
		}
	}
	checkGolden(t, filepath.Join("testdata", "list.golden"), r.stdout, regenDescribe)
}

// TestDescribeUnknown: an unknown scenario is a usage error naming it
// and listing the ones there are.
func TestDescribeUnknown(t *testing.T) {
	r := run1(t, exitUsage, "-describe", "no-such-world")
	r.stderrHas(t, "-describe", `"no-such-world"`, "smoke", "syncpoint")
	if r.stdout != "" {
		t.Errorf("stdout not empty: %q", r.stdout)
	}
}

// TestDescribeWrap: the doc paragraph folds at 78 columns and keeps every
// word.
func TestDescribeWrap(t *testing.T) {
	doc := strings.Repeat("abcdefghij ", 30) + "supercalifragilisticexpialidocious"
	got := wrap(doc, 78)
	for _, line := range strings.Split(got, "\n") {
		if len(line) > 78 {
			t.Errorf("line of %d columns: %q", len(line), line)
		}
	}
	if strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(doc), " ") {
		t.Errorf("wrap lost words: %q", got)
	}
}
