package scenarios

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/redosim/redosim/sim"
)

var updateHashes = flag.Bool("update-hashes", false, "rewrite testdata/trace_hashes.txt with the hashes of this tree")

// hashWorlds is the fixed set of worlds whose trace hashes are pinned in
// testdata/trace_hashes.txt: one short world of each changefeed scenario
// and of the engine worlds. An optimisation must leave every hash as it
// was; a change of behaviour rewrites the file (-update-hashes) and says
// why in its commit.
var hashWorlds = []struct {
	scenario, variant string
	seed              uint64
	duration          sim.Duration
	set               map[string]string
}{
	{"smoke", "", 7, 0, nil},
	{"syncpoint", "none", 1, 40 * sim.Second, nil},
	{"syncpoint", "v2-4030", 2, 40 * sim.Second, nil},
	{"syncpoint", "v2-4950", 3, 40 * sim.Second, nil},
	{"syncpoint", "v2-4950", 1, 5 * sim.Second, map[string]string{"tables": "1000", "rows-per-second": "20000", "memory-quota": "1GiB"}},
	{"fast-slow", "", 1, 30 * sim.Second, nil},
	{"memory-pressure", "", 1, 30 * sim.Second, nil},
	{"crash-loop", "", 4, 60 * sim.Second, nil},
	{"scan-window", "", 1, 30 * sim.Second, nil},
	{"redo-lag", "", 1, 20 * sim.Second, nil},
	{"disaster", "", 1, 30 * sim.Second, nil},
}

// TestTraceHashesPinned runs every world of hashWorlds and compares its
// trace hash with the pinned one.
func TestTraceHashesPinned(t *testing.T) {
	var lines []string
	for _, hw := range hashWorlds {
		sc, err := Lookup(hw.scenario)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Run(Spec{Scenario: sc, Variant: hw.variant, Seed: hw.seed, Duration: hw.duration, Set: hw.set})
		if err != nil {
			t.Fatalf("%s/%s seed %d: %v", hw.scenario, hw.variant, hw.seed, err)
		}
		lines = append(lines, fmt.Sprintf("%s %s %d %s %s %s", hw.scenario, orDash(hw.variant), hw.seed, hw.duration, setString(hw.set), out.World.TraceHash))
	}
	path := filepath.Join("testdata", "trace_hashes.txt")
	got := strings.Join(lines, "\n") + "\n"
	if *updateHashes {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-hashes to create it)", err)
	}
	if string(want) != got {
		t.Errorf("trace hashes changed (an optimisation must not change them; a behaviour change rewrites them with -update-hashes and says why):\n--- pinned\n%s--- now\n%s", want, got)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func setString(set map[string]string) string {
	if len(set) == 0 {
		return "-"
	}
	var kv []string
	for k, v := range set {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, ",")
}
