package dispatchertest

import (
	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
)

// Write is one write a Sink received.
type Write struct {
	At, FlushedAt sim.Instant
	Dispatcher    msg.DispatcherID
	Events        []msg.Event
	Block         bool
	Flushed       bool
}

// Sink is a fake dispatcher.Sink: each write is flushed after a latency
// drawn from its stream (and, with FlushEvery, only at the next multiple
// of FlushEvery, like the redo writer's flush ticker). Hooks see every
// write when sent and when flushed.
type Sink struct {
	w          *sim.World
	r          *sim.Rand
	latency    dist.Dist
	flushEvery sim.Duration
	// OnWrite runs when a write is handed over, before it is queued.
	OnWrite func(wr *Write)
	// OnFlush runs when a write is flushed, before its done.
	OnFlush func(wr *Write)
	writes  []*Write
}

var _ dispatcher.Sink = (*Sink)(nil)

// NewSink returns a sink whose latency (ns) is drawn from lat (nil = 0) on
// the world's stream "dispatchertest/sink/<name>".
func NewSink(w *sim.World, name string, lat dist.Dist, flushEvery sim.Duration) *Sink {
	return &Sink{w: w, r: w.Rand("dispatchertest/sink/" + name), latency: lat, flushEvery: flushEvery}
}

// WriteDML queues a DML batch.
func (s *Sink) WriteDML(d msg.DispatcherID, events []msg.Event, done func()) {
	s.queue(&Write{At: s.w.Now(), Dispatcher: d, Events: events}, done)
}

// WriteBlock queues a DDL or syncpoint write.
func (s *Sink) WriteBlock(d msg.DispatcherID, ev msg.Event, done func()) {
	s.queue(&Write{At: s.w.Now(), Dispatcher: d, Events: []msg.Event{ev}, Block: true}, done)
}

func (s *Sink) queue(wr *Write, done func()) {
	s.writes = append(s.writes, wr)
	if s.OnWrite != nil {
		s.OnWrite(wr)
	}
	var d sim.Duration
	if s.latency != nil {
		d = dist.Duration(s.latency, s.r)
	}
	at := s.w.Now().Add(max(d, 1))
	if s.flushEvery > 0 {
		tick := sim.Instant(s.flushEvery)
		at = (at + tick - 1) / tick * tick
	}
	s.w.Loop.At(at, func() {
		wr.Flushed, wr.FlushedAt = true, s.w.Now()
		if s.OnFlush != nil {
			s.OnFlush(wr)
		}
		done()
	})
}

// Writes returns every write so far, in order.
func (s *Sink) Writes() []*Write { return s.writes }
