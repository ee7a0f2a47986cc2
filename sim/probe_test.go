package sim

import "testing"

// TestProbesCountAndSort: a world counts each probe it reaches, lists them
// sorted by name, and a probe never enters the trace (so adding one never
// changes a world's hash).
func TestProbesCountAndSort(t *testing.T) {
	w := NewWorld(WorldConfig{Seed: 1})
	if len(w.Probes()) != 0 {
		t.Fatal("a new world reached probes")
	}
	before := w.Trace.HashString()
	w.Probe("b/x")
	w.Probe("a/y")
	w.Probe("b/x")
	got := w.Probes()
	if len(got) != 2 || got[0] != (ProbeCount{"a/y", 1}) || got[1] != (ProbeCount{"b/x", 2}) {
		t.Fatalf("probes %v", got)
	}
	if w.Trace.HashString() != before {
		t.Fatal("a probe changed the trace hash")
	}
	if n := testing.AllocsPerRun(100, func() { w.Probe("b/x") }); n != 0 {
		t.Fatalf("probing a reached name allocates %v times", n)
	}
}
