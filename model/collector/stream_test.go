package collector

import (
	"slices"
	"testing"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
)

// smallConfig is a collector with a 10 KiB main area and no path floor.
func smallConfig() Config {
	return Config{MainQuotaBytes: 10 * KiB, PathMinBytes: 1}
}

// TestAccountingQueueAndPop checks the dynamic stream's accounting: bytes
// count from queueing to popping, not to flushing; the area's used bytes
// are the sum of the paths'; nothing is handed out inside Handle.
// Reference: pingcap/ticdc:utils/dynstream appendEvent/popEvent (docs/FIDELITY.md section 4).
func TestAccountingQueueAndPop(t *testing.T) {
	r := newRig(t, smallConfig())
	d1, d2 := &scriptDispatcher{}, &scriptDispatcher{}
	r.c.AddDispatcher(t1, d1, serviceNode, 100, 0)
	r.c.AddDispatcher(t2, d2, serviceNode, 100, 0)
	r.push(hs(t1, 1, 100), dml(t1, 1, 2, 110, 1000), dml(t1, 1, 3, 120, 500), hs(t2, 1, 100), dml(t2, 1, 2, 105, 300))
	if got, want := r.c.PathPending(t1), int64(64+1000+500); got != want {
		t.Fatalf("t1 pending after queueing = %d, want %d", got, want)
	}
	main, _ := r.c.Usage()
	if got, want := main.UsedBytes, int64(64+1000+500+64+300); got != want {
		t.Fatalf("area used = %d, want %d", got, want)
	}
	if len(d1.batches)+len(d2.batches) != 0 {
		t.Fatalf("Handle handed out batches itself; want them on later loop events")
	}
	r.checkAccounting()
	r.run(sim.Millisecond)
	r.checkAccounting()
	if got := kinds(d1.events()); !slices.Equal(got, []msg.EventKind{msg.EventHandshake, msg.EventDML, msg.EventDML}) {
		t.Fatalf("t1 got %v", got)
	}
	if main, _ = r.c.Usage(); main.UsedBytes != 0 {
		t.Fatalf("area used after popping everything = %d, want 0 (the dispatchers still hold the events)", main.UsedBytes)
	}
	// t1 is blocked now: new events stay queued and accounted.
	r.push(dml(t1, 1, 4, 130, 700))
	r.run(sim.Millisecond)
	if got := r.c.PathPending(t1); got != 700 {
		t.Fatalf("t1 pending behind its block = %d, want 700", got)
	}
	r.checkAccounting()
	d1.wakeLast()
	r.run(sim.Millisecond)
	if got := r.c.PathPending(t1); got != 0 {
		t.Fatalf("t1 pending after wake = %d, want 0", got)
	}
	if len(d1.batches) != 3 {
		t.Fatalf("t1 batches = %d, want 3", len(d1.batches))
	}
	r.checkAccounting()
}

// TestRemoveDispatcherFreesPending checks that removing a dispatcher takes
// its queued bytes out of the area and tells the event service.
func TestRemoveDispatcherFreesPending(t *testing.T) {
	r := newRig(t, smallConfig())
	d := &scriptDispatcher{}
	r.c.AddDispatcher(t1, d, serviceNode, 100, 0)
	r.push(hs(t1, 1, 100), dml(t1, 1, 2, 110, 1000))
	r.run(sim.Millisecond)
	r.push(dml(t1, 1, 3, 120, 800))
	r.c.RemoveDispatcher(t1)
	if main, _ := r.c.Usage(); main.UsedBytes != 0 || main.Paths != 0 {
		t.Fatalf("after remove: used %d paths %d, want 0 0", main.UsedBytes, main.Paths)
	}
	d.wakeLast() // a late wake of a removed path does nothing
	r.push(dml(t1, 1, 4, 130, 10))
	r.run(10 * sim.Millisecond)
	if got := r.c.Stats().UnknownEvents; got != 1 {
		t.Fatalf("UnknownEvents = %d, want 1", got)
	}
	var removed bool
	for _, m := range r.sent {
		if rm, ok := m.(msg.RemoveDispatcher); ok && rm.Dispatcher == t1 {
			removed = true
		}
	}
	if !removed {
		t.Fatalf("event service got no RemoveDispatcher")
	}
	r.checkAccounting()
}

// TestBatchLimits checks the batcher: at most BatchCount events, bytes
// checked before each add (overshoot by one event), block events,
// handshakes and drops alone, DML and resolved events together.
func TestBatchLimits(t *testing.T) {
	cfg := smallConfig()
	cfg.MainBatchCount, cfg.MainBatchBytes = 3, 1000
	r := newRig(t, cfg)
	d := &scriptDispatcher{block: func([]msg.Event) bool { return false }}
	r.c.AddDispatcher(t1, d, serviceNode, 100, 0)
	r.push(hs(t1, 1, 100),
		dml(t1, 1, 2, 110, 100), dml(t1, 1, 3, 111, 100), dml(t1, 1, 4, 112, 100), // count-bound
		dml(t1, 1, 5, 120, 600), dml(t1, 1, 6, 121, 600), dml(t1, 1, 7, 122, 600), // byte-bound: 600 < 1000, 1200 stops
		ddl(t1, 1, 8, 130),
		dml(t1, 1, 9, 140, 50), resolved(t1, 1, 9, 145), dml(t1, 1, 10, 150, 50),
		syncPoint(t1, 1, 11, 160), resolved(t1, 1, 11, 170))
	r.run(sim.Millisecond)
	var got [][]msg.EventKind
	for _, b := range d.batches {
		got = append(got, kinds(b))
	}
	H, D, R, L, S := msg.EventHandshake, msg.EventDML, msg.EventResolved, msg.EventDDL, msg.EventSyncPoint
	want := [][]msg.EventKind{{H}, {D, D, D}, {D, D}, {D}, {L}, {D, R, D}, {S}, {R}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("batches = %v, want %v", got, want)
	}
	if b := d.batches[2]; b[0].Bytes+b[1].Bytes != 1200 {
		t.Fatalf("third batch bytes = %d, want 1200 (600 < 1000, then one more: overshoot by one event)", b[0].Bytes+b[1].Bytes)
	}
}

// TestBlockAndWake checks blocking: a blocked path gets nothing until the
// wake of its batch; a second wake, or a wake of an older batch, does
// nothing; a wake inside HandleEvents voids the block.
func TestBlockAndWake(t *testing.T) {
	r := newRig(t, smallConfig())
	d := &scriptDispatcher{}
	r.c.AddDispatcher(t1, d, serviceNode, 100, 0)
	r.push(hs(t1, 1, 100), dml(t1, 1, 2, 110, 10))
	r.run(sim.Millisecond)
	r.push(dml(t1, 1, 3, 120, 10))
	r.run(sim.Second)
	if len(d.batches) != 2 || !r.c.PathBlocked(t1) {
		t.Fatalf("batches %d blocked %v, want 2 true", len(d.batches), r.c.PathBlocked(t1))
	}
	oldWake := d.wakes[1]
	oldWake()
	r.run(sim.Millisecond)
	if len(d.batches) != 3 {
		t.Fatalf("after wake: batches %d, want 3", len(d.batches))
	}
	r.push(dml(t1, 1, 4, 130, 10))
	oldWake() // twice, and for an older batch: nothing
	r.run(sim.Second)
	if len(d.batches) != 3 {
		t.Fatalf("a stale wake unblocked the path: batches %d, want 3", len(d.batches))
	}
	// A dispatcher whose sink completes inside HandleEvents wakes at once.
	d.onHandle = func(_ []msg.Event, wake func()) { wake() }
	d.wakeLast()
	r.run(sim.Millisecond)
	r.push(dml(t1, 1, 5, 140, 10))
	r.run(sim.Millisecond)
	if len(d.batches) != 5 || r.c.PathBlocked(t1) {
		t.Fatalf("wake inside HandleEvents: batches %d blocked %v, want 5 false", len(d.batches), r.c.PathBlocked(t1))
	}
}

// TestReadyPathsFIFO checks that ready paths take turns in FIFO order and
// that a path woken goes to the back.
func TestReadyPathsFIFO(t *testing.T) {
	cfg := smallConfig()
	cfg.MainBatchCount = 1
	r := newRig(t, cfg)
	var order []msg.DispatcherID
	for _, id := range []msg.DispatcherID{t1, t2, t3} {
		id := id
		d := &scriptDispatcher{block: func([]msg.Event) bool { return false }}
		d.onHandle = func([]msg.Event, func()) { order = append(order, id) }
		r.c.AddDispatcher(id, d, serviceNode, 100, 0)
	}
	// t3 first, then t1, then t2; two events each, one per batch.
	r.push(hs(t3, 1, 100), hs(t1, 1, 100), hs(t2, 1, 100))
	r.push(dml(t3, 1, 2, 110, 1), dml(t1, 1, 2, 110, 1), dml(t2, 1, 2, 110, 1))
	r.run(sim.Millisecond)
	want := []msg.DispatcherID{t3, t1, t2, t3, t1, t2}
	if !slices.Equal(order, want) {
		t.Fatalf("handling order %v, want %v", order, want)
	}
}

// TestResolvedCollapse checks that a resolved event queued behind another
// resolved event replaces it, with the accounting adjusted, and that
// resolved events behind a DML are not collapsed into it.
func TestResolvedCollapse(t *testing.T) {
	r := newRig(t, smallConfig())
	d := &scriptDispatcher{}
	r.c.AddDispatcher(t1, d, serviceNode, 100, 0)
	r.push(hs(t1, 1, 100), dml(t1, 1, 2, 110, 10))
	r.run(sim.Millisecond) // t1 blocked on the DML
	r.push(resolved(t1, 1, 2, 120), resolved(t1, 1, 2, 130), dml(t1, 1, 3, 140, 10), resolved(t1, 1, 3, 150), resolved(t1, 1, 3, 160))
	if got, want := r.c.PathPending(t1), int64(24+10+24); got != want {
		t.Fatalf("pending = %d, want %d", got, want)
	}
	if got := r.c.Stats().Collapsed; got != 2 {
		t.Fatalf("Collapsed = %d, want 2", got)
	}
	r.checkAccounting()
	d.wakeLast()
	r.run(sim.Millisecond)
	var ts []uint64
	for _, ev := range d.batches[2] {
		ts = append(ts, ev.CommitTs)
	}
	if !slices.Equal(ts, []uint64{130, 140, 160}) {
		t.Fatalf("batch after collapse has ts %v, want [130 140 160]", ts)
	}
}
