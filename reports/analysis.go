package reports

import (
	"fmt"
	"math"
	"slices"

	"github.com/redosim/redosim/reports/stats"
)

// Per-seed statistics that stand for a sample metric across seeds: the
// seed is the unit of replication, so a sample metric is compared by the
// per-world p50 and p99 of its observations.
var sampleSeedStats = []struct {
	Name string
	P    float64
}{{"p50", 50}, {"p99", 99}}

// analysis is every statistic the report shows, computed once.
type analysis struct {
	metrics     []*metricStats
	comparisons []*comparison
}

// metricStats holds one metric's statistics, one entry per variant in
// report order.
type metricStats struct {
	Metric   *metric
	Variants []*variantStats
}

// variantStats is one metric for one variant.
type variantStats struct {
	Variant *variantData
	Dropped int
	Missing int
	// Across holds, per quantity ("" for a scalar, "p50"/"p99" for a
	// sample), the per-seed values and their summary with intervals.
	Across []*acrossSeeds
	// Pooled and PerSeed are set for samples: all observations pooled,
	// and each world's own summary.
	Pooled       *stats.Summary
	PooledSorted []float64
	PerSeed      []seedSummary
}

// acrossSeeds is one quantity's per-seed values and their summary
// (nil when no world has a finite value).
type acrossSeeds struct {
	Stat    string
	Seeds   []uint64
	Values  []float64
	Summary *stats.Summary
	// Censored are the worlds whose value is censored and their lower
	// bounds (scalars only): left out of Summary, compared as +Inf.
	Censored      []uint64
	CensoredBound []float64
}

// compareValues are the values a comparison ranks: the finite ones and
// +Inf for each censored world.
func (acr *acrossSeeds) compareValues() []float64 {
	out := append([]float64(nil), acr.Values...)
	for range acr.Censored {
		out = append(out, math.Inf(1))
	}
	return out
}

type seedSummary struct {
	Seed    uint64
	Summary stats.Summary
}

// comparison is B against A on one quantity.
type comparison struct {
	Metric *metric
	Stat   string
	A, B   *variantData
	Result stats.Comparison
}

// quantityName is the metric, followed by the per-seed statistic for
// samples ("commit_latency p99").
func quantityName(m *metric, stat string) string {
	if stat == "" {
		return m.Name
	}
	return m.Name + " " + stat
}

func analyse(d *dataset, boot stats.Bootstrap) (*analysis, error) {
	a := &analysis{}
	for _, m := range d.collectMetrics() {
		ms := &metricStats{Metric: m}
		for _, v := range d.variants {
			vs, err := analyseVariant(m, v, boot)
			if err != nil {
				return nil, err
			}
			if vs.Dropped > 0 {
				d.notef("Metric %q, variant %q: %s (NaN or ±Inf) left out.", m.Name, v.Name, plural(vs.Dropped, "non-finite value"))
			}
			ms.Variants = append(ms.Variants, vs)
		}
		a.metrics = append(a.metrics, ms)
		a.comparisons = append(a.comparisons, compareVariants(ms)...)
	}
	return a, nil
}

func analyseVariant(m *metric, v *variantData, boot stats.Bootstrap) (*variantStats, error) {
	vs := &variantStats{Variant: v}
	if m.Kind == kindScalar {
		sv := scalarValues(v, m.Name)
		vs.Dropped, vs.Missing = sv.Dropped, sv.Missing
		acr, err := summarizeAcross(m, v, "", sv.Seeds, sv.Values, boot)
		if err != nil {
			return nil, err
		}
		acr.Censored, acr.CensoredBound = sv.Censored, sv.CensoredBound
		vs.Across = []*acrossSeeds{acr}
		return vs, nil
	}
	per, dropped, missing := sampleValues(v, m.Name)
	vs.Dropped, vs.Missing = dropped, missing
	if err := vs.pool(per); err != nil {
		return nil, fmt.Errorf("reports: metric %s, variant %s: %w", m.Name, v.Name, err)
	}
	for _, st := range sampleSeedStats {
		var seeds []uint64
		var values []float64
		for _, s := range per {
			if len(s.Sorted) > 0 {
				seeds = append(seeds, s.Seed)
				values = append(values, stats.Quantile(s.Sorted, st.P))
			}
		}
		acr, err := summarizeAcross(m, v, st.Name, seeds, values, boot)
		if err != nil {
			return nil, err
		}
		vs.Across = append(vs.Across, acr)
	}
	return vs, nil
}

// pool summarises each world's observations and all of them together,
// merging the already sorted per-world slices.
func (vs *variantStats) pool(per []seedSample) error {
	total := 0
	for _, s := range per {
		if len(s.Sorted) == 0 {
			continue
		}
		sum, err := stats.DescribeSorted(s.Sorted)
		if err != nil {
			return err
		}
		vs.PerSeed = append(vs.PerSeed, seedSummary{Seed: s.Seed, Summary: sum})
		total += len(s.Sorted)
	}
	if total == 0 {
		return nil
	}
	pooled := make([]float64, 0, total)
	for _, s := range per {
		pooled = append(pooled, s.Sorted...)
	}
	slices.Sort(pooled)
	sum, err := stats.DescribeSorted(pooled)
	if err != nil {
		return err
	}
	vs.Pooled, vs.PooledSorted = &sum, pooled
	return nil
}

func summarizeAcross(m *metric, v *variantData, stat string, seeds []uint64, values []float64, boot stats.Bootstrap) (*acrossSeeds, error) {
	acr := &acrossSeeds{Stat: stat, Seeds: seeds, Values: values}
	if len(values) == 0 {
		return acr, nil
	}
	sum, err := boot.Summarize(values, stats.NewRand(quantityName(m, stat), v.Name))
	if err != nil {
		return nil, fmt.Errorf("reports: metric %s, variant %s: %w", quantityName(m, stat), v.Name, err)
	}
	acr.Summary = &sum
	return acr, nil
}

// compareVariants compares every later variant (B) with every earlier one
// (A) on each quantity of the metric.
func compareVariants(ms *metricStats) []*comparison {
	var out []*comparison
	for q := range ms.Variants[0].Across {
		for j := 1; j < len(ms.Variants); j++ {
			for i := 0; i < j; i++ {
				a, b := ms.Variants[i], ms.Variants[j]
				stat := a.Across[q].Stat
				res := stats.Compare(a.Across[q].compareValues(), b.Across[q].compareValues(), ms.Metric.direction())
				out = append(out, &comparison{Metric: ms.Metric, Stat: stat, A: a.Variant, B: b.Variant, Result: res})
			}
		}
	}
	return out
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
