package scenarios

import (
	"testing"

	"github.com/redosim/redosim/sim"
)

// TestGroupCommitScales runs group-commit briefly on NVMe. Under the
// commit policy one sync covers every row appended while the previous sync
// ran, so 64 writers get many rows per sync and many times one writer's
// throughput; the interval policy makes each writer wait for the next
// 10 ms flush, far longer than a commit's sync of tens of microseconds.
// Every acknowledged row survives the final crash.
func TestGroupCommitScales(t *testing.T) {
	spec := func(variant string) Spec { return Spec{Variant: variant, Seed: 2, Duration: 300 * sim.Millisecond} }
	one := runHeld(t, spec("commit-w1"), "group-commit")
	many := runHeld(t, spec("commit-w64"), "group-commit")
	interval := runHeld(t, spec("interval-w64"), "group-commit")
	if r := scalar(t, many, "rows_per_sync"); !(r > 8) {
		t.Errorf("commit, 64 writers: %.1f rows per sync, want more than 8", r)
	}
	if t1, t64 := scalar(t, one, "throughput"), scalar(t, many, "throughput"); !(t64 > 10*t1) {
		t.Errorf("commit throughput: 64 writers %.0f rows/s, 1 writer %.0f: want more than 10x", t64, t1)
	}
	if lc, li := sampleMedian(t, many, "commit_latency"), sampleMedian(t, interval, "commit_latency"); !(lc < li) {
		t.Errorf("median commit latency, 64 writers: commit %.6fs, interval %.6fs: want commit lower", lc, li)
	}
}

// TestGroupCommitCatchesLyingSync plants an fsync that reports success
// without syncing: the crash at the end must lose acknowledged rows and
// the durability checker must say so.
func TestGroupCommitCatchesLyingSync(t *testing.T) {
	sc, _ := Lookup("group-commit")
	out, err := Run(Spec{Scenario: sc, Variant: "commit-w8", Seed: 1, Duration: 100 * sim.Millisecond,
		Faults: "bug/engine/skipSync@0s.."})
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range out.World.Invariants {
		if inv.Name == "durability" && !inv.Held {
			t.Logf("caught: %s", inv.First.Detail)
			return
		}
	}
	t.Fatal("a lying fsync went unnoticed")
}
