// Package swarm is the harness's property-based CI: it generates random
// changefeed worlds (a configuration of the syncpoint scenario and a fault
// schedule), runs them, and judges them by properties. A failing world
// shrinks to a smaller one that still fails and comes back as a repro file
// and the one simrun -replay command that runs it again exactly.
//
// Generators (Generate, GenWorld). One seed draws a World: nodes, tables,
// load and skew, slow tables, latencies, quotas, flush and meta intervals,
// rotation size, scan window (the variant), fence, redo storage (disk or
// object store), flush policy, syncpoints; then, swarm style, which fault
// kinds are on at all (Kinds: fsync EIO, ENOSPC, disk stalls, power loss
// with torn writes, object-store failures, throttling and slowness,
// network delay and partitions, node crashes with restarts, failed engine
// ops), and only then their entries, each with a virtual time inside the
// fault phase. A fault that fails a redo engine for good ends the phase
// with a restart of every node (TiCDC's owner restarting a failed
// changefeed), and the world runs on fault-free for LivenessBound and more.
// GenWorld keeps Shrinker, which offers Candidates: drop faults, halve
// nodes, tables, rows, durations and windows, put knobs back to plain.
//
// Properties (Check). Every invariant of the changefeed world's catalogue
// holds (redo-before-sink, monotonic, ordering, syncpoint-barrier,
// syncpoint-completeness, no-loss, memory, disaster with parallel replay
// == serial replay, durable-ack, and never-evaluated: every invariant the
// world's configuration exercises was evaluated); in liveness mode
// the checkpoint and the redo resolved ts advance again within
// LivenessBound once the last fault is over (JudgeLiveness); two runs of a
// world end with one trace hash, else the first diverging event is named
// (CheckDeterminism). Crash-state enumeration of the engine itself lives in
// engine/core (crash_enum_test.go).
//
// Coverage probes (Probes). Rare situations counted per world through
// sim.World.Probe at their code sites, plus two derived from results; a
// campaign fails when a catalogued probe was never reached.
//
// Planted bugs (PlantedBugs) each name the property that catches them, and
// KnownIssues keeps the open findings as small documented worlds.
//
// Usage:
//
//	w := swarm.Generate(42)
//	v := swarm.Check(w)
//	if !v.Held() {
//		small, runs := swarm.Shrink(v, swarm.ShrinkOptions{})
//		path, _ := swarm.WriteRepro("out", swarm.ReproFileName(42, true), swarm.NewRepro(small))
//		fmt.Println(swarm.ShrinkReport(w, small.World, runs), swarm.ReplayCommand(path))
//	}
//
// simrun -swarm -seeds N runs a campaign (RunCampaign) on all cores.
package swarm
