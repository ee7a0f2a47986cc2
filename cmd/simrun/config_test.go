package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigFile: a -config scenario file stands for the flags, and flags
// given on the command line win over it.
func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "smoke.toml", `# a scenario file
scenario = "smoke"
seed = 3
duration = "2s"
variants = ["default"]
[set]
rows-per-second = 500
ping-interval = "20ms"
policy = "interval"
`)
	w := oneJSONWorld(t, run1(t, exitOK, "-config", path, "-json"))
	if w.Scenario != "smoke" || w.Seed != 3 || w.SimSeconds != 2 {
		t.Errorf("world %+v", w)
	}
	for _, want := range []string{"-set ping-interval=20ms", "-set policy=interval", "-set rows-per-second=500"} {
		if !strings.Contains(w.Command, want) {
			t.Errorf("command %q lacks %q", w.Command, want)
		}
	}
	// Flags win: seed, duration, and a -set of a key the file sets too.
	w = oneJSONWorld(t, run1(t, exitOK, "-config", path, "-json", "-seed", "5", "-duration", "1s", "-set", "rows-per-second=700"))
	if w.Seed != 5 || w.SimSeconds != 1 || !strings.Contains(w.Command, "-set rows-per-second=700") ||
		strings.Contains(w.Command, "rows-per-second=500") {
		t.Errorf("flags did not win: %+v", w)
	}

	seeds := writeFile(t, dir, "seeds.toml", "scenario = \"smoke\"\nseeds = 2\nduration = \"1s\"\n")
	if r := run1(t, exitOK, "-config", seeds, "-json"); strings.Count(r.stdout, "\n") != 2 {
		t.Errorf("seeds = 2 ran:\n%s", r.stdout)
	}
	rng := writeFile(t, dir, "range.toml", "scenario = \"smoke\"\nseed-range = \"7..8\"\nduration = \"1s\"\n")
	if h := jsonHashes(t, run1(t, exitOK, "-config", rng, "-json").stdout); len(h) != 2 || h[7] == "" || h[8] == "" {
		t.Errorf("seed-range = \"7..8\" ran %v", h)
	}
}

func oneJSONWorld(t *testing.T, r cliResult) jsonWorld {
	t.Helper()
	var w jsonWorld
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &w); err != nil {
		t.Fatalf("stdout is not one JSON world: %v\n%s", err, r.stdout)
	}
	return w
}

// TestConfigFileBad: every bad -config exits 2 naming the file and the
// key or value.
func TestConfigFileBad(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, toml string
		want       []string
	}{
		{"not TOML", "scenario = \n", []string{"-config"}},
		{"unclosed table", "scenario = \"smoke\"\n[set\n", []string{"-config"}},
		{"unknown key", "scenario = \"smoke\"\nspeed = 3\n", []string{"-config", `unknown key "speed"`}},
		{"unknown key in a table", "scenario = \"smoke\"\n[faults]\nat = 1\n", []string{"-config", "faults"}},
		{"seeds a string", "scenario = \"smoke\"\nseeds = \"five\"\n", []string{"-config", "seeds"}},
		{"seed negative", "scenario = \"smoke\"\nseed = -1\n", []string{"-config", "seed -1"}},
		{"seeds negative", "scenario = \"smoke\"\nseeds = -2\n", []string{"seeds -2"}},
		{"seed-range reversed", "scenario = \"smoke\"\nseed-range = \"9..1\"\n", []string{"-seed-range", `"9..1"`}},
		{"variants not a list", "scenario = \"smoke\"\nvariants = \"default\"\n", []string{"-config", "variants"}},
		{"unknown variant", "scenario = \"smoke\"\nvariants = [\"fast\"]\n", []string{"-variants", `"fast"`}},
		{"unknown scenario", "scenario = \"smok\"\n", []string{"-scenario", `"smok"`}},
		{"no scenario", "seed = 1\n", []string{"no -scenario given"}},
		{"bad duration", "scenario = \"smoke\"\nduration = \"long\"\n", []string{"-duration", `"long"`}},
		{"set unknown key", "scenario = \"smoke\"\n[set]\nnode = 3\n", []string{"-set", `"node"`}},
		{"set bad int", "scenario = \"smoke\"\n[set]\nnodes = 2.5\n", []string{"nodes", `"2.5"`}},
		{"set bad duration", "scenario = \"smoke\"\n[set]\nping-interval = 10\n", []string{"ping-interval", `"10"`}},
		{"set bad choice", "scenario = \"smoke\"\n[set]\npolicy = \"os\"\n", []string{"policy", `"os"`}},
		{"bad faults", "scenario = \"smoke\"\nfaults = \"oops\"\n", []string{"-faults", `"oops"`}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, dir, fmt.Sprintf("c%d.toml", i), c.toml)
			r := run1(t, exitUsage, "-config", path)
			r.stderrHas(t, c.want...)
			if traceHashLine.MatchString(r.stdout) {
				t.Errorf("a rejected configuration ran worlds:\n%s", r.stdout)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(dir, "nope.toml")
		run1(t, exitUsage, "-config", path).stderrHas(t, "-config", path)
	})
}
