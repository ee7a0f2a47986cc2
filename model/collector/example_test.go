package collector_test

import (
	"fmt"

	"github.com/redosim/redosim/model/collector"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// printer is a dispatcher that prints its batches and flushes each one
// 2 s later.
type printer struct{ w *sim.World }

func (p printer) HandleEvents(events []msg.Event, wake func()) bool {
	fmt.Println(p.w.Now(), "handed", len(events), "event(s), first", events[0].Kind)
	if events[0].Kind == msg.EventHandshake {
		return false
	}
	p.w.Loop.After(2*sim.Second, wake)
	return true
}

func (p printer) CheckpointTs() uint64 { return 100 }

// A collector with a redo area registers a redo dispatcher, queues a
// batch, hands it out and reports its memory to the event service.
func Example() {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	net := netsim.New(w, netsim.Config{})
	n := node.New(w, "capture-1", net)
	c, err := collector.New(n, nil, collector.Config{
		MainQuotaBytes: 64 * collector.KiB,
		RedoQuotaBytes: 64 * collector.KiB,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	n.Handle(func(from netsim.NodeID, m any) { c.Handle(from, m) })
	es := node.New(w, "es-1", net)
	es.Handle(func(_ netsim.NodeID, m any) {
		if cc, ok := m.(msg.CongestionControl); ok {
			fmt.Println(w.Now(), "report: available", cc.Available, "usage", cc.UsageRatio)
		}
	})
	id := msg.DispatcherID{Table: 1, Mode: msg.ModeRedo}
	c.AddDispatcher(id, printer{w}, "es-1", 100, 0)
	c.Handle("es-1", msg.EventBatch{Events: []msg.Event{
		{Kind: msg.EventHandshake, Dispatcher: id, Epoch: 1, Seq: 1, CommitTs: 100, Bytes: 64},
		{Kind: msg.EventDML, Dispatcher: id, Epoch: 1, Seq: 2, CommitTs: 110, Bytes: 8 << 10},
	}})
	if err := w.Loop.RunUntil(sim.Instant(50 * sim.Millisecond)); err != nil {
		fmt.Println(err)
	}
	// The path is blocked until the flush: these two wait, accounted.
	c.Handle("es-1", msg.EventBatch{Events: []msg.Event{
		{Kind: msg.EventDML, Dispatcher: id, Epoch: 1, Seq: 3, CommitTs: 120, Bytes: 8 << 10},
		{Kind: msg.EventDML, Dispatcher: id, Epoch: 1, Seq: 4, CommitTs: 130, Bytes: 16 << 10},
	}})
	_, redo := c.Usage()
	fmt.Println("queued:", redo.UsedBytes, "bytes of", redo.QuotaBytes)
	if err := w.Loop.RunUntil(sim.Instant(2500 * sim.Millisecond)); err != nil {
		fmt.Println(err)
	}
	// Output:
	// t+1µs handed 1 event(s), first handshake
	// t+2µs handed 1 event(s), first dml
	// queued: 24576 bytes of 65536
	// t+1s report: available 40960 usage 0.375
	// t+2s report: available 40960 usage 0.375
	// t+2.000003s handed 2 event(s), first dml
}
