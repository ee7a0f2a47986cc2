package swarm

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redosim/redosim/scenarios"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/fault"
)

// ScenarioName is the scenario every generated world runs: the syncpoint
// changefeed world, whose parameters cover every knob a World draws.
const ScenarioName = "syncpoint"

// World is one generated changefeed world: the configuration of the
// syncpoint scenario and a fault schedule. Every field maps onto one
// scenario parameter (Set) or one fault-plan entry (Plan), so a World
// prints as a replay command and a repro file, and a shrunk World is just
// another World. Durations are virtual time.
type World struct {
	// Seed is the world seed every random stream of the run derives from;
	// a generated World also draws its configuration from it (Generate).
	Seed uint64
	// Duration is the simulated time: 80 to 120 s when generated.
	Duration sim.Duration

	// The workload.
	Nodes             int     // capture nodes, 1..4
	Tables            int     // upstream tables, 2..32
	RowsPerSecond     int     // upstream rows per second, all tables
	Skew              float64 // Zipf exponent of the load over tables
	HotShare          float64 // share of rows on tables 1 and 2 (0: none)
	SlowShare         float64 // share of tables behind a slow downstream
	SlowFactor        float64 // latency multiplier of the slow tables
	DDLPerMinute      float64 // upstream DDL rate
	DownstreamWorkers int     // MySQL sink worker-count
	NetLatency        string  // median one-way latency: "250us", "2ms", "20ms"

	// The redo log.
	Redo              bool         // redo on (off only for the barrier's planted bug)
	Storage           string       // "disk" or "object"
	DiskProfile       string       // "nvme", "cloud-ssd", "hdd"
	PutLatency        string       // object-store PUT median: "30ms", "100ms"
	FlushPolicy       string       // "interval" or "commit"
	FlushInterval     sim.Duration // 50 ms .. 2 s
	FlushRows         int          // early flush after this many rows, -1 off
	MetaFlushInterval sim.Duration // 50 ms .. 1 s
	MaxLogBytes       int64        // rotation size: small, so rotations happen

	// Flow control and barriers.
	SyncPointInterval sim.Duration // 0: syncpoints off
	MemoryQuotaBytes  int64        // per node
	RedoQuotaPercent  int          // redo share of the quota
	ScanWindow        string       // the variant: "none", "v2-4030", "v2-4950"
	Aggregation       string       // "max" or "min"
	Breaker           bool         // the collector's circuit breaker
	Fence             string       // "batch" (TiCDC) or "prefix"

	// RowBytes is the median row size in bytes (the scenario's row-bytes
	// is lognormal around it); 0 means 300.
	RowBytes int
	// TickPhases starts every periodic component at a seeded phase
	// (tick-phases); ScaledThresholds scales TiCDC's byte thresholds with
	// the small quota (scaled-thresholds). Recorded worlds keep both off
	// and on respectively, as they were found.
	TickPhases, ScaledThresholds bool

	// ForwardResend is how often the maintainer re-sends redoGlobalTs
	// (redo-forward-resend): 0 is TiCDC's behaviour (only on a rise).
	// Generated worlds in liveness mode re-send every LivenessResend; the
	// others run TiCDC's default and are checked for safety only. The
	// resend stands in for a difference of the model (docs/FIDELITY.md,
	// f3): a crashed capture comes back with its id and its tables and a
	// redoGlobalTs of 0, and while the surviving maintainer's redo resolved
	// ts cannot rise (it waits for that capture's redo dispatchers, starved
	// by a main area full of fenced events at a swarm's small quota) it
	// never sends one; TiCDC gives the capture a new id and moves its tables
	// to captures that hold a current redoGlobalTs. The shrunk swarm world
	// of seed 662343298 (two nodes, 1.5 MiB, a partition then a crash of
	// n2) fails liveness without the resend and holds with it, or at 1 GiB.
	ForwardResend sim.Duration
	// Liveness judges the liveness property (liveness mode).
	Liveness bool

	// Faults is the fault schedule, every entry inside the fault phase.
	Faults []Fault
	// Bugs are planted bugs armed for the whole run (tests only).
	Bugs []string
}

// Spec returns the scenario spec that runs w.
func (w World) Spec() (scenarios.Spec, error) {
	sc, err := scenarios.Lookup(ScenarioName)
	if err != nil {
		return scenarios.Spec{}, err
	}
	plan, err := w.Plan()
	if err != nil {
		return scenarios.Spec{}, err
	}
	return scenarios.Spec{Scenario: sc, Variant: w.ScanWindow, Seed: w.Seed, Duration: w.Duration,
		Set: w.Set(), Faults: plan.String()}, nil
}

// Set returns the scenario parameters of w (the variant sets the scan
// window and the congestion control version).
func (w World) Set() map[string]string {
	ff := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	spi := "60s"
	if w.SyncPointInterval > 0 {
		spi = w.SyncPointInterval.String()
	}
	return map[string]string{
		"nodes": strconv.Itoa(w.Nodes), "tables": strconv.Itoa(w.Tables),
		"rows-per-second": strconv.Itoa(w.RowsPerSecond), "skew": ff(w.Skew), "hot-share": ff(w.HotShare),
		"slow-share": ff(w.SlowShare), "slow-factor": ff(w.SlowFactor), "ddl-per-minute": ff(w.DDLPerMinute),
		"downstream-workers": strconv.Itoa(w.DownstreamWorkers),
		"net-latency":        "lognormal(" + w.NetLatency + ",0.5)",
		"redo":               strconv.FormatBool(w.Redo), "redo-storage": w.Storage, "redo-disk": w.DiskProfile,
		"put-latency":  "lognormal(" + w.PutLatency + ",0.5)",
		"flush-policy": w.FlushPolicy, "flush-interval": w.FlushInterval.String(),
		"flush-rows":          strconv.Itoa(w.FlushRows),
		"meta-flush-interval": w.MetaFlushInterval.String(),
		"max-log-size":        strconv.FormatInt(w.MaxLogBytes, 10),
		"syncpoint":           strconv.FormatBool(w.SyncPointInterval > 0), "syncpoint-interval": spi,
		"memory-quota":       strconv.FormatInt(w.MemoryQuotaBytes, 10),
		"redo-quota-percent": strconv.Itoa(w.RedoQuotaPercent),
		"usage-aggregation":  w.Aggregation, "breaker": strconv.FormatBool(w.Breaker), "fence": w.Fence,
		"redo-forward-resend":  w.ForwardResend.String(),
		"row-bytes":            "lognormal(" + strconv.Itoa(cmp.Or(w.RowBytes, 300)) + ",0.2)",
		"tick-phases":          strconv.FormatBool(w.TickPhases),
		"scaled-thresholds":    strconv.FormatBool(w.ScaledThresholds),
		"expect-progress":      strconv.FormatBool(w.LivenessDomain()),
		"liveness":             strconv.FormatBool(w.Liveness),
		"liveness-min-advance": "1s",
		"liveness-bound":       LivenessBound.String(),
	}
}

// LivenessResend is the maintainer's redoGlobalTs resend period in
// liveness mode (see World.ForwardResend).
const LivenessResend = sim.Second

// Plan returns w's fault plan: the faults in time order, then, when a
// fault can fail a redo engine, the restart of every node that ends the
// fault phase (RecoveryRestart), then the planted bugs.
func (w World) Plan() (fault.Plan, error) {
	faults := slices.Clone(w.Faults)
	slices.SortStableFunc(faults, func(a, b Fault) int { return int(a.From - b.From) })
	var entries []fault.Entry
	for _, f := range faults {
		entries = append(entries, f.Entry())
	}
	if at, ok := w.RecoveryRestart(); ok {
		for i := 1; i <= w.Nodes; i++ {
			entries = append(entries, fault.Entry{Name: "node.crash", Target: fmt.Sprintf("n%d", i),
				Mode: fault.InWindow, From: sim.Instant(at), Until: sim.Instant(at + sim.Second)})
		}
	}
	for _, b := range w.Bugs {
		entries = append(entries, fault.Entry{Name: b, Mode: fault.InWindow})
	}
	return fault.NewPlan(entries...)
}

// RecoveryRestart reports whether w ends its fault phase with a restart of
// every node, and when: a fault that fails a redo engine (an fsync error,
// ENOSPC, a failed upload or engine op) stops that engine for good, as
// TiCDC's redo writer stops its changefeed; TiCDC's owner then restarts
// the changefeed, which this restart models, so liveness can be judged.
func (w World) RecoveryRestart() (sim.Duration, bool) {
	sticky := false
	for _, f := range w.Faults {
		if k, ok := kindByName(f.Kind); ok && k.Sticky {
			sticky = true
		}
	}
	return w.FaultPhaseEnd() + sim.Second, sticky
}

// FaultPhaseEnd is when the fault phase ends: every generated fault lies
// inside [FaultPhaseStart, FaultPhaseEnd), leaving LivenessBound and some
// margin of fault-free tail.
func (w World) FaultPhaseEnd() sim.Duration {
	return max(FaultPhaseStart+sim.Second, w.Duration-LivenessBound-tailMargin)
}

// Phase bounds of generated worlds.
const (
	// FaultPhaseStart is the earliest fault: the changefeed is up by then.
	FaultPhaseStart = 2 * sim.Second
	// LivenessBound is how long after the last fault ends the checkpoint
	// and the redo resolved ts must have advanced again.
	LivenessBound = 40 * sim.Second
	// tailMargin covers effects that outlast an entry (a stall's added
	// delay, a power loss's restart) plus the recovery restart.
	tailMargin = 8 * sim.Second
)

// String returns w in one line: the seed, every drawn parameter and the
// fault plan, as a swarm run prints it after SEED=.
func (w World) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed=%d duration=%v variant=%s liveness=%v", w.Seed, w.Duration, w.ScanWindow, w.Liveness)
	set := w.Set()
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, set[k])
	}
	if plan, err := w.Plan(); err == nil && plan.Len() > 0 {
		fmt.Fprintf(&b, " faults=%q", plan.String())
	}
	return b.String()
}

// Size is a rough measure of a world for shrinking reports: faults count
// most, then nodes, tables, load and duration.
func (w World) Size() int {
	return 1000*len(w.Faults) + 100*w.Nodes + 10*w.Tables + w.RowsPerSecond/10 + int(w.Duration/sim.Second)
}
