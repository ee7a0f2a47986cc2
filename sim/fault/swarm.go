package fault

import (
	"errors"
	"fmt"

	"github.com/redosim/redosim/sim"
)

// SwarmKind is one kind of fault that Swarm may switch on.
type SwarmKind struct {
	// Name is the fault point or action kind.
	Name string
	// Targets are the targets an action entry draws from (one per entry);
	// empty means no target. Fault points take none.
	Targets []string
	// Values are the values an entry draws from (one per entry); empty
	// means no value.
	Values []string
	// EntriesMax bounds the entries drawn for the kind when it is on: their
	// number is uniform in [1, EntriesMax]. 0 means 1.
	EntriesMax int
	// Span makes an action entry a span @from..until (a partition that
	// heals) instead of an instant @t (a crash). Fault points ignore it.
	Span bool
}

// swarmProbs are the probabilities a drawn window or count range fires
// with: a few orders of magnitude, so that both rare and storm-like faults
// come up, and the printed plan stays short. An immutable table.
var swarmProbs = [...]float64{0.001, 0.01, 0.1, 0.5, 1}

// swarmCountMax bounds the evaluation count a drawn #count entry names.
const swarmCountMax = 64

// Swarm draws a plan from r in the manner of swarm testing (Groce et al.,
// as FoundationDB and TigerBeetle's VOPR use it): first each kind is
// switched on with probability 1/2, all before any other draw, so that
// different seeds explore different fault mixes instead of always a
// little of everything; then each enabled kind, in the order given, draws
// its entries. A fault point draws one of three shapes with equal chance:
// once @t, a window @from..until*p (length up to horizon/4, p from
// {0.001, 0.01, 0.1, 0.5, 1}), or #n (n in [1, 64]); an action draws @t,
// or @from..until when Span. Times are whole milliseconds in
// [0, horizon), so the plan prints short. horizon must be at least 1ms.
// The same r state and arguments always give the same plan.
func Swarm(r *sim.Rand, kinds []SwarmKind, horizon sim.Duration) (Plan, error) {
	if r == nil {
		return Plan{}, errors.New("sim/fault: swarm needs a random stream")
	}
	if horizon < sim.Millisecond {
		return Plan{}, fmt.Errorf("sim/fault: swarm horizon %v, want >= 1ms", horizon)
	}
	on := make([]bool, len(kinds))
	for i := range kinds {
		on[i] = r.IntN(2) == 1
	}
	var entries []Entry
	for i, k := range kinds {
		if !on[i] {
			continue
		}
		n := 1
		if k.EntriesMax > 1 {
			n += r.IntN(k.EntriesMax)
		}
		for range n {
			entries = append(entries, swarmEntry(r, k, horizon))
		}
	}
	return NewPlan(entries...)
}

// swarmEntry draws one entry of kind k.
func swarmEntry(r *sim.Rand, k SwarmKind, horizon sim.Duration) Entry {
	ms := int64(horizon / sim.Millisecond)
	instant := func() sim.Instant { return sim.Instant(r.Int64N(ms) * int64(sim.Millisecond)) }
	e := Entry{Name: k.Name}
	if len(k.Targets) > 0 {
		e.Target = k.Targets[r.IntN(len(k.Targets))]
	}
	if len(k.Values) > 0 {
		e.Value = k.Values[r.IntN(len(k.Values))]
	}
	shape := AtTime
	switch {
	case e.IsAction() && k.Span:
		shape = InWindow
	case !e.IsAction():
		shape = [...]Mode{AtTime, InWindow, AtCount}[r.IntN(3)]
	}
	switch shape {
	case AtTime:
		e.Mode, e.From = AtTime, instant()
	case InWindow:
		e.Mode, e.From = InWindow, instant()
		e.Until = e.From + sim.Instant((1+r.Int64N(ms/4+1))*int64(sim.Millisecond))
		if !e.IsAction() {
			e.Prob = swarmProbs[r.IntN(len(swarmProbs))]
		}
	case AtCount:
		e.Mode, e.Nth = AtCount, 1+r.Uint64N(swarmCountMax)
		e.NthLast = e.Nth
	}
	return e
}
