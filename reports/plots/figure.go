// Package plots draws the report's charts with gonum.org/v1/plot: time
// series with shaded fault windows and syncpoint barriers, CDFs, box plots,
// panels of bars and sweep curves with confidence bands. It knows nothing of
// results: callers hand it prepared lines, groups and bars.
//
// Every figure is 8 in wide, saved as PNG (120 dpi) and SVG, with the legend
// outside the data area on the right. Output is byte-identical for the same
// input: gonum embeds its fonts and draws deterministically.
//
// Usage:
//
//	fig, err := plots.XY{
//		Title: "checkpoint lag", XLabel: "virtual time (s)", YLabel: "lag (s)",
//		Lines:  []plots.Line{{Name: "v1", X: xs, Y: ys}},
//		Shades: []plots.Shade{{From: 200, To: 260, Kind: plots.FaultShade}},
//	}.Figure()
//	err = fig.Save("out/plots", "ts-checkpoint_lag") // writes .png and .svg
package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	xfont "golang.org/x/image/font"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure geometry: width of every figure, height of one panel, PNG dpi.
const (
	Width       = 8 * vg.Inch
	PanelHeight = 4 * vg.Inch
	DPI         = 120
)

// palette holds the variant colours (Okabe–Ito, colour-blind safe, with the
// yellow darkened so it reads on white).
var palette = [...]color.NRGBA{
	{0x00, 0x72, 0xB2, 0xff}, // blue
	{0xE6, 0x9F, 0x00, 0xff}, // orange
	{0x00, 0x9E, 0x73, 0xff}, // green
	{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	{0xCC, 0x79, 0xA7, 0xff}, // pink
	{0x56, 0xB4, 0xE9, 0xff}, // sky
	{0x33, 0x33, 0x33, 0xff}, // near black
	{0xA6, 0x8B, 0x00, 0xff}, // dark yellow
}

// Color returns palette colour i (wrapping), so a variant keeps its colour
// in every chart.
func Color(i int) color.NRGBA {
	if i < 0 {
		i = -i
	}
	return palette[i%len(palette)]
}

func faded(c color.NRGBA, alpha uint8) color.NRGBA {
	c.A = alpha
	return c
}

// Figure is a chart ready to be written as PNG or SVG.
type Figure struct {
	w, h vg.Length
	draw func(dc draw.Canvas) error
}

// PNG renders the figure as a PNG image at DPI.
func (f *Figure) PNG() ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(f.w, f.h), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))
	if err := f.draw(draw.New(c)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("reports/plots: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// SVG renders the figure as SVG (fonts referenced by name, not embedded).
func (f *Figure) SVG() ([]byte, error) {
	c := vgsvg.New(f.w, f.h)
	if err := f.draw(draw.New(c)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("reports/plots: encode svg: %w", err)
	}
	return buf.Bytes(), nil
}

// Size returns the figure's width and height in pixels of the PNG.
func (f *Figure) Size() (w, h int) {
	return int(f.w.Dots(DPI) + 0.5), int(f.h.Dots(DPI) + 0.5)
}

// Save writes dir/base.png and dir/base.svg, creating dir.
func (f *Figure) Save(dir, base string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports/plots: %w", err)
	}
	png, err := f.PNG()
	if err != nil {
		return err
	}
	svg, err := f.SVG()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, base+".png"), png, 0o644); err != nil {
		return fmt.Errorf("reports/plots: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, base+".svg"), svg, 0o644); err != nil {
		return fmt.Errorf("reports/plots: %w", err)
	}
	return nil
}

// sans returns the embedded Liberation Sans face at size points.
func sans(size float64) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(size)}
}

// newPlot returns a plot with the house look: sans-serif text, title,
// axis labels, tidy tick labels at 10 pt.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(13)
	p.Title.TextStyle.Font.Weight = xfont.WeightBold
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(11)
		a.Tick.Label.Font = sans(10)
		a.Tick.Marker = tidyTicks{}
		a.Color = color.Gray{Y: 0x55}
		a.Tick.Color = color.Gray{Y: 0x55}
	}
	return p
}

// tidyTicks places about six major ticks at 1, 2, 2.5 or 5 × 10^k with
// short labels ("250", not "250.00") and unlabelled minor ticks between.
type tidyTicks struct{}

// Ticks implements plot.Ticker.
func (tidyTicks) Ticks(lo, hi float64) []plot.Tick {
	const want = 6
	span := hi - lo
	if !(span > 0) || math.IsInf(span, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	mag := math.Pow(10, math.Floor(math.Log10(span/want)))
	step, mult := 10*mag, 10.0
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if span/(m*mag) <= want {
			step, mult = m*mag, m
			break
		}
	}
	decimals := max(0, -int(math.Floor(math.Log10(step))))
	if mult == 2.5 {
		decimals++
	}
	minor := step / 5
	if mult == 2 {
		minor = step / 4
	}
	var ticks []plot.Tick
	first := math.Ceil(lo/minor - 1e-9)
	for i := first; i*minor <= hi+minor*1e-9; i++ {
		v := i * minor
		t := plot.Tick{Value: v}
		if r := math.Mod(math.Abs(i), step/minor); r < 1e-6 || step/minor-r < 1e-6 {
			t.Label = tickLabel(v, decimals)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

func tickLabel(v float64, decimals int) string {
	a := math.Abs(v)
	if a != 0 && (a >= 1e6 || a < 1e-4) {
		return trimZeros(strconv.FormatFloat(v, 'g', 3, 64))
	}
	s := trimZeros(strconv.FormatFloat(v, 'f', decimals, 64))
	if s == "-0" {
		s = "0"
	}
	return s
}

func trimZeros(s string) string {
	if !strings.Contains(s, ".") || strings.ContainsAny(s, "eE") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// drawWithLegend draws p and, when leg has entries, leg in a column to the
// right of the data area so it never covers data.
func drawWithLegend(p *plot.Plot, leg *plot.Legend, dc draw.Canvas) {
	pad := vg.Points(8)
	dc = draw.Crop(dc, pad, -pad, pad/2, -pad/2)
	if leg == nil || legendEmpty(leg) {
		p.Draw(dc)
		return
	}
	r := leg.Rectangle(dc)
	lw := r.Max.X - r.Min.X + pad
	p.Draw(draw.Crop(dc, 0, -lw, 0, 0))
	leg.Top, leg.Left = true, true
	area := draw.Crop(dc, dc.Max.X-dc.Min.X-lw+pad, 0, 0, -vg.Points(30))
	leg.Draw(area)
}

func legendEmpty(leg *plot.Legend) bool {
	return leg.Rectangle(draw.Canvas{}).Max.Y == leg.Rectangle(draw.Canvas{}).Min.Y
}

func newLegend() *plot.Legend {
	leg := plot.NewLegend()
	leg.TextStyle.Font = sans(10)
	leg.ThumbnailWidth = vg.Points(18)
	leg.Padding = vg.Points(3)
	return &leg
}

// nominalX labels the x axis with names, rotating the labels 30° when they
// would not fit side by side in slot (the width one name has).
func nominalX(p *plot.Plot, names []string, slot vg.Length) {
	p.NominalX(names...)
	widest := vg.Length(0)
	for _, n := range names {
		widest = max(widest, p.X.Tick.Label.Width(n))
	}
	if widest+vg.Points(6) > slot {
		// Slanted labels need a slot of about two text heights to stay
		// apart; narrower slots get vertical ones.
		p.X.Tick.Label.Rotation = math.Pi / 6
		if slot < 2.2*p.X.Tick.Label.Font.Size {
			p.X.Tick.Label.Rotation = math.Pi / 2
		}
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
}
