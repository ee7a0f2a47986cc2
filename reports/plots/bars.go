package plots

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Bar is one bar: a value with an optional interval (Lo, Hi both set and
// finite draws an error bar).
type Bar struct {
	Name   string
	Color  int
	Value  float64
	Lo, Hi float64
}

// BarPanel is one small bar chart (one headline metric, one bar per
// variant).
type BarPanel struct {
	Title, YLabel string
	Bars          []Bar
}

// Bars lays panels out in a grid: up to three per row, four as 2 × 2.
type Bars struct {
	Panels []BarPanel
}

// barGrid returns the rows and columns for n panels.
func barGrid(n int) (rows, cols int) {
	cols = min(n, 3)
	if n == 4 {
		cols = 2
	}
	return (n + cols - 1) / cols, cols
}

// Figure validates the chart and returns it ready to render.
func (b Bars) Figure() (*Figure, error) {
	if len(b.Panels) == 0 {
		return nil, fmt.Errorf("reports/plots: bar chart has no panels")
	}
	for _, pn := range b.Panels {
		for _, bar := range pn.Bars {
			if !finite(bar.Value) {
				return nil, fmt.Errorf("reports/plots: panel %q bar %q is not finite", pn.Title, bar.Name)
			}
		}
	}
	rows, _ := barGrid(len(b.Panels))
	return &Figure{w: Width, h: vg.Length(rows) * 3 * vg.Inch, draw: b.draw}, nil
}

func (b Bars) draw(dc draw.Canvas) error {
	rows, cols := barGrid(len(b.Panels))
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
	}
	for i, pn := range b.Panels {
		p, err := barPanel(pn, (Width-vg.Points(40))/vg.Length(cols))
		if err != nil {
			return err
		}
		grid[i/cols][i%cols] = p
	}
	pad := vg.Points(10)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(14), PadY: vg.Points(14),
		PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad}
	canvases := plot.Align(grid, tiles, dc)
	for r := range grid {
		for c, p := range grid[r] {
			if p != nil {
				p.Draw(canvases[r][c])
			}
		}
	}
	return nil
}

// barPanel draws one panel about width wide: bars narrow and labels
// rotate as the variants get many.
func barPanel(pn BarPanel, width vg.Length) (*plot.Plot, error) {
	p := newPlot(pn.Title, "", pn.YLabel)
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.X.Tick.Label.Font.Size = vg.Points(9)
	grid := plotter.NewGrid()
	grid.Vertical.Width = 0
	p.Add(grid)
	slot := (width - vg.Points(50)) / vg.Length(max(len(pn.Bars), 1))
	barWidth := min(vg.Points(28), slot*0.75)
	names := make([]string, len(pn.Bars))
	for i, bar := range pn.Bars {
		names[i] = bar.Name
		if err := addBar(p, i, bar, barWidth); err != nil {
			return nil, fmt.Errorf("reports/plots: panel %q: %w", pn.Title, err)
		}
	}
	nominalX(p, names, slot)
	p.X.Min, p.X.Max = -0.6, float64(len(pn.Bars))-0.4
	if p.Y.Min > 0 {
		p.Y.Min = 0
	}
	if p.Y.Min == p.Y.Max {
		p.Y.Max = p.Y.Min + 1
	}
	return p, nil
}

func addBar(p *plot.Plot, i int, bar Bar, width vg.Length) error {
	c := Color(bar.Color)
	bc, err := plotter.NewBarChart(plotter.Values{bar.Value}, width)
	if err != nil {
		return err
	}
	bc.XMin = float64(i)
	bc.Color = faded(c, 0xC0)
	bc.LineStyle.Color = c
	p.Add(bc)
	if !finite(bar.Lo) || !finite(bar.Hi) {
		return nil
	}
	eb, err := plotter.NewYErrorBars(struct {
		plotter.XYs
		plotter.YErrors
	}{
		XYs:     plotter.XYs{{X: float64(i), Y: bar.Value}},
		YErrors: plotter.YErrors{{Low: bar.Value - bar.Lo, High: bar.Hi - bar.Value}},
	})
	if err != nil {
		return err
	}
	eb.LineStyle.Width = vg.Points(1.2)
	p.Add(eb)
	return nil
}
