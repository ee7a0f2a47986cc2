package tso_test

import (
	"fmt"

	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
)

// Example maps virtual time onto TSO timestamps and finds the syncpoints of
// a changefeed started at a commit ts.
func Example() {
	c := tso.NewClock(tso.DefaultStartPhysicalMs)
	now := sim.Instant(1500 * sim.Millisecond)
	a, b := c.Next(now), c.Next(now)
	fmt.Println(tso.Physical(a)-tso.DefaultStartPhysicalMs, tso.Logical(a), tso.Logical(b))
	fmt.Println(c.At(now) < a, c.InstantOf(b))

	sp := tso.FirstSyncPoint(b, 30*sim.Second, false)
	fmt.Println(c.InstantOf(sp), c.InstantOf(tso.NextSyncPoint(sp, 30*sim.Second)))
	// Output:
	// 1500 1 2
	// true t+1.5s
	// t+30s t+1m0s
}
