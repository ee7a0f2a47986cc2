package eventservice

import (
	"slices"

	"github.com/redosim/redosim/internal/fifo"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// Service is the event service (TiCDC's event broker) of one capture node:
// it serves the dispatchers registered with it, scanning the upstream for
// each within its scan budget, the changefeed's memory quota and the scan
// window, and sends their event streams to the collectors. It is not safe
// for concurrent use (one world, one goroutine).
type Service struct {
	n     *node.Node
	w     *sim.World
	src   Source
	cfg   Config
	actor string
	m     *serviceMetrics
	stats Stats

	// disps holds the live dispatcher stats sorted by id.
	disps []*dispatcherStat
	// cf is the changefeed's status; nil while no dispatcher is registered.
	cf *changefeedStatus
	// ddlMax is the largest DDL commit ts per table (the schema store's
	// MaxEventCommitTs). Looked up, never ranged over.
	ddlMax map[int64]uint64
	// outboxes by collector node. Looked up, never ranged over.
	outboxes map[netsim.NodeID]*outbox

	limiter tokenBucket
	tasks   fifo.Queue[*dispatcherStat]
	// scanBufs are event slices of completed scans, reused by the next.
	scanBufs [][]msg.Event
	busy     int
	pumping  bool

	// observe, when set (tests), sees every scan decision.
	observe func(obs observation)
}

// New returns the event service of node n, reading the upstream through
// src and recording metrics in reg (a private registry when nil). It
// registers its upstream callbacks and starts its tickers on n; they stop
// doing anything when n crashes (a restart builds a new Service).
// *upstream.Upstream is a Source. Config errors wrap ErrBadConfig.
func New(n *node.Node, src Source, reg *metrics.Registry, cfg Config) (*Service, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if reg == nil {
		reg = metrics.NewRegistry()
	}
	w := n.World()
	s := &Service{
		n:        n,
		w:        w,
		src:      src,
		cfg:      cfg,
		actor:    "model/eventservice/" + string(n.ID()),
		m:        newServiceMetrics(reg, n.ID(), cfg.PerDispatcherMetrics),
		ddlMax:   make(map[int64]uint64),
		outboxes: make(map[netsim.NodeID]*outbox),
		limiter:  newTokenBucket(cfg.RateLimitBytesPerSec, cfg.RateLimitBurstBytes, w.Now()),
	}
	src.OnResolved(node.Guard1(n, s.onResolved))
	src.OnDDL(node.Guard1(n, s.onDDL))
	n.Every(cfg.MinSentTsRefresh, s.refreshMinSentTs)
	n.Every(cfg.SignalResolvedInterval, s.signalIdle)
	n.Every(cfg.TableTriggerTick, s.tickTableTriggers)
	return s, nil
}

// Config returns the validated configuration, defaults filled in.
func (s *Service) Config() Config { return s.cfg }

// Handle handles the messages of the event service: RegisterDispatcher (a
// new dispatcher, or a reset when its epoch is higher than the registered
// one), RemoveDispatcher and CongestionControl, each by value or by
// pointer. It returns false for any other message, so a node's mux can
// offer it to its other actors.
func (s *Service) Handle(from netsim.NodeID, m any) bool {
	switch v := m.(type) {
	case msg.RegisterDispatcher:
		s.register(from, &v)
	case *msg.RegisterDispatcher:
		s.register(from, v)
	case msg.RemoveDispatcher:
		s.remove(v.Dispatcher)
	case *msg.RemoveDispatcher:
		s.remove(v.Dispatcher)
	case msg.CongestionControl:
		s.congestion(from, &v)
	case *msg.CongestionControl:
		s.congestion(from, v)
	default:
		return false
	}
	return true
}

// find returns the index of id in s.disps and whether it is there.
func (s *Service) find(id msg.DispatcherID) (int, bool) {
	return slices.BinarySearchFunc(s.disps, id, func(d *dispatcherStat, id msg.DispatcherID) int {
		switch {
		case d.id.Less(id):
			return -1
		case id.Less(d.id):
			return 1
		}
		return 0
	})
}

// lookup returns the live stat of id, or nil.
func (s *Service) lookup(id msg.DispatcherID) *dispatcherStat {
	if i, ok := s.find(id); ok {
		return s.disps[i]
	}
	return nil
}

// register adds a dispatcher or resets it to a higher epoch: the new stat
// starts from StartTs, sends its handshake first, then tries a scan.
// A registration with an epoch at or below the current one is stale.
func (s *Service) register(from netsim.NodeID, r *msg.RegisterDispatcher) {
	d := s.newDispatcherStat(r, from)
	i, found := s.find(r.Dispatcher)
	if found {
		old := s.disps[i]
		if r.Epoch <= old.epoch {
			s.stats.StaleRegisters++
			s.w.Record("eventservice/stale-register", s.actor, sim.Digest(idDigest(r.Dispatcher), r.Epoch, old.epoch))
			return
		}
		old.removed = true
		d.inheritStatistics(old)
		s.disps[i] = d
		s.stats.Resets++
		s.w.Record("eventservice/reset", s.actor, sim.Digest(idDigest(d.id), d.epoch, d.startTs))
	} else {
		s.disps = slices.Insert(s.disps, i, d)
		s.stats.Registers++
		s.w.Record("eventservice/register", s.actor, sim.Digest(idDigest(d.id), d.epoch, d.startTs))
	}
	s.ensureChangefeed(r)
	d.onResolved(s.src.ResolvedTs())
	s.sendHandshake(d)
	s.notify(d)
}

// remove stops serving id. A scan of it still running discards its result.
func (s *Service) remove(id msg.DispatcherID) {
	i, ok := s.find(id)
	if !ok {
		return
	}
	d := s.disps[i]
	d.removed = true
	s.disps = slices.Delete(s.disps, i, i+1)
	s.stats.Removes++
	s.w.Record("eventservice/remove", s.actor, sim.Digest(idDigest(id), d.epoch))
	if len(s.disps) == 0 {
		s.dropChangefeed()
	}
}

// congestion takes a collector's memory report: it overwrites the
// changefeed's available memory for that collector and the listed
// dispatchers' available path memory, and (v2 with congestion control v2)
// feeds the usage ratio and release count to the scan window.
func (s *Service) congestion(from netsim.NodeID, m *msg.CongestionControl) {
	s.stats.CongestionReports++
	if s.cf == nil {
		return // TiCDC ignores reports for a changefeed it does not serve
	}
	s.cf.available[from] = max(m.Available, 0)
	for _, da := range m.DispatcherAvailable {
		if d := s.lookup(da.Dispatcher); d != nil {
			d.availableBytes = max(da.Bytes, 0)
		}
	}
	if m.Version >= 2 && s.cfg.CongestionControlVersion >= 2 {
		s.cf.observe(s.w.Now(), m.UsageRatio, m.ReleaseCount)
		s.m.scanInterval.Set(s.cf.window.Interval().Seconds())
	}
	s.w.Record("eventservice/congestion", s.actor, sim.Digest(uint64(m.Available), uint64(m.Version), uint64(len(m.DispatcherAvailable))))
}

// onResolved is the event store's notification: the resolved ts of every
// registered dispatcher's table advanced to ts. Table triggers only take
// the new ts: their own tick scans them.
func (s *Service) onResolved(ts uint64) {
	for _, d := range s.disps {
		if d.onResolved(ts) && d.id.Table != msg.TableTrigger {
			s.notify(d)
		}
	}
	s.updateLag()
}

// onDDL records a DDL's commit ts on every table it touches and on the
// table trigger.
func (s *Service) onDDL(ev upstream.DDLEvent) {
	bump := func(table int64) { s.ddlMax[table] = max(s.ddlMax[table], ev.CommitTs) }
	bump(msg.TableTrigger)
	for _, ids := range [][]int64{ev.Blocked, ev.Added, ev.Dropped} {
		for _, id := range ids {
			bump(id)
		}
	}
}

// tickTableTriggers is TiCDC's tickTableTriggerDispatchers: every table
// trigger is scanned from its own tick, not from notifications, up to
// its received resolved ts with no window cap and no quota check; a tick
// sends at most TableTriggerDDLsMax DDLs and closes at the last one sent,
// else at the received resolved ts.
func (s *Service) tickTableTriggers() {
	// The triggers sort first (table 0, below every table id), so the
	// tick reads only them, not every dispatcher, twenty times a second.
	for _, d := range s.disps {
		if d.id.Table != msg.TableTrigger {
			break
		}
		if d.removed {
			continue
		}
		start, end := d.scanFrom, d.receivedResolvedTs
		if start >= end {
			continue
		}
		var ddls []msg.Event
		truncated := false
		s.src.Scan(d.id.Table, start, end, func(ev upstream.Event) bool {
			if len(ddls) == s.cfg.TableTriggerDDLsMax {
				truncated = true
				return false
			}
			ddls = append(ddls, s.convert(&ev))
			return true
		})
		for _, ev := range ddls {
			s.sendData(d, ev)
		}
		if truncated {
			end = d.scanFrom
		}
		s.stats.TriggerTicks++
		s.sendResolved(d, end)
	}
}

// signalIdle resends the last resolved ts of idle dispatchers that sent
// none for SignalResolvedInterval, so a collector's view stays fresh while
// the upstream is quiet.
func (s *Service) signalIdle() {
	for _, d := range s.disps {
		if d.state == scanIdle {
			s.sendSignalResolved(d)
		}
	}
}

// Stats is what a Service has done so far.
type Stats struct {
	// Dispatchers is the number of registered dispatchers now.
	Dispatchers int
	// Registers, Resets and Removes count dispatcher lifecycle messages;
	// StaleRegisters counts registrations at an old epoch, ignored.
	Registers, Resets, Removes, StaleRegisters uint64
	// TriggerTicks counts table-trigger ticks that sent a resolved ts.
	TriggerTicks uint64
	// CongestionReports counts CongestionControl messages.
	CongestionReports uint64
	// Scans counts scans that read the upstream; Interrupted those that
	// stopped at their byte budget; ScannedBytes their bytes.
	Scans, Interrupted uint64
	ScannedBytes       int64
	// Skips counts scan attempts that were refused, by reason.
	Skips SkipStats
	// WindowCapped counts scans whose end the scan window lowered;
	// LocalAdvances those that then advanced locally to a pending barrier.
	WindowCapped, LocalAdvances uint64
	// ResolvedOnly counts ranges answered with a resolved ts and no scan.
	ResolvedOnly uint64
	// ScanLimitResets counts budget resets under low memory.
	ScanLimitResets uint64
	// Sent counts events sent, by kind.
	Sent SentStats
	// Batches and BatchBytes count EventBatch messages and their bytes.
	Batches    uint64
	BatchBytes int64
	// MinSentTs is the changefeed's window base at the last refresh.
	MinSentTs uint64
	// ScanInterval is the scan window's interval now (0: no window).
	ScanInterval sim.Duration
}

// SkipStats counts refused scan attempts by reason (TiCDC's
// EventServiceSkipScanCount labels plus the model's own).
type SkipStats struct {
	// NoQuota: no CongestionControl from the collector yet.
	NoQuota uint64
	// ChangefeedQuota: the changefeed's available memory is below the budget.
	ChangefeedQuota uint64
	// DispatcherQuota: the dispatcher's available memory is below the budget.
	DispatcherQuota uint64
	// RateLimit: the service's token bucket is empty.
	RateLimit uint64
	// QueueFull: the scan task queue was full.
	QueueFull uint64
}

// SentStats counts sent events by kind.
type SentStats struct {
	// DML and DDL count data events; SyncPoint the syncpoints emitted;
	// Resolved the resolved-ts events queued (a resolved event replaced in
	// an outbox by a later one of the same dispatcher still counts);
	// Handshake the epochs opened.
	DML, DDL, SyncPoint, Resolved, Handshake uint64
}

// Stats returns a copy of the service's statistics.
func (s *Service) Stats() Stats {
	st := s.stats
	st.Dispatchers = len(s.disps)
	if s.cf != nil {
		st.MinSentTs = s.cf.minSentTs
		st.ScanInterval = s.cf.window.Interval()
	}
	return st
}

// idDigest folds a dispatcher id into one trace word.
func idDigest(id msg.DispatcherID) uint64 { return uint64(id.Table)<<8 | uint64(id.Mode) }
