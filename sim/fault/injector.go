package fault

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pingcap/failpoint"

	"github.com/redosim/redosim/sim"
)

// Clock tells an Injector the world's virtual time; *sim.Loop and
// *sim.World satisfy it.
type Clock interface {
	Now() sim.Instant
}

// Config configures New.
type Config struct {
	// Plan is the world's fault plan. Its actions are ignored here: the
	// scenario layer schedules them (Plan.Actions).
	Plan Plan
	// Clock gives the time for @ triggers. Required.
	Clock Clock
	// Streams gives each armed point its stream "fault/<point>" for
	// probability draws. Required: the world's own streams.
	Streams *sim.Streams
	// Catalogue lists the names the plan may use; nil means Catalogue.
	Catalogue []Point
}

// Injector is one world's fault decider (a sim.FaultDecider). It alone
// decides, from the world's plan, clock and seeded streams, when a fault
// point fires, so a seed replays exactly; failpoint is the transport and
// the registry of names, never the source of a decision.
//
// Isolation between worlds running at once: an Injector answers only for
// the points of its own plan (any other point returns at once, touching
// neither failpoint nor anything shared), keeps every count and draw in
// its own state, and enables points in failpoint's global registry only
// with the constant TransportTerm, which carries no state a world could
// leave for another. When its plan says "fire", it evaluates the point
// with failpoint.EvalContext under a context whose hook admits exactly
// that point at that moment. World code must therefore evaluate points
// only through sim.World.Fire, never failpoint.Eval itself (the
// determinism rules test in internal/rules enforces that).
//
// An Injector is not safe for concurrent use: like its world, it lives on
// one goroutine.
type Injector struct {
	plan   Plan
	clock  Clock
	points map[string]*pointState
	order  []*pointState // sorted by name, for reports
	ctx    context.Context
	admit  string // the point being fired now; the hook admits only it
}

// pointState is the state of one armed point in one world.
type pointState struct {
	name    string
	rand    *sim.Rand
	entries []armedEntry
	evals   uint64
	fires   uint64
}

type armedEntry struct {
	Entry
	done  bool // an AtTime entry has fired
	fires uint64
}

var _ sim.FaultDecider = (*Injector)(nil)

// New returns the injector of cfg.Plan. It checks the plan against the
// catalogue and enables each armed point in failpoint's registry with
// TransportTerm.
func New(cfg Config) (*Injector, error) {
	if cfg.Clock == nil || cfg.Streams == nil {
		return nil, errors.New("sim/fault: config needs a Clock and Streams")
	}
	if err := cfg.Plan.Validate(cfg.Catalogue); err != nil {
		return nil, err
	}
	in := &Injector{plan: cfg.Plan, clock: cfg.Clock, points: make(map[string]*pointState)}
	for _, e := range cfg.Plan.entries {
		if e.IsAction() {
			continue
		}
		ps := in.points[e.Name]
		if ps == nil {
			ps = &pointState{name: e.Name, rand: cfg.Streams.Get("fault/" + e.Name)}
			in.points[e.Name] = ps
			in.order = append(in.order, ps)
		}
		ps.entries = append(ps.entries, armedEntry{Entry: e})
	}
	slices.SortFunc(in.order, func(a, b *pointState) int { return strings.Compare(a.name, b.name) })
	in.ctx = failpoint.WithHook(context.Background(), in.hook)
	for _, ps := range in.order {
		if err := enableTransport(ps.name); err != nil {
			return nil, fmt.Errorf("sim/fault: enable failpoint %s: %w", ps.name, err)
		}
	}
	return in, nil
}

// Install builds the injector of plan for world w (its loop and streams)
// and makes it the world's fault decider.
func Install(w *sim.World, plan Plan) (*Injector, error) {
	in, err := New(Config{Plan: plan, Clock: w.Loop, Streams: w.Streams})
	if err != nil {
		return nil, err
	}
	w.Faults = in
	return in, nil
}

// Plan returns the injector's plan.
func (in *Injector) Plan() Plan { return in.plan }

// Fire reports whether point fires at this evaluation and the value it
// carries. A point the plan does not arm returns ("", false) after one map
// lookup, without allocating or touching failpoint. For an armed point the
// entries are tried in plan order and the first that fires wins; an entry
// with a probability below 1 draws once from the point's stream each time
// it is tried within its range. It panics if failpoint's registry was
// changed behind its back (see transport), since the world could no longer
// replay.
func (in *Injector) Fire(point string) (string, bool) {
	ps := in.points[point]
	if ps == nil {
		return "", false
	}
	ps.evals++
	e := ps.decide(in.clock.Now())
	if e == nil {
		return "", false
	}
	in.transport(point)
	ps.fires++
	e.fires++
	return e.Value, true
}

// decide returns the entry that fires at this evaluation, or nil.
func (ps *pointState) decide(now sim.Instant) *armedEntry {
	for i := range ps.entries {
		e := &ps.entries[i]
		switch e.Mode {
		case AtTime:
			if e.done || now < e.From {
				continue
			}
			e.done = true
			return e
		case InWindow:
			if now < e.From || (e.Until != 0 && now >= e.Until) {
				continue
			}
		case AtCount:
			if ps.evals < e.Nth || (e.NthLast != 0 && ps.evals > e.NthLast) {
				continue
			}
		}
		if e.Prob >= 1 || ps.rand.Float64() < e.Prob {
			return e
		}
	}
	return nil
}

// hook is the failpoint hook of the injector's context: it admits only the
// point this injector is firing at this moment.
func (in *Injector) hook(_ context.Context, name string) bool { return name == in.admit }

// transport carries a decided firing through failpoint: it makes sure the
// point is enabled with TransportTerm and evaluates it under the
// injector's context. Anything but (true, nil) means some code outside
// sim/fault enabled the point with another term or disabled it: a bug in
// the process's setup that would make worlds diverge, so it panics.
func (in *Injector) transport(point string) {
	err := enableTransport(point)
	var v failpoint.Value
	if err == nil {
		in.admit = point
		v, err = failpoint.EvalContext(in.ctx, point)
		in.admit = ""
	}
	if err != nil || v != true {
		panic(fmt.Sprintf("sim/fault: failpoint %s did not carry a decided firing (value %v, err %v): "+
			"code outside sim/fault changed it in the global registry", point, v, err))
	}
}
