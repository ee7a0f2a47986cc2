package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/redosim/redosim/internal/quantile"
	"github.com/redosim/redosim/sim"
)

// Histogram records a distribution of observations (latencies, sizes).
// Count, Sum, Min and Max are exact. Values and Quantile work on the raw
// observations while there are at most Config.HistogramValuesMax of them;
// past that on a uniform reservoir sample of that many (Algorithm R), drawn
// from a PCG stream seeded by the metric's key: deterministic, and
// independent of the world's own streams.
type Histogram struct {
	count    uint64
	sum      float64
	min, max float64

	values    []float64 // raw observations or the reservoir, in arrival order
	sortedBuf []float64 // sorted copy of values, rebuilt when dirty
	dirty     bool      // values changed since sortedBuf was built
	valuesMax int

	window     []float64 // observations since the last Sample (a reservoir too)
	windowSeen uint64
	windowMax  int

	seed uint64    // reservoir seed: sim.StreamKey of the metric key
	rng  *sim.Rand // created on the first overflow

	countPts, sumPts, p50Pts, p99Pts []Point
}

func newHistogram(key string, valuesMax, windowMax int) *Histogram {
	return &Histogram{valuesMax: valuesMax, windowMax: windowMax, seed: sim.StreamKey(key)}
}

// Observe records one observation. It panics on NaN, which has no place in
// an ordered distribution.
func (h *Histogram) Observe(v float64) {
	if math.IsNaN(v) {
		panic("sim/metrics: histogram observation is NaN")
	}
	if h.count == 0 || v < h.min {
		h.min = v
	}
	if h.count == 0 || v > h.max {
		h.max = v
	}
	h.count++
	h.sum += v
	h.values = h.reservoirAdd(h.values, h.valuesMax, h.count, v)
	h.dirty = true
	h.windowSeen++
	h.window = h.reservoirAdd(h.window, h.windowMax, h.windowSeen, v)
}

// reservoirAdd adds the seen-th observation v to buf, which holds at most
// max values: Algorithm R keeps each of the seen observations with equal
// probability max/seen.
func (h *Histogram) reservoirAdd(buf []float64, max int, seen uint64, v float64) []float64 {
	if len(buf) < max {
		return append(buf, v)
	}
	if h.rng == nil {
		h.rng = rand.New(rand.NewPCG(h.seed, 0x6d6574726963 /* "metric" */))
	}
	if j := h.rng.Uint64N(seen); j < uint64(max) {
		buf[j] = v
	}
	return buf
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 { return h.count }

// Sum returns the sum of the observations.
func (h *Histogram) Sum() float64 { return h.sum }

// Min returns the smallest observation, or 0 when there is none.
func (h *Histogram) Min() float64 { return h.min }

// Max returns the largest observation, or 0 when there is none.
func (h *Histogram) Max() float64 { return h.max }

// Mean returns Sum/Count, or 0 when there is no observation.
func (h *Histogram) Mean() float64 {
	if h.count == 0 {
		return 0
	}
	return h.sum / float64(h.count)
}

// Values returns a sorted copy of the kept observations: all of them, or
// the reservoir sample once there were more than Config.HistogramValuesMax.
func (h *Histogram) Values() []float64 {
	return slices.Clone(h.sortedValues())
}

// Quantile returns the q-quantile (0 <= q <= 1) of the kept observations by
// linear interpolation between order statistics (Hyndman and Fan type 7,
// the default of R and NumPy, computed by internal/quantile). It sorts the
// values once and again only after new observations. It returns NaN when
// there is no observation or q is outside [0, 1].
func (h *Histogram) Quantile(q float64) float64 {
	return quantile.Sorted(h.sortedValues(), q)
}

// sortedValues returns the kept values sorted, sorting a copy so that
// reading a histogram never changes which values the reservoir replaces.
func (h *Histogram) sortedValues() []float64 {
	if h.dirty {
		h.sortedBuf = append(h.sortedBuf[:0], h.values...)
		slices.Sort(h.sortedBuf)
		h.dirty = false
	}
	return h.sortedBuf
}

// sample appends the histogram's points at now: cumulative count and sum
// always; p50 and p99 of the window since the previous sample only when the
// window holds an observation. It then empties the window.
func (h *Histogram) sample(now sim.Instant) {
	h.countPts = append(h.countPts, Point{T: now, V: float64(h.count)})
	h.sumPts = append(h.sumPts, Point{T: now, V: h.sum})
	if len(h.window) > 0 {
		slices.Sort(h.window)
		h.p50Pts = append(h.p50Pts, Point{T: now, V: quantile.Sorted(h.window, 0.50)})
		h.p99Pts = append(h.p99Pts, Point{T: now, V: quantile.Sorted(h.window, 0.99)})
	}
	h.window = h.window[:0]
	h.windowSeen = 0
}

// HistogramSnapshot is the state of one histogram at the time of
// Registry.Histograms. With no observation every number is 0 (not NaN, so
// the snapshot encodes as JSON).
type HistogramSnapshot struct {
	Name   string
	Labels []Label
	Count  uint64
	Sum    float64
	Min    float64
	Max    float64
	Mean   float64
	P50    float64
	P90    float64
	P99    float64
	P999   float64
	// Values is a sorted copy of the kept observations (see Histogram).
	Values []float64
}

// Key returns the snapshot's canonical metric key.
func (s HistogramSnapshot) Key() string { return Key(s.Name, s.Labels...) }

// String formats the snapshot on one line for logs and golden files.
func (s HistogramSnapshot) String() string {
	return fmt.Sprintf("%s count=%d sum=%g min=%g p50=%g p90=%g p99=%g max=%g",
		s.Key(), s.Count, s.Sum, s.Min, s.P50, s.P90, s.P99, s.Max)
}

func (h *Histogram) snapshot(name string, labels []Label) HistogramSnapshot {
	s := HistogramSnapshot{Name: name, Labels: slices.Clone(labels), Count: h.count, Sum: h.sum,
		Min: h.min, Max: h.max, Mean: h.Mean(), Values: h.Values()}
	if h.count > 0 {
		s.P50, s.P90 = h.Quantile(0.50), h.Quantile(0.90)
		s.P99, s.P999 = h.Quantile(0.99), h.Quantile(0.999)
	}
	return s
}
