package cluster

import (
	"fmt"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/model/collector"
	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/model/downstream"
	"github.com/redosim/redosim/model/eventservice"
	"github.com/redosim/redosim/model/maintainer"
	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/objstore"
)

// Config describes one changefeed world. Zero values take TiCDC's
// defaults (docs/FIDELITY.md, Constants).
type Config struct {
	// Nodes is the number of capture nodes; the maintainer runs on the
	// first. Default 3.
	Nodes int
	// Changefeed names the changefeed (no "_"). Default "cf".
	Changefeed string
	// Upstream is the workload.
	Upstream upstream.Config
	// Downstream is the MySQL-like sink's worker pool and default latencies.
	Downstream downstream.Config
	// ScaledThresholds scales TiCDC's fixed byte thresholds with the
	// memory quota, as every world did before the model ran TiCDC's
	// constants: the low-memory mark to a quarter of the quota (TiCDC 256
	// MiB), the largest scan budget to 1/1024 (1 MiB) and the path floor to
	// 1/1024 (1 MiB, at least 4 KiB). Default false: TiCDC's values at any
	// quota. Only small swarm worlds and recorded repros turn it on; reports
	// list it among the parameters.
	ScaledThresholds bool
	// NoProgressPromised marks a world that checks safety only: one the
	// swarm knows may livelock (too little memory per area, or congestion
	// control v1 without a scan window, as TiCDC does). The checks that
	// need the checkpoint to move past a syncpoint (syncpoint-barrier,
	// syncpoint-completeness) are then not required to have been evaluated
	// (never-evaluated). Default false: every world promises progress.
	NoProgressPromised bool
	// Liveness sets the liveness invariant: off by default (unit worlds);
	// the scenarios turn it on.
	Liveness LivenessConfig
	// TickPhases starts every periodic component (redo flush and meta
	// flush, collector congestion reports, heartbeats, redo meta collect,
	// maintainer ticks, event-service refreshes, the upstream resolved ts)
	// at a phase drawn from the world's seed, per node and incarnation, as
	// real processes start at unrelated moments. Default false: every
	// ticker starts in phase with the world (phase-locked, for unit tests).
	TickPhases bool
	// SlowShare is the share of tables (every k-th, k = 1/SlowShare) behind a slow
	// downstream; SlowFactor multiplies their latencies. Defaults 0 and 10.
	SlowShare  float64
	SlowFactor float64
	// Redo configures the redo log; off unless Enabled.
	Redo RedoConfig
	// SyncPointInterval turns syncpoints on when positive (TiCDC's
	// enable-sync-point with sync-point-interval).
	SyncPointInterval sim.Duration
	// MemoryQuotaBytes is the changefeed memory quota per node. Default 1 GiB.
	MemoryQuotaBytes int64
	// RedoQuotaPercent is the redo share of the quota. Default 50.
	RedoQuotaPercent int
	// EventService, Collector, Dispatcher and Maintainer tune the actors;
	// quotas, versions and intervals that follow from the fields above are
	// filled in by Build. Their byte thresholds are TiCDC's at any quota
	// unless ScaledThresholds asks otherwise.
	EventService eventservice.Config
	Collector    collector.Config
	Dispatcher   dispatcher.Config
	Maintainer   maintainer.Config
	// Network is the links' default configuration.
	Network netsim.Config
	// Bugs lists planted bugs and mutants to switch on (see Bugs() and
	// Mutants()).
	Bugs []string
}

// RedoConfig configures the changefeed's redo log (TiCDC [consistent]).
type RedoConfig struct {
	// Enabled is TiCDC's level = "eventual".
	Enabled bool
	// Storage is "disk" (a shared file system, one directory for every
	// capture) or "object" (S3-like). Default "object", TiCDC's usual.
	Storage string
	// DiskProfile is the disk's hardware profile. Default "nvme".
	DiskProfile string
	// Object configures the object store.
	Object objstore.Config
	// Engine is the redo engine: flush policy and interval, max log size,
	// meta flush interval.
	Engine core.Config
}

// The planted bugs a world can switch on through its fault plan, each
// caught by at least one checker.
const (
	// BugBypassFence lets event dispatchers ignore redoGlobalTs
	// (caught by redo-before-sink).
	BugBypassFence = "bug/model/bypassFence"
	// BugSkipSyncPointBarrier makes dispatchers report WAITING at a
	// syncpoint but not wait (caught by syncpoint-barrier).
	BugSkipSyncPointBarrier = "bug/model/skipSyncPointBarrier"
	// BugCheckpointRegress makes the maintainer take the last heartbeat as
	// the checkpoint: it claims more than every node has (caught by
	// no-loss) and, where node watermarks differ, goes back (monotonic).
	BugCheckpointRegress = "bug/model/checkpointRegress"
	// BugForgetPopDecrement makes collectors forget to release popped
	// bytes (caught by memory).
	BugForgetPopDecrement = "bug/model/forgetPopDecrement"
	// BugDropDownstreamRow makes the downstream drop one row in a hundred
	// (caught by no-loss and disaster).
	BugDropDownstreamRow = "bug/model/dropDownstreamRow"
	// BugRedoAckUnwritten makes the redo sink acknowledge one row in a
	// hundred without writing it (caught by disaster).
	BugRedoAckUnwritten = "bug/model/redoAckUnwritten"
	// BugSkipSyncPointRow makes the downstream sink acknowledge every
	// syncpoint without writing its row (caught by
	// syncpoint-completeness).
	BugSkipSyncPointRow = "bug/model/skipSyncPointRow"
	// BugRedoAckBeforeDurable makes the redo sink acknowledge a batch as
	// soon as its rows are handed to the engine, before they are synced
	// (caught by durable-ack).
	BugRedoAckBeforeDurable = "bug/model/redoAckBeforeDurable"
	// BugBlindSyncPointBarrier unhooks syncpoint-barrier from the
	// downstream: it is never told a syncpoint row was written and checks
	// nothing (caught by never-evaluated).
	BugBlindSyncPointBarrier = "bug/model/blindSyncPointBarrier"
	// BugRestartFromRedoTs makes a restarted capture start its
	// dispatchers from the durable redo resolved ts instead of the
	// persisted checkpoint: the changes in between are never replicated
	// (caught by checkpoint-bound at the restart).
	BugRestartFromRedoTs = "bug/model/restartFromRedoTs"
	// BugStallDownstream makes the downstream sink hold every DML write
	// forever: nothing is lost or acknowledged early, the changefeed
	// replicates 0 rows/s and every safety invariant holds (caught by
	// never-evaluated: no syncpoint and no sink batch is ever judged; in
	// the swarm, by liveness too).
	BugStallDownstream = "bug/model/stallDownstream"
	// BugDispatcherCheckpointGoesBack makes dispatchers now and then report
	// a checkpoint two seconds too low (caught by monotonic's dispatcher
	// sweep).
	BugDispatcherCheckpointGoesBack = "bug/model/dispatcherCheckpointGoesBack"
)

// Bugs lists every planted bug with the checker expected to catch it.
func Bugs() [][2]string {
	return [][2]string{
		{BugBypassFence, "redo-before-sink"},
		{BugSkipSyncPointBarrier, "syncpoint-barrier"},
		{BugCheckpointRegress, "no-loss"},
		{BugForgetPopDecrement, "memory"},
		{BugDropDownstreamRow, "no-loss"},
		{BugRedoAckUnwritten, "disaster"},
		{BugDispatcherCheckpointGoesBack, "monotonic"},
		{BugSkipSyncPointRow, "syncpoint-completeness"},
		{BugBlindSyncPointBarrier, "never-evaluated"},
		{BugRedoAckBeforeDurable, "durable-ack"},
		{BugStallDownstream, "never-evaluated"},
		{BugRestartFromRedoTs, "checkpoint-bound"},
	}
}

func (c *Config) bug(name string) bool {
	for _, b := range c.Bugs {
		if b == name {
			return true
		}
	}
	return false
}

func (c *Config) validate() error {
	if c.Nodes == 0 {
		c.Nodes = 3
	}
	if c.Nodes < 1 || c.Nodes > 64 {
		return fmt.Errorf("%w: nodes %d: want 1 to 64", ErrConfig, c.Nodes)
	}
	if c.Changefeed == "" {
		c.Changefeed = "cf"
	}
	if c.MemoryQuotaBytes == 0 {
		c.MemoryQuotaBytes = 1 << 30
	}
	if c.RedoQuotaPercent == 0 {
		c.RedoQuotaPercent = 50
	}
	if c.RedoQuotaPercent < 1 || c.RedoQuotaPercent > 99 {
		return fmt.Errorf("%w: redo quota percent %d: want 1 to 99", ErrConfig, c.RedoQuotaPercent)
	}
	if c.SlowFactor == 0 {
		c.SlowFactor = 10
	}
	if c.SlowShare < 0 || c.SlowShare > 1 {
		return fmt.Errorf("%w: slow share %v: want 0 to 1", ErrConfig, c.SlowShare)
	}
	if c.Redo.Storage == "" {
		c.Redo.Storage = "object"
	}
	if c.Redo.Storage != "disk" && c.Redo.Storage != "object" {
		return fmt.Errorf("%w: redo storage %q: want disk or object", ErrConfig, c.Redo.Storage)
	}
	if c.Redo.DiskProfile == "" {
		c.Redo.DiskProfile = "nvme"
	}
	for _, b := range c.Bugs {
		if !isKnownBug(b) {
			return fmt.Errorf("%w: unknown planted bug %q", ErrConfig, b)
		}
	}
	return nil
}

// LivenessConfig sets the liveness invariant.
type LivenessConfig struct {
	// Judged turns the invariant on.
	Judged bool
	// FaultsOverAt is when the last fault's effect is over (0: a world
	// without faults); liveness is judged from then on. Crashes,
	// partitions and downstream stalls the cluster sees (scheduled by a
	// scenario rather than a fault plan) move it later by themselves.
	FaultsOverAt sim.Duration
	// MinAdvance is how far (in TSO physical time) a ts must rise within
	// the bound to count as advancing; 0: any rise. The scenarios take any
	// rise (an overloaded changefeed that creeps is slow, not stuck, and
	// the reports' lag and throughput say how slow); the swarm asks for a
	// second, judged against a fault-free twin that excuses overload.
	MinAdvance sim.Duration
	// Bound replaces the derived LivenessBound when positive (the swarm
	// plans its worlds around a fixed one).
	Bound sim.Duration
}
