package collector

import (
	"fmt"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/check"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// upEvent is one data event (DML, DDL or syncpoint) of a table's upstream.
type upEvent struct {
	Kind     msg.EventKind
	CommitTs uint64
	StartTs  uint64
	Bytes    int64
}

// Sizes of the fake service's control events.
const (
	fakeHandshakeBytes = 64
	fakeResolvedBytes  = 24
)

// svcStream is the fake service's state for one dispatcher.
type svcStream struct {
	id     msg.DispatcherID
	events []upEvent
	// push streams ignore the reports and send pushBytes every pushEvery.
	push       bool
	registered bool
	epoch, seq uint64
	next       int
	handshake  bool // the epoch's handshake is still to send
	lastTs     uint64
	budget     int64
}

// fakeService is an event service that honours congestion control the
// way the memory bound needs (see TestPropertyCollector): it sends only
// after a report arrives, in chunks spread over at most chunkGap*(chunks-1)
// after it, and debits every byte it sends from the report's Available and
// DispatcherAvailable. Each scan stops once it has sent its limit
// (min(budget, dispatcher budget, scanLimit)), so it may overshoot by one
// event. Faults: gapPct of the events are skipped (their seq is used), and
// stalePct are followed by a copy from the previous epoch.
type fakeService struct {
	n         *node.Node
	w         *sim.World
	to        netsim.NodeID
	streams   []*svcStream // sorted by id
	budget    int64
	round     int
	chunks    int
	chunkGap  sim.Duration
	scanLimit int64
	gapPct    int
	stalePct  int
	pushBytes int64
	rand      *sim.Rand
	// maxEventBytes is the largest event sent.
	maxEventBytes int64
}

func newFakeService(n *node.Node, to netsim.NodeID) *fakeService {
	f := &fakeService{n: n, w: n.World(), to: to, chunks: 1, scanLimit: 1 << 40,
		rand: n.World().Rand("model/collector/" + string(n.ID()) + "/faults")}
	n.Handle(f.handle)
	return f
}

// addStream gives dispatcher id the upstream events.
func (f *fakeService) addStream(id msg.DispatcherID, events []upEvent, push bool) {
	st := &svcStream{id: id, events: events, push: push}
	i := 0
	for i < len(f.streams) && f.streams[i].id.Less(id) {
		i++
	}
	f.streams = append(f.streams, nil)
	copy(f.streams[i+1:], f.streams[i:])
	f.streams[i] = st
}

// startPush sends every push stream's next pushBytes every period.
func (f *fakeService) startPush(every sim.Duration, bytes int64) {
	f.pushBytes = bytes
	f.n.Every(every, func() {
		var out []msg.Event
		for _, st := range f.streams {
			if st.push && st.registered {
				out = f.scan(st, f.pushBytes, out)
			}
		}
		f.send(out)
	})
}

func (f *fakeService) stream(id msg.DispatcherID) *svcStream {
	for _, st := range f.streams {
		if st.id == id {
			return st
		}
	}
	panic(fmt.Sprintf("fake service: no stream for %s", id))
}

func (f *fakeService) handle(_ netsim.NodeID, m any) {
	switch m := m.(type) {
	case msg.RegisterDispatcher:
		st := f.stream(m.Dispatcher)
		st.registered, st.epoch, st.seq, st.handshake, st.lastTs = true, m.Epoch, 0, true, m.StartTs
		st.next = 0
		for st.next < len(st.events) && !f.after(st.events[st.next], m) {
			st.next++
		}
	case msg.RemoveDispatcher:
		f.stream(m.Dispatcher).registered = false
	case msg.CongestionControl:
		f.budget = m.Available
		for _, st := range f.streams {
			st.budget = 0
		}
		for _, da := range m.DispatcherAvailable {
			f.stream(da.Dispatcher).budget = da.Bytes
		}
		for k := 0; k < f.chunks; k++ {
			f.n.After(sim.Duration(k)*f.chunkGap, f.scanRound)
		}
	}
}

// after reports whether ev is past a registration's start: after StartTs,
// or the syncpoint exactly at it unless skipped (D2).
func (f *fakeService) after(ev upEvent, r msg.RegisterDispatcher) bool {
	if ev.CommitTs > r.StartTs {
		return true
	}
	return ev.CommitTs == r.StartTs && ev.Kind == msg.EventSyncPoint && !r.SkipSyncPointAtStart
}

// scanRound gives each metered stream one scan, starting at a rotating
// stream so that no dispatcher always scans first.
func (f *fakeService) scanRound() {
	var out []msg.Event
	for j := range f.streams {
		st := f.streams[(f.round+j)%len(f.streams)]
		if st.push || !st.registered || st.budget <= 0 {
			continue
		}
		if f.budget <= 0 {
			break
		}
		before := len(out)
		out = f.scan(st, min(f.budget, st.budget, f.scanLimit), out)
		var sent int64
		for _, ev := range out[before:] {
			sent += ev.Bytes
		}
		f.budget -= sent
		st.budget -= sent
	}
	f.round++
	f.send(out)
}

// scan appends st's next events to out while fewer than limit bytes are
// appended, then a resolved event if there is room.
func (f *fakeService) scan(st *svcStream, limit int64, out []msg.Event) []msg.Event {
	var sent int64
	add := func(ev msg.Event) {
		out = append(out, ev)
		sent += ev.Bytes
		f.maxEventBytes = max(f.maxEventBytes, ev.Bytes)
	}
	if st.handshake {
		st.handshake, st.seq = false, 1
		add(msg.Event{Kind: msg.EventHandshake, Dispatcher: st.id, Epoch: st.epoch, Seq: 1, CommitTs: st.lastTs, Bytes: fakeHandshakeBytes})
	}
	for st.next < len(st.events) && sent < limit {
		up := st.events[st.next]
		st.next++
		st.seq++
		st.lastTs = up.CommitTs
		if f.gapPct > 0 && f.rand.IntN(100) < f.gapPct {
			continue // lost: the seq is used
		}
		ev := msg.Event{Kind: up.Kind, Dispatcher: st.id, Epoch: st.epoch, Seq: st.seq, CommitTs: up.CommitTs, StartTs: up.StartTs, Bytes: up.Bytes}
		add(ev)
		if st.epoch > 1 && f.stalePct > 0 && f.rand.IntN(100) < f.stalePct && sent < limit {
			stale := ev
			stale.Epoch--
			add(stale)
		}
	}
	if sent < limit {
		add(msg.Event{Kind: msg.EventResolved, Dispatcher: st.id, Epoch: st.epoch, Seq: st.seq, CommitTs: st.lastTs, Bytes: fakeResolvedBytes})
	}
	return out
}

func (f *fakeService) send(out []msg.Event) {
	if len(out) == 0 {
		return
	}
	var bytes int64
	for _, ev := range out {
		bytes += ev.Bytes
	}
	f.n.Send(f.to, msg.EventBatch{Events: out}, int(bytes))
}

// eventKey names a data event for the duplicate and liveness checks.
type eventKey struct {
	kind     msg.EventKind
	commitTs uint64
	startTs  uint64
}

// fakeDispatcher blocks on every batch with data and flushes it after the
// next of its wake delays (cyclically); a block event for which hold says
// true stays until release. It checks what it is handed.
type fakeDispatcher struct {
	id     msg.DispatcherID
	w      *sim.World
	c      *Collector
	checks *deliveryChecks
	delays []sim.Duration
	next   int
	hold   func(ev msg.Event) bool
	never  bool

	blocked         bool
	wake            func()
	lo, hi          uint64
	pendingResolved uint64
	resolvedTs      uint64
	maxFlushed      uint64
	checkpoint      uint64
	held            bool

	// Delivery-check state.
	epoch       uint64
	lastTs      uint64
	seenInEpoch map[eventKey]bool
	lastDataTs  uint64
	blockSeen   map[eventKey]bool
	delivered   map[eventKey]int
}

func newFakeDispatcher(id msg.DispatcherID, w *sim.World, c *Collector, checks *deliveryChecks, startTs uint64) *fakeDispatcher {
	return &fakeDispatcher{id: id, w: w, c: c, checks: checks, checkpoint: startTs, resolvedTs: startTs,
		seenInEpoch: map[eventKey]bool{}, blockSeen: map[eventKey]bool{}, delivered: map[eventKey]int{}}
}

// HandleEvents implements Dispatcher.
func (d *fakeDispatcher) HandleEvents(events []msg.Event, wake func()) bool {
	d.checks.handout.Check(!d.blocked, "%s handed a batch while blocked", d.id)
	d.checks.alone.Check(len(events) == 1 || !hasAlone(events), "%s: block event or handshake not alone in %v", d.id, kinds(events))
	var data bool
	var resolvedMax uint64
	d.lo, d.hi = 0, 0
	for i := range events {
		ev := &events[i]
		d.checkEvent(ev)
		switch {
		case ev.Kind == msg.EventResolved:
			resolvedMax = max(resolvedMax, ev.CommitTs)
		case ev.Kind == msg.EventDML || ev.Kind.Blocking():
			if !data {
				d.lo = ev.CommitTs
			}
			data = true
			d.hi = max(d.hi, ev.CommitTs)
		}
	}
	if !data {
		d.resolvedTs = max(d.resolvedTs, resolvedMax)
		return false
	}
	d.blocked, d.wake, d.pendingResolved = true, wake, resolvedMax
	switch {
	case len(events) == 1 && d.hold != nil && d.hold(events[0]):
		d.held = true
	case d.never:
	default:
		delay := sim.Duration(0)
		if len(d.delays) > 0 {
			delay = d.delays[d.next%len(d.delays)]
			d.next++
		}
		d.w.Loop.After(delay, d.flush)
	}
	return true
}

// release flushes a held block event.
func (d *fakeDispatcher) release() {
	if d.held {
		d.held = false
		d.flush()
	}
}

func (d *fakeDispatcher) flush() {
	d.blocked = false
	d.maxFlushed = max(d.maxFlushed, d.hi)
	d.resolvedTs = max(d.resolvedTs, d.pendingResolved)
	d.wake()
}

// CheckpointTs implements Dispatcher: the oldest in-flight commit ts - 1
// while blocked, else max(last flushed - 1, resolved ts) (A3).
func (d *fakeDispatcher) CheckpointTs() uint64 {
	if d.blocked {
		d.checkpoint = max(d.checkpoint, d.lo-1)
	} else {
		d.checkpoint = max(d.checkpoint, d.resolvedTs)
		if d.maxFlushed > 0 {
			d.checkpoint = max(d.checkpoint, d.maxFlushed-1)
		}
	}
	return d.checkpoint
}

// checkEvent runs the per-event delivery checks.
func (d *fakeDispatcher) checkEvent(ev *msg.Event) {
	c := d.checks
	c.epoch.Check(ev.Dispatcher == d.id && ev.Epoch == d.c.Epoch(d.id) && ev.Kind != msg.EventDrop,
		"%s handed %s of %s epoch %d, current epoch %d", d.id, ev.Kind, ev.Dispatcher, ev.Epoch, d.c.Epoch(d.id))
	if ev.Epoch != d.epoch {
		c.order.Check(ev.Epoch > d.epoch, "%s: epoch went back from %d to %d", d.id, d.epoch, ev.Epoch)
		d.epoch, d.lastTs = ev.Epoch, 0
		clear(d.seenInEpoch)
	}
	c.order.Check(ev.CommitTs >= d.lastTs, "%s epoch %d: %s at ts %d after ts %d", d.id, ev.Epoch, ev.Kind, ev.CommitTs, d.lastTs)
	d.lastTs = max(d.lastTs, ev.CommitTs)
	if ev.Kind != msg.EventDML && !ev.Kind.Blocking() {
		return
	}
	k := eventKey{ev.Kind, ev.CommitTs, ev.StartTs}
	c.dup.Check(!d.seenInEpoch[k], "%s epoch %d: %s at ts %d handed out twice", d.id, ev.Epoch, ev.Kind, ev.CommitTs)
	d.seenInEpoch[k] = true
	c.order.Check(ev.CommitTs >= d.lastDataTs, "%s: %s at ts %d after data at ts %d (D4 filter)", d.id, ev.Kind, ev.CommitTs, d.lastDataTs)
	d.lastDataTs = max(d.lastDataTs, ev.CommitTs)
	if ev.Kind.Blocking() {
		c.dup.Check(!d.blockSeen[k], "%s: %s at ts %d handed out again after a reset", d.id, ev.Kind, ev.CommitTs)
		d.blockSeen[k] = true
	}
	d.delivered[k]++
}

// hasAlone reports whether events hold a kind that must come alone.
func hasAlone(events []msg.Event) bool {
	for i := range events {
		if !batchable(events[i].Kind) {
			return true
		}
	}
	return false
}

// deliveryChecks are the checkers of what dispatchers are handed.
type deliveryChecks struct {
	handout, alone, epoch, order, dup, release *check.Checker
}

func newDeliveryChecks(set *check.Set) *deliveryChecks {
	return &deliveryChecks{
		handout: set.Add("handout-unblocked", "a dispatcher is handed nothing while its path is blocked"),
		alone:   set.Add("block-alone", "DDL, syncpoint and handshake events come alone"),
		epoch:   set.Add("handout-epoch", "only events of the current epoch are handed out, never a Drop"),
		order:   set.Add("handout-order", "commit ts never goes back within an epoch, nor for data across epochs"),
		dup:     set.Add("handout-dup", "no data event twice within an epoch; no block event twice ever"),
		release: set.Add("release-blocking", "the breaker releases only blocking paths (Invariant 15)"),
	}
}
