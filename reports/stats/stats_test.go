package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	mstats "github.com/montanaflynn/stats"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// TestDescribeKnownValues checks 1..10 against the values verified in
// github.com/montanaflynn/stats v0.14.0 Percentile (Hyndman and Fan type 7).
func TestDescribeKnownValues(t *testing.T) {
	values := []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	s, err := Describe(values)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"n", float64(s.N), 10},
		{"mean", s.Mean, 5.5},
		{"sd", s.SD, 3.0277},
		{"min", s.Min, 1},
		{"p50", s.P50, 5.5},
		{"p90", s.P90, 9.1},
		{"p99", s.P99, 9.91},
		{"max", s.Max, 10},
	}
	for _, c := range checks {
		if !near(c.got, c.want, 1e-4) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if values[0] != 10 {
		t.Errorf("Describe mutated its input")
	}
}

func TestDescribeEdgeCases(t *testing.T) {
	if _, err := Describe(nil); err != ErrEmpty {
		t.Errorf("Describe(nil) err = %v, want ErrEmpty", err)
	}
	s, err := Describe([]float64{7})
	if err != nil || s.P99 != 7 || !math.IsNaN(s.SD) {
		t.Errorf("Describe([7]) = %+v, %v", s, err)
	}
	if _, err := Describe([]float64{1, math.NaN()}); err == nil {
		t.Errorf("Describe with NaN gave no error")
	}
	fin, dropped := Finite([]float64{1, math.NaN(), math.Inf(1), 2})
	if dropped != 2 || !slices.Equal(fin, []float64{1, 2}) {
		t.Errorf("Finite = %v, %d", fin, dropped)
	}
}

// TestQuantileMatchesMontanaflynn cross-checks the sort-once Quantile
// against stats.Percentile on random inputs, including ties and infinities.
func TestQuantileMatchesMontanaflynn(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 1 + rng.IntN(50)
		data := make([]float64, n)
		for i := range data {
			data[i] = math.Round(rng.NormFloat64()*100) / 10 // ties
		}
		if trial%50 == 0 {
			data[0] = math.Inf(1)
		}
		sorted := slices.Clone(data)
		slices.Sort(sorted)
		for _, p := range []float64{0.1, 1, 25, 50, 90, 99, 99.9, 100} {
			want, err := mstats.Percentile(data, p)
			if err != nil {
				t.Fatal(err)
			}
			got := Quantile(sorted, p)
			if got != want && !(math.IsInf(got, 1) && math.IsInf(want, 1)) {
				t.Fatalf("trial %d p%v: Quantile = %v, stats.Percentile = %v", trial, p, got, want)
			}
		}
	}
	if Quantile([]float64{3, 4}, 0) != 3 {
		t.Errorf("Quantile p0 is not the minimum")
	}
}

func TestBootstrapDeterministic(t *testing.T) {
	values := []float64{3.1, 5.7, 4.2, 8.9, 6.3, 5.05, 7.77}
	b := Bootstrap{}
	ci1 := b.Interval(values, Mean, NewRand("lag", "v1"))
	ci2 := b.Interval(values, Mean, NewRand("lag", "v1"))
	if ci1 != ci2 {
		t.Fatalf("same seed, different intervals: %v %v", ci1, ci2)
	}
	ci3 := b.Interval(values, Mean, NewRand("lag", "v2"))
	if ci1 == ci3 {
		t.Errorf("different names drew the same interval %v", ci1)
	}
	if !(ci1.Lo < Mean(values) && Mean(values) < ci1.Hi) {
		t.Errorf("interval %v does not contain the mean %v", ci1, Mean(values))
	}
	if iv := b.Interval([]float64{1}, Mean, NewRand("x")); iv.Defined() {
		t.Errorf("one value gave a defined interval %v", iv)
	}
}

// TestBootstrapCoverage is a sanity check: the 95 % interval of the mean of
// 30 normal draws contains the true mean in roughly 95 % of trials (the
// percentile bootstrap runs a little narrow at small n).
func TestBootstrapCoverage(t *testing.T) {
	data := rand.New(rand.NewPCG(7, 7))
	b := Bootstrap{Resamples: 1000}
	const trials = 300
	hits := 0
	for trial := range trials {
		values := make([]float64, 30)
		for i := range values {
			values[i] = 10 + 2*data.NormFloat64()
		}
		ci := b.Interval(values, Mean, NewRand("coverage", string(rune('a'+trial%26)), string(rune(trial))))
		if ci.Lo <= 10 && 10 <= ci.Hi {
			hits++
		}
	}
	cover := float64(hits) / trials
	if cover < 0.88 || cover > 0.99 {
		t.Errorf("coverage %.3f outside [0.88, 0.99]", cover)
	}
}

func BenchmarkDescribe1M(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	values := make([]float64, 1_000_000)
	for i := range values {
		values[i] = rng.ExpFloat64()
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Describe(values); err != nil {
			b.Fatal(err)
		}
	}
}
