package collector

import (
	"testing"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/check"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// barrierWorld is the syncpoint deadlock of the seed document (fast and
// slow dispatchers must meet at a syncpoint): two main dispatchers A (t1,
// a fast table) and B (t2, a slow one) share a 16 KiB area. Both streams
// hold five 1 KiB DMLs, then a syncpoint at ts 1100, then more DMLs. Each
// dispatcher holds the syncpoint until both have reached it (the
// maintainer's barrier). A's events are pushed at 5 KiB/s whatever the
// reports say (the overshoot TiCDC's broker allows: large transactions,
// block events, resolved ts); B's honour the reports, and B registers only
// at 5 s. A reaches the syncpoint at once and its path fills the area;
// from then on Available is 0, B gets nothing, never reaches the
// syncpoint, and A waits for it forever: a deadlock only a release breaks.
type barrierWorld struct {
	w       *sim.World
	c       *Collector
	svc     *fakeService
	a, b    *fakeDispatcher
	set     *check.Set
	arrived int
}

func newBarrierWorld(t *testing.T, breaker BreakerConfig) *barrierWorld {
	t.Helper()
	w, net := newTestNet(1)
	n := node.New(w, captureNode, net)
	c, err := New(n, nil, Config{MainQuotaBytes: 16 * KiB, PathDivisor: 1, PathMinBytes: 1, Breaker: breaker})
	if err != nil {
		t.Fatal(err)
	}
	n.Handle(func(from netsim.NodeID, m any) { c.Handle(from, m) })
	bw := &barrierWorld{w: w, c: c, set: check.NewSet(w)}
	bw.svc = newFakeService(node.New(w, serviceNode, net), captureNode)
	checks := newDeliveryChecks(bw.set)
	bw.a = newFakeDispatcher(t1, w, c, checks, 1000)
	bw.b = newFakeDispatcher(t2, w, c, checks, 1000)
	for _, d := range []*fakeDispatcher{bw.a, bw.b} {
		d.delays = []sim.Duration{10 * sim.Millisecond}
		d.hold = bw.hold
	}
	bw.svc.addStream(t1, barrierStream(60), true)
	bw.svc.addStream(t2, barrierStream(5), false)
	bw.svc.startPush(200*sim.Millisecond, KiB)
	c.AddDispatcher(t1, bw.a, serviceNode, 1000, 0)
	w.Loop.At(sim.Instant(5*sim.Second), func() { c.AddDispatcher(t2, bw.b, serviceNode, 1000, 0) })
	return bw
}

// barrierStream is five 1 KiB DMLs, a syncpoint at 1100, then tail DMLs.
func barrierStream(tail int) []upEvent {
	var out []upEvent
	for i := uint64(1); i <= 5; i++ {
		out = append(out, upEvent{Kind: msg.EventDML, CommitTs: 1000 + 10*i, StartTs: 1000 + 10*i - 5, Bytes: KiB})
	}
	out = append(out, upEvent{Kind: msg.EventSyncPoint, CommitTs: 1100, Bytes: 40})
	for i := uint64(1); i <= uint64(tail); i++ {
		out = append(out, upEvent{Kind: msg.EventDML, CommitTs: 1100 + 10*i, StartTs: 1100 + 10*i - 5, Bytes: KiB})
	}
	return out
}

// hold is the barrier: a dispatcher handed the syncpoint waits until both
// have it, then both write it.
func (bw *barrierWorld) hold(ev msg.Event) bool {
	if ev.Kind != msg.EventSyncPoint {
		return false
	}
	bw.arrived++
	if bw.arrived == 2 {
		bw.w.Loop.After(10*sim.Millisecond, func() { bw.a.release(); bw.b.release() })
	}
	return true
}

func (bw *barrierWorld) run(t *testing.T, d sim.Duration) {
	t.Helper()
	if err := bw.w.Loop.RunUntil(sim.Instant(d)); err != nil {
		t.Fatal(err)
	}
	if c, v := bw.set.FirstViolation(); c != nil {
		t.Fatalf("%s at %v: %s", c.Name(), v.At, v.Detail)
	}
}

// delivered reports whether d got every event of stream.
func delivered(d *fakeDispatcher, stream []upEvent) bool {
	for _, ev := range stream {
		if d.delivered[eventKey{ev.Kind, ev.CommitTs, ev.StartTs}] == 0 {
			return false
		}
	}
	return true
}

// TestBarrierDeadlockWithoutBreaker shows the deadlock: with the breaker
// off, after a minute B has not reached the syncpoint, A still waits at
// it, and A's path holds far more than the quota.
func TestBarrierDeadlockWithoutBreaker(t *testing.T) {
	bw := newBarrierWorld(t, BreakerConfig{Disabled: true})
	bw.run(t, 60*sim.Second)
	main, _ := bw.c.Usage()
	if bw.arrived != 1 || !bw.a.held || delivered(bw.b, barrierStream(5)[:6]) {
		t.Fatalf("breaker off: arrived %d, A held %v: want only A at the barrier, waiting", bw.arrived, bw.a.held)
	}
	if main.Ratio < 2 || bw.c.Stats().PathsReleased != 0 {
		t.Fatalf("breaker off: usage %v released %d, want > 200 %% and nothing released", main.Ratio, bw.c.Stats().PathsReleased)
	}
	cc := bw.c.changefeedMemory()
	if cc.Available != 0 {
		t.Fatalf("Available = %d, want 0: B is starved", cc.Available)
	}
}

// TestBarrierDeadlockBrokenByBreaker runs the same world with the breaker
// on: A's path (blocked, the most advanced) is released, B gets memory,
// reaches the syncpoint, the barrier passes, A resets from its checkpoint
// and both streams are delivered in full.
func TestBarrierDeadlockBrokenByBreaker(t *testing.T) {
	bw := newBarrierWorld(t, BreakerConfig{})
	bw.run(t, 60*sim.Second)
	st := bw.c.Stats()
	if bw.arrived != 2 || st.PathsReleased == 0 || bw.c.Epoch(t1) < 2 {
		t.Fatalf("breaker on: arrived %d released %d A epoch %d, want 2, > 0, >= 2", bw.arrived, st.PathsReleased, bw.c.Epoch(t1))
	}
	if !delivered(bw.a, barrierStream(60)) || !delivered(bw.b, barrierStream(5)) {
		t.Fatalf("breaker on: not every event delivered by 60 s: %+v", st)
	}
	t.Logf("%+v", st)
}

// TestReleaseCanLivelock pins a behaviour the model shares with TiCDC
// (found by the property): when every flush takes longer than
// NoDequeueFor and batches hold one event, a released dispatcher resets to
// its checkpoint, lastMaxCommitTs - 1, is handed its last DML again (the
// commit-ts filter forwards a DML at the last commit ts), blocks on it past
// NoDequeueFor, is released again, and never sees the resolved ts that
// would move its checkpoint past that DML. The collector's promises hold
// (no checker fires); progress does not.
func TestReleaseCanLivelock(t *testing.T) {
	pc := propCase{Tables: 3, Redo: true, Kinds: []int{0, 0, 0, 0, 0}, Sizes: []int{667}, WakeMs: []int{6251},
		SlowFlushes: true, QuotaKiB: 4, PathDivisor: 1, ScanLimit: 1399, Chunks: 2, BatchCount: 1, BatchBytes: 256,
		HandleCostMs: 249}
	pw, err := runCase(pc, TestingKnobs{})
	if err != nil {
		t.Fatal(err)
	}
	if pw.done() {
		t.Fatalf("the world finished: the livelock is gone (update this test and stallFree)")
	}
	var most int
	for _, d := range pw.disp {
		for _, n := range d.delivered {
			most = max(most, n)
		}
	}
	if most < 50 {
		t.Fatalf("no DML handed out again and again (most %d times)", most)
	}
	t.Logf("after %v: one DML handed out %d times; %+v", pw.w.Now(), most, pw.c.Stats())
}
