package upstream_test

import (
	"fmt"

	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/sim"
)

// Example runs a small upstream for ten seconds of virtual time, then reads
// table 1 as the event service would, up to the resolved ts, and takes the
// oracle's prefix.
func Example() {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	up, err := upstream.New(w, upstream.Config{Tables: 8, RowsPerSecond: 500, DDLPerMinute: -1})
	if err != nil {
		panic(err)
	}
	advances := 0
	up.OnResolved(func(uint64) { advances++ })
	up.Start()
	if err := w.Loop.RunUntil(sim.Instant(10 * sim.Second)); err != nil {
		panic(err)
	}
	resolved := up.ResolvedTs()
	fmt.Println("resolved at", up.Clock().InstantOf(resolved), "after", advances, "advances")

	events, rows := 0, 0
	up.Scan(1, 0, resolved, func(ev upstream.Event) bool {
		events++
		rows += len(ev.Rows)
		return true
	})
	st := up.Stats()
	fmt.Println("table 1:", events, "txns,", rows, "rows")
	fmt.Println("all tables:", st.Txns, "txns,", st.Rows, "rows,", len(up.HistoryUpTo(resolved)), "up to resolved")
	// Output:
	// resolved at t+10s after 10 advances
	// table 1: 331 txns, 1554 rows
	// all tables: 967 txns, 4940 rows, 4940 up to resolved
}
