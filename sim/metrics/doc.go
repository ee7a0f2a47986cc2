// Package metrics records counters, gauges and histograms of one simulated
// world and samples them on virtual time.
//
// A Registry belongs to one world and, like the world, is used from one
// goroutine. Metrics are named with an optional set of labels; the pair is
// canonicalised (labels sorted by key) into a key such as
// "disk_fsyncs{disk=nvme0,node=n1}", and asking twice for the same key
// returns the same metric. A lookup builds that key, so hot paths look a
// metric up once and keep the pointer.
//
// Sample appends one point per counter and gauge to its series, and four
// derived series per histogram (see Registry.Sample). StartSampling does
// that on the world's loop every period. Every output (Series, Histograms)
// is sorted by name then labels, never in map order, so two runs of a seed
// print the same report.
//
// Usage:
//
//	reg := metrics.NewRegistry()
//	fsyncs := reg.Counter("disk_fsyncs", metrics.L("node", "n1"))
//	lat := reg.Histogram("disk_fsync_seconds", metrics.L("node", "n1"))
//	timer := reg.StartSampling(w.Loop, sim.Second)
//	defer timer.Stop()
//	// ... in the disk model:
//	fsyncs.Inc()
//	lat.Observe(d.Seconds())
//	// ... after the run:
//	for _, s := range reg.Series() { fmt.Println(s.Key(), len(s.Points)) }
//
// Histograms keep raw observations for exact quantiles up to a bound
// (Config.HistogramValuesMax); past it they keep a uniform reservoir sample
// drawn from a private PCG stream seeded by the metric's key, so the result
// is deterministic and draws nothing from the world's streams. Count, Sum,
// Min and Max are always exact.
package metrics
