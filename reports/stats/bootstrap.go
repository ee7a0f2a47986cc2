package stats

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
)

// BootstrapMethod names the interval method in reports.
const BootstrapMethod = "percentile bootstrap, PCG seeded from FNV-1a of the metric and variant names"

// Bootstrap configures seeded bootstrap intervals. The zero value means
// 2000 resamples at 95 % confidence.
type Bootstrap struct {
	// Resamples is the number of bootstrap resamples (default 2000).
	Resamples int
	// Confidence is the interval's coverage in (0, 1) (default 0.95).
	Confidence float64
}

func (b Bootstrap) resamples() int {
	if b.Resamples <= 0 {
		return 2000
	}
	return b.Resamples
}

func (b Bootstrap) confidence() float64 {
	if b.Confidence <= 0 || b.Confidence >= 1 {
		return 0.95
	}
	return b.Confidence
}

// NewRand returns a PCG generator seeded from the FNV-1a hashes of parts
// (joined with a NUL byte), so a (metric, variant) pair always draws the
// same stream.
func NewRand(parts ...string) *rand.Rand {
	h := fnv.New64a()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(p))
	}
	s1 := h.Sum64()
	h.Write([]byte("/stream-2"))
	return rand.New(rand.NewPCG(s1, h.Sum64()))
}

// Interval returns the percentile-bootstrap interval of stat over values:
// stat is applied to Resamples resamples drawn with replacement. The
// interval is undefined for fewer than two values or when a resample's
// statistic is not finite. stat may reorder its argument.
func (b Bootstrap) Interval(values []float64, stat func([]float64) float64, rng *rand.Rand) Interval {
	n := len(values)
	if n < 2 {
		return undefinedInterval()
	}
	reps := make([]float64, b.resamples())
	buf := make([]float64, n)
	for i := range reps {
		resample(buf, values, rng)
		reps[i] = stat(buf)
		if !isFinite(reps[i]) {
			return undefinedInterval()
		}
	}
	return b.percentileInterval(reps)
}

func (b Bootstrap) percentileInterval(reps []float64) Interval {
	slices.Sort(reps)
	alpha := (1 - b.confidence()) / 2 * 100
	return Interval{Lo: Quantile(reps, alpha), Hi: Quantile(reps, 100-alpha)}
}

func resample(dst, src []float64, rng *rand.Rand) {
	n := uint64(len(src))
	for i := range dst {
		dst[i] = src[rng.Uint64N(n)]
	}
}

// Summarize is Describe plus a bootstrap interval of the mean (drawn from
// rng) and the order-statistic interval of the median, both at the
// bootstrap's confidence. Both stay undefined below MinIntervalN values:
// with fewer, a percentile bootstrap of the mean is little more than the
// range of the values and undercovers, and no order-statistic interval of
// the median reaches 95 %.
func (b Bootstrap) Summarize(values []float64, rng *rand.Rand) (Summary, error) {
	s, err := Describe(values)
	if err != nil {
		return s, err
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	if iv, _, ok := MedianInterval(sorted, b.confidence()); ok {
		s.MedianCI = iv
		s.MeanCI = b.Interval(values, Mean, rng)
	}
	return s, nil
}

// WithDefaults returns b with its zero fields replaced by the defaults
// (2000 resamples, 0.95), as the report prints them.
func (b Bootstrap) WithDefaults() Bootstrap {
	return Bootstrap{Resamples: b.resamples(), Confidence: b.confidence()}
}
