// Package fault decides, inside one simulated world, when the world's
// fault points fire, and carries each firing through
// github.com/pingcap/failpoint.
//
// Engine, model and sim code name fault points with structured strings
// ("engine/writer/beforeFsync", "sim/disk/fsyncEIO") and ask
// sim.World.Fire(point) at each one. The world's decider is an Injector
// built from a Plan: a list of entries parsed from, and printed as, one
// string that appears in the replay command, e.g.
//
//	sim/disk/fsyncEIO@2s=EIO;sim/net/drop@1m..1m30s*0.1;node.crash:n2@3m;engine/writer/beforeFsync#3
//
// (grammar at Parse). Entries whose name has a '/' are fault points the
// Injector evaluates; the others are scheduled actions (node.crash,
// net.partition) that the scenario layer performs on the loop
// (Plan.Actions). Swarm draws a plan from a seed. Catalogue documents
// every name a plan may use.
//
// Why a seed replays, and why worlds running at once stay apart: the
// Injector alone decides, from the plan, the world's clock and the world's
// stream "fault/<point>"; failpoint's global registry only holds the names,
// enabled with the constant, stateless TransportTerm. Failpoint terms that
// draw their own randomness or keep counts would couple worlds through
// that global registry, so ValidateTerm rejects them. See Injector.
//
// Usage:
//
//	plan, err := fault.Parse("sim/disk/fsyncEIO@2s=EIO;engine/writer/beforeFsync#3")
//	inj, err := fault.Install(w, plan) // w.Faults = inj
//	// in the disk model:
//	if v, ok := w.Fire("sim/disk/fsyncEIO"); ok { return errnoFor(v) }
//	// after the run, in a test:
//	if err := inj.CheckFired(); err != nil { t.Fatal(err) }
package fault
