package maintainer_test

import (
	"testing"

	"github.com/redosim/redosim/model/maintainer"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// The changefeed checkpoint is the minimum over the nodes' latest
// watermarks, computed every 100 ms; a node that has not heartbeated
// freezes it, a node without dispatchers (MaxUint64) is left out, and it
// never goes back (invariant 6).
// Reference: ticdc maintainer/maintainer.go calculateNewCheckpoint.
func TestCheckpointMinOverNodes(t *testing.T) {
	u := newUnit(t, maintainer.Config{})
	steps := []struct {
		name string
		in   []msg.HeartBeat
		want uint64
	}{
		{"start", nil, 100},
		{"n2 missing freezes", []msg.HeartBeat{hb("n1", 300, noWatermark)}, 100},
		{"min", []msg.HeartBeat{hb("n2", 200, noWatermark)}, 200},
		{"node without dispatchers left out", []msg.HeartBeat{hb("n2", noWatermark, noWatermark)}, 300},
		{"never back", []msg.HeartBeat{hb("n2", 250, noWatermark)}, 300},
		{"up again", []msg.HeartBeat{hb("n1", 400, noWatermark), hb("n2", 450, noWatermark)}, 400},
	}
	for _, s := range steps {
		for _, h := range s.in {
			u.m.Handle(h.Node, h)
		}
		u.run(t, 100*sim.Millisecond)
		if got := u.m.CheckpointTs(); got != s.want {
			t.Fatalf("%s: checkpoint %d, want %d", s.name, got, s.want)
		}
	}
}

// The planted bug CheckpointFromLastHeartbeat takes one node's watermark
// per tick, round robin, and so goes back when the nodes differ.
func TestKnobCheckpointRegresses(t *testing.T) {
	u := newUnit(t, maintainer.Config{TestingKnobs: maintainer.TestingKnobs{CheckpointFromLastHeartbeat: true}})
	u.m.Handle("n1", hb("n1", 300, noWatermark))
	u.m.Handle("n2", hb("n2", 200, noWatermark))
	seen := map[uint64]bool{}
	wentBack := false
	last := uint64(0)
	for i := 0; i < 6; i++ {
		u.run(t, 100*sim.Millisecond)
		got := u.m.CheckpointTs()
		seen[got] = true
		wentBack = wentBack || got < last
		last = got
	}
	if !seen[300] || !seen[200] || !wentBack {
		t.Fatalf("checkpoints %v: want the planted bug to alternate between 300 and 200", seen)
	}
}

// The redo loop on the maintainer (A7): every redo tick the meta resolved
// ts rises to the minimum redo watermark and the meta checkpoint to the
// changefeed checkpoint, and a change is sent to the maintainer's own
// node; a persisted resolved ts that rose is broadcast with the epoch to
// every node, a lower one is not.
// Reference: ticdc maintainer/maintainer.go onRedoPersisted.
func TestRedoTickAndForward(t *testing.T) {
	u := newUnit(t, maintainer.Config{RedoEnabled: true, Epoch: 7})
	u.m.Handle("n1", hb("n1", 150, 400))
	u.run(t, sim.Second)
	if ups := take[msg.RedoMetaUpdate](u, "n1"); len(ups) != 0 {
		t.Fatalf("meta updates %+v with n2 silent", ups)
	}
	u.m.Handle("n2", hb("n2", 180, 300))
	u.run(t, sim.Second)
	ups := take[msg.RedoMetaUpdate](u, "n1")
	if len(ups) != 1 || ups[0].ResolvedTs != 300 || ups[0].CheckpointTs != 150 {
		t.Fatalf("meta updates %+v, want one (150, 300)", ups)
	}
	u.run(t, sim.Second)
	if ups := take[msg.RedoMetaUpdate](u, "n1"); len(ups) != 0 {
		t.Fatalf("meta updates %+v without a change", ups)
	}
	u.m.Handle("n1", msg.RedoResolvedProgress{ResolvedTs: 250})
	u.m.Handle("n1", msg.RedoResolvedProgress{ResolvedTs: 240})
	u.run(t, 10*sim.Millisecond)
	for _, id := range []netsim.NodeID{"n1", "n2"} {
		fs := take[msg.RedoResolvedForward](u, id)
		if len(fs) != 1 || fs[0].ResolvedTs != 250 || fs[0].MaintainerEpoch != 7 {
			t.Fatalf("%s forwards %+v, want one of 250 at epoch 7", id, fs)
		}
	}
	if u.m.RedoResolvedTs() != 250 || u.m.RedoGlobalTs() != 250 {
		t.Fatalf("redo resolved %d global %d", u.m.RedoResolvedTs(), u.m.RedoGlobalTs())
	}
	if c, r := u.m.RedoMeta(); c != 150 || r != 300 {
		t.Fatalf("meta %d/%d", c, r)
	}
}

// Bad configurations are refused.
func TestConfig(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{})
	n := node.New(w, "n1", nil)
	bad := []maintainer.Config{
		{Nodes: []netsim.NodeID{"n1"}},
		{StartTs: 1},
		{StartTs: 1, Nodes: []netsim.NodeID{"n1", "n1"}},
		{StartTs: 1, Nodes: []netsim.NodeID{"n1"}, RedoTick: -1},
	}
	for i, cfg := range bad {
		if _, err := maintainer.New(n, metrics.NewRegistry(), cfg); err == nil {
			t.Errorf("config %d accepted", i)
		}
	}
	u := newUnit(t, maintainer.Config{})
	if err := u.m.SetTables("n9", []int64{1}); err == nil {
		t.Error("SetTables of an unknown node accepted")
	}
	if err := u.m.SetTables("n1", []int64{1}); err != nil {
		t.Fatal(err)
	}
	if err := u.m.SetTables("n2", []int64{1}); err == nil {
		t.Error("a table on two nodes accepted")
	}
}
