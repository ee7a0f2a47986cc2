package plots

import (
	"bytes"
	"crypto/sha256"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func sampleFigures(t *testing.T) map[string]*Figure {
	t.Helper()
	var lines []Line
	for v := range 3 {
		l := Line{Name: []string{"none", "v1", "v2"}[v], Color: v}
		for i := range 600 {
			x := float64(i)
			y := float64(v+1) + math.Sin(x/30) + float64(i%7)/10
			l.X, l.Y = append(l.X, x), append(l.Y, y)
			l.Lo, l.Hi = append(l.Lo, y-0.3), append(l.Hi, y+0.3)
		}
		lines = append(lines, l)
	}
	figs := map[string]*Figure{}
	add := func(name string, f *Figure, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		figs[name] = f
	}
	f, err := XY{Title: "checkpoint lag", XLabel: "virtual time (s)", YLabel: "lag (s)", Lines: lines,
		Shades: []Shade{{From: 200, To: 260}, {From: 400, To: 400}, {From: 30, To: 31, Kind: BarrierShade}}, YFromZero: true}.Figure()
	add("xy", f, err)
	f, err = XY{Title: "cdf", XLabel: "latency (s)", YLabel: "fraction", LogX: true, YFixed: true, YMax: 1,
		Lines: []Line{{Name: "a", X: []float64{0.001, 0.01, 0.1, 1}, Y: []float64{0, 0.3, 0.9, 1}}}}.Figure()
	add("cdf", f, err)
	f, err = Box{Title: "throughput", YLabel: "rows/s", Groups: []Group{
		{Name: "none", Values: []float64{1, 2, 3, 4, 5}}, {Name: "empty", Color: 1}, {Name: "v2", Color: 2, Values: []float64{3, 3, 3, 4, 9}}}}.Figure()
	add("box", f, err)
	f, err = Bars{Panels: []BarPanel{
		{Title: "throughput", YLabel: "rows/s", Bars: []Bar{{Name: "a", Value: 3, Lo: 2, Hi: 4}, {Name: "b", Color: 1, Value: 5, Lo: math.NaN(), Hi: math.NaN()}}},
		{Title: "lag", YLabel: "s", Bars: []Bar{{Name: "a", Value: 1, Lo: 0.5, Hi: 1.5}}},
		{Title: "mem", YLabel: "MiB", Bars: []Bar{{Name: "a", Value: 1, Lo: 0.5, Hi: 1.5}}},
		{Title: "p99", YLabel: "s", Bars: []Bar{{Name: "a", Value: 1, Lo: 0.5, Hi: 1.5}}},
	}}.Figure()
	add("bars", f, err)
	return figs
}

// TestFiguresDeterministic renders every kind of figure twice and checks
// that the PNG and SVG bytes agree.
func TestFiguresDeterministic(t *testing.T) {
	first := sampleFigures(t)
	second := sampleFigures(t)
	dir := t.TempDir()
	if d := os.Getenv("PLOTS_OUT"); d != "" {
		dir = d
	}
	for name, f := range first {
		for _, format := range []string{"png", "svg"} {
			a, b := render(t, f, format), render(t, second[name], format)
			if sha256.Sum256(a) != sha256.Sum256(b) {
				t.Errorf("%s.%s differs between two renders", name, format)
			}
			if len(a) < 1000 {
				t.Errorf("%s.%s is only %d bytes", name, format, len(a))
			}
		}
		if err := f.Save(dir, name); err != nil {
			t.Fatal(err)
		}
	}
	png, _ := os.ReadFile(filepath.Join(dir, "xy.png"))
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("xy.png is not a PNG")
	}
}

func render(t *testing.T, f *Figure, format string) []byte {
	t.Helper()
	var b []byte
	var err error
	if format == "png" {
		b, err = f.PNG()
	} else {
		b, err = f.SVG()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFigureRejectsBadInput(t *testing.T) {
	if _, err := (XY{Title: "x"}).Figure(); err == nil {
		t.Error("XY without lines gave no error")
	}
	if _, err := (XY{Title: "x", Lines: []Line{{X: []float64{1}, Y: []float64{math.NaN()}}}}).Figure(); err == nil {
		t.Error("XY with NaN gave no error")
	}
	if _, err := (XY{Title: "x", LogX: true, Lines: []Line{{X: []float64{0}, Y: []float64{1}}}}).Figure(); err == nil {
		t.Error("log x with 0 gave no error")
	}
	if _, err := (Box{Title: "b", Groups: []Group{{Name: "a"}}}).Figure(); err == nil {
		t.Error("empty box plot gave no error")
	}
	if _, err := (Bars{}).Figure(); err == nil {
		t.Error("empty bars gave no error")
	}
}
