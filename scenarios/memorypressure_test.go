package scenarios

import (
	"testing"

	"github.com/redosim/redosim/results"
)

// TestMemoryPressureBreakerAtTiCDCConstants runs the default 10 minute
// world (1 GiB, one node, a downstream that cannot keep up) with the
// breaker on and off for one seed: the invariants hold in both; with the
// breaker off nothing is released, with it on paths are released; and at
// TiCDC's constants neither arm deadlocks: the checkpoint stands still at
// most while a syncpoint barrier waits for the slow tables (under two
// syncpoint intervals), and moves again. (In the old world, at 768 KiB
// with TiCDC's scan cost and feedback period unscaled, the breaker-off arm
// stuck for good; that stall was the scaling's, see README's findings.)
func TestMemoryPressureBreakerAtTiCDCConstants(t *testing.T) {
	// Not parallel: a world at TiCDC's constants under pressure holds
	// gigabytes (its redo log above the checkpoint); one at a time.
	const seed = 2
	on := runHeldWorld(t, "memory-pressure", "breaker-on", seed, 0, nil)
	off := runHeldWorld(t, "memory-pressure", "breaker-off", seed, 0, nil)
	for _, m := range []string{"stalled_seconds", "longest_stall", "stall_at_end", "releases", "throughput", "usage_max"} {
		t.Logf("%-16s on %8.2f  off %8.2f", m, mustScalar(t, on, m), mustScalar(t, off, m))
	}
	if r := mustScalar(t, off, "releases"); r != 0 {
		t.Errorf("breaker off released %v paths", r)
	}
	if r := mustScalar(t, on, "releases"); r == 0 {
		t.Errorf("breaker on released nothing under this pressure")
	}
	if u := mustScalar(t, on, "usage_max"); u < 0.6 {
		t.Errorf("breaker on: usage peaked at %.2f: the world no longer puts the 1 GiB quota under pressure", u)
	}
	for name, w := range map[string]*results.World{"on": on, "off": off} {
		if s := mustScalar(t, w, "longest_stall"); s >= 120 {
			t.Errorf("breaker %s: the checkpoint stood still for %.0f s, two syncpoint intervals: a deadlock", name, s)
		}
	}
}
