package scenarios

import (
	"slices"
	"testing"

	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
)

// runHeld runs one world of the named scenario and fails the test unless
// it evaluated and held every invariant.
func runHeld(t *testing.T, spec Spec, name string) *results.World {
	t.Helper()
	sc, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	spec.Scenario = sc
	out, err := Run(spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.World.Invariants) == 0 {
		t.Fatalf("%s/%s: no invariant checked", name, spec.Variant)
	}
	for _, inv := range out.World.Invariants {
		if !inv.Held {
			t.Fatalf("%s/%s seed %d: invariant %s violated: %+v", name, spec.Variant, spec.Seed, inv.Name, inv.First)
		}
	}
	return out.World
}

// scalar returns a world's per-world metric.
func scalar(t *testing.T, w *results.World, metric string) float64 {
	t.Helper()
	for _, s := range w.Scalars {
		if s.Metric == metric {
			return s.Value
		}
	}
	t.Fatalf("%s/%s: no scalar %s", w.Scenario, w.Variant, metric)
	return 0
}

// sampleMedian returns the median of a world's distribution metric.
func sampleMedian(t *testing.T, w *results.World, metric string) float64 {
	t.Helper()
	for _, s := range w.Samples {
		if s.Metric == metric && len(s.Values) > 0 {
			v := slices.Clone(s.Values)
			slices.Sort(v)
			return v[len(v)/2]
		}
	}
	t.Fatalf("%s/%s: no sample %s", w.Scenario, w.Variant, metric)
	return 0
}

// TestRedoLagFenceAndInterval runs redo-lag briefly. The prefix fence
// hands on the part of a batch at or below redoGlobalTs at once, so fewer
// events sit in fence caches than under TiCDC's batch fence, which holds
// the covered prefix too (issue #6026). And a shorter flush-interval
// shortens the redo lag: the writer flush and the collect tick both run
// at that interval (docs/FIDELITY.md section 8).
func TestRedoLagFenceAndInterval(t *testing.T) {
	spec := func(variant string) Spec { return Spec{Variant: variant, Seed: 3, Duration: 60 * sim.Second} }
	batch := runHeld(t, spec("batch-2s"), "redo-lag")
	prefix := runHeld(t, spec("prefix-2s"), "redo-lag")
	fast := runHeld(t, spec("batch-500ms"), "redo-lag")
	hb, hp := scalar(t, batch, "fence_held_events"), scalar(t, prefix, "fence_held_events")
	if !(hp < hb) {
		t.Errorf("events held in fence caches: prefix %.1f, batch %.1f: want prefix lower", hp, hb)
	}
	lb, lf := scalar(t, batch, "redo_lag_mean"), scalar(t, fast, "redo_lag_mean")
	if !(lf < lb) {
		t.Errorf("mean redo lag: flush-interval 500ms %.2fs, 2s %.2fs: want 500ms lower", lf, lb)
	}
	t.Logf("fence_held_events batch %.0f prefix %.0f; redo_lag_mean 2s %.2fs 500ms %.2fs", hb, hp, lb, lf)
}
