package reports

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redosim/redosim/reports/plots"
	"github.com/redosim/redosim/reports/stats"
	"github.com/redosim/redosim/results"
)

// sweepPoint is one world's position in a sweep.
type sweepPoint struct {
	World  *results.World
	X      float64
	Family string
}

// sweepPoints places every world on the swept parameter's axis. Lines
// (families) group worlds by their other parameters that vary between
// worlds; with none, there is one line, "all worlds". It returns the unit
// suffix of the values ("s" for "30s"), or ok=false (with a note) when the
// values are missing or not numeric.
func sweepPoints(d *dataset) (pts []sweepPoint, unit string, ok bool) {
	key := d.run.Sweep
	varying := varyingParams(d.worlds, key)
	for _, w := range d.worlds {
		i := slices.IndexFunc(w.Params, func(p results.Param) bool { return p.Key == key })
		if i < 0 {
			d.notef("World %s has no value for the swept parameter %q; it is left out of the sweep plots.", worldName(w), key)
			continue
		}
		x, u, err := parseNumber(w.Params[i].Value)
		if err != nil {
			d.notef("Sweep value %q of %q (world %s) is not numeric; no sweep plots.", w.Params[i].Value, key, worldName(w))
			return nil, "", false
		}
		unit = u
		var fam []string
		for _, p := range w.Params {
			if varying[p.Key] {
				fam = append(fam, p.Key+"="+p.Value)
			}
		}
		family := strings.Join(fam, ", ")
		if family == "" {
			family = "all worlds"
		}
		pts = append(pts, sweepPoint{World: w, X: x, Family: family})
	}
	return pts, unit, len(pts) > 0
}

// varyingParams returns the parameter keys, other than sweep, whose value
// differs between worlds.
func varyingParams(worlds []*results.World, sweep string) map[string]bool {
	const missing = "\x00missing"
	values := map[string]map[string]bool{}
	for _, w := range worlds {
		for _, p := range w.Params {
			values[p.Key] = map[string]bool{}
		}
	}
	for _, w := range worlds {
		for key, set := range values {
			v := missing
			if i := slices.IndexFunc(w.Params, func(p results.Param) bool { return p.Key == key }); i >= 0 {
				v = w.Params[i].Value
			}
			set[v] = true
		}
	}
	varying := map[string]bool{}
	for key, set := range values {
		if key != sweep && len(set) > 1 {
			varying[key] = true
		}
	}
	return varying
}

// parseNumber reads a number with an optional unit suffix ("30s", "64",
// "0.5 GiB").
func parseNumber(s string) (float64, string, error) {
	s = strings.TrimSpace(s)
	end := len(s)
	for end > 0 {
		if _, err := strconv.ParseFloat(s[:end], 64); err == nil {
			break
		}
		end--
	}
	if end == 0 {
		return 0, "", fmt.Errorf("reports: %q is not a number", s)
	}
	x, _ := strconv.ParseFloat(s[:end], 64)
	return x, strings.TrimSpace(s[end:]), nil
}

func sweepFigures(fs *figureSet, d *dataset, a *analysis, opts Options) error {
	if d.run.Sweep == "" {
		return nil
	}
	pts, unit, ok := sweepPoints(d)
	if !ok {
		return nil
	}
	for _, ms := range a.metrics {
		if ms.Metric.Kind != kindScalar && !ms.Metric.Headline() {
			continue
		}
		if err := sweepFigure(fs, d, ms.Metric, pts, unit); err != nil {
			return err
		}
	}
	return nil
}

func sweepFigure(fs *figureSet, d *dataset, m *metric, pts []sweepPoint, xunit string) error {
	stat := ""
	if m.Kind == kindSample {
		stat = "p99"
	}
	byFam := map[string]map[float64][]float64{}
	var fams []string
	for _, p := range pts {
		v, ok := worldQuantity(p.World, m, stat)
		if !ok {
			continue
		}
		if byFam[p.Family] == nil {
			byFam[p.Family] = map[float64][]float64{}
			fams = append(fams, p.Family)
		}
		byFam[p.Family][p.X] = append(byFam[p.Family][p.X], v)
	}
	if len(fams) == 0 {
		return nil
	}
	var lines []plots.Line
	var typical float64
	for i, fam := range fams {
		l := sweepLine(fam, byFam[fam])
		l.Color = i
		lines = append(lines, l)
		for _, y := range l.Y {
			typical = max(typical, abs(y))
		}
	}
	du, f := unitScale(m.Unit, typical)
	for i := range lines {
		lines[i].Y, lines[i].Lo, lines[i].Hi = scaled(lines[i].Y, f), scaled(lines[i].Lo, f), scaled(lines[i].Hi, f)
	}
	title := quantityName(m, stat) + " vs " + d.run.Sweep
	spec := plots.XY{Title: title, XLabel: axisLabel(d.run.Sweep, xunit), YLabel: axisLabel(quantityName(m, stat), du), Lines: lines}
	fig, err := spec.Figure()
	if err != nil {
		return err
	}
	return fs.save(figSweep, title, fmt.Sprintf("Median across seeds at each value; band: the 95 %% order-statistic interval of the median "+
		"with at least %d seeds, else the seeds' min–max range.", stats.MinIntervalN()),
		"sweep-"+quantityName(m, stat), fig)
}

func sweepLine(fam string, byX map[float64][]float64) plots.Line {
	xs := make([]float64, 0, len(byX))
	for x := range byX {
		xs = append(xs, x)
	}
	slices.Sort(xs)
	l := plots.Line{Name: fam, Points: true}
	for _, x := range xs {
		vals := slices.Clone(byX[x])
		slices.Sort(vals)
		lo, hi := vals[0], vals[len(vals)-1]
		if iv, _, ok := stats.MedianInterval(vals, 0.95); ok {
			lo, hi = iv.Lo, iv.Hi
		}
		l.X, l.Y, l.Lo, l.Hi = append(l.X, x), append(l.Y, stats.Quantile(vals, 50)), append(l.Lo, lo), append(l.Hi, hi)
	}
	return l
}

// worldQuantity is one world's value of a scalar, or its per-world
// statistic stat ("p99") of a sample.
func worldQuantity(w *results.World, m *metric, stat string) (float64, bool) {
	if m.Kind == kindScalar {
		for _, s := range w.Scalars {
			if s.Metric == m.Name {
				return s.Value, isFinite(s.Value)
			}
		}
		return 0, false
	}
	var vals []float64
	for _, s := range w.Samples {
		if s.Metric == m.Name {
			fin, _ := stats.Finite(s.Values)
			vals = append(vals, fin...)
		}
	}
	if len(vals) == 0 {
		return 0, false
	}
	slices.Sort(vals)
	p := 50.0
	if stat == "p99" {
		p = 99
	}
	return stats.Quantile(vals, p), true
}
