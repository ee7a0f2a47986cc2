package scenarios

import (
	"fmt"

	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
)

// redoFlushLatencies are the PUT latency levels redo-flush compares: the
// median of a lognormal with sigma 0.3, from a fast in-region store to a
// slow or throttled one (reference F: S3 PUT 20-200 ms).
var redoFlushLatencies = []string{"20ms", "200ms", "1s"}

// redoFlush measures TiCDC's 1024-row flush trigger on object storage:
// objects written, their sizes, lag and throughput.
func redoFlush() *Scenario {
	var variants []Variant
	for _, lat := range redoFlushLatencies {
		for _, on := range []bool{true, false} {
			name, rows, doc := "on-"+lat, "1024", "flush after 1024 buffered rows or every flush-interval (TiCDC)"
			if !on {
				name, rows, doc = "off-"+lat, "-1", "flush every flush-interval only (tiflow's memory writer)"
			}
			variants = append(variants, Variant{Name: name, Doc: fmt.Sprintf("%s; PUT median %s", doc, lat),
				Set: map[string]string{"flush-rows": rows, "put-latency": fmt.Sprintf("lognormal(%s,0.3)", lat)}})
		}
	}
	return &Scenario{
		Name:    "redo-flush",
		Summary: "redo's 1024-row flush trigger on vs off against object-store PUT latency: objects, sizes, lag",
		Doc: "One changefeed replicates 64 tables from 3 capture nodes, each capture writing its redo " +
			"rows to S3-like object storage, where every flush uploads the open file as one object " +
			"(TiCDC's memory backend, docs/FIDELITY.md section 8). TiCDC flushes every flush-interval (2 s) and also " +
			"as soon as more than 1024 rows are buffered; under load the trigger makes an object every " +
			"1024 rows per capture (issue #5936: 1.8-3.9 MiB objects, writer 100 % busy). A flush waits " +
			"while the previous one's PUT is in flight, so a slow PUT batches what arrives meanwhile. " +
			"The variants turn the trigger on and off at three PUT latency medians. The load, 4500 " +
			"rows/s (1500 per capture), buffers about 3000 rows per capture in a flush interval, so " +
			"the trigger fires. Measures row objects written and their sizes, rows per object, the " +
			"durable redo lag, the checkpoint lag, redo memory usage and throughput.",
		Params: withDefaults(changefeedParams(), map[string]string{
			"redo-storage": "object", "syncpoint": "false", "slow-share": "0", "rows-per-second": "4500",
		}),
		Variants:   variants,
		Metrics:    append(redoFlushMetrics(), withHeadlines(changefeedMetrics(), "throughput")...),
		Invariants: changefeedInvariants(),
		Duration:   90 * sim.Second,
		Build: func(env *Env) error {
			cl, err := buildChangefeed(env, nil)
			if err != nil {
				return err
			}
			env.OnFinish(func() { summarizeRedoFlush(env, cl) })
			return nil
		},
	}
}

// redoFlushMetrics documents what summarizeRedoFlush records.
func redoFlushMetrics() []results.MetricDoc {
	return []results.MetricDoc{
		{Name: "row_objects_per_second", Unit: "objects/s", Doc: "row log objects uploaded per simulated second, all captures", Headline: true},
		{Name: "row_object_bytes", Unit: "bytes", Doc: "size of each row log object uploaded", Headline: true},
		{Name: "rows_per_object", Unit: "rows", Doc: "row records per row log object"},
		{Name: "redo_lag_mean", Unit: "s", Doc: "mean durable redo resolved ts lag", Headline: true, LowerIsBetter: true},
		{Name: "checkpoint_lag_mean", Unit: "s", Doc: "mean changefeed checkpoint (main sink) lag", LowerIsBetter: true},
		{Name: "redo_put_latency", Unit: "s", Doc: "latency of each redo PUT (latency draw plus size over bandwidth)", LowerIsBetter: true},
	}
}

// summarizeRedoFlush records redo-flush's numbers. The engine counters
// are those of the running engines (see cluster.RedoStats).
func summarizeRedoFlush(env *Env, cl *cluster.Cluster) {
	st := cl.RedoStats().Row
	env.Scalar("row_objects_per_second", "objects/s", float64(st.FilesSealed)/env.Duration.Seconds())
	for _, b := range st.SealedBytes {
		env.Observe("row_object_bytes", "bytes", float64(b))
	}
	if st.FilesSealed > 0 {
		env.Scalar("rows_per_object", "rows", float64(st.Appends)/float64(st.FilesSealed))
	}
	env.Scalar("redo_lag_mean", "s", mean(seriesValues(env.Metrics, "redo_lag_seconds")))
	env.Scalar("checkpoint_lag_mean", "s", mean(seriesValues(env.Metrics, "checkpoint_lag_seconds")))
}
