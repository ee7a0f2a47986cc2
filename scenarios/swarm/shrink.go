package swarm

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/leanovate/gopter"

	"github.com/redosim/redosim/sim"
)

// Candidates returns the worlds one shrink step away from w, most
// reducing first: no faults at all, each fault dropped, fewer nodes,
// tables and rows, a shorter run, shorter fault windows, and each knob
// back at its plain value (syncpoints off, no skew, no slow tables,
// TiCDC's defaults). Every candidate is valid: faults that name a node
// the smaller world lacks are dropped, and the run stays long enough
// for its faults and the liveness bound. The seed stays, so a candidate
// is the same world with less in it.
func Candidates(w World) []World {
	var out []World
	add := func(c World) {
		if !sameWorld(c, w) {
			out = append(out, c)
		}
	}
	if len(w.Faults) > 1 {
		c := w
		c.Faults = nil
		add(c)
	}
	for i := range w.Faults {
		c := w
		c.Faults = slices.Delete(slices.Clone(w.Faults), i, i+1)
		add(c)
	}
	for _, n := range []int{w.Nodes / 2, w.Nodes - 1} {
		if n >= 1 && n < w.Nodes {
			add(withNodes(w, n))
		}
	}
	shrinkNumbers(w, add)
	for i, f := range w.Faults {
		if length := f.Until - f.From; length > 2*burst {
			c := w
			c.Faults = slices.Clone(w.Faults)
			c.Faults[i].Until = f.From + (length/2/sim.Millisecond)*sim.Millisecond
			add(c)
		}
	}
	for _, plain := range plainKnobs {
		c := w
		plain(&c)
		add(c)
	}
	return out
}

// shrinkNumbers offers halved tables, rows and duration.
func shrinkNumbers(w World, add func(World)) {
	if w.Tables > 2 {
		c := w
		c.Tables = max(2, w.Tables/2)
		add(c)
	}
	if w.RowsPerSecond > 10 {
		c := w
		c.RowsPerSecond = max(10, w.RowsPerSecond/2)
		add(c)
	}
	// The run must keep room for its faults, the recovery restart and the
	// liveness bound after them.
	need := LivenessBound + tailMargin + FaultPhaseStart
	for _, f := range w.Faults {
		need = max(need, f.End()+LivenessBound+tailMargin)
	}
	if d := max(need, w.Duration/2); d < w.Duration {
		c := w
		c.Duration = (d + 10*sim.Second - 1) / (10 * sim.Second) * (10 * sim.Second)
		if c.Duration < w.Duration {
			add(c)
		}
	}
}

// plainKnobs set one knob each to its plain value.
var plainKnobs = []func(*World){
	func(w *World) { w.SyncPointInterval = 0 },
	func(w *World) { w.DDLPerMinute = 0 },
	func(w *World) { w.Skew = 0 },
	func(w *World) { w.HotShare = 0 },
	func(w *World) { w.SlowShare = 0 },
	func(w *World) { w.SlowFactor = 10 },
	func(w *World) { w.Breaker = true },
	func(w *World) { w.Fence = "batch" },
	func(w *World) { w.ScanWindow = "v2-4950" },
	func(w *World) { w.Aggregation = "max" },
	func(w *World) { w.FlushPolicy = "interval" },
	func(w *World) { w.FlushInterval = 2 * sim.Second },
	func(w *World) { w.FlushRows = 1024 },
	func(w *World) { w.MetaFlushInterval = 200 * sim.Millisecond },
	func(w *World) { w.MaxLogBytes = 64 << 20 },
	func(w *World) { w.MemoryQuotaBytes = 8 << 20 },
	func(w *World) { w.RedoQuotaPercent = 50 },
	func(w *World) { w.DownstreamWorkers = 16 },
	func(w *World) { w.NetLatency = "250us" },
	func(w *World) { w.DiskProfile = "nvme" },
	func(w *World) { w.PutLatency = "30ms" },
}

// withNodes returns w with n nodes, dropping faults that name a node it
// no longer has.
func withNodes(w World, n int) World {
	c := w
	c.Nodes = n
	c.Faults = nil
	for _, f := range w.Faults {
		if nodesWithin(f.Target, n) && !(f.Name == "net.partition" && n < 2) {
			c.Faults = append(c.Faults, f)
		}
	}
	return c
}

// nodesWithin reports whether every node a target names ("n2",
// "n1,n2|n3") is one of n1..nN.
func nodesWithin(target string, n int) bool {
	if target == "" {
		return true
	}
	for _, id := range strings.FieldsFunc(target, func(r rune) bool { return r == ',' || r == '|' }) {
		k, err := strconv.Atoi(strings.TrimPrefix(id, "n"))
		if err != nil || k > n {
			return false
		}
	}
	return true
}

// sameWorld compares two worlds by their printed form.
func sameWorld(a, b World) bool { return a.String() == b.String() }

// Shrinker is w's gopter shrinker: it offers Candidates, and gopter keeps
// the first that still fails and shrinks on from it (greedy, so small but
// not always minimal).
func Shrinker(value interface{}) gopter.Shrink {
	w, ok := value.(World)
	if !ok {
		return gopter.NoShrink
	}
	cands := Candidates(w)
	i := 0
	return func() (interface{}, bool) {
		if i >= len(cands) {
			return nil, false
		}
		i++
		return cands[i-1], true
	}
}

// GenWorld is the gopter generator of worlds: it draws a seed in
// [1, SeedMax] from gopter's source and returns Generate(seed), keeping
// Shrinker (a generator built with .Map would drop it).
func GenWorld() gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		seed := 1 + p.Rng.Uint64()%SeedMax
		return gopter.NewGenResult(Generate(seed), Shrinker)
	}
}

// SeedMax bounds the seeds GenWorld draws, so they print short.
const SeedMax = 1_000_000_000

// ShrinkOptions bounds a shrink.
type ShrinkOptions struct {
	// RunsMax bounds the worlds a shrink runs. Default 300.
	RunsMax int
	// Still reports whether a candidate's verdict still shows the failure.
	// Default: one of the original's failed properties fails again.
	Still func(*Verdict) bool
}

// Shrink shrinks a failing verdict greedily (ShrinkWorld with Check and
// opts.Still) and returns the smallest failing verdict and the number of
// worlds run.
func Shrink(v *Verdict, opts ShrinkOptions) (*Verdict, int) {
	if opts.Still == nil {
		opts.Still = sameFailure(v)
	}
	best := v
	_, runs := ShrinkWorld(v.World, func(c World) bool {
		cv := Check(c)
		if opts.Still(cv) {
			best = cv
			return true
		}
		return false
	}, opts.RunsMax)
	return best, runs
}

// ShrinkWorld shrinks w greedily: it tries the candidates of the current
// world in order and moves to the first for which fails holds, until none
// does or runsMax worlds ran (0: 300). It returns the smallest failing
// world and the number of candidates tried.
func ShrinkWorld(w World, fails func(World) bool, runsMax int) (World, int) {
	if runsMax <= 0 {
		runsMax = 300
	}
	best, runs := w, 0
	for progress := true; progress && runs < runsMax; {
		progress = false
		for _, c := range Candidates(best) {
			if runs >= runsMax {
				break
			}
			runs++
			if fails(c) {
				best, progress = c, true
				break
			}
		}
	}
	return best, runs
}

// sameFailure returns a predicate: the verdict fails one of the
// properties v failed.
func sameFailure(v *Verdict) func(*Verdict) bool {
	props := map[string]bool{}
	for _, f := range v.Failures {
		props[f.Property] = true
	}
	return func(c *Verdict) bool {
		for _, f := range c.Failures {
			if props[f.Property] {
				return true
			}
		}
		return false
	}
}

// ShrinkReport says in one line how much a shrink took away.
func ShrinkReport(from, to World, runs int) string {
	in := ""
	if runs > 0 {
		in = fmt.Sprintf(" in %d runs", runs)
	}
	return fmt.Sprintf("shrunk%s: faults %d -> %d, nodes %d -> %d, tables %d -> %d, rows/s %d -> %d, duration %v -> %v",
		in, len(from.Faults), len(to.Faults), from.Nodes, to.Nodes, from.Tables, to.Tables,
		from.RowsPerSecond, to.RowsPerSecond, from.Duration, to.Duration)
}
