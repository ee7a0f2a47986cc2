package scenarios

import (
	"testing"

	"github.com/redosim/redosim/model/cluster"
)

// TestDisasterRecovers stops two worlds at a drawn moment and recovers
// them. Every invariant holds, the stop lies in [stop-min, stop-max], the
// parallel apply beats the serial one (16 workers over 64 tables), and
// syncing redo at every batch (commit) loses less than a 2 s flush
// interval: the meta's resolved ts trails the upstream by the maintainer's
// 1 s tick instead of a flush interval more.
func TestDisasterRecovers(t *testing.T) {
	interval := runHeld(t, Spec{Variant: "disk-interval", Seed: 4}, "disaster")
	commit := runHeld(t, Spec{Variant: "disk-commit", Seed: 4}, "disaster")
	for _, w := range []struct {
		name string
		rpo  float64
		s, p float64
		stop float64
	}{
		{"disk-interval", scalar(t, interval, "rpo"), scalar(t, interval, "rto_serial"), scalar(t, interval, "rto_parallel"), scalar(t, interval, "stop_at")},
		{"disk-commit", scalar(t, commit, "rpo"), scalar(t, commit, "rto_serial"), scalar(t, commit, "rto_parallel"), scalar(t, commit, "stop_at")},
	} {
		if w.stop < 30 || w.stop > 150 {
			t.Errorf("%s: stopped at %.1fs, outside [30s, 150s]", w.name, w.stop)
		}
		if !(w.p > 0 && w.p < w.s) {
			t.Errorf("%s: RTO parallel %.3fs, serial %.3fs: want 0 < parallel < serial", w.name, w.p, w.s)
		}
		t.Logf("%s: stop %.1fs rpo %.2fs rto serial %.3fs parallel %.3fs", w.name, w.stop, w.rpo, w.s, w.p)
	}
	if ri, rc := scalar(t, interval, "rpo"), scalar(t, commit, "rpo"); !(rc < ri) {
		t.Errorf("RPO: commit %.2fs, interval %.2fs: want commit lower", rc, ri)
	}
}

// TestDisasterCatchesUnwrittenRedo plants a redo sink that acknowledges
// rows it never wrote: the recovery must find the downstream plus the log
// short of the upstream.
func TestDisasterCatchesUnwrittenRedo(t *testing.T) {
	sc, _ := Lookup("disaster")
	out, err := Run(Spec{Scenario: sc, Variant: "disk-interval", Seed: 2, Faults: cluster.BugRedoAckUnwritten + "@0s.."})
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range out.World.Invariants {
		if inv.Name == cluster.InvDisaster && !inv.Held {
			t.Logf("caught: %s", inv.First.Detail)
			return
		}
	}
	t.Fatal("a redo sink acknowledging unwritten rows went unnoticed")
}
