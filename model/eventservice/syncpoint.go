package eventservice

import (
	"fmt"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
)

// syncPointsPerEventMax bounds the syncpoints one event may trigger (one
// per interval crossed): a million intervals of at least a second is eleven
// days of lag, far past any scenario; more is a bug.
const syncPointsPerEventMax = 1 << 20

// emitSyncPoints emits, before an event at ts, a syncpoint at every
// boundary strictly below ts that d has not emitted yet, each with its own
// seq, and advances d's next syncpoint past them (TiCDC
// emitSyncPointEventIfNeeded). So a stream holds every event at or below a
// syncpoint S, then Sync(S), then the events above S.
func (s *Service) emitSyncPoints(d *dispatcherStat, ts uint64) {
	for n := 0; d.syncPointInterval > 0 && ts > d.nextSyncPoint; n++ {
		if n == syncPointsPerEventMax {
			panic(fmt.Sprintf("model/eventservice: %v crosses more than %d syncpoints before ts %d", d.id, syncPointsPerEventMax, ts))
		}
		sp := d.nextSyncPoint
		if s.cfg.TestingKnobs.SyncPointNextFromEvent {
			d.nextSyncPoint = tso.NextSyncPoint(ts, d.syncPointInterval) // mutant: from the event, not the syncpoint
		} else {
			d.nextSyncPoint = tso.NextSyncPoint(sp, d.syncPointInterval)
		}
		d.seq++
		s.queue(d, msg.Event{Kind: msg.EventSyncPoint, Dispatcher: d.id, Epoch: d.epoch, Seq: d.seq, CommitTs: sp, Bytes: syncPointEventBytes})
		s.w.Record("eventservice/syncpoint", s.actor, sim.Digest(idDigest(d.id), d.epoch, sp))
	}
}

// sendData sends a DML or DDL event of d's stream: the syncpoints below it
// first, then the event with the next seq. The scan progress moves to it.
func (s *Service) sendData(d *dispatcherStat, ev msg.Event) {
	if s.cfg.bug != bugSyncPointLate {
		s.emitSyncPoints(d, ev.CommitTs)
	}
	d.seq++
	ev.Dispatcher, ev.Epoch, ev.Seq = d.id, d.epoch, d.seq
	s.queue(d, ev)
	if s.cfg.bug == bugSeqGap && ev.Kind == msg.EventDDL {
		d.seq++
	}
	if s.cfg.bug == bugSyncPointLate {
		s.emitSyncPoints(d, ev.CommitTs)
	}
	d.scanFrom = ev.CommitTs
}

// sendResolved sends resolved ts ts (which never goes below the last one):
// the syncpoints below it first, then the watermark with the last data
// seq. The sent resolved ts and the scan progress move to ts.
func (s *Service) sendResolved(d *dispatcherStat, ts uint64) {
	if ts < d.sentResolvedTs {
		panic(fmt.Sprintf("model/eventservice: %v resolved ts %d below sent %d", d.id, ts, d.sentResolvedTs))
	}
	s.emitSyncPoints(d, ts)
	s.queue(d, msg.Event{Kind: msg.EventResolved, Dispatcher: d.id, Epoch: d.epoch, Seq: d.seq, CommitTs: ts, Bytes: resolvedEventBytes})
	d.sentResolvedTs = ts
	d.scanFrom = max(d.scanFrom, ts)
	d.lastSentResolvedAt = s.w.Now()
	s.updateDispatcherLag(d)
}

// sendSignalResolved resends d's last sent resolved ts, at most once per
// SignalResolvedInterval, without moving it (TiCDC sendSignalResolvedTs):
// it keeps the collector's view of d alive while d cannot advance.
func (s *Service) sendSignalResolved(d *dispatcherStat) {
	if s.w.Now().Sub(d.lastSentResolvedAt) < s.cfg.SignalResolvedInterval {
		return
	}
	s.sendResolved(d, d.sentResolvedTs)
}

// sendHandshake opens d's epoch: the first event, seq 1, at StartTs.
func (s *Service) sendHandshake(d *dispatcherStat) {
	d.seq = 1
	s.queue(d, msg.Event{Kind: msg.EventHandshake, Dispatcher: d.id, Epoch: d.epoch, Seq: d.seq, CommitTs: d.startTs, Bytes: handshakeEventBytes})
}

// countSent counts one queued event in the statistics and metrics.
func (s *Service) countSent(d *dispatcherStat, ev *msg.Event) {
	switch ev.Kind {
	case msg.EventDML:
		s.stats.Sent.DML++
	case msg.EventDDL:
		s.stats.Sent.DDL++
	case msg.EventSyncPoint:
		s.stats.Sent.SyncPoint++
		d.m.syncPoints.Inc()
	case msg.EventResolved:
		s.stats.Sent.Resolved++
	case msg.EventHandshake:
		s.stats.Sent.Handshake++
	}
	s.m.sent(ev.Kind, d.id.Mode).Inc()
}
