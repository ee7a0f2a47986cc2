// Package dispatcher models TiCDC's dispatchers and their per-node manager
// (downstreamadapter/dispatcher, downstreamadapter/dispatchermanager): the
// actors between the event collector and the sinks.
//
// Every table span (and the changefeed's table trigger, msg.TableTrigger)
// has an EventDispatcher, which writes to the downstream sink, and, with
// redo on, a RedoDispatcher, which writes to the redo sink (A3). Both
// implement the collector's Dispatcher interface: HandleEvents(batch, wake)
// and CheckpointTs.
//
// What both do (docs/FIDELITY.md section 5):
//
//   - One batch in flight: a batch with DML events is handed to the sink as
//     one write and HandleEvents returns block=true; wake runs when the sink
//     reports the write flushed. Resolved events raise the resolved ts after
//     the batch's DMLs are handed over.
//   - Checkpoint: the oldest in-flight commitTs minus one, or
//     max(lastMaxCommitTs-1, resolvedTs) when idle; at least S-1 while a
//     block event at S is pending (see CheckpointTs for the case
//     resolved(S) before Sync(S)).
//   - Block events (DDL, syncpoint) come alone: report WAITING to the
//     maintainer, resend every BlockResend (5 s) until ACKed; on Write,
//     write then report DONE; on Pass, advance without writing and report
//     DONE; clear the status, then wake. An action for an earlier event, or
//     a past one with nothing pending, is answered DONE; a later one is
//     ignored. Keys order (commitTs, isSyncPoint) with the DDL first.
//   - A DDL covers BlockScope(ev): its Blocked tables plus the table
//     trigger, which receives every DDL. A dispatcher outside that scope
//     passes the DDL locally. Every DDL goes through the barrier, also a
//     one-table one (TiCDC writes those directly).
//
// The redo side: a RedoDispatcher drops syncpoints (never blocks on them)
// and takes its DDLs through the maintainer's redo barrier, separate from
// the main one, so the table-trigger redo dispatcher writes each DDL to the
// redo log once, synchronously durable — as TiCDC does.
//
// The redo fence (A7): an EventDispatcher with Config.RedoEnabled compares
// the last commitTs of each batch (DML, DDL, syncpoint and resolved alike)
// with the node's RedoGlobalTs; above it, the whole batch goes to a
// one-slot cache and the path blocks (issue #6026). Manager calls
// HandleCacheEvents on each rise; the batch is re-run, may be cached again,
// and its wake runs when it no longer blocks. A second batch while the
// slot is full is a bug and panics. Config.FencePrefix hands the prefix at
// or below redoGlobalTs on at once and caches only the rest (which waits
// for the prefix's flush). Fence waits are metrics (MetricFenceWait,
// MetricFenceWaitEvents).
//
// The Manager heartbeats min checkpoints (Watermark over event dispatchers,
// RedoWatermark over redo ones) every 200 ms, carries statuses and actions,
// applies RedoResolvedForward with epoch fencing (an older maintainer
// epoch is dropped, a newer one adopted; the raise is monotonic), and on
// the maintainer's node owns the redo meta loop: RedoMetaUpdate (accepted
// from the current maintainer only) raises the meta, and every
// FlushInterval (2 s) a flushed resolved ts that rose is reported as
// RedoResolvedProgress.
//
// Usage (the wiring layer):
//
//	mgr, err := dispatcher.NewManager(n, reg, dispatcher.ManagerConfig{
//		Maintainer: "n1", MaintainerEpoch: 1, Meta: metaOnN1,
//		Dispatcher: dispatcher.Config{RedoEnabled: true},
//	})
//	ed, err := mgr.AddEventDispatcher(table, startTs, mysqlSink)
//	rd, err := mgr.AddRedoDispatcher(table, startTs, redoSink)
//	// ... register ed and rd with the node's event collector
//	n.Handle(func(from netsim.NodeID, m any) {
//		if maint.Handle(from, m) || mgr.Handle(from, m) { return }
//	})
//
// Determinism: everything runs on the node's loop; timers are the node's,
// sink callbacks are wrapped with node.Guard so a crashed incarnation's
// are dropped; maps are read by key or in sorted order only. Assertions
// (states the code must never reach) panic with "model/dispatcher: bug:".
package dispatcher
