package scenarios

import (
	"fmt"
	"slices"
	"testing"

	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
)

// runHeldWorld runs one world of the named scenario and fails the test if
// the run errs or any invariant is violated.
func runHeldWorld(t *testing.T, name, variant string, seed uint64, d sim.Duration, set map[string]string) *results.World {
	t.Helper()
	sc, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Run(Spec{Scenario: sc, Variant: variant, Seed: seed, Duration: d, Set: set})
	if err != nil {
		t.Fatalf("%s/%s: %v", name, variant, err)
	}
	for _, inv := range out.World.Invariants {
		if !inv.Held {
			t.Fatalf("%s/%s seed %d: invariant %s violated: %+v (replay: %s)", name, variant, seed, inv.Name, inv.First, out.World.Command)
		}
	}
	return out.World
}

// runWorldAllowing is runHeldWorld, except that the invariants named in
// allowed may fail; it returns the world and those that did.
func runWorldAllowing(t *testing.T, name, variant string, seed uint64, d sim.Duration, set map[string]string, allowed ...string) (*results.World, map[string]string) {
	t.Helper()
	sc, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Run(Spec{Scenario: sc, Variant: variant, Seed: seed, Duration: d, Set: set})
	if err != nil {
		t.Fatalf("%s/%s: %v", name, variant, err)
	}
	failed := map[string]string{}
	for _, inv := range out.World.Invariants {
		switch {
		case inv.Held:
		case slices.Contains(allowed, inv.Name):
			failed[inv.Name] = fmt.Sprint(inv.First)
		default:
			t.Fatalf("%s/%s seed %d: invariant %s violated: %+v (replay: %s)", name, variant, seed, inv.Name, inv.First, out.World.Command)
		}
	}
	return out.World, failed
}

// scalarOf returns a world's scalar and whether it was recorded.
func scalarOf(w *results.World, metric string) (float64, bool) {
	for _, s := range w.Scalars {
		if s.Metric == metric {
			return s.Value, true
		}
	}
	return 0, false
}

// mustScalar returns a world's scalar or fails the test.
func mustScalar(t *testing.T, w *results.World, metric string) float64 {
	t.Helper()
	v, ok := scalarOf(w, metric)
	if !ok {
		t.Fatalf("%s/%s: no scalar %s", w.Scenario, w.Variant, metric)
	}
	return v
}

// TestFastSlowWindowNarrowsGap runs both arms for 3 minutes: the
// invariants hold, and congestion control v2 with PR #4950's window keeps
// the slow tables closer to the fast ones than v1 does (a smaller gap, a
// fairer spread of lag, a smaller share of an area held by one path). At
// TiCDC's constants (seed 2: gap 83 s against 33 s, largest path share
// 0.63 against 0.21) the old claim that v1 swamps the redo area more does
// not hold (redo usage p99 0.02 against 0.16), so it is not asserted.
// Reference: TiCDC PR #4950, docs/FIDELITY.md (scan window).
func TestFastSlowWindowNarrowsGap(t *testing.T) {
	// Not parallel: a world at TiCDC's constants under pressure holds
	// gigabytes (its redo log above the checkpoint); one at a time.
	const seed = 2
	v1 := runHeldWorld(t, "fast-slow", "v1", seed, 3*sim.Minute, nil)
	v2 := runHeldWorld(t, "fast-slow", "v2-4950", seed, 3*sim.Minute, nil)
	for _, m := range []string{"fast_slow_gap_p99", "lag_fairness", "usage_redo_p99", "path_share_p99", "dispatcher_quota_skips", "throughput"} {
		t.Logf("%-24s v1 %8.3f  v2-4950 %8.3f", m, mustScalar(t, v1, m), mustScalar(t, v2, m))
	}
	if g1, g2 := mustScalar(t, v1, "fast_slow_gap_p99"), mustScalar(t, v2, "fast_slow_gap_p99"); g1 <= g2 {
		t.Errorf("fast_slow_gap_p99: v1 %.1f s <= v2-4950 %.1f s, want the window to narrow the gap", g1, g2)
	}
	if f1, f2 := mustScalar(t, v1, "lag_fairness"), mustScalar(t, v2, "lag_fairness"); f1 >= f2 {
		t.Errorf("lag_fairness: v1 %.3f >= v2-4950 %.3f, want v2 fairer", f1, f2)
	}
	if p1, p2 := mustScalar(t, v1, "path_share_p99"), mustScalar(t, v2, "path_share_p99"); p1 <= p2 {
		t.Errorf("path_share_p99: v1 %.2f <= v2-4950 %.2f, want the window to keep one path from holding the area", p1, p2)
	}
	if f := mustScalar(t, v2, "lag_fairness"); f <= 0 || f > 1 {
		t.Errorf("lag_fairness %v outside (0, 1]", f)
	}
}

// TestJainIndex pins the fairness index's ends.
func TestJainIndex(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want float64
	}{{nil, 1}, {[]float64{3, 3, 3}, 1}, {[]float64{5, 0, 0, 0}, 0.25}, {[]float64{1, 3}, 0.8}} {
		if got := jainIndex(c.xs); got < c.want-1e-9 || got > c.want+1e-9 {
			t.Errorf("jainIndex(%v) = %v, want %v", c.xs, got, c.want)
		}
	}
}
