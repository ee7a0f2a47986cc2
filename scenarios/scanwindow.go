package scenarios

import (
	"fmt"
	"math"
	"sort"

	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
)

// scanWindow slows the downstream down for a few minutes and watches how
// each scan-window algorithm, and each way of folding the main and redo
// areas' usage into one ratio, reacts and recovers.
func scanWindow() *Scenario {
	return &Scenario{
		Name:    "scan-window",
		Summary: "the downstream slows down at 2m and recovers at 6m: how each scan window reacts (none, v2-4030, v2-4950; max vs min usage)",
		Doc: "The syncpoint scenario's changefeed (64 tables, 3 nodes, redo on, a syncpoint every 60 s, a " +
			"quarter of the tables behind a slow downstream) at TiCDC's constants (1 GiB, 1 MiB scan " +
			"budget) with its 30 MB/s load and a downstream with room to spare (40 workers) runs " +
			"steadily until stall-from, when every " +
			"downstream table's latency is multiplied by downstream-slow-factor; at stall-until it recovers. " +
			"Events pile up in the collector's main area behind dispatchers waiting for the sink, the usage " +
			"ratio the collector reports in congestion control v2 rises, and the event service's scan " +
			"window should shrink the interval it lets dispatchers scan ahead of the slowest one, then " +
			"widen it again once the downstream is back. The variants compare no window (congestion " +
			"control v1), PR #4030's tiered window (critical usage over 0.9 quarters the interval, down to " +
			"1 s) and PR #4950's EMA and pressure-score window (halving at most, with a 5 s floor but for " +
			"emergencies), each also with the usage of the main and redo areas folded by min instead of " +
			"max (the first revision of PR #4030, which hides pressure in one area behind an idle other). " +
			"Measures the scan interval before and during the slowdown (eventservice_scan_interval_seconds " +
			"is the series; interval scalars are absent for none, which has no window), how soon it first " +
			"shrank (reaction_seconds), memory usage and releases during the slowdown, the checkpoint lag " +
			"and how long after stall-until it took to come back (recovery_seconds: the checkpoint lag " +
			"back within twice its median before the slowdown, at least 5 s). The slowdown is shaded in " +
			"reports as a fault.",
		Params: append(withDefaults(changefeedParams(), map[string]string{
			"rows-per-second": "10000", "row-bytes": "lognormal(3000,0.2)", "downstream-workers": "40", "slow-factor": "40",
		}), append([]Param{scanLimitParam("1MiB")}, scanWindowParams()...)...),
		Variants: []Variant{
			{Name: "none", Doc: "congestion control v1, no scan window, the release share before PR #4030 (0.4)", Set: map[string]string{"scan-window": "none", "congestion-control": "1", "release-share": "0.4"}},
			{Name: "v2-4030", Doc: "PR #4030's tiered window, usage = max(main, redo), on the broker it shipped with (no local advance)", Set: map[string]string{"scan-window": "v2-4030", "local-advance": "false"}},
			{Name: "v2-4950", Doc: "PR #4950's window (TiCDC today), usage = max(main, redo)", Set: map[string]string{"scan-window": "v2-4950"}},
			{Name: "v2-4030-min", Doc: "PR #4030's window, usage = min(main, redo), on the broker it shipped with (no local advance)", Set: map[string]string{"scan-window": "v2-4030", "usage-aggregation": "min", "local-advance": "false"}},
			{Name: "v2-4950-min", Doc: "PR #4950's window, usage = min(main, redo)", Set: map[string]string{"scan-window": "v2-4950", "usage-aggregation": "min"}},
		},
		Metrics:    append(scanWindowMetrics(), headlined(changefeedMetrics(), "checkpoint_lag_p99", "throughput", "releases")...),
		Invariants: changefeedInvariants(),
		Duration:   10 * sim.Minute,
		Build:      buildScanWindow,
	}
}

func scanWindowParams() []Param {
	return []Param{
		{Key: "stall-from", Kind: KindDuration, Default: "2m", Doc: "when the downstream slows down"},
		{Key: "stall-until", Kind: KindDuration, Default: "6m", Doc: "when the downstream recovers"},
		{Key: "downstream-slow-factor", Kind: KindFloat, Default: "5", Doc: "latency multiplier of the slowed tables from stall-from to stall-until"},
		{Key: "stall-tables", Kind: KindString, Default: "", Doc: "comma-separated tables that slow down (empty: every table)"},
	}
}

func scanWindowMetrics() []results.MetricDoc {
	return []results.MetricDoc{
		{Name: "interval_min_stall", Unit: "s", Doc: "smallest scan interval on any node during the slowdown (absent without a window)", Headline: true},
		{Name: "reaction_seconds", Unit: "s", Doc: "from stall-from until some node's scan interval first fell below its value at stall-from (absent if it never did)", Headline: true, LowerIsBetter: true},
		{Name: "recovery_seconds", Unit: "s", Doc: "from stall-until until the checkpoint lag is back within twice its median before the slowdown (at least 5 s); censored (the time left as a lower bound) if never", Headline: true, LowerIsBetter: true},
		{Name: "lag_max_stall", Unit: "s", Doc: "largest checkpoint lag from stall-from to the end", Headline: true, LowerIsBetter: true},
		{Name: "interval_before", Unit: "s", Doc: "mean scan interval over nodes at stall-from (absent without a window)"},
		{Name: "interval_mean_stall", Unit: "s", Doc: "mean scan interval over nodes during the slowdown (absent without a window)"},
		{Name: "interval_end", Unit: "s", Doc: "mean scan interval over nodes at the end (absent without a window)"},
		{Name: "usage_max_stall", Unit: "ratio", Doc: "highest main or redo area usage during the slowdown", LowerIsBetter: true},
		{Name: "releases_stall", Unit: "paths", Doc: "paths released by the circuit breaker during the slowdown", LowerIsBetter: true},
	}
}

func buildScanWindow(env *Env) error {
	p := env.P
	from, until := p.Duration("stall-from"), p.Duration("stall-until")
	factor := p.Float("downstream-slow-factor")
	if from < 0 || until <= from {
		return fmt.Errorf("%w: stall-from %v, stall-until %v: want 0 <= from < until", ErrConfig, from, until)
	}
	if factor <= 0 {
		return fmt.Errorf("%w: downstream-slow-factor %v: want > 0", ErrConfig, factor)
	}
	tables, err := parseTables(p.String("stall-tables"))
	if err != nil {
		return fmt.Errorf("%w: stall-tables: %w", ErrConfig, err)
	}
	cl, err := buildChangefeed(env, scanLimitTweak(env))
	if err != nil {
		return err
	}
	a, b := sim.Instant(from), sim.Instant(until)
	cl.Downstream().Stall(a, b, factor, tables...)
	target := "downstream"
	if len(tables) > 0 {
		target = "downstream:" + p.String("stall-tables")
	}
	env.Fault("downstream.stall", target, a, b, fmt.Sprintf("latency x%g", factor))
	env.OnFinish(func() { summarizeScanWindow(env, a, b) })
	return nil
}

// summarizeScanWindow records the interval, reaction, usage and recovery
// scalars from the sampled series.
func summarizeScanWindow(env *Env, from, until sim.Instant) {
	reg := env.Metrics
	intervals := seriesPointsByLabels(reg, "eventservice_scan_interval_seconds")
	windowed := false
	for _, pts := range intervals {
		for _, pt := range pts {
			windowed = windowed || pt.V > 0
		}
	}
	if windowed {
		summarizeIntervals(env, intervals, from, until)
	}
	var usage []float64
	for _, name := range []string{"usage_ratio_main", "usage_ratio_redo"} {
		usage = append(usage, pointValuesIn(reg, name, from, until)...)
	}
	env.Scalar("usage_max_stall", "ratio", maxOf(usage))
	released := sumValuesAt(reg, "collector_paths_released_total", until) - sumValuesAt(reg, "collector_paths_released_total", from)
	env.Scalar("releases_stall", "paths", released)
	lagBefore := pointValuesIn(reg, "checkpoint_lag_seconds", 0, from)
	lagAfter := pointValuesIn(reg, "checkpoint_lag_seconds", from, sim.Instant(env.Duration)+1)
	env.Scalar("lag_max_stall", "s", maxOf(lagAfter))
	bound := max(2*medianValue(lagBefore), 5)
	recovered, ok := sim.Instant(env.Duration), false
	for _, s := range reg.Series() {
		if s.Name != "checkpoint_lag_seconds" {
			continue
		}
		for _, pt := range s.Points {
			if pt.T >= until && pt.V <= bound {
				recovered, ok = pt.T, true
				break
			}
		}
	}
	if !ok {
		env.CensoredScalar("recovery_seconds", "s", max(recovered.Sub(until), 0).Seconds())
		return
	}
	env.Scalar("recovery_seconds", "s", max(recovered.Sub(until), 0).Seconds())
}

// summarizeIntervals records the window's interval scalars.
func summarizeIntervals(env *Env, intervals map[string][]metrics.Point, from, until sim.Instant) {
	keys := make([]string, 0, len(intervals))
	for k := range intervals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var before, end, during []float64
	minStall := math.Inf(1)
	reaction := sim.Duration(-1)
	for _, k := range keys {
		pts := intervals[k]
		at := seriesValueAt(pts, from)
		before = append(before, at)
		if len(pts) > 0 {
			end = append(end, pts[len(pts)-1].V)
		}
		for _, pt := range pts {
			if pt.T < from || pt.T > until {
				continue
			}
			during = append(during, pt.V)
			minStall = min(minStall, pt.V)
			if pt.V < at && (reaction < 0 || pt.T.Sub(from) < reaction) {
				reaction = pt.T.Sub(from)
			}
		}
	}
	env.Scalar("interval_before", "s", meanValue(before))
	env.Scalar("interval_end", "s", meanValue(end))
	if len(during) > 0 {
		env.Scalar("interval_min_stall", "s", minStall)
		env.Scalar("interval_mean_stall", "s", meanValue(during))
	}
	if reaction >= 0 {
		env.Scalar("reaction_seconds", "s", reaction.Seconds())
	}
}

// seriesPointsByLabels returns the points of every series named name, keyed by
// its labels.
func seriesPointsByLabels(reg *metrics.Registry, name string) map[string][]metrics.Point {
	out := map[string][]metrics.Point{}
	for _, s := range reg.Series() {
		if s.Name == name {
			out[seriesLabelKey(s.Labels)] = s.Points
		}
	}
	return out
}

// seriesValueAt returns the value of the last point at or before t (the first
// point's when none is).
func seriesValueAt(pts []metrics.Point, t sim.Instant) float64 {
	if len(pts) == 0 {
		return 0
	}
	v := pts[0].V
	for _, pt := range pts {
		if pt.T > t {
			break
		}
		v = pt.V
	}
	return v
}

// pointValuesIn returns the points of every series named name with from <= T
// < until.
func pointValuesIn(reg *metrics.Registry, name string, from, until sim.Instant) []float64 {
	var out []float64
	for _, s := range reg.Series() {
		if s.Name != name {
			continue
		}
		for _, pt := range s.Points {
			if pt.T >= from && pt.T < until {
				out = append(out, pt.V)
			}
		}
	}
	return out
}

// sumValuesAt sums, over the series named name, each one's value at t.
func sumValuesAt(reg *metrics.Registry, name string, t sim.Instant) float64 {
	total := 0.0
	for _, s := range reg.Series() {
		if s.Name == name {
			total += seriesValueAt(s.Points, t)
		}
	}
	return total
}

func meanValue(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

func medianValue(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
