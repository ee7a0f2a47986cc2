package eventservice

import (
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// scanState is a dispatcherStat's place in the scan state machine (TiCDC
// dispatcher_stat.go, throughput mode): Idle -> Running (a notification
// claims it) -> Queued (it needs data) -> Running (a worker) -> Idle, or
// Queued again when the scan was interrupted.
type scanState uint8

const (
	scanIdle scanState = iota
	scanRunning
	scanQueued
)

// String names the state for traces and test messages.
func (s scanState) String() string {
	switch s {
	case scanRunning:
		return "running"
	case scanQueued:
		return "queued"
	}
	return "idle"
}

// dispatcherStat is the broker's state for one dispatcher in one epoch. A
// reset replaces it by a new one; the old one is marked removed, so a scan
// of it that is still running throws its result away.
type dispatcherStat struct {
	id        msg.DispatcherID
	epoch     uint64
	startTs   uint64
	collector netsim.NodeID
	removed   bool

	// seq is the last sequence number handed out in this epoch (the
	// handshake takes 1).
	seq uint64
	// receivedResolvedTs is the upstream resolved ts notified so far.
	receivedResolvedTs uint64
	// sentResolvedTs is the last resolved ts sent to the collector.
	sentResolvedTs uint64
	// lastSentResolvedAt is when a resolved ts was last sent (the signal
	// resend waits SignalResolvedInterval after it).
	lastSentResolvedAt sim.Instant
	// scanFrom is the scan progress: the next scan covers (scanFrom, ...].
	// It is the commit ts of the last sent data event or resolved ts.
	scanFrom uint64

	// syncPointInterval is 0 when syncpoints are off.
	syncPointInterval sim.Duration
	nextSyncPoint     uint64

	// scanLimitBytes is the current scan budget; it doubles every
	// ScanLimitDoubleEvery after scanLimitAt, up to ScanLimitMaxBytes.
	scanLimitBytes int64
	scanLimitAt    sim.Instant
	// lastScanBytes is what the rate limiter charges for the next scan.
	lastScanBytes int64
	// availableBytes is the dispatcher's path memory available, from the
	// latest CongestionControl (ScanLimitMinBytes until the first).
	availableBytes int64

	state scanState
	m     *dispatcherMetrics
}

// newDispatcherStat returns the stat of a registration, before its
// handshake: nothing sent, progress at StartTs.
func (s *Service) newDispatcherStat(r *msg.RegisterDispatcher, from netsim.NodeID) *dispatcherStat {
	now := s.w.Now()
	collector := r.Collector
	if collector == "" {
		collector = from
	}
	d := &dispatcherStat{
		id:                 r.Dispatcher,
		epoch:              r.Epoch,
		startTs:            r.StartTs,
		collector:          collector,
		receivedResolvedTs: r.StartTs,
		sentResolvedTs:     r.StartTs,
		lastSentResolvedAt: now,
		scanFrom:           r.StartTs,
		scanLimitBytes:     s.cfg.ScanLimitMinBytes,
		scanLimitAt:        now,
		lastScanBytes:      s.cfg.ScanLimitMinBytes,
		availableBytes:     s.cfg.ScanLimitMinBytes,
		m:                  s.m.dispatcher(r.Dispatcher),
	}
	if r.SyncPointIntervalSec > 0 {
		d.syncPointInterval = sim.Duration(r.SyncPointIntervalSec) * sim.Second
		d.nextSyncPoint = tso.FirstSyncPoint(r.StartTs, d.syncPointInterval, r.SkipSyncPointAtStart || s.cfg.TestingKnobs.SkipSyncPointAtStart)
	}
	return d
}

// inheritStatistics copies from the previous epoch's stat what TiCDC's
// copyStatistics keeps across a reset: the received resolved ts and the
// scan budget state.
func (d *dispatcherStat) inheritStatistics(old *dispatcherStat) {
	d.receivedResolvedTs = max(d.receivedResolvedTs, old.receivedResolvedTs)
	d.scanLimitBytes = old.scanLimitBytes
	d.scanLimitAt = old.scanLimitAt
	d.lastScanBytes = old.lastScanBytes
	d.lastSentResolvedAt = old.lastSentResolvedAt
}

// currentScanLimit returns the budget of the scan about to start. When the
// doubling period has passed it doubles the budget for the next scan (the
// current one still gets the old value), as TiCDC's
// getCurrentScanLimitInBytes does.
func (s *Service) currentScanLimit(d *dispatcherStat) int64 {
	res := d.scanLimitBytes
	now := s.w.Now()
	if now.Sub(d.scanLimitAt) > s.cfg.ScanLimitDoubleEvery {
		if res >= s.cfg.ScanLimitMaxBytes {
			res = s.cfg.ScanLimitMaxBytes
		}
		d.scanLimitBytes = min(res*2, s.cfg.ScanLimitMaxBytes)
		d.scanLimitAt = now
	}
	d.m.scanLimit.Set(float64(d.scanLimitBytes))
	return res
}

// resetScanLimit drops the budget to the minimum and restarts its clock.
func (s *Service) resetScanLimit(d *dispatcherStat) {
	if d.scanLimitBytes != s.cfg.ScanLimitMinBytes {
		s.stats.ScanLimitResets++
	}
	d.scanLimitBytes = s.cfg.ScanLimitMinBytes
	d.scanLimitAt = s.w.Now()
	d.m.scanLimit.Set(float64(d.scanLimitBytes))
}

// onResolved raises the received resolved ts; it reports whether it moved.
func (d *dispatcherStat) onResolved(ts uint64) bool {
	if ts <= d.receivedResolvedTs {
		return false
	}
	d.receivedResolvedTs = ts
	return true
}
