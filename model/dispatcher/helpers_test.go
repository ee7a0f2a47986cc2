package dispatcher_test

import (
	"strings"
	"testing"

	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/node"
)

// manualSink holds every write until the test flushes it.
type manualSink struct {
	writes []manualWrite
}

type manualWrite struct {
	d      msg.DispatcherID
	events []msg.Event
	block  bool
	done   func()
	fired  bool
}

func (s *manualSink) WriteDML(d msg.DispatcherID, events []msg.Event, done func()) {
	s.writes = append(s.writes, manualWrite{d: d, events: events, done: done})
}

func (s *manualSink) WriteBlock(d msg.DispatcherID, ev msg.Event, done func()) {
	s.writes = append(s.writes, manualWrite{d: d, events: []msg.Event{ev}, block: true, done: done})
}

// flush flushes write i.
func (s *manualSink) flush(t *testing.T, i int) {
	t.Helper()
	if i >= len(s.writes) || s.writes[i].fired {
		t.Fatalf("flush of write %d: have %d writes", i, len(s.writes))
	}
	s.writes[i].fired = true
	s.writes[i].done()
}

// recorder is a Reporter that keeps the statuses.
type recorder struct {
	statuses []msg.BlockStatus
}

func (r *recorder) ReportBlockStatus(s msg.BlockStatus) { r.statuses = append(r.statuses, s) }

func (r *recorder) last(t *testing.T) msg.BlockStatus {
	t.Helper()
	if len(r.statuses) == 0 {
		t.Fatal("no status reported")
	}
	return r.statuses[len(r.statuses)-1]
}

// harness is one dispatcher on one node with a manual sink.
type harness struct {
	w     *sim.World
	n     *node.Node
	sink  *manualSink
	rep   *recorder
	fence *dispatcher.RedoGlobalTs
	reg   *metrics.Registry
	met   *dispatcher.Metrics
	wakes int
}

const startTs = 100

func newHarness() *harness {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	reg := metrics.NewRegistry()
	return &harness{w: w, n: node.New(w, "n1", nil), sink: &manualSink{}, rep: &recorder{}, fence: &dispatcher.RedoGlobalTs{},
		reg: reg, met: dispatcher.NewMetrics(reg, "n1")}
}

func (h *harness) deps(table int64, mode msg.Mode) dispatcher.Deps {
	return dispatcher.Deps{ID: msg.DispatcherID{Table: table, Mode: mode}, StartTs: startTs, Sink: h.sink, Reporter: h.rep, Fence: h.fence, Metrics: h.met}
}

func (h *harness) event(t *testing.T, table int64, cfg dispatcher.Config) *dispatcher.EventDispatcher {
	t.Helper()
	d, err := dispatcher.NewEventDispatcher(h.n, cfg, h.deps(table, msg.ModeMain))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (h *harness) redo(t *testing.T, table int64) *dispatcher.RedoDispatcher {
	t.Helper()
	d, err := dispatcher.NewRedoDispatcher(h.n, dispatcher.Config{RedoEnabled: true}, h.deps(table, msg.ModeRedo))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (h *harness) wake() { h.wakes++ }

func (h *harness) run(t *testing.T, d sim.Duration) {
	t.Helper()
	if err := h.w.Loop.RunUntil(h.w.Now().Add(d)); err != nil {
		t.Fatal(err)
	}
}

func dml(ts uint64) msg.Event      { return msg.Event{Kind: msg.EventDML, CommitTs: ts, StartTs: ts - 1} }
func resolved(ts uint64) msg.Event { return msg.Event{Kind: msg.EventResolved, CommitTs: ts} }
func syncPoint(ts uint64) msg.Event {
	return msg.Event{Kind: msg.EventSyncPoint, CommitTs: ts}
}
func batch(evs ...msg.Event) []msg.Event { return evs }

// mustPanic runs fn and checks it panics with a message containing want.
func mustPanic(t *testing.T, want string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one containing %q", want)
		}
		if s, _ := r.(string); !strings.Contains(s, want) {
			t.Fatalf("panic %v, want one containing %q", r, want)
		}
	}()
	fn()
}

// waitHist returns the fence wait histogram the harness's dispatchers share.
func waitHist(h *harness, _ *dispatcher.EventDispatcher) *metrics.Histogram {
	return h.reg.Histogram(dispatcher.MetricFenceWait, metrics.L("node", "n1"))
}
