package downstream

import (
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
)

func dml(table int64, ts uint64, key string) msg.Event {
	return msg.Event{Kind: msg.EventDML, CommitTs: ts, Rows: []codec.Row{
		{TableID: table, Key: []byte(key), Op: codec.OpInsert, StartTs: ts - 1, CommitTs: ts, Columns: [][]byte{[]byte("v")}}}}
}

func newDown(t *testing.T, workers int) (*sim.World, *Downstream) {
	t.Helper()
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	d, err := New(w, Config{Workers: workers, TxnLatency: dist.Const{V: float64(10 * sim.Millisecond)}, RowLatency: dist.Const{V: 0}})
	if err != nil {
		t.Fatal(err)
	}
	return w, d
}

// TestWorkersBoundConcurrency: with 2 workers and 10 ms transactions, 4
// transactions take 20 ms, and rows are visible only once committed.
func TestWorkersBoundConcurrency(t *testing.T) {
	w, d := newDown(t, 2)
	var doneAt sim.Instant
	evs := []msg.Event{dml(1, 10, "a"), dml(1, 11, "b"), dml(1, 12, "c"), dml(1, 13, "d")}
	d.WriteDML(msg.DispatcherID{Table: 1, Mode: msg.ModeMain}, evs, func() { doneAt = w.Now() })
	w.Loop.RunUntil(sim.Instant(5 * sim.Millisecond))
	if _, ok := d.State().Get(1, []byte("a")); ok {
		t.Fatal("a row is visible before its transaction committed")
	}
	w.Loop.Run()
	if doneAt != sim.Instant(20*sim.Millisecond) {
		t.Fatalf("batch done at %v, want 20ms with 2 workers", doneAt)
	}
	if d.Stats().BusyMax != 2 || d.MaxAppliedTs() != 13 {
		t.Fatalf("busy max %d, max applied %d", d.Stats().BusyMax, d.MaxAppliedTs())
	}
}

// TestSlowTableAndStall: a table's own latency, and a stall window that
// multiplies it.
func TestSlowTableAndStall(t *testing.T) {
	w, d := newDown(t, 4)
	d.SetTableLatency(2, dist.Const{V: float64(100 * sim.Millisecond)}, dist.Const{V: 0})
	d.Stall(sim.Instant(sim.Second), sim.Instant(2*sim.Second), 5)
	var fast, slow, stalled sim.Instant
	d.WriteDML(msg.DispatcherID{Table: 1}, []msg.Event{dml(1, 10, "a")}, func() { fast = w.Now() })
	d.WriteDML(msg.DispatcherID{Table: 2}, []msg.Event{dml(2, 10, "a")}, func() { slow = w.Now() })
	w.Loop.At(sim.Instant(sim.Second), func() {
		d.WriteDML(msg.DispatcherID{Table: 1}, []msg.Event{dml(1, 20, "b")}, func() { stalled = w.Now() })
	})
	w.Loop.Run()
	if fast != sim.Instant(10*sim.Millisecond) || slow != sim.Instant(100*sim.Millisecond) {
		t.Fatalf("fast table done at %v, slow at %v", fast, slow)
	}
	if stalled != sim.Instant(sim.Second+50*sim.Millisecond) {
		t.Fatalf("stalled write done at %v, want 1.05s (10ms x 5)", stalled)
	}
}

// TestSyncPointRowIsInsertIgnore: a syncpoint row written again (a replay
// after a restart) changes nothing and tells no observer.
func TestSyncPointRowIsInsertIgnore(t *testing.T) {
	w, d := newDown(t, 1)
	o := &countingObserver{}
	d.Observe(o)
	d.WriteSyncPoint(100, func() {})
	d.WriteSyncPoint(100, func() {})
	d.WriteDDL(&codec.DDL{StartTs: 109, CommitTs: 110, Kind: codec.DDLTruncate, Blocked: []int64{1}}, func() {})
	w.Loop.Run()
	if len(d.SyncPointRows()) != 1 || o.syncpoints != 1 || d.Stats().SyncPointsIgnored != 1 {
		t.Fatalf("rows %d, observed %d, ignored %d", len(d.SyncPointRows()), o.syncpoints, d.Stats().SyncPointsIgnored)
	}
	if o.ddls != 1 || d.DDLTs(1) != 110 {
		t.Fatalf("ddls observed %d, ddl_ts %d", o.ddls, d.DDLTs(1))
	}
}

type countingObserver struct{ syncpoints, ddls, batches int }

func (o *countingObserver) OnDML(msg.DispatcherID, []msg.Event) { o.batches++ }
func (o *countingObserver) OnSyncPoint(SyncPointRow)            { o.syncpoints++ }
func (o *countingObserver) OnDDL(*codec.DDL)                    { o.ddls++ }
