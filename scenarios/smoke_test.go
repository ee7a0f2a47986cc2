package scenarios

import "testing"

// TestSmokeHoldsAndReplays runs the smoke world twice with one seed: every
// invariant holds and the trace hashes agree; another seed differs.
func TestSmokeHoldsAndReplays(t *testing.T) {
	sc, err := Lookup("smoke")
	if err != nil {
		t.Fatal(err)
	}
	a, err := Run(Spec{Scenario: sc, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range a.World.Invariants {
		if !inv.Held {
			t.Fatalf("invariant %s violated: %+v", inv.Name, inv.First)
		}
	}
	b, _ := Run(Spec{Scenario: sc, Seed: 7})
	c, _ := Run(Spec{Scenario: sc, Seed: 8})
	if a.World.TraceHash != b.World.TraceHash {
		t.Fatalf("same seed, different hashes: %s %s", a.World.TraceHash, b.World.TraceHash)
	}
	if a.World.TraceHash == c.World.TraceHash {
		t.Fatal("different seeds, same hash")
	}
	t.Logf("hash %s events %d scalars %+v", a.World.TraceHash, a.World.Events, a.World.Scalars)
}

// TestSmokeCatchesPlantedBugs arms each planted engine bug and expects the
// durability checker to fire.
func TestSmokeCatchesPlantedBugs(t *testing.T) {
	sc, _ := Lookup("smoke")
	for _, plan := range []string{"bug/engine/skipSync@0s.."} {
		out, err := Run(Spec{Scenario: sc, Seed: 3, Faults: plan})
		if err != nil {
			t.Fatal(err)
		}
		caught := false
		for _, inv := range out.World.Invariants {
			if inv.Name == "durability" && !inv.Held {
				caught = true
				t.Logf("%s: caught: %s", plan, inv.First.Detail)
			}
		}
		if !caught {
			t.Errorf("planted %s went unnoticed", plan)
		}
	}
}
