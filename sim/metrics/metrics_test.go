package metrics

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/redosim/redosim/sim"
)

func TestSameKeySameMetric(t *testing.T) {
	r := NewRegistry()
	a := r.Counter("fsyncs", L("node", "n1"), L("disk", "nvme0"))
	b := r.Counter("fsyncs", L("disk", "nvme0"), L("node", "n1"))
	if a != b {
		t.Fatal("same name and labels in another order gave a new counter")
	}
	if c := r.Counter("fsyncs", L("node", "n2"), L("disk", "nvme0")); c == a {
		t.Fatal("other labels gave the same counter")
	}
	if g1, g2 := r.Gauge("mem"), r.Gauge("mem"); g1 != g2 {
		t.Fatal("gauge lookup gave a new gauge")
	}
	if h1, h2 := r.Histogram("lat"), r.Histogram("lat"); h1 != h2 {
		t.Fatal("histogram lookup gave a new histogram")
	}
}

func TestKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		labels []Label
		want   string
	}{
		{"fsyncs", nil, "fsyncs"},
		{"fsyncs", []Label{L("node", "n1")}, "fsyncs{node=n1}"},
		{"a/b", []Label{L("z", "1"), L("a", "x:y")}, "a/b{a=x:y,z=1}"},
	} {
		if got := Key(tc.name, tc.labels...); got != tc.want {
			t.Errorf("Key(%q, %v) = %q, want %q", tc.name, tc.labels, got, tc.want)
		}
	}
}

func mustPanic(t *testing.T, want string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one containing %q", want)
		}
		if msg := fmt.Sprint(r); !strings.Contains(msg, want) {
			t.Fatalf("panic %q, want one containing %q", msg, want)
		}
	}()
	fn()
}

func TestBugsPanic(t *testing.T) {
	r := NewRegistry()
	r.Counter("x")
	r.Histogram("lat", L("node", "n1"))
	mustPanic(t, "x is a counter, asked for a gauge", func() { r.Gauge("x") })
	mustPanic(t, "empty metric name", func() { r.Counter("") })
	mustPanic(t, `metric name "a b"`, func() { r.Counter("a b") })
	mustPanic(t, `label value "a,b"`, func() { r.Counter("y", L("k", "a,b")) })
	mustPanic(t, `empty label value`, func() { r.Counter("y", L("k", "")) })
	mustPanic(t, `label "k" twice`, func() { r.Counter("y", L("k", "1"), L("k", "2")) })
	mustPanic(t, "counter add -1", func() { r.Counter("x").Add(-1) })
	mustPanic(t, "NaN", func() { r.Gauge("g").Set(math.NaN()) })
	mustPanic(t, "NaN", func() { r.Histogram("lat", L("node", "n1")).Observe(math.NaN()) })
	mustPanic(t, "clashes with histogram lat", func() { r.Counter("lat_count", L("node", "n1")) })
	r.Counter("q_p99")
	mustPanic(t, "histogram q clashes with counter q_p99", func() { r.Histogram("q") })
	// Other labels do not clash.
	r.Counter("lat_count", L("node", "n2"))
}

func TestCounterGauge(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("c")
	c.Inc()
	c.Add(2.5)
	if c.Value() != 3.5 {
		t.Fatalf("counter = %v, want 3.5", c.Value())
	}
	g := r.Gauge("g")
	g.Set(10)
	g.Add(-4)
	if g.Value() != 6 {
		t.Fatalf("gauge = %v, want 6", g.Value())
	}
}

func TestSeriesSortedAndSampled(t *testing.T) {
	r := NewRegistry()
	// Registered out of order on purpose.
	g := r.Gauge("mem", L("node", "n2"))
	c := r.Counter("bytes")
	h := r.Histogram("lat")
	g1 := r.Gauge("mem", L("node", "n1"))
	c.Add(10)
	g.Set(5)
	g1.Set(7)
	for i := 1; i <= 100; i++ {
		h.Observe(float64(i))
	}
	r.Sample(sim.Instant(sim.Second))
	c.Add(1)
	r.Sample(sim.Instant(2 * sim.Second)) // no observation in this window
	var got []string
	for _, s := range r.Series() {
		got = append(got, fmt.Sprintf("%s %v", s.Key(), s.Points))
	}
	want := []string{
		"bytes [{t+1s 10} {t+2s 11}]",
		"lat_count [{t+1s 100} {t+2s 100}]",
		"lat_p50 [{t+1s 50.5}]",
		"lat_p99 [{t+1s 99.01}]",
		"lat_sum [{t+1s 5050} {t+2s 5050}]",
		"mem{node=n1} [{t+1s 7} {t+2s 7}]",
		"mem{node=n2} [{t+1s 5} {t+2s 5}]",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("series:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Samples() != 2 {
		t.Fatalf("Samples = %d, want 2", r.Samples())
	}
}

func TestStartSampling(t *testing.T) {
	l := sim.NewLoop(0)
	r := NewRegistry()
	c := r.Counter("ticks")
	l.Every(300*sim.Millisecond, c.Inc)
	timer := r.StartSampling(l, sim.Second)
	// At 3s the sampler runs before the 10th tick: of two events at one
	// instant, the one scheduled first runs first, and the sampler's 3s
	// event was scheduled at 2s, the ticker's at 2.7s.
	if err := l.RunUntil(sim.Instant(3 * sim.Second)); err != nil {
		t.Fatal(err)
	}
	timer.Stop()
	pts := r.Series()[0].Points
	want := []Point{{sim.Instant(sim.Second), 3}, {sim.Instant(2 * sim.Second), 6}, {sim.Instant(3 * sim.Second), 9}}
	if !slices.Equal(pts, want) {
		t.Fatalf("points %v, want %v", pts, want)
	}
}

func TestHotPathAllocs(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("c", L("node", "n1"))
	h := r.Histogram("h")
	r.Counter("plain")
	for i := 0; i < 1000; i++ {
		h.Observe(1) // grow the buffers first
	}
	if n := testing.AllocsPerRun(100, func() { c.Inc(); c.Add(2) }); n != 0 {
		t.Errorf("Counter.Inc+Add allocates %v", n)
	}
	if n := testing.AllocsPerRun(100, func() { r.Counter("plain").Inc() }); n != 0 {
		t.Errorf("label-free lookup allocates %v", n)
	}
}

func TestNewRegistryWithRejectsNegative(t *testing.T) {
	if _, err := NewRegistryWith(Config{HistogramValuesMax: -1}); err == nil ||
		!strings.HasPrefix(err.Error(), "sim/metrics: ") {
		t.Fatalf("err = %v, want a sim/metrics error", err)
	}
}
