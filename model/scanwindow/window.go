package scanwindow

import (
	"math"

	"github.com/redosim/redosim/sim"
)

// WindowStats summarises the usage samples in the window at one instant
// (TiCDC memoryUsageStats).
type WindowStats struct {
	// Avg is the mean usage of the samples.
	Avg float64
	// Max is the largest usage.
	Max float64
	// First is the oldest sample's usage.
	First float64
	// Last is the newest sample's usage.
	Last float64
	// Span is the time from the oldest sample to now.
	Span sim.Duration
	// Count is the number of samples.
	Count int
}

// usageSample is one normalised usage report.
type usageSample struct {
	at    sim.Instant
	ratio float64
}

// usageWindow keeps the samples of the last span, oldest first
// (TiCDC memoryUsageWindow). It is bounded by samplesMax.
type usageWindow struct {
	span       sim.Duration
	samplesMax int
	samples    []usageSample
	// dropped counts samples dropped by the samplesMax bound.
	dropped int
}

func newUsageWindow(span sim.Duration, samplesMax int) usageWindow {
	return usageWindow{span: span, samplesMax: samplesMax}
}

// add appends a sample and prunes the samples older than now-span.
func (w *usageWindow) add(now sim.Instant, ratio float64) {
	if len(w.samples) == w.samplesMax {
		w.dropFront(1)
		w.dropped++
	}
	w.samples = append(w.samples, usageSample{at: now, ratio: ratio})
	w.prune(now)
}

// reset forgets every sample.
func (w *usageWindow) reset() { w.samples = w.samples[:0] }

// prune drops the samples taken strictly before now-span: a sample exactly
// one span old stays, as with time.Time.Before in TiCDC.
func (w *usageWindow) prune(now sim.Instant) {
	cutoff := now.Add(-w.span)
	n := 0
	for n < len(w.samples) && w.samples[n].at < cutoff {
		n++
	}
	w.dropFront(n)
}

// dropFront removes the n oldest samples, reusing the backing array.
func (w *usageWindow) dropFront(n int) {
	if n == 0 {
		return
	}
	k := copy(w.samples, w.samples[n:])
	w.samples = w.samples[:k]
}

// stats prunes at now and summarises what is left.
func (w *usageWindow) stats(now sim.Instant) WindowStats {
	w.prune(now)
	if len(w.samples) == 0 {
		return WindowStats{}
	}
	sum, top := 0.0, math.Inf(-1)
	for _, s := range w.samples {
		sum += s.ratio
		top = max(top, s.ratio)
	}
	return WindowStats{
		Avg:   sum / float64(len(w.samples)),
		Max:   top,
		First: w.samples[0].ratio,
		Last:  w.samples[len(w.samples)-1].ratio,
		Span:  now.Sub(w.samples[0].at),
		Count: len(w.samples),
	}
}

// normalizeUsage maps NaN and negatives to 0 and caps at 1, as both PRs do
// before a report reaches the window (normalizeUsageRatio).
func normalizeUsage(r float64) float64 {
	if math.IsNaN(r) || r < 0 {
		return 0
	}
	return min(r, 1)
}
