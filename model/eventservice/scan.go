package eventservice

import (
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/sim"
)

// scanRequest is the range a dispatcher's next scan covers, (start, end],
// and how it was capped (TiCDC getScanTaskRequestResult).
type scanRequest struct {
	needScan bool
	start    uint64
	end      uint64
	// endBeforeWindow is the end before the scan window capped it: the
	// received resolved ts.
	endBeforeWindow uint64
	// scanMaxTs is the window's cap (MaxUint64: none).
	scanMaxTs uint64
	// capped: the window lowered the end; localAdvance: the range was then
	// empty and a pending DDL or syncpoint moved it one step locally.
	capped, localAdvance bool
}

// scanRequest computes d's next range, in TiCDC's order: (scanFrom,
// received]; capped at the window's scanMaxTs; if that empties it while a
// DDL or syncpoint is pending in the uncapped range, one local step; if
// still empty, a signal resolved ts and no scan; if the upstream has no
// event in the uncapped range, a resolved ts at the capped end (issue
// #6038) and no scan. With IdleBeyondWindow (the fix of #6038) a range
// with no event is answered with its uncapped end before any capping.
func (s *Service) scanRequest(d *dispatcherStat) scanRequest {
	start, received := d.scanFrom, d.receivedResolvedTs
	if start >= received {
		return scanRequest{}
	}
	if s.cfg.IdleBeyondWindow && !s.src.HasData(d.id.Table, start, received) {
		s.stats.ResolvedOnly++
		s.sendResolved(d, received)
		return scanRequest{}
	}
	r := scanRequest{start: start, end: received, endBeforeWindow: received, scanMaxTs: s.scanMaxTs()}
	ddl := s.ddlMax[d.id.Table]
	pendingDDL := start < ddl && ddl <= received
	pendingSync := d.syncPointInterval > 0 && received > d.nextSyncPoint
	if r.scanMaxTs < r.end {
		r.end, r.capped = r.scanMaxTs, true
	}
	if r.end <= start && (pendingDDL || pendingSync) && !s.cfg.NoLocalAdvance {
		r.end = s.localAdvanceEnd(d, start, received, pendingSync)
		r.localAdvance = r.end > start
	}
	if r.end <= start {
		s.sendSignalResolved(d)
		return r
	}
	if !s.src.HasData(d.id.Table, start, received) {
		s.stats.ResolvedOnly++
		s.sendResolved(d, r.end)
		return r
	}
	r.needScan = true
	return r
}

// notify is the event store's notification for d (its resolved ts moved,
// or it was just registered). An idle dispatcher claims Running and
// computes its range; if data must be read it is queued for a worker.
// Notifications while a scan is queued or running are ignored (throughput
// mode, issue #6028).
func (s *Service) notify(d *dispatcherStat) {
	if d.removed || d.state != scanIdle || d.id.Table == msg.TableTrigger {
		return
	}
	d.state = scanRunning
	if !s.scanRequest(d).needScan {
		d.state = scanIdle
		return
	}
	s.enqueue(d)
}

// enqueue queues d's scan task; a full queue drops it and d goes idle.
func (s *Service) enqueue(d *dispatcherStat) {
	if s.tasks.Len() >= s.cfg.ScanQueueMax {
		d.state = scanIdle
		s.countSkip(d, skipQueueFull)
		return
	}
	d.state = scanQueued
	s.tasks.Push(d)
	s.pump()
}

// pump starts queued tasks while workers are free. A task whose scan is
// refused frees its worker at once.
func (s *Service) pump() {
	if s.pumping {
		return
	}
	s.pumping = true
	defer func() { s.pumping = false }()
	for s.busy < s.cfg.ScanWorkers && s.tasks.Len() > 0 {
		d := *s.tasks.Front()
		s.tasks.Pop()
		if d.removed || d.state != scanQueued {
			continue
		}
		d.state = scanRunning
		if !s.startScan(d) {
			s.finish(d, false)
		}
	}
}

// finish ends d's scan attempt: again re-enqueues it at once (an
// interrupted scan), else it goes idle until the next notification.
func (s *Service) finish(d *dispatcherStat, again bool) {
	if d.removed {
		return
	}
	if again {
		s.enqueue(d)
		return
	}
	d.state = scanIdle
}

// startScan is a worker's doScan: recompute the range, admit the scan,
// read the upstream within the budget, and schedule the completion after
// the scan's cost. It reports whether a scan is now running.
func (s *Service) startScan(d *dispatcherStat) bool {
	r := s.scanRequest(d)
	if !r.needScan {
		return false
	}
	a := s.admit(d)
	s.observeScan(d, r, a)
	if a.reason != skipNone {
		s.countSkip(d, a.reason)
		return false
	}
	events, bytes, interrupted := s.readUpstream(d, r.start, r.end, a.budget)
	d.lastScanBytes = min(bytes, s.cfg.RateLimitBurstBytes)
	s.countScan(d, r, bytes, interrupted)
	cost := s.cfg.ScanCostPerScan + sim.Duration(bytes)*s.cfg.ScanCostPerByte + sim.Duration(len(events))*s.cfg.ScanCostPerEvent
	cf := s.cf
	s.busy++
	s.n.After(cost, func() { s.completeScan(d, cf, r, a.budget, bytes, events, interrupted) })
	return true
}

// readUpstream reads d's table in (start, end] until the bytes read reach
// budget, stopping only between events (each is one transaction or one
// DDL, and no two share a commit ts on a table). It reports whether events
// were left in the range.
func (s *Service) readUpstream(d *dispatcherStat, start, end uint64, budget int64) ([]msg.Event, int64, bool) {
	var (
		events      = s.scanBuffer()
		bytes       int64
		interrupted bool
	)
	s.src.Scan(d.id.Table, start, end, func(ev upstream.Event) bool {
		if bytes >= budget {
			interrupted = true
			return false
		}
		e := s.convert(&ev)
		bytes += e.Bytes
		events = append(events, e)
		return true
	})
	return events, bytes, interrupted
}

// scanBuffer returns an empty slice for one scan's events, reusing one a
// completed scan gave back: the events are copied into the outbox when the
// scan completes, so their slice can serve the next scan.
func (s *Service) scanBuffer() []msg.Event {
	n := len(s.scanBufs)
	if n == 0 {
		return nil
	}
	buf := s.scanBufs[n-1]
	s.scanBufs = s.scanBufs[:n-1]
	return buf
}

// releaseScanBuffer gives a completed scan's slice back, cleared so that
// it pins no rows, keeping at most ScanWorkers of them.
func (s *Service) releaseScanBuffer(buf []msg.Event) {
	if cap(buf) == 0 || len(s.scanBufs) >= s.cfg.ScanWorkers {
		return
	}
	clear(buf)
	s.scanBufs = append(s.scanBufs, buf[:0])
}

// convert turns an event store event into a stream event (dispatcher,
// epoch and seq are set when it is sent). Bytes is the rows' (or DDL's)
// encoded size plus EventOverheadBytes.
func (s *Service) convert(ev *upstream.Event) msg.Event {
	e := msg.Event{CommitTs: ev.CommitTs, StartTs: ev.StartTs, Bytes: ev.Bytes + s.cfg.EventOverheadBytes}
	if ev.IsDDL() {
		e.Kind, e.DDL = msg.EventDDL, ev.DDL
		return e
	}
	// The rows alias the upstream's history, as TiCDC's events alias the
	// event store's batch: read-only from here on.
	e.Kind, e.Rows = msg.EventDML, ev.Rows
	return e
}

// completeScan runs when a scan's cost has passed: it gives back the
// unused budget, sends the events (syncpoints interleaved) and the
// resolved ts that closes them, and finishes the attempt. An interrupted
// scan closes at its last event and is re-enqueued at once; a complete one
// closes at its range end. The result of a dispatcher removed or reset
// meanwhile is dropped and its whole budget given back.
func (s *Service) completeScan(d *dispatcherStat, cf *changefeedStatus, r scanRequest, budget, bytes int64, events []msg.Event, interrupted bool) {
	s.busy--
	defer s.pump()
	if d.removed {
		s.refund(cf, d.collector, budget)
		s.observeRefund(d, budget)
		return
	}
	if unused := budget - min(bytes, budget); unused > 0 {
		s.refund(cf, d.collector, unused)
		s.observeRefund(d, unused)
	}
	if s.cfg.TestingKnobs.ResolvedBeforeEvents {
		// Mutant: the resolved ts goes out first, the events it covers after.
		end := r.end
		if interrupted {
			end = d.scanFrom
			if len(events) > 0 {
				end = events[len(events)-1].CommitTs
			}
		}
		s.sendResolved(d, max(end, d.sentResolvedTs))
		for _, ev := range events {
			s.sendData(d, ev)
		}
		d.scanFrom = max(d.scanFrom, end)
		s.releaseScanBuffer(events)
		s.finish(d, interrupted)
		return
	}
	for _, ev := range events {
		s.sendData(d, ev)
	}
	s.releaseScanBuffer(events)
	end := r.end
	if interrupted && !s.cfg.TestingKnobs.InterruptedResolvedAtEnd {
		end = d.scanFrom
	}
	s.sendResolved(d, end)
	s.finish(d, interrupted)
}

// countScan counts a started scan in the statistics, metrics and trace.
func (s *Service) countScan(d *dispatcherStat, r scanRequest, bytes int64, interrupted bool) {
	s.stats.Scans++
	s.stats.ScannedBytes += bytes
	if interrupted {
		s.stats.Interrupted++
	}
	if r.capped {
		s.stats.WindowCapped++
	}
	if r.localAdvance {
		s.stats.LocalAdvances++
	}
	d.m.scans.Inc()
	d.m.scannedBytes.Add(float64(bytes))
	s.w.Record("eventservice/scan", s.actor, sim.Digest(idDigest(d.id), d.epoch, r.start, r.end, uint64(bytes)))
}
