package reports

import (
	"slices"
	"strings"

	"github.com/redosim/redosim/reports/plots"
	"github.com/redosim/redosim/results"
)

// isBarrier reports whether a span is a syncpoint barrier.
func isBarrier(s results.Span) bool {
	return s.Track == "barrier" || strings.HasPrefix(s.Name, "syncpoint")
}

// seriesShades returns the windows shaded behind every time series: the
// distinct fault windows of all worlds, and the barriers of the first seed
// of each variant, merged into disjoint windows, in a strip per variant in
// its colour. Both are capped.
func seriesShades(d *dataset) []plots.Shade {
	var faults []plots.Shade
	seen := map[[2]float64]bool{}
	for _, w := range d.worlds {
		for _, f := range w.Faults {
			k := [2]float64{f.At, f.Until}
			if seen[k] || !isFinite(f.At) || !isFinite(f.Until) || f.Until < f.At {
				continue
			}
			seen[k] = true
			faults = append(faults, plots.Shade{From: f.At, To: f.Until, Kind: plots.FaultShade})
		}
	}
	if len(faults) > faultMax {
		d.notef("%d distinct fault windows; the time series shade the first %d.", len(faults), faultMax)
		faults = faults[:faultMax]
	}
	var out []plots.Shade
	for lane, v := range d.variants {
		if len(v.Worlds) == 0 {
			continue
		}
		var barriers [][2]float64
		for _, s := range v.Worlds[0].Spans {
			if isBarrier(s) && isFinite(s.Start) && isFinite(s.End) && s.End >= s.Start {
				barriers = append(barriers, [2]float64{s.Start, s.End})
			}
		}
		merged := mergeWindows(barriers)
		if len(merged) > barrierMax {
			d.notef("Variant %s has %d barrier windows; the time series show the first %d.", v.Name, len(merged), barrierMax)
			merged = merged[:barrierMax]
		}
		for _, b := range merged {
			out = append(out, plots.Shade{From: b[0], To: b[1], Kind: plots.BarrierShade, Lane: lane, Color: v.Index})
		}
	}
	return append(out, faults...)
}

// mergeWindows sorts windows and merges the overlapping ones.
func mergeWindows(ws [][2]float64) [][2]float64 {
	slices.SortFunc(ws, func(a, b [2]float64) int {
		switch {
		case a[0] < b[0]:
			return -1
		case a[0] > b[0]:
			return 1
		}
		return 0
	})
	var out [][2]float64
	for _, w := range ws {
		if n := len(out); n > 0 && w[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], w[1])
			continue
		}
		out = append(out, w)
	}
	return out
}
