package fault

import (
	"fmt"
	"strings"
)

// Count is how often one armed point was evaluated and fired in a world.
type Count struct {
	Point       string
	Evaluations uint64
	Fires       uint64
}

// String formats c as "point evals=N fires=M".
func (c Count) String() string {
	return fmt.Sprintf("%s evals=%d fires=%d", c.Point, c.Evaluations, c.Fires)
}

// Fired returns the counts of every point the plan arms, sorted by point.
// Points the plan does not arm are not counted (their evaluations take the
// fast path, which records nothing).
func (in *Injector) Fired() []Count {
	out := make([]Count, len(in.order))
	for i, ps := range in.order {
		out[i] = Count{Point: ps.name, Evaluations: ps.evals, Fires: ps.fires}
	}
	return out
}

// Unfired returns the armed points that never fired, sorted. A test that
// arms a point expects it to fire; see CheckFired.
func (in *Injector) Unfired() []string {
	var out []string
	for _, ps := range in.order {
		if ps.fires == 0 {
			out = append(out, ps.name)
		}
	}
	return out
}

// UnfiredEntries returns the plan's fault-point entries that never fired,
// sorted by point, then plan order: finer than Unfired when a point has
// several entries.
func (in *Injector) UnfiredEntries() []Entry {
	var out []Entry
	for _, ps := range in.order {
		for _, e := range ps.entries {
			if e.fires == 0 {
				out = append(out, e.Entry)
			}
		}
	}
	return out
}

// CheckFired returns an error naming every armed point that never fired
// (with its evaluation count, which tells "never reached" from "reached
// but the plan never chose it"), or nil.
func (in *Injector) CheckFired() error {
	var bad []string
	for _, ps := range in.order {
		if ps.fires == 0 {
			bad = append(bad, fmt.Sprintf("%s (evaluated %d times)", ps.name, ps.evals))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("sim/fault: armed points never fired: %s", strings.Join(bad, ", "))
}
