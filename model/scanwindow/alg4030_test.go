package scanwindow

import (
	"testing"

	"github.com/redosim/redosim/sim"
)

// TestShrinkToFloor4030 feeds sustained pressure once a second and checks
// that the interval reaches MinInterval after exactly the expected number of
// reports, never earlier, and stays there: x1/4 per report when critical,
// x1/2 when high, both clamped at 1 s, no cooldown on decreases.
//
// Reference: TiCDC PR #4030 (adjustScanInterval, critical and high tiers).
func TestShrinkToFloor4030(t *testing.T) {
	for _, tc := range []struct {
		name        string
		initial     sim.Duration
		usage       float64
		wantReports int
	}{
		{"critical from 5s", 5 * sim.Second, 0.95, 2},         // 1.25 s, 1 s
		{"critical from 30min", 30 * sim.Minute, 0.95, 6},     // 450, 112.5, 28.1, 7.03, 1.76, 1
		{"high from 5s", 5 * sim.Second, 0.8, 3},              // 2.5, 1.25, 1
		{"high from 30min", 30 * sim.Minute, 0.8, 11},         // 1800/2^11 < 1
		{"over 100% counts as 100%", 5 * sim.Second, 1.4, 2},  // normalised to 1
		{"critical just above 0.9", 5 * sim.Second, 0.901, 2}, // strict >
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, Config{Algorithm: Algorithm4030, InitialInterval: tc.initial})
			got := feed(c, 1, tc.wantReports+20, tc.usage)
			for i, d := range got {
				if i+1 < tc.wantReports && d <= sim.Second {
					t.Fatalf("report %d: interval %v reached the floor early", i+1, d)
				}
				if i+1 >= tc.wantReports && d != sim.Second {
					t.Fatalf("report %d: interval %v, want 1s", i+1, d)
				}
			}
			if st := c.Stats(); st.AdjustDown != tc.wantReports || st.AdjustUp != 0 {
				t.Fatalf("stats %+v, want %d decreases", st, tc.wantReports)
			}
		})
	}
}

// TestIncreaseGate4030 checks that low usage grows the interval only once
// the gate holds: 30 s since the last adjustment (creation counts), >= 10
// samples, a span >= 24 s; then x3/2 below 10 % and x5/4 below 20 %, one
// step per 30 s.
//
// Reference: TiCDC PR #4030 (allowedToIncrease; very low and low tiers).
func TestIncreaseGate4030(t *testing.T) {
	for _, tc := range []struct {
		name     string
		start    float64 // first report, s
		gap      float64 // between reports, s
		n        int
		usage    float64
		wantAt   []float64 // instants of the increases, s
		wantLast sim.Duration
	}{
		{"very low: x3/2 every 30s", 1, 1, 95, 0.05, []float64{30, 60, 90}, 16875 * sim.Millisecond},
		{"low: x5/4 every 30s", 1, 1, 95, 0.15, []float64{30, 60, 90}, 9765625 * sim.Microsecond},
		{"jittered 1.1s reports", 1, 1.1, 40, 0.15, []float64{30.7}, 6250 * sim.Millisecond},
		{"too few samples at 4s spacing", 4, 4, 30, 0.05, nil, 5 * sim.Second},
		{"span under 24s", 20, 0.5, 60, 0.05, []float64{44}, 7500 * sim.Millisecond},
		{"between low and trend: hold", 1, 1, 120, 0.25, nil, 5 * sim.Second},
		{"exactly 20%: not low", 1, 1, 120, 0.2, nil, 5 * sim.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, Config{Algorithm: Algorithm4030})
			var ups []float64
			for i := range tc.n {
				s := tc.start + float64(i)*tc.gap
				before := c.Interval()
				c.Observe(at(s), Report{UsageRatio: tc.usage})
				if c.Interval() < before {
					t.Fatalf("t=%vs: decreased to %v", s, c.Interval())
				}
				if c.Interval() > before {
					ups = append(ups, s)
				}
			}
			if !sameInstants(ups, tc.wantAt) {
				t.Fatalf("increases at %v s, want %v s", ups, tc.wantAt)
			}
			if c.Interval() != tc.wantLast {
				t.Fatalf("interval %v, want %v", c.Interval(), tc.wantLast)
			}
		})
	}
}

// sameInstants compares instants in seconds to a millisecond.
func sameInstants(got, want []float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if d := got[i] - want[i]; d > 1e-3 || d < -1e-3 {
			return false
		}
	}
	return true
}

// TestSyncPointCap4030 checks the two caps: the low tier stops at
// min(syncpoint interval, 30 min), while the very-low tier may pass the
// syncpoint cap up to 30 min; and the documented quirk that a low-tier
// report afterwards lowers an interval above the cap back to it.
//
// Reference: TiCDC PR #4030 (maxScanInterval; "may exceed the normal sync
// point interval cap").
func TestSyncPointCap4030(t *testing.T) {
	cfg := Config{Algorithm: Algorithm4030, SyncPointInterval: sim.Minute}

	low := mustNew(t, cfg)
	feed(low, 1, 600, 0.15)
	if got := low.Interval(); got != sim.Minute {
		t.Fatalf("low usage: interval %v, want the 1m syncpoint cap", got)
	}

	veryLow := mustNew(t, cfg)
	feed(veryLow, 1, 600, 0.05)
	if got := veryLow.Interval(); got != 30*sim.Minute {
		t.Fatalf("very low usage: interval %v, want 30m", got)
	}
	feed(veryLow, 601, 40, 0.15)
	st := veryLow.Stats()
	if veryLow.Interval() != sim.Minute || st.LastChangeReason != ReasonCapClamp {
		t.Fatalf("low usage above the cap: interval %v by %s, want 1m by cap_clamp", veryLow.Interval(), st.LastChangeReason)
	}

	off := mustNew(t, Config{Algorithm: Algorithm4030})
	feed(off, 1, 900, 0.15)
	if got := off.Interval(); got != 30*sim.Minute {
		t.Fatalf("syncpoint off, low usage: interval %v, want 30m", got)
	}
}

// TestReleaseResets4030 checks that a report with a memory release resets
// the interval to the default (up or down), clears the window (old peaks no
// longer brake) and restarts the increase cooldown.
//
// Reference: TiCDC PR #4030 (updateMemoryUsage, resetScanIntervalToDefault).
func TestReleaseResets4030(t *testing.T) {
	c := mustNew(t, Config{Algorithm: Algorithm4030})
	feed(c, 1, 3, 0.95)
	if c.Interval() != sim.Second {
		t.Fatalf("setup: interval %v", c.Interval())
	}
	c.Observe(at(4), Report{UsageRatio: 0.25, ReleaseCount: 2})
	if c.Interval() != 5*sim.Second || c.Stats().LastReason != ReasonReleaseReset {
		t.Fatalf("after release: %v %s, want 5s release_reset", c.Interval(), c.Stats().LastReason)
	}
	if w := c.Stats().Window; w.Count != 1 {
		t.Fatalf("window after release holds %d samples, want 1", w.Count)
	}
	// Without the reset the 95 % peaks (kept 30 s) would brake again.
	feed(c, 5, 10, 0.25)
	if c.Interval() != 5*sim.Second {
		t.Fatalf("old peaks still brake: %v", c.Interval())
	}

	big := mustNew(t, Config{Algorithm: Algorithm4030})
	feed(big, 1, 100, 0.05) // 5 -> 7.5 -> 11.25 -> 16.875 at 30, 60, 90 s
	big.Observe(at(101), Report{UsageRatio: 0.05, ReleaseCount: 1})
	if big.Interval() != 5*sim.Second {
		t.Fatalf("release from %v: %v, want 5s", 16875*sim.Millisecond, big.Interval())
	}
	got := feed(big, 102, 40, 0.05)
	for i, d := range got {
		s := 102 + i
		if s < 131 && d != 5*sim.Second {
			t.Fatalf("t=%ds: grew to %v within 30s of the release", s, d)
		}
	}
	if got[len(got)-1] != 7500*sim.Millisecond {
		t.Fatalf("after the cooldown: %v, want 7.5s", got[len(got)-1])
	}
}

// TestTrendCooldown4030 checks the trend tier: usage above 30 % and rising
// by more than 2 % across >= 4 samples damps x9/10 at most once per 5 s,
// until the high tier takes over above 70 %.
//
// Reference: TiCDC PR #4030 (scanTrendAdjustCooldown, trend damping).
func TestTrendCooldown4030(t *testing.T) {
	c := mustNew(t, Config{Algorithm: Algorithm4030})
	var downs []float64
	want := 5 * sim.Second
	for s := 1; s <= 40; s++ {
		before := c.Interval()
		c.Observe(at(float64(s)), Report{UsageRatio: 0.31 + 0.01*float64(s-1)})
		if c.Interval() < before {
			downs = append(downs, float64(s))
			if r := c.Stats().LastReason; r != ReasonTrendDamping {
				t.Fatalf("t=%ds: reason %s", s, r)
			}
			want = want * 9 / 10
		}
	}
	if !sameInstants(downs, []float64{5, 10, 15, 20, 25, 30, 35, 40}) {
		t.Fatalf("trend damping at %v s", downs)
	}
	if c.Interval() != want {
		t.Fatalf("interval %v, want %v", c.Interval(), want)
	}
	c.Observe(at(41), Report{UsageRatio: 0.71})
	if c.Interval() != want/2 || c.Stats().LastReason != ReasonHighPressure {
		t.Fatalf("high tier: %v %s", c.Interval(), c.Stats().LastReason)
	}
}
