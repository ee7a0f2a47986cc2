package scenarios

import (
	"fmt"
	"math"
	"strings"

	"github.com/redosim/redosim/engine/apply"
	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/check"
	"github.com/redosim/redosim/sim/dist"
)

// parallelApplyHotTable is the table that gets hot-share of the rows when
// skew is hot, and the one split by key range.
const parallelApplyHotTable = 1

// parallelApply measures the redo engine's replay alone: how the makespan
// of applying one log falls with workers, and what one hot table and
// key-range splitting do to it.
func parallelApply() *Scenario {
	variant := func(name, doc, workers, split string) Variant {
		return Variant{Name: name, Doc: doc, Set: map[string]string{"workers": workers, "split": split}}
	}
	return &Scenario{
		Name:    "parallel-apply",
		Summary: "redo replay alone: workers x skew x key-range split -> makespan, parallel state == serial state",
		Doc: "No TiCDC model: the world generates a redo log of rows (row changes in transactions " +
			"of txn-rows rows over tables tables, keys keys each; 50 % inserts, 40 % updates, 10 % " +
			"deletes) with ddls DDLs spread evenly (add column, every fourth a truncate), sorts it " +
			"into apply order, and replays it in virtual time (engine/apply RunVirtual): a reader " +
			"spends read-cost per record and hands each row to the worker that owns its table, a " +
			"worker spends row-cost per row, and every DDL is a barrier that waits for every worker " +
			"to drain and then runs alone for ddl-cost (docs/FIDELITY.md; openGauss' parallel redo). " +
			"Rows that a later truncate erases are skipped (openGauss' invalid pages). With " +
			"skew=hot table 1 gets hot-share of the rows, so the worker that owns it bounds the " +
			"speedup at 1/hot-share whatever the workers; split cuts table 1 into key ranges " +
			"(split-parts, default one per worker) placed like tables. The variants sweep the " +
			"workers, with and without the split. Measures the makespan, the speedup over a " +
			"one-worker replay of the same plan, the time spent at barriers and the workers' " +
			"imbalance. Checks that the parallel replay ends in exactly the state of the reference " +
			"serial replay (RunVirtualSerial). The world's clock only hosts the run; the replay " +
			"keeps its own virtual time.",
		Params: []Param{
			{Key: "workers", Kind: KindInt, Default: "8", Doc: "apply workers (1 to 256); 1 is a serial replay through the same reader"},
			{Key: "split", Kind: KindBool, Default: "false", Doc: "split table 1 into key ranges over the workers"},
			{Key: "split-parts", Kind: KindInt, Default: "0", Doc: "key ranges of table 1 when split (0: one per worker)"},
			{Key: "skew", Kind: KindString, Default: "hot", Doc: "row distribution over tables", Choices: []string{"uniform", "hot"}},
			{Key: "hot-share", Kind: KindFloat, Default: "0.5", Doc: "share of rows that go to table 1 when skew is hot"},
			{Key: "rows", Kind: KindInt, Default: "200000", Doc: "row changes in the log (1 to 10000000)"},
			{Key: "tables", Kind: KindInt, Default: "32", Doc: "tables the rows spread over (1 to 100000)"},
			{Key: "keys", Kind: KindInt, Default: "20000", Doc: "primary keys per table (1 to 100000000)"},
			{Key: "txn-rows", Kind: KindDist, Default: "lognormal(4,0.7)", Doc: "rows per transaction (one commit ts)"},
			{Key: "ddls", Kind: KindInt, Default: "10", Doc: "DDLs spread evenly through the log (barriers)"},
			{Key: "row-cost", Kind: KindDuration, Default: "50us", Doc: "a worker's time to apply one row downstream"},
			{Key: "ddl-cost", Kind: KindDuration, Default: "10ms", Doc: "time to run one DDL downstream, alone"},
			{Key: "read-cost", Kind: KindDuration, Default: "1us", Doc: "the reader's time to decode and dispatch one record"},
			{Key: "placement", Kind: KindString, Default: "balanced", Doc: "how partitions map to workers: balanced (largest first on the least loaded) or hash", Choices: []string{"balanced", "hash"}},
		},
		Variants: []Variant{
			variant("serial", "one worker: every row in log order", "1", "false"),
			variant("w4", "4 workers, a table per partition", "4", "false"),
			variant("w8", "8 workers, a table per partition", "8", "false"),
			variant("w16", "16 workers, a table per partition", "16", "false"),
			variant("w4-split", "4 workers, table 1 split into 4 key ranges", "4", "true"),
			variant("w8-split", "8 workers, table 1 split into 8 key ranges", "8", "true"),
			variant("w16-split", "16 workers, table 1 split into 16 key ranges", "16", "true"),
		},
		Sweep: "workers",
		Metrics: []results.MetricDoc{
			{Name: "makespan", Unit: "s", Doc: "virtual time from the first read to the last record applied", Headline: true, LowerIsBetter: true},
			{Name: "speedup", Unit: "x", Doc: "makespan of the same plan with one worker over this one's: what the workers buy", Headline: true, HigherIsBetter: true},
			{Name: "worker_imbalance", Unit: "ratio", Doc: "busiest worker's busy time over the mean", Headline: true, LowerIsBetter: true},
			{Name: "serial_makespan", Unit: "s", Doc: "makespan of the reference serial replay (RunVirtualSerial: every record in order, reading not overlapped, nothing discarded)"},
			{Name: "rows_discarded", Unit: "rows", Doc: "rows the plan skips because a later truncate of their table erases them"},
			{Name: "barrier_wait", Unit: "s", Doc: "reader's time waiting for workers to drain at DDL barriers", LowerIsBetter: true},
			{Name: "reader_blocked", Unit: "s", Doc: "reader's time waiting for room in a full worker queue", LowerIsBetter: true},
			{Name: "log_records", Unit: "records", Doc: "rows and DDLs in the log"},
		},
		Invariants: []InvariantDoc{{Name: invParallelReplay, Doc: parallelReplayDoc}},
		Duration:   sim.Second,
		Build:      buildParallelApply,
	}
}

const (
	invParallelReplay = "parallel-replay"
	parallelReplayDoc = "the parallel replay ends in exactly the state the serial replay reaches (Digest and Equal)"
)

// parallelApplyWorld is one parallel-apply world's settings.
type parallelApplyWorld struct {
	env     *Env
	gen     applyLogGen
	cfg     apply.Config
	cost    apply.VirtualConfig
	checker *check.Checker
}

// applyLogGen generates the log.
type applyLogGen struct {
	rows, tables, keys, ddls int
	hotShare                 float64 // 0: uniform
	txnRows                  dist.Dist
}

func buildParallelApply(env *Env) error {
	p := env.P
	pw := &parallelApplyWorld{env: env, checker: env.Checks.Add(invParallelReplay, parallelReplayDoc),
		gen: applyLogGen{rows: p.Int("rows"), tables: p.Int("tables"), keys: p.Int("keys"), ddls: p.Int("ddls"),
			txnRows: p.Dist("txn-rows")}}
	g := &pw.gen
	switch {
	case g.rows < 1 || g.rows > 10_000_000:
		return fmt.Errorf("%w: rows=%d: want 1 to 10000000", ErrConfig, g.rows)
	case g.tables < 1 || g.tables > 100_000:
		return fmt.Errorf("%w: tables=%d: want 1 to 100000", ErrConfig, g.tables)
	case g.keys < 1 || g.keys > 100_000_000:
		return fmt.Errorf("%w: keys=%d: want 1 to 100000000", ErrConfig, g.keys)
	case g.ddls < 0 || g.ddls > g.rows:
		return fmt.Errorf("%w: ddls=%d: want 0 to rows", ErrConfig, g.ddls)
	}
	if p.String("skew") == "hot" {
		g.hotShare = p.Float("hot-share")
		if g.hotShare < 0 || g.hotShare > 1 {
			return fmt.Errorf("%w: hot-share=%v: want 0 to 1", ErrConfig, g.hotShare)
		}
	}
	if err := pw.configure(); err != nil {
		return err
	}
	env.W.Loop.At(0, pw.run)
	return nil
}

// configure reads the replay's parameters into an apply.Config and a cost
// model.
func (pw *parallelApplyWorld) configure() error {
	p := pw.env.P
	pw.cfg = apply.Config{Workers: p.Int("workers")}
	if p.String("placement") == "hash" {
		pw.cfg.Placement = apply.PlaceHash
	}
	if w := pw.cfg.Workers; w < 1 || w > apply.WorkersMax {
		return fmt.Errorf("%w: workers=%d: want 1 to %d", ErrConfig, w, apply.WorkersMax)
	}
	if p.Bool("split") {
		parts := p.Int("split-parts")
		if parts == 0 {
			parts = pw.cfg.Workers
		}
		if parts < 1 || parts > min(apply.PartitionsMax, pw.gen.keys) {
			return fmt.Errorf("%w: split-parts=%d: want 1 to min(%d, keys)", ErrConfig, parts, apply.PartitionsMax)
		}
		pw.cfg.Hot = []apply.HotTable{{TableID: parallelApplyHotTable, Splits: rangeSplits(pw.gen.keys, parts)}}
	}
	rowNs, ddlNs, readNs := int64(p.Duration("row-cost")), int64(p.Duration("ddl-cost")), int64(p.Duration("read-cost"))
	for _, ns := range []int64{rowNs, ddlNs, readNs} {
		if ns < 0 || ns > apply.CostNsMax {
			return fmt.Errorf("%w: row-cost, ddl-cost and read-cost: want 0 to %v", ErrConfig, sim.Duration(apply.CostNsMax))
		}
	}
	pw.cost = apply.VirtualConfig{ReadCostNs: readNs,
		RowCostNs: func(*codec.Row) int64 { return rowNs },
		DDLCostNs: func(*codec.DDL) int64 { return ddlNs }}
	return nil
}

// rangeSplits returns the parts-1 split points that cut keys [0, keys)
// into parts equal ranges (keys are named by applyKey, so byte order is
// numeric order).
func rangeSplits(keys, parts int) [][]byte {
	var out [][]byte
	for i := 1; i < parts; i++ {
		out = append(out, applyKey(int64(i)*int64(keys)/int64(parts)))
	}
	return out
}

// applyKey names key k of a table; fixed width keeps byte order numeric.
func applyKey(k int64) []byte { return fmt.Appendf(nil, "k%09d", k) }

// run generates the log and replays it serially and in parallel.
func (pw *parallelApplyWorld) run() {
	env := pw.env
	recs, err := apply.SortForApply(pw.gen.generate(env.Rand("scenario/parallel-apply/log")))
	if err != nil {
		pw.checker.Failf("generated log: %v", err)
		return
	}
	env.Scalar("log_records", "records", float64(len(recs)))
	serial := mustState()
	sres, err := apply.RunVirtualSerial(serial, recs, pw.cost)
	if err != nil {
		pw.checker.Failf("serial replay: %v", err)
		return
	}
	one := pw.cfg
	one.Workers = 1
	_, ores, err := pw.replay(recs, one)
	if err != nil {
		pw.checker.Failf("one-worker replay: %v", err)
		return
	}
	par, pres, err := pw.replay(recs, pw.cfg)
	if err != nil {
		pw.checker.Failf("parallel replay: %v", err)
		return
	}
	if diff := par.Diff(serial, 3); len(diff) > 0 || par.Digest() != serial.Digest() {
		pw.checker.Failf("parallel replay (%d workers) differs from serial: digest %x vs %x: %s",
			pw.cfg.Workers, par.Digest(), serial.Digest(), strings.Join(diff, "; "))
	} else {
		pw.checker.Pass()
	}
	env.W.Record("scenario/parallel-apply/replay", "apply", sim.Digest(par.Digest(), uint64(sres.MakespanNs), uint64(pres.MakespanNs)))
	pw.record(sres, ores, pres)
}

// replay runs recs through a plan of cfg into an empty state.
func (pw *parallelApplyWorld) replay(recs []codec.Record, cfg apply.Config) (*apply.State, apply.VirtualResult, error) {
	plan, err := apply.NewPlan(recs, cfg)
	if err != nil {
		return nil, apply.VirtualResult{}, err
	}
	st := mustState()
	res, err := apply.RunVirtual(st, plan, pw.cost)
	return st, res, err
}

// record reports the makespans of the serial (sres), one-worker (ores)
// and parallel (pres) replays.
func (pw *parallelApplyWorld) record(sres, ores, pres apply.VirtualResult) {
	env := pw.env
	env.Scalar("makespan", "s", float64(pres.MakespanNs)/1e9)
	env.Scalar("serial_makespan", "s", float64(sres.MakespanNs)/1e9)
	if pres.MakespanNs > 0 {
		env.Scalar("speedup", "x", float64(ores.MakespanNs)/float64(pres.MakespanNs))
	}
	env.Scalar("rows_discarded", "rows", float64(pres.Stats.RowsDiscarded))
	env.Scalar("barrier_wait", "s", float64(pres.BarrierWaitNs)/1e9)
	env.Scalar("reader_blocked", "s", float64(pres.ReaderBlockedNs)/1e9)
	var busyMax, busySum int64
	for _, b := range pres.BusyNs {
		busyMax, busySum = max(busyMax, b), busySum+b
	}
	if busySum > 0 {
		env.Scalar("worker_imbalance", "ratio", float64(busyMax)*float64(len(pres.BusyNs))/float64(busySum))
	}
}

// mustState returns an empty downstream with the default (versioned,
// digested) configuration, which cannot fail.
func mustState() *apply.State {
	st, err := apply.NewState(apply.StateConfig{})
	if err != nil {
		panic(fmt.Sprintf("scenarios: default apply state: %v", err)) // a bug: the zero config is valid
	}
	return st
}

// generate draws the log: transactions of txnRows rows, each row on a
// table (table 1 with probability hotShare, else uniform over the rest or,
// uniform skew, over all) and a uniform key, not repeating a (table, key)
// within a transaction; a DDL on a uniformly drawn table after every
// rows/(ddls+1) rows.
func (g *applyLogGen) generate(r *sim.Rand) []codec.Record {
	recs := make([]codec.Record, 0, g.rows+g.ddls)
	ts := uint64(1 << 20)
	every := g.rows / (g.ddls + 1)
	ddlsLeft, rows := g.ddls, 0
	for rows < g.rows {
		ts += 2
		n := min(max(int(math.Round(g.txnRows.Sample(r))), 1), g.rows-rows)
		seen := make(map[[2]int64]bool, n)
		for i := 0; i < n; i++ {
			t, k := g.table(r), int64(r.IntN(g.keys))
			if seen[[2]int64{t, k}] {
				continue
			}
			seen[[2]int64{t, k}] = true
			recs = append(recs, codec.Record{Type: codec.TypeRow, Row: g.row(r, t, k, ts)})
		}
		rows += n
		if ddlsLeft > 0 && rows >= every*(g.ddls-ddlsLeft+1) {
			ts += 2
			kind := codec.DDLAddColumn
			if (g.ddls-ddlsLeft)%4 == 3 {
				kind = codec.DDLTruncate
			}
			t := 1 + int64(r.IntN(g.tables))
			recs = append(recs, codec.Record{Type: codec.TypeDDL, DDL: codec.DDL{StartTs: ts - 1, CommitTs: ts, Kind: kind,
				Query: fmt.Sprintf("%s table %d", kind, t), Blocked: []int64{t}}})
			ddlsLeft--
		}
	}
	return recs
}

// table draws a row's table.
func (g *applyLogGen) table(r *sim.Rand) int64 {
	if g.hotShare > 0 && (g.tables == 1 || r.Float64() < g.hotShare) {
		return parallelApplyHotTable
	}
	if g.hotShare > 0 {
		return 2 + int64(r.IntN(g.tables-1))
	}
	return 1 + int64(r.IntN(g.tables))
}

// row draws a row change: 50 % inserts, 40 % updates, 10 % deletes.
func (g *applyLogGen) row(r *sim.Rand, table, key int64, ts uint64) codec.Row {
	row := codec.Row{TableID: table, Key: applyKey(key), StartTs: ts - 1, CommitTs: ts}
	switch x := r.IntN(10); {
	case x < 5:
		row.Op = codec.OpInsert
	case x < 9:
		row.Op = codec.OpUpdate
	default:
		row.Op = codec.OpDelete
	}
	if row.Op != codec.OpDelete {
		row.Columns = [][]byte{fmt.Appendf(nil, "v%d", ts)}
	}
	return row
}
