package scanwindow

import (
	"testing"

	"github.com/redosim/redosim/sim"
)

// mustNew builds a controller or fails the test.
func mustNew(t testing.TB, cfg Config) *Controller {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// at is the instant s seconds after the world started.
func at(s float64) sim.Instant { return sim.Instant(s * float64(sim.Second)) }

// feed sends one report of usage per second at seconds from, from+1, ...,
// from+n-1 and returns the interval after each.
func feed(c *Controller, from float64, n int, usage float64) []sim.Duration {
	out := make([]sim.Duration, n)
	for i := range n {
		c.Observe(at(from+float64(i)), Report{UsageRatio: usage})
		out[i] = c.Interval()
	}
	return out
}
