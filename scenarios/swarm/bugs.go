package swarm

import (
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/scenarios"
	"github.com/redosim/redosim/sim"
)

// PlantedBug is one planted bug (a test-only fault point of the
// catalogue's "bug" layer) with the property that must catch it and a
// world that shows it.
type PlantedBug struct {
	// Name is the fault point that arms it (armed for the whole run).
	Name string
	// Property is the property expected to catch it.
	Property string
	// Why says why that property, in that world, catches it.
	Why string
	// World returns the changefeed world to arm it in.
	World func() World
	// Scenario, when set, names another scenario whose default world
	// (seed 3) shows the bug instead.
	Scenario string
}

// Check arms the bug in its world, runs it and judges it.
func (b PlantedBug) Check() *Verdict {
	if b.Scenario == "" {
		w := b.World()
		w.Bugs = []string{b.Name}
		return Check(w)
	}
	sc, err := scenarios.Lookup(b.Scenario)
	if err != nil {
		return &Verdict{Probes: map[string]uint64{}, Failures: []Failure{{Property: PropRun, Detail: err.Error()}}}
	}
	return checkScenario(sc, 0, b.Name) // 0: the scenario's own duration
}

// PlantedBugs lists every planted bug with the property that catches it.
// TestPlantedBugsAreCaught fails when a bug of scenarios.Catalogue() is
// missing here or goes unnoticed.
func PlantedBugs() []PlantedBug {
	return []PlantedBug{
		{Name: simdriver.BugSkipSync, Scenario: "smoke", Property: PropInvariantPrefix + "durability",
			Why: "a lying fsync acknowledges rows the smoke world's crash then takes. (In a changefeed world the disaster " +
				"invariant is judged only at the end, and after a power loss the restarted dispatchers write the lost redo " +
				"again from the checkpoint, so the bug heals before anyone looks; judging disaster at the power loss " +
				"catches it at once.)"},
		{Name: cluster.BugBypassFence, Property: PropInvariantPrefix + cluster.InvRedoBeforeSink,
			Why: "event dispatchers ignore redoGlobalTs and send rows above the durable redo resolved ts", World: plantedBase},
		{Name: cluster.BugSkipSyncPointBarrier, Property: PropInvariantPrefix + cluster.InvSyncPointBarrier,
			Why: "a dispatcher passes a syncpoint without waiting; without redo (whose fence would hold its rows) the syncpoint row is written before the downstream reached it",
			World: func() World {
				w := plantedBase()
				w.Redo = false
				return w
			}},
		{Name: cluster.BugCheckpointRegress, Property: PropInvariantPrefix + cluster.InvMonotonic,
			Why: "the maintainer takes one node's watermark as the checkpoint; without redo and with nodes far apart it goes back",
			World: func() World {
				w := plantedBase()
				w.Redo = false
				w.RowsPerSecond, w.SlowFactor, w.MemoryQuotaBytes = 3000, 200, 64<<20
				return w
			}},
		{Name: cluster.BugForgetPopDecrement, Property: PropInvariantPrefix + cluster.InvMemory,
			Why: "collectors never release popped bytes, so an area's accounting drifts above its quota", World: plantedBase},
		{Name: cluster.BugDropDownstreamRow, Property: PropInvariantPrefix + cluster.InvNoLoss,
			Why: "the downstream drops one row in a hundred below the checkpoint", World: plantedBase},
		{Name: cluster.BugRedoAckUnwritten, Property: PropInvariantPrefix + cluster.InvDisaster,
			Why: "the redo sink acknowledges rows it never wrote, so the log applied to the downstream misses them", World: plantedBase},
		{Name: cluster.BugDispatcherCheckpointGoesBack, Property: PropInvariantPrefix + cluster.InvMonotonic,
			Why: "a dispatcher now and then reports its checkpoint two seconds too low, so it goes back between two sweeps", World: plantedBase},
		{Name: cluster.BugSkipSyncPointRow, Property: PropInvariantPrefix + cluster.InvSyncPointCompleteness,
			Why: "the downstream sink acknowledges every syncpoint without writing its row, so the checkpoint passes syncpoints the downstream never recorded", World: plantedBase},
		{Name: cluster.BugBlindSyncPointBarrier, Property: PropInvariantPrefix + cluster.InvNeverEvaluated,
			Why: "syncpoint-barrier is never told of a syncpoint row, so in a world with a syncpoint every 10 s for 60 s it checks nothing and holds vacuously", World: plantedProgressing},
		{Name: cluster.BugStallDownstream, Property: PropLiveness,
			Why: "the downstream never completes a write, so the changefeed replicates nothing while every safety invariant holds; its fault-free twin runs the same bug and stalls too, which must not excuse it as overloaded", World: plantedLive},
		{Name: cluster.BugRestartFromRedoTs, Property: PropInvariantPrefix + cluster.InvCheckpointBound,
			Why: "a restarted capture starts its dispatchers from the durable redo resolved ts, above the persisted checkpoint, and skips the changes in between", World: plantedRestart},
		{Name: cluster.BugRedoAckBeforeDurable, Property: PropInvariantPrefix + cluster.InvDurableAck,
			Why: "the redo sink acknowledges a batch once it is handed to the engine, before the 2 s interval flush syncs it; only a crash in between would lose it, so durable-ack checks every ack against the synced LSN", World: plantedBase},
	}
}

// plantedProgressing is plantedBase with the memory (1 MiB, 6 s of data
// per area) to be in the liveness domain, so it promises progress and owes
// syncpoint judgements (expect-progress).
func plantedProgressing() World {
	w := plantedBase()
	w.MemoryQuotaBytes = 1 << 20
	return w
}

// plantedLive is plantedProgressing in liveness mode, for a bug that stops
// progress without breaking any safety invariant.
func plantedLive() World {
	w := plantedProgressing()
	w.Liveness, w.ForwardResend = true, LivenessResend
	return w
}

// plantedRestart is plantedBase with node n2 crashing at 20 s (it is
// restarted once the crash window ends), for bugs in the restart.
func plantedRestart() World {
	w := plantedBase()
	w.Faults = []Fault{{Kind: "node.crash", Name: "node.crash", Target: "n2", From: 20 * sim.Second, Until: 23 * sim.Second}}
	return w
}

// plantedBase is a short world with every mechanism on: three nodes, redo
// on disk, syncpoints every 10 s, slow tables and a quota small enough to
// matter (model/cluster's own planted-bug world).
func plantedBase() World {
	return World{Seed: 1, ScaledThresholds: true, Duration: 60 * sim.Second, Nodes: 3, Tables: 8, RowsPerSecond: 300, Skew: 0.8, HotShare: 0.3,
		SlowShare: 0.25, SlowFactor: 20, DownstreamWorkers: 16, NetLatency: "250us",
		Redo: true, Storage: "disk", DiskProfile: "nvme", PutLatency: "30ms", FlushPolicy: "interval",
		FlushInterval: 2 * sim.Second, FlushRows: 1024, MetaFlushInterval: 200 * sim.Millisecond, MaxLogBytes: 64 << 20,
		SyncPointInterval: 10 * sim.Second, MemoryQuotaBytes: 512 << 10, RedoQuotaPercent: 50, ScanWindow: "v2-4950",
		Aggregation: "max", Breaker: true, Fence: "batch"}
}
