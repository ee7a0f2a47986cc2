package swarm

import (
	"github.com/redosim/redosim/sim"
)

// Generate draws the world of seed, swarm style (Groce et al.; TigerBeetle's
// VOPR, FoundationDB): one seed draws everything. First the configuration
// (stream "swarm/config"), then, before any fault is drawn, which fault
// kinds are on at all (stream "swarm/kinds": each kind on with chance 1/2,
// and one world in ten fault-free), then the entries of the kinds that are
// on (stream "swarm/faults"). So different seeds explore different fault
// mixes instead of always a little of everything, and a kind's entries do
// not depend on which other kinds are on. The world then runs with the same
// seed. Generate is a pure function of seed.
func Generate(seed uint64) World {
	st := sim.NewStreams(seed)
	w := drawConfig(st.Get("swarm/config"), seed)
	w.Faults = drawFaults(st.Get("swarm/kinds"), st.Get("swarm/faults"), &w)
	return w
}

// pick returns one of choices, drawn uniformly.
func pick[T any](r *sim.Rand, choices ...T) T { return choices[r.IntN(len(choices))] }

// drawConfig draws the configuration. The ranges keep a world short (80 to
// 120 s, at most 32 tables and 800 rows/s) so CI runs dozens, and small
// enough that its mechanisms bite: small quotas, small rotation sizes,
// frequent syncpoints.
func drawConfig(r *sim.Rand, seed uint64) World {
	const kib = 1 << 10
	w := World{Seed: seed}
	w.Duration = sim.Duration(80+10*r.IntN(5)) * sim.Second
	w.Nodes = 1 + r.IntN(4)
	w.Tables = 4 + r.IntN(29)
	w.RowsPerSecond = pick(r, 50, 100, 200, 400, 800)
	w.Skew = pick(r, 0, 0.5, 0.8, 1.2)
	w.HotShare = pick(r, 0, 0.3)
	w.SlowShare = pick(r, 0, 0.25, 0.5)
	w.SlowFactor = pick[float64](r, 5, 10, 40)
	w.DDLPerMinute = pick[float64](r, 0, 0, 2, 6)
	if !generateDDL {
		w.DDLPerMinute = 0 // drawn all the same, so the draws after it stay put
	}
	w.DownstreamWorkers = pick(r, 4, 16)
	w.NetLatency = pick(r, "250us", "2ms", "20ms")
	w.Redo = r.IntN(8) != 0
	w.Storage = pick(r, "disk", "object")
	w.DiskProfile = pick(r, "nvme", "cloud-ssd", "hdd")
	w.PutLatency = pick(r, "30ms", "100ms")
	w.FlushPolicy = pick(r, "interval", "commit")
	w.FlushInterval = pick(r, 50*sim.Millisecond, 200*sim.Millisecond, 500*sim.Millisecond, 2*sim.Second)
	w.FlushRows = pick(r, -1, 64, 1024)
	w.MetaFlushInterval = pick(r, 50*sim.Millisecond, 200*sim.Millisecond, sim.Second)
	w.MaxLogBytes = pick[int64](r, 16*kib, 64*kib, 256*kib, 64*kib*kib)
	w.SyncPointInterval = pick(r, 0, 10*sim.Second, 20*sim.Second, 30*sim.Second)
	w.MemoryQuotaBytes = pick[int64](r, 256*kib, 512*kib, 1536*kib, 8*kib*kib)
	w.RedoQuotaPercent = pick(r, 25, 50, 75)
	w.ScanWindow = pick(r, "none", "v2-4030", "v2-4950")
	w.Aggregation = pick(r, "max", "min")
	w.Breaker = r.IntN(8) != 0 || !generateBreakerOff
	w.Fence = pick(r, "batch", "prefix")
	w.Liveness = r.IntN(4) != 0 && w.LivenessDomain()
	if w.Liveness {
		w.ForwardResend = LivenessResend
	}
	// Drawn last, so every draw above stays what it was. Swarm worlds are
	// small by design (quotas of 256 KiB to 8 MiB), so TiCDC's byte
	// thresholds are scaled with them; the tick phases are swarmed.
	w.ScaledThresholds = true
	w.TickPhases = r.IntN(2) == 0
	return w
}

// LivenessDomain reports whether w is a world liveness can be asked of:
// one with a scan window (v2) and at least LivenessMemorySeconds of
// memory per area. Outside it the changefeed livelocks behind a backlog
// even in TiCDC: congestion control v1 without a scan window scans the
// whole backlog into a small quota, the breaker releases the most
// advanced paths and resets them to their checkpoints, again and again,
// and the checkpoint stands still (the behaviour PRs #4030 and #4950
// address; KnownLivelockV1 shows it). Such worlds check safety only.
func (w World) LivenessDomain() bool {
	return w.ScanWindow != "none" && w.MemorySeconds() >= LivenessMemorySeconds
}

// LivenessMemorySeconds is the least memory, in seconds of upstream data
// per collector area, a world needs to be judged for liveness. TiCDC's
// default 1 GiB against 300 MB/s holds about 3 s; below that the breaker
// releases paths and resets dispatchers to their checkpoints over and
// over, and the changefeed stalls behind the backlog a fault leaves, or
// never advances at all (seen: a 64 KiB redo area at 800 rows/s, without
// any fault).
const LivenessMemorySeconds = 4.0

// rowBytesMean is the mean encoded row of the syncpoint scenario
// (row-bytes lognormal(300,0.2)).
const rowBytesMean = 300

// MemorySeconds returns how many seconds of upstream data the smaller of
// the two collector areas (main and redo) of a node holds.
func (w World) MemorySeconds() float64 {
	area := w.MemoryQuotaBytes
	if w.Redo {
		pct := int64(min(w.RedoQuotaPercent, 100-w.RedoQuotaPercent))
		area = w.MemoryQuotaBytes * pct / 100
	}
	return float64(area) / float64(max(1, w.RowsPerSecond)*rowBytesMean)
}

// drawFaults decides the kinds (all of them, before any entry) and then
// draws the entries of the kinds that are on and apply to w.
func drawFaults(kinds, entries *sim.Rand, w *World) []Fault {
	all := Kinds()
	on := make([]bool, len(all))
	for i := range all {
		on[i] = kinds.IntN(2) == 1
	}
	if kinds.IntN(10) == 0 {
		return nil // a calm world: safety and liveness without faults
	}
	from, until := FaultPhaseStart, w.FaultPhaseEnd()
	var out []Fault
	for i, k := range all {
		if !on[i] || !k.applies(w) {
			continue
		}
		n := 1 + entries.IntN(max(1, k.EntriesMax))
		for range n {
			f := k.draw(entries, w, from, until)
			f.Kind = k.Name
			out = append(out, f)
		}
	}
	return out
}

// generateDDL switches upstream DDLs on in generated worlds. Off for now:
// with DDLs, a restart breaks two invariants in about one world in
// twenty (KnownIssues ddl-duplicate-in-log and ddl-syncpoint-after-restart).
// The swarm's first DDL finding (tables an upstream CREATE adds got no
// dispatcher, so every world with DDLs failed no-loss) is fixed in
// model/cluster. Draws stay aligned either way.
const generateDDL = false

// generateBreakerOff lets generated worlds switch the collector's circuit
// breaker off. Off: TiCDC has no such switch, and without the breaker an
// area overshoots its quota by more than the documented slack after a
// restart behind a backlog (KnownIssues: memory-without-breaker), so the
// memory invariant is TiCDC's only with the breaker.
const generateBreakerOff = false
