package swarm

import (
	"testing"

	"github.com/redosim/redosim/model/cluster"
)

// TestMutantsQuick is the mutation harness's quick run, part of `make
// test`: each quick mutant, armed alone in swarm seeds 1..3, is caught by
// some checker (not by a panic alone). So a checker that goes blind, or a
// harness that stops arming its mutants, fails the suite. The full run is
// `make mutants`.
func TestMutantsQuick(t *testing.T) {
	res, err := RunMutants(QuickMutationConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(QuickMutants()) {
		t.Fatalf("%d results for %d quick mutants", len(res), len(QuickMutants()))
	}
	for i := range res {
		r := &res[i]
		if r.Worlds == 0 {
			t.Errorf("%s ran in no world", r.Mutant.Name)
			continue
		}
		if !r.CaughtByChecker() {
			t.Errorf("%s went unnoticed by every checker in %d worlds (%d panicked: %s)", r.Mutant.Name, r.Worlds, r.Panics, r.First["panic"])
			continue
		}
		if r.Exercised == 0 {
			t.Errorf("%s was caught but changed no world's trace: the harness's trace comparison is broken", r.Mutant.Name)
		}
		t.Logf("%s: caught by %v of %d worlds (%d changed)", r.Mutant.Name, r.Caught, r.Worlds, r.Exercised)
	}
}

// TestMutantNotExercised: a slip that never runs in a world leaves its
// trace as the unmutated run's, and the harness says so (Exercised 0):
// ackWrittenLSN differs from the right code only with pipelined flushes,
// which no swarm world draws.
func TestMutantNotExercised(t *testing.T) {
	res, err := RunMutants(MutationConfig{Mutants: []string{cluster.MutAckWrittenLSN}, SwarmSeeds: 2, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r := &res[0]; r.Worlds != 2 || r.Exercised != 0 || r.CaughtByChecker() {
		t.Fatalf("%s: %d worlds, %d changed, caught by %v; want 2 worlds, none changed, none caught", r.Mutant.Name, r.Worlds, r.Exercised, r.Caught)
	}
}

// TestMutantsRegistered: every mutant has a distinct name under mutant/,
// a place and a slip, arms through the fault grammar (the catalogue knows
// it) and is not also a planted bug.
func TestMutantsRegistered(t *testing.T) {
	bugs := map[string]bool{}
	for _, b := range cluster.Bugs() {
		bugs[b[0]] = true
	}
	seen := map[string]bool{}
	for _, m := range cluster.Mutants() {
		switch {
		case seen[m.Name]:
			t.Errorf("mutant %s listed twice", m.Name)
		case bugs[m.Name]:
			t.Errorf("mutant %s is also a planted bug", m.Name)
		case len(m.Name) < len("mutant/") || m.Name[:len("mutant/")] != "mutant/":
			t.Errorf("mutant %s: want a mutant/ prefix", m.Name)
		case m.Where == "" || m.What == "":
			t.Errorf("mutant %s: want Where and What", m.Name)
		}
		seen[m.Name] = true
	}
	if len(seen) < 30 {
		t.Errorf("%d mutants; the harness promises at least 30", len(seen))
	}
	if _, err := RunMutants(MutationConfig{Mutants: []string{"mutant/nope"}}); err == nil {
		t.Error("an unknown mutant ran")
	}
}
