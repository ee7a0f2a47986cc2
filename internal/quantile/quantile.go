// Package quantile is the project's one implementation of sample
// quantiles: Hyndman and Fan's type 7, linear interpolation between order
// statistics, the default of R and NumPy and what montanaflynn/stats
// v0.14.0 Percentile computes. With n sorted values x and 0 <= q <= 1,
// h = (n-1)q and
//
//	Q(q) = x[floor(h)] + (h - floor(h)) * (x[floor(h)+1] - x[floor(h)])
//
// Convention for no data: the quantile of an empty sample is NaN, and so
// is the quantile for a q outside [0, 1] or NaN. A caller that must
// produce a number (JSON has no NaN) says what it writes instead at the
// call site.
//
// Usage:
//
//	p99 := quantile.Of(latencies, 0.99)         // copies and sorts
//	p50 := quantile.Sorted(sortedLatencies, 0.5) // input already sorted
package quantile

import (
	"math"
	"slices"
)

// Sorted returns the type-7 q-quantile of x, which must be sorted
// ascending. It is O(1) and allocates nothing. Where the interpolation
// weight is 0, or the two neighbours are equal, it returns the order
// statistic itself, so ties and infinities give exact results.
func Sorted(x []float64, q float64) float64 {
	n := len(x)
	if n == 0 || !(q >= 0 && q <= 1) {
		return math.NaN()
	}
	h := q * float64(n-1)
	k := int(h)
	f := h - float64(k)
	if k+1 >= n || f == 0 || x[k+1] == x[k] {
		return x[k]
	}
	delta := x[k+1] - x[k]
	if math.IsInf(delta, 1) {
		return (1-f)*x[k] + f*x[k+1]
	}
	return x[k] + f*delta
}

// Of returns the type-7 q-quantile of xs, in any order: it sorts a copy,
// so xs is left as it was. O(n log n).
func Of(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return Sorted(s, q)
}
