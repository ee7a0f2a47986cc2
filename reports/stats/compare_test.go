package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMannWhitneyKnownValues checks exact p-values counted by hand (they
// match R's wilcox.test(exact = TRUE) for the untied cases).
func TestMannWhitneyKnownValues(t *testing.T) {
	cases := []struct {
		name  string
		a, b  []float64
		p     float64
		shift int
	}{
		// wilcox.test(c(1,2,3,4), c(5,6,7,8)): W = 0, p-value = 0.02857
		{"disjoint 4v4", []float64{1, 2, 3, 4}, []float64{5, 6, 7, 8}, 0.028571, 1},
		// wilcox.test(c(1,2,3), c(4,5,6)): p-value = 0.1
		{"disjoint 3v3", []float64{1, 2, 3}, []float64{4, 5, 6}, 0.1, 1},
		// wilcox.test(c(1,3,5,7), c(2,4,6,8)): W = 6, p-value = 0.6857
		{"interleaved", []float64{1, 3, 5, 7}, []float64{2, 4, 6, 8}, 0.685714, 1},
		// wilcox.test(c(5,6,7,8,9), c(1,2,3,4,10)): W = 20, p-value = 0.1508
		// (2 · 19 / 252: 19 of the 252 splits have U ≥ 20)
		{"lower b", []float64{5, 6, 7, 8, 9}, []float64{1, 2, 3, 4, 10}, 0.150794, -1},
	}
	for _, c := range cases {
		p, shift, ok := MannWhitney(c.a, c.b)
		if !ok || math.Abs(p-c.p) > 1e-5 || shift != c.shift {
			t.Errorf("%s: p=%v shift=%d ok=%v, want p=%v shift=%d", c.name, p, shift, ok, c.p, c.shift)
		}
	}
	// Exact with ties: a={1,1,2}, b={2,3,3}. Mid-ranks 1.5,1.5,3.5 | 3.5,5.5,5.5;
	// of the 20 splits, 4 have |W−10.5| ≥ 4 (sums 14.5 and 6.5, twice each): p = 0.2.
	if p, _, ok := MannWhitney([]float64{1, 1, 2}, []float64{2, 3, 3}); !ok || math.Abs(p-0.2) > 1e-9 {
		t.Errorf("tied exact p = %v, want 0.2", p)
	}
	if _, _, ok := MannWhitney([]float64{2, 2}, []float64{2, 2}); ok {
		t.Errorf("all tied: want ok=false")
	}
}

// TestMannWhitneyNormalMatchesExact checks the large-sample branch against
// the exact one just below the limit.
func TestMannWhitneyNormalMatchesExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	a, b := make([]float64, 30), make([]float64, 30)
	for i := range a {
		a[i] = rng.NormFloat64()
		b[i] = rng.NormFloat64() + 0.5
	}
	ranks := midRanks2(a, b)
	w2 := 0
	for _, r := range ranks[30:] {
		w2 += r
	}
	mean2 := 30.0 * 61
	exact := exactP(ranks, 30, w2, mean2)
	approx := normalP(ranks, 30, 30, w2, mean2)
	if math.Abs(exact-approx) > 0.01 {
		t.Errorf("exact %v vs normal %v", exact, approx)
	}
}

func TestEnoughSeeds(t *testing.T) {
	if EnoughSeeds(3, 3) || !EnoughSeeds(4, 4) || EnoughSeeds(1, 30) || !EnoughSeeds(1, 40) {
		t.Errorf("EnoughSeeds thresholds wrong")
	}
	if MinSeeds() != 4 {
		t.Errorf("MinSeeds = %d, want 4", MinSeeds())
	}
}

func TestCompareVerdicts(t *testing.T) {
	a := []float64{100, 102, 98, 101, 99}
	lower := []float64{80, 82, 78, 81, 79}
	same := []float64{101, 97, 103, 99, 100}
	c := Compare(a, lower, LowerIsBetter)
	if c.Verdict != VerdictBetter || math.Abs(c.RelDiff-(-0.2)) > 1e-9 || c.P >= Alpha {
		t.Errorf("lower with LowerIsBetter: %+v", c)
	}
	if c := Compare(a, lower, HigherIsBetter); c.Verdict != VerdictWorse {
		t.Errorf("lower with HigherIsBetter: %+v", c)
	}
	if c := Compare(a, lower, Unknown); c.Verdict != VerdictLower {
		t.Errorf("lower with Unknown: %+v", c)
	}
	if c := Compare(a, same, LowerIsBetter); c.Verdict != VerdictNone || c.P < Alpha {
		t.Errorf("overlapping: %+v", c)
	}
	if c := Compare([]float64{1, 2, 3}, []float64{7, 8, 9}, LowerIsBetter); c.Verdict != VerdictTooFew {
		t.Errorf("3 seeds: %+v, want not enough seeds", c)
	}
	// Censored (+Inf) values rank above all finite ones: four worlds that
	// never recovered are worse than four that did.
	inf := math.Inf(1)
	c = Compare([]float64{10, 12, 11, 13}, []float64{inf, inf, inf, inf}, LowerIsBetter)
	if c.Verdict != VerdictWorse || !math.IsNaN(c.RelDiff) {
		t.Errorf("censored: %+v", c)
	}
}

// TestVerdictOnlyWhenSignificant: across random data, better/worse only
// with p < α, and with identically distributed samples about α of the
// comparisons are significant (the test's size).
func TestVerdictOnlyWhenSignificant(t *testing.T) {
	data := rand.New(rand.NewPCG(3, 4))
	significant := 0
	const trials = 2000
	for range trials {
		a, b := make([]float64, 8), make([]float64, 8)
		for i := range a {
			a[i], b[i] = data.NormFloat64(), data.NormFloat64()
		}
		c := Compare(a, b, LowerIsBetter)
		switch c.Verdict {
		case VerdictBetter, VerdictWorse:
			if c.P >= Alpha {
				t.Fatalf("verdict %q with p=%v", c.Verdict, c.P)
			}
			significant++
		case VerdictNone:
			if c.P < Alpha {
				t.Fatalf("~ with p=%v", c.P)
			}
		default:
			t.Fatalf("unexpected verdict %q", c.Verdict)
		}
	}
	rate := float64(significant) / trials
	if rate > 0.07 || rate < 0.02 {
		t.Errorf("false positive rate %.3f, want about %.2f", rate, Alpha)
	}
}

func TestMedianInterval(t *testing.T) {
	five := []float64{1, 2, 3, 4, 5}
	if _, cov, ok := MedianInterval(five, 0.95); ok || math.Abs(cov-0.9375) > 1e-12 {
		t.Errorf("n=5: ok=%v cov=%v, want not ok and 0.9375", ok, cov)
	}
	six := []float64{1, 2, 3, 4, 5, 6}
	if iv, cov, ok := MedianInterval(six, 0.95); !ok || iv.Lo != 1 || iv.Hi != 6 || math.Abs(cov-0.96875) > 1e-12 {
		t.Errorf("n=6: %v %v %v", iv, cov, ok)
	}
	// n=20: k=6 gives coverage 0.9586 (k=7: 0.8847).
	var twenty []float64
	for i := 1; i <= 20; i++ {
		twenty = append(twenty, float64(i))
	}
	if iv, cov, ok := MedianInterval(twenty, 0.95); !ok || iv.Lo != 6 || iv.Hi != 15 || math.Abs(cov-0.958610) > 1e-5 {
		t.Errorf("n=20: %v %v %v", iv, cov, ok)
	}
	if MinIntervalN() != 6 {
		t.Errorf("MinIntervalN = %d", MinIntervalN())
	}
}
