package scenarios

import (
	"fmt"
	"strings"

	"github.com/redosim/redosim/engine/apply"
	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/check"
)

// disaster stops a changefeed world at a random moment, as if the upstream
// cluster were lost, and recovers the downstream from the redo log.
func disaster() *Scenario {
	return &Scenario{
		Name:    "disaster",
		Summary: "lose the upstream at a random moment, apply redo downstream: RPO, RTO serial vs parallel, consistency",
		Doc: "One changefeed replicates 64 tables from 3 capture nodes with redo on; a quarter of the " +
			"tables sit behind a slow downstream, so the main sink trails the redo log. At a moment " +
			"drawn from the seed in [stop-min, stop-max] the world ends: the upstream is gone and " +
			"TiCDC's `cdc redo apply` runs. It reads the redo meta and every log file, and applies the " +
			"rows and DDLs in (meta checkpoint, meta resolved] to the downstream as it stood " +
			"(reference B). Measures the RPO, the upstream's newest resolved ts minus the meta's " +
			"resolved ts (what the recovery loses), and the RTO, the virtual time the apply takes " +
			"at apply-row-cost per row and apply-ddl-cost per DDL: serially, and with apply-workers " +
			"workers that partition rows by table (hot tables split by key hash) and treat DDLs as " +
			"barriers. Reading and downloading the log are not counted. Checks that the downstream " +
			"plus the applied log equals the upstream as of the meta's resolved ts (the disaster " +
			"invariant), that the parallel apply ends in the serial one's state, and the changefeed " +
			"catalogue up to the stop. The variants put redo on a local NVMe disk (interval or " +
			"commit flush) or on S3-like object storage (2 s or 500 ms flush interval). The world's " +
			"duration is the stop; -duration caps it.",
		Params: append(withDefaults(changefeedParams(), map[string]string{
			"syncpoint": "false", "slow-factor": "10",
		}), disasterParams()...),
		Variants: []Variant{
			{Name: "disk-interval", Doc: "redo on NVMe, flushed every 2 s or 1024 rows (TiCDC's file backend)",
				Set: map[string]string{"redo-storage": "disk", "flush-policy": "interval"}},
			{Name: "disk-commit", Doc: "redo on NVMe, every row batch synced at once (group commit)",
				Set: map[string]string{"redo-storage": "disk", "flush-policy": "commit"}},
			{Name: "object-2s", Doc: "redo on S3-like storage, one PUT every 2 s or 1024 rows (TiCDC's default)",
				Set: map[string]string{"redo-storage": "object", "flush-interval": "2s"}},
			{Name: "object-500ms", Doc: "redo on S3-like storage, flush-interval 500 ms",
				Set: map[string]string{"redo-storage": "object", "flush-interval": "500ms"}},
		},
		Metrics:    append(disasterMetrics(), withHeadlines(changefeedMetrics(), "checkpoint_lag_p99")...),
		Invariants: append(changefeedInvariants(), InvariantDoc{Name: invParallelApply, Doc: disasterParallelDoc}),
		Duration:   150 * sim.Second,
		Build:      buildDisaster,
	}
}

const (
	invParallelApply    = "parallel-apply"
	disasterParallelDoc = "the recovery's parallel apply ends in the state its serial apply reaches"
)

func disasterParams() []Param {
	return []Param{
		{Key: "stop-min", Kind: KindDuration, Default: "30s", Doc: "earliest moment the upstream is lost"},
		{Key: "stop-max", Kind: KindDuration, Default: "150s", Doc: "latest moment the upstream is lost (the stop is drawn uniformly in [stop-min, stop-max])"},
		{Key: "apply-workers", Kind: KindInt, Default: "16", Doc: "parallel apply workers (TiCDC's MySQL sink worker-count: 16 for MySQL, 64 for TiDB)"},
		{Key: "apply-row-cost", Kind: KindDuration, Default: "250us", Doc: "downstream time to apply one row in its own statement, round trip included"},
		{Key: "apply-ddl-cost", Kind: KindDuration, Default: "50ms", Doc: "downstream time to run one DDL"},
		{Key: "apply-split-hot", Kind: KindBool, Default: "true", Doc: "split the hot-tables by key hash over the apply workers"},
	}
}

func disasterMetrics() []results.MetricDoc {
	return []results.MetricDoc{
		{Name: "rpo", Unit: "s", Doc: "upstream resolved ts minus the redo meta's resolved ts at the stop: the changes the recovery loses", Headline: true, LowerIsBetter: true},
		{Name: "rto_serial", Unit: "s", Doc: "virtual time to apply the redo log one record at a time", Headline: true, LowerIsBetter: true},
		{Name: "rto_parallel", Unit: "s", Doc: "virtual time to apply the redo log with apply-workers workers", Headline: true, LowerIsBetter: true},
		{Name: "rto_speedup", Unit: "x", Doc: "rto_serial over rto_parallel", HigherIsBetter: true},
		{Name: "redo_records", Unit: "records", Doc: "rows and DDLs the recovery applies"},
		{Name: "meta_gap", Unit: "s", Doc: "redo meta resolved ts minus meta checkpoint ts: the span of log the recovery replays"},
		{Name: "stop_at", Unit: "s", Doc: "the moment the upstream was lost"},
	}
}

// disasterRun is one disaster world's recovery settings.
type disasterRun struct {
	env     *Env
	cl      *cluster.Cluster
	cost    apply.VirtualConfig
	cfg     apply.Config
	checker *check.Checker
}

func buildDisaster(env *Env) error {
	p := env.P
	if !p.Bool("redo") {
		return fmt.Errorf("%w: redo=false: a disaster recovery needs the redo log", ErrConfig)
	}
	lo, hi := p.Duration("stop-min"), p.Duration("stop-max")
	if lo <= 0 || hi < lo {
		return fmt.Errorf("%w: stop-min %v, stop-max %v: want 0 < stop-min <= stop-max", ErrConfig, lo, hi)
	}
	stop := lo + sim.Duration(env.Rand("scenario/disaster/stop").Uint64N(uint64(hi-lo)+1))
	env.Duration = min(stop, env.Duration)
	dr := &disasterRun{env: env, checker: env.Checks.Add(invParallelApply, disasterParallelDoc)}
	if err := dr.configure(); err != nil {
		return err
	}
	cl, err := buildChangefeed(env, nil)
	if err != nil {
		return err
	}
	dr.cl = cl
	env.Instant("cluster", "disaster", "upstream lost", sim.Instant(env.Duration))
	env.OnFinish(dr.recover)
	return nil
}

// configure reads the apply parameters.
func (dr *disasterRun) configure() error {
	p := dr.env.P
	workers := p.Int("apply-workers")
	if workers < 1 || workers > apply.WorkersMax {
		return fmt.Errorf("%w: apply-workers %d: want 1 to %d", ErrConfig, workers, apply.WorkersMax)
	}
	rowNs, ddlNs := int64(p.Duration("apply-row-cost")), int64(p.Duration("apply-ddl-cost"))
	if rowNs < 0 || ddlNs < 0 || rowNs > apply.CostNsMax || ddlNs > apply.CostNsMax {
		return fmt.Errorf("%w: apply-row-cost and apply-ddl-cost: want 0 to %v", ErrConfig, sim.Duration(apply.CostNsMax))
	}
	dr.cost = apply.VirtualConfig{
		RowCostNs: func(*codec.Row) int64 { return rowNs },
		DDLCostNs: func(*codec.DDL) int64 { return ddlNs },
	}
	dr.cfg = apply.Config{Workers: workers}
	if p.Bool("apply-split-hot") {
		hot, err := parseTables(p.String("hot-tables"))
		if err != nil {
			return fmt.Errorf("%w: hot-tables: %w", ErrConfig, err)
		}
		for _, t := range hot {
			dr.cfg.Hot = append(dr.cfg.Hot, apply.HotTable{TableID: t})
		}
	}
	return nil
}

// recover runs after the stop: the disaster check (the cluster's, which
// the changefeed's finish has also run on the same state) gives the log
// and the downstream; both applies run on copies of it.
func (dr *disasterRun) recover() {
	env := dr.env
	env.Scalar("stop_at", "s", env.Duration.Seconds())
	d, err := dr.cl.CheckDisaster()
	if err != nil || d == nil {
		return // the disaster invariant has recorded why
	}
	env.Scalar("rpo", "s", d.RPOSeconds)
	env.Scalar("redo_records", "records", float64(len(d.Log)))
	env.Scalar("meta_gap", "s", tsSeconds(d.MetaResolvedTs)-tsSeconds(d.MetaCheckpointTs))
	serial := d.State.Clone()
	sres, err := apply.RunVirtualSerial(serial, d.Log, dr.cost)
	if err != nil {
		dr.checker.Failf("serial apply: %v", err)
		return
	}
	plan, err := apply.NewPlan(d.Log, dr.cfg)
	if err != nil {
		dr.checker.Failf("parallel apply plan: %v", err)
		return
	}
	par := d.State.Clone()
	pres, err := apply.RunVirtual(par, plan, dr.cost)
	if err != nil {
		dr.checker.Failf("parallel apply: %v", err)
		return
	}
	if diff := par.Diff(serial, 3); len(diff) > 0 {
		dr.checker.Failf("parallel apply (%d workers) differs from serial: %s", dr.cfg.Workers, strings.Join(diff, "; "))
	} else {
		dr.checker.Pass()
	}
	env.W.Record("scenario/disaster/apply", "recovery", sim.Digest(uint64(len(d.Log)), uint64(par.RowCount()), uint64(sres.MakespanNs), uint64(pres.MakespanNs)))
	rtoS, rtoP := float64(sres.MakespanNs)/1e9, float64(pres.MakespanNs)/1e9
	env.Scalar("rto_serial", "s", rtoS)
	env.Scalar("rto_parallel", "s", rtoP)
	if rtoP > 0 {
		env.Scalar("rto_speedup", "x", rtoS/rtoP)
	}
}

// tsSeconds is a TSO's physical part in seconds.
func tsSeconds(ts uint64) float64 { return float64(tso.Physical(ts)) / 1000 }
