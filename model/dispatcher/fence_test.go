package dispatcher_test

import (
	"testing"

	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/sim"
)

// The whole-batch redo fence (A7, TiCDC event_dispatcher.go HandleEvents):
// a batch whose last commitTs is above redoGlobalTs waits whole in the
// one-slot cache, even its safe prefix (issue #6026); each rise of
// redoGlobalTs re-runs it; once handed on, the stored wake runs with the
// flush.
func TestFenceWholeBatch(t *testing.T) {
	h := newHarness()
	d := h.event(t, 1, dispatcher.Config{RedoEnabled: true})
	h.fence.Advance(100)
	if !d.HandleEvents(batch(dml(90+startTs), dml(110+startTs), resolved(120+startTs)), h.wake) {
		t.Fatal("batch above the fence did not block")
	}
	if len(h.sink.writes) != 0 || d.Cached() != 3 {
		t.Fatalf("writes %d cached %d, want 0 and 3", len(h.sink.writes), d.Cached())
	}
	mustPanic(t, "fence cache is full", func() { d.HandleEvents(batch(resolved(300)), h.wake) })
	h.run(t, sim.Second)
	h.fence.Advance(115 + startTs)
	d.HandleCacheEvents()
	if len(h.sink.writes) != 0 || d.Cached() != 3 {
		t.Fatalf("released below the batch's last commitTs: writes %d cached %d", len(h.sink.writes), d.Cached())
	}
	h.run(t, sim.Second)
	h.fence.Advance(120 + startTs)
	d.HandleCacheEvents()
	if len(h.sink.writes) != 1 || len(h.sink.writes[0].events) != 2 || d.Cached() != 0 || h.wakes != 0 {
		t.Fatalf("writes %d cached %d wakes %d after the fence passed the batch", len(h.sink.writes), d.Cached(), h.wakes)
	}
	h.sink.flush(t, 0)
	if h.wakes != 1 || d.CheckpointTs() != 120+startTs {
		t.Fatalf("wakes %d checkpoint %d after the flush", h.wakes, d.CheckpointTs())
	}
	if hist := waitHist(h, d); hist.Count() != 1 || hist.Max() != 2 {
		t.Fatalf("fence wait count %d max %v, want one wait of 2 s", hist.Count(), hist.Max())
	}
	// A resolved-only batch released from the cache is woken by HandleCacheEvents.
	d.HandleEvents(batch(resolved(130+startTs)), h.wake)
	h.fence.Advance(130 + startTs)
	d.HandleCacheEvents()
	if h.wakes != 2 {
		t.Fatalf("wakes %d, want the cached resolved batch woken", h.wakes)
	}
}

// The FencePrefix variant hands the prefix at or below redoGlobalTs on at
// once and caches the rest; the rest waits for the prefix's flush even if
// the fence passes it first, so writes never overlap; the path is woken
// once, after both.
func TestFencePrefix(t *testing.T) {
	h := newHarness()
	d := h.event(t, 1, dispatcher.Config{RedoEnabled: true, FencePrefix: true})
	h.fence.Advance(100 + startTs)
	d.HandleEvents(batch(dml(90+startTs), resolved(95+startTs), dml(110+startTs), resolved(120+startTs)), h.wake)
	if len(h.sink.writes) != 1 || len(h.sink.writes[0].events) != 1 || d.Cached() != 2 {
		t.Fatalf("writes %d cached %d, want the prefix written and 2 cached", len(h.sink.writes), d.Cached())
	}
	if d.ResolvedTs() != 95+startTs {
		t.Fatalf("resolved ts %d, want the prefix's 95", d.ResolvedTs()-startTs)
	}
	h.fence.Advance(200 + startTs)
	d.HandleCacheEvents()
	if len(h.sink.writes) != 1 {
		t.Fatal("the rest was written while the prefix was in flight")
	}
	h.sink.flush(t, 0)
	if len(h.sink.writes) != 2 || d.Cached() != 0 || h.wakes != 0 {
		t.Fatalf("writes %d cached %d wakes %d after the prefix's flush", len(h.sink.writes), d.Cached(), h.wakes)
	}
	h.sink.flush(t, 1)
	if h.wakes != 1 || d.CheckpointTs() != 120+startTs {
		t.Fatalf("wakes %d checkpoint %d at the end", h.wakes, d.CheckpointTs())
	}
}

// Block events go through the fence too: a syncpoint above redoGlobalTs
// is not even reported before the fence passes it (D9).
func TestFenceHoldsSyncPoint(t *testing.T) {
	h := newHarness()
	d := h.event(t, 1, dispatcher.Config{RedoEnabled: true})
	d.HandleEvents(batch(syncPoint(200)), h.wake)
	if len(h.rep.statuses) != 0 || d.Cached() != 1 {
		t.Fatalf("statuses %d cached %d: the syncpoint passed the fence", len(h.rep.statuses), d.Cached())
	}
	h.fence.Advance(200)
	d.HandleCacheEvents()
	if len(h.rep.statuses) != 1 || h.wakes != 0 {
		t.Fatalf("statuses %d wakes %d after the fence", len(h.rep.statuses), h.wakes)
	}
}

// The planted bug BypassFence writes above redoGlobalTs.
func TestKnobBypassFence(t *testing.T) {
	h := newHarness()
	d := h.event(t, 1, dispatcher.Config{RedoEnabled: true, TestingKnobs: dispatcher.TestingKnobs{BypassFence: true}})
	d.HandleEvents(batch(dml(500)), h.wake)
	if len(h.sink.writes) != 1 {
		t.Fatal("the knob did not bypass the fence")
	}
}

// RedoGlobalTs only rises.
func TestRedoGlobalTsAdvance(t *testing.T) {
	var g dispatcher.RedoGlobalTs
	for _, s := range []struct {
		ts   uint64
		rose bool
		want uint64
	}{{5, true, 5}, {5, false, 5}, {3, false, 5}, {9, true, 9}} {
		if rose := g.Advance(s.ts); rose != s.rose || g.Load() != s.want {
			t.Fatalf("Advance(%d) = %v, Load %d; want %v, %d", s.ts, rose, g.Load(), s.rose, s.want)
		}
	}
}
