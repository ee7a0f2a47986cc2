package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/model/collector"
	"github.com/redosim/redosim/model/downstream"
	"github.com/redosim/redosim/model/scanwindow"
	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/disk"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/objstore"
)

// changefeedParams are the parameters every changefeed scenario shares,
// with TiCDC's defaults; a scenario overrides some defaults with
// withDefaults. Names follow TiCDC's configuration where one exists.
func changefeedParams() []Param {
	return []Param{
		{Key: "nodes", Kind: KindInt, Default: "3", Doc: "capture nodes; the maintainer runs on the first"},
		{Key: "tables", Kind: KindInt, Default: "64", Doc: "upstream tables, spread round robin over the nodes"},
		{Key: "rows-per-second", Kind: KindFloat, Default: "1000", Doc: "upstream row changes per second, all tables"},
		{Key: "skew", Kind: KindFloat, Default: "0.8", Doc: "Zipf exponent of the write load over tables (0: uniform)"},
		{Key: "hot-tables", Kind: KindString, Default: "1,2", Doc: "comma-separated tables that get hot-share of the rows"},
		{Key: "hot-share", Kind: KindFloat, Default: "0.3", Doc: "share of rows going to the hot tables"},
		{Key: "txn-rows", Kind: KindDist, Default: "lognormal(4,0.7)", Doc: "rows per upstream transaction"},
		{Key: "row-bytes", Kind: KindDist, Default: "lognormal(300,0.2)", Doc: "encoded bytes per row"},
		{Key: "ddl-per-minute", Kind: KindFloat, Default: "0", Doc: "upstream DDL rate (create, drop, truncate, add column)"},
		{Key: "downstream-workers", Kind: KindInt, Default: "16", Doc: "downstream transactions executed at once (MySQL sink worker-count)"},
		{Key: "downstream-txn-latency", Kind: KindDist, Default: "lognormal(2ms,0.4)", Doc: "downstream cost of one transaction"},
		{Key: "downstream-row-latency", Kind: KindDist, Default: "const(50us)", Doc: "downstream cost of each row"},
		{Key: "slow-share", Kind: KindFloat, Default: "0.25", Doc: "share of tables behind a slow downstream (every k-th table, k = 1/share)"},
		{Key: "slow-factor", Kind: KindFloat, Default: "10", Doc: "latency multiplier of the slow tables"},
		{Key: "redo", Kind: KindBool, Default: "true", Doc: "redo log on (TiCDC consistent.level = eventual)"},
		{Key: "redo-storage", Kind: KindString, Default: "disk", Doc: "where redo lands", Choices: []string{"disk", "object"}},
		{Key: "redo-disk", Kind: KindString, Default: "nvme", Doc: "redo disk hardware profile", Choices: disk.Profiles()},
		{Key: "put-latency", Kind: KindDist, Default: "lognormal(30ms,0.5)", Doc: "object-store PUT latency before size/bandwidth"},
		{Key: "flush-policy", Kind: KindString, Default: "interval", Doc: "redo row log flush policy", Choices: []string{"interval", "commit"}},
		{Key: "flush-interval", Kind: KindDuration, Default: "2s", Doc: "redo flush interval (consistent.flush-interval)"},
		{Key: "flush-rows", Kind: KindInt, Default: "1024", Doc: "redo early flush after this many rows (-1: off)"},
		{Key: "meta-flush-interval", Kind: KindDuration, Default: "200ms", Doc: "redo meta flush interval (consistent.meta-flush-interval)"},
		{Key: "max-log-size", Kind: KindBytes, Default: "64MiB", Doc: "redo file rotation size (consistent.max-log-size)"},
		{Key: "syncpoint", Kind: KindBool, Default: "true", Doc: "syncpoints on (enable-sync-point)"},
		{Key: "syncpoint-interval", Kind: KindDuration, Default: "60s", Doc: "syncpoint interval (sync-point-interval)"},
		{Key: "memory-quota", Kind: KindBytes, Default: "1GiB", Doc: "changefeed memory quota per node (memory-quota)"},
		{Key: "redo-quota-percent", Kind: KindInt, Default: "50", Doc: "redo share of the memory quota (consistent.memory-usage.memory-quota-percentage)"},
		{Key: "scan-window", Kind: KindString, Default: "v2-4950", Doc: "the event service's scan window", Choices: []string{"none", "v2-4030", "v2-4950"}},
		{Key: "congestion-control", Kind: KindInt, Default: "2", Doc: "congestion control message version", Choices: []string{"1", "2"}},
		{Key: "usage-aggregation", Kind: KindString, Default: "max", Doc: "how main and redo usage combine into the ratio the window sees", Choices: []string{"max", "min"}},
		{Key: "breaker", Kind: KindBool, Default: "true", Doc: "the collector's release circuit breaker"},
		{Key: "fence", Kind: KindString, Default: "batch", Doc: "redo fence: cache whole batches (TiCDC) or hand out the covered prefix", Choices: []string{"batch", "prefix"}},
		{Key: "local-advance", Kind: KindBool, Default: "true", Doc: "the event service steps a range the window collapsed past a pending DDL or syncpoint (TiCDC PRs #4460, #5547; off: the broker PR #4030 shipped with)"},
		{Key: "release-share", Kind: KindFloat, Default: "0.6", Doc: "share of an area's pending bytes one breaker release frees (TiCDC 0.6; 0.4 before PR #4030)"},
		{Key: "window-catch-up", Kind: KindBool, Default: "false", Doc: "after each minSentTs refresh, scan every idle dispatcher below both its received resolved ts and the window's end (the fix of TiCDC issue #6028, requestScanWindowCatchUp; off: as the reference snapshot, it waits for the next notification)"},
		{Key: "idle-beyond-window", Kind: KindBool, Default: "false", Doc: "a dispatcher with no data in its whole received range sends the range's end, not the window-capped one, as its resolved ts (the fix of TiCDC issue #6038; off: as the reference snapshot)"},
		{Key: "report-zero-available", Kind: KindBool, Default: "true", Doc: "congestion reports list dispatchers with no path memory left (the fix of TiCDC issue #4899, PR #4902; off: they are left out and the event service keeps scanning on a stale amount)"},
		{Key: "redo-forward-flushed-only", Kind: KindBool, Default: "true", Doc: "the maintainer forwards redoGlobalTs only from a flushed redo meta (TiCDC PR #3426, ref #1061; off: the computed resolved ts at once, before its meta is durable, as before the fix)"},
		{Key: "redo-forward-resend", Kind: KindDuration, Default: "0s", Doc: "maintainer re-sends redoGlobalTs this often (0: only when it rises, as TiCDC; a restarted node can then deadlock behind the fence)"},
		{Key: "net-latency", Kind: KindDist, Default: "lognormal(250us,0.5)", Doc: "one-way network latency between nodes"},
		{Key: "scaled-thresholds", Kind: KindBool, Default: "false", Doc: "scale TiCDC's low-memory mark (256 MiB), largest scan budget and path floor (1 MiB) with the quota, as quota/4, quota/1024, quota/1024 (off: TiCDC's constants; on only for small worlds, never by default)"},
		{Key: "expect-progress", Kind: KindBool, Default: "true", Doc: "the world must make progress, so the syncpoint checks must have judged something by the end (false: a safety-only world, as the swarm runs outside its liveness domain)"},
		{Key: "liveness", Kind: KindBool, Default: "true", Doc: "judge liveness: once the last fault's effect is over, the checkpoint and the durable redo resolved ts must rise within every liveness bound (four times the periodic delays on their way, at least 40s); off with expect-progress=false"},
		{Key: "liveness-bound", Kind: KindDuration, Default: "0s", Doc: "how long the checkpoint may stand still once the world is quiet (0: derived, four times the periodic delays on its way, at least 40s and, with syncpoints, two intervals)"},
		{Key: "liveness-min-advance", Kind: KindDuration, Default: "0s", Doc: "the least rise (TSO physical time) that counts as advancing for liveness (0: any rise; an overloaded changefeed that creeps is slow, not stuck)"},
		{Key: "tick-phases", Kind: KindBool, Default: "true", Doc: "start every periodic component (redo and meta flush, reports, heartbeats, ticks, upstream resolved ts) at a phase drawn from the seed, per node (false: all in phase, an artefact)"},
		{Key: "per-dispatcher-metrics", Kind: KindBool, Default: "false", Doc: "keep scan metrics per dispatcher (series grow with the tables; off: per node and mode)"},
	}
}

// withDefaults returns params with some defaults replaced.
func withDefaults(params []Param, defaults map[string]string) []Param {
	out := append([]Param(nil), params...)
	for i := range out {
		if v, ok := defaults[out[i].Key]; ok {
			out[i].Default = v
		}
	}
	return out
}

// changefeedMetrics documents the metrics changefeed worlds record.
func changefeedMetrics() []results.MetricDoc {
	return []results.MetricDoc{
		{Name: "checkpoint_lag_p99", Unit: "s", Doc: "99th percentile of the changefeed checkpoint lag over the run", Headline: true, LowerIsBetter: true},
		{Name: "fast_slow_gap_p99", Unit: "s", Doc: "99th percentile of the spread of event dispatcher checkpoints", Headline: true, LowerIsBetter: true},
		{Name: "throughput", Unit: "rows/s", Doc: "distinct upstream rows applied downstream per second: the rows at or below the final changefeed checkpoint, each once (re-applies after resets and restarts do not count)", Headline: true, HigherIsBetter: true},
		{Name: "barrier_duration", Unit: "s", Doc: "syncpoint and DDL barrier, first WAITING to last DONE", Headline: true, LowerIsBetter: true},
		{Name: "barrier_unfinished", Unit: "s", Doc: "how long the oldest syncpoint or DDL barrier still open at the end had waited: censored (a lower bound on its duration), absent when every barrier finished", LowerIsBetter: true},
		{Name: "usage_max", Unit: "ratio", Doc: "highest collector area usage", LowerIsBetter: true},
		{Name: "redo_lag_p99", Unit: "s", Doc: "99th percentile of the durable redo resolved ts lag", LowerIsBetter: true},
		{Name: "releases", Unit: "paths", Doc: "paths released by the circuit breaker", LowerIsBetter: true},
		{Name: "checkpoint_lag_seconds", Unit: "s", Doc: "changefeed checkpoint lag (series)"},
		{Name: "fast_slow_gap_seconds", Unit: "s", Doc: "fast minus slow event dispatcher checkpoint (series)"},
		{Name: "redo_lag_seconds", Unit: "s", Doc: "durable redo resolved ts lag (series)"},
		{Name: "usage_ratio_main", Unit: "ratio", Doc: "highest main area usage over nodes (series)", Refs: usageRefs()},
		{Name: "usage_ratio_redo", Unit: "ratio", Doc: "highest redo area usage over nodes (series)", Refs: usageRefs()},
		{Name: "eventservice_scan_interval_seconds", Unit: "s", Doc: "scan window interval (series)"},
		{Name: "downstream_rows_per_second", Unit: "rows/s", Doc: "downstream throughput (series)"},
		{Name: "syncpoint_delay", Unit: "s", Doc: "syncpoint ts to syncpoint row written", LowerIsBetter: true},
		{Name: "dispatcher_fence_wait_seconds", Unit: "s", Doc: "time batches wait in the redo fence cache", LowerIsBetter: true},
		{Name: "redo_sync_latency", Unit: "s", Doc: "redo fsync latency", LowerIsBetter: true},
	}
}

// usageRefs are the lines drawn on usage plots: the quota (usage 1) and
// the collector breaker's hard limit.
func usageRefs() []results.Ref {
	return []results.Ref{{Value: 1, Label: "quota"}, {Value: collector.DefaultHardLimit, Label: "breaker hard limit"}}
}

// changefeedInvariants documents the catalogue every changefeed world checks.
func changefeedInvariants() []InvariantDoc {
	var out []InvariantDoc
	for _, inv := range cluster.Invariants() {
		out = append(out, InvariantDoc{Name: inv[0], Doc: inv[1]})
	}
	return out
}

// clusterConfig maps the resolved parameters onto a cluster configuration.
func clusterConfig(env *Env) (cluster.Config, error) {
	p := env.P
	// The model reads 0 as "use the default" for these: an explicit 0
	// would run the default while the report says 0.
	zero := map[string]bool{"nodes": p.Int("nodes") == 0, "tables": p.Int("tables") == 0,
		"rows-per-second": p.Float("rows-per-second") == 0, "downstream-workers": p.Int("downstream-workers") == 0,
		"memory-quota": p.Bytes("memory-quota") == 0, "redo-quota-percent": p.Int("redo-quota-percent") == 0,
		"slow-factor": p.Float("slow-factor") == 0}
	for _, k := range []string{"nodes", "tables", "rows-per-second", "downstream-workers", "memory-quota", "redo-quota-percent", "slow-factor"} {
		if zero[k] {
			return cluster.Config{}, fmt.Errorf("%w: %s=%s: 0 is not meaningful (the model would fall back to its default); give a positive value",
				ErrConfig, k, p.String(k))
		}
	}
	hot, err := parseTables(p.String("hot-tables"))
	if err != nil {
		return cluster.Config{}, fmt.Errorf("%w: hot-tables: %w", ErrConfig, err)
	}
	cfg := cluster.Config{
		Nodes: p.Int("nodes"),
		Upstream: upstream.Config{Tables: p.Int("tables"), RowsPerSecond: p.Float("rows-per-second"),
			Skew: negZero(p.Float("skew")), HotTables: hot, HotShare: negZero(p.Float("hot-share")),
			TxnRows: p.Dist("txn-rows"), RowBytes: p.Dist("row-bytes"), DDLPerMinute: negZero(p.Float("ddl-per-minute"))},
		Downstream: downstream.Config{Workers: p.Int("downstream-workers"), TxnLatency: p.Dist("downstream-txn-latency"),
			RowLatency: p.Dist("downstream-row-latency")},
		SlowShare: p.Float("slow-share"), SlowFactor: p.Float("slow-factor"),
		MemoryQuotaBytes: p.Bytes("memory-quota"), RedoQuotaPercent: p.Int("redo-quota-percent"),
		Network: netsim.Config{Default: netsim.LinkConfig{Latency: p.Dist("net-latency")}},
	}
	cfg.EventService.PerDispatcherMetrics = p.Bool("per-dispatcher-metrics")
	cfg.TickPhases = p.Bool("tick-phases")
	cfg.ScaledThresholds = p.Bool("scaled-thresholds")
	cfg.NoProgressPromised = !p.Bool("expect-progress")
	cfg.Liveness = cluster.LivenessConfig{Judged: p.Bool("liveness") && p.Bool("expect-progress"), FaultsOverAt: FaultsOverAt(env.Plan),
		MinAdvance: p.Duration("liveness-min-advance"), Bound: p.Duration("liveness-bound")}
	if len(hot) == 0 {
		cfg.Upstream.HotShare = -1
	}
	if p.Bool("syncpoint") {
		cfg.SyncPointInterval = p.Duration("syncpoint-interval")
	}
	if err := redoConfig(env, &cfg); err != nil {
		return cfg, err
	}
	if err := controlConfig(env, &cfg); err != nil {
		return cfg, err
	}
	for _, pt := range env.Plan.Points() {
		if strings.HasPrefix(pt, "bug/model/") || strings.HasPrefix(pt, "mutant/") {
			cfg.Bugs = append(cfg.Bugs, pt)
		}
	}
	return cfg, nil
}

// negZero maps an explicit 0 to the negative value the model reads as
// "zero" (its zero value means "default").
func negZero(v float64) float64 {
	if v == 0 {
		return -1
	}
	return v
}

func redoConfig(env *Env, cfg *cluster.Config) error {
	p := env.P
	policy, err := core.ParsePolicy(p.String("flush-policy"))
	if err != nil {
		return fmt.Errorf("%w: flush-policy: %w", ErrConfig, err)
	}
	cfg.Redo = cluster.RedoConfig{Enabled: p.Bool("redo"), Storage: p.String("redo-storage"), DiskProfile: p.String("redo-disk"),
		Engine: core.Config{Policy: policy, FlushInterval: p.Duration("flush-interval"), FlushRows: p.Int("flush-rows"),
			MetaFlushInterval: p.Duration("meta-flush-interval"), MaxLogBytes: p.Bytes("max-log-size")}}
	if cfg.Redo.Engine.FlushRows == 0 {
		cfg.Redo.Engine.FlushRows = -1
	}
	oc := objstore.DefaultConfig()
	oc.PutLatency = p.Dist("put-latency")
	cfg.Redo.Object = oc
	if d := p.Duration("flush-interval"); d < 50*sim.Millisecond {
		return fmt.Errorf("%w: flush-interval %v: TiCDC requires at least 50ms", ErrConfig, d)
	}
	return nil
}

func controlConfig(env *Env, cfg *cluster.Config) error {
	p := env.P
	alg, err := scanwindow.ParseAlgorithm(p.String("scan-window"))
	if err != nil {
		return fmt.Errorf("%w: scan-window: %w", ErrConfig, err)
	}
	cfg.EventService.Window.Algorithm = alg
	cfg.EventService.CongestionControlVersion = p.Int("congestion-control")
	cfg.Collector.CongestionVersion = p.Int("congestion-control")
	cfg.Collector.Aggregation = p.String("usage-aggregation")
	cfg.Collector.Breaker.Disabled = !p.Bool("breaker")
	cfg.Dispatcher.FencePrefix = p.String("fence") == "prefix"
	cfg.Maintainer.ForwardResend = p.Duration("redo-forward-resend")
	cfg.Maintainer.ForwardUnflushedMeta = !p.Bool("redo-forward-flushed-only")
	cfg.EventService.ContinueWindowLimited = p.Bool("window-catch-up")
	cfg.EventService.IdleBeyondWindow = p.Bool("idle-beyond-window")
	cfg.EventService.NoLocalAdvance = !p.Bool("local-advance")
	rs := p.Float("release-share")
	if rs <= 0 || rs > 1 {
		return fmt.Errorf("%w: release-share %v: want a share in (0, 1]", ErrConfig, rs)
	}
	cfg.Collector.Breaker.ReleaseShare = rs
	cfg.Collector.OmitZeroAvailable = !p.Bool("report-zero-available")
	return nil
}

func parseTables(s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a table id", f)
		}
		out = append(out, n)
	}
	return out, nil
}
