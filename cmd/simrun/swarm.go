package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/scenarios"
	"github.com/redosim/redosim/scenarios/swarm"
)

// The swarm campaign (make swarm SEEDS=N):
//
//	simrun -swarm -seeds N [-parallel P] [-shard I/N] [-out DIR] [-quiet]
//	simrun -swarm -seed-range A..B ...
//	simrun -swarm -replay FILE        judge a repro by every property, liveness too
//
// World i is scenarios/swarm.Generate(seed i): a changefeed configuration
// and a fault schedule drawn swarm style. Each is judged by every property
// (the invariant catalogue, liveness in liveness mode; every tenth world
// also runs twice more for determinism). A failing world prints SEED= with
// every drawn parameter, shrinks, and leaves a repro file that
// simrun -replay FILE runs again exactly. The summary gives worlds per
// minute, failures by property, liveness, determinism and the coverage
// probes. Exit 1 on any failure, and, for an unsharded campaign of at least
// probesMinWorlds worlds, on a catalogued probe never reached.

// probesMinWorlds is the smallest unsharded campaign judged on coverage.
const probesMinWorlds = 100

// swarmSeedsDefault is the campaign size without -seeds (make swarm's).
const swarmSeedsDefault = 200

// swarmShrinkRuns bounds the shrink of each failing world.
const swarmShrinkRuns = 200

func runSwarm(o *options, stdout, stderr io.Writer) error {
	if o.replay != "" {
		return runSwarmReplay(o.replay, stdout, stderr)
	}
	if o.scenario != "" || len(o.sets) > 0 || o.faults != "" || o.variants != "" || o.duration != "" ||
		o.trace != "" || o.config != "" || o.changefeedConfig != "" {
		return usagef("-swarm draws every world itself: it takes -seeds, -seed-range or -seed, -parallel, -shard, -out and -quiet only")
	}
	if !o.seedSet && o.seeds == 0 && o.seedRange == "" {
		o.seeds = swarmSeedsDefault
	}
	seeds, err := o.seedList()
	if err != nil {
		return err
	}
	shard, shards, err := o.shardOf()
	if err != nil {
		return err
	}
	var mine []uint64
	for i, s := range seeds {
		if i%shards == shard {
			mine = append(mine, s)
		}
	}
	dir := o.out
	if dir == "" {
		dir = filepath.Join("out", "swarm")
	}
	fmt.Fprintf(stdout, "swarm: %d worlds (shard %d/%d), %d at a time, repro files in %s\n",
		len(mine), shard, shards, o.parallel, dir)
	prog := newProgress(stderr, len(mine), o.quiet)
	sum, worlds := swarm.RunCampaign(swarm.CampaignConfig{Seeds: mine, Parallel: o.parallel, DeterminismEvery: 10,
		ShrinkRuns: swarmShrinkRuns, ReproDir: dir,
		OnDone: func(r *swarm.WorldResult) {
			prog.done(&worldRun{outcome: r.Verdict.Outcome})
			if r.Failed() {
				swarm.PrintFailure(stdout, r)
			}
		}})
	prog.finish()
	swarm.PrintSummary(stdout, sum)
	if o.out != "" {
		if err := writeSwarmResults(o, mine, worlds, stdout); err != nil {
			return err
		}
	}
	if sum.Failed() {
		return &violationError{msg: fmt.Sprintf("%d of %d worlds broke a property; replay each with simrun -replay FILE (files in %s)",
			len(sum.FailedSeeds), sum.Worlds, dir)}
	}
	if _, required := sum.ProbesMissing(); len(required) > 0 {
		if shards == 1 && sum.Worlds >= probesMinWorlds {
			return &violationError{msg: fmt.Sprintf("probes never reached in %d worlds: %v", sum.Worlds, required)}
		}
		fmt.Fprintf(stderr, "simrun: note: probes not reached (a sharded or short campaign is not judged on coverage): %v\n", required)
	}
	return nil
}

// swarmScenario names a swarm campaign's results: generated syncpoint
// worlds, one per seed, grouped by their scan window.
const swarmScenario = "swarm"

// writeSwarmResults writes this shard's worlds, failing or not, with
// every property judged, so that `simrun report` merges the shards of a
// campaign into the report of the whole.
func writeSwarmResults(o *options, seeds []uint64, worlds []*swarm.WorldResult, stdout io.Writer) error {
	sc, err := scenarios.Lookup(swarm.ScenarioName)
	if err != nil {
		return err
	}
	run := &results.Run{Scenario: swarmScenario, Variants: sc.VariantNames(), Seeds: seeds, Metrics: sc.Metrics,
		Description: "A swarm campaign: every seed generates a " + swarm.ScenarioName + " world (configuration and fault schedule drawn swarm style) " +
			"judged by every property: the invariant catalogue, liveness after faults (swarm/liveness, liveness-mode worlds) and, " +
			"for every tenth world of a shard, determinism (swarm/determinism, listed only when it failed). Variants are the worlds' scan windows; " +
			"each world's drawn parameters are in its replay command.",
		Command: campaignCommand(o.args)}
	for _, r := range worlds {
		if r.Verdict.Outcome == nil {
			continue
		}
		w := withoutDispatcherSeries(r.Verdict.Outcome.World)
		if o.output.dispatcherSeries {
			c := *r.Verdict.Outcome.World
			w = &c
		}
		w.Scenario = swarmScenario
		// The world's own liveness row is the swarm's liveness property,
		// which swarmProperties writes with the overload excuse applied.
		w.Invariants = slices.DeleteFunc(slices.Clone(w.Invariants), func(inv results.Invariant) bool { return inv.Name == cluster.InvLiveness })
		w.Invariants = append(w.Invariants, swarmProperties(r)...)
		w.Probes = nil
		for _, name := range sortedKeys(r.Verdict.Probes) {
			w.Probes = append(w.Probes, results.Probe{Name: name, Count: r.Verdict.Probes[name]})
		}
		if err := results.WriteWorld(o.out, w); err != nil {
			return err
		}
	}
	if err := results.WriteRun(o.out, run); err != nil {
		return err
	}
	if err := renderReport(o.out, o.output, progressTo(stdout, o.quiet)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "results and report in %s (open %s; merge shards with simrun report -out DIR SHARD...)\n", o.out, filepath.Join(o.out, "index.html"))
	return nil
}

// swarmProperties are the swarm's judgements beyond the invariants, as
// invariant rows: liveness when judged, the world's run and determinism
// when they failed.
func swarmProperties(r *swarm.WorldResult) []results.Invariant {
	var out []results.Invariant
	v := r.Verdict
	if v.Liveness.Judged {
		// An overloaded world is excused: its fault-free twin cannot keep
		// up either (swarm.Liveness.Overloaded).
		inv := results.Invariant{Name: "swarm/" + swarm.PropLiveness, Held: v.Liveness.Held || v.Liveness.Overloaded}
		if !inv.Held {
			inv.Violations = 1
			inv.First = &results.Violation{At: v.Liveness.From, Detail: v.Liveness.Detail}
		}
		out = append(out, inv)
	}
	for _, f := range v.Failures {
		if f.Property == swarm.PropLiveness || strings.HasPrefix(f.Property, swarm.PropInvariantPrefix) {
			continue
		}
		out = append(out, results.Invariant{Name: "swarm/" + f.Property, Violations: 1,
			First: &results.Violation{At: f.At, Detail: f.Detail}})
	}
	return out
}

// runSwarmReplay judges a repro file by every swarm property.
func runSwarmReplay(path string, stdout, stderr io.Writer) error {
	if _, err := os.Stat(path); err != nil {
		return usagef("-replay: %v", err)
	}
	start := time.Now()
	v, rp, err := swarm.Replay(path)
	if err != nil {
		return usagef("-replay %s: %v", path, err)
	}
	if v.Outcome != nil {
		v.Outcome.World.WallSeconds = time.Since(start).Seconds()
		printWorldLine(stdout, v.Outcome.World)
		if rp.TraceHash != "" && rp.TraceHash != v.Outcome.World.TraceHash {
			fmt.Fprintf(stderr, "simrun: replay ended with trace hash %s, the recorded run with %s: the code or the build changed\n",
				v.Outcome.World.TraceHash, rp.TraceHash)
		}
	}
	if v.Held() {
		fmt.Fprintln(stdout, "every property held")
		return nil
	}
	for _, f := range v.Failures {
		fmt.Fprintf(stderr, "FAILED %s\n", f)
	}
	return &violationError{msg: "the replayed world broke a property"}
}
