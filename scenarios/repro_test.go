package scenarios

import (
	"slices"
	"testing"
)

// TestFillPreFidelity: a changefeed repro without tick-phases gets the
// semantics and defaults of its day for what it did not set, keeps what it
// set; a newer file (with tick-phases) and a non-changefeed scenario are
// left alone.
func TestFillPreFidelity(t *testing.T) {
	sc, err := Lookup("syncpoint")
	if err != nil {
		t.Fatal(err)
	}
	has := func(k string) bool { _, ok := sc.Param(k); return ok }
	old := Repro{Scenario: "syncpoint", Set: map[string]string{"rows-per-second": "50"}}
	filled := old.FillPreFidelity(has)
	want := []string{"downstream-workers", "memory-quota", "row-bytes", "scaled-thresholds", "slow-factor", "tick-phases"}
	if !slices.Equal(filled, want) {
		t.Fatalf("filled %v, want %v", filled, want)
	}
	if old.Set["rows-per-second"] != "50" || old.Set["tick-phases"] != "false" || old.Set["scaled-thresholds"] != "true" || old.Set["memory-quota"] != "1536KiB" {
		t.Fatalf("old repro set %v", old.Set)
	}
	newer := Repro{Scenario: "syncpoint", Set: map[string]string{"tick-phases": "true"}}
	if f := newer.FillPreFidelity(has); f != nil || len(newer.Set) != 1 {
		t.Fatalf("a newer repro was filled: %v %v", f, newer.Set)
	}
	smoke, err := Lookup("smoke")
	if err != nil {
		t.Fatal(err)
	}
	other := Repro{Scenario: "smoke"}
	if f := other.FillPreFidelity(func(k string) bool { _, ok := smoke.Param(k); return ok }); f != nil {
		t.Fatalf("a scenario without tick-phases was filled: %v", f)
	}
}
