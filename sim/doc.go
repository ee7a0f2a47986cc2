// Package sim is the world's physics kernel: virtual time (Instant,
// Duration), a discrete-event Loop ordered by (time, sequence), random
// streams split by name from one seed (Streams), and the Trace whose
// rolling hash proves a world replays exactly. A World bundles them with
// the world's fault decider.
//
// Determinism rules hold everywhere inside a world (internal/rules checks
// them): no wall clock, no global randomness, no goroutines, no dependence
// on map iteration order. Parallelism is many worlds at once, one per
// goroutine; they share nothing.
//
// The subpackages are the rest of the physics: dist (distributions), disk
// (a crashable file system with fsyncgate semantics and a timed device),
// objstore, netsim, node (crash and restart), fault (fault points and
// plans), metrics and check (invariant checkers).
//
// Usage:
//
//	w := sim.NewWorld(sim.WorldConfig{Seed: 7})
//	r := w.Rand("model/upstream")
//	w.Loop.Every(100*sim.Millisecond, func() { w.Record("tick", "a", r.Uint64()) })
//	w.Loop.RunUntil(sim.Instant(10 * sim.Second))
//	fmt.Println(w.Trace.HashString()) // the same for every run of seed 7
package sim
