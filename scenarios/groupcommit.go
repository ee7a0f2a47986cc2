package scenarios

import (
	"fmt"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/check"
	"github.com/redosim/redosim/sim/disk"
	"github.com/redosim/redosim/sim/dist"
	"github.com/redosim/redosim/sim/metrics"
)

// groupCommitWriters are the writer counts group-commit sweeps.
var groupCommitWriters = []string{"1", "8", "64"}

// groupCommitThinkMin is the least time a writer spends between an
// acknowledgement and its next append, whatever think-time draws, so that
// no world can spin at one instant.
const groupCommitThinkMin = sim.Microsecond

// groupCommit measures the redo engine alone: how group commit turns
// concurrent writers into throughput, and what each flush policy costs in
// commit latency, on a simulated disk.
func groupCommit() *Scenario {
	var variants []Variant
	for _, policy := range []string{"commit", "interval"} {
		for _, n := range groupCommitWriters {
			doc := "sync before acknowledging; one sync covers every append buffered while the previous ran"
			if policy == "interval" {
				doc = "write and sync every flush-interval (or flush-rows rows); acknowledge after the covering sync"
			}
			variants = append(variants, Variant{Name: fmt.Sprintf("%s-w%s", policy, n),
				Doc: fmt.Sprintf("%s writers; %s", n, doc), Set: map[string]string{"policy": policy, "writers": n}})
		}
	}
	return &Scenario{
		Name:    "group-commit",
		Summary: "the redo engine alone: writers x flush policy x disk -> throughput and commit latency",
		Doc: "No TiCDC model: writers concurrent appenders share one redo engine on one simulated " +
			"disk. Each writer runs a closed loop: append a row of row-bytes, wait for its " +
			"acknowledgement, think for think-time (at least 1 us), append the next. Under the commit " +
			"policy (InnoDB's innodb_flush_log_at_trx_commit=1) an acknowledgement means synced, and " +
			"one sync covers every row appended while the previous sync ran, so more writers mean " +
			"more rows per sync and more throughput at about the same latency: group commit. Under " +
			"the interval policy (TiCDC's flush-interval) the log syncs every flush-interval or after " +
			"flush-rows rows, and a writer waits for the next covering sync. The variants sweep the " +
			"writers under both policies; disk sets the hardware (nvme, cloud-ssd, hdd, local-vm). " +
			"Measures throughput, commit latency, rows per sync and syncs per second in virtual time. " +
			"At the end the disk crashes (unsynced data lost or torn), the engine recovers, and every " +
			"acknowledged row must be in the log.",
		Params: []Param{
			{Key: "writers", Kind: KindInt, Default: "8", Doc: "concurrent writers, each with one append outstanding (1 to 4096)"},
			{Key: "policy", Kind: KindString, Default: "commit", Doc: "flush policy", Choices: []string{"commit", "interval"}},
			{Key: "disk", Kind: KindString, Default: "nvme", Doc: "disk hardware profile", Choices: []string{"nvme", "cloud-ssd", "hdd", "local-vm"}},
			{Key: "flush-interval", Kind: KindDuration, Default: "10ms", Doc: "flush period of the interval policy (TiCDC's 2 s would make the interval variants' latency the interval itself)"},
			{Key: "flush-rows", Kind: KindInt, Default: "1024", Doc: "interval policy: flush early once more rows than this are buffered (-1 or 0: off)"},
			{Key: "think-time", Kind: KindDist, Default: "exp(20us)", Doc: "a writer's time from an acknowledgement to its next append (the rest of its transaction); at least 1us"},
			{Key: "row-bytes", Kind: KindInt, Default: "256", Doc: "framed bytes of each row record (64 to 1 MiB)"},
			{Key: "max-log-size", Kind: KindBytes, Default: "64MiB", Doc: "log file rotation size"},
		},
		Variants: variants,
		Sweep:    "writers",
		Metrics: []results.MetricDoc{
			{Name: "throughput", Unit: "rows/s", Doc: "rows acknowledged per simulated second", Headline: true, HigherIsBetter: true},
			{Name: "commit_latency", Unit: "s", Doc: "append to acknowledgement, per row (a reservoir of at most 65536)", Headline: true, LowerIsBetter: true},
			{Name: "rows_per_sync", Unit: "rows", Doc: "rows appended per row log sync: the group commit factor", Headline: true, HigherIsBetter: true},
			{Name: "syncs_per_second", Unit: "syncs/s", Doc: "row log syncs issued per simulated second", LowerIsBetter: true},
			{Name: "write_bandwidth", Unit: "B/s", Doc: "row log bytes appended per simulated second", HigherIsBetter: true},
			{Name: "group_commit_latency_seconds_p50", Unit: "s", Doc: "median commit latency over each sampling period (series)"},
			{Name: "group_commit_latency_seconds_p99", Unit: "s", Doc: "99th percentile commit latency over each sampling period (series)"},
			{Name: "group_commit_rows_acked_total", Unit: "rows", Doc: "rows acknowledged (series)"},
		},
		Invariants:  []InvariantDoc{{Name: "durability", Doc: groupCommitDurableDoc}},
		Duration:    2 * sim.Second,
		SampleEvery: 100 * sim.Millisecond,
		Build:       buildGroupCommit,
	}
}

const groupCommitDurableDoc = "every row acknowledged before the final disk crash is in the recovered log"

// groupCommitWorld is one group-commit world: the engine, its disk and the
// writers' bookkeeping.
type groupCommitWorld struct {
	env     *Env
	dk      *disk.Disk
	target  simdriver.Target
	cfg     core.Config
	drv     *simdriver.Driver
	think   dist.Dist
	rnd     *sim.Rand
	row     codec.Row // the template every append copies
	nextTs  uint64
	acked   []uint64 // commit ts of every acknowledged row, in ack order
	latency *metrics.Histogram
	ackedN  *metrics.Counter
	durable *check.Checker
}

func buildGroupCommit(env *Env) error {
	p := env.P
	writers, rowBytes := p.Int("writers"), p.Int("row-bytes")
	if writers < 1 || writers > 4096 {
		return fmt.Errorf("%w: writers=%d: want 1 to 4096", ErrConfig, writers)
	}
	if rowBytes < 64 || rowBytes > 1<<20 {
		return fmt.Errorf("%w: row-bytes=%d: want 64 to 1048576", ErrConfig, rowBytes)
	}
	prof, err := disk.ProfileByName(p.String("disk"))
	if err != nil {
		return fmt.Errorf("%w: disk: %w", ErrConfig, err)
	}
	policy, err := core.ParsePolicy(p.String("policy"))
	if err != nil {
		return fmt.Errorf("%w: policy: %w", ErrConfig, err)
	}
	g := &groupCommitWorld{env: env, dk: disk.New(env.W, disk.Config{Name: "disk", Profile: prof}),
		cfg: core.Config{CaptureID: "gc", Changefeed: "groupcommit", Policy: policy, FlushInterval: p.Duration("flush-interval"),
			FlushRows: p.Int("flush-rows"), MaxLogBytes: p.Bytes("max-log-size"), NameSeed: env.W.Streams.Seed()},
		think: p.Dist("think-time"), rnd: env.Rand("scenario/group-commit/think"), nextTs: 1 << 20,
		latency: env.Metrics.Histogram("group_commit_latency_seconds"),
		ackedN:  env.Metrics.Counter("group_commit_rows_acked_total"),
		durable: env.Checks.Add("durability", groupCommitDurableDoc)}
	if g.cfg.FlushRows == 0 {
		g.cfg.FlushRows = -1
	}
	g.target = simdriver.Target{Disk: g.dk, Dir: "redo"}
	g.row = codec.SizedRow(codec.Row{TableID: 1, Key: []byte("w0000-0000000000"), Op: codec.OpInsert, StartTs: 1, CommitTs: 2},
		codec.RowShape{FrameBytes: rowBytes, Columns: 4})
	if g.drv, _, err = simdriver.Open(env.W, g.cfg, g.target); err != nil {
		return fmt.Errorf("%w: engine: %w", ErrConfig, err)
	}
	for w := 0; w < writers; w++ {
		env.W.Loop.At(0, func() { g.append(w, 0) })
	}
	env.OnFinish(g.finish)
	return nil
}

// append issues writer w's seq-th row; its acknowledgement schedules the
// next after a think time.
func (g *groupCommitWorld) append(w int, seq uint64) {
	g.nextTs += 2
	ts := g.nextTs
	row := g.row
	row.Key = fmt.Appendf(make([]byte, 0, 16), "w%04d-%010d", w, seq)
	row.StartTs, row.CommitTs = ts-1, ts
	start := g.env.W.Now()
	g.drv.AppendRow(&row, func(err error) {
		if err != nil {
			return // the engine failed or stopped: this writer is done
		}
		g.acked = append(g.acked, ts)
		g.ackedN.Inc()
		g.latency.Observe(g.env.W.Now().Sub(start).Seconds())
		think := max(sim.Duration(g.think.Sample(g.rnd)), groupCommitThinkMin)
		g.env.W.Loop.After(think, func() { g.append(w, seq+1) })
	})
}

// finish records the numbers, then crashes the disk, recovers the engine
// and checks every acknowledged row survived.
func (g *groupCommitWorld) finish() {
	env := g.env
	secs := env.Duration.Seconds()
	st := g.drv.Engine().Stats().Row
	env.Scalar("throughput", "rows/s", float64(len(g.acked))/secs)
	env.Scalar("syncs_per_second", "syncs/s", float64(st.Syncs)/secs)
	env.Scalar("write_bandwidth", "B/s", float64(st.AppendBytes)/secs)
	if st.Syncs > 0 {
		env.Scalar("rows_per_sync", "rows", float64(st.Appends)/float64(st.Syncs))
	}
	observeHistogram(env, "group_commit_latency_seconds", "commit_latency", "s")
	env.W.Record("scenario/group-commit/end", "engine", sim.Digest(uint64(len(g.acked)), st.Syncs, st.Appends))

	g.drv.Stop()
	g.dk.Crash(env.Rand("scenario/group-commit/crash"))
	if _, _, err := simdriver.Open(env.W, g.cfg, g.target); err != nil {
		g.durable.Failf("recovery after the crash failed: %v", err)
		return
	}
	lost, err := lostRows(g.target, g.acked)
	if err != nil {
		g.durable.Failf("list after recovery: %v", err)
		return
	}
	g.durable.Check(lost == 0, "%d of %d acknowledged rows missing after recovery", lost, len(g.acked))
}
