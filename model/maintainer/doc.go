// Package maintainer models a changefeed's maintainer in TiCDC's new
// architecture (maintainer/maintainer.go, barrier.go, barrier_event.go):
// the actor on one node that computes the changefeed checkpoint, runs the
// block-event barriers and drives the redo meta and redoGlobalTs.
//
// Checkpoint (every CheckpointInterval, 100 ms): the minimum over the
// latest HeartBeat.Watermark of every node in Config.Nodes. A node that has
// not heartbeated yet freezes it, a node without event dispatchers
// (MaxUint64) is left out, and it never goes back (invariant 6).
//
// Barriers (D6), one per mode — the redo barrier is TiCDC's redoBarrier —
// keyed by (commitTs, isSyncPoint), DDL before syncpoint:
//
//   - Coverage: a syncpoint covers every table registered with SetTables
//     when the table trigger reports it (a snapshot, as TiCDC builds its
//     All range checker); a DDL covers its BlockStatus.Blocked tables that
//     are registered. Reporters are always covered; tables removed from
//     SetTables drop out (the period task re-checks).
//   - When every covered dispatcher waits: the writer is the table trigger
//     for a syncpoint or a DDL covering it, else the dispatcher whose
//     report completed the coverage; it gets Write. Its DONE sends Pass to
//     the others (one message per node listing its dispatchers; TiCDC
//     broadcasts syncpoint Passes per node). The event ends at the last
//     DONE; its duration from the first WAITING is a histogram.
//   - Every status is ACKed. Actions are resent at most every
//     BarrierResend (1 s): Write until the writer is done, then Pass.
//   - A finished event is remembered until the mode's checkpoint passes it,
//     so a WAITING replayed after a dispatcher reset gets Pass at once.
//
// Redo (A7), with RedoEnabled: every RedoTick (1 s) the meta's resolved ts
// rises to the minimum RedoWatermark (all nodes reported) and its
// checkpoint to the changefeed checkpoint; a change is sent as
// RedoMetaUpdate to the maintainer's own node, whose dispatcher manager
// owns the table-trigger redo dispatcher's meta. A RedoResolvedProgress
// that rose becomes the redo resolved ts and is broadcast to every node as
// RedoResolvedForward with the maintainer's Epoch; managers drop forwards
// of an older epoch.
//
// Which dispatchers exist is the wiring layer's knowledge, told with
// SetTables(node, tables): each listed table has an event dispatcher there
// and, with redo on, a redo dispatcher; the maintainer's node lists
// msg.TableTrigger.
//
// Usage:
//
//	m, err := maintainer.New(n1, reg, maintainer.Config{
//		Epoch: 1, RedoEnabled: true, StartTs: startTs,
//		Nodes: []netsim.NodeID{"n1", "n2"},
//	})
//	err = m.SetTables("n1", []int64{msg.TableTrigger, 2})
//	err = m.SetTables("n2", []int64{1})
//	n1.Handle(func(from netsim.NodeID, x any) {
//		if m.Handle(from, x) || mgr1.Handle(from, x) { return }
//	})
//	// ... run the world; read m.CheckpointTs(), m.RedoResolvedTs()
//
// Everything runs on the node's loop with the node's timers; maps are read
// by key or in sorted order only.
package maintainer
