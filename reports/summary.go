package reports

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/redosim/redosim/reports/stats"
)

// num is a float64 that encodes NaN and ±Inf as JSON null.
type num float64

// MarshalJSON writes the shortest exact form, or null when not finite.
func (n num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// jsonSummary is the schema of summary.json.
type jsonSummary struct {
	Scenario    string           `json:"scenario"`
	Command     string           `json:"command"`
	Variants    []string         `json:"variants"`
	Methods     jsonMethods      `json:"methods"`
	Notes       []string         `json:"notes"`
	Verdict     jsonVerdict      `json:"verdict"`
	Metrics     []jsonMetric     `json:"metrics"`
	Comparisons []jsonComparison `json:"comparisons"`
}

// jsonVerdict is the report's opening section: alerts (violations,
// stalls) and one sentence per headline metric.
type jsonVerdict struct {
	Alerts []string `json:"alerts"`
	Lines  []string `json:"lines"`
}

type jsonMethods struct {
	Percentile string  `json:"percentile"`
	SD         string  `json:"sd"`
	CI         string  `json:"ci"`
	Resamples  int     `json:"ci_resamples"`
	Confidence float64 `json:"ci_confidence"`
	Comparison string  `json:"comparison"`
	Verdict    string  `json:"verdict"`
	Samples    string  `json:"samples"`
}

type jsonMetric struct {
	Name      string        `json:"name"`
	Unit      string        `json:"unit"`
	Kind      string        `json:"kind"`
	Doc       string        `json:"doc,omitempty"`
	Headline  bool          `json:"headline"`
	Direction string        `json:"direction"`
	Variants  []jsonVariant `json:"variants"`
}

type jsonVariant struct {
	Variant string `json:"variant"`
	Worlds  int    `json:"worlds"`
	Missing int    `json:"worlds_missing_metric"`
	Dropped int    `json:"non_finite_dropped"`
	// AcrossSeeds: for a scalar one entry (stat ""); for a sample the
	// per-seed p50 and p99 summarised across seeds.
	AcrossSeeds []jsonAcross `json:"across_seeds"`
	Pooled      *jsonStats   `json:"pooled,omitempty"`
	PerSeed     []jsonSeed   `json:"per_seed,omitempty"`
}

type jsonAcross struct {
	Stat   string     `json:"stat,omitempty"`
	Seeds  []uint64   `json:"seeds"`
	Values []num      `json:"values"`
	Stats  *jsonStats `json:"stats"`
	// Censored lists the worlds whose value is censored (left out of
	// values and stats) with their lower bounds.
	Censored      []uint64 `json:"censored_seeds,omitempty"`
	CensoredBound []num    `json:"censored_lower_bounds,omitempty"`
}

type jsonSeed struct {
	Seed  uint64    `json:"seed"`
	Stats jsonStats `json:"stats"`
}

type jsonStats struct {
	N        int     `json:"n"`
	Mean     num     `json:"mean"`
	SD       num     `json:"sd"`
	Min      num     `json:"min"`
	P50      num     `json:"p50"`
	P90      num     `json:"p90"`
	P99      num     `json:"p99"`
	Max      num     `json:"max"`
	MeanCI   *[2]num `json:"mean_ci,omitempty"`
	MedianCI *[2]num `json:"median_ci,omitempty"`
}

type jsonComparison struct {
	Metric   string `json:"metric"`
	Stat     string `json:"stat,omitempty"`
	Baseline string `json:"a"`
	Variant  string `json:"b"`
	NA       int    `json:"n_a"`
	NB       int    `json:"n_b"`
	RelDiff  num    `json:"rel_diff_medians"`
	P        num    `json:"p_value"`
	Verdict  string `json:"verdict"`
}

func toJSONStats(s *stats.Summary) *jsonStats {
	if s == nil {
		return nil
	}
	js := &jsonStats{N: s.N, Mean: num(s.Mean), SD: num(s.SD), Min: num(s.Min), P50: num(s.P50),
		P90: num(s.P90), P99: num(s.P99), Max: num(s.Max)}
	if s.MeanCI.Defined() {
		js.MeanCI = &[2]num{num(s.MeanCI.Lo), num(s.MeanCI.Hi)}
	}
	if s.MedianCI.Defined() {
		js.MedianCI = &[2]num{num(s.MedianCI.Lo), num(s.MedianCI.Hi)}
	}
	return js
}

func buildSummaryJSON(d *dataset, a *analysis, m methods, v verdictSection) jsonSummary {
	out := jsonSummary{
		Scenario: d.run.Scenario, Command: d.run.Command, Variants: d.variantNames(),
		Methods: jsonMethods{Percentile: stats.PercentileMethod, SD: stats.SDMethod, CI: m.CI,
			Resamples: m.Resamples, Confidence: m.Confidence, Comparison: stats.CompareMethod,
			Verdict: m.Verdict, Samples: m.Samples},
		Notes: append([]string{}, d.notes...), Metrics: []jsonMetric{}, Comparisons: []jsonComparison{},
		Verdict: jsonVerdict{Alerts: append([]string{}, v.Alerts...), Lines: append([]string{}, v.Lines...)},
	}
	for _, ms := range a.metrics {
		jm := jsonMetric{Name: ms.Metric.Name, Unit: ms.Metric.Unit, Kind: ms.Metric.Kind, Doc: ms.Metric.Doc.Doc,
			Headline: ms.Metric.Headline(), Direction: ms.Metric.directionName()}
		for _, vs := range ms.Variants {
			jm.Variants = append(jm.Variants, toJSONVariant(vs))
		}
		out.Metrics = append(out.Metrics, jm)
	}
	for _, c := range a.comparisons {
		out.Comparisons = append(out.Comparisons, jsonComparison{Metric: c.Metric.Name, Stat: c.Stat,
			Baseline: c.A.Name, Variant: c.B.Name, NA: c.Result.NA, NB: c.Result.NB, RelDiff: num(c.Result.RelDiff),
			P: num(c.Result.P), Verdict: c.Result.Verdict})
	}
	return out
}

func toJSONVariant(vs *variantStats) jsonVariant {
	jv := jsonVariant{Variant: vs.Variant.Name, Worlds: len(vs.Variant.Worlds), Missing: vs.Missing,
		Dropped: vs.Dropped, Pooled: toJSONStats(vs.Pooled)}
	for _, acr := range vs.Across {
		ja := jsonAcross{Stat: acr.Stat, Seeds: acr.Seeds, Values: make([]num, len(acr.Values)), Stats: toJSONStats(acr.Summary)}
		if ja.Seeds == nil {
			ja.Seeds = []uint64{}
		}
		for i, v := range acr.Values {
			ja.Values[i] = num(v)
		}
		ja.Censored = acr.Censored
		for _, v := range acr.CensoredBound {
			ja.CensoredBound = append(ja.CensoredBound, num(v))
		}
		jv.AcrossSeeds = append(jv.AcrossSeeds, ja)
	}
	for _, ps := range vs.PerSeed {
		jv.PerSeed = append(jv.PerSeed, jsonSeed{Seed: ps.Seed, Stats: *toJSONStats(&ps.Summary)})
	}
	return jv
}

func encodeSummary(s jsonSummary) ([]byte, error) {
	data, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return nil, fmt.Errorf("reports: encode summary.json: %w", err)
	}
	return append(data, '\n'), nil
}
