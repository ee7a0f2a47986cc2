package scenarios

import (
	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim/metrics"
)

// buildChangefeed builds and starts a changefeed world from env's
// parameters, and registers the end-of-world checks and summary scalars.
// tweak, when set, adjusts the configuration first.
func buildChangefeed(env *Env, tweak func(*cluster.Config)) (*cluster.Cluster, error) {
	cfg, err := clusterConfig(env)
	if err != nil {
		return nil, err
	}
	if tweak != nil {
		tweak(&cfg)
	}
	cl, err := cluster.Build(env.W, env.Metrics, env.Checks, env, cfg)
	if err != nil {
		return nil, configError(err)
	}
	if err := cl.Start(); err != nil {
		return nil, configError(err)
	}
	if err := scheduleActions(env, cl); err != nil {
		return nil, err
	}
	env.OnFinish(func() {
		cl.Finish()
		summarize(env, cl)
	})
	return cl, nil
}

func configError(err error) error {
	return &wrapConfig{err}
}

// wrapConfig marks a model configuration error as a scenario one.
type wrapConfig struct{ err error }

func (w *wrapConfig) Error() string { return w.err.Error() }
func (w *wrapConfig) Unwrap() []error {
	return []error{ErrConfig, w.err}
}

// summarize records the headline numbers of a changefeed world.
func summarize(env *Env, cl *cluster.Cluster) {
	series := map[string][]float64{}
	for _, s := range env.Metrics.Series() {
		for _, p := range s.Points {
			series[s.Name] = append(series[s.Name], p.V)
		}
	}
	env.Scalar("checkpoint_lag_p99", "s", p99(series["checkpoint_lag_seconds"]))
	env.Scalar("fast_slow_gap_p99", "s", p99(series["fast_slow_gap_seconds"]))
	env.Scalar("redo_lag_p99", "s", p99(series["redo_lag_seconds"]))
	env.Scalar("usage_max", "ratio", maxOf(append(series["usage_ratio_main"], series["usage_ratio_redo"]...)))
	// Distinct upstream rows the final checkpoint covers: a row applied
	// again after a reset or a restart counts once.
	env.Scalar("throughput", "rows/s", float64(cl.Upstream().RowsThrough(cl.CheckpointTs()))/env.Duration.Seconds())
	env.Scalar("releases", "paths", lastSum(env.Metrics, "collector_paths_released_total"))
	env.Scalar("resets", "dispatchers", lastSum(env.Metrics, "collector_resets_total"))
	// A barrier the world ended inside has no duration, only a lower
	// bound: recorded as censored, never as a value.
	if m := cl.Maintainer(); m != nil {
		if age, ok := m.OldestPendingBarrier(msg.ModeMain); ok {
			env.CensoredScalar("barrier_unfinished", "s", age.Seconds())
		}
	}
	for _, h := range env.Metrics.Histograms() {
		if h.Name == "maintainer_barrier_seconds" {
			for _, v := range h.Values {
				env.Observe("barrier_duration", "s", v)
			}
		}
	}
}

// p99 is the type-7 99th percentile, or 0 for no data (see quantileOf).
func p99(vals []float64) float64 { return quantileOf(vals, 0.99) }

func maxOf(vals []float64) float64 {
	m := 0.0
	for _, v := range vals {
		m = max(m, v)
	}
	return m
}

// lastSum adds the final value of every series named name (one per label
// set).
func lastSum(reg *metrics.Registry, name string) float64 {
	total := 0.0
	for _, s := range reg.Series() {
		if s.Name == name && len(s.Points) > 0 {
			total += s.Points[len(s.Points)-1].V
		}
	}
	return total
}
