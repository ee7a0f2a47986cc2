package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
)

// options are the flags of a scenario run.
type options struct {
	benchStats       string   // -bench-stats file, one world only
	args             []string // as given, for the command recorded in run.json
	list             bool
	describe         string
	scenario         string
	seed             uint64
	seedSet          bool
	seeds            int
	seedRange        string
	duration         string
	sets             multiFlag
	config           string
	changefeedConfig string
	variants         string
	parallel         int
	shard            string
	out              string
	json             bool
	quiet            bool
	trace            string
	replay           string
	faults           string
	cpuProfile       string
	memProfile       string
	swarm            bool // swarm.go
	listFaults       bool
	output           outputFlags
	warnings         []string // what the run warned about (run.go), for run.json
}

// outputFlags choose what -out (and simrun report) writes beyond the
// bounded default.
type outputFlags struct {
	dispatcherSeries bool // keep per-dispatcher series in worlds/*.json
	fullCSV          bool // every sample of every series in timeseries.csv
	fullTrace        bool // every world and counter in trace.json
}

func (f *outputFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.dispatcherSeries, "dispatcher-series", false,
		"keep per-dispatcher series (labelled dispatcher=...) in the results and timeseries.csv; by default they are dropped (hundreds per world)")
	fs.BoolVar(&f.fullCSV, "full-csv", false,
		"write every sample of every series to timeseries.csv (default: drawn series at every sample, the others every 10 s, and of a run of equal values only its first and last row)")
	fs.BoolVar(&f.fullTrace, "full-trace", false,
		"put every world and every lag/memory/usage/scan counter into trace.json (default: the first seed of each variant, the drawn series)")
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

const runExamples = `
Examples:
  simrun -list
  simrun -describe syncpoint
  simrun -scenario syncpoint                          the main job, all variants, seed 1
  simrun -scenario syncpoint -variants v2-4950 -seeds 5 -out out/sp
  simrun -scenario scan-window -set downstream-slow-factor=20 -duration 5m
  simrun -scenario syncpoint -changefeed-config changefeed.toml
  simrun -scenario crash-loop -seed-range 1..200 -parallel 2 -quiet
  simrun -scenario crash-loop -seeds 1000 -shard 3/8 -out shard3   (one machine of eight)
  simrun report -out all shard0 shard1 shard2         merge shards into a new directory
  simrun -replay out/repro-crash-loop-default-s17.json
  simrun redo gen -dir /tmp/redo -rows 100000 -policy commit
`

func parseRunFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{args: args}
	fs := flag.NewFlagSet("simrun", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.list, "list", false, "list the scenarios")
	fs.StringVar(&o.describe, "describe", "", "describe a scenario: parameters, variants, metrics, invariants")
	fs.StringVar(&o.scenario, "scenario", "", "the scenario to run")
	fs.Func("seed", "the world seed (default 1)", func(s string) error {
		v, err := strconv.ParseUint(s, 10, 64)
		o.seed, o.seedSet = v, true
		return err
	})
	fs.IntVar(&o.seeds, "seeds", 0, "run seeds 1..N")
	fs.StringVar(&o.seedRange, "seed-range", "", "run seeds A..B (inclusive)")
	fs.StringVar(&o.duration, "duration", "", "simulated time, e.g. 30s or 10m (default: the scenario's)")
	fs.Var(&o.sets, "set", "set a parameter: key=value (repeatable)")
	fs.StringVar(&o.config, "config", "", "a scenario file (TOML): scenario, seed(s), duration, variants, [set]")
	fs.StringVar(&o.changefeedConfig, "changefeed-config", "", "a TiCDC changefeed TOML file mapped onto the scenario's parameters")
	fs.StringVar(&o.variants, "variants", "", "comma-separated variants to run (default: all of the scenario's)")
	fs.IntVar(&o.parallel, "parallel", runtime.NumCPU(), "worlds run at once")
	fs.StringVar(&o.shard, "shard", "", "I/N: run only every N-th world starting at I (0-based), to spread a campaign")
	fs.StringVar(&o.out, "out", "", "write results and the report to this directory")
	fs.BoolVar(&o.json, "json", false, "print one JSON object per world")
	fs.BoolVar(&o.quiet, "quiet", false, "print only the summary and failures")
	fs.StringVar(&o.trace, "trace", "", "write the world's full event trace to this file (one world only)")
	fs.StringVar(&o.replay, "replay", "", "replay the world in a repro file")
	fs.StringVar(&o.faults, "faults", "", "a fault plan, e.g. 'sim/disk/fsyncEIO@2s;node.crash:n2@3m'")
	fs.StringVar(&o.benchStats, "bench-stats", "", "write the process's costs of the one world (events, wall time, RSS at the half-way point) to this JSON file (simrun bench-world reads it)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof reads it)")
	fs.StringVar(&o.memProfile, "memprofile", "", "write a heap profile of the one world at its half-way point to this file (go tool pprof reads it)")
	fs.BoolVar(&o.swarm, "swarm", false, "run a swarm campaign: generated worlds and fault schedules, all properties (see swarm.go)")
	fs.BoolVar(&o.listFaults, "list-faults", false, "list the fault points, scheduled actions and planted bugs, one line each")
	o.output.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: simrun [flags]   |   simrun report -out DIR DIR...   |   simrun redo CMD ...")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
		fmt.Fprint(stderr, runExamples, exitCodesDoc)
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil, errHelp
		}
		return nil, usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q (flags come as -name value; subcommands are report and redo)", fs.Arg(0))
	}
	seedsGiven := false
	fs.Visit(func(f *flag.Flag) { seedsGiven = seedsGiven || f.Name == "seeds" })
	if seedsGiven && o.seeds < 1 {
		return nil, usagef("-seeds %d: must be positive", o.seeds)
	}
	if o.parallel < 1 {
		return nil, usagef("-parallel %d: must be at least 1", o.parallel)
	}
	return o, nil
}

// seedList resolves -seed, -seeds and -seed-range into the seeds to run.
func (o *options) seedList() ([]uint64, error) {
	given := 0
	for _, b := range []bool{o.seedSet, o.seeds > 0, o.seedRange != ""} {
		if b {
			given++
		}
	}
	if given > 1 {
		return nil, usagef("-seed, -seeds and -seed-range are exclusive: give one")
	}
	switch {
	case o.seeds < 0:
		return nil, usagef("-seeds %d: must be positive", o.seeds)
	case o.seeds > 0:
		out := make([]uint64, o.seeds)
		for i := range out {
			out[i] = uint64(i + 1)
		}
		return out, nil
	case o.seedRange != "":
		a, b, ok := strings.Cut(o.seedRange, "..")
		lo, err1 := strconv.ParseUint(a, 10, 64)
		hi, err2 := strconv.ParseUint(b, 10, 64)
		if !ok || err1 != nil || err2 != nil || hi < lo || hi-lo > 10_000_000 {
			return nil, usagef("-seed-range %q: want A..B with A <= B, e.g. 1..100", o.seedRange)
		}
		out := make([]uint64, 0, hi-lo+1)
		for s := lo; s <= hi; s++ {
			out = append(out, s)
		}
		return out, nil
	case o.seedSet:
		return []uint64{o.seed}, nil
	}
	return []uint64{1}, nil
}

// shardOf parses -shard I/N.
func (o *options) shardOf() (index, count int, err error) {
	if o.shard == "" {
		return 0, 1, nil
	}
	a, b, ok := strings.Cut(o.shard, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, usagef("-shard %q: want I/N with 0 <= I < N, e.g. 0/4", o.shard)
	}
	return i, n, nil
}
