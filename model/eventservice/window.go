package eventservice

import (
	"math"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/scanwindow"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// changefeedStatus is the service's state of the one changefeed it serves
// (TiCDC changefeedStatus): the memory each collector node reported as
// available, locally debited by scans between reports, and the scan-window
// controller shared by the changefeed's main and redo dispatchers.
type changefeedStatus struct {
	window *scanwindow.Controller
	// available is the changefeed's available memory per collector node;
	// a node missing has not reported yet. Looked up, never ranged over.
	available map[netsim.NodeID]int64
	// minSentTs is the smallest sentResolvedTs over the dispatchers at the
	// last refresh; 0 means no cap yet.
	minSentTs uint64
}

// ensureChangefeed creates the changefeed's status at its first
// registration. The window takes that registration's syncpoint interval
// unless the config sets one.
func (s *Service) ensureChangefeed(r *msg.RegisterDispatcher) {
	if s.cf != nil {
		return
	}
	wc := s.cfg.Window
	wc.StartTime = s.w.Now()
	if wc.SyncPointInterval == 0 && r.SyncPointIntervalSec > 0 {
		wc.SyncPointInterval = sim.Duration(r.SyncPointIntervalSec) * sim.Second
	}
	c, err := scanwindow.New(wc)
	if err != nil {
		// validate built a controller from the same config: only the
		// syncpoint interval differs, and a positive one is always valid.
		panic("model/eventservice: scan window: " + err.Error())
	}
	s.cf = &changefeedStatus{window: c, available: make(map[netsim.NodeID]int64)}
	s.m.scanInterval.Set(c.Interval().Seconds())
	s.w.Record("eventservice/changefeed", s.actor, uint64(c.Interval()))
}

// dropChangefeed forgets the changefeed when its last dispatcher leaves,
// window and reported memory included, as TiCDC removes its status.
func (s *Service) dropChangefeed() {
	s.cf = nil
	s.m.scanInterval.Set(0)
}

// observe feeds one v2 report to the window.
func (c *changefeedStatus) observe(now sim.Instant, usage float64, releases int) {
	c.window.Observe(now, scanwindow.Report{UsageRatio: usage, ReleaseCount: releases})
}

// refreshMinSentTs recomputes the window base: the smallest sentResolvedTs
// over the registered dispatchers (every one has sent its handshake, so
// none is excluded as "seq 0"; stale heartbeats are not modelled).
func (s *Service) refreshMinSentTs() {
	if s.cf == nil {
		return
	}
	var m uint64 = math.MaxUint64
	for _, d := range s.disps {
		m = min(m, d.sentResolvedTs)
	}
	if m == math.MaxUint64 {
		m = 0
	}
	s.cf.minSentTs = m
	s.m.scanInterval.Set(s.cf.window.Interval().Seconds())
	s.updateLag()
	if s.cfg.ContinueWindowLimited {
		s.catchUpWindow()
	}
}

// catchUpWindow queues a scan for every idle dispatcher whose progress is
// below both its received resolved ts and the moved window, so a
// dispatcher that completed one window does not wait for the next
// notification (the fix of TiCDC issue #6028, requestScanWindowCatchUp).
func (s *Service) catchUpWindow() {
	maxTs := s.scanMaxTs()
	for _, d := range s.disps {
		if d.state == scanIdle && d.scanFrom < min(d.receivedResolvedTs, maxTs) {
			s.enqueue(d)
		}
	}
}

// scanMaxTs is the window's cap on a scan's end: minSentTs + interval, or
// MaxUint64 when there is no cap.
func (s *Service) scanMaxTs() uint64 {
	if s.cf == nil || s.cfg.bug == bugIgnoreWindow {
		return math.MaxUint64
	}
	return s.cf.window.ScanMaxTs(s.cf.minSentTs)
}

// localAdvanceEnd is the end of a dispatcher's local step past a window
// that collapsed its range while a DDL or syncpoint is pending in the
// uncapped range (TiCDC PR #5547): start + one interval, at least to just
// past the pending syncpoint, never past the uncapped end.
func (s *Service) localAdvanceEnd(d *dispatcherStat, start, endBeforeWindow uint64, pendingSync bool) uint64 {
	interval := defaultLocalAdvance
	if s.cf != nil && s.cf.window.Interval() > 0 {
		interval = s.cf.window.Interval()
	}
	local := addPhysical(start, interval)
	if pendingSync && d.nextSyncPoint >= start && local <= d.nextSyncPoint {
		local = d.nextSyncPoint + 1
	}
	return min(endBeforeWindow, local)
}

// addPhysical returns ts's physical time plus d, logical 0, as TiCDC's
// oracle.GoTimeToTS(GetTimeFromTS(ts).Add(d)) does.
func addPhysical(ts uint64, d sim.Duration) uint64 {
	phys := tso.Physical(ts) + int64(d/sim.Millisecond)
	if phys > tso.PhysicalMaxMs {
		return math.MaxUint64
	}
	return tso.Compose(phys, 0)
}
