package dispatcher_test

import (
	"fmt"

	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/node"
)

// printSink prints what it is asked to write and flushes 10 ms later.
type printSink struct{ w *sim.World }

func (s printSink) WriteDML(d msg.DispatcherID, evs []msg.Event, done func()) {
	fmt.Printf("%v write %d DMLs up to %d\n", s.w.Now(), len(evs), evs[len(evs)-1].CommitTs)
	s.w.Loop.After(10*sim.Millisecond, done)
}

func (s printSink) WriteBlock(d msg.DispatcherID, ev msg.Event, done func()) {
	s.w.Loop.After(10*sim.Millisecond, done)
}

type noReports struct{}

func (noReports) ReportBlockStatus(msg.BlockStatus) {}

// An event dispatcher behind the redo fence: the batch waits in the cache
// until redoGlobalTs reaches its last commitTs, then is written; the path
// is woken when the write is flushed.
func Example() {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	n := node.New(w, "n1", nil)
	var fence dispatcher.RedoGlobalTs
	d, err := dispatcher.NewEventDispatcher(n, dispatcher.Config{RedoEnabled: true}, dispatcher.Deps{
		ID: msg.DispatcherID{Table: 1, Mode: msg.ModeMain}, StartTs: 100,
		Sink: printSink{w}, Reporter: noReports{}, Fence: &fence,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	wake := func() { fmt.Println(w.Now(), "woken; checkpoint", d.CheckpointTs()) }
	batch := []msg.Event{{Kind: msg.EventDML, CommitTs: 110}, {Kind: msg.EventResolved, CommitTs: 120}}
	fmt.Println("blocked:", d.HandleEvents(batch, wake), "cached:", d.Cached())
	w.Loop.After(sim.Second, func() {
		fence.Advance(120) // the manager does this on RedoResolvedForward
		d.HandleCacheEvents()
	})
	if err := w.Loop.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// blocked: true cached: 2
	// t+1s write 1 DMLs up to 110
	// t+1.01s woken; checkpoint 120
}
