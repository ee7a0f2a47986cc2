package stats

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
)

// BootstrapMethod names the interval method in reports.
const BootstrapMethod = "percentile bootstrap, PCG seeded from FNV-1a of the metric and variant names"

// CompareMethod names the statistic Compare reports.
const CompareMethod = "relative difference of means, (mean_B − mean_A) / |mean_A|"

// Verdicts of Compare.
const (
	VerdictBetter    = "better"
	VerdictWorse     = "worse"
	VerdictHigher    = "higher"
	VerdictLower     = "lower"
	VerdictNone      = "no significant difference"
	VerdictUndefined = "undefined"
	VerdictTooFew    = "too few seeds"
)

// Direction says which way a metric improves.
type Direction int

// Directions of a metric: Unknown gives "higher"/"lower" verdicts instead of
// "better"/"worse".
const (
	Unknown Direction = iota
	LowerIsBetter
	HigherIsBetter
)

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

// Summarize is Describe plus bootstrap intervals of the mean and the
// median, drawn from rng (mean first, then median).
func (b Bootstrap) Summarize(values []float64, rng *rand.Rand) (Summary, error) {
	s, err := Describe(values)
	if err != nil {
		return s, err
	}
	s.MeanCI = b.Interval(values, Mean, rng)
	s.MedianCI = b.Interval(values, Median, rng)
	return s, nil
}

// Comparison is the relative difference of means of B against A with its
// bootstrap interval and a verdict.
type Comparison struct {
	// RelDiff is (mean(B) − mean(A)) / |mean(A)|; NaN when mean(A) is 0.
	RelDiff float64
	// CI is the bootstrap interval of RelDiff (A and B resampled
	// independently).
	CI Interval
	// Verdict is "better"/"worse" (or "higher"/"lower" when the direction
	// is Unknown) only when CI excludes zero; otherwise "no significant
	// difference", "undefined" or "too few seeds".
	Verdict string
}

// Compare compares candidate B against baseline A by the relative
// difference of their means.
func (b Bootstrap) Compare(a, bv []float64, dir Direction, rng *rand.Rand) Comparison {
	if len(a) < 2 || len(bv) < 2 {
		return Comparison{RelDiff: relDiff(a, bv), CI: undefinedInterval(), Verdict: VerdictTooFew}
	}
	c := Comparison{RelDiff: relDiff(a, bv), CI: undefinedInterval(), Verdict: VerdictUndefined}
	if !isFinite(c.RelDiff) {
		return c
	}
	reps := make([]float64, b.resamples())
	bufA := make([]float64, len(a))
	bufB := make([]float64, len(bv))
	for i := range reps {
		resample(bufA, a, rng)
		resample(bufB, bv, rng)
		reps[i] = relDiff(bufA, bufB)
		if !isFinite(reps[i]) {
			return c
		}
	}
	c.CI = b.percentileInterval(reps)
	c.Verdict = verdict(c.CI, dir)
	return c
}

func relDiff(a, b []float64) float64 {
	ma, mb := Mean(a), Mean(b)
	if ma == 0 {
		return math.NaN()
	}
	return (mb - ma) / math.Abs(ma)
}

func verdict(ci Interval, dir Direction) string {
	if !ci.Excludes(0) {
		return VerdictNone
	}
	higher := ci.Lo > 0
	switch {
	case dir == Unknown && higher:
		return VerdictHigher
	case dir == Unknown:
		return VerdictLower
	case higher == (dir == HigherIsBetter):
		return VerdictBetter
	default:
		return VerdictWorse
	}
}

// WithDefaults returns b with its zero fields replaced by the defaults
// (2000 resamples, 0.95), as the report prints them.
func (b Bootstrap) WithDefaults() Bootstrap {
	return Bootstrap{Resamples: b.resamples(), Confidence: b.confidence()}
}
