package scenarios

import "testing"

// TestMemoryPressureBreakerBreaksStall runs the default 10 minute world
// with the breaker on and off for one seed: the invariants hold in both
// (a stall is not a safety failure); with the breaker off nothing is
// released and the checkpoint ends the world stuck, with it on paths are
// released and the checkpoint keeps moving. Reference: reference §E4.
func TestMemoryPressureBreakerBreaksStall(t *testing.T) {
	t.Parallel()
	const seed = 2
	on := runHeldWorld(t, "memory-pressure", "breaker-on", seed, 0, nil)
	off := runHeldWorld(t, "memory-pressure", "breaker-off", seed, 0, nil)
	for _, m := range []string{"stalled_seconds", "longest_stall", "stall_at_end", "releases", "throughput"} {
		t.Logf("%-16s on %8.1f  off %8.1f", m, mustScalar(t, on, m), mustScalar(t, off, m))
	}
	if r := mustScalar(t, off, "releases"); r != 0 {
		t.Errorf("breaker off released %v paths", r)
	}
	if r := mustScalar(t, on, "releases"); r == 0 {
		t.Errorf("breaker on released nothing under this pressure")
	}
	if a, b := mustScalar(t, on, "longest_stall"), mustScalar(t, off, "longest_stall"); b < 2*a {
		t.Errorf("longest stall: breaker off %.0f s, on %.0f s: want off at least twice as long", b, a)
	}
	if s := mustScalar(t, off, "stall_at_end"); s == 0 {
		t.Errorf("breaker off: the checkpoint was still moving at the end")
	}
	if s := mustScalar(t, on, "stall_at_end"); s != 0 {
		t.Errorf("breaker on: the checkpoint had not moved for %.0f s at the end", s)
	}
}
