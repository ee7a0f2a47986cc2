package collector

import (
	"testing"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// Node names of the test worlds.
const (
	captureNode netsim.NodeID = "capture-1"
	serviceNode netsim.NodeID = "es-1"
)

// linkLatency is the one-way latency of every test link.
const linkLatency = sim.Millisecond

// newTestNet returns a world and a network whose links all take exactly
// linkLatency, with no loss and no bandwidth bound.
func newTestNet(seed uint64) (*sim.World, *netsim.Network) {
	w := sim.NewWorld(sim.WorldConfig{Seed: seed})
	net := netsim.New(w, netsim.Config{Default: netsim.LinkConfig{Latency: dist.Const{V: float64(linkLatency)}}})
	return w, net
}

// rig is a collector on captureNode with a recording event service node:
// tests push events straight into Handle and read what the collector sent.
type rig struct {
	t   *testing.T
	w   *sim.World
	net *netsim.Network
	n   *node.Node
	c   *Collector
	// sent holds the messages serviceNode received, in order.
	sent []any
}

func newRig(t *testing.T, cfg Config) *rig {
	t.Helper()
	w, net := newTestNet(1)
	r := &rig{t: t, w: w, net: net, n: node.New(w, captureNode, net)}
	svc := node.New(w, serviceNode, net)
	svc.Handle(func(_ netsim.NodeID, m any) { r.sent = append(r.sent, m) })
	c, err := New(r.n, nil, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	r.c = c
	r.n.Handle(func(from netsim.NodeID, m any) { c.Handle(from, m) })
	return r
}

// push hands events to the collector as one batch from serviceNode.
func (r *rig) push(events ...msg.Event) {
	r.t.Helper()
	if !r.c.Handle(serviceNode, msg.EventBatch{Events: events}) {
		r.t.Fatalf("Handle refused an EventBatch")
	}
}

// run advances the world by d.
func (r *rig) run(d sim.Duration) {
	r.t.Helper()
	if err := r.w.Loop.RunUntil(r.w.Now().Add(d)); err != nil {
		r.t.Fatalf("run: %v", err)
	}
}

// registers returns the RegisterDispatcher messages serviceNode got.
func (r *rig) registers() []msg.RegisterDispatcher {
	var out []msg.RegisterDispatcher
	for _, m := range r.sent {
		if reg, ok := m.(msg.RegisterDispatcher); ok {
			out = append(out, reg)
		}
	}
	return out
}

// congestions returns the CongestionControl messages serviceNode got.
func (r *rig) congestions() []msg.CongestionControl {
	var out []msg.CongestionControl
	for _, m := range r.sent {
		if cc, ok := m.(msg.CongestionControl); ok {
			out = append(out, cc)
		}
	}
	return out
}

// checkAccounting fails the test when the collector's accounting does not
// add up.
func (r *rig) checkAccounting() {
	r.t.Helper()
	if err := r.c.CheckAccounting(); err != nil {
		r.t.Fatal(err)
	}
}

// Dispatcher ids used by the tests.
var (
	t1 = msg.DispatcherID{Table: 1, Mode: msg.ModeMain}
	t2 = msg.DispatcherID{Table: 2, Mode: msg.ModeMain}
	t3 = msg.DispatcherID{Table: 3, Mode: msg.ModeMain}
	r1 = msg.DispatcherID{Table: 1, Mode: msg.ModeRedo}
)

// Event constructors: epoch, seq, commit ts and accounted bytes.
func hs(id msg.DispatcherID, epoch, ts uint64) msg.Event {
	return msg.Event{Kind: msg.EventHandshake, Dispatcher: id, Epoch: epoch, Seq: 1, CommitTs: ts, Bytes: 64}
}

func dml(id msg.DispatcherID, epoch, seq, ts uint64, bytes int64) msg.Event {
	return msg.Event{Kind: msg.EventDML, Dispatcher: id, Epoch: epoch, Seq: seq, CommitTs: ts, StartTs: ts - 1, Bytes: bytes}
}

func ddl(id msg.DispatcherID, epoch, seq, ts uint64) msg.Event {
	return msg.Event{Kind: msg.EventDDL, Dispatcher: id, Epoch: epoch, Seq: seq, CommitTs: ts, Bytes: 200}
}

func syncPoint(id msg.DispatcherID, epoch, seq, ts uint64) msg.Event {
	return msg.Event{Kind: msg.EventSyncPoint, Dispatcher: id, Epoch: epoch, Seq: seq, CommitTs: ts, Bytes: 40}
}

func resolved(id msg.DispatcherID, epoch, seq, ts uint64) msg.Event {
	return msg.Event{Kind: msg.EventResolved, Dispatcher: id, Epoch: epoch, Seq: seq, CommitTs: ts, Bytes: 24}
}

// scriptDispatcher records batches and answers block per a policy; the
// test wakes it by hand through wakes.
type scriptDispatcher struct {
	batches    [][]msg.Event
	wakes      []func()
	block      func(events []msg.Event) bool // nil: block on any DML, DDL or syncpoint
	checkpoint uint64
	skipAtSP   bool
	onHandle   func(events []msg.Event, wake func())
}

func (d *scriptDispatcher) HandleEvents(events []msg.Event, wake func()) bool {
	d.batches = append(d.batches, events)
	d.wakes = append(d.wakes, wake)
	if d.onHandle != nil {
		d.onHandle(events, wake)
	}
	if d.block != nil {
		return d.block(events)
	}
	return hasData(events)
}

func (d *scriptDispatcher) CheckpointTs() uint64 { return d.checkpoint }

// SkipSyncPointAtStartTs implements SyncPointSkipper.
func (d *scriptDispatcher) SkipSyncPointAtStartTs() bool { return d.skipAtSP }

// wakeLast calls the wake of the last batch.
func (d *scriptDispatcher) wakeLast() { d.wakes[len(d.wakes)-1]() }

// events returns every event handed out, in order.
func (d *scriptDispatcher) events() []msg.Event {
	var out []msg.Event
	for _, b := range d.batches {
		out = append(out, b...)
	}
	return out
}

// hasData reports whether events hold a DML, DDL or syncpoint.
func hasData(events []msg.Event) bool {
	for i := range events {
		if k := events[i].Kind; k == msg.EventDML || k.Blocking() {
			return true
		}
	}
	return false
}

// kinds returns the kinds of events, for compact comparisons.
func kinds(events []msg.Event) []msg.EventKind {
	out := make([]msg.EventKind, len(events))
	for i := range events {
		out[i] = events[i].Kind
	}
	return out
}
