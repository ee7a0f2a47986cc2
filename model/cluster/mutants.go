package cluster

import (
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/model/collector"
	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/model/downstream"
	"github.com/redosim/redosim/model/eventservice"
	"github.com/redosim/redosim/model/maintainer"
	"github.com/redosim/redosim/model/redosink"
)

// Mutants are planted bugs of a second kind: realistic one-line slips
// (a comparison off by one, a value from the wrong source, a step in the
// wrong order) that the mutation harness (scenarios/swarm RunMutants,
// simrun mutants) applies one at a time to measure which checkers see
// them. Unlike Bugs, a mutant is not promised to be caught: the harness
// reports the ones no checker sees, each with its reason. They share
// Bugs' mechanism: armed by a fault plan ('-faults MUTANT@0s..', listed
// by simrun -list-faults), looked up with Config.bug, and wired into the
// packages through their TestingKnobs; with none armed, every package
// behaves exactly as before.
const (
	MutFenceFirstCommitTs         = "mutant/model/dispatcher/fenceFirstCommitTs"
	MutCheckpointAtInflight       = "mutant/model/dispatcher/checkpointAtInflight"
	MutCheckpointAtBlock          = "mutant/model/dispatcher/checkpointAtBlock"
	MutWatermarkMax               = "mutant/model/dispatcher/watermarkMax"
	MutDoneForFutureBlock         = "mutant/model/dispatcher/doneForFutureBlock"
	MutForwardIgnoresEpoch        = "mutant/model/dispatcher/forwardIgnoresEpoch"
	MutDoubleCountAppend          = "mutant/model/collector/doubleCountAppend"
	MutCollapseOverDML            = "mutant/model/collector/collapseOverDML"
	MutDedupeBreaks               = "mutant/model/collector/dedupeBreaks"
	MutReleaseMostLagging         = "mutant/model/collector/releaseMostLagging"
	MutBatchSyncPoints            = "mutant/model/collector/batchSyncPoints"
	MutInterruptedResolvedAtEnd   = "mutant/model/eventservice/interruptedResolvedAtEnd"
	MutResolvedBeforeEvents       = "mutant/model/eventservice/resolvedBeforeEvents"
	MutSyncPointNextFromEvent     = "mutant/model/eventservice/syncPointNextFromEvent"
	MutSkipSyncPointAtStart       = "mutant/model/eventservice/skipSyncPointAtStart"
	MutBarrierOneMissing          = "mutant/model/maintainer/barrierOneMissing"
	MutPassedAtBarrierTs          = "mutant/model/maintainer/passedAtBarrierTs"
	MutPassWithWrite              = "mutant/model/maintainer/passWithWrite"
	MutIgnoreUnreportedNode       = "mutant/model/maintainer/ignoreUnreportedNode"
	MutCheckpointFromRedo         = "mutant/model/maintainer/checkpointFromRedo"
	MutRedoResolvedFromMain       = "mutant/model/maintainer/redoResolvedFromMain"
	MutRedoCheckpointFromResolved = "mutant/model/maintainer/redoCheckpointFromResolved"
	MutForwardUnflushed           = "mutant/model/maintainer/forwardUnflushed"
	MutRedoAckOneRowEarly         = "mutant/model/redosink/ackOneRowEarly"
	MutRedoGCNewestSealed         = "mutant/model/redosink/gcNewestSealed"
	MutRedoGCBelowResolved        = "mutant/model/redosink/gcBelowResolved"
	MutDownstreamDoneOneTxnEarly  = "mutant/model/downstream/doneOneTxnEarly"
	MutMetaWrittenLSN             = "mutant/engine/core/metaWrittenLSN"
	MutEngineGCNewestSealed       = "mutant/engine/core/gcNewestSealed"
	MutAckWrittenLSN              = "mutant/engine/core/ackWrittenLSN"
	MutEngineGCBelowResolved      = "mutant/engine/core/gcBelowResolved"
	MutMetaFlushedAtIssue         = "mutant/engine/core/flushedAtIssue"
	MutReleaseOneEarly            = "mutant/engine/simdriver/releaseOneEarly"
)

// Mutant is one slip of the mutation harness's catalogue.
type Mutant struct {
	// Name arms it in a fault plan.
	Name string
	// Where is the file and function the slip is in.
	Where string
	// What is the slip, in one line.
	What string
	// Unseen, for a mutant the harness finds no checker catching, says
	// why none can see it (empty for the caught ones).
	Unseen string
	// Equivalent marks a survivor that behaves exactly as the right code
	// in every world the harness runs (an equivalent mutant): no checker
	// could catch it there, and the score is also given without it.
	Equivalent bool
}

// Mutants lists every mutant, grouped by package.
func Mutants() []Mutant {
	return []Mutant{
		{Name: MutFenceFirstCommitTs, Where: "model/dispatcher/event.go HandleEvents", What: "the redo fence compares the batch's first commitTs with redoGlobalTs, not its last"},
		{Name: MutCheckpointAtInflight, Where: "model/dispatcher/basic.go CheckpointTs", What: "the checkpoint is the oldest in-flight commitTs, not that minus one"},
		{Name: MutCheckpointAtBlock, Where: "model/dispatcher/basic.go CheckpointTs", What: "a dispatcher blocked at syncpoint/DDL S reports checkpoint S, not S-1"},
		{Name: MutWatermarkMax, Where: "model/dispatcher/heartbeat.go Watermarks", What: "a node's watermark is the max over its dispatchers, not the min"},
		{Name: MutDoneForFutureBlock, Where: "model/dispatcher/block.go HandleBlockAction", What: "an idle dispatcher answers DONE to an action for a block event it has not reached",
			Unseen: "a dispatcher is sent an action only for an event it reported WAITING for, so an idle one sees a future action only after a reset took it back below the event; its early DONE is then harmless: the barrier ends the event once every covered dispatcher is done and answers the replayed WAITING with Pass (a completed event), so nothing is written or passed out of order"},
		{Name: MutForwardIgnoresEpoch, Where: "model/dispatcher/heartbeat.go onForward", What: "a redoGlobalTs broadcast of an older maintainer epoch is applied",
			Unseen: "every maintainer's redoGlobalTs is a flushed meta's resolved ts, durable on the shared storage, and redoGlobalTs only rises; an older epoch's broadcast is still a durable redo ts, so applying it fences nothing wrongly (the epoch check only sheds useless messages)", Equivalent: true},
		{Name: MutDoubleCountAppend, Where: "model/collector/stream.go append", What: "a queued event's bytes are added to the area twice"},
		{Name: MutCollapseOverDML, Where: "model/collector/stream.go append", What: "a resolved event collapses into whatever is at the queue's back, a DML included"},
		{Name: MutDedupeBreaks, Where: "model/collector/stat.go handleData", What: "a DML the commit-ts filter drops ends the batch (break, not continue)",
			Unseen: "the filter drops a DML only when a reset rescans below an event already handed out, that is a reset while the dispatcher has writes in flight; in the model every reset comes as the next event is handled, and a path is popped only once its dispatcher is unblocked (its writes flushed), so the rescan starts at or above the last handed-out DML and the filter never drops one; TiCDC also resets when a dispatcher moves between event services, which the model does not have; were it reached, the events behind the break would fail the next seq check and be rescanned, a reset and not a loss"},
		{Name: MutReleaseMostLagging, Where: "model/collector/breaker.go releasePick", What: "the breaker releases the least advanced paths first, not the most advanced",
			Unseen: "a release discards a blocked path's queue and its dispatcher rescans from its checkpoint, which is safe whichever paths are picked; picking the most advanced is a progress heuristic (keep the data of the paths that hold the checkpoint back), and in these worlds the lagging paths recover within the liveness bound; no checker judges the release order (model/collector's unit tests do)"},
		{Name: MutBatchSyncPoints, Where: "model/collector/batch.go popBatch", What: "a syncpoint is batchable: it shares a batch with DMLs and resolved events"},
		{Name: MutInterruptedResolvedAtEnd, Where: "model/eventservice/scan.go completeScan", What: "a scan cut short by its budget closes at the range's end, not its last event"},
		{Name: MutResolvedBeforeEvents, Where: "model/eventservice/scan.go completeScan", What: "a scan's resolved ts is sent before the events it covers"},
		{Name: MutSyncPointNextFromEvent, Where: "model/eventservice/syncpoint.go emitSyncPoints", What: "the next syncpoint is stepped from the crossing event's ts, not the syncpoint's"},
		{Name: MutSkipSyncPointAtStart, Where: "model/eventservice/stat.go newDispatcherStat", What: "a syncpoint exactly at a registration's start ts is always skipped"},
		{Name: MutBarrierOneMissing, Where: "model/maintainer/barrier.go trySelect", What: "the barrier selects its writer with one covered dispatcher missing (> 1, not > 0)"},
		{Name: MutPassedAtBarrierTs, Where: "model/maintainer/barrier.go passedSomewhere", What: "a node at exactly the barrier's ts counts as past it (>=, not >)"},
		{Name: MutPassWithWrite, Where: "model/maintainer/barrier.go trySelect", What: "the others get Pass together with the writer's Write, not after its DONE"},
		{Name: MutIgnoreUnreportedNode, Where: "model/maintainer/checkpoint.go minWatermark", What: "a node that has not heartbeated is left out of the minimum instead of freezing it"},
		{Name: MutCheckpointFromRedo, Where: "model/maintainer/checkpoint.go updateCheckpoint", What: "the changefeed checkpoint is the minimum redo watermark, not the event dispatchers'"},
		{Name: MutRedoResolvedFromMain, Where: "model/maintainer/redo.go redoTick", What: "the redo meta's resolved ts is the minimum event watermark, not the redo dispatchers'"},
		{Name: MutRedoCheckpointFromResolved, Where: "model/maintainer/redo.go redoTick", What: "the redo meta's checkpoint is its resolved ts, not the changefeed checkpoint"},
		{Name: MutForwardUnflushed, Where: "model/maintainer/redo.go redoTick", What: "redoGlobalTs is broadcast from the computed meta before it is flushed (the maintainer's ForwardUnflushedMeta, TiCDC before PR #3426)"},
		{Name: MutRedoAckOneRowEarly, Where: "model/redosink/redosink.go WriteDML", What: "a batch is acknowledged while its last row is not yet"},
		{Name: MutRedoGCNewestSealed, Where: "model/redosink/gc.go expired", What: "the owner's GC deletes another capture's newest sealed file too",
			Unseen: "GC deletes only a prefix in LSN order below the flushed checkpoint, and a running capture's open file always follows its newest sealed one, so the log from the checkpoint to the meta's end stays whole; keeping the newest sealed file matters only for a log with no open file after it (a capture sealed and never restarted), which no world has", Equivalent: true},
		{Name: MutRedoGCBelowResolved, Where: "model/redosink/gc.go collectExpired", What: "the owner's GC collects below the flushed resolved ts, not the checkpoint"},
		{Name: MutDownstreamDoneOneTxnEarly, Where: "model/downstream/write.go WriteDML", What: "a DML batch is done while one of its transactions is still running"},
		{Name: MutMetaWrittenLSN, Where: "engine/core/engine.go Ready", What: "the meta records the logs' appended LSNs (next to hand out), not their synced ones"},
		{Name: MutEngineGCNewestSealed, Where: "engine/core/log_chain.go collect", What: "GC deletes the newest sealed file too",
			Unseen: "as for the redo sink's GC: files go only in LSN order below the checkpoint and the open file follows the newest sealed one, so the chain the meta promises stays whole; the kept file matters only for a sealed log with no open file, which no world collects from", Equivalent: true},
		{Name: MutAckWrittenLSN, Where: "engine/core/log_chain.go ack", What: "under the commit and interval policies appends are acknowledged at the written LSN",
			Unseen: "a chain that is not pipelined writes and syncs in one go, so the written and synced LSNs are equal whenever ack runs; they differ only with SyncChainsMax > 0 (pipelined flushes), which no changefeed world or swarm draw sets; there the engine's own assertion acked <= synced would stop it (a panic, not a checker)", Equivalent: true},
		{Name: MutEngineGCBelowResolved, Where: "engine/core/meta.go ready", What: "the meta chain collects files below the resolved ts, not the checkpoint"},
		{Name: MutMetaFlushedAtIssue, Where: "engine/core/meta.go ready", What: "a meta counts as flushed when its chain is issued, not when it completes"},
		{Name: MutReleaseOneEarly, Where: "engine/simdriver/driver.go pump", What: "each release of acknowledged appenders calls back one appender more"},
	}
}

// isKnownBug reports whether name is a planted bug or a mutant.
func isKnownBug(name string) bool {
	for _, b := range Bugs() {
		if b[0] == name {
			return true
		}
	}
	for _, m := range Mutants() {
		if m.Name == name {
			return true
		}
	}
	return false
}

func (c *Config) dispatcherMutants(k *dispatcher.TestingKnobs) {
	k.FenceFirstCommitTs = c.bug(MutFenceFirstCommitTs)
	k.CheckpointAtInflight = c.bug(MutCheckpointAtInflight)
	k.CheckpointAtBlock = c.bug(MutCheckpointAtBlock)
	k.WatermarkMax = c.bug(MutWatermarkMax)
	k.DoneForFutureBlock = c.bug(MutDoneForFutureBlock)
	k.ForwardIgnoresEpoch = c.bug(MutForwardIgnoresEpoch)
}

func (c *Config) collectorMutants(k *collector.TestingKnobs) {
	k.DoubleCountAppend = c.bug(MutDoubleCountAppend)
	k.CollapseOverDML = c.bug(MutCollapseOverDML)
	k.DedupeBreaks = c.bug(MutDedupeBreaks)
	k.ReleaseMostLagging = c.bug(MutReleaseMostLagging)
	k.BatchSyncPoints = c.bug(MutBatchSyncPoints)
}

func (c *Config) eventServiceMutants(k *eventservice.TestingKnobs) {
	k.InterruptedResolvedAtEnd = c.bug(MutInterruptedResolvedAtEnd)
	k.ResolvedBeforeEvents = c.bug(MutResolvedBeforeEvents)
	k.SyncPointNextFromEvent = c.bug(MutSyncPointNextFromEvent)
	k.SkipSyncPointAtStart = c.bug(MutSkipSyncPointAtStart)
}

func (c *Config) maintainerMutants(k *maintainer.TestingKnobs) {
	k.BarrierOneMissing = c.bug(MutBarrierOneMissing)
	k.PassedAtBarrierTs = c.bug(MutPassedAtBarrierTs)
	k.PassWithWrite = c.bug(MutPassWithWrite)
	k.IgnoreUnreportedNode = c.bug(MutIgnoreUnreportedNode)
	k.CheckpointFromRedo = c.bug(MutCheckpointFromRedo)
	k.RedoResolvedFromMain = c.bug(MutRedoResolvedFromMain)
	k.RedoCheckpointFromResolved = c.bug(MutRedoCheckpointFromResolved)
}

func (c *Config) redoSinkMutants(k *redosink.TestingKnobs) {
	k.AckOneRowEarly = c.bug(MutRedoAckOneRowEarly)
	k.GCNewestSealed = c.bug(MutRedoGCNewestSealed)
	k.GCBelowResolved = c.bug(MutRedoGCBelowResolved)
}

func (c *Config) downstreamMutants(k *downstream.TestingKnobs) {
	k.DoneOneTxnEarly = c.bug(MutDownstreamDoneOneTxnEarly)
}

func (c *Config) engineMutants(k *core.TestingKnobs) {
	k.MetaWrittenLSN = c.bug(MutMetaWrittenLSN)
	k.GCNewestSealed = c.bug(MutEngineGCNewestSealed)
	k.AckWrittenLSN = c.bug(MutAckWrittenLSN)
	k.GCBelowResolved = c.bug(MutEngineGCBelowResolved)
	k.FlushedAtIssue = c.bug(MutMetaFlushedAtIssue)
	k.ReleaseOneEarly = c.bug(MutReleaseOneEarly)
}
