package swarm

import (
	"fmt"
	"sort"
	"strings"

	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/scenarios"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/fault"
)

// The properties a world is judged by. Invariant properties are named
// "invariant/<checker>" after the changefeed world's catalogue
// (model/cluster Invariants: redo-before-sink, monotonic, ordering,
// syncpoint-barrier, syncpoint-completeness, no-loss, memory, disaster,
// durable-ack, never-evaluated; disaster also compares parallel with
// serial replay of the redo log).
const (
	// PropInvariantPrefix prefixes one invariant of the catalogue.
	PropInvariantPrefix = "invariant/"
	// PropLiveness: once faults stop and every node is back, the
	// changefeed checkpoint and the redo resolved ts advance again within
	// LivenessBound (liveness-mode worlds only).
	PropLiveness = "liveness"
	// PropDeterminism: two runs of one world end with one trace hash.
	PropDeterminism = "determinism"
	// PropRun: the world ran to its end (no panic, no configuration
	// error, no loop bound hit).
	PropRun = "run"
)

// Failure is one property a world broke.
type Failure struct {
	Property string
	// At is the virtual time of the first violation, in seconds (0 when
	// the property is judged at the end).
	At     float64
	Detail string
}

// String describes the failure: property, virtual time, detail.
func (f Failure) String() string {
	return fmt.Sprintf("%s at t=%.3fs: %s", f.Property, f.At, f.Detail)
}

// Verdict is what running one world and judging it gave.
type Verdict struct {
	World   World
	Spec    scenarios.Spec
	Outcome *scenarios.Outcome // nil when the world did not run
	// Failures lists the properties broken, invariants first.
	Failures []Failure
	// Liveness is the liveness judgement.
	Liveness Liveness
	// Probes are the probes the world reached, with the derived ones
	// (DerivedProbes), by name.
	Probes map[string]uint64
}

// Held reports whether every property held.
func (v *Verdict) Held() bool { return len(v.Failures) == 0 }

// Failed reports whether property p (or, for PropInvariantPrefix, any
// invariant) failed.
func (v *Verdict) Failed(p string) bool {
	for _, f := range v.Failures {
		if f.Property == p || p == PropInvariantPrefix && strings.HasPrefix(f.Property, p) {
			return true
		}
	}
	return false
}

// Check runs w and judges it: every invariant of the catalogue, liveness
// in liveness mode, and that the world ran at all.
func Check(w World) *Verdict {
	v := &Verdict{World: w, Probes: map[string]uint64{}}
	spec, err := w.Spec()
	if err != nil {
		v.Failures = append(v.Failures, Failure{Property: PropRun, Detail: "spec: " + err.Error()})
		return v
	}
	v.Spec = spec
	out, err := runSafely(spec)
	if err != nil {
		v.Failures = append(v.Failures, Failure{Property: PropRun, Detail: err.Error()})
		return v
	}
	v.Outcome = out
	// The liveness invariant is judged as the liveness property below,
	// where an overloaded world is excused.
	for _, f := range InvariantFailures(out.World) {
		if f.Property != PropInvariantPrefix+cluster.InvLiveness {
			v.Failures = append(v.Failures, f)
		}
	}
	if w.Liveness {
		v.Liveness = JudgeLiveness(spec, out.World)
	}
	if v.Liveness.Judged && !v.Liveness.Held {
		v.Liveness.Overloaded = overloaded(w)
	}
	if v.Liveness.Judged && !v.Liveness.Held && !v.Liveness.Overloaded {
		v.Failures = append(v.Failures, Failure{Property: PropLiveness, At: v.Liveness.From, Detail: v.Liveness.Detail})
	}
	for _, p := range out.World.Probes {
		v.Probes[p.Name] += p.Count
	}
	for name, n := range DerivedProbes(out.World) {
		v.Probes[name] += n
	}
	return v
}

// runSafely runs spec, turning a panic inside the world into an error: a
// harness or model panic is a failure to shrink and replay like any other.
func runSafely(spec scenarios.Spec) (out *scenarios.Outcome, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	return scenarios.Run(spec)
}

// InvariantFailures lists the invariants a world violated.
func InvariantFailures(rw *results.World) []Failure {
	var out []Failure
	for _, inv := range rw.Invariants {
		if inv.Held {
			continue
		}
		f := Failure{Property: PropInvariantPrefix + inv.Name}
		if inv.First != nil {
			f.At, f.Detail = inv.First.At, inv.First.Detail
		}
		out = append(out, f)
	}
	return out
}

// Liveness is the liveness judgement of one world.
type Liveness struct {
	// Judged is false outside liveness mode, or when the world ends before
	// From + LivenessBound.
	Judged bool
	// From is when the last fault's effect ended (seconds): every node is
	// back and the network whole.
	From float64
	// CheckpointAfter and RedoAfter are how long after From the changefeed
	// checkpoint and the durable redo resolved ts had advanced by
	// advanceMin (seconds; -1: not within the bound).
	CheckpointAfter, RedoAfter float64
	Held                       bool
	Detail                     string
	// Overloaded is set when liveness failed but the world's fault-free
	// twin, though it keeps replicating, cannot keep up with its load
	// either (its checkpoint lag ends above OverloadLag while its
	// checkpoint still advances in its last LivenessBound): progress after
	// faults is then not a question the world can answer, and liveness is
	// not held against it. A twin that stands still is no excuse: it
	// shares the world's stall.
	Overloaded bool
}

// OverloadLag is the checkpoint lag at the end of a fault-free run above
// which a world counts as overloaded: it does not keep up with its load.
const OverloadLag = 30 * sim.Second

// overloaded runs w without faults and reports whether it keeps
// replicating but fails to keep up: its checkpoint lag at the end is above
// OverloadLag and its checkpoint advanced by advanceMin within its own
// last LivenessBound. A twin whose checkpoint stands still is stalled,
// not overloaded, and excuses nothing (the world and its twin run the
// same code, so a bug that stops replication stops both).
func overloaded(w World) bool {
	w.Faults = nil
	spec, err := w.Spec()
	if err != nil {
		return false
	}
	out, err := runSafely(spec)
	if err != nil {
		return false
	}
	lag := series(out.World, "checkpoint_lag_seconds")
	if len(lag) == 0 || lag[len(lag)-1].V <= OverloadLag.Seconds() {
		return false
	}
	bound := LivenessBound.Seconds()
	return advanceAfter(lag, out.World.SimSeconds-bound, bound) >= 0
}

// advanceMin is how far (in seconds of TSO physical time) the checkpoint
// and the redo resolved ts must move for liveness to count them as
// advancing: a full second, so a last straggler does not count.
const advanceMin = 1.0

// JudgeLiveness reads the liveness judgement of a world in liveness mode:
// the changefeed world's liveness invariant (cluster.InvLiveness, the
// one checker scenarios and swarm share) says whether, once the last
// fault's effect was over (LastFaultEnd), the checkpoint and, with redo
// on, the durable redo resolved ts kept advancing by a second within
// every bound. Not judged when the world ends before From +
// LivenessBound. CheckpointAfter and RedoAfter, how soon after From each
// first advanced, come from the series the world samples every second
// (checkpoint_lag_seconds, redo_lag_seconds: a ts at time t is t - lag),
// for the campaign's recovery times.
func JudgeLiveness(spec scenarios.Spec, rw *results.World) Liveness {
	lv := Liveness{CheckpointAfter: -1, RedoAfter: -1}
	plan, err := fault.Parse(spec.Faults)
	if err != nil {
		return lv
	}
	from := LastFaultEnd(plan).Seconds()
	bound := LivenessBound.Seconds()
	lv.From = from
	if rw.SimSeconds < from+bound {
		return lv
	}
	lv.Judged = true
	lv.CheckpointAfter = advanceAfter(series(rw, "checkpoint_lag_seconds"), from, bound)
	lv.RedoAfter = 0
	if spec.Set["redo"] != "false" {
		lv.RedoAfter = advanceAfter(series(rw, "redo_lag_seconds"), from, bound)
	}
	lv.Held = true
	for _, inv := range rw.Invariants {
		if inv.Name != cluster.InvLiveness || inv.Held {
			continue
		}
		lv.Held, lv.Detail = false, "the liveness invariant did not hold"
		if inv.First != nil {
			lv.Detail = inv.First.Detail
		}
	}
	return lv
}

// LastFaultEnd is when the last effect of a plan's faults is over
// (scenarios.FaultsOverAt).
func LastFaultEnd(plan fault.Plan) sim.Duration { return scenarios.FaultsOverAt(plan) }

func series(rw *results.World, metric string) []results.Point {
	for _, s := range rw.Series {
		if s.Metric == metric && len(s.Labels) == 0 {
			return s.Points
		}
	}
	return nil
}

// advanceAfter returns how long after from the ts behind a lag series
// (ts = t - lag) first stands advanceMin above its value at from, or -1
// when it does not within bound.
func advanceAfter(points []results.Point, from, bound float64) float64 {
	i := sort.Search(len(points), func(i int) bool { return points[i].T >= from })
	if i == len(points) {
		return -1
	}
	base := points[i].T - points[i].V
	for _, p := range points[i:] {
		if p.T > from+bound {
			break
		}
		if p.T-p.V-base >= advanceMin {
			return p.T - from
		}
	}
	return -1
}

// CheckDeterminism runs spec twice, keeping both traces, and returns ""
// when the hashes agree, or the first event where the runs differ.
func CheckDeterminism(spec scenarios.Spec) string {
	spec.KeepTrace = true
	a, errA := runSafely(spec)
	b, errB := runSafely(spec)
	if errA != nil || errB != nil {
		if fmt.Sprint(errA) != fmt.Sprint(errB) {
			return fmt.Sprintf("the runs ended differently: %v / %v", errA, errB)
		}
		return ""
	}
	if a.World.TraceHash == b.World.TraceHash {
		return ""
	}
	return Divergence(a.Trace.Events(), b.Trace.Events())
}

// Divergence describes the first event where two kept traces differ.
func Divergence(a, b []sim.TraceEvent) string {
	i := sim.FirstDivergence(a, b)
	if i < 0 {
		return "the traces are equal"
	}
	show := func(ev []sim.TraceEvent) string {
		if i >= len(ev) {
			return "(trace ended)"
		}
		e := ev[i]
		return fmt.Sprintf("%v %s %s %016x", e.At, e.Kind, e.Actor, e.Digest)
	}
	return fmt.Sprintf("traces diverge at event %d: first run %s, second run %s", i, show(a), show(b))
}
