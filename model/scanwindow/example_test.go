package scanwindow_test

import (
	"fmt"

	"github.com/redosim/redosim/model/scanwindow"
	"github.com/redosim/redosim/sim"
)

// Example feeds a PR #4950 controller a burst of full memory, then calm, and
// bounds a scan with the result.
func Example() {
	c, err := scanwindow.New(scanwindow.Config{
		Algorithm:         scanwindow.Algorithm4950,
		SyncPointInterval: 10 * sim.Minute,
	})
	if err != nil {
		panic(err)
	}
	now := sim.Instant(0)
	report := func(seconds int, usage float64) {
		for range seconds {
			now = now.Add(sim.Second)
			c.Observe(now, scanwindow.Report{UsageRatio: scanwindow.Combine(scanwindow.AggregationMax, 0.02, usage)})
		}
		st := c.Stats()
		fmt.Printf("%v: interval %v (last change: %s)\n", now, c.Interval(), st.LastChangeReason)
	}
	report(31, 1.0)   // redo area full: emergency brake every 10 s
	report(60, 0.05)  // calm: floor recovery x5/4 every 5 s up to 5 s and past it
	report(240, 0.05) // gated growth: one step per 30 s

	const minSentTs = 1_700_000_000_000 << 18 // physical ms << 18
	fmt.Println("scan up to +", (c.ScanMaxTs(minSentTs)>>18)-(minSentTs>>18), "ms")
	// Output:
	// t+31s: interval 1s (last change: critical_brake)
	// t+1m31s: interval 5.960464476s (last change: floor_recovery)
	// t+5m31s: interval 1m41.840123502s (last change: very_low_recovery)
	// scan up to + 101840 ms
}
