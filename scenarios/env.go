package scenarios

import (
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/check"
	"github.com/redosim/redosim/sim/fault"
	"github.com/redosim/redosim/sim/metrics"
)

// SpansMax bounds the timeline slices one world keeps; later ones are
// counted, not kept, so a long world's results stay small.
const SpansMax = 20000

// Env is what a scenario's builder gets: the world, its parameters, its
// checkers and metrics, its fault plan, and collectors for results.
type Env struct {
	W       *sim.World
	P       Values
	Checks  *check.Set
	Metrics *metrics.Registry
	Faults  *fault.Injector
	Plan    fault.Plan
	// Duration is how long the world runs.
	Duration sim.Duration
	// Variant is the variant's name.
	Variant string

	scalars      []results.Scalar
	samples      map[string]*results.Sample
	sampleOrder  []string
	spans        []results.Span
	spansDropped int
	instants     []results.Instant
	faults       []results.Fault
	finish       []func()
}

// Scalar records a per-world number.
func (e *Env) Scalar(metric, unit string, v float64) {
	e.scalars = append(e.scalars, results.Scalar{Metric: metric, Unit: unit, Value: v})
}

// CensoredScalar records a per-world number whose event never happened
// before the world ended: v is only a lower bound (reports show it as
// censored, never as a value).
func (e *Env) CensoredScalar(metric, unit string, v float64) {
	e.scalars = append(e.scalars, results.Scalar{Metric: metric, Unit: unit, Value: v, Censored: true})
}

// Observe adds one observation to the named distribution.
func (e *Env) Observe(metric, unit string, v float64) {
	s, ok := e.samples[metric]
	if !ok {
		s = &results.Sample{Metric: metric, Unit: unit}
		e.samples[metric] = s
		e.sampleOrder = append(e.sampleOrder, metric)
	}
	s.Values = append(s.Values, v)
}

// Span records a timeline slice.
func (e *Env) Span(process, track, name string, start, end sim.Instant) {
	if len(e.spans) >= SpansMax {
		e.spansDropped++
		return
	}
	e.spans = append(e.spans, results.Span{Process: process, Track: track, Name: name,
		Start: start.Seconds(), End: end.Seconds()})
}

// Instant records a timeline point event.
func (e *Env) Instant(process, track, name string, at sim.Instant) {
	if len(e.instants) >= SpansMax {
		e.spansDropped++
		return
	}
	e.instants = append(e.instants, results.Instant{Process: process, Track: track, Name: name, At: at.Seconds()})
}

// Fault records an injected fault (until == at for an instant fault).
func (e *Env) Fault(kind, target string, at, until sim.Instant, detail string) {
	e.faults = append(e.faults, results.Fault{Kind: kind, Target: target, At: at.Seconds(), Until: until.Seconds(), Detail: detail})
}

// OnFinish registers fn to run after the loop stops, before results are
// collected (final checks, summary scalars).
func (e *Env) OnFinish(fn func()) { e.finish = append(e.finish, fn) }

// Rand returns the world's random stream name.
func (e *Env) Rand(name string) *sim.Rand { return e.W.Rand(name) }
