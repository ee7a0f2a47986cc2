package maintainer_test

import (
	"slices"
	"testing"

	"github.com/redosim/redosim/model/maintainer"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// Reference: TiCDC maintainer/scheduler/basic.go, pkg/scheduler/basic.go,
// pkg/scheduler/balance.go, maintainer/maintainer_controller.go
// GetMinCheckpointTs.

// placed builds a placement of tables 1..n round robin over nodes.
func placed(nodes []netsim.NodeID, n int) *maintainer.Placement {
	p := maintainer.NewPlacement(nodes)
	for t := 1; t <= n; t++ {
		p.Place(int64(t), nodes[(t-1)%len(nodes)])
	}
	return p
}

// A dead capture's tables all land on live captures exactly once, spread
// evenly, and the checkpoint is frozen until every add is done.
func TestPlacementDeadCaptureTablesMoveOnce(t *testing.T) {
	nodes := []netsim.NodeID{"n1", "n2", "n3"}
	p := placed(nodes, 9)
	lost := p.Tables("n2")
	p.RemoveNode("n2", 100)
	if got := p.Nodes(); !slices.Equal(got, []netsim.NodeID{"n1", "n3"}) {
		t.Fatalf("alive nodes %v after removing n2", got)
	}
	if got := p.Absent(); !slices.Equal(got, lost) {
		t.Fatalf("absent %v, want n2's tables %v", got, lost)
	}
	if ts, ok := p.MinCheckpointTs(); !ok || ts != 100 {
		t.Fatalf("scheduler min %d %v with absent tables, want 100 true", ts, ok)
	}
	moves := p.ScheduleAbsent(maintainer.DefaultAddTableBatchSize)
	seen := map[int64]int{}
	perNode := map[netsim.NodeID]int{}
	for _, mv := range moves {
		seen[mv.Table]++
		perNode[mv.To]++
		if mv.To == "n2" {
			t.Fatalf("table %d scheduled to the dead capture", mv.Table)
		}
	}
	for _, tb := range lost {
		if seen[tb] != 1 {
			t.Fatalf("table %d scheduled %d times, want once", tb, seen[tb])
		}
	}
	if d := perNode["n1"] - perNode["n3"]; d < -1 || d > 1 {
		t.Fatalf("absent tables unevenly spread: %v", perNode)
	}
	if ts, ok := p.MinCheckpointTs(); !ok || ts != 100 {
		t.Fatalf("scheduler min %d %v while adds are in flight, want 100 true", ts, ok)
	}
	for _, mv := range moves {
		if !p.Done(mv.Table) {
			t.Fatalf("Done(%d) found no add in flight", mv.Table)
		}
	}
	if _, ok := p.MinCheckpointTs(); ok {
		t.Fatal("scheduler still bounds the checkpoint after every add is done")
	}
	if n := len(p.Tables("n1")) + len(p.Tables("n3")); n != 9 {
		t.Fatalf("%d tables replicating, want 9", n)
	}
}

// A new capture joins empty; the balance round moves tables to it until
// it holds floor(tables/nodes), and never while a table is absent.
func TestPlacementBalanceByCount(t *testing.T) {
	p := placed([]netsim.NodeID{"n1", "n3"}, 10)
	p.AddNode("n4")
	r := sim.NewWorld(sim.WorldConfig{Seed: 1}).Rand("test/balance")
	moves := p.Balance(maintainer.DefaultBalanceMoveBatchSize, 50, r)
	if len(moves) != 3 {
		t.Fatalf("%d moves, want 3 (floor(10/3))", len(moves))
	}
	for _, mv := range moves {
		if mv.To != "n4" || mv.From == "n4" {
			t.Fatalf("move %+v, want to n4 from a loaded node", mv)
		}
		p.Done(mv.Table)
	}
	counts := []int{len(p.Tables("n1")), len(p.Tables("n3")), len(p.Tables("n4"))}
	if counts[2] != 3 || counts[0]+counts[1] != 7 || counts[0] < 3 || counts[1] < 3 {
		t.Fatalf("tables per node %v after balance", counts)
	}
	p.RemoveNode("n1", 60)
	if mv := p.Balance(maintainer.DefaultBalanceMoveBatchSize, 60, r); mv != nil {
		t.Fatalf("balance moved %v while tables are absent", mv)
	}
	if mv := p.Balance(1, 60, r); mv != nil {
		t.Fatalf("balance moved %v while tables are absent", mv)
	}
}

// The batch bounds a balance round.
func TestPlacementBalanceBatch(t *testing.T) {
	p := placed([]netsim.NodeID{"n1"}, 8)
	p.AddNode("n2")
	r := sim.NewWorld(sim.WorldConfig{Seed: 2}).Rand("test/balance")
	if moves := p.Balance(2, 10, r); len(moves) != 2 {
		t.Fatalf("%d moves with batch 2, want 2", len(moves))
	}
}
