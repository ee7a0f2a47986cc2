// Package reportstest builds synthetic, deterministic results (a Run and its
// Worlds) for the reports' tests and the browser check. Nothing here runs a
// simulation: the numbers are drawn from seeded PCG streams shaped like
// what the syncpoint scenario records, so the same call always returns the
// same data.
//
// Usage:
//
//	run, worlds := reportstest.Fixture(reportstest.Config{})
//	err := reports.Render(dir, run, worlds, reports.Options{})
//	run, worlds = reportstest.SweepFixture()
package reportstest

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/redosim/redosim/results"
)

// Config shapes Fixture. The zero value gives 3 variants × 5 seeds over
// 600 s of virtual time sampled every second.
type Config struct {
	// Variants to generate (default "none", "v1", "v2"): "none" records no
	// syncpoints, "v2" has lower lag and memory than "v1".
	Variants []string
	// Seeds per variant (default 1..5).
	Seeds []uint64
	// DurationSeconds of virtual time (default 600).
	DurationSeconds float64
	// StepSeconds between series points (default 1).
	StepSeconds float64
}

func (c *Config) fill() {
	if len(c.Variants) == 0 {
		c.Variants = []string{"none", "v1", "v2"}
	}
	if len(c.Seeds) == 0 {
		c.Seeds = []uint64{1, 2, 3, 4, 5}
	}
	if c.DurationSeconds <= 0 {
		c.DurationSeconds = 600
	}
	if c.StepSeconds <= 0 {
		c.StepSeconds = 1
	}
}

// Fault window every fixture world carries (a disk stall on cdc-1).
const (
	StallFrom = 200.0
	StallTo   = 260.0
)

// Fixture returns a run and its worlds, sorted by variant then seed. Variant
// "v1", seed 3 violates the memory-quota invariant.
func Fixture(cfg Config) (*results.Run, []*results.World) {
	cfg.fill()
	run := fixtureRun(cfg)
	var worlds []*results.World
	for vi, v := range cfg.Variants {
		for _, seed := range cfg.Seeds {
			worlds = append(worlds, fixtureWorld(cfg, vi, v, seed))
		}
	}
	return run, worlds
}

func fixtureRun(cfg Config) *results.Run {
	return &results.Run{
		Version:  results.Version,
		Scenario: "syncpoint",
		Description: "Syncpoint barriers under redo: every dispatcher flushes rows up to the " +
			"syncpoint ts before the barrier is released. Compares no syncpoint, congestion " +
			"control v1 and the v2 memory-aware scan window under a 60 s disk stall.",
		Params: []results.Param{
			{Key: "syncpoint-interval", Value: "30s", Doc: "virtual time between syncpoints"},
			{Key: "redo-flush-interval", Value: "50ms", Doc: "redo writer flush period"},
			{Key: "dispatchers", Value: "64", Doc: "table dispatchers in the changefeed"},
			{Key: "hardware", Value: "cloud-ssd", Doc: "disk profile of every node"},
		},
		Variants: cfg.Variants,
		Seeds:    cfg.Seeds,
		Command:  "simrun run -scenario syncpoint -seeds 1-5 -out results/syncpoint",
		Metrics: []results.MetricDoc{
			{Name: "throughput", Unit: "rows/s", Doc: "rows applied downstream per second", Headline: true, HigherIsBetter: true},
			{Name: "checkpoint_lag_p99", Unit: "s", Doc: "p99 of checkpoint lag over the run", Headline: true, LowerIsBetter: true},
			{Name: "peak_memory", Unit: "MiB", Doc: "peak event-collector memory", Headline: true, LowerIsBetter: true},
			{Name: "rpo", Unit: "s", Doc: "data at risk after a crash at the end", LowerIsBetter: true},
			{Name: "commit_latency", Unit: "s", Doc: "upstream commit to downstream apply", Headline: true, LowerIsBetter: true},
			{Name: "barrier_duration", Unit: "s", Doc: "syncpoint barrier hold time", LowerIsBetter: true},
			{Name: "fence_wait", Unit: "s", Doc: "time rows wait above redoGlobalTs", LowerIsBetter: true},
			{Name: "checkpoint_lag", Unit: "s", Doc: "now minus checkpoint ts", LowerIsBetter: true},
			{Name: "redo_lag", Unit: "s", Doc: "now minus redo resolved ts", LowerIsBetter: true},
			{Name: "memory_usage_ratio", Unit: "ratio", Doc: "collector memory over quota", LowerIsBetter: true},
			{Name: "scan_interval", Unit: "s", Doc: "event service scan interval"},
		},
	}
}

type worldGen struct {
	cfg     Config
	variant string
	vi      int
	rng     *rand.Rand
}

func fixtureWorld(cfg Config, vi int, variant string, seed uint64) *results.World {
	g := &worldGen{cfg: cfg, variant: variant, vi: vi, rng: rand.New(rand.NewPCG(seed, uint64(vi)+1))}
	w := &results.World{
		Version:     results.Version,
		Scenario:    "syncpoint",
		Variant:     variant,
		Seed:        seed,
		Params:      []results.Param{{Key: "syncpoint-interval", Value: "30s"}},
		SimSeconds:  cfg.DurationSeconds,
		WallSeconds: 0.5 + float64(vi)*0.1,
		Events:      100000 + seed*1000 + uint64(vi)*17,
		Command:     fmt.Sprintf("simrun replay -scenario syncpoint -variant %s -seed %d", variant, seed),
		TraceHash:   traceHash(variant, seed),
		Faults: []results.Fault{
			{Kind: "disk-stall", Target: "cdc-1", At: StallFrom, Until: StallTo, Detail: "fsync blocks 60 s"},
			{Kind: "fsync-error", Target: "cdc-2", At: 400, Until: 400, Detail: "EIO once"},
		},
	}
	w.Invariants = g.invariants(seed)
	w.Series = g.series()
	w.Samples = g.samples()
	w.Scalars = g.scalars(w.Series)
	w.Spans, w.Instants = g.timeline()
	return w
}

func traceHash(variant string, seed uint64) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", variant, seed)
	return fmt.Sprintf("%016x", h.Sum64())
}

func (g *worldGen) invariants(seed uint64) []results.Invariant {
	invs := []results.Invariant{
		{Name: "redo-before-sink", Held: true},
		{Name: "monotonic-progress", Held: true},
		{Name: "memory-quota", Held: true},
	}
	if g.variant == "v1" && seed == 3 {
		invs[2] = results.Invariant{Name: "memory-quota", Held: false, Violations: 4,
			First: &results.Violation{At: 231.5, Detail: "path dispatcher-7 accounted 70.2 MiB > quota 64 MiB + slack"}}
	}
	return invs
}

// level is the variant's steady-state scale: v2 < v1, none in between.
func (g *worldGen) level() float64 {
	switch g.variant {
	case "v2":
		return 0.6
	case "v1":
		return 1.0
	default:
		return 0.8 + 0.1*float64(g.vi%3)
	}
}

func (g *worldGen) inStall(t float64) bool { return t >= StallFrom && t < StallTo }

func (g *worldGen) series() []results.Series {
	lvl := g.level()
	mk := func(metric, unit string, labels []results.Label) results.Series {
		return results.Series{Metric: metric, Unit: unit, Labels: labels}
	}
	lag := mk("checkpoint_lag", "s", nil)
	redo := mk("redo_lag", "s", nil)
	mem := mk("memory_usage_ratio", "ratio", nil)
	scan := mk("scan_interval", "s", nil)
	tput := mk("throughput", "rows/s", nil)
	gap := mk("fast_slow_gap", "s", []results.Label{{Key: "changefeed", Value: "cf-1"}})
	backlog := 0.0
	for t := 0.0; t <= g.cfg.DurationSeconds+1e-9; t += g.cfg.StepSeconds {
		if g.inStall(t) {
			backlog += g.cfg.StepSeconds
		} else {
			backlog = math.Max(0, backlog-g.cfg.StepSeconds*(1.5-lvl*0.5))
		}
		noise := g.rng.NormFloat64()
		l := lvl*(1.2+0.2*noise) + backlog
		lag.Points = append(lag.Points, results.Point{T: t, V: l})
		redo.Points = append(redo.Points, results.Point{T: t, V: 0.05*lvl + 0.8*backlog + 0.01*math.Abs(noise)})
		m := math.Min(1.05, 0.35*lvl+backlog/80+0.03*g.rng.NormFloat64())
		mem.Points = append(mem.Points, results.Point{T: t, V: m})
		scan.Points = append(scan.Points, results.Point{T: t, V: 0.05 * math.Pow(2, math.Floor(m*4))})
		tp := 20000 / lvl * (1 + 0.05*g.rng.NormFloat64())
		if g.inStall(t) {
			tp *= 0.2
		}
		tput.Points = append(tput.Points, results.Point{T: t, V: tp})
		gap.Points = append(gap.Points, results.Point{T: t, V: math.Abs(0.3*lvl*noise) + backlog*0.2})
	}
	return []results.Series{lag, redo, mem, scan, tput, gap}
}

func (g *worldGen) lognormal(n int, median, sigma float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = median * math.Exp(sigma*g.rng.NormFloat64())
	}
	return out
}

func (g *worldGen) samples() []results.Sample {
	lvl := g.level()
	out := []results.Sample{
		{Metric: "commit_latency", Unit: "s", Values: g.lognormal(2000, 0.004*lvl, 0.6)},
		{Metric: "fence_wait", Unit: "s", Values: g.lognormal(500, 0.02*lvl, 0.8)},
	}
	if g.variant != "none" {
		n := int(g.cfg.DurationSeconds / 30)
		out = append(out, results.Sample{Metric: "barrier_duration", Unit: "s", Values: g.lognormal(n, 0.5*lvl, 0.5)})
	}
	return out
}

func (g *worldGen) scalars(series []results.Series) []results.Scalar {
	lvl := g.level()
	var lagSum, tpSum float64
	for _, p := range series[0].Points {
		lagSum += p.V
	}
	for _, p := range series[4].Points {
		tpSum += p.V
	}
	n := float64(len(series[0].Points))
	return []results.Scalar{
		{Metric: "throughput", Unit: "rows/s", Value: tpSum / n},
		{Metric: "checkpoint_lag_p99", Unit: "s", Value: lagSum/n*3 + g.rng.NormFloat64()*0.5},
		{Metric: "peak_memory", Unit: "MiB", Value: 64 * (0.4*lvl + 0.6) * (1 + 0.03*g.rng.NormFloat64())},
		{Metric: "rpo", Unit: "s", Value: 0.05 * lvl * (1 + 0.2*g.rng.NormFloat64())},
	}
}

func (g *worldGen) timeline() ([]results.Span, []results.Instant) {
	var spans []results.Span
	var instants []results.Instant
	for t := 0.0; t < g.cfg.DurationSeconds; t += 5 {
		d := 0.05 + 0.02*g.rng.Float64()
		if g.inStall(t) {
			d = 4.9
		}
		spans = append(spans, results.Span{Process: "cdc-1", Track: "redo-writer", Name: "flush", Start: t, End: t + d})
		spans = append(spans, results.Span{Process: "cdc-2", Track: "dispatcher-1", Name: "scan", Start: t + 1, End: t + 1.2 + 0.1*g.rng.Float64()})
	}
	if g.variant != "none" {
		for t := 30.0; t < g.cfg.DurationSeconds; t += 30 {
			d := 0.5 * g.level() * math.Exp(0.5*g.rng.NormFloat64())
			if g.inStall(t) {
				d += StallTo - t
			}
			spans = append(spans, results.Span{Process: "maintainer", Track: "barrier", Name: fmt.Sprintf("syncpoint ts=%.0f", t), Start: t, End: t + d})
			instants = append(instants, results.Instant{Process: "maintainer", Track: "barrier", Name: "release", At: t + d})
		}
	}
	instants = append(instants, results.Instant{Process: "cdc-1", Track: "redo-writer", Name: "meta-sync-stalled", At: StallFrom + 0.5})
	return spans, instants
}
