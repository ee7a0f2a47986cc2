package eventservice

import (
	"fmt"
	"slices"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// This file holds the invariant checkers of the tests. They see only what
// an outside observer sees: the streams a collector receives, the messages
// the service handles, and the service's scan decisions (observations).
//
// Reference: ticdc-mechanisms.md "Invariants" 1, 2, 16, 17.

// errorsMax bounds the errors a checker keeps; the first ones matter.
const errorsMax = 20

// report collects checker errors.
type report struct{ errs []string }

func (r *report) failf(format string, args ...any) {
	if len(r.errs) < errorsMax {
		r.errs = append(r.errs, fmt.Sprintf(format, args...))
	}
}

// streamKey names one dispatcher epoch's stream.
type streamKey struct {
	id    msg.DispatcherID
	epoch uint64
}

// streamState is the checker's view of one stream.
type streamState struct {
	startTs  uint64
	interval sim.Duration
	skip     bool

	opened       bool
	lastSeq      uint64
	lastDataTs   uint64 // last DML or DDL commit ts
	lastSync     uint64 // last syncpoint ts
	lastResolved uint64
	nextSP       uint64
	data         []dataItem
	syncs        []uint64
}

// dataItem is one received DML or DDL.
type dataItem struct {
	kind     msg.EventKind
	commitTs uint64
}

// streamChecker checks invariants 1 (order and syncpoints) and 2 (seq) on
// every stream a collector receives, and completeness against the source.
type streamChecker struct {
	report
	streams map[streamKey]*streamState
}

func newStreamChecker() *streamChecker {
	return &streamChecker{streams: make(map[streamKey]*streamState)}
}

// expect registers the stream a RegisterDispatcher opens.
func (c *streamChecker) expect(r msg.RegisterDispatcher) {
	c.streams[streamKey{r.Dispatcher, r.Epoch}] = &streamState{
		startTs:  r.StartTs,
		interval: sim.Duration(r.SyncPointIntervalSec) * sim.Second,
		skip:     r.SkipSyncPointAtStart,
	}
}

// batch checks every event of a received batch.
func (c *streamChecker) batch(b msg.EventBatch) {
	for i := range b.Events {
		c.event(&b.Events[i])
	}
}

func (c *streamChecker) event(e *msg.Event) {
	st := c.streams[streamKey{e.Dispatcher, e.Epoch}]
	switch {
	case st == nil:
		c.failf("%v epoch %d: %v event for an unregistered epoch", e.Dispatcher, e.Epoch, e.Kind)
		return
	case !st.opened && e.Kind != msg.EventHandshake:
		c.failf("%v epoch %d: first event is %v, want handshake", e.Dispatcher, e.Epoch, e.Kind)
		return
	}
	c.checkSeq(st, e)
	switch e.Kind {
	case msg.EventHandshake:
		c.handshake(st, e)
	case msg.EventDML, msg.EventDDL:
		c.data(st, e)
	case msg.EventSyncPoint:
		c.syncPoint(st, e)
	case msg.EventResolved:
		c.resolved(st, e)
	default:
		c.failf("%v: unexpected %v", e.Dispatcher, e.Kind)
	}
}

// checkSeq is invariant 2: data kinds take the next seq, resolved the last.
func (c *streamChecker) checkSeq(st *streamState, e *msg.Event) {
	want := st.lastSeq + 1
	if e.Kind == msg.EventResolved {
		want = st.lastSeq
	}
	if e.Seq != want {
		c.failf("invariant 2: %v epoch %d: %v at ts %d has seq %d, want %d", e.Dispatcher, e.Epoch, e.Kind, e.CommitTs, e.Seq, want)
	}
	st.lastSeq = max(st.lastSeq, e.Seq)
	if e.Kind == msg.EventResolved {
		st.lastSeq = e.Seq
	}
}

func (c *streamChecker) handshake(st *streamState, e *msg.Event) {
	if st.opened {
		c.failf("%v epoch %d: second handshake", e.Dispatcher, e.Epoch)
	}
	if e.Seq != 1 || e.CommitTs != st.startTs {
		c.failf("%v epoch %d: handshake seq %d ts %d, want 1 and %d", e.Dispatcher, e.Epoch, e.Seq, e.CommitTs, st.startTs)
	}
	st.opened = true
	st.lastResolved = st.startTs
	st.nextSP = tso.FirstSyncPoint(st.startTs, st.interval, st.skip)
}

// aboveSyncPoint reports an event at ts that should have been preceded by
// the pending syncpoint (invariant 1).
func (c *streamChecker) aboveSyncPoint(st *streamState, e *msg.Event) {
	if st.interval > 0 && e.CommitTs > st.nextSP {
		c.failf("invariant 1: %v epoch %d: %v at ts %d above syncpoint %d before Sync(%d)", e.Dispatcher, e.Epoch, e.Kind, e.CommitTs, st.nextSP, st.nextSP)
	}
}

func (c *streamChecker) data(st *streamState, e *msg.Event) {
	c.aboveSyncPoint(st, e)
	if e.CommitTs <= st.lastResolved {
		c.failf("invariant 1: %v epoch %d: %v at ts %d not above resolved %d", e.Dispatcher, e.Epoch, e.Kind, e.CommitTs, st.lastResolved)
	}
	if e.CommitTs < st.lastDataTs || (st.lastSync > 0 && e.CommitTs <= st.lastSync) {
		c.failf("invariant 1: %v epoch %d: %v at ts %d after ts %d / Sync(%d)", e.Dispatcher, e.Epoch, e.Kind, e.CommitTs, st.lastDataTs, st.lastSync)
	}
	st.lastDataTs = e.CommitTs
	st.data = append(st.data, dataItem{e.Kind, e.CommitTs})
}

func (c *streamChecker) syncPoint(st *streamState, e *msg.Event) {
	s := e.CommitTs
	intervalMs := int64(st.interval / sim.Millisecond)
	switch {
	case st.interval <= 0:
		c.failf("invariant 1: %v epoch %d: Sync(%d) with syncpoints off", e.Dispatcher, e.Epoch, s)
	case s != st.nextSP:
		c.failf("invariant 1: %v epoch %d: Sync(%d), want Sync(%d)", e.Dispatcher, e.Epoch, s, st.nextSP)
	case tso.Logical(s) != 0 || tso.Physical(s)%intervalMs != 0:
		c.failf("invariant 1: %v epoch %d: Sync(%d) is not a multiple of %v", e.Dispatcher, e.Epoch, s, st.interval)
	case s < st.lastDataTs:
		c.failf("invariant 1: %v epoch %d: Sync(%d) after data at %d", e.Dispatcher, e.Epoch, s, st.lastDataTs)
	}
	st.lastSync = s
	st.syncs = append(st.syncs, s)
	if st.interval > 0 {
		st.nextSP = tso.NextSyncPoint(s, st.interval)
	}
}

func (c *streamChecker) resolved(st *streamState, e *msg.Event) {
	c.aboveSyncPoint(st, e)
	if e.CommitTs < st.lastResolved {
		c.failf("invariant 1: %v epoch %d: resolved %d below %d", e.Dispatcher, e.Epoch, e.CommitTs, st.lastResolved)
	}
	if e.CommitTs < st.lastDataTs {
		c.failf("invariant 1: %v epoch %d: resolved %d below data at %d", e.Dispatcher, e.Epoch, e.CommitTs, st.lastDataTs)
	}
	st.lastResolved = max(st.lastResolved, e.CommitTs)
}

// complete checks every stream against the source: the DMLs and DDLs
// received at or below the stream's last resolved ts are exactly the
// table's events in (startTs, resolved], in order.
func (c *streamChecker) complete(src Source) {
	keys := make([]streamKey, 0, len(c.streams))
	for k := range c.streams {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b streamKey) int {
		if a.id != b.id {
			if a.id.Less(b.id) {
				return -1
			}
			return 1
		}
		return int(a.epoch) - int(b.epoch)
	})
	for _, k := range keys {
		st := c.streams[k]
		var want []dataItem
		src.Scan(k.id.Table, st.startTs, st.lastResolved, func(ev upstream.Event) bool {
			kind := msg.EventDML
			if ev.IsDDL() {
				kind = msg.EventDDL
			}
			want = append(want, dataItem{kind, ev.CommitTs})
			return true
		})
		var got []dataItem
		for _, d := range st.data {
			if d.commitTs <= st.lastResolved {
				got = append(got, d)
			}
		}
		if !slices.Equal(got, want) {
			c.failf("completeness: %v epoch %d: got %d events up to resolved %d, want %d", k.id, k.epoch, len(got), st.lastResolved, len(want))
		}
	}
}

// quotaChecker checks invariant 16: no scan starts with a budget above the
// changefeed's available memory (as last reported by the collector, minus
// the budgets of scans since, plus their refunds) or the dispatcher's
// available memory (as last reported; ScanLimitMinBytes before the first).
type quotaChecker struct {
	report
	minBytes  int64
	avail     map[netsim.NodeID]int64
	disp      map[msg.DispatcherID]int64
	epochs    map[msg.DispatcherID]uint64
	scans     int
	maxBudget int64
}

func newQuotaChecker(minBytes int64) *quotaChecker {
	return &quotaChecker{
		minBytes: minBytes,
		avail:    make(map[netsim.NodeID]int64),
		disp:     make(map[msg.DispatcherID]int64),
		epochs:   make(map[msg.DispatcherID]uint64),
	}
}

// message sees a message the service is about to handle.
func (c *quotaChecker) message(from netsim.NodeID, m any) {
	switch v := m.(type) {
	case msg.RegisterDispatcher:
		if e, ok := c.epochs[v.Dispatcher]; !ok || v.Epoch > e {
			c.epochs[v.Dispatcher] = v.Epoch
			c.disp[v.Dispatcher] = c.minBytes
		}
	case msg.RemoveDispatcher:
		delete(c.epochs, v.Dispatcher)
		delete(c.disp, v.Dispatcher)
		if len(c.epochs) == 0 {
			clear(c.avail)
		}
	case msg.CongestionControl:
		if len(c.epochs) == 0 {
			return
		}
		c.avail[from] = max(v.Available, 0)
		for _, da := range v.DispatcherAvailable {
			if _, ok := c.disp[da.Dispatcher]; ok {
				c.disp[da.Dispatcher] = max(da.Bytes, 0)
			}
		}
	}
}

// observe sees a scan decision.
func (c *quotaChecker) observe(o observation) {
	switch {
	case o.kind == obsRefund:
		if v, ok := c.avail[o.collector]; ok {
			c.avail[o.collector] = v + o.refund
		}
	case o.kind == obsAdmission && o.adm.reason == skipNone:
		c.scans++
		c.maxBudget = max(c.maxBudget, o.adm.budget)
		v, ok := c.avail[o.collector]
		switch {
		case !ok:
			c.failf("invariant 16: %v scan at %v before any report from %s", o.id, o.at, o.collector)
		case o.adm.budget > v:
			c.failf("invariant 16: %v scan at %v with budget %d above changefeed available %d", o.id, o.at, o.adm.budget, v)
		case o.adm.budget > c.disp[o.id]:
			c.failf("invariant 16: %v scan at %v with budget %d above dispatcher available %d", o.id, o.at, o.adm.budget, c.disp[o.id])
		}
		c.avail[o.collector] = v - o.adm.budget
	}
}

// windowChecker checks invariant 17: a scan's end never passes the
// upstream resolved ts, nor (window on) minSentTs + interval unless it is
// the local advance to a pending barrier, which stays within one interval
// of the start or just past the next syncpoint. It also checks the rate
// limiter: the bytes charged never exceed what a bucket of the configured
// rate and burst allows.
type windowChecker struct {
	report
	scans, capped, local int

	rate, burst int64
	levelNano   int64 // tokens x 1e9
	at          sim.Instant
}

func newWindowChecker(rate, burst int64) *windowChecker {
	return &windowChecker{rate: rate, burst: burst, levelNano: burst * int64(sim.Second)}
}

func (c *windowChecker) observe(o observation) {
	if o.kind != obsAdmission || o.adm.reason == skipRateLimit {
		return
	}
	c.charge(o)
	if o.adm.reason != skipNone {
		return
	}
	c.scans++
	r := o.req
	if r.end > o.upstreamResolved {
		c.failf("invariant 17: %v scan end %d above upstream resolved %d", o.id, r.end, o.upstreamResolved)
	}
	if r.end <= r.start {
		c.failf("%v: empty scan (%d, %d]", o.id, r.start, r.end)
	}
	if !o.windowOn || o.minSentTs == 0 {
		return
	}
	bound := tso.Compose(tso.Physical(o.minSentTs)+int64(o.interval/sim.Millisecond), 0)
	if r.capped {
		c.capped++
	}
	if !r.localAdvance {
		if r.end > bound {
			c.failf("invariant 17: %v scan end %d above minSentTs %d + %v = %d", o.id, r.end, o.minSentTs, o.interval, bound)
		}
		return
	}
	c.local++
	step := tso.Compose(tso.Physical(r.start)+int64(o.interval/sim.Millisecond), 0)
	if r.end > max(step, o.nextSyncPoint+1) {
		c.failf("invariant 17: %v local advance to %d past one step %d and syncpoint %d", o.id, r.end, step, o.nextSyncPoint)
	}
}

// charge replays the rate limiter: every admitted attempt took its charge.
func (c *windowChecker) charge(o observation) {
	full := c.burst * int64(sim.Second)
	if o.at > c.at {
		dt := int64(o.at.Sub(c.at))
		if dt > full/c.rate+1 {
			c.levelNano = full
		} else {
			c.levelNano = min(full, c.levelNano+dt*c.rate)
		}
		c.at = o.at
	}
	need := o.adm.charged * int64(sim.Second)
	if need > c.levelNano {
		c.failf("rate limiter: %v charged %d bytes at %v with %d in the bucket", o.id, o.adm.charged, o.at, c.levelNano/int64(sim.Second))
	}
	c.levelNano -= need
}
