package maintainer_test

import (
	"fmt"

	"github.com/redosim/redosim/model/dispatcher/dispatchertest"
	"github.com/redosim/redosim/sim"
)

// A small world with redo on: three tables on two nodes, a syncpoint
// every two seconds, writes for five seconds. The maintainer's checkpoint
// catches up with the last resolved ts, every syncpoint is written once and
// nothing reached the sink above redoGlobalTs.
func Example() {
	tw, err := dispatchertest.NewWorld(dispatchertest.WorldConfig{
		Seed: 1, Nodes: 2, Tables: 3, RedoEnabled: true,
		Gen: dispatchertest.GenConfig{SyncPointEvery: 2 * sim.Second, Until: sim.Instant(5 * sim.Second)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := tw.Run(sim.Instant(20 * sim.Second)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("checkpoint reached the last resolved ts:", tw.Maintainer.CheckpointTs() == tw.Gen.LastResolved)
	fmt.Println("syncpoints:", len(tw.Gen.SyncPoints), "violations:", tw.Check.Count(), "drained:", tw.Drained() == nil)
	// Output:
	// checkpoint reached the last resolved ts: true
	// syncpoints: 2 violations: 0 drained: true
}
