package scenarios

import (
	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
)

// memoryPressure is a changefeed under a memory quota too small for its
// syncpoint barriers, with the collector's release circuit breaker on and
// off: the deadlock the breaker exists to break, measured as the time the
// checkpoint stands still.
func memoryPressure() *Scenario {
	return &Scenario{
		Name:    "memory-pressure",
		Summary: "one node at 1 GiB whose downstream cannot keep up, with syncpoints: the release circuit breaker on vs off, and the deadlock it breaks",
		Doc: "One changefeed replicates 32 tables on one capture node at 4 000 rows/s of about 3 KB " +
			"(12 MB/s), redo on, a syncpoint every 60 s and a quarter of the tables behind a slow " +
			"downstream of 12 workers that cannot keep up, at TiCDC's constants (1 GiB quota, half for " +
			"redo, the 1 MiB largest scan budget). Fast dispatchers reach each syncpoint " +
			"first and their queued events above it fill the collector's main area; the slow dispatchers " +
			"that must reach the syncpoint, and the redo dispatchers whose progress lifts the redo fence, " +
			"then find no memory (Available = min(main, redo) = 0) and are no longer scanned: a cycle in " +
			"which nothing moves. TiCDC's circuit breaker (usage above 60 % with no dequeue for 5 s, or " +
			"150 %) releases the most advanced blocked paths, which reset and rescan later. The variants " +
			"switch it on and off. Measures how long the changefeed checkpoint stands still (stalled_seconds: " +
			"every stall of at least stall-threshold; longest_stall; stall_at_end, non-zero when the world " +
			"ends stuck), releases and resets, lag and throughput. The invariants must hold either way: " +
			"a stall is a liveness failure, measured here, not a safety one. Note the breaker runs only " +
			"when an event is appended to a full area, and consecutive resolved events collapse before " +
			"its check, as in TiCDC: a node whose dispatchers get no new events cannot release, so the " +
			"breaker-on arm stalls too in some seeds.",
		Params: append(withDefaults(changefeedParams(), map[string]string{
			"nodes": "1", "tables": "32", "rows-per-second": "4000", "row-bytes": "lognormal(3000,0.2)",
			"downstream-workers": "12", "slow-factor": "40",
			"syncpoint": "true", "syncpoint-interval": "60s",
		}), append([]Param{scanLimitParam("1MiB")}, stallParams()...)...),
		Variants: []Variant{
			{Name: "breaker-on", Doc: "TiCDC's release circuit breaker", Set: map[string]string{"breaker": "true"}},
			{Name: "breaker-off", Doc: "no release: a full area stays full", Set: map[string]string{"breaker": "false"}},
		},
		Metrics: append(stallMetrics(), headlined(changefeedMetrics(),
			"releases", "checkpoint_lag_p99", "throughput")...),
		Invariants: changefeedInvariants(),
		Duration:   20 * sim.Minute,
		Build: func(env *Env) error {
			cl, err := buildChangefeed(env, scanLimitTweak(env))
			if err != nil {
				return err
			}
			newProgressWatch(env, cl)
			return nil
		},
	}
}

// scanLimitParam is the largest per-dispatcher scan budget, with the
// default def. TiCDC's 1 MiB is 1/1024 of its 1 GiB quota; a world whose
// quota is scaled down with its load scales the budget too, or the budget,
// once grown, exceeds a path's whole max pending (a tenth of an area) and
// every scan is refused for dispatcher quota until low memory resets it.
func scanLimitParam(def string) Param {
	return Param{Key: "scan-limit-max", Kind: KindBytes, Default: def,
		Doc: "largest per-dispatcher scan budget (TiCDC maxScanLimitInBytes, 1MiB); above a path's max pending (a tenth of an area) a grown budget makes every scan fail for dispatcher quota"}
}

// scanLimitTweak applies scan-limit-max to a world's configuration.
func scanLimitTweak(env *Env) func(*cluster.Config) {
	return func(cfg *cluster.Config) { cfg.EventService.ScanLimitMaxBytes = env.P.Bytes("scan-limit-max") }
}

// stallParams are the parameters of the checkpoint stall measure.
func stallParams() []Param {
	return []Param{
		{Key: "stall-threshold", Kind: KindDuration, Default: "10s",
			Doc: "a changefeed checkpoint standing still at least this long counts as a stall (sampled every second)"},
	}
}

// stallMetrics documents what progressWatch records.
func stallMetrics() []results.MetricDoc {
	return []results.MetricDoc{
		{Name: "stalled_seconds", Unit: "s", Doc: "total time the changefeed checkpoint stood still, counting stalls of at least stall-threshold", Headline: true, LowerIsBetter: true},
		{Name: "longest_stall", Unit: "s", Doc: "the longest time the changefeed checkpoint stood still", Headline: true, LowerIsBetter: true},
		{Name: "stall_at_end", Unit: "s", Doc: "how long the checkpoint had not moved when the world ended (0 when it moved in the last stall-threshold)", LowerIsBetter: true},
		{Name: "checkpoint_lag_end", Unit: "s", Doc: "changefeed checkpoint lag when the world ended", LowerIsBetter: true},
		{Name: "resets", Unit: "dispatchers", Doc: "dispatcher resets (after releases, drops and restarts)", LowerIsBetter: true},
		{Name: "checkpoint_stall_seconds", Unit: "s", Doc: "time since the changefeed checkpoint last moved (series)"},
	}
}

// headlined returns docs with Headline set only on the named metrics.
func headlined(docs []results.MetricDoc, names ...string) []results.MetricDoc {
	on := map[string]bool{}
	for _, n := range names {
		on[n] = true
	}
	out := append([]results.MetricDoc(nil), docs...)
	for i := range out {
		out[i].Headline = on[out[i].Name]
	}
	return out
}

// progressWatch samples the persisted changefeed checkpoint every second
// and measures how long it stands still. A stall is a stretch of samples
// with the same checkpoint; stretches of at least the threshold count in
// stalled_seconds and are drawn on the timeline.
type progressWatch struct {
	env       *Env
	cl        *cluster.Cluster
	threshold sim.Duration
	gauge     *metrics.Gauge
	lastTs    uint64
	lastMove  sim.Instant
	stalled   sim.Duration
	longest   sim.Duration
	// moved reports whether the checkpoint was ever seen to move.
	moved bool
}

// progressSampleEvery is the progress watch's sampling period.
const progressSampleEvery = sim.Second

// newProgressWatch starts the watch and registers its summary at finish.
func newProgressWatch(env *Env, cl *cluster.Cluster) *progressWatch {
	pw := &progressWatch{env: env, cl: cl, threshold: env.P.Duration("stall-threshold"),
		gauge: env.Metrics.Gauge("checkpoint_stall_seconds"), lastTs: cl.CheckpointTs(), lastMove: env.W.Now()}
	env.W.Loop.Every(progressSampleEvery, pw.sample)
	env.OnFinish(pw.finish)
	return pw
}

func (pw *progressWatch) sample() {
	now := pw.env.W.Now()
	if ck := pw.cl.CheckpointTs(); ck != pw.lastTs {
		pw.closeStall(now)
		pw.lastTs, pw.lastMove, pw.moved = ck, now, true
	}
	pw.gauge.Set(now.Sub(pw.lastMove).Seconds())
}

// closeStall accounts the stall that ends at now.
func (pw *progressWatch) closeStall(now sim.Instant) {
	d := now.Sub(pw.lastMove)
	pw.longest = max(pw.longest, d)
	if d >= pw.threshold {
		pw.stalled += d
		pw.env.Span("cluster", "checkpoint-stall", "checkpoint still", pw.lastMove, now)
	}
}

// movedSince reports whether the checkpoint moved at or after t.
func (pw *progressWatch) movedSince(t sim.Instant) bool {
	return pw.moved && pw.lastMove >= t
}

// stallAtEnd is how long the checkpoint had not moved at now, 0 below
// the threshold.
func (pw *progressWatch) stallAtEnd(now sim.Instant) sim.Duration {
	if d := now.Sub(pw.lastMove); d >= pw.threshold {
		return d
	}
	return 0
}

func (pw *progressWatch) finish() {
	now := pw.env.W.Now()
	end := pw.stallAtEnd(now)
	pw.closeStall(now)
	pw.env.Scalar("stalled_seconds", "s", pw.stalled.Seconds())
	pw.env.Scalar("longest_stall", "s", pw.longest.Seconds())
	pw.env.Scalar("stall_at_end", "s", end.Seconds())
	clock := pw.cl.Upstream().Clock()
	lagMs := tso.Physical(clock.At(now)) - tso.Physical(pw.cl.CheckpointTs())
	pw.env.Scalar("checkpoint_lag_end", "s", float64(lagMs)/1000)
}
