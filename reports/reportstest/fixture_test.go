package reportstest

import (
	"encoding/json"
	"testing"
)

func TestFixtureDeterministicAndShaped(t *testing.T) {
	run, worlds := Fixture(Config{})
	_, again := Fixture(Config{})
	a, _ := json.Marshal(worlds)
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Fatal("two calls gave different worlds")
	}
	if len(run.Variants) != 3 || len(worlds) != 15 {
		t.Fatalf("%d variants, %d worlds", len(run.Variants), len(worlds))
	}
	w := worlds[0]
	if n := len(w.Series[0].Points); n != 601 || w.Series[0].Points[n-1].T != 600 {
		t.Errorf("series has %d points", n)
	}
	if len(w.Faults) == 0 || len(w.Samples) == 0 || len(w.Scalars) == 0 || len(w.Spans) == 0 || len(w.Instants) == 0 {
		t.Errorf("world lacks faults, samples, scalars, spans or instants")
	}
	held := 0
	for _, w := range worlds {
		if w.Held() {
			held++
		}
	}
	if held != 14 {
		t.Errorf("%d worlds held every invariant, want 14", held)
	}
	srun, sworlds := SweepFixture()
	if srun.Sweep == "" || len(sworlds) != 2*4*3 {
		t.Errorf("sweep fixture: sweep %q, %d worlds", srun.Sweep, len(sworlds))
	}
}
