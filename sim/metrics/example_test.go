package metrics_test

import (
	"fmt"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
)

// Example records fsyncs and their latency on a world's loop, samples every
// second of virtual time, and prints the series and a histogram summary.
func Example() {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	reg := metrics.NewRegistry()
	fsyncs := reg.Counter("disk_fsyncs", metrics.L("node", "n1"))
	lat := reg.Histogram("disk_fsync_ms", metrics.L("node", "n1"))
	timer := reg.StartSampling(w.Loop, sim.Second)

	w.Loop.Every(250*sim.Millisecond, func() {
		fsyncs.Inc()
		lat.Observe(0.1 + w.Rand("disk/n1").Float64())
	})
	if err := w.Loop.RunUntil(sim.Instant(2 * sim.Second)); err != nil {
		panic(err)
	}
	timer.Stop()

	// The samples at 1s and 2s ran before the fsyncs at those instants (they
	// were scheduled earlier), so the series end at 7 and the histogram at 8.
	for _, s := range reg.Series() {
		fmt.Printf("%-30s %d points, last %.3g\n", s.Key(), len(s.Points), s.Points[len(s.Points)-1].V)
	}
	h := reg.Histograms()[0]
	fmt.Printf("%s: count %d, p50 %.3f ms\n", h.Key(), h.Count, h.P50)
	// Output:
	// disk_fsync_ms_count{node=n1}   2 points, last 7
	// disk_fsync_ms_p50{node=n1}     2 points, last 0.642
	// disk_fsync_ms_p99{node=n1}     2 points, last 0.861
	// disk_fsync_ms_sum{node=n1}     2 points, last 4.25
	// disk_fsyncs{node=n1}           2 points, last 7
	// disk_fsync_ms{node=n1}: count 8, p50 0.642 ms
}
