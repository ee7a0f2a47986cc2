package metrics

import (
	"fmt"
	"slices"
	"strings"

	"github.com/redosim/redosim/sim"
)

// Default bounds of Config.
const (
	// DefaultHistogramValuesMax is the default of Config.HistogramValuesMax.
	DefaultHistogramValuesMax = 1 << 16
	// DefaultWindowValuesMax is the default of Config.WindowValuesMax.
	DefaultWindowValuesMax = 1 << 12
)

// Config configures a Registry. The zero value gives the defaults.
type Config struct {
	// HistogramValuesMax bounds the observations a histogram keeps for
	// Values and Quantile (a count of float64s, 8 bytes each). Default
	// DefaultHistogramValuesMax; negative is an error.
	HistogramValuesMax int
	// WindowValuesMax bounds the observations a histogram keeps between two
	// samples for the windowed p50/p99 series. Default
	// DefaultWindowValuesMax; negative is an error.
	WindowValuesMax int
}

func (c *Config) validate() error {
	if c.HistogramValuesMax < 0 || c.WindowValuesMax < 0 {
		return fmt.Errorf("sim/metrics: config HistogramValuesMax=%d WindowValuesMax=%d, want >= 0",
			c.HistogramValuesMax, c.WindowValuesMax)
	}
	if c.HistogramValuesMax == 0 {
		c.HistogramValuesMax = DefaultHistogramValuesMax
	}
	if c.WindowValuesMax == 0 {
		c.WindowValuesMax = DefaultWindowValuesMax
	}
	return nil
}

type kind uint8

const (
	kindCounter kind = iota + 1
	kindGauge
	kindHistogram
)

// String names the kind in panic messages.
func (k kind) String() string {
	return [...]string{"", "counter", "gauge", "histogram"}[k]
}

// metric is one registered metric of any kind.
type metric struct {
	name    string
	labels  []Label // sorted by key
	kind    kind
	counter *Counter
	gauge   *Gauge
	hist    *Histogram
}

// Registry holds the metrics of one world. It is not safe for concurrent
// use: like the world, it lives on one goroutine.
type Registry struct {
	cfg     Config
	byKey   map[string]*metric
	all     []*metric // in registration order
	sorted  []*metric // all, by name then labels: the order of every output; nil when stale
	samples uint64
}

// NewRegistry returns an empty registry with the default Config.
func NewRegistry() *Registry {
	r, _ := NewRegistryWith(Config{}) // the zero Config is valid
	return r
}

// NewRegistryWith returns an empty registry configured by cfg.
func NewRegistryWith(cfg Config) (*Registry, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Registry{cfg: cfg, byKey: make(map[string]*metric)}, nil
}

// Counter returns the counter name with labels, creating it on first use;
// later calls with the same name and labels (in any order) return the same
// counter. Names and label keys use letters, digits and _ . / : -; label
// values any printable byte but space and { } = ,. It panics on a bad name
// or label, a repeated label key, or when the key names a metric of another
// kind: those are bugs in the caller.
func (r *Registry) Counter(name string, labels ...Label) *Counter {
	return r.get(name, labels, kindCounter).counter
}

// Gauge returns the gauge name with labels, creating it on first use; see
// Counter for the rules.
func (r *Registry) Gauge(name string, labels ...Label) *Gauge {
	return r.get(name, labels, kindGauge).gauge
}

// Histogram returns the histogram name with labels, creating it on first
// use; see Counter for the rules.
func (r *Registry) Histogram(name string, labels ...Label) *Histogram {
	return r.get(name, labels, kindHistogram).hist
}

func (r *Registry) get(name string, labels []Label, k kind) *metric {
	sortedLabels, key := canonical(name, labels)
	if m, ok := r.byKey[key]; ok {
		if m.kind != k {
			panic(fmt.Sprintf("sim/metrics: %s is a %v, asked for a %v", key, m.kind, k))
		}
		return m
	}
	r.checkClash(name, sortedLabels, k)
	m := &metric{name: name, labels: sortedLabels, kind: k}
	switch k {
	case kindCounter:
		m.counter = &Counter{}
	case kindGauge:
		m.gauge = &Gauge{}
	case kindHistogram:
		m.hist = newHistogram(key, r.cfg.HistogramValuesMax, r.cfg.WindowValuesMax)
	}
	r.byKey[key] = m
	r.all = append(r.all, m)
	r.sorted = nil // sorted again on the next read: registering n metrics costs O(n log n), not O(n^2)
	return m
}

// ordered returns every metric by name, then labels.
func (r *Registry) ordered() []*metric {
	if len(r.sorted) != len(r.all) {
		r.sorted = slices.Clone(r.all)
		slices.SortFunc(r.sorted, func(a, b *metric) int { return compareID(a.name, a.labels, b.name, b.labels) })
	}
	return r.sorted
}

// histogramSuffixes name the series a histogram contributes (see Sample).
var histogramSuffixes = [...]string{"_count", "_sum", "_p50", "_p99"}

// checkClash panics when a new metric's series would share a key with
// another metric's: a histogram x owns x_count, x_sum, x_p50 and x_p99.
func (r *Registry) checkClash(name string, labels []Label, k kind) {
	for _, suffix := range histogramSuffixes {
		if k == kindHistogram {
			if m, ok := r.byKey[Key(name+suffix, labels...)]; ok {
				panic(fmt.Sprintf("sim/metrics: histogram %s clashes with %v %s", name, m.kind, m.name))
			}
		}
		base, ok := strings.CutSuffix(name, suffix)
		if !ok || base == "" {
			continue
		}
		if m, ok := r.byKey[Key(base, labels...)]; ok && m.kind == kindHistogram {
			panic(fmt.Sprintf("sim/metrics: %v %s clashes with histogram %s", k, name, base))
		}
	}
}

// Samples returns the number of Sample calls so far.
func (r *Registry) Samples() uint64 { return r.samples }

// Sample records every metric at now; call it with non-decreasing now. A
// counter or gauge gets one point with its value. A histogram x gets one
// point in each of the series x_count and x_sum (cumulative count and sum,
// as Prometheus keeps them) and, when it was observed since the previous
// sample, one point in x_p50 and x_p99: the quantiles of that window's
// observations (bounded by Config.WindowValuesMax, as for Values). A window
// without observations adds no quantile point rather than a made-up one.
func (r *Registry) Sample(now sim.Instant) {
	r.samples++
	for _, m := range r.all { // each metric gets its own point: order does not matter
		switch m.kind {
		case kindCounter:
			m.counter.pts = append(m.counter.pts, Point{T: now, V: m.counter.v})
		case kindGauge:
			m.gauge.pts = append(m.gauge.pts, Point{T: now, V: m.gauge.v})
		case kindHistogram:
			m.hist.sample(now)
		}
	}
}

// StartSampling calls Sample on loop l every period, first one period from
// now, until the returned timer is stopped. period must be positive.
func (r *Registry) StartSampling(l *sim.Loop, every sim.Duration) sim.Timer {
	return l.Every(every, func() { r.Sample(l.Now()) })
}

// Series is the sampled history of one counter, gauge or derived histogram
// series.
type Series struct {
	Name   string
	Labels []Label // sorted by key
	Points []Point // in sampling order
}

// Key returns the series' canonical key, e.g. "disk_fsyncs{node=n1}".
func (s Series) Key() string { return Key(s.Name, s.Labels...) }

// Series returns a copy of every series, sorted by name then labels
// (histograms contribute x_count, x_sum, x_p50 and x_p99; see Sample).
// Series of metrics registered after a sample start late: their first
// point is at the first sample after registration.
func (r *Registry) Series() []Series {
	var out []Series
	add := func(name string, labels []Label, pts []Point) {
		out = append(out, Series{Name: name, Labels: slices.Clone(labels), Points: slices.Clone(pts)})
	}
	for _, m := range r.ordered() {
		switch m.kind {
		case kindCounter:
			add(m.name, m.labels, m.counter.pts)
		case kindGauge:
			add(m.name, m.labels, m.gauge.pts)
		case kindHistogram:
			add(m.name+"_count", m.labels, m.hist.countPts)
			add(m.name+"_sum", m.labels, m.hist.sumPts)
			add(m.name+"_p50", m.labels, m.hist.p50Pts)
			add(m.name+"_p99", m.labels, m.hist.p99Pts)
		}
	}
	slices.SortStableFunc(out, func(a, b Series) int {
		return compareID(a.Name, a.Labels, b.Name, b.Labels)
	})
	return out
}

// Histograms returns a snapshot of every histogram, sorted by name then
// labels.
func (r *Registry) Histograms() []HistogramSnapshot {
	var out []HistogramSnapshot
	for _, m := range r.ordered() {
		if m.kind == kindHistogram {
			out = append(out, m.hist.snapshot(m.name, m.labels))
		}
	}
	return out
}
