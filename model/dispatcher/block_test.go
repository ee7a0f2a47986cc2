package dispatcher_test

import (
	"slices"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
)

func action(kind msg.ActionKind, ts uint64, isSync bool) msg.BlockAction {
	return msg.BlockAction{Action: kind, CommitTs: ts, IsSyncPoint: isSync, Mode: msg.ModeMain}
}

func ddl(table int64, ts uint64, blocked ...int64) msg.Event {
	return msg.Event{Kind: msg.EventDDL, CommitTs: ts, DDL: &codec.DDL{CommitTs: ts, Kind: codec.DDLAddColumn, Blocked: blocked},
		Dispatcher: msg.DispatcherID{Table: table, Mode: msg.ModeMain}}
}

// The block protocol on the dispatcher side (D5): WAITING with the
// checkpoint at S-1, resent every 5 s until ACK; Write writes, then DONE,
// clear, wake; the DONE is resent until ACK too.
// Reference: ticdc basic_dispatcher.go DealWithBlockEvent, HandleDispatcherStatus.
func TestBlockWriteProtocol(t *testing.T) {
	h := newHarness()
	d := h.event(t, msg.TableTrigger, dispatcher.Config{})
	d.HandleEvents(batch(resolved(150)), h.wake)
	if !d.HandleEvents(batch(syncPoint(200)), h.wake) {
		t.Fatal("syncpoint did not block")
	}
	st := h.rep.last(t)
	if st.Stage != msg.StageWaiting || st.BlockTs != 200 || !st.IsSyncPoint || st.Blocked != nil {
		t.Fatalf("status %+v, want WAITING at syncpoint 200", st)
	}
	if c := d.CheckpointTs(); c != 199 {
		t.Fatalf("checkpoint while waiting %d, want 199", c)
	}
	h.run(t, 11*sim.Second)
	if n := len(h.rep.statuses); n != 3 {
		t.Fatalf("%d statuses after 11 s without ACK, want 3 (first + 2 resends)", n)
	}
	d.HandleBlockAck(msg.BlockAck{Dispatcher: d.ID(), BlockTs: 200, IsSyncPoint: true, Stage: msg.StageWaiting})
	h.run(t, 20*sim.Second)
	if n := len(h.rep.statuses); n != 3 {
		t.Fatalf("%d statuses after the ACK, want still 3", n)
	}
	d.HandleBlockAction(action(msg.ActionWrite, 200, true))
	if len(h.sink.writes) != 1 || !h.sink.writes[0].block || h.wakes != 0 {
		t.Fatalf("writes %d wakes %d after Write, want the syncpoint written and no wake yet", len(h.sink.writes), h.wakes)
	}
	d.HandleBlockAction(action(msg.ActionWrite, 200, true)) // a resend while writing: ignored
	if c := d.CheckpointTs(); c != 199 {
		t.Fatalf("checkpoint while writing %d, want 199", c)
	}
	h.sink.flush(t, 0)
	if st := h.rep.last(t); st.Stage != msg.StageDone || st.BlockTs != 200 {
		t.Fatalf("status %+v, want DONE", st)
	}
	if _, _, pending := d.PendingBlock(); pending || h.wakes != 1 {
		t.Fatalf("pending %v wakes %d after the write, want cleared and woken once", pending, h.wakes)
	}
	if c := d.CheckpointTs(); c != 199 {
		t.Fatalf("checkpoint after the write %d, want 199 (lastMax-1)", c)
	}
	h.run(t, 5*sim.Second)
	if st := h.rep.last(t); st.Stage != msg.StageDone || len(d.Resending()) != 1 {
		t.Fatalf("DONE not resent: last %+v resending %v", st, d.Resending())
	}
	d.HandleBlockAck(msg.BlockAck{Dispatcher: d.ID(), BlockTs: 200, IsSyncPoint: true, Stage: msg.StageDone})
	if len(d.Resending()) != 0 {
		t.Fatalf("resending %v after the DONE ACK", d.Resending())
	}
}

// Pass advances without writing; actions for other events: a past one is
// answered DONE, a future one ignored, and the DDL at S comes before the
// syncpoint at S.
func TestBlockPassAndOtherActions(t *testing.T) {
	h := newHarness()
	d := h.event(t, 1, dispatcher.Config{})
	d.HandleBlockAction(action(msg.ActionPass, 300, true))
	if len(h.rep.statuses) != 0 {
		t.Fatalf("an action for a future ts with nothing pending was answered: %v", h.rep.statuses)
	}
	d.HandleEvents(batch(resolved(250)), h.wake)
	d.HandleBlockAction(action(msg.ActionPass, 240, true))
	if st := h.rep.last(t); st.Stage != msg.StageDone || st.BlockTs != 240 {
		t.Fatalf("past action answered %+v, want DONE at 240", st)
	}
	d.HandleEvents(batch(ddl(1, 300, 1)), h.wake)
	if st := h.rep.last(t); st.Stage != msg.StageWaiting || !slices.Equal(st.Blocked, []int64{0, 1}) {
		t.Fatalf("DDL status %+v, want WAITING blocking the trigger and t1", st)
	}
	n := len(h.rep.statuses)
	d.HandleBlockAction(action(msg.ActionPass, 300, true)) // Sync(300) comes after DDL(300)
	if len(h.rep.statuses) != n {
		t.Fatalf("the syncpoint's action after the pending DDL at the same ts was answered")
	}
	d.HandleBlockAction(msg.BlockAction{Action: msg.ActionPass, CommitTs: 300, Mode: msg.ModeMain})
	if st := h.rep.last(t); st.Stage != msg.StageDone || h.wakes != 1 || len(h.sink.writes) != 0 {
		t.Fatalf("after Pass: last %+v wakes %d writes %d, want DONE, woken, nothing written", st, h.wakes, len(h.sink.writes))
	}
	if c := d.CheckpointTs(); c != 299 {
		t.Fatalf("checkpoint after the pass %d, want 299", c)
	}
}

// A dispatcher outside a DDL's scope (a table seeing another's DDL, as a
// new table sees its own create) passes it locally; a redo dispatcher
// drops syncpoints and never blocks on them (A3, invariant 14).
func TestBlockLocalPassAndRedoDropsSyncPoints(t *testing.T) {
	h := newHarness()
	d := h.event(t, 7, dispatcher.Config{})
	if d.HandleEvents(batch(ddl(7, 300, 5)), h.wake) || len(h.rep.statuses) != 0 {
		t.Fatal("a DDL outside the dispatcher's scope blocked or was reported")
	}
	r := h.redo(t, 7)
	if r.HandleEvents(batch(syncPoint(400)), h.wake) || len(h.rep.statuses) != 0 {
		t.Fatal("a redo dispatcher blocked on a syncpoint")
	}
	if !r.HandleEvents(batch(ddl(7, 500, 7)), h.wake) {
		t.Fatal("a redo dispatcher did not take its DDL through the barrier")
	}
	if st := h.rep.last(t); st.Dispatcher.Mode != msg.ModeRedo || st.Stage != msg.StageWaiting {
		t.Fatalf("redo DDL status %+v", st)
	}
}

// BlockScope: nil for a syncpoint, the DDL's tables plus the trigger.
func TestBlockScope(t *testing.T) {
	if s := dispatcher.BlockScope(syncPoint(1)); s != nil {
		t.Fatalf("syncpoint scope %v", s)
	}
	if s := dispatcher.BlockScope(ddl(3, 1, 3, 2, 3)); !slices.Equal(s, []int64{0, 2, 3}) {
		t.Fatalf("DDL scope %v", s)
	}
	ev := msg.Event{Kind: msg.EventDDL, Dispatcher: msg.DispatcherID{Table: 4}}
	if s := dispatcher.BlockScope(ev); !slices.Equal(s, []int64{0, 4}) {
		t.Fatalf("payload-less DDL scope %v", s)
	}
}

// The planted bug SkipSyncPointBarrier passes a syncpoint without asking.
// The planted bug reports WAITING, as the protocol asks, but does not
// block: the path goes on while the barrier still collects.
func TestKnobSkipSyncPointBarrier(t *testing.T) {
	h := newHarness()
	d := h.event(t, 1, dispatcher.Config{TestingKnobs: dispatcher.TestingKnobs{SkipSyncPointBarrier: true}})
	if d.HandleEvents(batch(syncPoint(200)), h.wake) {
		t.Fatal("the knob blocked at the syncpoint")
	}
	if len(h.rep.statuses) != 1 || h.rep.statuses[0].Stage != msg.StageWaiting {
		t.Fatalf("the knob must still report WAITING, reported %v", h.rep.statuses)
	}
}
