package scenarios

import (
	"fmt"
	"slices"

	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
)

// redoLagIntervals are the flush intervals redo-lag sweeps, written in one
// unit so the sweep plots read them on one axis.
var redoLagIntervals = []struct{ name, value string }{
	{"500ms", "500ms"}, {"1s", "1000ms"}, {"2s", "2000ms"}, {"4s", "4000ms"},
}

// redoLag measures what redo on object storage costs in lag, and what the
// prefix fence gives back.
func redoLag() *Scenario {
	var variants []Variant
	for _, fence := range []string{"batch", "prefix"} {
		for _, iv := range redoLagIntervals {
			doc := "TiCDC's fence: a batch waits whole until its last event is at or below redoGlobalTs"
			if fence == "prefix" {
				doc = "the covered prefix of a batch is handed on at once; only the rest waits"
			}
			variants = append(variants, Variant{Name: fence + "-" + iv.name,
				Doc: fmt.Sprintf("%s; flush-interval %s", doc, iv.name),
				Set: map[string]string{"fence": fence, "flush-interval": iv.value}})
		}
	}
	return &Scenario{
		Name:    "redo-lag",
		Summary: "redo on object storage: redo and sink lag against flush-interval, batch vs prefix fence",
		Doc: "One changefeed replicates 64 tables from 3 capture nodes with redo on S3-like object " +
			"storage (every flush is one PUT of put-latency plus size at 100 MB/s). The event " +
			"dispatchers may write only below redoGlobalTs, the durable redo resolved ts the maintainer " +
			"broadcasts, so the sink trails redo by the fence's latency budget: writer flush " +
			"(flush-interval or 1024 rows), heartbeat 200 ms, maintainer redo tick 1 s, meta flush " +
			"200 ms plus a PUT, and the collect tick (again flush-interval) (docs/FIDELITY.md section 8; issue " +
			"#3957 reports over 5 s of lag with redo). The variants sweep flush-interval under two " +
			"fences: TiCDC's, which caches a whole batch while its last event is above the fence " +
			"(issue #6026: the covered prefix waits too), and a prefix fence that hands the covered " +
			"part on at once. Measures the durable redo lag, the checkpoint (main sink) lag, the time " +
			"batches wait in the fence, PUTs and throughput. Syncpoints are off and no table is slow, " +
			"so the lag is the fence's alone.",
		Params: withDefaults(changefeedParams(), map[string]string{
			"redo-storage": "object", "put-latency": "lognormal(50ms,0.6)", "syncpoint": "false",
			"slow-share": "0", "rows-per-second": "2000",
		}),
		Variants:   variants,
		Sweep:      "flush-interval",
		Metrics:    append(redoLagMetrics(), withHeadlines(changefeedMetrics(), "throughput")...),
		Invariants: changefeedInvariants(),
		Duration:   2 * sim.Minute,
		Build: func(env *Env) error {
			cl, err := buildChangefeed(env, nil)
			if err != nil {
				return err
			}
			env.OnFinish(func() { summarizeRedoLag(env, cl) })
			return nil
		},
	}
}

// redoLagMetrics documents what summarizeRedoLag records.
func redoLagMetrics() []results.MetricDoc {
	return []results.MetricDoc{
		{Name: "redo_lag_mean", Unit: "s", Doc: "mean durable redo resolved ts lag (now minus the flushed meta's resolved ts)", Headline: true, LowerIsBetter: true},
		{Name: "checkpoint_lag_mean", Unit: "s", Doc: "mean changefeed checkpoint (main sink) lag", Headline: true, LowerIsBetter: true},
		{Name: "fence_wait", Unit: "s", Doc: "time a batch (or, with the prefix fence, its uncovered rest) waited in an event dispatcher's fence cache, per release", Headline: true, LowerIsBetter: true},
		{Name: "fence_held_events", Unit: "events", Doc: "events held in fence caches on average (event-seconds spent there over simulated seconds, by Little's law)", Headline: true, LowerIsBetter: true},
		{Name: "redo_puts_per_second", Unit: "puts/s", Doc: "object-store PUTs of row, DDL and meta objects per simulated second"},
		{Name: "redo_put_latency", Unit: "s", Doc: "latency of each redo PUT (latency draw plus size over bandwidth)", LowerIsBetter: true},
	}
}

// summarizeRedoLag records redo-lag's numbers from the world's metrics.
func summarizeRedoLag(env *Env, cl *cluster.Cluster) {
	env.Scalar("redo_lag_mean", "s", mean(seriesValues(env.Metrics, "redo_lag_seconds")))
	env.Scalar("checkpoint_lag_mean", "s", mean(seriesValues(env.Metrics, "checkpoint_lag_seconds")))
	observeHistogram(env, dispatcher.MetricFenceWait, "fence_wait", "s")
	var eventSeconds float64
	for i := 0; i < cl.Nodes(); i++ {
		l := metrics.L("node", string(cl.Node(i).ID()))
		eventSeconds += env.Metrics.Counter(dispatcher.MetricFenceWaitEvents, l).Value()
	}
	env.Scalar("fence_held_events", "events", eventSeconds/env.Duration.Seconds())
	if st := cl.RedoTarget().Store; st != nil {
		env.Scalar("redo_puts_per_second", "puts/s", float64(st.Stats().Puts)/env.Duration.Seconds())
	}
}

// withHeadlines returns docs with Headline set only on the named metrics,
// so a scenario's summary table leads with its own numbers.
func withHeadlines(docs []results.MetricDoc, names ...string) []results.MetricDoc {
	out := append([]results.MetricDoc(nil), docs...)
	for i := range out {
		out[i].Headline = slices.Contains(names, out[i].Name)
	}
	return out
}

// seriesValues returns every sampled point of every series named name.
func seriesValues(reg *metrics.Registry, name string) []float64 {
	var out []float64
	for _, s := range reg.Series() {
		if s.Name != name {
			continue
		}
		for _, p := range s.Points {
			out = append(out, p.V)
		}
	}
	return out
}

// observeHistogram copies the kept observations of every histogram named
// hist (one per label set) into the world's sample named sample.
func observeHistogram(env *Env, hist, sample, unit string) {
	for _, h := range env.Metrics.Histograms() {
		if h.Name != hist {
			continue
		}
		for _, v := range h.Values {
			env.Observe(sample, unit, v)
		}
	}
}

// mean is the arithmetic mean (0 for no data).
func mean(vals []float64) float64 {
	if len(vals) == 0 {
		return 0
	}
	sum := 0.0
	for _, v := range vals {
		sum += v
	}
	return sum / float64(len(vals))
}
