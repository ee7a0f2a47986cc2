package scanwindow

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/redosim/redosim/sim"
)

// TestParseAlgorithm checks the accepted names and that an error names them.
func TestParseAlgorithm(t *testing.T) {
	for _, s := range []string{"none", "v2-4030", "v2-4950"} {
		if a, err := ParseAlgorithm(s); err != nil || string(a) != s {
			t.Errorf("ParseAlgorithm(%q) = %q, %v", s, a, err)
		}
	}
	_, err := ParseAlgorithm("v2")
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "none, v2-4030 or v2-4950") ||
		!strings.HasPrefix(err.Error(), "model/scanwindow: ") {
		t.Fatalf("ParseAlgorithm(v2) error %v", err)
	}
}

// TestConfigDefaults checks that Config{} is TiCDC's configuration.
//
// Reference: TiCDC PR #4950 (scan_window.go constants).
func TestConfigDefaults(t *testing.T) {
	c := mustNew(t, Config{})
	cfg := c.Config()
	if cfg.Algorithm != Algorithm4950 || cfg.InitialInterval != 5*sim.Second || cfg.MinInterval != sim.Second ||
		cfg.MaxInterval != 30*sim.Minute || cfg.WindowDuration != 30*sim.Second || cfg.IncreaseSpanMin != 24*sim.Second ||
		cfg.IncreaseCooldown != 30*sim.Second || cfg.IncreaseSamplesMin != 10 {
		t.Fatalf("defaults %+v", cfg)
	}
	if cfg.V4030.CriticalScale != (Scale{1, 4}) || cfg.V4950.LowScales[2] != (Scale{21, 20}) ||
		cfg.V4950.EmergencyPlateau != 15*sim.Second || cfg.V4950.ReliefPerRelease != 2 {
		t.Fatalf("algorithm defaults %+v %+v", cfg.V4030, cfg.V4950)
	}
	if c.Interval() != 5*sim.Second {
		t.Fatalf("initial interval %v", c.Interval())
	}
}

// TestConfigRejects checks that contradictions are errors naming the field.
func TestConfigRejects(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Algorithm: "v3"}, "unknown algorithm"},
		{Config{MinInterval: -1}, "min interval"},
		{Config{InitialInterval: 500 * sim.Millisecond}, "initial interval 500ms < min interval"},
		{Config{MaxInterval: 2 * sim.Second}, "initial interval 5s > max interval"},
		{Config{MaxInterval: 48 * sim.Hour}, "max interval"},
		{Config{SyncPointInterval: -sim.Second}, "syncpoint interval"},
		{Config{V4030: Params4030{HighScale: Scale{3, 2}}}, "v4030 high scale"},
		{Config{V4950: Params4950{LowScales: [3]Scale{{1, 2}}}}, "v4950 low scale"},
		{Config{V4950: Params4950{FastAlpha: 1.5}}, "alpha"},
		{Config{V4950: Params4950{BandMid: 3 * sim.Minute}}, "bands"},
	} {
		_, err := New(tc.cfg)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) error %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

// TestNoneNeverCaps checks congestion control v1: no window at all.
//
// Reference: TiCDC PR #5395 (scan window switch: getScanMaxTs returns 0,
// no cap, without a controller).
func TestNoneNeverCaps(t *testing.T) {
	c := mustNew(t, Config{Algorithm: AlgorithmNone})
	for s, u := range []float64{0, 1, 0.95, 0.05} {
		c.Observe(at(float64(s)), Report{UsageRatio: u, ReleaseCount: s})
	}
	if c.Interval() != 0 || c.ScanMaxTs(123<<18) != math.MaxUint64 {
		t.Fatalf("none: interval %v, scan max %d", c.Interval(), c.ScanMaxTs(123<<18))
	}
	if st := c.Stats(); st.Reports != 4 || st.Releases != 3 || st.AdjustUp+st.AdjustDown != 0 {
		t.Fatalf("none stats %+v", st)
	}
}

// TestScanMaxTs checks minSentTs + interval in TSO terms.
//
// Reference: TiCDC PR #4030 (getScanMaxTs: oracle.GoTimeToTS(
// oracle.GetTimeFromTS(base).Add(interval)), 0 base means no cap).
func TestScanMaxTs(t *testing.T) {
	c := mustNew(t, Config{Algorithm: Algorithm4030, InitialInterval: 2500*sim.Millisecond + 700*sim.Microsecond})
	const physicalMs = 1_700_000_000_000
	for _, tc := range []struct {
		name      string
		minSentTs uint64
		want      uint64
	}{
		{"zero base: no cap", 0, math.MaxUint64},
		{"logical dropped, sub-ms truncated", physicalMs<<18 | 77, (physicalMs + 2500) << 18},
		{"overflow: no cap", math.MaxUint64 - 5, math.MaxUint64},
	} {
		if got := c.ScanMaxTs(tc.minSentTs); got != tc.want {
			t.Errorf("%s: ScanMaxTs(%d) = %d, want %d", tc.name, tc.minSentTs, got, tc.want)
		}
	}
}

// TestWindowPrune checks the 30 s window: a sample exactly 30 s old stays,
// an older one goes, and the span is measured to now.
//
// Reference: TiCDC PR #4030 (memoryUsageWindow.pruneLocked uses Before).
func TestWindowPrune(t *testing.T) {
	w := newUsageWindow(30*sim.Second, 100)
	w.add(at(0), 0.9)
	w.add(at(10), 0.1)
	if st := w.stats(at(30)); st.Count != 2 || st.Max != 0.9 || st.Span != 30*sim.Second {
		t.Fatalf("at 30s: %+v", st)
	}
	st := w.stats(at(30.001))
	if st.Count != 1 || st.Max != 0.1 || st.First != 0.1 || st.Last != 0.1 || st.Avg != 0.1 {
		t.Fatalf("at 30.001s: %+v", st)
	}
	small := newUsageWindow(30*sim.Second, 3)
	for i := range 5 {
		small.add(at(float64(i)), float64(i)/10)
	}
	if st := small.stats(at(5)); st.Count != 3 || st.First != 0.2 || small.dropped != 2 {
		t.Fatalf("bounded window: %+v dropped %d", st, small.dropped)
	}
}

// TestNormalizeUsage checks NaN, negative and above-one reports.
//
// Reference: TiCDC PR #4950 (normalizeUsageRatio).
func TestNormalizeUsage(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{
		{-0.5, 0}, {0.42, 0.42}, {1, 1}, {1.5, 1}, {math.Inf(1), 1},
	} {
		if got := normalizeUsage(tc.in); got != tc.want {
			t.Errorf("normalizeUsage(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if got := normalizeUsage(math.NaN()); got != 0 {
		t.Errorf("normalizeUsage(NaN) = %v", got)
	}
}

// TestTimeNeverGoesBack checks that an earlier instant counts as the latest.
func TestTimeNeverGoesBack(t *testing.T) {
	c := mustNew(t, Config{Algorithm: Algorithm4030})
	c.Observe(at(10), Report{UsageRatio: 0.5})
	c.Observe(at(3), Report{UsageRatio: 0.5})
	if st := c.Stats().Window; st.Count != 2 || st.Span != 0 {
		t.Fatalf("window %+v", st)
	}
}

// TestCombine checks the main/redo aggregation.
//
// Reference: TiCDC PR #4030 (first revision min(used)/min(max); merged and
// current EventCollector.newCongestionControlMessages take the max ratio).
func TestCombine(t *testing.T) {
	for _, s := range []string{"max", "min"} {
		if a, err := ParseAggregation(s); err != nil || string(a) != s {
			t.Errorf("ParseAggregation(%q) = %q, %v", s, a, err)
		}
	}
	if _, err := ParseAggregation("avg"); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "max or min") {
		t.Errorf("ParseAggregation(avg) error %v", err)
	}
	if got := Combine(AggregationMax, 0.2, 0.9); got != 0.9 {
		t.Errorf("max: %v", got)
	}
	if got := Combine(AggregationMin, 0.2, 0.9); got != 0.2 {
		t.Errorf("min: %v", got)
	}
	const mib = 1 << 20
	for _, tc := range []struct {
		a    Aggregation
		want float64
	}{
		{AggregationMax, 1},   // redo 600/512 clamps to 1
		{AggregationMin, 0.5}, // min(256, 600) / min(1024, 512)
	} {
		if got := CombineBytes(tc.a, 256*mib, 1024*mib, 600*mib, 512*mib); got != tc.want {
			t.Errorf("CombineBytes(%s) = %v, want %v", tc.a, got, tc.want)
		}
	}
	if got := CombineBytes(AggregationMax, 5, 0, 0, 0); got != 0 {
		t.Errorf("zero quota: %v", got)
	}
}
