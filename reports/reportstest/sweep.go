package reportstest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/redosim/redosim/results"
)

// SweepFixture returns a sweep of "syncpoint-interval" (5, 10, 30, 60 s)
// for two congestion-control families (v1, v2), 3 seeds each: variants are
// named "v1-i5" ... "v2-i60" and every world carries both parameters.
func SweepFixture() (*results.Run, []*results.World) {
	intervals := []int{5, 10, 30, 60}
	run := &results.Run{
		Version:     results.Version,
		Scenario:    "syncpoint-sweep",
		Description: "Checkpoint lag and throughput against the syncpoint interval.",
		Params:      []results.Param{{Key: "hardware", Value: "nvme"}},
		Seeds:       []uint64{1, 2, 3},
		Sweep:       "syncpoint-interval",
		Command:     "simrun sweep -scenario syncpoint -param syncpoint-interval=5,10,30,60 -seeds 1-3",
		Metrics: []results.MetricDoc{
			{Name: "throughput", Unit: "rows/s", Doc: "rows applied per second", Headline: true, HigherIsBetter: true},
			{Name: "checkpoint_lag_p99", Unit: "s", Doc: "p99 checkpoint lag", Headline: true, LowerIsBetter: true},
		},
	}
	var worlds []*results.World
	for fi, fam := range []string{"v1", "v2"} {
		for _, iv := range intervals {
			v := fmt.Sprintf("%s-i%d", fam, iv)
			run.Variants = append(run.Variants, v)
			for _, seed := range run.Seeds {
				worlds = append(worlds, sweepWorld(fam, fi, v, iv, seed))
			}
		}
	}
	return run, worlds
}

func sweepWorld(fam string, fi int, variant string, interval int, seed uint64) *results.World {
	rng := rand.New(rand.NewPCG(seed, uint64(interval*10+fi)))
	lag := (1.0 + 0.4*float64(fi)) * (0.5 + 8/float64(interval)) * (1 + 0.08*rng.NormFloat64())
	tput := 20000 * (1 - 1/float64(interval+2)) * (1 - 0.1*float64(fi)) * (1 + 0.03*rng.NormFloat64())
	var pts []results.Point
	for t := 0.0; t <= 120; t += 2 {
		pts = append(pts, results.Point{T: t, V: lag * (1 + 0.3*math.Sin(t/float64(interval)))})
	}
	return &results.World{
		Version:  results.Version,
		Scenario: "syncpoint-sweep",
		Variant:  variant,
		Seed:     seed,
		Params: []results.Param{
			{Key: "cc", Value: fam},
			{Key: "syncpoint-interval", Value: fmt.Sprint(interval)},
		},
		TraceHash:  traceHash(variant, seed),
		SimSeconds: 120,
		Invariants: []results.Invariant{{Name: "monotonic-progress", Held: true}},
		Scalars: []results.Scalar{
			{Metric: "throughput", Unit: "rows/s", Value: tput},
			{Metric: "checkpoint_lag_p99", Unit: "s", Value: lag},
		},
		Series:  []results.Series{{Metric: "checkpoint_lag", Unit: "s", Points: pts}},
		Command: fmt.Sprintf("simrun replay -scenario syncpoint -variant %s -seed %d", variant, seed),
	}
}
