package reports

import (
	"slices"
	"sort"

	"github.com/redosim/redosim/reports/stats"
	"github.com/redosim/redosim/results"
)

// Kinds of metric.
const (
	kindScalar = "scalar" // one value per world (Scalars)
	kindSample = "sample" // many observations per world (Samples)
)

// metric is one metric found in the worlds, with its documentation.
type metric struct {
	Name       string
	Unit       string
	Kind       string
	Doc        results.MetricDoc
	Documented bool
}

// Headline reports whether the summary table shows the metric.
func (m *metric) Headline() bool { return m.Doc.Headline }

func (m *metric) direction() stats.Direction {
	switch {
	case !m.Documented || m.Doc.LowerIsBetter == m.Doc.HigherIsBetter:
		return stats.Unknown
	case m.Doc.LowerIsBetter:
		return stats.LowerIsBetter
	default:
		return stats.HigherIsBetter
	}
}

// directionName is the direction as the report prints it.
func (m *metric) directionName() string {
	switch m.direction() {
	case stats.LowerIsBetter:
		return "lower is better"
	case stats.HigherIsBetter:
		return "higher is better"
	}
	return "direction not documented"
}

// collectMetrics returns every scalar and sample metric the worlds carry:
// headline metrics first (in the run's documentation order), then the other
// documented ones, then undocumented ones by name.
func (d *dataset) collectMetrics() []*metric {
	type key struct{ name, kind string }
	found := map[key]*metric{}
	add := func(name, unit, kind string) {
		k := key{name, kind}
		if m, ok := found[k]; ok {
			if m.Unit == "" {
				m.Unit = unit
			}
			return
		}
		doc, ok := d.docs[name]
		found[k] = &metric{Name: name, Unit: d.unitOf(name, unit), Kind: kind, Doc: doc, Documented: ok}
	}
	for _, w := range d.worlds {
		for _, s := range w.Scalars {
			add(s.Metric, s.Unit, kindScalar)
		}
		for _, s := range w.Samples {
			add(s.Metric, s.Unit, kindSample)
		}
	}
	docOrder := map[string]int{}
	for i, m := range d.run.Metrics {
		docOrder[m.Name] = i
	}
	out := make([]*metric, 0, len(found))
	for _, m := range found {
		if _, dup := found[key{m.Name, kindScalar}]; dup && m.Kind == kindSample {
			d.notef("Metric %q is recorded both as a scalar and as a sample; they are reported separately.", m.Name)
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return metricLess(out[i], out[j], docOrder) })
	return out
}

func metricLess(a, b *metric, docOrder map[string]int) bool {
	if a.Headline() != b.Headline() {
		return a.Headline()
	}
	if a.Documented != b.Documented {
		return a.Documented
	}
	if a.Documented && docOrder[a.Name] != docOrder[b.Name] {
		return docOrder[a.Name] < docOrder[b.Name]
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Kind < b.Kind
}

// seedValues are the per-world values of a scalar metric for one variant.
type seedValues struct {
	Seeds   []uint64
	Values  []float64
	Dropped int // non-finite values left out
	Missing int // worlds that do not record the metric
	// Censored lists the worlds whose value is censored (the event never
	// happened before the world ended) and their lower bounds; they are
	// not in Values.
	Censored      []uint64
	CensoredBound []float64
}

func scalarValues(v *variantData, name string) seedValues {
	var sv seedValues
	for _, w := range v.Worlds {
		i := slices.IndexFunc(w.Scalars, func(s results.Scalar) bool { return s.Metric == name })
		switch {
		case i < 0:
			sv.Missing++
		case w.Scalars[i].Censored:
			sv.Censored = append(sv.Censored, w.Seed)
			sv.CensoredBound = append(sv.CensoredBound, w.Scalars[i].Value)
		case !isFinite(w.Scalars[i].Value):
			sv.Dropped++
		default:
			sv.Seeds = append(sv.Seeds, w.Seed)
			sv.Values = append(sv.Values, w.Scalars[i].Value)
		}
	}
	return sv
}

// seedSample is one world's finite observations of a sample metric, sorted.
type seedSample struct {
	Seed   uint64
	Sorted []float64
}

// sampleValues returns the sorted finite observations of each world of v
// that records the metric (several Samples of one name in a world are
// concatenated), with the counts of non-finite values and missing worlds.
func sampleValues(v *variantData, name string) (per []seedSample, dropped, missing int) {
	for _, w := range v.Worlds {
		var vals []float64
		present := false
		for _, s := range w.Samples {
			if s.Metric != name {
				continue
			}
			present = true
			fin, bad := stats.Finite(s.Values)
			vals = append(vals, fin...)
			dropped += bad
		}
		if !present {
			missing++
			continue
		}
		slices.Sort(vals)
		per = append(per, seedSample{Seed: w.Seed, Sorted: vals})
	}
	return per, dropped, missing
}
