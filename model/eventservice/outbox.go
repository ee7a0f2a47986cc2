package eventservice

import (
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// Wire sizes of the events that carry no rows, in bytes (TiCDC encodes a
// resolved event in 8+8+id bytes, a syncpoint in 8+8+id+8).
const (
	resolvedEventBytes  = 32
	syncPointEventBytes = 40
	handshakeEventBytes = 40
	// batchHeaderBytes is the fixed size of an EventBatch message.
	batchHeaderBytes = 16
)

// outbox holds the events bound for one collector node until they are sent
// as one EventBatch. Data events (anything but resolved) flush at the end
// of the loop turn that queued them; resolved events alone wait up to
// ResolvedFlushInterval for company, like TiCDC's per-target resolved-ts
// cache (flushed every 25 ms or before any data message). Events keep their
// queue order, so each dispatcher's stream order is preserved; a resolved
// event that directly follows another of the same dispatcher and epoch
// replaces it in place.
type outbox struct {
	to     netsim.NodeID
	events []msg.Event
	// lastOf is the index in events of each dispatcher's last queued event.
	lastOf map[msg.DispatcherID]int
	// flushSoon and flushLater are the pending flush timers.
	flushSoon, flushLater sim.Timer
}

// outboxFor returns the outbox of collector to, creating it on first use.
func (s *Service) outboxFor(to netsim.NodeID) *outbox {
	if o, ok := s.outboxes[to]; ok {
		return o
	}
	o := &outbox{to: to, lastOf: make(map[msg.DispatcherID]int)}
	s.outboxes[to] = o
	return o
}

// queue appends ev to d's collector's outbox and arranges its flush.
func (s *Service) queue(d *dispatcherStat, ev msg.Event) {
	o := s.outboxFor(d.collector)
	s.countSent(d, &ev)
	if ev.Kind == msg.EventResolved {
		if i, ok := o.lastOf[ev.Dispatcher]; ok && o.events[i].Kind == msg.EventResolved && o.events[i].Epoch == ev.Epoch {
			o.events[i] = ev
			return
		}
	}
	o.lastOf[ev.Dispatcher] = len(o.events)
	o.events = append(o.events, ev)
	switch {
	case ev.Kind != msg.EventResolved || s.cfg.ResolvedFlushInterval == 0:
		if !o.flushSoon.Pending() {
			o.flushSoon = s.n.After(0, func() { s.flush(o) })
		}
	case !o.flushLater.Pending() && !o.flushSoon.Pending():
		o.flushLater = s.n.After(s.cfg.ResolvedFlushInterval, func() { s.flush(o) })
	}
}

// flush sends the outbox's events as one EventBatch.
func (s *Service) flush(o *outbox) {
	o.flushSoon.Stop()
	o.flushLater.Stop()
	if len(o.events) == 0 {
		return
	}
	size := batchHeaderBytes
	for i := range o.events {
		size += int(o.events[i].Bytes)
	}
	batch := msg.EventBatch{Events: o.events}
	// The batch travels with its slice; the next one starts at this one's
	// size, so it is allocated once instead of grown by doubling.
	o.events = make([]msg.Event, 0, len(batch.Events))
	clear(o.lastOf)
	s.stats.Batches++
	s.stats.BatchBytes += int64(size)
	s.m.batchBytes.Add(float64(size))
	s.n.Send(o.to, batch, size)
}
