package collector

import (
	"slices"
	"testing"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
)

// TestRegisterOnAdd checks the first registration: epoch 1, the start ts,
// the collector's node, the syncpoint interval and the skip flag from a
// SyncPointSkipper.
func TestRegisterOnAdd(t *testing.T) {
	r := newRig(t, smallConfig())
	r.c.AddDispatcher(t1, &scriptDispatcher{skipAtSP: true}, serviceNode, 100, 600)
	r.run(10 * sim.Millisecond)
	regs := r.registers()
	want := msg.RegisterDispatcher{Dispatcher: t1, Epoch: 1, StartTs: 100, Collector: captureNode,
		SyncPointIntervalSec: 600, SkipSyncPointAtStart: true}
	if len(regs) != 1 || regs[0] != want {
		t.Fatalf("registers = %+v, want [%+v]", regs, want)
	}
}

// TestDedupe checks the commit-ts filter (D4): a DML older than the last
// handed-out commit ts is dropped, a DML at the same ts passes, a second
// DDL or syncpoint at the same ts is dropped, and the flags clear when the
// ts moves on. Like TiCDC, the filter compares with the state before the
// batch, so it acts between batches (the event service sends in order).
func TestDedupe(t *testing.T) {
	r := newRig(t, smallConfig())
	d := &scriptDispatcher{block: func([]msg.Event) bool { return false }}
	r.c.AddDispatcher(t1, d, serviceNode, 100, 0)
	r.push(hs(t1, 1, 100), dml(t1, 1, 2, 200, 10))
	r.run(sim.Millisecond)
	r.push(dml(t1, 1, 3, 150, 10), // older: dropped
		dml(t1, 1, 4, 200, 10), // same ts: passes
		ddl(t1, 1, 5, 200),
		ddl(t1, 1, 6, 200), // second DDL at 200: dropped
		syncPoint(t1, 1, 7, 200),
		syncPoint(t1, 1, 8, 200), // second syncpoint at 200: dropped
		ddl(t1, 1, 9, 300),
		syncPoint(t1, 1, 10, 300), // first syncpoint at 300: passes
		dml(t1, 1, 11, 90, 10))    // older than the start ts: dropped
	r.run(sim.Millisecond)
	var got []uint64
	for _, ev := range d.events() {
		got = append(got, ev.Seq)
	}
	if want := []uint64{1, 2, 4, 5, 7, 9, 10}; !slices.Equal(got, want) {
		t.Fatalf("handed-out seqs %v, want %v", got, want)
	}
	if st := r.c.Stats(); st.Dedupes != 4 || st.Resets != 0 {
		t.Fatalf("Dedupes %d Resets %d, want 4 0", st.Dedupes, st.Resets)
	}
}

// TestGapResets checks the reset protocol (E5): a seq gap resets the
// dispatcher to epoch 2 with a RegisterDispatcher from its checkpoint; the
// rest of the batch and later old-epoch events are skipped; the new
// epoch's handshake restarts the stream; the commit-ts filter survives
// the reset, so the rescan does not hand out what the dispatcher has.
func TestGapResets(t *testing.T) {
	r := newRig(t, smallConfig())
	d := &scriptDispatcher{block: func([]msg.Event) bool { return false }, checkpoint: 109}
	r.c.AddDispatcher(t1, d, serviceNode, 100, 0)
	r.push(hs(t1, 1, 100), dml(t1, 1, 2, 110, 10))
	r.run(sim.Millisecond)
	r.push(dml(t1, 1, 3, 120, 10), dml(t1, 1, 5, 130, 10), dml(t1, 1, 6, 140, 10)) // seq 4 missing
	r.run(10 * sim.Millisecond)
	if got := r.c.Epoch(t1); got != 2 {
		t.Fatalf("epoch after gap = %d, want 2", got)
	}
	regs := r.registers()
	last := regs[len(regs)-1]
	if last.Epoch != 2 || last.StartTs != 109 || last.SkipSyncPointAtStart {
		t.Fatalf("reset register = %+v, want epoch 2 from checkpoint 109 without skip", last)
	}
	if n := len(d.events()); n != 2 {
		t.Fatalf("handed out %d events, want 2: the batch with the gap is dropped whole", n)
	}
	r.push(dml(t1, 1, 7, 150, 10)) // old epoch: skipped
	r.push(hs(t1, 2, 109), dml(t1, 2, 2, 110, 10), dml(t1, 2, 3, 120, 10), dml(t1, 2, 4, 130, 10))
	r.run(sim.Millisecond)
	var got []uint64
	for _, ev := range d.events()[2:] {
		got = append(got, ev.CommitTs)
	}
	// 110 passes (same ts as the last handed out: TiCDC forwards it).
	if want := []uint64{109, 110, 120, 130}; !slices.Equal(got, want) {
		t.Fatalf("epoch 2 handed out ts %v, want %v", got, want)
	}
	st := r.c.Stats()
	if st.ResetsBy[ResetGap] != 1 || st.StaleEvents != 1 {
		t.Fatalf("ResetsBy[gap] %d StaleEvents %d, want 1 1", st.ResetsBy[ResetGap], st.StaleEvents)
	}
}

// TestResetReasons checks the other reset triggers: a non-handshake first
// event of an epoch, a Drop event, a resolved event whose seq is not the
// last data seq, and ResetDispatcher; and the syncpoint-skip rule of a
// reset at the start ts.
func TestResetReasons(t *testing.T) {
	r := newRig(t, smallConfig())
	d := &scriptDispatcher{block: func([]msg.Event) bool { return false }, checkpoint: 100, skipAtSP: true}
	r.c.AddDispatcher(t1, d, serviceNode, 100, 0)
	r.push(dml(t1, 1, 1, 110, 10)) // no handshake first
	r.run(sim.Millisecond)
	r.push(hs(t1, 2, 100), msg.Event{Kind: msg.EventDrop, Dispatcher: t1, Epoch: 2, Seq: 2, CommitTs: 110})
	r.run(sim.Millisecond)
	r.push(hs(t1, 3, 100), resolved(t1, 3, 2, 120)) // resolved carries seq 2, last data seq is 1
	r.run(sim.Millisecond)
	d.checkpoint = 150
	r.c.ResetDispatcher(t1)
	r.run(10 * sim.Millisecond)
	st := r.c.Stats()
	want := [...]uint64{ResetNoHandshake: 1, ResetDrop: 1, ResetGap: 1, ResetExternal: 1}
	for reason, n := range want {
		if st.ResetsBy[reason] != n {
			t.Errorf("ResetsBy[%v] = %d, want %d", ResetReason(reason), st.ResetsBy[reason], n)
		}
	}
	regs := r.registers()
	if len(regs) != 5 {
		t.Fatalf("registers = %d, want 5", len(regs))
	}
	for i, reg := range regs {
		wantSkip := reg.StartTs == 100 // at the start ts the dispatcher's flag applies
		if reg.Epoch != uint64(i+1) || reg.SkipSyncPointAtStart != wantSkip {
			t.Errorf("register %d = %+v, want epoch %d skip %v", i, reg, i+1, wantSkip)
		}
	}
}

// TestStaleEpochIgnored checks that every kind of event of an old epoch is
// skipped without a reset.
func TestStaleEpochIgnored(t *testing.T) {
	r := newRig(t, smallConfig())
	d := &scriptDispatcher{block: func([]msg.Event) bool { return false }}
	r.c.AddDispatcher(t1, d, serviceNode, 100, 0)
	r.c.ResetDispatcher(t1) // epoch 2
	r.push(hs(t1, 1, 100), dml(t1, 1, 2, 110, 10), ddl(t1, 1, 3, 120), syncPoint(t1, 1, 4, 130),
		msg.Event{Kind: msg.EventDrop, Dispatcher: t1, Epoch: 1, Seq: 5, CommitTs: 140})
	r.run(sim.Millisecond)
	if st := r.c.Stats(); st.StaleEvents != 5 || st.Resets != 1 || len(d.batches) != 0 {
		t.Fatalf("StaleEvents %d Resets %d batches %d, want 5 1 0", st.StaleEvents, st.Resets, len(d.batches))
	}
}
