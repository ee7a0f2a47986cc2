package dispatcher_test

import (
	"errors"
	"testing"

	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/model/msg"
)

// The checkpoint rule (docs/FIDELITY.md section 5, e3): the
// oldest in-flight commitTs - 1 while a batch is in flight, max(lastMax - 1,
// resolvedTs) when idle, startTs before anything; resolved ts applies only
// after the batch's DMLs are handed over.
// Reference: ticdc downstreamadapter/dispatcher/table_progress.go.
func TestCheckpointRule(t *testing.T) {
	h := newHarness()
	d := h.event(t, 1, dispatcher.Config{})
	steps := []struct {
		name     string
		do       func()
		wantCkpt uint64
	}{
		{"start", func() {}, startTs},
		{"batch in flight", func() {
			if !d.HandleEvents(batch(dml(110), dml(120), resolved(130)), h.wake) {
				t.Fatal("DML batch did not block")
			}
		}, 109},
		{"flushed", func() { h.sink.flush(t, 0) }, 130},
		{"resolved only", func() {
			if d.HandleEvents(batch(resolved(140)), h.wake) {
				t.Fatal("resolved batch blocked")
			}
		}, 140},
		{"dml without resolved", func() { d.HandleEvents(batch(dml(150)), h.wake) }, 149},
		{"flushed: lastMax - 1", func() { h.sink.flush(t, 1) }, 149},
		{"stale dml dropped", func() {
			if d.HandleEvents(batch(dml(135), resolved(160)), h.wake) {
				t.Fatal("stale DML was written")
			}
		}, 160},
	}
	for _, s := range steps {
		s.do()
		if got := d.CheckpointTs(); got != s.wantCkpt {
			t.Fatalf("%s: checkpoint %d, want %d", s.name, got, s.wantCkpt)
		}
	}
	if h.wakes != 2 {
		t.Fatalf("wakes %d, want 2 (one per flushed batch)", h.wakes)
	}
	if len(h.sink.writes) != 2 {
		t.Fatalf("writes %d, want 2", len(h.sink.writes))
	}
}

// One DS batch in flight per dispatcher (invariant 3): handing a second
// batch before the first is flushed is a bug of the caller and panics; the
// wake comes only with the flush.
func TestOneBatchInFlight(t *testing.T) {
	h := newHarness()
	d := h.event(t, 1, dispatcher.Config{})
	d.HandleEvents(batch(dml(110)), h.wake)
	if h.wakes != 0 || !d.Busy() {
		t.Fatalf("wakes %d busy %v before the flush", h.wakes, d.Busy())
	}
	mustPanic(t, "path should be blocked", func() { d.HandleEvents(batch(dml(120)), h.wake) })
	h.sink.flush(t, 0)
	if h.wakes != 1 || d.Busy() {
		t.Fatalf("wakes %d busy %v after the flush", h.wakes, d.Busy())
	}
	mustPanic(t, "done called twice", func() { h.sink.writes[0].done() })
}

// Constructors refuse missing collaborators and a mode that does not
// match, with ErrConfig.
func TestDispatcherDeps(t *testing.T) {
	h := newHarness()
	main := h.deps(1, msg.ModeMain)
	noSink, noRep, noFence := main, main, main
	noSink.Sink, noRep.Reporter, noFence.Fence = nil, nil, nil
	for i, d := range []dispatcher.Deps{h.deps(1, msg.ModeRedo), noSink, noRep, noFence} {
		if _, err := dispatcher.NewEventDispatcher(h.n, dispatcher.Config{RedoEnabled: true}, d); !errors.Is(err, dispatcher.ErrConfig) {
			t.Errorf("event deps %d: err %v", i, err)
		}
	}
	if _, err := dispatcher.NewRedoDispatcher(h.n, dispatcher.Config{}, main); !errors.Is(err, dispatcher.ErrConfig) {
		t.Errorf("redo dispatcher with mode main: err %v", err)
	}
	if _, err := dispatcher.NewEventDispatcher(nil, dispatcher.Config{}, main); !errors.Is(err, dispatcher.ErrConfig) {
		t.Errorf("nil node: err %v", err)
	}
	if _, err := dispatcher.NewEventDispatcher(h.n, dispatcher.Config{}, noFence); err != nil {
		t.Errorf("no fence with redo off: %v", err)
	}
}
