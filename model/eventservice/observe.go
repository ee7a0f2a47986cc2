package eventservice

import (
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// observationKind tells what an observation reports.
type observationKind uint8

const (
	// obsAdmission: a worker decided on a scan (started or refused).
	obsAdmission observationKind = iota + 1
	// obsRefund: budget given back to the changefeed's available memory.
	obsRefund
)

// observation is what the test checkers see of one scan decision. Its
// window fields are read from the changefeed status directly, not through
// scanMaxTs, so a planted bug there shows.
type observation struct {
	kind      observationKind
	at        sim.Instant
	id        msg.DispatcherID
	epoch     uint64
	collector netsim.NodeID
	req       scanRequest
	adm       admission
	refund    int64
	// upstreamResolved is the source's resolved ts at the decision.
	upstreamResolved uint64
	// windowOn, minSentTs and interval describe the window at the decision.
	windowOn      bool
	minSentTs     uint64
	interval      sim.Duration
	nextSyncPoint uint64
}

// observeScan reports an admission decision to the test hook.
func (s *Service) observeScan(d *dispatcherStat, r scanRequest, a admission) {
	if s.observe == nil {
		return
	}
	o := s.observation(obsAdmission, d)
	o.req, o.adm = r, a
	s.observe(o)
}

// observeRefund reports a refund to the test hook.
func (s *Service) observeRefund(d *dispatcherStat, n int64) {
	if s.observe == nil {
		return
	}
	o := s.observation(obsRefund, d)
	o.refund = n
	s.observe(o)
}

func (s *Service) observation(kind observationKind, d *dispatcherStat) observation {
	o := observation{
		kind: kind, at: s.w.Now(), id: d.id, epoch: d.epoch, collector: d.collector,
		upstreamResolved: s.src.ResolvedTs(), nextSyncPoint: d.nextSyncPoint,
	}
	if s.cf != nil {
		o.minSentTs = s.cf.minSentTs
		o.interval = s.cf.window.Interval()
		o.windowOn = o.interval > 0
	}
	return o
}
