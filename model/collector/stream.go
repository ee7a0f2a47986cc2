package collector

import (
	"fmt"
	"slices"

	"github.com/redosim/redosim/internal/fifo"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
)

// stream is one dynamic stream (utils/dynstream) holding this changefeed's
// area: a path per dispatcher of one mode, a FIFO of ready paths, and a
// handler that hands out one batch per HandleCost as a loop event.
//
// Accounting invariant (checked by Collector.CheckAccounting):
//
//	area.usedBytes = Σ path.pendingBytes = Σ bytes of every queued event
//
// An event's bytes are added when it is queued and taken away when it is
// popped for handling (not when the sink flushes it), when its path is
// released, and when its path is removed. A Drop event is queued with zero
// bytes.
type stream struct {
	c    *Collector
	mode msg.Mode
	area area
	// paths holds the area's paths sorted by dispatcher id.
	paths []*path
	// ready is the FIFO of paths with events that are not blocked; a path
	// is in it at most once (path.inReady).
	ready      fifo.Queue[*path]
	loopArmed  bool
	batchCount int
	batchBytes int64
	met        streamMetrics
}

// area is the changefeed's share of one dynamic stream (areaMemStat).
type area struct {
	quotaBytes   int64
	pathMaxBytes int64
	usedBytes    int64
	// maxEventBytes is the largest droppable event (DML, DDL, syncpoint)
	// ever queued, maxSignalBytes the largest other one (resolved,
	// handshake, drop): what one append can add past the hard limit.
	maxEventBytes, maxSignalBytes int64
	// lastAppend is when an event was last appended; lastSizeDecrease when
	// a non-resolved event was last popped or a path released; lastRelease
	// when the breaker last ran a release (whether or not it picked a path).
	lastAppend       sim.Instant
	lastSizeDecrease sim.Instant
	lastRelease      sim.Instant
}

// usage returns used/quota, not clamped (it may pass 1).
func (a *area) usage() float64 {
	if a.quotaBytes <= 0 {
		return 0
	}
	return float64(a.usedBytes) / float64(a.quotaBytes)
}

// path is one dispatcher's queue in a stream (pathInfo).
type path struct {
	id    msg.DispatcherID
	stat  *dispatcherStat
	queue fifo.Queue[msg.Event]
	// pendingBytes is the accounted size of the queued events.
	pendingBytes int64
	// blocking is set when the dispatcher returned block=true and cleared
	// by its wake.
	blocking bool
	// handling is set while the dispatcher's HandleEvents runs; a wake then
	// sets wokeEarly, so a block it returns is void.
	handling  bool
	wokeEarly bool
	// wakeToken numbers the batches handed out; a wake closure acts only for
	// the batch it was made for.
	wakeToken uint64
	inReady   bool
	removed   bool
	// lastHandleTs is the commit ts of the first event of the last batch
	// handed out (lastHandleEventTs): the release order.
	lastHandleTs uint64
	gauge        *metrics.Gauge // per-path pending, for the first paths only
}

func newStream(c *Collector, mode msg.Mode, quotaBytes int64) *stream {
	count, bytes := c.cfg.batchLimits(mode == msg.ModeRedo)
	now := c.w.Now()
	s := &stream{
		c:    c,
		mode: mode,
		area: area{
			quotaBytes:       quotaBytes,
			pathMaxBytes:     c.cfg.pathMaxBytes(quotaBytes),
			lastAppend:       now,
			lastSizeDecrease: now,
			lastRelease:      now,
		},
		batchCount: count,
		batchBytes: bytes,
	}
	s.met = newStreamMetrics(c.reg, c.nodeLabel, mode)
	return s
}

// addPath adds a path for st, keeping paths sorted.
func (s *stream) addPath(st *dispatcherStat) *path {
	p := &path{id: st.id, stat: st}
	// Dispatchers mostly come in id order: search from the end, so adding
	// n paths costs O(n log n), not O(n^2).
	i, found := slices.BinarySearchFunc(s.paths, p.id, func(q *path, id msg.DispatcherID) int {
		switch {
		case q.id.Less(id):
			return -1
		case id.Less(q.id):
			return 1
		}
		return 0
	})
	if found {
		panic(fmt.Sprintf("model/collector: bug: path %s added twice", p.id))
	}
	s.paths = slices.Insert(s.paths, i, p)
	return p
}

// removePath drops p's queue and takes it out of the area. A ready entry
// for it is skipped when it comes up.
func (s *stream) removePath(p *path) {
	s.discard(p)
	p.removed = true
	for i, q := range s.paths {
		if q == p {
			s.paths = append(s.paths[:i], s.paths[i+1:]...)
			break
		}
	}
}

// discard empties p's queue, taking its bytes out of the area (a silent
// release: no event of it is handled).
func (s *stream) discard(p *path) int64 {
	bytes := p.pendingBytes
	p.queue.Clear()
	s.addPending(p, -bytes)
	if bytes > 0 {
		s.area.lastSizeDecrease = s.c.w.Now()
	}
	return bytes
}

// addPending changes p's pending bytes and the area's used bytes by delta.
func (s *stream) addPending(p *path, delta int64) {
	p.pendingBytes += delta
	s.area.usedBytes += delta
	if p.pendingBytes < 0 || s.area.usedBytes < 0 {
		panic(fmt.Sprintf("model/collector: bug: negative accounting on %s: path %d area %d",
			p.id, p.pendingBytes, s.area.usedBytes))
	}
	if p.gauge != nil {
		p.gauge.Set(float64(p.pendingBytes))
	}
	s.met.used.Set(float64(s.area.usedBytes))
	s.met.ratio.Set(s.area.usage())
}

// append queues ev on p (appendEvent), applying the resolved collapse and
// the breaker, and makes p ready.
func (s *stream) append(p *path, ev msg.Event) {
	s.area.lastAppend = s.c.w.Now()
	if ev.Kind == msg.EventResolved {
		if back := p.queue.Back(); back != nil && (back.Kind == msg.EventResolved || s.c.cfg.TestingKnobs.CollapseOverDML) {
			// Consecutive resolved events collapse to the latest; like TiCDC
			// this returns before the breaker's checks.
			s.addPending(p, ev.Bytes-back.Bytes)
			*back = ev
			s.c.st.Collapsed++
			return
		}
	}
	if !s.c.cfg.Breaker.Disabled {
		ev = s.breakerOnAppend(ev)
	}
	switch ev.Kind {
	case msg.EventDML, msg.EventDDL, msg.EventSyncPoint:
		s.area.maxEventBytes = max(s.area.maxEventBytes, ev.Bytes)
	default:
		s.area.maxSignalBytes = max(s.area.maxSignalBytes, ev.Bytes)
	}
	p.queue.Push(ev)
	s.addPending(p, ev.Bytes)
	if s.c.cfg.TestingKnobs.DoubleCountAppend {
		s.addPending(p, ev.Bytes) // mutant: counted twice
	}
	s.makeReady(p)
}

// makeReady puts p at the back of the ready FIFO if it has events, is not
// blocked and is not there yet, and arms the handler.
func (s *stream) makeReady(p *path) {
	if p.inReady || p.blocking || p.removed || p.queue.Len() == 0 {
		return
	}
	p.inReady = true
	s.ready.Push(p)
	s.arm()
}

// arm schedules the handler's next turn if there is work and none is
// scheduled.
func (s *stream) arm() {
	if s.loopArmed || s.ready.Len() == 0 {
		return
	}
	s.loopArmed = true
	s.c.n.After(s.c.cfg.HandleCost, s.turn)
}

// turn is one turn of the handler: the first ready path hands one batch to
// its dispatcher; if it is still ready it goes to the back of the FIFO.
func (s *stream) turn() {
	s.loopArmed = false
	for s.ready.Len() > 0 {
		p := *s.ready.Front()
		s.ready.Pop()
		p.inReady = false
		if p.removed || p.blocking || p.queue.Len() == 0 {
			continue
		}
		s.handle(p)
		break
	}
	s.arm()
}

// handle pops one batch of p and hands it to the collector's per-dispatcher
// logic; a block answer blocks p until its wake.
func (s *stream) handle(p *path) {
	batch := s.popBatch(p)
	p.lastHandleTs = batch[0].CommitTs
	p.wakeToken++
	p.handling, p.wokeEarly = true, false
	block := s.c.handleBatch(p, batch)
	p.handling = false
	if p.removed {
		return
	}
	p.blocking = block && !p.wokeEarly
	s.makeReady(p)
}

// wakeFunc returns the wake closure of the batch being handed out of p: it
// unblocks p once. A call for an older batch, for a removed path, or from
// a dead incarnation of the node does nothing.
func (s *stream) wakeFunc(p *path) func() {
	token := p.wakeToken
	inc := s.c.n.Incarnation()
	return func() {
		if !s.c.n.Live(inc) || p.removed || p.wakeToken != token {
			return
		}
		if p.handling {
			p.wokeEarly = true
			return
		}
		if !p.blocking {
			return
		}
		p.blocking = false
		s.makeReady(p)
	}
}

// pathPendingMax returns the largest pending bytes of any path.
func (s *stream) pathPendingMax() int64 {
	var m int64
	for _, p := range s.paths {
		m = max(m, p.pendingBytes)
	}
	return m
}

// usage returns the area's Usage.
func (s *stream) usage() Usage {
	return Usage{
		UsedBytes:      s.area.usedBytes,
		QuotaBytes:     s.area.quotaBytes,
		Ratio:          s.area.usage(),
		PathMaxBytes:   s.area.pathMaxBytes,
		Paths:          len(s.paths),
		MaxEventBytes:  s.area.maxEventBytes,
		MaxSignalBytes: s.area.maxSignalBytes,
	}
}

// checkAccounting recomputes the area's bytes from the queues.
func (s *stream) checkAccounting() error {
	var sumPending int64
	for _, p := range s.paths {
		var queued int64
		for i := 0; i < p.queue.Len(); i++ {
			queued += p.queue.At(i).Bytes
		}
		if p.pendingBytes != queued {
			return fmt.Errorf("model/collector: %s area: path %s pending %d bytes, queued events hold %d",
				s.mode, p.id, p.pendingBytes, queued)
		}
		if p.pendingBytes < 0 {
			return fmt.Errorf("model/collector: %s area: path %s pending %d bytes < 0", s.mode, p.id, p.pendingBytes)
		}
		sumPending += p.pendingBytes
	}
	if s.area.usedBytes != sumPending {
		return fmt.Errorf("model/collector: %s area: used %d bytes, paths pending %d", s.mode, s.area.usedBytes, sumPending)
	}
	return nil
}
