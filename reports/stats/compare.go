package stats

import (
	"fmt"
	"math"
	"slices"
)

// Alpha is the significance level of every comparison, benchstat's.
const Alpha = 0.05

// CompareMethod names how Compare decides, as reports print it.
const CompareMethod = "two-sided Mann-Whitney U test on the per-seed values (exact permutation distribution with mid-ranks for ties " +
	"up to 60 seeds in all, normal approximation with tie and continuity correction above), α = 0.05 as benchstat; " +
	"the effect is the relative difference of medians, (median_B − median_A) / |median_A|"

// MedianCIMethod names the interval of a median, as reports print it.
const MedianCIMethod = "distribution-free order-statistic interval of the median (exact binomial coverage ≥ the confidence; needs n ≥ 6 at 95 %)"

// Verdicts of Compare.
const (
	VerdictBetter    = "better"
	VerdictWorse     = "worse"
	VerdictHigher    = "higher"
	VerdictLower     = "lower"
	VerdictNone      = "~"
	VerdictUndefined = "undefined"
	VerdictTooFew    = "not enough seeds"
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

// Comparison is variant B against baseline A on one quantity.
type Comparison struct {
	// NA and NB are the values compared (censored ones included).
	NA, NB int
	// RelDiff is (median(B) − median(A)) / |median(A)|; NaN when
	// median(A) is 0 or a median is censored.
	RelDiff float64
	// P is the two-sided Mann-Whitney p-value; NaN when not computed.
	P float64
	// Verdict is "better"/"worse" (or "higher"/"lower" when the direction
	// is Unknown) only when P < Alpha; "~" when not significant; "not
	// enough seeds" when no outcome could reach P < Alpha (see
	// EnoughSeeds); "undefined" when every value is tied.
	Verdict string
}

// EnoughSeeds reports whether a two-sided Mann-Whitney test of n1 against
// n2 values can reach p < Alpha at all: its smallest p-value, for two
// samples that do not overlap, is 2 / C(n1+n2, n1). Three seeds against
// three give at best 0.1, so a verdict needs at least 4 against 4 (0.029).
func EnoughSeeds(n1, n2 int) bool {
	if n1 < 1 || n2 < 1 {
		return false
	}
	return 2/binomial(n1+n2, n1) < Alpha
}

// MinSeeds is the smallest n such that n seeds against n can give a
// verdict (4 at α = 0.05).
func MinSeeds() int {
	n := 1
	for !EnoughSeeds(n, n) {
		n++
	}
	return n
}

// Compare compares candidate b against baseline a. A value that is +Inf
// stands for a right-censored observation (the world ended first: the true
// value is larger than anything observed) and ranks above every finite
// value; NaN values are ignored.
func Compare(a, b []float64, dir Direction) Comparison {
	a, b = dropNaN(a), dropNaN(b)
	c := Comparison{NA: len(a), NB: len(b), RelDiff: relDiffMedians(a, b), P: math.NaN()}
	if !EnoughSeeds(len(a), len(b)) {
		c.Verdict = VerdictTooFew
		return c
	}
	p, shift, ok := MannWhitney(a, b)
	if !ok {
		c.Verdict = VerdictUndefined
		return c
	}
	c.P = p
	c.Verdict = verdict(p, shift, dir)
	return c
}

func dropNaN(v []float64) []float64 {
	out := make([]float64, 0, len(v))
	for _, x := range v {
		if !math.IsNaN(x) {
			out = append(out, x)
		}
	}
	return out
}

func relDiffMedians(a, b []float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return math.NaN()
	}
	ma, mb := Median(slices.Clone(a)), Median(slices.Clone(b))
	if ma == 0 || !isFinite(ma) || !isFinite(mb) {
		return math.NaN()
	}
	return (mb - ma) / math.Abs(ma)
}

func verdict(p float64, shift int, dir Direction) string {
	if p >= Alpha || shift == 0 {
		return VerdictNone
	}
	higher := shift > 0
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

// exactLimit is the largest n1+n2 for which MannWhitney computes the exact
// permutation distribution.
const exactLimit = 60

// MannWhitney returns the two-sided p-value of the Mann-Whitney U test of a
// against b and the direction of the shift (+1 when b tends higher, -1
// lower, 0 when the rank sums are equal). Ties get mid-ranks. Up to 60
// values in all the p-value is exact (the permutation distribution of the
// rank sum, by dynamic programming over mid-ranks, so exact with ties too);
// above, the normal approximation with tie and continuity correction. ok is
// false when a side is empty or every value is tied.
func MannWhitney(a, b []float64) (p float64, shift int, ok bool) {
	n1, n2 := len(a), len(b)
	if n1 == 0 || n2 == 0 {
		return math.NaN(), 0, false
	}
	ranks2 := midRanks2(a, b) // twice the mid-rank, integers
	n := n1 + n2
	w2 := 0 // twice the rank sum of b
	for _, r := range ranks2[n1:] {
		w2 += r
	}
	mean2 := float64(n2) * float64(n+1) // twice E[W]
	switch {
	case float64(w2) > mean2:
		shift = 1
	case float64(w2) < mean2:
		shift = -1
	}
	if allEqual(ranks2) {
		return math.NaN(), 0, false
	}
	if n <= exactLimit {
		return exactP(ranks2, n2, w2, mean2), shift, true
	}
	return normalP(ranks2, n1, n2, w2, mean2), shift, true
}

func allEqual(v []int) bool {
	for _, x := range v[1:] {
		if x != v[0] {
			return false
		}
	}
	return true
}

// midRanks2 returns twice the mid-rank of every value of a then b.
func midRanks2(a, b []float64) []int {
	type item struct {
		v float64
		i int
	}
	all := make([]item, 0, len(a)+len(b))
	for i, v := range a {
		all = append(all, item{v, i})
	}
	for i, v := range b {
		all = append(all, item{v, len(a) + i})
	}
	slices.SortStableFunc(all, func(x, y item) int {
		switch {
		case x.v < y.v:
			return -1
		case x.v > y.v:
			return 1
		}
		return 0
	})
	ranks := make([]int, len(all))
	for i := 0; i < len(all); {
		j := i
		for j+1 < len(all) && all[j+1].v == all[i].v {
			j++
		}
		r2 := i + 1 + j + 1 // (rank_i + rank_j), ranks from 1
		for k := i; k <= j; k++ {
			ranks[all[k].i] = r2
		}
		i = j + 1
	}
	return ranks
}

// exactP counts, over every choice of k of the ranks, how many have a rank
// sum at least as far from its mean as the observed one.
func exactP(ranks2 []int, k, w2 int, mean2 float64) float64 {
	total := 0
	for _, r := range ranks2 {
		total += r
	}
	// dp[j][s]: subsets of size j with sum s (of doubled ranks).
	dp := make([][]float64, k+1)
	for j := range dp {
		dp[j] = make([]float64, total+1)
	}
	dp[0][0] = 1
	for _, r := range ranks2 {
		for j := k; j >= 1; j-- {
			prev, cur := dp[j-1], dp[j]
			for s := total; s >= r; s-- {
				cur[s] += prev[s-r]
			}
		}
	}
	obs := math.Abs(float64(w2) - mean2)
	var extreme, all float64
	for s, cnt := range dp[k] {
		if cnt == 0 {
			continue
		}
		all += cnt
		if math.Abs(float64(s)-mean2) >= obs-1e-9 {
			extreme += cnt
		}
	}
	return min(extreme/all, 1)
}

func normalP(ranks2 []int, n1, n2, w2 int, mean2 float64) float64 {
	n := float64(n1 + n2)
	// Tie correction: sum of t^3 - t over tie groups.
	counts := map[int]int{}
	for _, r := range ranks2 {
		counts[r]++
	}
	var ties float64
	for _, t := range counts {
		ft := float64(t)
		ties += ft*ft*ft - ft
	}
	variance := float64(n1) * float64(n2) / 12 * ((n + 1) - ties/(n*(n-1)))
	if variance <= 0 {
		return 1
	}
	d := math.Abs(float64(w2)-mean2)/2 - 0.5 // continuity correction
	if d < 0 {
		d = 0
	}
	z := d / math.Sqrt(variance)
	return min(math.Erfc(z/math.Sqrt2), 1)
}

func binomial(n, k int) float64 {
	if k < 0 || k > n {
		return 0
	}
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

// MedianInterval returns the distribution-free interval of the median of
// sorted (ascending, finite) at confidence conf: [x_(k), x_(n−k+1)] for the
// largest k whose exact binomial coverage 1 − 2·P(Binom(n, ½) < k) is at
// least conf, and that coverage. ok is false when even [min, max] covers
// less than conf (n < 6 at 95 %).
func MedianInterval(sorted []float64, conf float64) (iv Interval, coverage float64, ok bool) {
	n := len(sorted)
	if n == 0 {
		return undefinedInterval(), 0, false
	}
	best := 0
	for k := 1; 2*k <= n+1; k++ {
		cov := 1 - 2*binomCDF(n, k-1)
		if cov+1e-12 < conf {
			break
		}
		best, coverage = k, cov
	}
	if best == 0 {
		return undefinedInterval(), 1 - 2*binomCDF(n, 0), false
	}
	return Interval{Lo: sorted[best-1], Hi: sorted[n-best]}, coverage, true
}

// binomCDF is P(Binom(n, ½) ≤ k).
func binomCDF(n, k int) float64 {
	var s float64
	for i := 0; i <= k; i++ {
		s += binomial(n, i)
	}
	return s / math.Pow(2, float64(n))
}

// MinIntervalN is the smallest number of values whose median interval
// reaches 95 % (6: [min, max] of 5 values covers only 93.75 %).
func MinIntervalN() int {
	for n := 1; ; n++ {
		if _, _, ok := MedianInterval(make([]float64, n), 0.95); ok {
			return n
		}
	}
}

// FormatP prints a p-value as benchstat does: p=0.029 ("—" when the test
// was not run).
func FormatP(p float64) string {
	if math.IsNaN(p) {
		return "—"
	}
	if p < 0.001 {
		return "p<0.001"
	}
	return fmt.Sprintf("p=%.3f", p)
}
