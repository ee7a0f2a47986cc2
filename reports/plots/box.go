package plots

import (
	"fmt"
	"math"
	"slices"

	"github.com/redosim/redosim/reports/stats"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Group is one box of a box plot: the values of one variant across seeds.
type Group struct {
	Name   string
	Color  int
	Values []float64
}

// Box is a box plot with one box per group; every value is also drawn as a
// dot, since a few seeds make a coarse box. Quartiles are type-7 (as every
// percentile of the report); whiskers reach the extreme values within 1.5
// IQR of the box. A group without values keeps its place on the axis, empty.
type Box struct {
	Title, YLabel string
	Groups        []Group
}

// Figure validates the chart and returns it ready to render.
func (b Box) Figure() (*Figure, error) {
	n := 0
	for _, g := range b.Groups {
		for _, v := range g.Values {
			if !finite(v) {
				return nil, fmt.Errorf("reports/plots: %q: group %q has a non-finite value", b.Title, g.Name)
			}
		}
		n += len(g.Values)
	}
	if n == 0 {
		return nil, fmt.Errorf("reports/plots: %q has no values", b.Title)
	}
	return &Figure{w: Width, h: PanelHeight, draw: b.draw}, nil
}

func (b Box) draw(dc draw.Canvas) error {
	p := newPlot(b.Title, "", b.YLabel)
	grid := plotter.NewGrid()
	grid.Vertical.Width = 0
	p.Add(grid)
	names := make([]string, len(b.Groups))
	for i, g := range b.Groups {
		names[i] = g.Name
		if err := addBox(p, i, g); err != nil {
			return fmt.Errorf("reports/plots: %q: %w", b.Title, err)
		}
	}
	nominalX(p, names, (Width-vg.Points(80))/vg.Length(max(len(b.Groups), 1)))
	p.X.Min, p.X.Max = -0.6, float64(len(b.Groups))-0.4
	if p.Y.Min == p.Y.Max {
		p.Y.Min, p.Y.Max = p.Y.Min-1, p.Y.Max+1
	}
	drawWithLegend(p, nil, dc)
	return nil
}

func addBox(p *plot.Plot, i int, g Group) error {
	if len(g.Values) == 0 {
		return nil
	}
	c := Color(g.Color)
	box, err := plotter.NewBoxPlot(vg.Points(36), float64(i), plotter.Values(g.Values))
	if err != nil {
		return err
	}
	setQuartiles(box)
	box.FillColor = faded(c, 0x55)
	box.BoxStyle.Color = c
	box.WhiskerStyle.Color = c
	box.MedianStyle.Color = c
	box.MedianStyle.Width = vg.Points(2)
	box.GlyphStyle.Radius = 0 // the dots below show every value
	p.Add(box)
	dots := make(plotter.XYs, len(g.Values))
	for j, v := range g.Values {
		// A fixed fan of offsets keeps equal values apart, deterministically.
		dots[j] = plotter.XY{X: float64(i) + 0.22 + 0.05*math.Mod(float64(j), 4), Y: v}
	}
	sc, err := plotter.NewScatter(dots)
	if err != nil {
		return err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
	p.Add(sc)
	return nil
}

// setQuartiles replaces gonum's Tukey hinges with type-7 quartiles, the
// percentile method of the rest of the report, and recomputes the
// whiskers (adjacent values within 1.5 IQR of the box).
func setQuartiles(box *plotter.BoxPlot) {
	sorted := slices.Clone([]float64(box.Values))
	slices.Sort(sorted)
	box.Median = stats.Quantile(sorted, 50)
	box.Quartile1 = stats.Quantile(sorted, 25)
	box.Quartile3 = stats.Quantile(sorted, 75)
	iqr := box.Quartile3 - box.Quartile1
	lo, hi := box.Quartile1-1.5*iqr, box.Quartile3+1.5*iqr
	box.AdjLow, box.AdjHigh = math.Inf(1), math.Inf(-1)
	box.Outside = box.Outside[:0]
	for i, v := range box.Values {
		if v < lo || v > hi {
			box.Outside = append(box.Outside, i)
			continue
		}
		box.AdjLow = min(box.AdjLow, v)
		box.AdjHigh = max(box.AdjHigh, v)
	}
}
