package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/redosim/redosim/reports"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redosim/redosim/reports/stats"
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/scenarios"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/fault"
)

// worldRun is one world to run and, after, what it produced.
type worldRun struct {
	index   int
	spec    scenarios.Spec
	outcome *scenarios.Outcome
	err     error
	wall    time.Duration
}

func runScenarios(args []string, stdout, stderr io.Writer) error {
	o, err := parseRunFlags(args, stderr)
	if err != nil {
		return err
	}
	switch {
	case o.list:
		return printList(stdout)
	case o.listFaults:
		return printFaultList(stdout)
	case o.describe != "":
		return printDescribe(stdout, o.describe)
	case o.swarm:
		return runSwarm(o, stdout, stderr)
	case o.replay != "":
		return runReplay(o, stdout, stderr)
	}
	if o.config != "" {
		if err := applyConfigFile(o); err != nil {
			return err
		}
	}
	if o.scenario == "" {
		return usagef("no -scenario given (simrun -list shows them; simrun -h shows usage)")
	}
	warnTo := stdout
	if o.json {
		warnTo = stderr // stdout holds only JSON
	}
	runs, sc, err := planWorlds(o, warnTo)
	if err != nil {
		return err
	}
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if o.benchStats != "" {
		if len(runs) != 1 {
			return usagef("-bench-stats needs exactly one world; this run has %d (pick one -variants and one -seed)", len(runs))
		}
		defer watchBenchStats(o.benchStats, runs[0])()
	}
	if o.memProfile != "" {
		if len(runs) != 1 {
			return usagef("-memprofile needs exactly one world; this run has %d (pick one -variants and one -seed)", len(runs))
		}
		if err := heapProfileAtHalfway(o.memProfile, runs[0]); err != nil {
			return err
		}
	}
	if o.trace != "" && len(runs) != 1 {
		return usagef("-trace needs exactly one world; this run has %d (pick one -variants and one -seed)", len(runs))
	}
	executeWorlds(runs, o.parallel, newProgress(stderr, len(runs), o.quiet))
	return finishRun(o, sc, runs, stdout, stderr)
}

// warnf prints a warning and keeps it for run.json, so the report lists it.
func (o *options) warnf(w io.Writer, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	o.warnings = append(o.warnings, msg)
	fmt.Fprintln(w, "simrun: warning:", msg)
}

// planWorlds expands the options into the worlds of this shard, warning on
// w about settings that override a variant's own.
func planWorlds(o *options, w io.Writer) ([]*worldRun, *scenarios.Scenario, error) {
	sc, err := scenarios.Lookup(o.scenario)
	if err != nil {
		return nil, nil, usagef("-scenario: %v", strings.TrimPrefix(err.Error(), scenarios.ErrConfig.Error()+": "))
	}
	variants := sc.VariantNames()
	if o.variants != "" {
		variants = strings.Split(o.variants, ",")
		for _, v := range variants {
			if _, err := sc.Variant(v); err != nil {
				return nil, nil, usagef("-variants: %v", stripConfig(err))
			}
		}
	}
	seeds, err := o.seedList()
	if err != nil {
		return nil, nil, err
	}
	set, err := o.setMap(sc, w)
	if err != nil {
		return nil, nil, err
	}
	for _, name := range variants {
		v, _ := sc.Variant(name)
		for _, k := range sortedKeys(v.Set) {
			if sv, ok := set[k]; ok && sv != v.Set[k] {
				o.warnf(w, "%s=%s (from -set or -changefeed-config) overrides variant %s's own %s=%s: the variant runs with %s",
					k, sv, name, k, v.Set[k], sv)
			}
		}
	}
	var d sim.Duration
	if o.duration != "" {
		if d, err = sim.ParseDuration(o.duration); err != nil || d <= 0 {
			return nil, nil, usagef("-duration %q: want a positive duration such as 30s or 10m", o.duration)
		}
	}
	shard, shards, err := o.shardOf()
	if err != nil {
		return nil, nil, err
	}
	var runs []*worldRun
	i := 0
	for _, v := range variants {
		for _, s := range seeds {
			if i%shards == shard {
				spec := scenarios.Spec{Scenario: sc, Variant: v, Seed: s, Duration: d, Set: set,
					Faults: o.faults, KeepTrace: o.trace != ""}
				runs = append(runs, &worldRun{index: len(runs), spec: spec})
			}
			i++
		}
	}
	if len(runs) > 0 {
		// Check the configuration once, before a campaign starts.
		probe := runs[0].spec
		probe.Duration = sim.Nanosecond
		if _, err := scenarios.Run(probe); err != nil {
			if errors.Is(err, scenarios.ErrConfig) {
				return nil, nil, usagef("%v", stripConfig(err))
			}
			return nil, nil, err
		}
	}
	return runs, sc, nil
}

func stripConfig(err error) string {
	return strings.Replace(err.Error(), scenarios.ErrConfig.Error()+": ", "", 1)
}

// setMap merges -changefeed-config and -set (which wins) into overrides,
// warning on w about the file's keys the scenario does not model.
func (o *options) setMap(sc *scenarios.Scenario, w io.Writer) (map[string]string, error) {
	set := map[string]string{}
	if o.changefeedConfig != "" {
		mapped, notes, err := mapChangefeedConfig(o.changefeedConfig, sc)
		if err != nil {
			return nil, err
		}
		for _, k := range sortedKeys(mapped) {
			v := mapped[k]
			set[k] = v
			if p, ok := sc.Param(k); ok && p.Default != v {
				o.warnf(w, "-changefeed-config sets %s=%s for every variant (the scenario's default is %s)", k, v, p.Default)
			}
		}
		for _, n := range notes {
			o.warnf(w, "-changefeed-config %s", n)
		}
	}
	for _, kv := range o.sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usagef("-set %q: want key=value", kv)
		}
		if _, known := sc.Param(k); !known {
			return nil, usagef("-set %s: scenario %s has no parameter %q (simrun -describe %s lists them)", kv, sc.Name, k, sc.Name)
		}
		set[k] = v
	}
	return set, nil
}

// executeWorlds runs the worlds on parallel goroutines (each world is
// single-threaded; worlds share nothing) and reports progress.
func executeWorlds(runs []*worldRun, parallel int, prog *progress) {
	jobs := make(chan *worldRun)
	var wg sync.WaitGroup
	for w := 0; w < min(parallel, len(runs)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range jobs {
				start := time.Now()
				r.outcome, r.err = scenarios.Run(r.spec)
				r.wall = time.Since(start)
				if r.outcome != nil {
					r.outcome.World.WallSeconds = r.wall.Seconds()
				}
				prog.done(r)
			}
		}()
	}
	for _, r := range runs {
		jobs <- r
	}
	close(jobs)
	wg.Wait()
	prog.finish()
}

// finishRun prints what happened, writes results, and decides the exit.
func finishRun(o *options, sc *scenarios.Scenario, runs []*worldRun, stdout, stderr io.Writer) error {
	var failed []*worldRun
	for _, r := range runs {
		if r.err != nil {
			return fmt.Errorf("world %s/%s seed %d: %w", sc.Name, r.spec.Variant, r.spec.Seed, r.err)
		}
		w := r.outcome.World
		addPlanPoints(w, o.faults)
		if o.json {
			printJSON(stdout, w, sc.Metrics)
		} else if !o.quiet || !w.Held() {
			printWorldLine(stdout, w)
		}
		if !w.Held() {
			failed = append(failed, r)
		}
	}
	if !o.json {
		printSummary(stdout, sc, runs)
	}
	if o.trace != "" {
		if err := writeTrace(o.trace, runs[0].outcome.Trace); err != nil {
			return err
		}
	}
	if o.out != "" {
		// With -json, stdout holds only JSON; where the results went is
		// said on stderr.
		said := stdout
		if o.json {
			said = stderr
		}
		if err := writeResults(o, sc, runs, said); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		return reportViolations(o, failed, stderr)
	}
	return nil
}

func printWorldLine(w io.Writer, r *results.World) {
	status := "held"
	if !r.Held() {
		status = "VIOLATED"
	}
	speed := 0.0
	if r.WallSeconds > 0 {
		speed = r.SimSeconds / r.WallSeconds
	}
	fmt.Fprintf(w, "world %s/%s seed=%d  %s  %.0fs simulated in %.2fs (%.0fx real time, %.2fM events/s)\n",
		r.Scenario, r.Variant, r.Seed, status, r.SimSeconds, r.WallSeconds, speed,
		float64(r.Events)/max(r.WallSeconds, 1e-9)/1e6)
	// The hash on a line of its own, so two runs compare line for line.
	fmt.Fprintf(w, "trace-hash: %s\n", r.TraceHash)
}

// jsonWorld is the -json line of one world.
type jsonWorld struct {
	Scenario    string          `json:"scenario"`
	Seed        uint64          `json:"seed"`
	Variant     string          `json:"variant"`
	TraceHash   string          `json:"trace_hash"`
	SimSeconds  float64         `json:"sim_seconds"`
	WallSeconds float64         `json:"wall_seconds"`
	Events      uint64          `json:"events"`
	Invariants  []jsonInvariant `json:"invariants"`
	Command     string          `json:"command"`
	// Metrics are the world's headline metrics: a scalar's value (or,
	// censored, its lower bound), a distribution's n, p50 and p99.
	Metrics []jsonMetric `json:"metrics"`
}

type jsonMetric struct {
	Name     string   `json:"name"`
	Unit     string   `json:"unit"`
	Value    *float64 `json:"value,omitempty"`
	Censored bool     `json:"censored,omitempty"`
	N        int      `json:"n,omitempty"`
	P50      *float64 `json:"p50,omitempty"`
	P99      *float64 `json:"p99,omitempty"`
}

// headlineMetrics are the world's values of the scenario's headline
// metrics, in documentation order; a metric the world lacks is left out.
func headlineMetrics(r *results.World, docs []results.MetricDoc) []jsonMetric {
	out := []jsonMetric{}
	for _, d := range docs {
		if !d.Headline {
			continue
		}
		for _, sc := range r.Scalars {
			if sc.Metric == d.Name && !math.IsNaN(sc.Value) && !math.IsInf(sc.Value, 0) {
				v := sc.Value
				out = append(out, jsonMetric{Name: d.Name, Unit: sc.Unit, Value: &v, Censored: sc.Censored})
			}
		}
		var vals []float64
		unit := d.Unit
		for _, sm := range r.Samples {
			if sm.Metric == d.Name {
				fin, _ := stats.Finite(sm.Values)
				vals = append(vals, fin...)
			}
		}
		if len(vals) > 0 {
			slices.Sort(vals)
			p50, p99 := stats.Quantile(vals, 50), stats.Quantile(vals, 99)
			out = append(out, jsonMetric{Name: d.Name, Unit: unit, N: len(vals), P50: &p50, P99: &p99})
		}
	}
	return out
}

type jsonInvariant struct {
	Name   string `json:"name"`
	Pass   bool   `json:"pass"`
	Detail string `json:"detail,omitempty"`
}

func printJSON(w io.Writer, r *results.World, docs []results.MetricDoc) {
	jw := jsonWorld{Scenario: r.Scenario, Seed: r.Seed, Variant: r.Variant, TraceHash: r.TraceHash,
		SimSeconds: r.SimSeconds, WallSeconds: r.WallSeconds, Events: r.Events, Command: r.Command,
		Metrics: headlineMetrics(r, docs)}
	for _, inv := range r.Invariants {
		ji := jsonInvariant{Name: inv.Name, Pass: inv.Held}
		if inv.First != nil {
			ji.Detail = fmt.Sprintf("at %.3fs: %s", inv.First.At, inv.First.Detail)
		}
		jw.Invariants = append(jw.Invariants, ji)
	}
	data, _ := json.Marshal(jw)
	fmt.Fprintln(w, string(data))
}

// writeResults writes run.json and the worlds, then renders the report.
func writeResults(o *options, sc *scenarios.Scenario, runs []*worldRun, stdout io.Writer) error {
	run := &results.Run{Scenario: sc.Name, Description: sc.Doc, Sweep: sc.Sweep, Metrics: sc.Metrics,
		Command: campaignCommand(o.args)}
	seen := map[string]bool{}
	seeds := map[uint64]bool{}
	documented := map[string]bool{}
	for _, m := range sc.Metrics {
		documented[m.Name] = true
	}
	for _, r := range runs {
		if !seen[r.spec.Variant] {
			seen[r.spec.Variant] = true
			run.Variants = append(run.Variants, r.spec.Variant)
		}
		if !seeds[r.spec.Seed] {
			seeds[r.spec.Seed] = true
			run.Seeds = append(run.Seeds, r.spec.Seed)
		}
		w := r.outcome.World
		if !o.output.dispatcherSeries {
			w = withoutDispatcherSeries(w)
		}
		if !o.output.fullCSV && !o.output.fullTrace {
			w = undocumentedThinned(w, documented)
		}
		if err := results.WriteWorld(o.out, w); err != nil {
			return err
		}
	}
	// The run's parameters: the scenario's defaults under this run's
	// settings; what each variant ran is in its worlds' Params.
	var set map[string]string
	if len(runs) > 0 {
		set = runs[0].spec.Set
		d := runs[0].spec.Duration
		if d <= 0 {
			d = sc.Duration
		}
		run.DurationSeconds = d.Seconds()
	}
	for _, p := range sc.Params {
		v := p.Default
		if sv, ok := set[p.Key]; ok {
			v = sv
		}
		run.Params = append(run.Params, results.Param{Key: p.Key, Value: v, Doc: p.Doc})
	}
	run.Faults = o.faults
	// An earlier run's worlds in the directory are kept and reported with
	// these; say so when that run differs.
	if prev, err := results.ReadRun(o.out); err == nil && prev.Scenario == run.Scenario {
		if diffs := results.Diffs(prev, run); len(diffs) > 0 {
			o.warnf(stdout, "%s also holds worlds of an earlier run that differs (%s); they are kept and reported with this run's",
				o.out, strings.Join(diffs, "; "))
		}
	}
	run.Warnings = o.warnings
	if err := results.WriteRun(o.out, run); err != nil {
		return err
	}
	if err := renderReport(o.out, o.output, progressTo(stdout, o.quiet)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "results and report in %s (open %s)\n", o.out, filepath.Join(o.out, "index.html"))
	return nil
}

// campaignCommand is the command that runs the campaign: the arguments
// without -shard and -out, which say where a part of it runs and lands,
// not what runs (so every shard records the same command).
func campaignCommand(args []string) string {
	var kept []string
	for i := 0; i < len(args); i++ {
		a := strings.TrimLeft(args[i], "-")
		name, _, hasValue := strings.Cut(a, "=")
		if strings.HasPrefix(args[i], "-") && (name == "shard" || name == "out") {
			if !hasValue {
				i++
			}
			continue
		}
		kept = append(kept, args[i])
	}
	return "simrun " + strings.Join(kept, " ")
}

// addPlanPoints lists the fault points and planted bugs of the -faults
// plan among the world's faults (the scenario records the actions it
// performs), so the report's faults table shows them too.
func addPlanPoints(w *results.World, plan string) {
	p, err := fault.Parse(plan)
	if err != nil {
		return // the plan was validated before the run
	}
	for _, e := range p.Entries() {
		if e.IsAction() {
			continue
		}
		kind := "fault point"
		if strings.HasPrefix(e.Name, "bug/") {
			kind = "planted bug"
		}
		if strings.HasPrefix(e.Name, "mutant/") {
			kind = "mutant"
		}
		f := results.Fault{Kind: e.Name, Target: kind, At: e.From.Seconds(), Until: e.Until.Seconds(), Detail: "-faults " + e.String()}
		switch {
		case e.Mode == fault.AtCount:
			f.At, f.Until = 0, w.SimSeconds
		case e.Mode == fault.AtTime:
			f.Until = f.At
		case e.Until == 0:
			f.Until = w.SimSeconds
		}
		w.Faults = append(w.Faults, f)
	}
}

// undocumentedThinned returns a shallow copy of w whose series of metrics
// the scenario does not document are thinned to one point per
// reports.CSVCoarseStep, as timeseries.csv has them; the documented ones,
// which the report draws, keep every point (-full-csv and -full-trace
// keep all).
func undocumentedThinned(w *results.World, documented map[string]bool) *results.World {
	c := *w
	c.Series = make([]results.Series, len(w.Series))
	for i, s := range w.Series {
		if !documented[s.Metric] {
			s = s.Thinned(reports.CSVCoarseStep)
		}
		c.Series[i] = s
	}
	return &c
}

// withoutDispatcherSeries returns a shallow copy of w without the series
// labelled by dispatcher: hundreds per world, never drawn, most of a
// world file's size (-dispatcher-series keeps them).
func withoutDispatcherSeries(w *results.World) *results.World {
	c := *w
	c.Series = nil
	for _, s := range w.Series {
		if !slices.ContainsFunc(s.Labels, func(l results.Label) bool { return l.Key == "dispatcher" }) {
			c.Series = append(c.Series, s)
		}
	}
	return &c
}

// reportViolations prints each failed world with its first violation,
// writes a repro file, and prints the command that replays it.
func reportViolations(o *options, failed []*worldRun, stderr io.Writer) error {
	dir := o.out
	if dir == "" {
		dir = "."
	}
	for _, r := range failed {
		w := r.outcome.World
		for _, inv := range w.Invariants {
			if inv.Held {
				continue
			}
			fmt.Fprintf(stderr, "VIOLATED %s in %s/%s seed=%d at t=%.3fs: %s\n",
				inv.Name, w.Scenario, w.Variant, w.Seed, inv.First.At, inv.First.Detail)
		}
		path, err := writeRepro(dir, r)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "  parameters: %s\n  replay: simrun -replay %s\n", paramLine(w), path)
	}
	return &violationError{msg: fmt.Sprintf("%d of the worlds violated an invariant", len(failed))}
}

func paramLine(w *results.World) string {
	parts := make([]string, 0, len(w.Params))
	for _, p := range w.Params {
		parts = append(parts, p.Key+"="+p.Value)
	}
	return strings.Join(parts, " ")
}

// heapProfileAtHalfway arms r to write a heap profile to path once the
// world has run half its time: the steady state, before the end-of-world
// checks. The file is created now, so a bad path fails before the run.
func heapProfileAtHalfway(path string, r *worldRun) error {
	f, err := os.Create(path)
	if err != nil {
		return usagef("-memprofile: %v", err)
	}
	prev := r.spec.Halfway
	r.spec.Halfway = func() {
		if prev != nil {
			prev()
		}
		runtime.GC()
		if err := pprof.WriteHeapProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "simrun: -memprofile:", err)
		}
		f.Close()
	}
	return nil
}

func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, usagef("-cpuprofile: %v", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, usagef("-cpuprofile: %v", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
