package metrics

import (
	"math"
	"slices"
	"testing"
)

// TestQuantileType7 checks against values computed by R's
// quantile(x, q, type = 7) and NumPy's default (linear) method.
func TestQuantileType7(t *testing.T) {
	for _, tc := range []struct {
		x    []float64
		q    float64
		want float64
	}{
		{[]float64{1, 2, 3, 4}, 0.25, 1.75},
		{[]float64{1, 2, 3, 4}, 0.5, 2.5},
		{[]float64{4, 3, 2, 1}, 0.75, 3.25},
		{[]float64{1, 2, 3, 4}, 0, 1},
		{[]float64{1, 2, 3, 4}, 1, 4},
		{[]float64{7}, 0.99, 7},
		{[]float64{10, 20}, 0.9, 19},
		{[]float64{3, 1, 2, 10, 5}, 0.9, 8}, // sorted 1 2 3 5 10: h=3.6 -> 5+0.6*5
	} {
		h := NewRegistry().Histogram("h")
		for _, v := range tc.x {
			h.Observe(v)
		}
		if got := h.Quantile(tc.q); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Quantile(%v of %v) = %v, want %v", tc.q, tc.x, got, tc.want)
		}
	}
	h := NewRegistry().Histogram("h")
	if !math.IsNaN(h.Quantile(0.5)) {
		t.Error("quantile of an empty histogram is not NaN")
	}
	h.Observe(1)
	if !math.IsNaN(h.Quantile(1.5)) || !math.IsNaN(h.Quantile(-0.1)) {
		t.Error("quantile outside [0,1] is not NaN")
	}
}

func TestHistogramExactStats(t *testing.T) {
	h := NewRegistry().Histogram("h")
	for _, v := range []float64{5, -2, 9, 0.5} {
		h.Observe(v)
	}
	if h.Count() != 4 || h.Sum() != 12.5 || h.Min() != -2 || h.Max() != 9 || h.Mean() != 3.125 {
		t.Fatalf("count %d sum %v min %v max %v mean %v", h.Count(), h.Sum(), h.Min(), h.Max(), h.Mean())
	}
	if got := h.Values(); !slices.Equal(got, []float64{-2, 0.5, 5, 9}) {
		t.Fatalf("Values = %v", got)
	}
}

// TestReservoirBoundedDeterministic checks that past the bound a histogram
// keeps exactly HistogramValuesMax values, that the sample is the same for
// the same key and observations, and that reading quantiles mid-run does
// not change which values are kept.
func TestReservoirBoundedDeterministic(t *testing.T) {
	newH := func() *Histogram {
		r, err := NewRegistryWith(Config{HistogramValuesMax: 100})
		if err != nil {
			t.Fatal(err)
		}
		return r.Histogram("lat", L("node", "n1"))
	}
	a, b := newH(), newH()
	for i := 0; i < 10000; i++ {
		a.Observe(float64(i))
		b.Observe(float64(i))
		if i%997 == 0 {
			_ = a.Quantile(0.5) // reading must not disturb the reservoir
		}
	}
	va, vb := a.Values(), b.Values()
	if len(va) != 100 {
		t.Fatalf("kept %d values, want 100", len(va))
	}
	if !slices.Equal(va, vb) {
		t.Fatal("same key and observations kept different samples")
	}
	if a.Count() != 10000 || a.Max() != 9999 || a.Sum() != 49995000 {
		t.Fatalf("exact stats wrong: count %d max %v sum %v", a.Count(), a.Max(), a.Sum())
	}
	// A uniform sample of 0..9999 has its median near 5000.
	if med := a.Quantile(0.5); med < 3500 || med > 6500 {
		t.Fatalf("reservoir median %v, far from 5000: not uniform", med)
	}
}

func TestHistogramsSnapshot(t *testing.T) {
	r := NewRegistry()
	r.Histogram("z")
	h := r.Histogram("a", L("op", "put"))
	for i := 1; i <= 1000; i++ {
		h.Observe(float64(i))
	}
	snaps := r.Histograms()
	if len(snaps) != 2 || snaps[0].Name != "a" || snaps[1].Name != "z" {
		t.Fatalf("snapshots not sorted: %v", snaps)
	}
	if got, want := snaps[0].String(), "a{op=put} count=1000 sum=500500 min=1 p50=500.5 p90=900.1 p99=990.01 max=1000"; got != want {
		t.Fatalf("snapshot\n got %s\nwant %s", got, want)
	}
	if z := snaps[1]; z.Count != 0 || z.P99 != 0 || len(z.Values) != 0 {
		t.Fatalf("empty snapshot %+v, want zeros", z)
	}
}
