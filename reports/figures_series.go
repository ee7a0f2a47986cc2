package reports

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/redosim/redosim/reports/plots"
	"github.com/redosim/redosim/reports/stats"
	"github.com/redosim/redosim/results"
)

// Bounds of the time-series figures.
const (
	seriesGridMax = 1500 // points per line
	barrierMax    = 400  // shaded barrier windows per figure
	faultMax      = 100  // shaded fault windows per figure
)

// seriesKey is one time-series figure: a metric and one label set.
type seriesKey struct {
	Metric string
	Labels string
}

func (k seriesKey) title() string {
	if k.Labels == "" {
		return k.Metric
	}
	return k.Metric + " {" + strings.ReplaceAll(k.Labels, ";", ", ") + "}"
}

// seriesKeys returns the metric/label-set pairs of every world: documented
// metrics in documentation order, then the rest by name; label sets by
// name.
func seriesKeys(d *dataset) []seriesKey {
	seen := map[seriesKey]bool{}
	var keys []seriesKey
	for _, w := range d.worlds {
		for _, s := range w.Series {
			k := seriesKey{Metric: s.Metric, Labels: labelString(s.Labels)}
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	order := map[string]int{}
	for i, m := range d.run.Metrics {
		order[m.Name] = i + 1
	}
	sort.SliceStable(keys, func(i, j int) bool {
		oi, oj := order[keys[i].Metric], order[keys[j].Metric]
		switch {
		case (oi == 0) != (oj == 0):
			return oi != 0
		case oi != oj:
			return oi < oj
		case keys[i].Metric != keys[j].Metric:
			return keys[i].Metric < keys[j].Metric
		}
		return keys[i].Labels < keys[j].Labels
	})
	return keys
}

func seriesFigures(fs *figureSet, d *dataset, a *analysis, opts Options) error {
	keys := documentedFirst(d, seriesKeys(d))
	shades := seriesShades(d)
	for i, k := range keys {
		if i >= opts.maxSeriesPlots() {
			var rest []string
			for _, k := range keys[i:] {
				rest = append(rest, k.title())
			}
			d.notef("Only %d time series are drawn; not drawn (see timeseries.csv): %s.", i, strings.Join(rest, ", "))
			break
		}
		if err := seriesFigure(fs, d, k, shades); err != nil {
			return err
		}
	}
	return nil
}

// documentedFirst keeps only the series of documented metrics when the run
// documents any (the scenario named what matters; the rest stay in
// timeseries.csv and are listed in a note), else every series.
func documentedFirst(d *dataset, keys []seriesKey) []seriesKey {
	doc := map[string]bool{}
	for _, m := range d.run.Metrics {
		doc[m.Name] = true
	}
	if len(doc) == 0 {
		return keys
	}
	var kept []seriesKey
	skipped := map[string]bool{}
	for _, k := range keys {
		if doc[k.Metric] {
			kept = append(kept, k)
		} else {
			skipped[k.Metric] = true
		}
	}
	if len(skipped) > 0 {
		names := make([]string, 0, len(skipped))
		for n := range skipped {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(names) > 6 {
			names = append(names[:6], "...")
		}
		d.notef("Time series of %d metrics the scenario does not document are in timeseries.csv, not drawn (%s).", len(skipped), strings.Join(names, ", "))
	}
	return kept
}

// rateBins is about how many bins a rate series is averaged into: rows
// arrive downstream in bursts of several seconds, so fewer, wider bins.
const rateBins = 40

// isRate reports whether a unit is per second: such series are noisy
// sample to sample and are drawn binned.
func isRate(unit string) bool { return strings.HasSuffix(unit, "/s") }

// binWidth is a round bin width near span/rateBins seconds, or 0 when that
// is not wider than the sampling interval step.
func binWidth(span, step float64) float64 {
	for _, w := range []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600} {
		if w >= span/rateBins {
			if w <= step {
				return 0
			}
			return w
		}
	}
	return 3600
}

// binned averages points into bins (k·w, (k+1)·w] of width w, each bin's
// mean drawn at its end time (when its data is complete).
func binned(pts []results.Point, w float64) []results.Point {
	var out []results.Point
	for i := 0; i < len(pts); {
		end := math.Ceil(pts[i].T/w) * w
		sum, n := 0.0, 0
		for i < len(pts) && pts[i].T <= end {
			sum += pts[i].V
			n++
			i++
		}
		out = append(out, results.Point{T: end, V: sum / float64(n)})
	}
	return out
}

func seriesFigure(fs *figureSet, d *dataset, k seriesKey, shades []plots.Shade) error {
	var lines []plots.Line
	unit := ""
	var typical float64
	var per0 [][]results.Point
	for _, v := range d.variants {
		for _, w := range v.Worlds {
			for _, s := range w.Series {
				if s.Metric == k.Metric && labelString(s.Labels) == k.Labels {
					per0 = append(per0, finitePoints(s.Points))
					unit = d.unitOf(s.Metric, s.Unit)
					break
				}
			}
		}
	}
	bin := 0.0
	if isRate(unit) {
		bin = binWidth(seriesSpan(per0), sampleStep(per0))
	}
	for _, v := range d.variants {
		var per [][]results.Point
		for _, w := range v.Worlds {
			for _, s := range w.Series {
				if s.Metric == k.Metric && labelString(s.Labels) == k.Labels {
					pts := finitePoints(s.Points)
					if bin > 0 {
						pts = binned(pts, bin)
					}
					per = append(per, pts)
					break
				}
			}
		}
		if l, ok := medianLine(per); ok {
			l.Name, l.Color = fmt.Sprintf("%s (%s)", v.Name, plural(len(per), "seed")), v.Index
			lines = append(lines, l)
			for _, y := range l.Y {
				typical = max(typical, abs(y))
			}
		}
	}
	if len(lines) == 0 {
		d.notef("Time series %s has no finite points; not drawn.", k.title())
		return nil
	}
	du, f := unitScale(unit, typical)
	for i := range lines {
		lines[i].Y, lines[i].Lo, lines[i].Hi = scaled(lines[i].Y, f), scaled(lines[i].Lo, f), scaled(lines[i].Hi, f)
	}
	spec := plots.XY{Title: k.title(), XLabel: "virtual time (s)", YLabel: axisLabel(k.Metric, du),
		Lines: lines, Shades: shades, YFromZero: true}
	for _, r := range d.docs[k.Metric].Refs {
		spec.Refs = append(spec.Refs, plots.RefLine{Y: r.Value * f, Label: r.Label})
	}
	fig, err := spec.Figure()
	if err != nil {
		return err
	}
	caption := joinSentences(d.docs[k.Metric].Doc, "Median across seeds; band: min–max across seeds.")
	if bin > 0 {
		caption += fmt.Sprintf(" A rate: each world's samples averaged over %g s bins before the median (timeseries.csv has every sample).", bin)
	}
	if len(spec.Refs) > 0 {
		caption += " Dashed: reference values the scenario documents."
	}
	base := "ts-" + k.Metric
	if k.Labels != "" {
		base += "-" + k.Labels
	}
	return fs.save(figSeries, spec.Title, caption, base, fig)
}

// seriesSpan is the time from the first to the last point of all series.
func seriesSpan(per [][]results.Point) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, pts := range per {
		if len(pts) > 0 {
			lo, hi = min(lo, pts[0].T), max(hi, pts[len(pts)-1].T)
		}
	}
	if hi < lo {
		return 0
	}
	return hi - lo
}

// sampleStep is the smallest time between two points of a series.
func sampleStep(per [][]results.Point) float64 {
	step := math.Inf(1)
	for _, pts := range per {
		for i := 1; i < len(pts); i++ {
			if dt := pts[i].T - pts[i-1].T; dt > 0 {
				step = min(step, dt)
			}
		}
	}
	return step
}

func finitePoints(points []results.Point) []results.Point {
	out := make([]results.Point, 0, len(points))
	for _, p := range points {
		if isFinite(p.T) && isFinite(p.V) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b results.Point) int {
		switch {
		case a.T < b.T:
			return -1
		case a.T > b.T:
			return 1
		}
		return 0
	})
	return out
}

// medianLine puts the seeds' series on one time grid (the union of their
// times, thinned evenly to seriesGridMax) holding each series at its last
// sample, and returns the median across seeds with the min–max band.
func medianLine(per [][]results.Point) (plots.Line, bool) {
	grid := timeGrid(per)
	var l plots.Line
	vals := make([]float64, 0, len(per))
	for _, t := range grid {
		vals = vals[:0]
		for _, pts := range per {
			i := sort.Search(len(pts), func(i int) bool { return pts[i].T > t }) - 1
			if i >= 0 {
				vals = append(vals, pts[i].V)
			}
		}
		if len(vals) == 0 {
			continue
		}
		slices.Sort(vals)
		l.X = append(l.X, t)
		l.Y = append(l.Y, stats.Quantile(vals, 50))
		l.Lo = append(l.Lo, vals[0])
		l.Hi = append(l.Hi, vals[len(vals)-1])
	}
	return l, len(l.X) > 0
}

func timeGrid(per [][]results.Point) []float64 {
	var ts []float64
	for _, pts := range per {
		for _, p := range pts {
			ts = append(ts, p.T)
		}
	}
	slices.Sort(ts)
	ts = slices.Compact(ts)
	if len(ts) <= seriesGridMax {
		return ts
	}
	lo, hi := ts[0], ts[len(ts)-1]
	grid := make([]float64, seriesGridMax)
	for i := range grid {
		grid[i] = lo + (hi-lo)*float64(i)/float64(seriesGridMax-1)
	}
	return grid
}
