// Package scenarios holds the named, parameterised worlds simrun runs: each
// scenario declares its parameters (with defaults and meaning), the
// variants it compares, the metrics it records and the invariants it
// checks, and a builder that wires a world from sim, engine and model
// parts. Run turns one (scenario, variant, seed) into a results.World.
//
// Everything here runs inside a world: no wall clock, no goroutines, no
// global randomness. Running many worlds at once is simrun's job.
//
// Usage:
//
//	sc, _ := scenarios.Lookup("smoke")
//	world, err := scenarios.Run(scenarios.Spec{Scenario: sc, Variant: "default", Seed: 1})
//	fmt.Println(world.TraceHash, world.Held())
package scenarios

import (
	"fmt"
	"sort"
	"strings"

	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
)

// Variant is one arm of a comparison: a name and the parameters it sets.
type Variant struct {
	Name string
	Doc  string
	Set  map[string]string
}

// InvariantDoc names an invariant a scenario checks and says what it guards.
type InvariantDoc struct {
	Name string
	Doc  string
}

// Scenario is a named world: data plus a builder.
type Scenario struct {
	// Name is what -scenario takes.
	Name string
	// Summary is one line for -list.
	Summary string
	// Doc says what the scenario measures and why, for -describe.
	Doc string
	// Params are the scenario's parameters; "duration" is implicit.
	Params []Param
	// Variants are compared side by side; the first is the default.
	Variants []Variant
	// Sweep, when set, names the parameter whose values the variants walk.
	Sweep string
	// Metrics documents what the scenario records.
	Metrics []results.MetricDoc
	// Invariants documents what the scenario checks.
	Invariants []InvariantDoc
	// Duration is the default simulated time.
	Duration sim.Duration
	// SampleEvery is the metrics sampling period; default 1 s.
	SampleEvery sim.Duration
	// Build wires the world in env. It may schedule events, register
	// checkers and finish hooks; the runner then runs the loop.
	Build func(env *Env) error
}

// VariantNames returns the names of the scenario's variants, in order.
func (s *Scenario) VariantNames() []string {
	out := make([]string, len(s.Variants))
	for i, v := range s.Variants {
		out[i] = v.Name
	}
	return out
}

// Variant returns the named variant.
func (s *Scenario) Variant(name string) (Variant, error) {
	for _, v := range s.Variants {
		if v.Name == name {
			return v, nil
		}
	}
	return Variant{}, fmt.Errorf("%w: scenario %s has no variant %q (variants: %s)",
		ErrConfig, s.Name, name, strings.Join(s.VariantNames(), ", "))
}

// Param returns the declared parameter key.
func (s *Scenario) Param(key string) (Param, bool) {
	for _, p := range s.Params {
		if p.Key == key {
			return p, true
		}
	}
	return Param{}, false
}

// All returns every scenario, sorted by name.
func All() []*Scenario {
	list := catalogue()
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}

// Lookup returns the scenario named name.
func Lookup(name string) (*Scenario, error) {
	var names []string
	for _, s := range All() {
		if s.Name == name {
			return s, nil
		}
		names = append(names, s.Name)
	}
	return nil, fmt.Errorf("%w: unknown scenario %q (scenarios: %s)", ErrConfig, name, strings.Join(names, ", "))
}
