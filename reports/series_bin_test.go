package reports

import (
	"testing"

	"github.com/redosim/redosim/results"
)

func TestBinnedRates(t *testing.T) {
	if w := binWidth(600, 1); w != 15 {
		t.Errorf("binWidth(600 s, 1 s) = %v, want 15", w)
	}
	if w := binWidth(20, 1); w != 0 {
		t.Errorf("binWidth(20 s, 1 s) = %v, want 0 (no binning)", w)
	}
	var pts []results.Point
	for t := 1; t <= 30; t++ {
		pts = append(pts, results.Point{T: float64(t), V: float64(t)})
	}
	got := binned(pts, 15)
	want := []results.Point{{T: 15, V: 8}, {T: 30, V: 23}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("binned = %v, want %v", got, want)
	}
	if !isRate("rows/s") || isRate("s") {
		t.Errorf("isRate wrong")
	}
}
