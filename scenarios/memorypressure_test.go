package scenarios

import (
	"testing"

	"github.com/redosim/redosim/model/cluster"
)

// TestMemoryPressureBreakerBreaksTheDeadlock runs the default 20 minute
// world (1 GiB, one node, a downstream that cannot keep up, syncpoints
// every 60 s) with the breaker on and off for one seed: the invariants
// hold in both; with the breaker off nothing is released and the
// changefeed ends stuck, a liveness violation (8 of 8 seeds stop between 902 s and 1023 s:
// fenced and barrier-blocked paths hold the area above its quota and
// nothing pops), with it on paths are released and the checkpoint never
// stands still for two syncpoint intervals. README, finding 3.
func TestMemoryPressureBreakerBreaksTheDeadlock(t *testing.T) {
	// Not parallel: a world at TiCDC's constants under pressure holds
	// gigabytes (its redo log above the checkpoint); one at a time.
	const seed = 2
	on := runHeldWorld(t, "memory-pressure", "breaker-on", seed, 0, nil)
	off, stalled := runWorldAllowing(t, "memory-pressure", "breaker-off", seed, 0, nil, cluster.InvLiveness)
	if _, ok := stalled[cluster.InvLiveness]; !ok {
		t.Errorf("breaker off: liveness held, want the deadlock reported as a liveness violation")
	}
	for _, m := range []string{"stalled_seconds", "longest_stall", "stall_at_end", "releases", "throughput", "usage_max"} {
		t.Logf("%-16s on %8.2f  off %8.2f", m, mustScalar(t, on, m), mustScalar(t, off, m))
	}
	if r := mustScalar(t, off, "releases"); r != 0 {
		t.Errorf("breaker off released %v paths", r)
	}
	if r := mustScalar(t, on, "releases"); r == 0 {
		t.Errorf("breaker on released nothing under this pressure")
	}
	if u := mustScalar(t, on, "usage_max"); u < 1 {
		t.Errorf("breaker on: usage peaked at %.2f: the world no longer fills the 1 GiB quota", u)
	}
	if s := mustScalar(t, off, "stall_at_end"); s < 120 {
		t.Errorf("breaker off: the checkpoint had stood still for only %.0f s at the end, want the deadlock (at least two syncpoint intervals)", s)
	}
	if s := mustScalar(t, on, "longest_stall"); s >= 120 {
		t.Errorf("breaker on: the checkpoint stood still for %.0f s, two syncpoint intervals: a deadlock the breaker should break", s)
	}
}
