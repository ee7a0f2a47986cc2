package quantile

import (
	"math"
	"testing"
)

// TestType7 checks golden values computed with R's quantile(x, q,
// type = 7) (NumPy's default gives the same), then the edges: one value,
// ties, an infinite neighbour, and the NaN convention for no data and for
// q outside [0, 1].
func TestType7(t *testing.T) {
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
		{[]float64{2, 2, 2}, 0.3, 2},
		{[]float64{1, math.Inf(1)}, 0, 1},
		{[]float64{1, math.Inf(1)}, 1, math.Inf(1)},
		{[]float64{1, math.Inf(1)}, 0.5, math.Inf(1)},
	} {
		if got := Of(tc.x, tc.q); got != tc.want && math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Of(%v, %v) = %v, want %v", tc.x, tc.q, got, tc.want)
		}
	}
	if got := Of(nil, 0.5); !math.IsNaN(got) {
		t.Errorf("Of(no data, 0.5) = %v, want NaN", got)
	}
	for _, q := range []float64{-0.1, 1.5, math.NaN()} {
		if got := Sorted([]float64{1, 2}, q); !math.IsNaN(got) {
			t.Errorf("Sorted([1 2], %v) = %v, want NaN", q, got)
		}
	}
}

// TestOfLeavesInputAlone: Of sorts a copy.
func TestOfLeavesInputAlone(t *testing.T) {
	x := []float64{3, 1, 2}
	Of(x, 0.5)
	if x[0] != 3 || x[1] != 1 || x[2] != 2 {
		t.Fatalf("Of reordered its input: %v", x)
	}
}
