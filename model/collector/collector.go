package collector

import (
	"errors"
	"fmt"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// requestBytes is the modelled wire size of a RegisterDispatcher or
// RemoveDispatcher request.
const requestBytes = 128

// Dispatcher is the dispatcher side of a path, implemented by
// model/dispatcher. The collector calls it from its own loop events, one
// batch at a time per dispatcher.
type Dispatcher interface {
	// HandleEvents receives a batch popped from the dispatcher's path:
	// events of that dispatcher only, of its current epoch, in stream order;
	// a block event (DDL, syncpoint) or a handshake always alone. The slice
	// is the dispatcher's to keep. Returning true blocks the path: nothing
	// more is delivered to this dispatcher until wake() is called. wake may
	// be called later from any loop event, or even before HandleEvents
	// returns (the block is then void); calling it twice, or after a later
	// batch was handed out, does nothing.
	HandleEvents(events []msg.Event, wake func()) (block bool)
	// CheckpointTs is where a reset restarts the stream from (exclusive).
	CheckpointTs() uint64
}

// Usage is one area's memory: the bytes queued and not yet handed to a
// dispatcher, against the area's quota.
type Usage struct {
	UsedBytes  int64
	QuotaBytes int64
	// Ratio is UsedBytes/QuotaBytes, not clamped: it passes 1 when the
	// producer overshoots, up to the breaker's hard limit (and beyond with
	// the breaker off). 0 for an area with no quota (redo off).
	Ratio float64
	// PathMaxBytes is each path's max pending in the area.
	PathMaxBytes int64
	// Paths is the number of dispatchers in the area.
	Paths int
	// MaxEventBytes is the largest DML, DDL or syncpoint event ever queued
	// in the area, MaxSignalBytes the largest other event. The breaker
	// checks the usage before an append, so an append at usage just under
	// the hard limit takes the area at most MaxEventBytes past it, and an
	// event it never drops (a resolved ts, a handshake) MaxSignalBytes.
	MaxEventBytes, MaxSignalBytes int64
}

// Stats counts what a Collector did since it was built.
type Stats struct {
	// Batches and EventsHandled count the batches handed to dispatchers
	// and the events in them.
	Batches       uint64
	EventsHandled uint64
	// PathsReleased counts paths released by the breaker (one TiCDC
	// ReleasePath feedback each), ReleaseRounds the releases that picked at
	// least one path, ReleasedBytes the bytes they discarded.
	PathsReleased uint64
	ReleaseRounds uint64
	ReleasedBytes int64
	// DropEvents counts incoming events replaced by a Drop event at the
	// breaker's hard limit.
	DropEvents uint64
	// Resets counts dispatcher resets; ResetsBy splits them by reason.
	Resets   uint64
	ResetsBy [ResetExternal + 1]uint64
	// Dedupes counts events dropped by the commit-ts filter (D4).
	Dedupes uint64
	// StaleEvents counts events of a stale epoch skipped.
	StaleEvents uint64
	// BadHandshakes counts handshakes of the current epoch with a seq
	// other than 1, ignored.
	BadHandshakes uint64
	// Collapsed counts resolved events collapsed into a queued one.
	Collapsed uint64
	// UnknownEvents counts events for dispatchers not on this collector.
	UnknownEvents uint64
	// CongestionSent counts congestion-control messages sent.
	CongestionSent uint64
}

// Hooks are optional callbacks for checkers; they run inside the
// collector's loop events and must not call back into the collector.
type Hooks struct {
	// OnRelease runs for each path the breaker releases, with the bytes
	// discarded.
	OnRelease func(id msg.DispatcherID, bytes int64)
	// OnReset runs after each reset with the new epoch.
	OnReset func(id msg.DispatcherID, epoch uint64, reason ResetReason)
}

// Collector is the event collector of one capture node for one
// changefeed. Create it with New. It is not safe for concurrent use: one
// world, one goroutine.
type Collector struct {
	n         *node.Node
	w         *sim.World
	reg       *metrics.Registry
	cfg       Config
	actor     string // the trace actor: "collector/<node>"
	nodeLabel metrics.Label

	main, redo *stream
	// stats holds the dispatchers sorted by id.
	stats []*dispatcherStat
	// releaseCount counts paths released since the last report (v2).
	releaseCount int
	congestion   sim.Timer
	st           Stats
	met          collectorMetrics
	hooks        Hooks
	pathGauges   int
}

// New returns the collector of node n and starts its congestion-control
// ticker. reg may be nil (metrics then go to a private registry).
func New(n *node.Node, reg *metrics.Registry, cfg Config) (*Collector, error) {
	if n == nil {
		return nil, errors.New("model/collector: New with a nil node")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if reg == nil {
		reg = metrics.NewRegistry()
	}
	c := &Collector{
		n:         n,
		w:         n.World(),
		reg:       reg,
		cfg:       cfg,
		actor:     "collector/" + string(n.ID()),
		nodeLabel: metrics.L("node", string(n.ID())),
	}
	c.met = newCollectorMetrics(reg, c.nodeLabel)
	c.main = newStream(c, msg.ModeMain, cfg.MainQuotaBytes)
	if cfg.RedoEnabled() {
		c.redo = newStream(c, msg.ModeRedo, cfg.RedoQuotaBytes)
	}
	c.congestion = n.Every(cfg.CongestionInterval, c.sendCongestion)
	return c, nil
}

// SetHooks installs checker callbacks, replacing earlier ones.
func (c *Collector) SetHooks(h Hooks) { c.hooks = h }

// Close stops the congestion-control ticker. The collector still handles
// events; a node crash stops everything anyway.
func (c *Collector) Close() { c.congestion.Stop() }

// streamOf returns the stream of mode, or nil.
func (c *Collector) streamOf(mode msg.Mode) *stream {
	if mode == msg.ModeRedo {
		return c.redo
	}
	return c.main
}

// lookup returns the dispatcher's stat, or nil.
func (c *Collector) lookup(id msg.DispatcherID) *dispatcherStat {
	i, ok := c.find(id)
	if !ok {
		return nil
	}
	return c.stats[i]
}

// find returns where id is or would be in the sorted stats.
func (c *Collector) find(id msg.DispatcherID) (int, bool) {
	lo, hi := 0, len(c.stats)
	for lo < hi {
		m := (lo + hi) / 2
		if c.stats[m].id.Less(id) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(c.stats) && c.stats[lo].id == id
}

// AddDispatcher adds dispatcher id, served by the event service on node
// service from startTs (exclusive), and registers it there in epoch 1. It
// panics when id is already added or is a redo dispatcher with redo off:
// both are bugs in the caller.
func (c *Collector) AddDispatcher(id msg.DispatcherID, d Dispatcher, service netsim.NodeID, startTs uint64, syncPointIntervalSec int64) {
	s := c.streamOf(id.Mode)
	if s == nil {
		panic(fmt.Sprintf("model/collector: redo dispatcher %s added with redo off (RedoQuotaBytes 0)", id))
	}
	if d == nil {
		panic(fmt.Sprintf("model/collector: dispatcher %s added with a nil Dispatcher", id))
	}
	i, ok := c.find(id)
	if ok {
		panic(fmt.Sprintf("model/collector: dispatcher %s added twice", id))
	}
	st := &dispatcherStat{
		id: id, target: d, service: service, startTs: startTs,
		syncPointIntervalSec: syncPointIntervalSec, stream: s,
		epoch: 1, lastEventCommitTs: startTs,
	}
	st.path = s.addPath(st)
	if c.pathGauges < c.cfg.PathMetricsMax {
		c.pathGauges++
		st.path.gauge = c.reg.Gauge(MetricPathPending, c.nodeLabel, metrics.L("dispatcher", id.String()))
	}
	c.stats = append(c.stats, nil)
	copy(c.stats[i+1:], c.stats[i:])
	c.stats[i] = st
	c.register(st, startTs, skipSyncPointAtStart(d))
	c.w.Record("collector/add", c.actor, sim.Digest(uint64(id.Table), uint64(id.Mode), startTs))
}

// RemoveDispatcher removes dispatcher id: its queued events are dropped
// (their bytes leave the area) and its event service is told to stop.
// Removing an unknown dispatcher does nothing.
func (c *Collector) RemoveDispatcher(id msg.DispatcherID) {
	i, ok := c.find(id)
	if !ok {
		return
	}
	st := c.stats[i]
	st.stream.removePath(st.path)
	c.stats = append(c.stats[:i], c.stats[i+1:]...)
	c.n.Send(st.service, msg.RemoveDispatcher{Dispatcher: id}, requestBytes)
	c.w.Record("collector/remove", c.actor, sim.Digest(uint64(id.Table), uint64(id.Mode)))
}

// ResetDispatcher resets dispatcher id: epoch+1 and a RegisterDispatcher
// from its CheckpointTs, with SkipSyncPointAtStart when the checkpoint is
// its start ts and it implements SyncPointSkipper saying so. Events of the
// old epoch still queued are skipped when they come up. Resetting an
// unknown dispatcher does nothing.
func (c *Collector) ResetDispatcher(id msg.DispatcherID) {
	if d := c.lookup(id); d != nil {
		c.resetDispatcher(d, ResetExternal)
	}
}

// Handle handles a message delivered to the node: an EventBatch (value or
// pointer) is queued event by event on the dispatchers' paths, and true is
// returned; any other message returns false. Events are handed to the
// dispatchers later, from the streams' own loop events.
func (c *Collector) Handle(from netsim.NodeID, m any) bool {
	var events []msg.Event
	switch b := m.(type) {
	case msg.EventBatch:
		events = b.Events
	case *msg.EventBatch:
		events = b.Events
	default:
		return false
	}
	for i := range events {
		ev := &events[i]
		d := c.lookup(ev.Dispatcher)
		if d == nil {
			c.st.UnknownEvents++
			continue
		}
		d.stream.append(d.path, *ev)
	}
	return true
}

// Usage returns the main and the redo area's memory (redo is zero with
// redo off).
func (c *Collector) Usage() (main, redo Usage) {
	main = c.main.usage()
	if c.redo != nil {
		redo = c.redo.usage()
	}
	return main, redo
}

// PathPending returns the bytes queued on dispatcher id's path (0 for an
// unknown dispatcher).
func (c *Collector) PathPending(id msg.DispatcherID) int64 {
	if d := c.lookup(id); d != nil {
		return d.path.pendingBytes
	}
	return 0
}

// PathBlocked reports whether dispatcher id's path waits for a wake.
func (c *Collector) PathBlocked(id msg.DispatcherID) bool {
	if d := c.lookup(id); d != nil {
		return d.path.blocking
	}
	return false
}

// Epoch returns dispatcher id's current epoch (0 for an unknown one).
func (c *Collector) Epoch(id msg.DispatcherID) uint64 {
	if d := c.lookup(id); d != nil {
		return d.epoch
	}
	return 0
}

// Stats returns the collector's counters.
func (c *Collector) Stats() Stats { return c.st }

// CheckAccounting recomputes both areas' bytes from the queued events and
// returns an error naming the first mismatch: area used must equal the sum
// of its paths' pending bytes, and each path's pending bytes the sum of its
// queued events' bytes, never negative (Invariant 15: used counts only
// queued, not-yet-handled events). O(queued events).
func (c *Collector) CheckAccounting() error {
	if err := c.main.checkAccounting(); err != nil {
		return err
	}
	if c.redo != nil {
		return c.redo.checkAccounting()
	}
	return nil
}

// releasedPath records one path released by s's breaker.
func (c *Collector) releasedPath(s *stream, p *path, bytes int64) {
	c.probeRelease(p)
	c.releaseCount++
	c.st.PathsReleased++
	c.st.ReleasedBytes += bytes
	s.met.pathsReleased.Inc()
	if c.hooks.OnRelease != nil {
		c.hooks.OnRelease(p.id, bytes)
	}
	if c.cfg.Breaker.ResetOnRelease {
		c.resetDispatcher(p.stat, ResetRelease)
	}
}
