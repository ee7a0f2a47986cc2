package dispatcher

import (
	"fmt"

	"github.com/redosim/redosim/model/msg"
)

// Sink is where a dispatcher writes: the downstream (MySQL-like) sink for
// an event dispatcher, the redo sink over the redo engine for a redo
// dispatcher. The wiring layer implements it.
//
// Ordering and ownership: a dispatcher has at most one call outstanding
// (its one batch in flight) and makes the next only after done ran. The
// sink may keep the events slice until done. done must run exactly once,
// later, from a loop event — never inside the call — when the write is
// flushed: downstream for the main sink (TiCDC's PostFlush), durable in the
// redo log for the redo sink. Single goroutine: one world.
type Sink interface {
	// WriteDML writes a batch of DML events of dispatcher d, in stream
	// order.
	WriteDML(d msg.DispatcherID, events []msg.Event, done func())
	// WriteBlock writes one DDL or syncpoint event: for the main sink a DDL
	// or the syncpoint row (D7), for the redo sink a DDL, synchronously
	// durable (A4). Syncpoints never reach the redo sink.
	WriteBlock(d msg.DispatcherID, ev msg.Event, done func())
}

// Reporter carries a dispatcher's block statuses to the maintainer. The
// Manager implements it over the network; tests may record them. It must
// not call back into the dispatcher.
type Reporter interface {
	// ReportBlockStatus sends s to the maintainer (best effort: the
	// dispatcher resends until acknowledged).
	ReportBlockStatus(s msg.BlockStatus)
}

// RedoMeta is the redo meta owned by the table-trigger redo dispatcher
// (A6): two monotonic timestamps, raised in memory by UpdateMeta and made
// durable by the meta's own flush ticker. The wiring layer passes the redo
// engine's driver.
type RedoMeta interface {
	// UpdateMeta raises the unflushed checkpoint and resolved ts; values
	// that would go back are ignored.
	UpdateMeta(checkpointTs, resolvedTs uint64)
	// FlushedMeta returns the durable checkpoint and resolved ts.
	FlushedMeta() (checkpointTs, resolvedTs uint64)
}

// Deps are one dispatcher's identity and collaborators.
type Deps struct {
	// ID is the dispatcher's table and mode.
	ID msg.DispatcherID
	// StartTs is the ts the dispatcher starts from: its checkpoint and
	// resolved ts until it handles events. Events at or below it are never
	// expected.
	StartTs uint64
	// Sink receives the dispatcher's writes. Required.
	Sink Sink
	// Reporter carries block statuses to the maintainer. Required.
	Reporter Reporter
	// Fence is the node's redoGlobalTs. Required for an event dispatcher
	// with redo enabled; unused otherwise.
	Fence *RedoGlobalTs
	// Metrics are the node's dispatcher metrics; nil means private ones.
	Metrics *Metrics
}

// check reports a missing collaborator or a mode that does not match.
func (d *Deps) check(mode msg.Mode) error {
	if d.ID.Mode != mode {
		return fmt.Errorf("%w: dispatcher %s: mode %s, want %s", ErrConfig, d.ID, d.ID.Mode, mode)
	}
	if d.Sink == nil {
		return fmt.Errorf("%w: dispatcher %s: nil Sink", ErrConfig, d.ID)
	}
	if d.Reporter == nil {
		return fmt.Errorf("%w: dispatcher %s: nil Reporter", ErrConfig, d.ID)
	}
	return nil
}
