// Package stats holds the statistics the reports compute: descriptive
// summaries (mean, sample standard deviation, type-7 percentiles, max),
// intervals (order-statistic intervals of the median, seeded bootstrap
// intervals of the mean) and the comparison of two variants with a verdict:
// a two-sided Mann-Whitney U test at α = 0.05, as benchstat does, with "not
// enough seeds" when no outcome could be significant.
//
// Percentiles use type-7 linear interpolation (Hyndman & Fan 7), the method
// of github.com/montanaflynn/stats v0.14.0 Percentile and of NumPy's
// default. Describe sorts its input once and indexes it with Quantile, so a
// million-value sample costs one sort, not one per percentile.
//
// Every random draw comes from a math/rand/v2 PCG seeded by NewRand from
// names (a metric and a variant), never from a global generator, so the same
// input gives the same intervals on every run.
//
// Usage:
//
//	s, err := stats.Describe([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
//	// s.P50 == 5.5, s.P99 == 9.91, s.SD == 3.0277 (sample)
//	b := stats.Bootstrap{}
//	ci := b.Interval(values, stats.Mean, stats.NewRand("commit_latency", "v2"))
//	cmp := stats.Compare(baseline, candidate, stats.LowerIsBetter)
//	fmt.Println(cmp.RelDiff, stats.FormatP(cmp.P), cmp.Verdict)
package stats

import (
	"errors"
	"fmt"
	"math"
	"slices"

	mstats "github.com/montanaflynn/stats"

	"github.com/redosim/redosim/internal/quantile"
)

// PercentileMethod names the percentile definition every report uses.
const PercentileMethod = "type-7 linear interpolation (Hyndman & Fan 7; montanaflynn/stats v0.14.0 Percentile, NumPy default)"

// SDMethod names the standard deviation every report uses.
const SDMethod = "sample standard deviation (n−1 denominator)"

// ErrEmpty is returned when a statistic is asked of no (finite) values.
var ErrEmpty = errors.New("reports/stats: no values")

// Interval is a confidence interval; both ends are NaN when it is undefined
// (fewer than two values, or a statistic that is not finite).
type Interval struct {
	Lo float64
	Hi float64
}

// Defined reports whether both ends of the interval are finite.
func (iv Interval) Defined() bool {
	return isFinite(iv.Lo) && isFinite(iv.Hi)
}

// Excludes reports whether x lies outside a defined interval.
func (iv Interval) Excludes(x float64) bool {
	return iv.Defined() && (x < iv.Lo || x > iv.Hi)
}

func undefinedInterval() Interval { return Interval{Lo: math.NaN(), Hi: math.NaN()} }

// Summary describes a set of values. SD is the sample standard deviation
// (NaN for one value); percentiles are type-7. MeanCI and MedianCI are
// filled by Summarize and stay undefined after Describe.
type Summary struct {
	N        int
	Mean     float64
	SD       float64
	Min      float64
	P50      float64
	P90      float64
	P99      float64
	Max      float64
	MeanCI   Interval
	MedianCI Interval
}

// Finite returns the finite values of values (in order) and how many
// non-finite ones (NaN, ±Inf) it dropped.
func Finite(values []float64) (finite []float64, dropped int) {
	finite = make([]float64, 0, len(values))
	for _, v := range values {
		if isFinite(v) {
			finite = append(finite, v)
		} else {
			dropped++
		}
	}
	return finite, dropped
}

// Describe summarises values, which must all be finite (see Finite): it
// sorts a copy once and reads every percentile from it.
func Describe(values []float64) (Summary, error) {
	if len(values) == 0 {
		return Summary{}, ErrEmpty
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return DescribeSorted(sorted)
}

// DescribeSorted is Describe for values already sorted ascending; it does
// not copy them.
func DescribeSorted(sorted []float64) (Summary, error) {
	n := len(sorted)
	if n == 0 {
		return Summary{}, ErrEmpty
	}
	if math.IsNaN(sorted[0]) || !isFinite(sorted[0]) || !isFinite(sorted[n-1]) {
		return Summary{}, fmt.Errorf("reports/stats: non-finite value in input")
	}
	mean, err := mstats.Mean(sorted)
	if err != nil {
		return Summary{}, fmt.Errorf("reports/stats: mean: %w", err)
	}
	sd := math.NaN()
	if n > 1 {
		if sd, err = mstats.StandardDeviationSample(sorted); err != nil {
			return Summary{}, fmt.Errorf("reports/stats: sd: %w", err)
		}
	}
	return Summary{
		N:        n,
		Mean:     mean,
		SD:       sd,
		Min:      sorted[0],
		P50:      Quantile(sorted, 50),
		P90:      Quantile(sorted, 90),
		P99:      Quantile(sorted, 99),
		Max:      sorted[n-1],
		MeanCI:   undefinedInterval(),
		MedianCI: undefinedInterval(),
	}, nil
}

// Quantile returns the type-7 percentile p (0 ≤ p ≤ 100, clamped) of
// sorted, which must be sorted ascending; NaN when it is empty. The one
// implementation is internal/quantile. It gives the same result as
// montanaflynn/stats v0.14.0 Percentile for 0 < p ≤ 100, and the minimum
// for p = 0.
func Quantile(sorted []float64, p float64) float64 {
	return quantile.Sorted(sorted, min(max(p, 0), 100)/100)
}

// Mean is the arithmetic mean of values (NaN when empty); it is the
// statistic Compare uses.
func Mean(values []float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	var sum float64
	for _, v := range values {
		sum += v
	}
	return sum / float64(len(values))
}

// Median is the type-7 50th percentile of values (NaN when empty). It sorts
// values in place.
func Median(values []float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	slices.Sort(values)
	return Quantile(values, 50)
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
