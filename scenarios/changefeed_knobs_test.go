package scenarios

import (
	"testing"

	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/sim"
)

// TestFixKnobsAreWired: each knob that switches a TiCDC fix off (or on)
// changes what a pressured world does: its trace differs from the default
// world's. A knob not wired through to the model would leave it alike.
func TestFixKnobsAreWired(t *testing.T) {
	t.Parallel()
	sc, err := Lookup("scan-window")
	if err != nil {
		t.Fatal(err)
	}
	// Every row on tables 1 and 2: the other tables are idle, as
	// idle-beyond-window needs.
	base := map[string]string{"stall-from": "5s", "stall-until": "15s", "downstream-slow-factor": "200", "memory-quota": "16MiB",
		"hot-tables": "1,2", "hot-share": "1"}
	hash := func(knob, value string) string {
		set := map[string]string{}
		for k, v := range base {
			set[k] = v
		}
		if knob != "" {
			set[knob] = value
		}
		out, err := Run(Spec{Scenario: sc, Variant: "v2-4950", Seed: 1, Duration: 30 * sim.Second, Set: set})
		if err != nil {
			t.Fatalf("%s=%s: %v", knob, value, err)
		}
		return out.World.TraceHash
	}
	def := hash("", "")
	for _, k := range []struct{ knob, value string }{
		{"window-catch-up", "true"}, {"idle-beyond-window", "true"}, {"report-zero-available", "false"},
		{"redo-forward-flushed-only", "false"},
	} {
		if h := hash(k.knob, k.value); h == def {
			t.Errorf("%s=%s: the same trace as the default world; the knob changes nothing here", k.knob, k.value)
		}
	}
}

// TestForwardBeforeFlushBreaksRedoBeforeSink: with the maintainer
// forwarding the redo resolved ts before its meta is flushed (TiCDC before
// PR #3426), the downstream runs ahead of the durable redo, which is what
// the PR fixed; with TiCDC's forward of the flushed meta it does not.
func TestForwardBeforeFlushBreaksRedoBeforeSink(t *testing.T) {
	t.Parallel()
	sc, err := Lookup("redo-lag")
	if err != nil {
		t.Fatal(err)
	}
	held := func(flushedOnly string) bool {
		out, err := Run(Spec{Scenario: sc, Seed: 1, Duration: 30 * sim.Second, Set: map[string]string{"redo-forward-flushed-only": flushedOnly}})
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range out.World.Invariants {
			if inv.Name == cluster.InvRedoBeforeSink {
				return inv.Held
			}
		}
		t.Fatal("no redo-before-sink row")
		return false
	}
	if !held("true") {
		t.Fatal("redo-before-sink failed with TiCDC's forward of the flushed meta")
	}
	if held("false") {
		t.Fatal("redo-before-sink held with the forward before the flush (pre-#3426)")
	}
}
