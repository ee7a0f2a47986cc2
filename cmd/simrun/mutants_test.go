package main

import (
	"strings"
	"testing"
)

// TestMutantsCommand: simrun mutants runs one mutant in one swarm world
// and prints its row and the score; an unknown mutant or no world at all
// is bad usage.
func TestMutantsCommand(t *testing.T) {
	r := run1(t, exitOK, "mutants", "-slips", "mutant/model/maintainer/checkpointFromRedo", "-worlds", "1", "-no-scenarios")
	for _, want := range []string{"mutant/model/maintainer/checkpointFromRedo", "no-loss 1", "score: 1/1"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	run1(t, exitUsage, "mutants", "-slips", "mutant/nope", "-worlds", "1", "-no-scenarios").stderrHas(t, "unknown mutant")
	run1(t, exitUsage, "mutants", "-worlds", "0", "-no-scenarios").stderrHas(t, "no world")
}
