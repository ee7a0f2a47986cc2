package node_test

import (
	"testing"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// firstTicks returns when each of nodes' 1 s tickers first fires, in a
// world of the given seed, with seeded phases on or off.
func firstTicks(t *testing.T, seed uint64, phased bool, nodes ...string) []sim.Instant {
	t.Helper()
	w := sim.NewWorld(sim.WorldConfig{Seed: seed})
	got := make([]sim.Instant, len(nodes))
	for i, id := range nodes {
		n := node.New(w, netsim.NodeID(id), nil)
		if phased {
			n.SeedPhases()
		}
		i := i
		n.Every(sim.Second, func() {
			if got[i] == 0 {
				got[i] = w.Now()
			}
		})
	}
	if err := w.Loop.RunUntil(sim.Instant(3 * sim.Second)); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestSeedPhases: with phases off every ticker first fires one period
// after it was set; with phases on each node's first tick lies in
// (0, period], differs between nodes and between seeds, and is the same
// for the same seed. Method: three nodes, seeds 1 and 2.
func TestSeedPhases(t *testing.T) {
	ids := []string{"n1", "n2", "n3"}
	for i, at := range firstTicks(t, 1, false, ids...) {
		if at != sim.Instant(sim.Second) {
			t.Fatalf("unphased node %s first ticked at %v, want 1s", ids[i], at)
		}
	}
	a, again, b := firstTicks(t, 1, true, ids...), firstTicks(t, 1, true, ids...), firstTicks(t, 2, true, ids...)
	for i := range ids {
		if a[i] <= 0 || a[i] > sim.Instant(sim.Second) {
			t.Fatalf("phased node %s first ticked at %v, want within (0, 1s]", ids[i], a[i])
		}
		if a[i] != again[i] {
			t.Fatalf("node %s: same seed, first ticks %v and %v", ids[i], a[i], again[i])
		}
	}
	if a[0] == a[1] && a[1] == a[2] {
		t.Fatalf("all three nodes in phase at %v with seeded phases", a[0])
	}
	if a[0] == b[0] && a[1] == b[1] && a[2] == b[2] {
		t.Fatalf("seeds 1 and 2 drew the same phases %v", a)
	}
}

// TestEveryFromNowIgnoresPhase: a retry clock starts exactly one period
// after it is set even on a phased node.
func TestEveryFromNowIgnoresPhase(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	n := node.New(w, "n1", nil)
	n.SeedPhases()
	var first sim.Instant
	n.EveryFromNow(sim.Second, func() {
		if first == 0 {
			first = w.Now()
		}
	})
	if err := w.Loop.RunUntil(sim.Instant(2 * sim.Second)); err != nil {
		t.Fatal(err)
	}
	if first != sim.Instant(sim.Second) {
		t.Fatalf("EveryFromNow first fired at %v, want 1s", first)
	}
}
