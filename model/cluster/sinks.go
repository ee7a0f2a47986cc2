package cluster

import (
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/redosink"
)

// mainSink is an event dispatcher's sink: the downstream. With the
// planted bug BugDropDownstreamRow it silently drops one row in a hundred;
// with BugSkipSyncPointRow it writes no syncpoint row; with
// BugStallDownstream it never completes a write.
type mainSink struct {
	c       *capture
	dropped uint64
}

func (s *mainSink) WriteDML(d msg.DispatcherID, events []msg.Event, done func()) {
	if s.c.cl.cfg.bug(BugStallDownstream) {
		return // planted bug: the write never completes
	}
	if s.c.cl.cfg.bug(BugDropDownstreamRow) {
		events = withoutEveryHundredth(events, &s.dropped)
	}
	s.c.cl.watch.beforeSink(d, events)
	s.c.cl.down.WriteDML(d, events, done)
}

// withoutEveryHundredth returns a copy of events with every hundredth
// row removed, counting rows in *count across calls (the planted bugs'
// filter).
func withoutEveryHundredth(events []msg.Event, count *uint64) []msg.Event {
	out := make([]msg.Event, len(events))
	copy(out, events)
	for i := range out {
		if out[i].Kind != msg.EventDML {
			continue
		}
		kept := out[i].Rows[:0:0]
		for _, r := range out[i].Rows {
			*count++
			if *count%100 != 0 {
				kept = append(kept, r)
			}
		}
		out[i].Rows = kept
	}
	return out
}

func (s *mainSink) WriteBlock(d msg.DispatcherID, ev msg.Event, done func()) {
	if ev.Kind == msg.EventSyncPoint {
		if s.c.cl.cfg.bug(BugSkipSyncPointRow) {
			s.c.cl.w.Loop.After(0, done) // acknowledged, never written
			return
		}
		s.c.cl.down.WriteSyncPoint(ev.CommitTs, done)
		return
	}
	s.c.cl.down.WriteDDL(ev.DDL, done)
}

// redoSink is a redo dispatcher's sink: the node's redo engine. done is
// always called from a loop event, as the dispatcher requires, and each
// acknowledgement is checked durable (durable-ack). With the planted bug
// BugRedoAckUnwritten one row in a hundred is acknowledged without being
// written; with BugRedoAckBeforeDurable a batch is acknowledged as soon as
// it is handed to the engine.
type redoSink struct {
	c       *capture
	skipped uint64
}

func (s *redoSink) WriteDML(d msg.DispatcherID, events []msg.Event, done func()) {
	r := s.c.redo
	if r == nil {
		return // the node crashed: the dispatcher is gone too
	}
	if s.c.cl.cfg.bug(BugRedoAckUnwritten) {
		events = withoutEveryHundredth(events, &s.skipped)
	}
	loop := s.c.cl.w.Loop
	eng := r.Driver().Engine()
	// end is the row log's LSN past the batch's last row. The sink calls
	// back only once every row is appended, so an ack inside WriteDML reads
	// it then (unmoved from before: the batch had no rows, nothing to
	// check); a later one reads it as set below.
	before, end := eng.RowAppendedLSN(), core.LSN(0)
	endSet := false
	ack := func() {
		if !endSet {
			end = eng.RowAppendedLSN()
		}
		if end > before {
			s.c.cl.watch.checkDurableAck(d, eng, end)
		}
		loop.After(0, done)
	}
	if s.c.cl.cfg.bug(BugRedoAckBeforeDurable) {
		r.WriteDML(d, events, func() {})
		ack() // handed to the engine is not durable
		return
	}
	r.WriteDML(d, events, ack)
	end, endSet = eng.RowAppendedLSN(), true
}

func (s *redoSink) WriteBlock(d msg.DispatcherID, ev msg.Event, done func()) {
	if r := s.c.redo; r != nil && ev.Kind == msg.EventDDL {
		r.WriteDDL(ev.DDL, done)
	}
}

// redoMeta adapts the owner's redo sink to the table-trigger redo
// dispatcher's RedoMeta.
type redoMeta struct{ s *redosink.Sink }

func (m redoMeta) UpdateMeta(checkpointTs, resolvedTs uint64) {
	m.s.UpdateMeta(checkpointTs, resolvedTs)
}

func (m redoMeta) FlushedMeta() (checkpointTs, resolvedTs uint64) {
	f := m.s.FlushedMeta()
	return f.CheckpointTs, f.ResolvedTs
}
