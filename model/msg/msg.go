// Package msg defines the messages the TiCDC model's actors exchange over
// the simulated network, and the events that flow from the event service
// through the event collector to the dispatchers. It is the contract
// between model/eventservice, model/collector, model/dispatcher and
// model/maintainer; it holds data only.
//
// Names follow TiCDC's new architecture (downstreamadapter/, pkg/eventservice,
// maintainer/): a reader can diff the model against the source.
package msg

import (
	"fmt"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/sim/netsim"
)

// Mode tells a table's two dispatchers apart: the event dispatcher writes
// to the downstream sink, the redo dispatcher to the redo log.
type Mode uint8

// The dispatcher modes.
const (
	ModeMain Mode = 1 // TiCDC DefaultMode: event dispatcher
	ModeRedo Mode = 2 // TiCDC RedoMode: redo dispatcher
)

// String returns "main" or "redo".
func (m Mode) String() string {
	if m == ModeRedo {
		return "redo"
	}
	return "main"
}

// TableTrigger is the table id of the changefeed's table-trigger (DDL span)
// dispatchers; real tables have ids >= 1.
const TableTrigger int64 = 0

// DispatcherID names one dispatcher: a table (or the table trigger) and a
// mode. It is comparable, so it keys maps; iterate such maps in sorted order.
type DispatcherID struct {
	Table int64
	Mode  Mode
}

// String returns e.g. "t12/redo" or "trigger/main".
func (d DispatcherID) String() string {
	if d.Table == TableTrigger {
		return "trigger/" + d.Mode.String()
	}
	return fmt.Sprintf("t%d/%s", d.Table, d.Mode)
}

// Less orders dispatcher ids by table, then mode.
func (d DispatcherID) Less(o DispatcherID) bool {
	if d.Table != o.Table {
		return d.Table < o.Table
	}
	return d.Mode < o.Mode
}

// EventKind is the kind of an event in a dispatcher's stream.
type EventKind uint8

// The event kinds (pkg/common/event).
const (
	EventDML       EventKind = 1 // one transaction's rows of the table
	EventDDL       EventKind = 2 // a DDL touching the table
	EventSyncPoint EventKind = 3 // a syncpoint at CommitTs
	EventResolved  EventKind = 4 // resolved ts: nothing more at or below CommitTs
	EventHandshake EventKind = 5 // first event of an epoch
	EventDrop      EventKind = 6 // placeholder for an event dropped under memory pressure: forces a reset
)

// String returns the kind's name.
func (k EventKind) String() string {
	switch k {
	case EventDML:
		return "dml"
	case EventDDL:
		return "ddl"
	case EventSyncPoint:
		return "syncpoint"
	case EventResolved:
		return "resolved"
	case EventHandshake:
		return "handshake"
	case EventDrop:
		return "drop"
	}
	return "event?"
}

// Blocking reports whether the kind is a block event handled through the
// maintainer's barrier (DDL and syncpoint).
func (k EventKind) Blocking() bool { return k == EventDDL || k == EventSyncPoint }

// Event is one event of a dispatcher's stream. Seq is contiguous within an
// epoch for every kind but resolved (which carries the last data seq), so
// the collector can see a gap and reset.
type Event struct {
	Kind       EventKind
	Dispatcher DispatcherID
	Epoch      uint64
	Seq        uint64
	CommitTs   uint64
	StartTs    uint64
	// Rows of a DML event (one transaction's rows of this table).
	Rows []codec.Row
	// DDL of a DDL event.
	DDL *codec.DDL
	// Bytes is the event's accounted memory: row bytes plus overhead.
	Bytes int64
}

// EventBatch carries events from an event service to a collector, in
// stream order per dispatcher.
type EventBatch struct {
	Events []Event
}

// RegisterDispatcher asks an event service to serve a dispatcher from
// StartTs (exclusive) in epoch Epoch; a reset is a register with a higher
// epoch, from the dispatcher's checkpoint.
type RegisterDispatcher struct {
	Dispatcher DispatcherID
	Epoch      uint64
	StartTs    uint64
	// Collector is the node whose collector receives the events.
	Collector netsim.NodeID
	// SyncPointInterval in whole seconds; 0 = syncpoints off.
	SyncPointIntervalSec int64
	// SkipSyncPointAtStart skips a syncpoint exactly at StartTs.
	SkipSyncPointAtStart bool
}

// RemoveDispatcher stops an event service from serving a dispatcher.
type RemoveDispatcher struct {
	Dispatcher DispatcherID
}

// DispatcherAvailable is one dispatcher's available path memory.
type DispatcherAvailable struct {
	Dispatcher DispatcherID
	Bytes      int64
}

// CongestionControl is the collector's periodic (1 s) memory report to one
// event service node (congestion control v1, or v2 with the usage ratio and
// release count). One changefeed per world, so one entry.
type CongestionControl struct {
	Version int // 1 or 2
	// Available = quota - used of the area; with redo on, min(main, redo).
	Available int64
	// UsageRatio = used/quota in [0,1]; with redo on, max(main, redo) or
	// min, per the usage-aggregation parameter. v2 only.
	UsageRatio float64
	// MainUsage and RedoUsage are the two areas' ratios before aggregation,
	// for metrics.
	MainUsage, RedoUsage float64
	// DispatcherAvailable lists the dispatchers served by that node, sorted.
	DispatcherAvailable []DispatcherAvailable
	// ReleaseCount is the number of releases since the last report. v2 only.
	ReleaseCount int
}

// BlockStage is a dispatcher's stage on a block event.
type BlockStage uint8

// The block stages (heartbeatpb.BlockStage).
const (
	StageWaiting BlockStage = 1
	StageWriting BlockStage = 2
	StageDone    BlockStage = 3
)

// BlockStatus reports a dispatcher's stage on a block event to the maintainer.
type BlockStatus struct {
	Dispatcher  DispatcherID
	BlockTs     uint64
	IsSyncPoint bool
	Stage       BlockStage
	// Blocked lists the tables a DDL blocks (nil for a syncpoint: all).
	Blocked []int64
}

// ActionKind is the maintainer's instruction for a block event.
type ActionKind uint8

// The actions.
const (
	ActionWrite ActionKind = 1
	ActionPass  ActionKind = 2
)

// BlockAction tells dispatchers to write or pass the block event at
// (CommitTs, IsSyncPoint). Dispatchers lists the addressees; an empty list
// means every dispatcher of Mode on the node.
type BlockAction struct {
	Action      ActionKind
	CommitTs    uint64
	IsSyncPoint bool
	Mode        Mode
	Dispatchers []DispatcherID
}

// BlockAck acknowledges a WAITING or DONE status, so the dispatcher stops
// resending it.
type BlockAck struct {
	Dispatcher  DispatcherID
	BlockTs     uint64
	IsSyncPoint bool
	Stage       BlockStage
}

// HeartBeat is a dispatcher manager's periodic (200 ms) progress report:
// Watermark is the minimum checkpoint over its event dispatchers,
// RedoWatermark over its redo dispatchers.
type HeartBeat struct {
	Node          netsim.NodeID
	Watermark     uint64
	RedoWatermark uint64
	Dispatchers   int
}

// RedoMetaUpdate asks the table-trigger redo dispatcher's manager to raise
// the unflushed redo meta.
type RedoMetaUpdate struct {
	CheckpointTs, ResolvedTs uint64
}

// RedoResolvedProgress reports the flushed meta resolved ts to the
// maintainer (every flush-interval).
type RedoResolvedProgress struct {
	ResolvedTs uint64
}

// RedoResolvedForward broadcasts the new redoGlobalTs to every node.
type RedoResolvedForward struct {
	ResolvedTs      uint64
	MaintainerEpoch uint64
}
