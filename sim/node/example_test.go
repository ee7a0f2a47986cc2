package node_test

import (
	"fmt"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/node"
)

// A node heartbeats every 10ms. It crashes at 25ms, which kills the
// heartbeat, and restarts at 40ms, when its restart hook starts a new one.
func Example() {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	n := node.New(w, "capture-1", nil)
	start := func() {
		inc := n.Incarnation()
		n.Every(10*sim.Millisecond, func() { fmt.Println(w.Now(), "heartbeat of incarnation", inc) })
	}
	start()
	n.OnCrash(func() { fmt.Println(w.Now(), "crashed; next incarnation", n.Incarnation()) })
	n.OnRestart(start)
	w.Loop.At(sim.Instant(25*sim.Millisecond), n.Crash)
	w.Loop.At(sim.Instant(40*sim.Millisecond), n.Restart)
	if err := w.Loop.RunUntil(sim.Instant(60 * sim.Millisecond)); err != nil {
		fmt.Println(err)
	}
	// Output:
	// t+10ms heartbeat of incarnation 1
	// t+20ms heartbeat of incarnation 1
	// t+25ms crashed; next incarnation 2
	// t+50ms heartbeat of incarnation 2
	// t+60ms heartbeat of incarnation 2
}
