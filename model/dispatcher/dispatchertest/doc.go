// Package dispatchertest holds test helpers for model/dispatcher and
// model/maintainer: a fake sink with drawn latencies, a fake redo meta, a
// fake event collector (Driver) that feeds dispatchers batches and honours
// block/wake, a stream generator that follows TiCDC's per-dispatcher event
// order, a World that wires managers, a maintainer and all of these on a
// simulated network, and the checkers of the invariants these packages
// promise (redo-before-sink, monotonic progress, the syncpoint barrier).
//
// Usage:
//
//	tw, err := dispatchertest.NewWorld(dispatchertest.WorldConfig{
//		Seed: 1, Nodes: 2, Tables: 2, RedoEnabled: true,
//		Gen: dispatchertest.GenConfig{SyncPointEvery: 2 * sim.Second, Until: sim.Instant(10 * sim.Second)},
//	})
//	...
//	err = tw.Run(sim.Instant(20 * sim.Second))
//	if v := tw.Check.Violations(); len(v) > 0 { t.Fatal(v) }
//
// Everything runs on the world's loop; randomness comes from the world's
// named streams only.
package dispatchertest
