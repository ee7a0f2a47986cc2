package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/redosim/redosim/reports"
	"github.com/redosim/redosim/results"
)

// Output budget of make sim (simrun -scenario syncpoint -seeds 4 -out DIR):
// 3 variants × 4 seeds = 12 worlds of 600 s, trace.json holding the first
// seed of each variant (3 worlds). What grows with simulated time is a
// world's file, its rows of timeseries.csv and, for a traced world, its
// part of trace.json; the report (index.html with its embedded figures,
// plots/, report.md, summary.json, run.json) does not grow with time:
// reportBytes, a little above the 3.74 MB make sim wrote.
const (
	simWorlds       = 12
	simTracedWorlds = 3
	simMinutes      = 10
	simBudget       = 20_000_000 // all of make sim's -out
	worldBudget     = 10_000_000 // -out of one default world
	reportBytes     = 3_800_000

	// What each kind may add per world and simulated minute: about 1.2×
	// what one world adds from 60 s to 120 s (CSV 68 KB, world file 36 KB,
	// trace 77 KB; over a whole 600 s world 66, 36 and 72 KB a minute).
	csvPerMinute   = 82_000
	worldPerMinute = 43_000
	tracePerMinute = 92_000
)

// outputSizes is what one world's -out holds of the kinds that grow with
// simulated time.
type outputSizes struct{ csv, world, trace int64 }

func (a outputSizes) minus(b outputSizes) outputSizes {
	return outputSizes{a.csv - b.csv, a.world - b.world, a.trace - b.trace}
}

// worldOutput runs the default syncpoint world v2-4950 seed 1 for duration
// and measures its output.
func worldOutput(t *testing.T, duration string) outputSizes {
	t.Helper()
	out := t.TempDir()
	run1(t, 0, "-scenario", "syncpoint", "-variants", "v2-4950", "-seed", "1", "-duration", duration, "-quiet", "-out", out)
	size := func(rel string) int64 {
		t.Helper()
		st, err := os.Stat(filepath.Join(out, rel))
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	return outputSizes{size("timeseries.csv"), size("worlds/v2-4950-s1.json"), size("trace.json")}
}

// TestOutputBudget measures one default syncpoint world at 60 s and at
// 120 s, and extrapolates linearly (what one more minute adds, from what
// the first minute wrote) to make sim's 12 worlds of 600 s: each kind
// within its per-minute budget, make sim within 20 MB and one default
// world within 10 MB. The first minute writes a little more than a later
// one, and a later one about what the second does, so the line is close:
// it projects 18.9 MB where make sim writes 18.3 MB.
func TestOutputBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("runs worlds of 60 s and 120 s at TiCDC's constants")
	}
	m1, m2 := worldOutput(t, "60s"), worldOutput(t, "120s")
	rate := m2.minus(m1)
	fixed := m1.minus(rate)
	for _, k := range []struct {
		name        string
		got, budget int64
	}{{"timeseries.csv", rate.csv, csvPerMinute}, {"world file", rate.world, worldPerMinute}, {"trace.json", rate.trace, tracePerMinute}} {
		t.Logf("%s: %d bytes a simulated minute (budget %d)", k.name, k.got, k.budget)
		if k.got > k.budget {
			t.Errorf("%s: a world's second minute wrote %d bytes, budget %d", k.name, k.got, k.budget)
		}
	}
	at := func(minutes int64) outputSizes {
		return outputSizes{fixed.csv + minutes*rate.csv, fixed.world + minutes*rate.world, fixed.trace + minutes*rate.trace}
	}
	w := at(simMinutes)
	sim := simWorlds*(w.csv+w.world) + simTracedWorlds*w.trace + reportBytes
	one := w.csv + w.world + w.trace + reportBytes
	t.Logf("projected: make sim %d bytes, one 600 s world %d bytes", sim, one)
	if sim > simBudget {
		t.Errorf("make sim would write %d bytes, budget %d", sim, simBudget)
	}
	if one > worldBudget {
		t.Errorf("one default world would write %d bytes, budget %d", one, worldBudget)
	}
}

// TestThinnedWorldsKeepTheReport: the world files -out writes by default
// (undocumented series at reports.CSVCoarseStep, spans and regular times
// as columns) render byte for byte the report that world files with every
// sample render: the same index.html, report.md, summary.json,
// timeseries.csv, trace.json and plots.
func TestThinnedWorldsKeepTheReport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 30 s world at TiCDC's constants")
	}
	full := t.TempDir()
	run1(t, 0, "-scenario", "syncpoint", "-variants", "v2-4950", "-seed", "1", "-duration", "30s", "-full-csv", "-quiet", "-out", full)
	run, worlds, err := results.Load(full)
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range run.Metrics {
		documented[m.Name] = true
	}
	thin := t.TempDir()
	if err := results.WriteRun(thin, run); err != nil {
		t.Fatal(err)
	}
	thinned := 0
	for _, w := range worlds {
		tw := undocumentedThinned(w, documented)
		for i := range tw.Series {
			thinned += len(w.Series[i].Points) - len(tw.Series[i].Points)
		}
		if err := results.WriteWorld(thin, tw); err != nil {
			t.Fatal(err)
		}
	}
	if thinned == 0 {
		t.Fatal("nothing thinned: the test compares nothing")
	}
	a, b := t.TempDir(), t.TempDir()
	if err := reports.RenderDirs(a, reports.Options{}, full); err != nil {
		t.Fatal(err)
	}
	if err := reports.RenderDirs(b, reports.Options{}, thin); err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		want, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			return err
		}
		files++
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs when rendered from the thinned world files", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 10 {
		t.Errorf("only %d report files compared", files)
	}
}
