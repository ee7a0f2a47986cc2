package scenarios

import (
	"testing"

	"github.com/redosim/redosim/sim"
)

// TestScanWindowReacts slows the downstream from 60 s to 150 s of a 3
// minute world: the invariants hold under every window; without a window
// there is no interval to shrink; PR #4030's tiered window shrinks its
// interval while the slowdown lasts and further than PR #4950's, whose
// brakes are gentler (a 5 s floor outside emergencies). At TiCDC's 1 GiB
// the area takes about a minute to fill (62 s for seed 1), so the reaction
// is bounded by the slowdown, not by seconds as in the old 4 MiB world. The slowdown is recorded as
// a fault. Reference: TiCDC PRs #4030 and #4950, docs/FIDELITY.md section 2.
func TestScanWindowReacts(t *testing.T) {
	// Not parallel: a world at TiCDC's constants under pressure holds
	// gigabytes (its redo log above the checkpoint); one at a time.
	const seed = 1
	set := map[string]string{"stall-from": "60s", "stall-until": "150s"}
	none := runHeldWorld(t, "scan-window", "none", seed, 3*sim.Minute, set)
	w4030 := runHeldWorld(t, "scan-window", "v2-4030", seed, 3*sim.Minute, set)
	w4950 := runHeldWorld(t, "scan-window", "v2-4950", seed, 3*sim.Minute, set)
	if _, ok := scalarOf(none, "interval_min_stall"); ok {
		t.Errorf("none recorded a scan interval: it has no window")
	}
	before, during := mustScalar(t, w4030, "interval_before"), mustScalar(t, w4030, "interval_min_stall")
	t.Logf("v2-4030: interval %.2f s before, %.2f s min during; v2-4950 min %.2f s", before, during, mustScalar(t, w4950, "interval_min_stall"))
	if during >= before {
		t.Errorf("v2-4030 interval %.2f s during the slowdown, %.2f s before: want it to shrink", during, before)
	}
	if r := mustScalar(t, w4030, "reaction_seconds"); r >= 90 {
		t.Errorf("v2-4030 reacted after %.0f s, want within the 90 s slowdown", r)
	}
	if m := mustScalar(t, w4950, "interval_min_stall"); during >= m {
		t.Errorf("v2-4030 min interval %.2f s >= v2-4950's %.2f s, want 4030 to brake harder", during, m)
	}
	found := false
	for _, f := range w4030.Faults {
		found = found || (f.Kind == "downstream.stall" && f.At == 60 && f.Until == 150)
	}
	if !found {
		t.Errorf("the slowdown is not recorded as a fault: %+v", w4030.Faults)
	}
}
