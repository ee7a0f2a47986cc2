package dispatcher_test

import (
	"testing"

	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/model/dispatcher/dispatchertest"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// mgrHarness is a manager on n1 with a fake maintainer node m that records
// what it receives.
type mgrHarness struct {
	w    *sim.World
	n1   *node.Node
	m    *node.Node
	mgr  *dispatcher.Manager
	reg  *metrics.Registry
	got  []any
	meta *dispatchertest.Meta
	sink *manualSink
}

func newMgrHarness(t *testing.T, withMeta bool) *mgrHarness {
	t.Helper()
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	net := netsim.New(w, netsim.Config{})
	h := &mgrHarness{w: w, n1: node.New(w, "n1", net), m: node.New(w, "m", net), reg: metrics.NewRegistry(), sink: &manualSink{}}
	h.m.Handle(func(_ netsim.NodeID, m any) { h.got = append(h.got, m) })
	cfg := dispatcher.ManagerConfig{Maintainer: "m", MaintainerEpoch: 2, Dispatcher: dispatcher.Config{RedoEnabled: true}}
	if withMeta {
		h.meta = dispatchertest.NewMeta(h.n1, 200*sim.Millisecond, startTs)
		cfg.Meta = h.meta
	}
	mgr, err := dispatcher.NewManager(h.n1, h.reg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.mgr = mgr
	h.n1.Handle(func(from netsim.NodeID, m any) {
		if !mgr.Handle(from, m) {
			t.Errorf("manager refused %T", m)
		}
	})
	return h
}

func (h *mgrHarness) run(t *testing.T, d sim.Duration) {
	t.Helper()
	if err := h.w.Loop.RunUntil(h.w.Now().Add(d)); err != nil {
		t.Fatal(err)
	}
}

// received returns the messages of type T the fake maintainer got.
func received[T any](h *mgrHarness) []T {
	var out []T
	for _, m := range h.got {
		if v, ok := m.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// The manager heartbeats every 200 ms with the minimum checkpoint over its
// event dispatchers and, separately, over its redo dispatchers.
func TestManagerHeartbeat(t *testing.T) {
	h := newMgrHarness(t, false)
	h.run(t, 250*sim.Millisecond)
	hbs := received[msg.HeartBeat](h)
	if len(hbs) != 1 || hbs[0].Watermark != dispatcher.NoWatermark || hbs[0].RedoWatermark != dispatcher.NoWatermark {
		t.Fatalf("heartbeats without dispatchers %+v", hbs)
	}
	e1, _ := h.mgr.AddEventDispatcher(1, startTs, h.sink)
	e2, _ := h.mgr.AddEventDispatcher(2, startTs, h.sink)
	r1, _ := h.mgr.AddRedoDispatcher(1, startTs, h.sink)
	if _, err := h.mgr.AddEventDispatcher(1, startTs, h.sink); err == nil {
		t.Fatal("a second event dispatcher of table 1 was accepted")
	}
	h.mgr.Handle("m", msg.RedoResolvedForward{ResolvedTs: 1000, MaintainerEpoch: 2})
	e1.HandleEvents(batch(resolved(300)), func() {})
	e2.HandleEvents(batch(resolved(200)), func() {})
	r1.HandleEvents(batch(resolved(500)), func() {})
	h.run(t, 200*sim.Millisecond)
	hbs = received[msg.HeartBeat](h)
	last := hbs[len(hbs)-1]
	if len(hbs) != 2 || last.Watermark != 200 || last.RedoWatermark != 500 || last.Dispatchers != 3 || last.Node != "n1" {
		t.Fatalf("heartbeats %+v, want a second one with watermarks 200/500", hbs)
	}
	if !h.mgr.Remove(e2.ID()) || h.mgr.Remove(e2.ID()) {
		t.Fatal("Remove did not report existence")
	}
	if wm, _ := h.mgr.Watermarks(); wm != 300 {
		t.Fatalf("watermark after removing t2 %d, want 300", wm)
	}
}

// redoGlobalTs is monotonic and epoch-fenced: a forward from an older
// maintainer epoch is dropped, a lower ts changes nothing, a rise re-runs
// the cached batches, a newer epoch is adopted (A7, C: helper.go
// isMaintainerControlMessageAllowed).
func TestManagerForwardEpochFenced(t *testing.T) {
	h := newMgrHarness(t, false)
	e, _ := h.mgr.AddEventDispatcher(1, startTs, h.sink)
	wakes := 0
	e.HandleEvents(batch(dml(150), resolved(160)), func() { wakes++ })
	steps := []struct {
		f       msg.RedoResolvedForward
		want    uint64
		written int
	}{
		{msg.RedoResolvedForward{ResolvedTs: 200, MaintainerEpoch: 1}, 0, 0},   // stale epoch
		{msg.RedoResolvedForward{ResolvedTs: 155, MaintainerEpoch: 2}, 155, 0}, // rises, batch still above
		{msg.RedoResolvedForward{ResolvedTs: 120, MaintainerEpoch: 2}, 155, 0}, // lower: ignored
		{msg.RedoResolvedForward{ResolvedTs: 160, MaintainerEpoch: 3}, 160, 1}, // newer epoch: adopted
		{msg.RedoResolvedForward{ResolvedTs: 900, MaintainerEpoch: 2}, 160, 1}, // now stale
	}
	for i, s := range steps {
		h.mgr.Handle("m2", s.f)
		if g := h.mgr.RedoGlobalTs(); g != s.want || len(h.sink.writes) != s.written {
			t.Fatalf("step %d %+v: redoGlobalTs %d writes %d, want %d, %d", i, s.f, g, len(h.sink.writes), s.want, s.written)
		}
	}
	if id, epoch := h.mgr.Maintainer(); id != "m2" || epoch != 3 {
		t.Fatalf("maintainer %s epoch %d after the newer forward", id, epoch)
	}
	if n := h.reg.Counter(dispatcher.MetricForwardsDropped, metrics.L("node", "n1")).Value(); n != 2 {
		t.Fatalf("dropped forwards %v, want 2", n)
	}
}

// On the maintainer's node the manager raises the redo meta on the
// maintainer's RedoMetaUpdate only, and reports the flushed resolved ts
// every flush-interval when it rose.
func TestManagerRedoMetaLoop(t *testing.T) {
	h := newMgrHarness(t, true)
	h.mgr.Handle("intruder", msg.RedoMetaUpdate{CheckpointTs: 900, ResolvedTs: 900})
	h.mgr.Handle("m", msg.RedoMetaUpdate{CheckpointTs: 150, ResolvedTs: 300})
	h.run(t, 2100*sim.Millisecond)
	ps := received[msg.RedoResolvedProgress](h)
	if len(ps) != 1 || ps[0].ResolvedTs != 300 {
		t.Fatalf("progress %+v, want one report of 300", ps)
	}
	h.run(t, 2*sim.Second)
	if ps = received[msg.RedoResolvedProgress](h); len(ps) != 1 {
		t.Fatalf("progress reported again without a rise: %+v", ps)
	}
	h.mgr.Handle("m", msg.RedoMetaUpdate{CheckpointTs: 200, ResolvedTs: 400})
	h.run(t, 2*sim.Second)
	if ps = received[msg.RedoResolvedProgress](h); len(ps) != 2 || ps[1].ResolvedTs != 400 {
		t.Fatalf("progress %+v, want a second report of 400", ps)
	}
	if c, r := h.meta.FlushedMeta(); c != 200 || r != 400 {
		t.Fatalf("flushed meta %d/%d, want 200/400", c, r)
	}
}

// Actions and ACKs reach their dispatchers; an action without addressees
// goes to every dispatcher of its mode; statuses travel to the maintainer;
// the manager refuses messages that are not its own.
func TestManagerRouting(t *testing.T) {
	h := newMgrHarness(t, false)
	h.mgr.Handle("m", msg.RedoResolvedForward{ResolvedTs: 1000, MaintainerEpoch: 2})
	var ds []*dispatcher.EventDispatcher
	for _, table := range []int64{3, 1, 2} {
		d, _ := h.mgr.AddEventDispatcher(table, startTs, h.sink)
		d.HandleEvents(batch(syncPoint(200)), func() {})
		ds = append(ds, d)
	}
	h.run(t, 10*sim.Millisecond)
	if st := received[msg.BlockStatus](h); len(st) != 3 {
		t.Fatalf("maintainer got %d statuses, want 3", len(st))
	}
	for _, d := range ds {
		h.mgr.Handle("m", msg.BlockAck{Dispatcher: d.ID(), BlockTs: 200, IsSyncPoint: true, Stage: msg.StageWaiting})
		if len(d.Resending()) != 0 {
			t.Fatalf("%s still resends after the ACK", d.ID())
		}
	}
	h.mgr.Handle("m", msg.BlockAction{Action: msg.ActionPass, CommitTs: 200, IsSyncPoint: true, Mode: msg.ModeMain})
	for _, d := range ds {
		if _, _, pending := d.PendingBlock(); pending {
			t.Fatalf("%s did not get the broadcast Pass", d.ID())
		}
	}
	if h.mgr.Handle("m", msg.HeartBeat{}) {
		t.Fatal("the manager took a HeartBeat")
	}
	if got := h.mgr.Tables(); len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Fatalf("tables %v, want sorted", got)
	}
}

// Bad configurations are refused with ErrConfig.
func TestManagerConfig(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{})
	n := node.New(w, "n1", nil)
	bad := []dispatcher.ManagerConfig{
		{},
		{Maintainer: "m", FlushInterval: sim.Millisecond},
		{Maintainer: "m", Meta: &dispatchertest.Meta{}},
		{Maintainer: "m", Dispatcher: dispatcher.Config{BlockResend: -1}},
	}
	for i, cfg := range bad {
		if _, err := dispatcher.NewManager(n, metrics.NewRegistry(), cfg); err == nil {
			t.Errorf("config %d accepted", i)
		}
	}
	mgr, _ := dispatcher.NewManager(n, metrics.NewRegistry(), dispatcher.ManagerConfig{Maintainer: "m"})
	if _, err := mgr.AddRedoDispatcher(1, startTs, &manualSink{}); err == nil {
		t.Error("a redo dispatcher was added with redo off")
	}
}
