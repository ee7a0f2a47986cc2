package eventservice

import (
	"slices"
	"sort"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// Node names of the test worlds.
const (
	captureID   netsim.NodeID = "capture-1"
	collectorID netsim.NodeID = "collector-1"
)

// GiB is a large quota that never limits a scan.
const GiB = 1 << 30

// harness is a small world: a source, a capture node running the service,
// and a collector node that registers dispatchers, reports memory every
// second and feeds what it receives to the checkers.
type harness struct {
	t   testing.TB
	w   *sim.World
	net *netsim.Network
	src Source
	svc *Service
	reg *metrics.Registry

	capture, collector *node.Node

	streams *streamChecker
	quota   *quotaChecker
	window  *windowChecker

	// report is what the collector reports each second; nil sends nothing.
	report func(now sim.Instant) *msg.CongestionControl
	// epochs and regs remember each dispatcher's latest registration.
	regs    map[msg.DispatcherID]msg.RegisterDispatcher
	ids     []msg.DispatcherID // registered, sorted
	batches int
	// received keeps every event when keep is set.
	keep     bool
	received []msg.Event
}

// newHarness builds the world around src (built on w) with cfg.
func newHarness(t testing.TB, w *sim.World, src Source, cfg Config) *harness {
	t.Helper()
	h := &harness{t: t, w: w, src: src, reg: metrics.NewRegistry(), regs: make(map[msg.DispatcherID]msg.RegisterDispatcher)}
	h.net = netsim.New(w, netsim.Config{Default: netsim.LinkConfig{Latency: dist.Const{V: float64(sim.Millisecond)}}})
	h.capture = node.New(w, captureID, h.net)
	h.collector = node.New(w, collectorID, h.net)
	svc, err := New(h.capture, src, h.reg, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.svc = svc
	full := svc.Config()
	h.streams = newStreamChecker()
	h.quota = newQuotaChecker(full.ScanLimitMinBytes)
	h.window = newWindowChecker(full.RateLimitBytesPerSec, full.RateLimitBurstBytes)
	svc.observe = func(o observation) {
		h.quota.observe(o)
		h.window.observe(o)
	}
	h.capture.Handle(func(from netsim.NodeID, m any) {
		h.quota.message(from, m)
		if !svc.Handle(from, m) {
			t.Errorf("service refused %T", m)
		}
	})
	h.collector.Handle(h.receive)
	h.collector.Every(sim.Second, h.sendReport)
	h.report = func(sim.Instant) *msg.CongestionControl { return h.plainReport(GiB, GiB, 0) }
	return h
}

// receive is the collector's handler.
func (h *harness) receive(_ netsim.NodeID, m any) {
	b, ok := m.(msg.EventBatch)
	if !ok {
		h.t.Errorf("collector got %T", m)
		return
	}
	h.batches++
	h.streams.batch(b)
	if h.keep {
		h.received = append(h.received, b.Events...)
	}
}

// plainReport is a v2 report with the same available memory for the
// changefeed and every registered dispatcher.
func (h *harness) plainReport(avail, dispAvail int64, usage float64) *msg.CongestionControl {
	cc := &msg.CongestionControl{Version: 2, Available: avail, UsageRatio: usage}
	for _, id := range h.ids {
		cc.DispatcherAvailable = append(cc.DispatcherAvailable, msg.DispatcherAvailable{Dispatcher: id, Bytes: dispAvail})
	}
	return cc
}

func (h *harness) sendReport() {
	if h.report == nil || len(h.ids) == 0 {
		return
	}
	if cc := h.report(h.w.Now()); cc != nil {
		h.collector.Send(captureID, *cc, 64)
	}
}

// register sends a registration (or a reset, with a higher epoch).
func (h *harness) register(r msg.RegisterDispatcher) {
	r.Collector = collectorID
	h.regs[r.Dispatcher] = r
	if i, ok := slices.BinarySearchFunc(h.ids, r.Dispatcher, compareID); !ok {
		h.ids = slices.Insert(h.ids, i, r.Dispatcher)
	}
	h.streams.expect(r)
	h.collector.Send(captureID, r, 64)
}

// reset re-registers id at the next epoch from startTs.
func (h *harness) reset(id msg.DispatcherID, startTs uint64) {
	r := h.regs[id]
	r.Epoch++
	r.StartTs = startTs
	h.register(r)
}

// remove unregisters id.
func (h *harness) remove(id msg.DispatcherID) {
	delete(h.regs, id)
	if i, ok := slices.BinarySearchFunc(h.ids, id, compareID); ok {
		h.ids = slices.Delete(h.ids, i, i+1)
	}
	h.collector.Send(captureID, msg.RemoveDispatcher{Dispatcher: id}, 64)
}

func compareID(a, b msg.DispatcherID) int {
	switch {
	case a.Less(b):
		return -1
	case b.Less(a):
		return 1
	}
	return 0
}

// run advances the world to instant at.
func (h *harness) run(at sim.Duration) {
	h.t.Helper()
	if err := h.w.Loop.RunUntil(sim.Instant(at)); err != nil {
		h.t.Fatalf("run: %v", err)
	}
}

// check fails the test with every checker error, after the completeness
// check.
func (h *harness) check() {
	h.t.Helper()
	h.streams.complete(h.src)
	for _, r := range []*report{&h.streams.report, &h.quota.report, &h.window.report} {
		for _, e := range r.errs {
			h.t.Error(e)
		}
	}
}

// errors returns every checker error, after the completeness check.
func (h *harness) errors() []string {
	h.streams.complete(h.src)
	var out []string
	out = append(out, h.streams.errs...)
	out = append(out, h.quota.errs...)
	return append(out, h.window.errs...)
}

// newUpstream returns a real upstream on w.
func newUpstream(t testing.TB, w *sim.World, cfg upstream.Config) *upstream.Upstream {
	t.Helper()
	up, err := upstream.New(w, cfg)
	if err != nil {
		t.Fatalf("upstream.New: %v", err)
	}
	return up
}

// dml and ddl are dispatcher ids of table 1.
var (
	mainT1 = msg.DispatcherID{Table: 1, Mode: msg.ModeMain}
	redoT1 = msg.DispatcherID{Table: 1, Mode: msg.ModeRedo}
	mainT2 = msg.DispatcherID{Table: 2, Mode: msg.ModeMain}
)

// fakeSource is a hand-written event store: tests add events at chosen
// commit ts (including exactly on syncpoints, which the real upstream
// never does) and move the resolved ts themselves.
type fakeSource struct {
	resolved   uint64
	tables     map[int64][]upstream.Event
	onResolved []func(uint64)
	onDDL      []func(upstream.DDLEvent)
}

func newFakeSource(resolved uint64) *fakeSource {
	return &fakeSource{resolved: resolved, tables: make(map[int64][]upstream.Event)}
}

// addDML adds a transaction of n rows of rowBytes each on table at commitTs.
func (f *fakeSource) addDML(table int64, commitTs uint64, n int, rowBytes int64) {
	ev := upstream.Event{Table: table, StartTs: commitTs - 1, CommitTs: commitTs, Bytes: int64(n) * rowBytes}
	for i := range n {
		ev.Rows = append(ev.Rows, codec.Row{
			TableID: table, Key: []byte{byte(i)}, Op: codec.OpInsert, StartTs: commitTs - 1, CommitTs: commitTs,
		})
	}
	f.add(ev)
}

// addDDL adds a DDL blocking table at commitTs, also on the table trigger.
func (f *fakeSource) addDDL(table int64, commitTs uint64) {
	ddl := &codec.DDL{StartTs: commitTs - 1, CommitTs: commitTs, Kind: codec.DDLAddColumn, Blocked: []int64{table}}
	for _, id := range []int64{table, msg.TableTrigger} {
		f.add(upstream.Event{Table: id, StartTs: ddl.StartTs, CommitTs: commitTs, DDL: ddl, Bytes: 64})
	}
	for _, fn := range f.onDDL {
		fn(upstream.DDLEvent{DDL: *ddl})
	}
}

func (f *fakeSource) add(ev upstream.Event) {
	evs := f.tables[ev.Table]
	i := sort.Search(len(evs), func(i int) bool { return evs[i].CommitTs > ev.CommitTs })
	f.tables[ev.Table] = slices.Insert(evs, i, ev)
}

// advance moves the resolved ts to ts and notifies.
func (f *fakeSource) advance(ts uint64) {
	if ts <= f.resolved {
		return
	}
	f.resolved = ts
	for _, fn := range f.onResolved {
		fn(ts)
	}
}

func (f *fakeSource) Scan(table int64, afterTs, upToTs uint64, fn func(upstream.Event) bool) {
	for _, ev := range f.tables[table] {
		if ev.CommitTs > afterTs && ev.CommitTs <= upToTs && !fn(ev) {
			return
		}
	}
}

func (f *fakeSource) HasData(table int64, afterTs, upToTs uint64) bool {
	for _, ev := range f.tables[table] {
		if ev.CommitTs > afterTs && ev.CommitTs <= upToTs {
			return true
		}
	}
	return false
}

func (f *fakeSource) ResolvedTs() uint64                  { return f.resolved }
func (f *fakeSource) OnResolved(fn func(uint64))          { f.onResolved = append(f.onResolved, fn) }
func (f *fakeSource) OnDDL(fn func(ev upstream.DDLEvent)) { f.onDDL = append(f.onDDL, fn) }

// ts returns the TSO timestamp at physical second sec (plus ms) of the
// default clock, logical 0.
func ts(sec float64) uint64 {
	return tso.Compose(tso.DefaultStartPhysicalMs+int64(sec*1000), 0)
}
