package scenarios

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/check"
	"github.com/redosim/redosim/sim/fault"
	"github.com/redosim/redosim/sim/metrics"
)

// Spec names one world: a scenario, a variant, a seed and overrides.
type Spec struct {
	Scenario *Scenario
	// Variant is the variant's name; "" means the first.
	Variant string
	Seed    uint64
	// Duration overrides the scenario's simulated time when positive.
	Duration sim.Duration
	// Set overrides parameters (key -> value), on top of the variant's.
	Set map[string]string
	// Faults is a fault plan (sim/fault grammar) injected into the world.
	Faults string
	// KeepTrace keeps every trace event (for -trace and divergence reports).
	KeepTrace bool
	// StopOnViolation ends the world at its first invariant violation.
	StopOnViolation bool
	// StepsMax bounds the loop's events (0: a generous default).
	StepsMax uint64
	// Halfway, when set, is called once the world has run half its
	// simulated time, outside every event: a benchmark samples the
	// process there. It must not touch the world.
	Halfway func()
	// Ended, when set, is called once the world has run its simulated
	// time, before the end-of-world checks: a benchmark samples the
	// steady state there, apart from what the checks then allocate. It
	// must not touch the world.
	Ended func()
}

// Outcome is what running a world produced: its results and its trace.
type Outcome struct {
	World *results.World
	Trace *sim.Trace
}

// defaultStepsMax bounds a world's events: far above any scenario's need,
// low enough to end a livelock within minutes.
const defaultStepsMax = 2_000_000_000

// Run builds and runs one world and returns its results.
func Run(spec Spec) (*Outcome, error) {
	sc := spec.Scenario
	if sc == nil {
		return nil, fmt.Errorf("%w: no scenario given", ErrConfig)
	}
	env, err := newEnv(spec)
	if err != nil {
		return nil, err
	}
	if err := sc.Build(env); err != nil {
		if errors.Is(err, ErrConfig) {
			return nil, err
		}
		return nil, fmt.Errorf("scenario %s: build: %w", sc.Name, err)
	}
	if spec.StopOnViolation {
		env.Checks.OnViolation = func(c *check.Checker, v check.Violation) { env.W.Loop.Stop("violation: " + c.Name()) }
	}
	every := sc.SampleEvery
	if every <= 0 {
		every = sim.Second
	}
	env.Metrics.StartSampling(env.W.Loop, every)
	if spec.Halfway != nil {
		// Running to the half and then to the end is the same run: nothing
		// is scheduled in between.
		if err := env.W.Loop.RunUntil(sim.Instant(env.Duration / 2)); err != nil {
			return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
		spec.Halfway()
	}
	if err := env.W.Loop.RunUntil(sim.Instant(env.Duration)); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	if spec.Ended != nil {
		spec.Ended()
	}
	for _, fn := range env.finish {
		fn()
	}
	env.Metrics.Sample(env.W.Now())
	return &Outcome{World: env.collect(spec), Trace: env.W.Trace}, nil
}

func newEnv(spec Spec) (*Env, error) {
	sc := spec.Scenario
	variant := sc.Variants[0]
	if spec.Variant != "" {
		v, err := sc.Variant(spec.Variant)
		if err != nil {
			return nil, err
		}
		variant = v
	}
	values, err := resolve(sc.Params, variant.Set, spec.Set)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	plan, err := fault.Parse(spec.Faults)
	if err != nil {
		return nil, fmt.Errorf("%w: -faults: %w", ErrConfig, err)
	}
	steps := spec.StepsMax
	if steps == 0 {
		steps = defaultStepsMax
	}
	w := sim.NewWorld(sim.WorldConfig{Seed: spec.Seed, KeepTrace: spec.KeepTrace, StepsMax: steps})
	inj, err := fault.New(fault.Config{Plan: plan, Clock: w.Loop, Streams: w.Streams, Catalogue: Catalogue()})
	if err != nil {
		return nil, fmt.Errorf("%w: -faults: %w", ErrConfig, err)
	}
	w.Faults = inj
	d := sc.Duration
	if spec.Duration > 0 {
		d = spec.Duration
	}
	return &Env{W: w, P: values, Checks: check.NewSet(w), Metrics: metrics.NewRegistry(), Faults: inj,
		Plan: plan, Duration: d, Variant: variant.Name, samples: map[string]*results.Sample{}}, nil
}

// collect assembles the world's results.
func (e *Env) collect(spec Spec) *results.World {
	w := &results.World{
		Scenario: spec.Scenario.Name, Variant: e.Variant, Seed: spec.Seed,
		TraceHash: e.W.Trace.HashString(), SimSeconds: e.W.Now().Seconds(), Events: e.W.Loop.Steps(),
		Scalars: e.scalars, Spans: e.spans, Instants: e.instants, Faults: e.faults,
		Command: ReplayCommand(spec, e.P),
	}
	for _, kv := range e.P.List() {
		w.Params = append(w.Params, results.Param{Key: kv[0], Value: kv[1]})
	}
	for _, c := range e.Checks.Checkers() {
		inv := results.Invariant{Name: c.Name(), Held: c.Violations() == 0, Violations: c.Violations()}
		if v := c.First(); v != nil {
			inv.First = &results.Violation{At: v.At.Seconds(), Detail: v.Detail}
		}
		w.Invariants = append(w.Invariants, inv)
	}
	for _, p := range e.W.Probes() {
		w.Probes = append(w.Probes, results.Probe{Name: p.Name, Count: p.Count})
	}
	for _, name := range e.sampleOrder {
		w.Samples = append(w.Samples, *e.samples[name])
	}
	for _, s := range e.Metrics.Series() {
		rs := results.Series{Metric: s.Name}
		for _, l := range s.Labels {
			rs.Labels = append(rs.Labels, results.Label{Key: l.Key, Value: l.Value})
		}
		for _, p := range s.Points {
			rs.Points = append(rs.Points, results.Point{T: p.T.Seconds(), V: p.V})
		}
		w.Series = append(w.Series, rs)
	}
	if e.spansDropped > 0 {
		e.Scalar("timeline_events_dropped", "events", float64(e.spansDropped))
		w.Scalars = e.scalars
	}
	return w
}

// ReplayCommand is the simrun command that runs exactly this world again.
func ReplayCommand(spec Spec, v Values) string {
	parts := []string{"simrun", "-scenario", spec.Scenario.Name}
	variant := spec.Variant
	if variant == "" {
		variant = spec.Scenario.Variants[0].Name
	}
	parts = append(parts, "-variants", variant, "-seed", fmt.Sprint(spec.Seed))
	if spec.Duration > 0 {
		parts = append(parts, "-duration", spec.Duration.String())
	}
	keys := make([]string, 0, len(spec.Set))
	for k := range spec.Set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, "-set", shellQuote(k+"="+spec.Set[k]))
	}
	if spec.Faults != "" {
		parts = append(parts, "-faults", shellQuote(spec.Faults))
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe
// characters.
func shellQuote(s string) string {
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_=./:,@%+", r)) {
			safe = false
			break
		}
	}
	if safe && s != "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
