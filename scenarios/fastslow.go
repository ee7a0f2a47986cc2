package scenarios

import (
	"sort"

	"github.com/redosim/redosim/internal/quantile"
	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
)

// fastSlow is the progress gap between fast and slow dispatchers, and how
// fairly memory and progress are shared, without syncpoints, under
// congestion control v1 (no scan window) and v2 (PR #4950's window).
func fastSlow() *Scenario {
	return &Scenario{
		Name:    "fast-slow",
		Summary: "fast and slow dispatchers without syncpoints: progress gap and memory fairness, congestion control v1 vs v2",
		Doc: "One changefeed replicates 64 tables from 3 capture nodes with a skewed load (Zipf plus two hot " +
			"tables); every fourth table sits behind a downstream 200 times slower, more than those tables' " +
			"share of the load can bear, so they fall behind while the others could keep up. Redo is on and syncpoints " +
			"are off, so nothing makes fast dispatchers wait for slow ones except memory: the question is " +
			"how far apart they drift and who gets the memory. Congestion control v1 reports only available " +
			"bytes and the event service scans every dispatcher as far as quota allows (no scan window); v2 " +
			"adds the usage ratio that drives PR #4950's scan window, which caps every scan at the slowest " +
			"dispatcher's sent resolved ts plus the interval, holding fast dispatchers back to keep slow " +
			"ones fed. Measures the fast/slow checkpoint gap, each area's usage, how often a scan was " +
			"refused for dispatcher or changefeed quota (eventservice_skips by reason), throughput, and two " +
			"fairness measures: lag_fairness, Jain's index over the tables' mean checkpoint lags (1 when " +
			"every table lags alike, 1/n when one table carries all the lag), and path_share_p99, the " +
			"largest dispatcher's share of its congested area's memory. It runs at TiCDC's own constants " +
			"(1 GiB quota, 1 MiB largest scan budget) with the syncpoint scenario's 30 MB/s load.",
		Params: append(withDefaults(changefeedParams(), map[string]string{
			"rows-per-second": "10000", "row-bytes": "lognormal(3000,0.2)", "downstream-workers": "64",
			// Overloaded on purpose: the slow tables' downstream is 200 times
			// slower than their load needs, so the checkpoint (the minimum
			// over tables) creeps and stands still between two of a slow
			// table's batches for longer than any bound the intervals give
			// (both arms, 41 s from 114 s in seed 2). The scenario studies
			// fairness, so liveness is not judged.
			"slow-factor": "200", "syncpoint": "false", "liveness": "false",
		}), scanLimitParam("1MiB")),
		Variants: []Variant{
			{Name: "v1", Doc: "congestion control v1, no scan window", Set: map[string]string{"scan-window": "none", "congestion-control": "1"}},
			{Name: "v2-4950", Doc: "congestion control v2 with PR #4950's window (TiCDC today)", Set: map[string]string{"scan-window": "v2-4950", "congestion-control": "2"}},
		},
		Metrics:    append(fastSlowMetrics(), headlined(changefeedMetrics(), "fast_slow_gap_p99", "throughput")...),
		Invariants: changefeedInvariants(),
		Duration:   5 * sim.Minute,
		Build: func(env *Env) error {
			cl, err := buildChangefeed(env, scanLimitTweak(env))
			if err != nil {
				return err
			}
			newFairnessWatch(env, cl)
			return nil
		},
	}
}

func fastSlowMetrics() []results.MetricDoc {
	return []results.MetricDoc{
		{Name: "lag_fairness", Unit: "index", Doc: "Jain's index over the tables' checkpoint lags at each second, averaged over the run: 1 when every table lags alike, 1/n when one carries all the lag", Headline: true, HigherIsBetter: true},
		{Name: "lag_fairness_p1", Unit: "index", Doc: "1st percentile over the run of the per-second Jain's index (the least fair moments)", HigherIsBetter: true},
		{Name: "mean_lag_fairness", Unit: "index", Doc: "Jain's index over the tables' checkpoint lags averaged over the run", HigherIsBetter: true},
		{Name: "path_share_p99", Unit: "ratio", Doc: "99th percentile, over samples of areas at least half full, of the largest path's share of its area's used bytes", Headline: true, LowerIsBetter: true},
		{Name: "usage_main_p99", Unit: "ratio", Doc: "99th percentile of the highest main area usage over nodes", Headline: true, LowerIsBetter: true},
		{Name: "usage_redo_p99", Unit: "ratio", Doc: "99th percentile of the highest redo area usage over nodes", Headline: true, LowerIsBetter: true},
		{Name: "dispatcher_quota_skips", Unit: "scans", Doc: "scans refused because the dispatcher's path had too little memory left (eventservice_skips reason=dispatcher_quota)", Headline: true, LowerIsBetter: true},
		{Name: "changefeed_quota_skips", Unit: "scans", Doc: "scans refused because the changefeed's available memory was short (eventservice_skips reason=changefeed_quota)", LowerIsBetter: true},
		{Name: "table_lag_max", Unit: "s", Doc: "the largest mean checkpoint lag of any table", LowerIsBetter: true},
		{Name: "table_lag_min", Unit: "s", Doc: "the smallest mean checkpoint lag of any table", LowerIsBetter: true},
		{Name: "eventservice_skips", Unit: "scans", Doc: "refused scans by node, reason and mode (series)"},
		{Name: "collector_path_pending_max_bytes", Unit: "bytes", Doc: "largest path's pending bytes by node and area (series)"},
	}
}

// fairnessWatch samples every event dispatcher's checkpoint lag each
// second and, at the end, records the fairness and congestion scalars.
type fairnessWatch struct {
	env *Env
	cl  *cluster.Cluster
	// lagSum and samples accumulate each table's lag in seconds.
	lagSum  map[int64]float64
	samples map[int64]int
	// moments is Jain's index over the tables' lags at each sample.
	moments []float64
}

func newFairnessWatch(env *Env, cl *cluster.Cluster) *fairnessWatch {
	fw := &fairnessWatch{env: env, cl: cl, lagSum: map[int64]float64{}, samples: map[int64]int{}}
	env.W.Loop.Every(sim.Second, fw.sample)
	env.OnFinish(fw.finish)
	return fw
}

func (fw *fairnessWatch) sample() {
	nowMs := tso.Physical(fw.cl.Upstream().Clock().At(fw.env.W.Now()))
	var lags []float64
	for _, tc := range fw.cl.EventCheckpoints() {
		lag := float64(nowMs-tso.Physical(tc.CheckpointTs)) / 1000
		fw.lagSum[tc.Table] += lag
		fw.samples[tc.Table]++
		lags = append(lags, lag)
	}
	if len(lags) > 0 {
		fw.moments = append(fw.moments, jainIndex(lags))
	}
}

func (fw *fairnessWatch) finish() {
	tables := make([]int64, 0, len(fw.lagSum))
	for t := range fw.lagSum {
		tables = append(tables, t)
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i] < tables[j] })
	lags := make([]float64, 0, len(tables))
	for _, t := range tables {
		lags = append(lags, fw.lagSum[t]/float64(fw.samples[t]))
	}
	env := fw.env
	env.Scalar("lag_fairness", "index", meanValue(fw.moments))
	env.Scalar("lag_fairness_p1", "index", quantileOf(fw.moments, 0.01))
	env.Scalar("mean_lag_fairness", "index", jainIndex(lags))
	if len(lags) > 0 {
		s := append([]float64(nil), lags...)
		sort.Float64s(s)
		env.Scalar("table_lag_min", "s", s[0])
		env.Scalar("table_lag_max", "s", s[len(s)-1])
	}
	env.Scalar("path_share_p99", "ratio", p99(pathShareSamples(env.Metrics)))
	env.Scalar("usage_main_p99", "ratio", p99(allPointValues(env.Metrics, "usage_ratio_main")))
	env.Scalar("usage_redo_p99", "ratio", p99(allPointValues(env.Metrics, "usage_ratio_redo")))
	env.Scalar("dispatcher_quota_skips", "scans", lastSumLabeled(env.Metrics, "eventservice_skips", "reason", "dispatcher_quota"))
	env.Scalar("changefeed_quota_skips", "scans", lastSumLabeled(env.Metrics, "eventservice_skips", "reason", "changefeed_quota"))
}

// jainIndex is Jain's fairness index of xs, (Σx)² / (n·Σx²): 1 when all are
// equal, 1/n when one holds everything; 1 for no data or all zero.
func jainIndex(xs []float64) float64 {
	var sum, sq float64
	for _, x := range xs {
		sum += x
		sq += x * x
	}
	if sq == 0 {
		return 1
	}
	return sum * sum / (float64(len(xs)) * sq)
}

// pathShareMinUsage is the area usage from which a sample counts as
// congested for path_share_p99.
const pathShareMinUsage = 0.5

// pathShareSamples returns, for every sample of every (node, area) whose usage
// is at least pathShareMinUsage, the largest path's pending bytes over
// the area's used bytes.
func pathShareSamples(reg *metrics.Registry) []float64 {
	type point struct{ ratio, used, pathMax float64 }
	byArea := map[string]map[sim.Instant]*point{}
	var order []string
	for _, s := range reg.Series() {
		var set func(p *point, v float64)
		switch s.Name {
		case "collector_usage_ratio":
			set = func(p *point, v float64) { p.ratio = v }
		case "collector_used_bytes":
			set = func(p *point, v float64) { p.used = v }
		case "collector_path_pending_max_bytes":
			set = func(p *point, v float64) { p.pathMax = v }
		default:
			continue
		}
		k := seriesLabelKey(s.Labels)
		pts, ok := byArea[k]
		if !ok {
			pts = map[sim.Instant]*point{}
			byArea[k] = pts
			order = append(order, k)
		}
		for _, p := range s.Points {
			if pts[p.T] == nil {
				pts[p.T] = &point{}
			}
			set(pts[p.T], p.V)
		}
	}
	sort.Strings(order)
	var out []float64
	for _, k := range order {
		pts := byArea[k]
		times := make([]sim.Instant, 0, len(pts))
		for t := range pts {
			times = append(times, t)
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		for _, t := range times {
			if p := pts[t]; p.ratio >= pathShareMinUsage && p.used > 0 {
				out = append(out, min(p.pathMax/p.used, 1))
			}
		}
	}
	return out
}

// allPointValues returns every point of every series named name.
func allPointValues(reg *metrics.Registry, name string) []float64 {
	var out []float64
	for _, s := range reg.Series() {
		if s.Name == name {
			for _, p := range s.Points {
				out = append(out, p.V)
			}
		}
	}
	return out
}

// lastSumLabeled adds the final value of every series named name whose
// label key has value.
func lastSumLabeled(reg *metrics.Registry, name, key, value string) float64 {
	total := 0.0
	for _, s := range reg.Series() {
		if s.Name != name || len(s.Points) == 0 {
			continue
		}
		for _, l := range s.Labels {
			if l.Key == key && l.Value == value {
				total += s.Points[len(s.Points)-1].V
			}
		}
	}
	return total
}

// seriesLabelKey joins labels as key=value pairs, for grouping series.
func seriesLabelKey(labels []metrics.Label) string {
	k := ""
	for _, l := range labels {
		k += l.Key + "=" + l.Value + ","
	}
	return k
}

// quantileOf is the type-7 q-quantile of xs (internal/quantile), or 0 for
// no data: a scalar must be a number, and JSON has no NaN.
func quantileOf(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	return quantile.Of(xs, q)
}
