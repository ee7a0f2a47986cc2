package eventservice_test

import (
	"fmt"

	"github.com/redosim/redosim/model/eventservice"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// A collector registers the redo dispatcher of table 1 with a 2 s
// syncpoint interval and reports 1 GiB of free memory every second; the
// event service streams the table's transactions to it, a syncpoint at
// every 2 s boundary, closed by resolved ts.
func Example() {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	net := netsim.New(w, netsim.DefaultConfig())
	up, err := upstream.New(w, upstream.Config{Tables: 2, RowsPerSecond: 200, DDLPerMinute: -1})
	if err != nil {
		fmt.Println(err)
		return
	}
	capture := node.New(w, "capture-1", net)
	collector := node.New(w, "collector-1", net)
	es, err := eventservice.New(capture, up, metrics.NewRegistry(), eventservice.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	capture.Handle(func(from netsim.NodeID, m any) { es.Handle(from, m) })

	id := msg.DispatcherID{Table: 1, Mode: msg.ModeRedo}
	kinds := map[msg.EventKind]int{}
	var resolved uint64
	collector.Handle(func(_ netsim.NodeID, m any) {
		for _, e := range m.(msg.EventBatch).Events {
			kinds[e.Kind]++
			if e.Kind == msg.EventResolved {
				resolved = e.CommitTs
			}
		}
	})
	collector.Send("capture-1", msg.RegisterDispatcher{
		Dispatcher: id, Epoch: 1, StartTs: up.ResolvedTs(), Collector: "collector-1",
		SyncPointIntervalSec: 2, SkipSyncPointAtStart: true,
	}, 64)
	collector.Every(sim.Second, func() {
		collector.Send("capture-1", msg.CongestionControl{Version: 2, Available: 1 << 30,
			DispatcherAvailable: []msg.DispatcherAvailable{{Dispatcher: id, Bytes: 1 << 30}}}, 64)
	})
	up.Start()
	if err := w.Loop.RunUntil(sim.Instant(10 * sim.Second)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("handshakes:", kinds[msg.EventHandshake], "syncpoints:", kinds[msg.EventSyncPoint])
	fmt.Println("has rows:", kinds[msg.EventDML] > 0, "resolved lag:", up.Clock().InstantOf(up.ResolvedTs()).Sub(up.Clock().InstantOf(resolved)))
	// Output:
	// handshakes: 1 syncpoints: 4
	// has rows: true resolved lag: 1s
}
