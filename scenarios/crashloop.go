package scenarios

import (
	"fmt"
	"sort"
	"strings"

	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
	"github.com/redosim/redosim/sim/fault"
)

// crashLoop runs a changefeed through random node crashes and restarts,
// network partitions and power losses drawn from the world's seed, checks
// every invariant throughout, and measures whether progress comes back
// once the faults stop.
func crashLoop() *Scenario {
	return &Scenario{
		Name:    "crash-loop",
		Summary: "random node crashes, partitions and power losses from the seed: invariants, and whether progress recovers (TiCDC vs redoGlobalTs resend)",
		Doc: "The syncpoint scenario's changefeed (64 tables, 3 nodes, redo on a shared NVMe-like disk, a " +
			"syncpoint every 60 s, a quarter of the tables behind a slow downstream) with a 2 MiB quota " +
			"(scan-limit-max scaled with it as 1/1024, TiCDC's ratio): enough to run without faults, " +
			"tight enough for a restart to hurt. It " +
			"suffers faults drawn from the world's seed (stream scenario/crash-loop): `crashes` node " +
			"crashes, each restarting after a crash-down draw, `partitions` network partitions splitting " +
			"the nodes in two for a partition-length draw, and `disk-crashes` power losses (disk.crash: " +
			"every node and the redo disk crash together, unsynced data lost or torn, the nodes back a " +
			"second later). Faults start after fault-from and end at least quiet-tail before the world " +
			"does, so recovery can be seen; every fault is recorded for the report and the seed replays " +
			"the plan exactly. Safety is the point: every invariant must hold whatever the faults. " +
			"Liveness is measured: a restarted capture's redoGlobalTs is 0 until the maintainer's next " +
			"broadcast, which TiCDC sends only when the redo resolved ts rises; under memory pressure the " +
			"restarted node's fenced event dispatchers fill the area its redo dispatchers need to make " +
			"that rise, and the checkpoint never moves again. The variants are TiCDC's behaviour " +
			"(redo-forward-resend 0s) and a periodic re-broadcast (1s) that breaks the cycle. Measures " +
			"stalled_seconds, stall_at_end, the checkpoint lag at the end and `recovered` (1 when the " +
			"checkpoint moved in the last recover-window, after the last fault).",
		Params: append(append(withDefaults(changefeedParams(), map[string]string{
			"rows-per-second": "1000", "memory-quota": "2MiB", "slow-factor": "40",
		}), append([]Param{scanLimitParam("2KiB")}, crashLoopParams()...)...), stallParams()...),
		Variants: []Variant{
			{Name: "ticdc", Doc: "TiCDC: redoGlobalTs is broadcast only when it rises", Set: map[string]string{"redo-forward-resend": "0s"}},
			{Name: "resend", Doc: "the maintainer re-broadcasts redoGlobalTs every second", Set: map[string]string{"redo-forward-resend": "1s"}},
		},
		Metrics: append(append(crashLoopMetrics(), stallMetrics()...),
			headlined(changefeedMetrics(), "checkpoint_lag_p99", "throughput")...),
		Invariants: changefeedInvariants(),
		Duration:   5 * sim.Minute,
		Build:      buildCrashLoop,
	}
}

func crashLoopParams() []Param {
	return []Param{
		{Key: "crashes", Kind: KindInt, Default: "3", Doc: "node crashes, each on a node drawn uniformly"},
		{Key: "crash-down", Kind: KindDist, Default: "uniform(2s,10s)", Doc: "how long a crashed node stays down"},
		{Key: "partitions", Kind: KindInt, Default: "2", Doc: "network partitions, each splitting the nodes into two drawn groups"},
		{Key: "partition-length", Kind: KindDist, Default: "uniform(2s,15s)", Doc: "how long a partition lasts"},
		{Key: "disk-crashes", Kind: KindInt, Default: "1", Doc: "power losses: every node and the redo disk crash at once (needs redo-storage=disk)"},
		{Key: "fault-from", Kind: KindDuration, Default: "30s", Doc: "no fault starts earlier"},
		{Key: "quiet-tail", Kind: KindDuration, Default: "90s", Doc: "every fault is over this long before the world ends (a world shorter than fault-from + quiet-tail uses a tenth and three tenths of its length)"},
		{Key: "recover-window", Kind: KindDuration, Default: "30s", Doc: "recovered = 1 when the checkpoint moved in this last stretch of the world, after the last fault"},
	}
}

func crashLoopMetrics() []results.MetricDoc {
	return []results.MetricDoc{
		{Name: "recovered", Unit: "bool", Doc: "1 when the changefeed checkpoint moved in the last recover-window, after the last fault; 0 when it stayed stuck", Headline: true, HigherIsBetter: true},
		{Name: "faults", Unit: "faults", Doc: "faults injected (node crashes, partitions, power losses)"},
	}
}

// crashPlan is the drawn fault schedule.
type crashPlan struct {
	entries []fault.Entry
	// lastEnd is when the last fault is over.
	lastEnd sim.Instant
}

func buildCrashLoop(env *Env) error {
	cl, err := buildChangefeed(env, scanLimitTweak(env))
	if err != nil {
		return err
	}
	plan, err := drawCrashPlan(env, cl.Nodes())
	if err != nil {
		return err
	}
	for _, e := range plan.entries {
		switch e.Name {
		case "node.crash":
			err = scheduleNode(env, cl, e)
		case "net.partition":
			err = schedulePartition(env, cl, e)
		case ActionDiskCrash:
			err = scheduleDiskCrash(env, cl, e)
		}
		if err != nil {
			return fmt.Errorf("%w: crash-loop plan: %s: %w", ErrConfig, e, err)
		}
	}
	pw := newProgressWatch(env, cl)
	window := env.P.Duration("recover-window")
	env.OnFinish(func() { summarizeCrashLoop(env, pw, plan, window) })
	return nil
}

// drawCrashPlan draws the faults from the stream scenario/crash-loop, in
// a fixed order: crashes, partitions, power losses.
func drawCrashPlan(env *Env, nodes int) (crashPlan, error) {
	p := env.P
	r := env.Rand("scenario/crash-loop")
	// A world too short for fault-from and quiet-tail keeps their shape:
	// a tenth of it before the faults, three tenths after.
	from, tail := p.Duration("fault-from"), p.Duration("quiet-tail")
	if from < 0 || tail < 0 {
		return crashPlan{}, fmt.Errorf("%w: fault-from %v, quiet-tail %v: want >= 0", ErrConfig, from, tail)
	}
	if from+tail >= env.Duration {
		from, tail = env.Duration/10, env.Duration*3/10
	}
	end := env.Duration - tail
	var plan crashPlan
	if end-from < sim.Second {
		return plan, nil // a world too short for any fault (simrun's configuration probe)
	}
	counts := map[string]int{"crashes": p.Int("crashes"), "partitions": p.Int("partitions"), "disk-crashes": p.Int("disk-crashes")}
	for _, k := range []string{"crashes", "partitions", "disk-crashes"} {
		if counts[k] < 0 {
			return crashPlan{}, fmt.Errorf("%w: %s=%d: want >= 0", ErrConfig, k, counts[k])
		}
	}
	if nodes < 2 && counts["partitions"] > 0 {
		return crashPlan{}, fmt.Errorf("%w: partitions need at least 2 nodes", ErrConfig)
	}
	// window draws a span of length d (capped to fit) starting in [from, end-d).
	window := func(d sim.Duration) (sim.Instant, sim.Instant) {
		d = min(max(d, sim.Millisecond), end-from)
		at := from + sim.Duration(r.Int64N(int64(end-from-d)+1))
		return sim.Instant(at), sim.Instant(at + d)
	}
	add := func(e fault.Entry, until sim.Instant) {
		plan.entries = append(plan.entries, e)
		plan.lastEnd = max(plan.lastEnd, until)
	}
	for range counts["crashes"] {
		target := fmt.Sprintf("n%d", 1+r.IntN(nodes))
		a, b := window(dist.Duration(p.Dist("crash-down"), r))
		add(fault.Entry{Name: "node.crash", Target: target, Mode: fault.InWindow, From: a, Until: b}, b)
	}
	for range counts["partitions"] {
		target := partitionTarget(r, nodes)
		a, b := window(dist.Duration(p.Dist("partition-length"), r))
		add(fault.Entry{Name: "net.partition", Target: target, Mode: fault.InWindow, From: a, Until: b}, b)
	}
	for range counts["disk-crashes"] {
		a, _ := window(sim.Second)
		add(fault.Entry{Name: ActionDiskCrash, Mode: fault.AtTime, From: a}, a+sim.Instant(sim.Second))
	}
	sort.SliceStable(plan.entries, func(i, j int) bool { return plan.entries[i].From < plan.entries[j].From })
	return plan, nil
}

// partitionTarget draws a split of n nodes into two non-empty groups, as
// "n1,n3|n2": a coin per node, and if every coin fell alike one node
// drawn to change sides.
func partitionTarget(r *sim.Rand, n int) string {
	side := make([]bool, n)
	first := 0
	for i := range side {
		side[i] = r.IntN(2) == 1
		if side[i] {
			first++
		}
	}
	if first == 0 || first == n {
		i := r.IntN(n)
		side[i] = !side[i]
	}
	var a, b []string
	for i, inFirst := range side {
		id := fmt.Sprintf("n%d", i+1)
		if inFirst {
			a = append(a, id)
		} else {
			b = append(b, id)
		}
	}
	return strings.Join(a, ",") + "|" + strings.Join(b, ",")
}

// summarizeCrashLoop records the recovery scalars.
func summarizeCrashLoop(env *Env, pw *progressWatch, plan crashPlan, window sim.Duration) {
	now := env.W.Now()
	since := max(plan.lastEnd, now-sim.Instant(window))
	recovered := 0.0
	if pw.movedSince(since) {
		recovered = 1
	}
	env.Scalar("recovered", "bool", recovered)
	env.Scalar("faults", "faults", float64(len(plan.entries)))
}
