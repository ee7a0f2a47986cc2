package collector

import (
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// ResetReason says why a dispatcher was reset.
type ResetReason uint8

// The reset reasons.
const (
	// ResetGap: an event's seq was not the next one of its epoch.
	ResetGap ResetReason = iota + 1
	// ResetNoHandshake: the first event of an epoch was not its handshake.
	ResetNoHandshake
	// ResetDrop: a Drop event (an event dropped at the hard limit) was
	// handed out.
	ResetDrop
	// ResetRelease: the breaker released the path and ResetOnRelease is set.
	ResetRelease
	// ResetExternal: ResetDispatcher was called.
	ResetExternal
)

// String names the reason.
func (r ResetReason) String() string {
	switch r {
	case ResetGap:
		return "gap"
	case ResetNoHandshake:
		return "no-handshake"
	case ResetDrop:
		return "drop"
	case ResetRelease:
		return "release"
	case ResetExternal:
		return "external"
	}
	return "reason?"
}

// SyncPointSkipper may be implemented by a Dispatcher that started exactly
// on a syncpoint already written downstream (ddl_ts recovery, D8). The
// collector then asks the event service to skip the syncpoint at the start
// ts, at registration and at a reset whose ts equals the start ts (TiCDC
// newDispatcherResetRequest). A later reset needs no skip: the collector's
// syncpoint dedupe drops the repeat.
type SyncPointSkipper interface {
	// SkipSyncPointAtStartTs reports whether the syncpoint at the
	// dispatcher's start ts is already written.
	SkipSyncPointAtStartTs() bool
}

// dispatcherStat is the collector's per-dispatcher state (dispatcherStat
// and its epoch state): the epoch and seq checks and the commit-ts dedupe
// filter, applied when a batch is handed out, as in TiCDC.
type dispatcherStat struct {
	id                   msg.DispatcherID
	target               Dispatcher
	service              netsim.NodeID
	startTs              uint64
	syncPointIntervalSec int64
	path                 *path
	stream               *stream

	epoch uint64
	// lastEventSeq is the seq of the last DML, DDL, syncpoint or handshake
	// handled in this epoch; 0 until the handshake.
	lastEventSeq uint64
	// lastEventCommitTs is the commit ts of the last DML, DDL or syncpoint
	// handed to the dispatcher; it survives resets, so a rescan does not
	// hand out events older than what the dispatcher already has.
	lastEventCommitTs uint64
	// gotDDLOnTs and gotSyncPointOnTs say a DDL or syncpoint at
	// lastEventCommitTs was handed out.
	gotDDLOnTs, gotSyncPointOnTs bool
}

// verifySeq checks ev's seq against the epoch (verifyEventSequence): a
// non-handshake before the handshake, or a seq that is not the next one (a
// resolved event carries the last data seq), is a reason to reset.
func (d *dispatcherStat) verifySeq(ev *msg.Event) (ResetReason, bool) {
	if d.lastEventSeq == 0 {
		return ResetNoHandshake, false
	}
	if ev.Kind == msg.EventResolved {
		return ResetGap, ev.Seq == d.lastEventSeq
	}
	d.lastEventSeq++
	return ResetGap, ev.Seq == d.lastEventSeq
}

// forward reports whether ev passes the commit-ts filter
// (shouldForwardEventByCommitTs): older than the last handed-out event is
// dropped, and so is a second DDL or syncpoint at the same commit ts.
func (d *dispatcherStat) forward(ev *msg.Event) bool {
	switch {
	case ev.CommitTs < d.lastEventCommitTs:
		return false
	case ev.CommitTs > d.lastEventCommitTs:
		return true
	case ev.Kind == msg.EventDDL:
		return !d.gotDDLOnTs
	case ev.Kind == msg.EventSyncPoint:
		return !d.gotSyncPointOnTs
	}
	return true
}

// observe updates the commit-ts filter with events about to be handed out
// (updateCommitTsStateByEvents).
func (d *dispatcherStat) observe(events []msg.Event) {
	for i := range events {
		ev := &events[i]
		if ev.CommitTs > d.lastEventCommitTs {
			d.gotDDLOnTs, d.gotSyncPointOnTs = false, false
		}
		switch ev.Kind {
		case msg.EventDDL:
			d.gotDDLOnTs = true
		case msg.EventSyncPoint:
			d.gotSyncPointOnTs = true
		}
		if ev.Kind == msg.EventDML || ev.Kind.Blocking() {
			d.lastEventCommitTs = ev.CommitTs
		}
	}
}

// handleBatch is the dynamic stream's handler (EventsHandler.Handle): it
// checks a batch popped from p against the dispatcher's stat and hands what
// passes to the dispatcher. It returns whether p must block.
func (c *Collector) handleBatch(p *path, batch []msg.Event) bool {
	d := p.stat
	switch batch[0].Kind {
	case msg.EventDML, msg.EventResolved:
		return c.handleData(d, batch)
	case msg.EventDDL, msg.EventSyncPoint:
		return c.handleSingle(d, batch[0])
	case msg.EventHandshake:
		return c.handleHandshake(d, batch[0])
	case msg.EventDrop:
		if batch[0].Epoch != d.epoch {
			c.st.StaleEvents++
			return false
		}
		c.resetDispatcher(d, ResetDrop)
		return false
	}
	c.st.UnknownEvents++
	return false
}

// handleData handles a batch of DML and resolved events
// (handleBatchDataEvents): stale-epoch events are skipped; a bad seq resets
// the dispatcher and hands out nothing of the batch; DMLs failing the
// commit-ts filter are dropped. The batch is the caller's fresh slice
// (popBatch) and unused after, so the kept events are filtered in place.
func (c *Collector) handleData(d *dispatcherStat, batch []msg.Event) bool {
	valid := batch[:0]
	for i := range batch {
		ev := &batch[i]
		if ev.Epoch != d.epoch {
			c.st.StaleEvents++
			continue
		}
		if reason, ok := d.verifySeq(ev); !ok {
			c.resetDispatcher(d, reason)
			return false
		}
		if ev.Kind == msg.EventDML && !d.forward(ev) {
			c.st.Dedupes++
			c.met.dedupes.Inc()
			if c.cfg.TestingKnobs.DedupeBreaks {
				break // mutant: break, not continue: the events behind it are lost
			}
			continue
		}
		valid = append(valid, *ev)
	}
	if len(valid) == 0 {
		return false
	}
	d.observe(valid)
	return c.deliver(d, valid)
}

// handleSingle handles a DDL or syncpoint, always alone
// (handleSingleDataEvents).
func (c *Collector) handleSingle(d *dispatcherStat, ev msg.Event) bool {
	if ev.Epoch != d.epoch {
		c.st.StaleEvents++
		return false
	}
	if reason, ok := d.verifySeq(&ev); !ok {
		c.resetDispatcher(d, reason)
		return false
	}
	if !d.forward(&ev) {
		c.st.Dedupes++
		c.met.dedupes.Inc()
		return false
	}
	events := []msg.Event{ev}
	d.observe(events)
	return c.deliver(d, events)
}

// handleHandshake starts an epoch's stream (handleHandshakeEvent): a
// handshake of the current epoch with seq 1 sets the epoch's seq and is
// handed to the dispatcher; others are ignored.
func (c *Collector) handleHandshake(d *dispatcherStat, ev msg.Event) bool {
	if ev.Epoch != d.epoch {
		c.st.StaleEvents++
		return false
	}
	if ev.Seq != 1 {
		c.st.BadHandshakes++
		return false
	}
	d.lastEventSeq = ev.Seq
	return c.deliver(d, []msg.Event{ev})
}

// deliver hands events to the dispatcher; the slice is the dispatcher's.
func (c *Collector) deliver(d *dispatcherStat, events []msg.Event) bool {
	s := d.stream
	c.st.Batches++
	c.st.EventsHandled += uint64(len(events))
	s.met.batches.Inc()
	s.met.events.Add(float64(len(events)))
	first := &events[0]
	c.w.Record("collector/batch", c.actor, sim.Digest(uint64(d.id.Table), uint64(d.id.Mode), d.epoch,
		first.Seq, first.CommitTs, uint64(len(events))))
	return d.target.HandleEvents(events, s.wakeFunc(d.path))
}

// resetDispatcher starts a new epoch for d (dispatcherSession.doReset):
// epoch+1, seq back to 0, and a RegisterDispatcher from the dispatcher's
// checkpoint to its event service. The commit-ts filter is kept. The path
// keeps its queue: events of the old epoch are skipped as they come up.
func (c *Collector) resetDispatcher(d *dispatcherStat, reason ResetReason) {
	d.epoch++
	d.lastEventSeq = 0
	resetTs := d.target.CheckpointTs()
	skip := false
	if resetTs == d.startTs {
		skip = skipSyncPointAtStart(d.target)
	}
	c.register(d, resetTs, skip)
	c.probeReset(reason)
	c.st.Resets++
	c.st.ResetsBy[reason]++
	c.met.resets.Inc()
	c.w.Record("collector/reset", c.actor, sim.Digest(uint64(d.id.Table), uint64(d.id.Mode), d.epoch, resetTs, uint64(reason)))
	if c.hooks.OnReset != nil {
		c.hooks.OnReset(d.id, d.epoch, reason)
	}
}

// register sends d's RegisterDispatcher for its current epoch.
func (c *Collector) register(d *dispatcherStat, startTs uint64, skip bool) {
	c.n.Send(d.service, msg.RegisterDispatcher{
		Dispatcher:           d.id,
		Epoch:                d.epoch,
		StartTs:              startTs,
		Collector:            c.n.ID(),
		SyncPointIntervalSec: d.syncPointIntervalSec,
		SkipSyncPointAtStart: skip,
	}, requestBytes)
}

// skipSyncPointAtStart asks the dispatcher's optional SyncPointSkipper.
func skipSyncPointAtStart(t Dispatcher) bool {
	if s, ok := t.(SyncPointSkipper); ok {
		return s.SkipSyncPointAtStartTs()
	}
	return false
}
