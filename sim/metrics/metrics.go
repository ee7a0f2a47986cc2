package metrics

import (
	"fmt"
	"math"

	"github.com/redosim/redosim/sim"
)

// Point is one sample of a series: the value v at virtual time T.
type Point struct {
	T sim.Instant
	V float64
}

// Counter is a monotonically increasing count (events, bytes).
type Counter struct {
	v   float64
	pts []Point
}

// Add adds v to the counter. It panics when v is negative or NaN: a
// counter only goes up (use a Gauge otherwise).
func (c *Counter) Add(v float64) {
	if !(v >= 0) {
		panic(fmt.Sprintf("sim/metrics: counter add %v, want >= 0", v))
	}
	c.v += v
}

// Inc adds one.
func (c *Counter) Inc() { c.v++ }

// Value returns the current count.
func (c *Counter) Value() float64 { return c.v }

// Gauge is a value that goes up and down (queue length, memory in use).
type Gauge struct {
	v   float64
	pts []Point
}

// Set sets the gauge to v. It panics on NaN.
func (g *Gauge) Set(v float64) {
	if math.IsNaN(v) {
		panic("sim/metrics: gauge set to NaN")
	}
	g.v = v
}

// Add adds v (which may be negative) to the gauge. It panics on NaN.
func (g *Gauge) Add(v float64) {
	if math.IsNaN(v) {
		panic("sim/metrics: gauge add NaN")
	}
	g.v += v
}

// Value returns the gauge's current value.
func (g *Gauge) Value() float64 { return g.v }
