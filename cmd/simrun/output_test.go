package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/redosim/redosim/scenarios"
)

// dirBytes is the total size of the files under dir.
func dirBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			total += info.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// TestOutputBounded: one default syncpoint world (600 s, 64 tables) writes
// at most 10 MB with -out, keeps no per-dispatcher series unless asked,
// embeds its figures in index.html, and prints progress while the report is
// written.
func TestOutputBounded(t *testing.T) {
	out := t.TempDir()
	r := run1(t, 0, "-scenario", "syncpoint", "-variants", "v2-4950", "-seed", "1", "-out", out)
	if n := dirBytes(t, out); n > 10<<20 {
		t.Errorf("one default world wrote %d bytes, budget 10 MiB", n)
	}
	if !strings.Contains(r.stdout, "report: figures") {
		t.Errorf("no progress line while the report was written:\n%s", r.stdout)
	}
	world, err := os.ReadFile(filepath.Join(out, "worlds", "v2-4950-s1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(world), `"key":"dispatcher"`) {
		t.Errorf("per-dispatcher series written without -dispatcher-series")
	}
	html, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(html), `src="plots/`) || !strings.Contains(string(html), `src="data:image/png;base64,`) {
		t.Errorf("index.html does not embed its figures")
	}
	full := t.TempDir()
	run1(t, 0, "-scenario", "syncpoint", "-variants", "v2-4950", "-seed", "1", "-duration", "30s", "-dispatcher-series", "-quiet", "-out", full)
	world, err = os.ReadFile(filepath.Join(full, "worlds", "v2-4950-s1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(world), `"key":"dispatcher"`) {
		t.Errorf("-dispatcher-series did not keep the per-dispatcher series")
	}
}

// TestListFaults: one line per catalogue entry, planted bugs included.
func TestListFaults(t *testing.T) {
	r := run1(t, exitOK, "-list-faults")
	for _, p := range scenarios.Catalogue() {
		if !strings.Contains(r.stdout, "  "+p.Name+" ") {
			t.Errorf("-list-faults lacks %s", p.Name)
		}
	}
	for _, want := range []string{"Planted bugs", "bug/model/bypassFence", "Scheduled actions", "node.crash"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("-list-faults lacks %q", want)
		}
	}
}

// TestJSONHeadlineMetrics: -json carries the headline metrics, and keeps
// "sim_seconds" and "wall_seconds" adjacent in that order (tooling greps
// them).
func TestJSONHeadlineMetrics(t *testing.T) {
	r := run1(t, exitOK, "-scenario", "syncpoint", "-variants", "v2-4950", "-duration", "20s", "-json", "-quiet")
	if !regexp.MustCompile(`"sim_seconds":[0-9.e+]+,"wall_seconds":[0-9.e+-]+`).MatchString(r.stdout) {
		t.Errorf("sim_seconds and wall_seconds not adjacent: %s", r.stdout)
	}
	var w jsonWorld
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &w); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, m := range w.Metrics {
		names[m.Name] = true
		if m.Value == nil && m.P99 == nil {
			t.Errorf("metric %s has no value", m.Name)
		}
	}
	for _, want := range []string{"checkpoint_lag_p99", "throughput", "barrier_duration"} {
		if !names[want] {
			t.Errorf("-json lacks headline metric %s: %v", want, w.Metrics)
		}
	}
}

// TestPlanFaultsReported: fault points and planted bugs of -faults appear
// in the report's faults table.
func TestPlanFaultsReported(t *testing.T) {
	out := t.TempDir()
	run1(t, exitOK, "-scenario", "smoke", "-duration", "10s", "-faults", "sim/disk/fsyncEIO@5s", "-quiet", "-out", out)
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| sim/disk/fsyncEIO | fault point | 5 s | instant |") {
		t.Errorf("the fault point is not in the faults table")
	}
}

// TestWhatRan: a zero that the model would replace with its default is
// refused; a -set that overrides a variant's own value is warned on stdout
// and listed in the report, whose parameter table shows each variant's own
// values.
func TestWhatRan(t *testing.T) {
	run1(t, exitUsage, "-scenario", "syncpoint", "-set", "tables=0", "-duration", "1s").stderrHas(t, "tables=0: 0 is not meaningful")
	run1(t, exitUsage, "-scenario", "syncpoint", "-set", "nodes=0", "-duration", "1s").stderrHas(t, "nodes=0")
	out := t.TempDir()
	r := run1(t, exitOK, "-scenario", "redo-lag", "-variants", "batch-2s,prefix-1s", "-set", "flush-interval=500ms", "-duration", "5s", "-out", out)
	r.stdoutHas(t, "simrun: warning: flush-interval=500ms (from -set or -changefeed-config) overrides variant batch-2s's own flush-interval=2000ms")
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "Warning from the run: flush-interval=500ms") {
		t.Errorf("the report does not list the override warning")
	}
	if !strings.Contains(string(md), "| `fence` | **`batch`** | **`prefix`** |") {
		t.Errorf("the parameter table does not show each variant's fence")
	}
}
