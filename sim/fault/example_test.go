package fault_test

import (
	"fmt"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/fault"
)

// Example arms two fault points in a world, lets a toy disk model evaluate
// them, and prints what fired and the report a test would check.
func Example() {
	w := sim.NewWorld(sim.WorldConfig{Seed: 42})
	plan, err := fault.Parse("sim/disk/fsyncEIO@2s=EIO;engine/writer/beforeFsync#3;node.crash:n2@3m")
	if err != nil {
		panic(err)
	}
	inj, err := fault.Install(w, plan)
	if err != nil {
		panic(err)
	}
	w.Loop.Every(sim.Second, func() { // a writer that flushes every second
		if _, ok := w.Fire("engine/writer/beforeFsync"); ok {
			fmt.Println(w.Now(), "writer: crash before fsync")
		}
		if v, ok := w.Fire("sim/disk/fsyncEIO"); ok {
			fmt.Println(w.Now(), "disk: fsync fails with", v)
		}
	})
	if err := w.Loop.RunUntil(sim.Instant(5 * sim.Second)); err != nil {
		panic(err)
	}
	for _, c := range inj.Fired() {
		fmt.Println(c)
	}
	for _, a := range plan.Actions() {
		fmt.Println("scheduled:", a.Name, a.Target, "at", a.From)
	}
	fmt.Println("unfired:", inj.CheckFired())
	// Output:
	// t+2s disk: fsync fails with EIO
	// t+3s writer: crash before fsync
	// engine/writer/beforeFsync evals=5 fires=1
	// sim/disk/fsyncEIO evals=5 fires=1
	// scheduled: node.crash n2 at t+3m0s
	// unfired: <nil>
}

// ExampleParse shows the plan syntax and its canonical form.
func ExampleParse() {
	p, err := fault.Parse("sim/net/drop@60s..90s*0.1; net.partition:n1|n2,n3@2m..")
	if err != nil {
		panic(err)
	}
	fmt.Println(p)
	_, err = fault.Parse("sim/net/drop@1m..1x")
	fmt.Println(err)
	// Output:
	// sim/net/drop@1m0s..1m30s*0.1;net.partition:n1|n2,n3@2m0s..
	// sim/fault: plan entry 1 "sim/net/drop@1m..1x": bad time "1x": want a duration >= 0 such as 2s or 1m30s
}

// ExampleSwarm draws a plan from a seed: each kind is on or off with
// probability 1/2, then the enabled kinds draw their entries.
func ExampleSwarm() {
	kinds := []fault.SwarmKind{
		{Name: "sim/disk/fsyncEIO", Values: []string{"EIO"}},
		{Name: "sim/net/drop", EntriesMax: 2},
		{Name: "node.crash", Targets: []string{"n1", "n2", "n3"}},
		{Name: "net.partition", Targets: []string{"n1|n2,n3"}, Span: true},
	}
	for _, seed := range []uint64{5, 7} {
		w := sim.NewWorld(sim.WorldConfig{Seed: seed})
		plan, err := fault.Swarm(w.Rand("fault/swarm"), kinds, 10*sim.Minute)
		if err != nil {
			panic(err)
		}
		fmt.Printf("seed %d: %s\n", seed, plan)
	}
	// Output:
	// seed 5: sim/disk/fsyncEIO#35=EIO;sim/net/drop@6m55.358s..8m25.453s*0.1;sim/net/drop@6m40.64s;net.partition:n1|n2,n3@5m55.214s..6m6.41s
	// seed 7: sim/disk/fsyncEIO#9=EIO
}
