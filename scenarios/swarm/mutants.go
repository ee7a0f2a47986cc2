package swarm

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/scenarios"
	"github.com/redosim/redosim/sim"
)

// The mutation harness: each mutant of model/cluster's catalogue
// (cluster.Mutants) is armed alone in a fixed set of worlds, and what the
// checkers say is compared with the same worlds unmutated. A mutant is
// caught by a checker in a world when that checker (an invariant, or
// liveness) fails there with the mutant and holds without it; a world that
// panics or trips an assertion (internal/invariants) with the mutant is
// counted apart, since no checker saw anything. No unit test runs: only
// the checkers.

// MutationConfig chooses the mutants and worlds of a harness run.
type MutationConfig struct {
	// Mutants are the mutants' names; empty means every one.
	Mutants []string
	// SwarmSeeds runs the generated swarm worlds of seeds 1..SwarmSeeds.
	SwarmSeeds int
	// Scenarios adds every changefeed scenario's default world (seed 3,
	// first variant) at ScenarioDuration.
	Scenarios        bool
	ScenarioDuration sim.Duration
	// Parallel is how many worlds run at once (each is its own
	// deterministic simulation; results are kept in a fixed order).
	// Default 1.
	Parallel int
	// Progress, when set, is called after each world with the number done
	// and the total (from the harness's goroutines, one call at a time).
	Progress func(done, total int)
}

// DefaultMutationConfig is what `simrun mutants` runs: every mutant in
// swarm seeds 1..20 and every changefeed scenario's default world for 90 s.
func DefaultMutationConfig() MutationConfig {
	return MutationConfig{SwarmSeeds: 20, Scenarios: true, ScenarioDuration: 90 * sim.Second, Parallel: 2}
}

// QuickMutants are the mutants of the quick run (`make test`,
// TestMutantsQuick): one per layer the checkers guard, each caught in the
// quick worlds.
func QuickMutants() []string {
	return []string{cluster.MutCheckpointFromRedo, cluster.MutBarrierOneMissing,
		cluster.MutInterruptedResolvedAtEnd, cluster.MutRedoAckOneRowEarly}
}

// QuickMutationConfig is the quick run: QuickMutants in swarm seeds 1..3.
func QuickMutationConfig() MutationConfig {
	return MutationConfig{Mutants: QuickMutants(), SwarmSeeds: 3, Parallel: 2}
}

// MutantResult is what the harness found for one mutant.
type MutantResult struct {
	Mutant cluster.Mutant
	// Worlds is the number of worlds it ran in (worlds whose unmutated run
	// failed to run are left out).
	Worlds int
	// Caught counts, per checker ("no-loss", "liveness", ...), the worlds
	// where it failed with the mutant and held without.
	Caught map[string]int
	// Panics counts the worlds that panicked or tripped an assertion.
	Panics int
	// First is the first failure seen per checker, and "panic" for the
	// first panic, for the report.
	First map[string]string
	// Exercised counts the worlds whose trace the mutant changed (its
	// trace hash differs from the unmutated run's). A mutant that
	// exercised no world never ran its slip there, or ran it without
	// changing anything the trace records: no checker could see it, and
	// the score is also given without such survivors.
	Exercised int
}

// CaughtByChecker reports whether some checker saw the mutant.
func (r *MutantResult) CaughtByChecker() bool { return len(r.Caught) > 0 }

// Checkers returns the checkers that caught it, most worlds first.
func (r *MutantResult) Checkers() []string {
	var names []string
	for n := range r.Caught {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if r.Caught[names[i]] != r.Caught[names[j]] {
			return r.Caught[names[i]] > r.Caught[names[j]]
		}
		return names[i] < names[j]
	})
	return names
}

// mutationWorld is one world of the harness, run with a mutant (or none).
type mutationWorld struct {
	name string
	run  func(mutant string) *Verdict
}

// mutationWorlds returns cfg's worlds in a fixed order: the scenarios in
// catalogue order, then the swarm seeds.
func mutationWorlds(cfg MutationConfig) []mutationWorld {
	var out []mutationWorld
	if cfg.Scenarios {
		for _, sc := range ChangefeedScenarios() {
			out = append(out, mutationWorld{name: sc.Name, run: func(m string) *Verdict {
				return checkScenario(sc, cfg.ScenarioDuration, m)
			}})
		}
	}
	for seed := uint64(1); seed <= uint64(cfg.SwarmSeeds); seed++ {
		out = append(out, mutationWorld{name: fmt.Sprintf("swarm-%d", seed), run: func(m string) *Verdict {
			w := Generate(seed)
			if m != "" {
				w.Bugs = []string{m}
			}
			return Check(w)
		}})
	}
	return out
}

// ChangefeedScenarios returns the scenarios that run the changefeed world
// (those judged by its no-loss invariant), in catalogue order.
func ChangefeedScenarios() []*scenarios.Scenario {
	var out []*scenarios.Scenario
	for _, sc := range scenarios.All() {
		if slices.ContainsFunc(sc.Invariants, func(d scenarios.InvariantDoc) bool { return d.Name == cluster.InvNoLoss }) {
			out = append(out, sc)
		}
	}
	return out
}

// checkScenario runs sc's default world (seed 3, its first variant) for d
// with mutant armed for the whole run, and judges its invariants.
func checkScenario(sc *scenarios.Scenario, d sim.Duration, mutant string) *Verdict {
	v := &Verdict{Probes: map[string]uint64{}}
	v.Spec = scenarios.Spec{Scenario: sc, Seed: 3, Duration: d}
	if mutant != "" {
		v.Spec.Faults = mutant + "@0s.."
	}
	out, err := runSafely(v.Spec)
	if err != nil {
		v.Failures = append(v.Failures, Failure{Property: PropRun, Detail: err.Error()})
		return v
	}
	v.Outcome = out
	v.Failures = InvariantFailures(out.World)
	return v
}

// worldVerdict is what the harness keeps of one run: the properties it
// broke and its trace hash ("" when it did not run).
type worldVerdict struct {
	failed    map[string]string
	traceHash string
}

func judge(v *Verdict) worldVerdict {
	wv := worldVerdict{failed: failed(v)}
	if v.Outcome != nil {
		wv.traceHash = v.Outcome.World.TraceHash
	}
	return wv
}

// failed returns the properties a verdict broke, by checker name
// ("no-loss", "liveness", or PropRun), with the first failure's text.
func failed(v *Verdict) map[string]string {
	out := map[string]string{}
	for _, f := range v.Failures {
		name := strings.TrimPrefix(f.Property, PropInvariantPrefix)
		if _, ok := out[name]; !ok {
			out[name] = f.String()
		}
	}
	return out
}

// RunMutants runs the harness: every world unmutated (the baseline), then
// each mutant alone in every world. Results come in the order of
// cfg.Mutants (or cluster.Mutants()); an unknown name is an error.
func RunMutants(cfg MutationConfig) ([]MutantResult, error) {
	catalogue := map[string]cluster.Mutant{}
	for _, m := range cluster.Mutants() {
		catalogue[m.Name] = m
	}
	names := cfg.Mutants
	if len(names) == 0 {
		for _, m := range cluster.Mutants() {
			names = append(names, m.Name)
		}
	}
	for _, n := range names {
		if _, ok := catalogue[n]; !ok {
			return nil, fmt.Errorf("swarm: unknown mutant %q (simrun -list-faults lists them)", n)
		}
	}
	worlds := mutationWorlds(cfg)
	if len(worlds) == 0 {
		return nil, fmt.Errorf("swarm: the mutation harness has no world to run (no swarm seeds, no scenarios)")
	}
	// Job i*len(worlds)+j runs mutant i-1 in world j; row 0 is the
	// baseline.
	rows := append([]string{""}, names...)
	verdicts := make([]worldVerdict, len(rows)*len(worlds))
	done := 0
	forEachParallel(len(verdicts), cfg.Parallel,
		func(k int) worldVerdict { return judge(worlds[k%len(worlds)].run(rows[k/len(worlds)])) },
		func(k int, f worldVerdict) {
			verdicts[k] = f
			done++
			if cfg.Progress != nil {
				cfg.Progress(done, len(verdicts))
			}
		})

	var out []MutantResult
	for i, n := range names {
		r := MutantResult{Mutant: catalogue[n], Caught: map[string]int{}, First: map[string]string{}}
		for j := range worlds {
			baseRun, gotRun := verdicts[j], verdicts[(i+1)*len(worlds)+j]
			base, got := baseRun.failed, gotRun.failed
			if _, broken := base[PropRun]; broken {
				continue // the world does not run without the mutant either
			}
			r.Worlds++
			if gotRun.traceHash != baseRun.traceHash {
				r.Exercised++
			}
			if detail, ok := got[PropRun]; ok {
				r.Panics++
				if _, seen := r.First["panic"]; !seen {
					r.First["panic"] = worlds[j].name + ": " + detail
				}
				continue
			}
			for checker, detail := range got {
				if _, already := base[checker]; already {
					continue // fails unmutated too: not the mutant's doing
				}
				r.Caught[checker]++
				if _, seen := r.First[checker]; !seen {
					r.First[checker] = worlds[j].name + ": " + detail
				}
			}
		}
		out = append(out, r)
	}
	return out, nil
}
