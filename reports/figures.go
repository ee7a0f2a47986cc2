package reports

import (
	"encoding/base64"
	"fmt"
	htmltemplate "html/template"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/redosim/redosim/reports/plots"
	"github.com/redosim/redosim/reports/stats"
)

// Sections of the report's figures, in the order the report shows them.
const (
	figHeadline = "headline"
	figSeries   = "series"
	figCDF      = "cdf"
	figBox      = "box"
	figSweep    = "sweep"
)

// figureRef is a saved figure as the report links it.
type figureRef struct {
	Section string
	Title   string
	Caption string
	PNG     string // relative to the report, e.g. "plots/ts-lag.png"
	SVG     string
	// DataURI is the PNG as a data: URI, so index.html stands alone.
	DataURI htmltemplate.URL
	Width   int // PNG pixels
	Height  int
}

// figureSet builds figures and saves them into dir/plots, naming each file
// uniquely.
type figureSet struct {
	dir   string
	refs  []figureRef
	names map[string]int
}

func (fs *figureSet) save(section, title, caption, base string, fig *plots.Figure) error {
	base = fileSafe(base)
	if n := fs.names[base]; n > 0 {
		fs.names[base] = n + 1
		base = fmt.Sprintf("%s-%d", base, n+1)
	} else {
		fs.names[base] = 1
	}
	if err := fig.Save(filepath.Join(fs.dir, "plots"), base); err != nil {
		return err
	}
	png, err := os.ReadFile(filepath.Join(fs.dir, "plots", base+".png"))
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	w, h := fig.Size()
	fs.refs = append(fs.refs, figureRef{Section: section, Title: title, Caption: caption,
		PNG: "plots/" + base + ".png", SVG: "plots/" + base + ".svg", Width: w, Height: h,
		DataURI: htmltemplate.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))})
	return nil
}

// fileSafe keeps letters, digits, '-', '_' and '.', mapping the rest to '-'.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, s)
}

// buildFigures draws every figure of the report.
func buildFigures(dir string, d *dataset, a *analysis, opts Options) ([]figureRef, error) {
	fs := &figureSet{dir: dir, names: map[string]int{}}
	steps := []func(*figureSet, *dataset, *analysis, Options) error{
		headlineFigure, seriesFigures, cdfFigures, boxFigures, sweepFigures,
	}
	for _, step := range steps {
		if err := step(fs, d, a, opts); err != nil {
			return nil, err
		}
	}
	return fs.refs, nil
}

// headlineQuantity is the quantity a metric's headline bar shows: the value
// of a scalar, the per-seed p99 of a sample.
func headlineQuantity(vs *variantStats) *acrossSeeds {
	for _, acr := range vs.Across {
		if acr.Stat == "" || acr.Stat == "p99" {
			return acr
		}
	}
	return nil
}

func headlineFigure(fs *figureSet, d *dataset, a *analysis, _ Options) error {
	var panels []plots.BarPanel
	for _, ms := range a.metrics {
		if !ms.Metric.Headline() {
			continue
		}
		if p, ok := headlinePanel(ms); ok {
			panels = append(panels, p)
		}
	}
	if len(panels) == 0 {
		return nil
	}
	fig, err := plots.Bars{Panels: panels}.Figure()
	if err != nil {
		return err
	}
	return fs.save(figHeadline, "Headline metrics",
		fmt.Sprintf("Bar: median across seeds per variant (a distribution: each world's p99). Whiskers: the 95 %% order-statistic interval of the median "+
			"with at least %d seeds, else the min–max range of the seeds. n: seeds per variant (censored values are not in the bars: see the summary).", stats.MinIntervalN()),
		"headline", fig)
}

func headlinePanel(ms *metricStats) (plots.BarPanel, bool) {
	unit, f := unitScale(ms.Metric.Unit, typicalMean(ms))
	title := ms.Metric.Name
	if ms.Metric.Kind == kindSample {
		title += " p99"
	}
	p := plots.BarPanel{Title: title, YLabel: axisLabel("median", unit)}
	nlo, nhi := math.MaxInt, 0
	for _, vs := range ms.Variants {
		acr := headlineQuantity(vs)
		if acr == nil || acr.Summary == nil {
			continue
		}
		s := acr.Summary
		lo, hi := s.Min, s.Max
		if s.MedianCI.Defined() {
			lo, hi = s.MedianCI.Lo, s.MedianCI.Hi
		}
		nlo, nhi = min(nlo, s.N), max(nhi, s.N)
		p.Bars = append(p.Bars, plots.Bar{Name: vs.Variant.Name, Color: vs.Variant.Index,
			Value: s.P50 * f, Lo: lo * f, Hi: hi * f})
	}
	if len(p.Bars) > 0 {
		n := fmt.Sprintf(" (n=%d)", nlo)
		if nlo != nhi {
			n = fmt.Sprintf(" (n=%d–%d)", nlo, nhi)
		}
		p.Title += n
	}
	return p, len(p.Bars) > 0
}

// typicalMean is the largest |mean| of the metric's headline quantity over
// variants; it picks the display unit.
func typicalMean(ms *metricStats) float64 {
	var t float64
	for _, vs := range ms.Variants {
		if acr := headlineQuantity(vs); acr != nil && acr.Summary != nil {
			t = max(t, abs(acr.Summary.Mean))
		}
	}
	return t
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func boxFigures(fs *figureSet, d *dataset, a *analysis, _ Options) error {
	for _, ms := range a.metrics {
		if ms.Metric.Kind != kindScalar {
			continue
		}
		unit, f := unitScale(ms.Metric.Unit, typicalMean(ms))
		box := plots.Box{Title: ms.Metric.Name + " across seeds", YLabel: axisLabel(ms.Metric.Name, unit)}
		n := 0
		for _, vs := range ms.Variants {
			vals := scaled(vs.Across[0].Values, f)
			n += len(vals)
			box.Groups = append(box.Groups, plots.Group{Name: vs.Variant.Name, Color: vs.Variant.Index, Values: vals})
		}
		if n == 0 {
			continue
		}
		fig, err := box.Figure()
		if err != nil {
			return err
		}
		caption := joinSentences(ms.Metric.Doc.Doc, "Box: type-7 quartiles and median; whiskers reach the extremes within 1.5 IQR; dots: one per seed.")
		if err := fs.save(figBox, box.Title, caption, "box-"+ms.Metric.Name, fig); err != nil {
			return err
		}
	}
	return nil
}

// cdfPoints is the most steps drawn per CDF line.
const cdfPoints = 512

// stepCDF returns the empirical CDF of sorted (scaled by f) as a step
// line: at each drawn value x the line rises from the fraction below x to
// the fraction at or below it. Above cdfPoints values it steps at evenly
// spaced ranks.
func stepCDF(sorted []float64, f float64) (xs, ys []float64) {
	n := len(sorted)
	k := min(cdfPoints, n)
	prev := 0.0
	for j := range k {
		r := j
		if k < n {
			r = int(math.Round(float64(j) * float64(n-1) / float64(k-1)))
		}
		x := sorted[r]
		upper := sort.SearchFloat64s(sorted, math.Nextafter(x, math.Inf(1))) // values <= x
		frac := float64(upper) / float64(n)
		if frac <= prev && j > 0 {
			continue
		}
		xs, ys = append(xs, x*f, x*f), append(ys, prev, frac)
		prev = frac
	}
	return xs, ys
}

func cdfFigures(fs *figureSet, d *dataset, a *analysis, _ Options) error {
	for _, ms := range a.metrics {
		if ms.Metric.Kind != kindSample {
			continue
		}
		var typical, lo, hi float64
		first := true
		for _, vs := range ms.Variants {
			if vs.Pooled == nil {
				continue
			}
			typical = max(typical, abs(vs.Pooled.P50))
			if first || vs.Pooled.Min < lo {
				lo = vs.Pooled.Min
			}
			if first || vs.Pooled.Max > hi {
				hi = vs.Pooled.Max
			}
			first = false
		}
		if first {
			continue
		}
		if err := cdfFigure(fs, ms, typical, lo > 0 && hi/lo >= 100); err != nil {
			return err
		}
	}
	return nil
}

func cdfFigure(fs *figureSet, ms *metricStats, typical float64, logX bool) error {
	unit, f := unitScale(ms.Metric.Unit, typical)
	spec := plots.XY{Title: ms.Metric.Name + ": CDF, all seeds pooled", XLabel: axisLabel(ms.Metric.Name, unit),
		YLabel: "fraction of observations ≤ x", LogX: logX, YFixed: true, YMin: 0, YMax: 1}
	for _, vs := range ms.Variants {
		if vs.Pooled == nil {
			continue
		}
		l := plots.Line{Name: fmt.Sprintf("%s (n=%s)", vs.Variant.Name, fmtCount(vs.Pooled.N)), Color: vs.Variant.Index}
		l.X, l.Y = stepCDF(vs.PooledSorted, f)
		spec.Lines = append(spec.Lines, l)
	}
	fig, err := spec.Figure()
	if err != nil {
		return err
	}
	caption := joinSentences(ms.Metric.Doc.Doc, fmt.Sprintf("Empirical CDF of every observation of every seed, drawn as steps "+
		"(above %d observations, at %d evenly spaced ranks).", cdfPoints, cdfPoints))
	if logX {
		caption += " Log x axis."
	}
	return fs.save(figCDF, spec.Title, caption, "cdf-"+ms.Metric.Name, fig)
}
