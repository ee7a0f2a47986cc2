package collector

import (
	"fmt"

	"github.com/redosim/redosim/model/msg"
)

// batchable reports whether events of kind k may share a batch: DML and
// resolved events form one data group (DataGroupResolvedTsOrDML), so a
// batch of DMLs carries the resolved events between them. DDL, syncpoint,
// handshake and drop events are NonBatchable: always alone.
func batchable(k msg.EventKind) bool {
	return k == msg.EventDML || k == msg.EventResolved
}

// popBatch pops the next batch of p (eventQueue.popEvents): the front event
// and, if it is batchable, the batchable events behind it while the batch
// holds fewer than batchCount events and fewer than batchBytes bytes. The
// byte bound is checked before each add, so a batch may overshoot it by one
// event. Each popped event's bytes leave the path and the area; a popped
// event other than a resolved one counts as a size decrease for the
// breaker's deadlock rule (TiCDC excludes periodic signals). p must have at
// least one event.
func (s *stream) popBatch(p *path) []msg.Event {
	if p.queue.Len() == 0 {
		panic(fmt.Sprintf("model/collector: bug: popBatch on the empty path %s", p.id))
	}
	first := *p.queue.Front()
	batch := []msg.Event{first}
	var bytes int64 = first.Bytes
	s.popFront(p)
	ok := batchable
	if s.c.cfg.TestingKnobs.BatchSyncPoints {
		ok = func(k msg.EventKind) bool { return batchable(k) || k == msg.EventSyncPoint } // mutant
	}
	if !ok(first.Kind) {
		return batch
	}
	for p.queue.Len() > 0 && len(batch) < s.batchCount && bytes < s.batchBytes {
		ev := p.queue.Front()
		if !ok(ev.Kind) {
			break
		}
		batch = append(batch, *ev)
		bytes += ev.Bytes
		s.popFront(p)
	}
	return batch
}

// popFront pops p's front event and takes its bytes out of the accounting.
func (s *stream) popFront(p *path) {
	ev := p.queue.Front()
	bytes, kind := ev.Bytes, ev.Kind
	p.queue.Pop()
	if s.c.cfg.TestingKnobs.ForgetPopDecrement {
		return // planted bug: the bytes stay accounted
	}
	s.addPending(p, -bytes)
	if kind != msg.EventResolved {
		s.area.lastSizeDecrease = s.c.w.Now()
	}
}
