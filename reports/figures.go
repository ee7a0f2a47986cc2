package reports

import (
	"encoding/base64"
	"fmt"
	htmltemplate "html/template"
	"os"
	"path/filepath"
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
			"with at least %d seeds, else the min–max range of the seeds. n per bar in its label.", stats.MinIntervalN()),
		"headline", fig)
}

func headlinePanel(ms *metricStats) (plots.BarPanel, bool) {
	unit, f := unitScale(ms.Metric.Unit, typicalMean(ms))
	title := ms.Metric.Name
	if ms.Metric.Kind == kindSample {
		title += " p99"
	}
	p := plots.BarPanel{Title: title, YLabel: axisLabel("median", unit)}
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
		name := fmt.Sprintf("%s n=%d", vs.Variant.Name, s.N)
		if c := len(acr.Censored); c > 0 {
			name += fmt.Sprintf(" +%d cens.", c)
		}
		p.Bars = append(p.Bars, plots.Bar{Name: name, Color: vs.Variant.Index,
			Value: s.P50 * f, Lo: lo * f, Hi: hi * f})
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

// cdfPoints is the number of points drawn per CDF line.
const cdfPoints = 512

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
		k := min(cdfPoints, len(vs.PooledSorted))
		l := plots.Line{Name: fmt.Sprintf("%s (n=%s)", vs.Variant.Name, fmtCount(vs.Pooled.N)), Color: vs.Variant.Index}
		for i := range k {
			p := 1.0
			if k > 1 {
				p = float64(i) / float64(k-1)
			}
			l.X = append(l.X, stats.Quantile(vs.PooledSorted, p*100)*f)
			l.Y = append(l.Y, p)
		}
		spec.Lines = append(spec.Lines, l)
	}
	fig, err := spec.Figure()
	if err != nil {
		return err
	}
	caption := joinSentences(ms.Metric.Doc.Doc, "Empirical CDF of every observation of every seed.")
	if logX {
		caption += " Log x axis."
	}
	return fs.save(figCDF, spec.Title, caption, "cdf-"+ms.Metric.Name, fig)
}
