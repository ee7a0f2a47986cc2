package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/redosim/redosim/scenarios/swarm"
	"github.com/redosim/redosim/sim"
)

// runMutants is `simrun mutants`: the mutation harness (scenarios/swarm
// RunMutants). Each mutant of model/cluster's catalogue runs alone in a
// fixed set of worlds and the table says which checkers caught it and in
// how many worlds; the score is the share caught by at least one checker.
// With -quick, a mutant of the quick set no checker catches fails the run.
func runMutants(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("simrun mutants", flag.ContinueOnError)
	fset.SetOutput(stderr)
	def := swarm.DefaultMutationConfig()
	slips := fset.String("slips", "", "comma-separated mutants to run (default: all; simrun -list-faults lists them)")
	worlds := fset.Int("worlds", def.SwarmSeeds, "generated swarm worlds: seeds 1..N")
	noScenarios := fset.Bool("no-scenarios", false, "leave out the changefeed scenarios' default worlds")
	duration := fset.String("duration", def.ScenarioDuration.String(), "simulated time of each scenario's default world")
	parallel := fset.Int("parallel", def.Parallel, "worlds run at once")
	quick := fset.Bool("quick", false, "the quick subset: "+strings.Join(swarm.QuickMutants(), ",")+" in swarm seeds 1..3, no scenarios")
	verbose := fset.Bool("v", false, "print each catching checker's first failure")
	if err := fset.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return errHelp
		}
		return usagef("mutants: %v", err)
	}
	if fset.NArg() > 0 {
		return usagef("mutants: unexpected argument %q", fset.Arg(0))
	}
	cfg := def
	if *quick {
		cfg = swarm.QuickMutationConfig()
	} else {
		d, err := sim.ParseDuration(*duration)
		if err != nil || d <= 0 {
			return usagef("mutants: -duration %q: want a positive duration", *duration)
		}
		cfg.SwarmSeeds, cfg.Scenarios, cfg.ScenarioDuration = *worlds, !*noScenarios, d
	}
	if *slips != "" {
		cfg.Mutants = strings.Split(*slips, ",")
	}
	cfg.Parallel = max(*parallel, 1)
	start := time.Now()
	cfg.Progress = func(done, total int) {
		if done%10 == 0 || done == total {
			fmt.Fprintf(stderr, "mutants: %d/%d worlds (%s)\n", done, total, time.Since(start).Round(time.Second))
		}
	}
	res, err := swarm.RunMutants(cfg)
	if err != nil {
		return usagef("mutants: %v", err)
	}
	scope := fmt.Sprintf("swarm seeds 1..%d", cfg.SwarmSeeds)
	if cfg.Scenarios {
		scope = fmt.Sprintf("%d changefeed scenarios' default worlds (seed 3, %v) + %s", len(swarm.ChangefeedScenarios()), cfg.ScenarioDuration, scope)
	}
	fmt.Fprintf(stdout, "mutation harness: %d mutants, each alone in %s; %s wall\n\n", len(res), scope, time.Since(start).Round(time.Second))
	caught := printMutants(stdout, res, *verbose)
	fmt.Fprintf(stdout, "\nscore: %d/%d mutants caught by a checker (%.1f%%)\n", caught, len(res), 100*float64(caught)/float64(max(len(res), 1)))
	if idle, eq := equivalentSurvivors(res); idle+eq > 0 {
		n := len(res) - idle - eq
		fmt.Fprintf(stdout, "       %d/%d without the survivors that cannot be seen in these worlds: %d that changed no world's trace, %d equivalent by argument (%.1f%%)\n",
			caught, n, idle, eq, 100*float64(caught)/float64(max(n, 1)))
	}
	if survivors := printSurvivors(stdout, res); *quick && survivors > 0 {
		return &violationError{fmt.Sprintf("mutants: %d of the quick mutants went unnoticed by every checker", survivors)}
	}
	return nil
}

// printMutants prints one row per mutant and returns how many a checker
// caught.
func printMutants(w io.Writer, res []swarm.MutantResult, verbose bool) int {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "mutant\tcaught by (worlds)\tworlds\tchanged\tpanic/assert")
	caught := 0
	for i := range res {
		r := &res[i]
		var by []string
		for _, c := range r.Checkers() {
			by = append(by, fmt.Sprintf("%s %d", c, r.Caught[c]))
		}
		if r.CaughtByChecker() {
			caught++
		} else {
			by = []string{"-"}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", r.Mutant.Name, strings.Join(by, ", "), r.Worlds, r.Exercised, r.Panics)
	}
	tw.Flush()
	if verbose {
		fmt.Fprintln(w, "\nfirst failure per mutant and checker:")
		for i := range res {
			r := &res[i]
			for _, c := range append(r.Checkers(), "panic") {
				if d, ok := r.First[c]; ok {
					fmt.Fprintf(w, "  %s %s: %s\n", r.Mutant.Name, c, d)
				}
			}
		}
	}
	return caught
}

// equivalentSurvivors counts the survivors no checker could see in these
// worlds: idle ones changed no world's trace (measured), eq ones are
// marked equivalent (Mutant.Equivalent, argued) and changed some trace.
func equivalentSurvivors(res []swarm.MutantResult) (idle, eq int) {
	for i := range res {
		switch r := &res[i]; {
		case r.CaughtByChecker():
		case r.Exercised == 0:
			idle++
		case r.Mutant.Equivalent:
			eq++
		}
	}
	return idle, eq
}

// printSurvivors lists the mutants no checker caught, each with why, and
// returns how many.
func printSurvivors(w io.Writer, res []swarm.MutantResult) int {
	n := 0
	for i := range res {
		r := &res[i]
		if r.CaughtByChecker() {
			continue
		}
		if n == 0 {
			fmt.Fprintln(w, "\nsurvivors (no checker caught them):")
		}
		n++
		why := r.Mutant.Unseen
		if why == "" {
			why = "no reason recorded: a gap in the checkers to look into"
		}
		if r.Panics > 0 {
			why += fmt.Sprintf(" (a panic or assertion stopped %d of its worlds: %s)", r.Panics, r.First["panic"])
		}
		switch {
		case r.Exercised == 0:
			why = "changed no world's trace: " + why
		case r.Mutant.Equivalent:
			why = "equivalent in these worlds: " + why
		}
		fmt.Fprintf(w, "  %s (%s): %s\n    why: %s\n", r.Mutant.Name, r.Mutant.Where, r.Mutant.What, why)
	}
	return n
}
