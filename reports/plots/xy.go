package plots

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Line is one named curve. Lo and Hi, when set, have X's length and draw a
// translucent band (a confidence interval or a min–max range) behind it.
type Line struct {
	Name string
	// Color indexes the palette (use the variant's index).
	Color  int
	X, Y   []float64
	Lo, Hi []float64
	// Points draws a marker at every point (for sweeps); a line of one
	// point always gets one, so a single observation stays visible.
	Points bool
}

// RefLine is a horizontal reference line (a quota, a hard limit), dashed,
// named in the legend.
type RefLine struct {
	Y     float64
	Label string
}

// ShadeKind tells what a shaded window means.
type ShadeKind int

// Kinds of shaded windows.
const (
	FaultShade ShadeKind = iota
	BarrierShade
)

// Shade is a window of the x axis. A fault is a translucent full-height
// band (From == To draws a thin line); a barrier is drawn in the strip of
// its lane at the bottom of the plot, in the colour Color indexes, so each
// variant's barriers stay apart.
type Shade struct {
	From, To float64
	Kind     ShadeKind
	Lane     int
	Color    int
}

// XY is a line chart: time series, CDFs and sweeps.
type XY struct {
	Title, XLabel, YLabel string
	Lines                 []Line
	Shades                []Shade
	// Refs are horizontal reference lines; the y axis stretches to show
	// them.
	Refs []RefLine
	// LogX uses a log10 x axis (all x must be > 0).
	LogX bool
	// YFromZero starts the y axis at zero when all data is non-negative.
	YFromZero bool
	// YMin and YMax, when YFixed, fix the y range (CDFs use 0..1).
	YFixed     bool
	YMin, YMax float64
}

// Figure validates the chart and returns it ready to render.
func (s XY) Figure() (*Figure, error) {
	if len(s.Lines) == 0 {
		return nil, fmt.Errorf("reports/plots: %q has no lines", s.Title)
	}
	for _, l := range s.Lines {
		if err := checkLine(l, s.LogX); err != nil {
			return nil, fmt.Errorf("reports/plots: %q: %w", s.Title, err)
		}
	}
	return &Figure{w: Width, h: PanelHeight, draw: s.draw}, nil
}

func checkLine(l Line, logX bool) error {
	if len(l.X) != len(l.Y) || len(l.X) == 0 {
		return fmt.Errorf("line %q has %d x and %d y values", l.Name, len(l.X), len(l.Y))
	}
	if (l.Lo != nil || l.Hi != nil) && (len(l.Lo) != len(l.X) || len(l.Hi) != len(l.X)) {
		return fmt.Errorf("line %q band length differs from its points", l.Name)
	}
	for i := range l.X {
		if !finite(l.X[i]) || !finite(l.Y[i]) || (logX && l.X[i] <= 0) {
			return fmt.Errorf("line %q point %d (%v, %v) is not plottable", l.Name, i, l.X[i], l.Y[i])
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func (s XY) draw(dc draw.Canvas) error {
	p := newPlot(s.Title, s.XLabel, s.YLabel)
	p.Add(plotter.NewGrid())
	leg := newLegend()
	if len(s.Shades) > 0 {
		sh := &shading{shades: s.Shades}
		p.Add(sh)
		sh.addLegend(leg)
	}
	for _, l := range s.Lines {
		if err := addLine(p, leg, l); err != nil {
			return fmt.Errorf("reports/plots: %q: %w", s.Title, err)
		}
	}
	for i, r := range s.Refs {
		if err := addRef(p, leg, r, i); err != nil {
			return fmt.Errorf("reports/plots: %q: %w", s.Title, err)
		}
	}
	if s.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}
	if s.YFromZero && p.Y.Min >= 0 {
		p.Y.Min = 0
	}
	if s.YFixed {
		p.Y.Min, p.Y.Max = s.YMin, s.YMax
	}
	if p.Y.Min == p.Y.Max {
		p.Y.Min, p.Y.Max = p.Y.Min-1, p.Y.Max+1
	}
	drawWithLegend(p, leg, dc)
	return nil
}

func addLine(p *plot.Plot, leg *plot.Legend, l Line) error {
	c := Color(l.Color)
	var thumbs []plot.Thumbnailer
	if l.Lo != nil {
		band, err := newBand(l, faded(c, 0x38))
		if err != nil {
			return err
		}
		p.Add(band)
		thumbs = append(thumbs, band)
	}
	xys := make(plotter.XYs, len(l.X))
	for i := range l.X {
		xys[i] = plotter.XY{X: l.X[i], Y: l.Y[i]}
	}
	line, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	line.Color = c
	line.Width = vg.Points(1.6)
	p.Add(line)
	thumbs = append(thumbs, line)
	if l.Points || len(xys) == 1 {
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		thumbs = append(thumbs, sc)
	}
	if l.Name != "" {
		leg.Add(l.Name, thumbs...)
	}
	return nil
}

// refColors tell reference lines apart: dark grey, then red.
var refColors = []color.NRGBA{{0x44, 0x44, 0x44, 0xff}, {0xC0, 0x1C, 0x28, 0xff}}

// addRef draws r across the data's x range (an invisible point keeps it
// on the y axis).
func addRef(p *plot.Plot, leg *plot.Legend, r RefLine, i int) error {
	if !finite(r.Y) {
		return fmt.Errorf("reference line %q at %v", r.Label, r.Y)
	}
	ref := plotter.NewFunction(func(float64) float64 { return r.Y })
	ref.Color = refColors[i%len(refColors)]
	ref.Width = vg.Points(1.2)
	ref.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
	p.Add(ref)
	p.Y.Min, p.Y.Max = min(p.Y.Min, r.Y), max(p.Y.Max, r.Y*1.05)
	leg.Add(r.Label, ref)
	return nil
}

func newBand(l Line, c color.Color) (*plotter.Polygon, error) {
	ring := make(plotter.XYs, 0, 2*len(l.X))
	for i := range l.X {
		ring = append(ring, plotter.XY{X: l.X[i], Y: l.Hi[i]})
	}
	for i := len(l.X) - 1; i >= 0; i-- {
		ring = append(ring, plotter.XY{X: l.X[i], Y: l.Lo[i]})
	}
	band, err := plotter.NewPolygon(ring)
	if err != nil {
		return nil, err
	}
	band.Color = c
	band.LineStyle.Width = 0
	return band, nil
}

// shading draws fault windows and barriers; it has no data range, so it
// never stretches the axes.
type shading struct{ shades []Shade }

var shadeColors = [...]color.NRGBA{
	FaultShade:   {0xD6, 0x27, 0x28, 0x30},
	BarrierShade: {0x1F, 0x77, 0xB4, 0x26},
}

var shadeNames = [...]string{FaultShade: "fault window", BarrierShade: "barriers (strip per variant, bottom)"}

// Plot implements plot.Plotter: a full-height band per window, clipped to
// the data area.
func (s *shading) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	minW := vg.Points(1.2)
	for _, sh := range s.shades {
		if !finite(sh.From) || !finite(sh.To) || sh.To < sh.From {
			continue
		}
		if isLog(p) && sh.From <= 0 {
			continue
		}
		x0, x1 := trX(sh.From), trX(sh.To)
		if x1-x0 < minW {
			x1 = x0 + minW
		}
		x0, x1 = max(x0, c.Min.X), min(x1, c.Max.X)
		if x1 <= x0 {
			continue
		}
		if sh.Kind == BarrierShade {
			// A strip per lane at the bottom: 3 % of the height each.
			h := (c.Max.Y - c.Min.Y) * 0.03
			y0 := c.Min.Y + h*vg.Length(sh.Lane)
			col := faded(Color(sh.Color), 0xb0)
			c.FillPolygon(col, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y0 + h*0.8}, {X: x0, Y: y0 + h*0.8}})
			continue
		}
		col := shadeColors[sh.Kind]
		if sh.From == sh.To {
			col.A = 0x90
		}
		c.FillPolygon(col, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
	}
}

func isLog(p *plot.Plot) bool {
	_, ok := p.X.Scale.(plot.LogScale)
	return ok
}

func (s *shading) addLegend(leg *plot.Legend) {
	seen := [len(shadeNames)]bool{}
	for _, sh := range s.shades {
		seen[sh.Kind] = true
	}
	for k, ok := range seen {
		if ok {
			leg.Add(shadeNames[k], swatch(shadeColors[k]))
		}
	}
}

// swatch is a legend thumbnail filled with one colour.
type swatch color.NRGBA

// Thumbnail implements plot.Thumbnailer.
func (sw swatch) Thumbnail(c *draw.Canvas) {
	col := color.NRGBA(sw)
	col.A = max(col.A, 0x50)
	c.FillPolygon(col, []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}})
}

// logTicks are gonum's log ticks with short labels (0.001, 10, 1e+06).
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', -1, 64)
		}
	}
	return ticks
}
