package scanwindow

import (
	"testing"

	"github.com/redosim/redosim/sim"
)

// TestShrinkToFloor4950 feeds sustained pressure once a second from t = 1 s
// and checks the report at which the interval reaches its floor: 5 s for
// high, sustained and critical pressure (one step per 10 s cooldown), and
// 1 s only on the emergency path (last > 98 %, >= 3 samples, fast EMA >= 0.9).
//
// Reference: TiCDC PR #4950 (tryCriticalBrakeLocked,
// scanWindowEmergencyBrakeInterval, high and sustained pressure).
func TestShrinkToFloor4950(t *testing.T) {
	for _, tc := range []struct {
		name        string
		initial     sim.Duration
		usage       float64
		floor       sim.Duration
		wantReports int
		reason      Reason
	}{
		// x3/4 at t = 10, 20, ...; 1800 x 0.75^21 < 5 s.
		{"high from 30min", 30 * sim.Minute, 0.8, 5 * sim.Second, 210, ReasonHighPressure},
		// score reaches 3 at t = 3; x9/10 at t = 10, 20, ...; 60 x 0.9^24 < 5 s.
		{"sustained from 60s", sim.Minute, 0.6, 5 * sim.Second, 240, ReasonSustainedPressure},
		// /2 at t = 1, 11, ..., 81; 1800/2^9 < 5 s.
		{"critical from 30min", 30 * sim.Minute, 0.95, 5 * sim.Second, 81, ReasonCriticalBrake},
		// t=1 held at 5 s (one sample), then 2.5, 1.25, 1 at 11, 21, 31.
		{"emergency from 5s", 5 * sim.Second, 1, sim.Second, 31, ReasonCriticalBrake},
		// 450, 112.5, 28.125, 14.06, 7.03, 5, then 2.5, 1.25, 1 at t = 81.
		{"emergency from 30min", 30 * sim.Minute, 1, sim.Second, 81, ReasonCriticalBrake},
		// 98 % itself is not an emergency (strict >): the 5 s floor holds.
		{"98% stays at 5s", 5 * sim.Second, 0.98, 5 * sim.Second, 0, ReasonCriticalBrake},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, Config{Algorithm: Algorithm4950, InitialInterval: tc.initial})
			got := feed(c, 1, max(tc.wantReports, 1)+60, tc.usage)
			for i, d := range got {
				if i+1 < tc.wantReports && d <= tc.floor {
					t.Fatalf("report %d: interval %v reached %v early", i+1, d, tc.floor)
				}
				if i+1 >= tc.wantReports && d != tc.floor {
					t.Fatalf("report %d: interval %v, want %v", i+1, d, tc.floor)
				}
			}
			if r := c.Stats().LastChangeReason; tc.wantReports > 0 && r != tc.reason {
				t.Fatalf("last change by %s, want %s", r, tc.reason)
			}
		})
	}
}

// TestCooldowns4950 checks the decrease cooldowns: one critical brake per
// 10 s however many critical reports arrive, and high pressure only 10 s
// after the last decrease (the brake counts).
//
// Reference: TiCDC PR #4950 (scanWindowCriticalBrakeCooldown,
// scanWindowPressureAdjustCooldown).
func TestCooldowns4950(t *testing.T) {
	c := mustNew(t, Config{Algorithm: Algorithm4950, InitialInterval: 30 * sim.Minute})
	var brakes []float64
	for s := 1; s <= 35; s++ {
		c.Observe(at(float64(s)), Report{UsageRatio: 0.95})
		if c.Stats().LastReason == ReasonCriticalBrake {
			brakes = append(brakes, float64(s))
		}
	}
	if !sameInstants(brakes, []float64{1, 11, 21, 31}) {
		t.Fatalf("critical brakes at %v s", brakes)
	}

	h := mustNew(t, Config{Algorithm: Algorithm4950, InitialInterval: 30 * sim.Minute, StartTime: at(100)})
	var downs []float64
	for s := 101; s <= 135; s++ {
		before := h.Interval()
		h.Observe(at(float64(s)), Report{UsageRatio: 0.8})
		if h.Interval() < before {
			downs = append(downs, float64(s))
		}
	}
	if !sameInstants(downs, []float64{110, 120, 130}) {
		t.Fatalf("high pressure decreases at %v s (creation at 100 s)", downs)
	}
}

// TestIncreaseGate4950 checks the recovery paths from the default 5 s:
// floor recovery after 5 s of calm, then the gate (30 s since any
// adjustment, 15 s since a decrease, 10 samples over 24 s, score < 1), very
// low x3/2 and low x5/4 per step; and that a decrease blocks very low for
// 90 s (instability) so only the low path runs meanwhile.
//
// Reference: TiCDC PR #4950 (shouldRecoverFromFloorLocked,
// allowedToIncreaseLocked, scanWindowVeryLowRecoveryCooldown).
func TestIncreaseGate4950(t *testing.T) {
	for _, tc := range []struct {
		name    string
		usage   float64
		wantAt  []float64
		reasons []Reason
	}{
		{"very low", 0.05, []float64{5, 35, 65}, []Reason{ReasonFloorRecovery, ReasonVeryLowRecovery, ReasonVeryLowRecovery}},
		{"low", 0.15, []float64{5, 35, 65}, []Reason{ReasonFloorRecovery, ReasonLowRecovery, ReasonLowRecovery}},
		{"calm but not low", 0.3, []float64{5}, []Reason{ReasonFloorRecovery}},
		{"moderate: hold", 0.4, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, Config{Algorithm: Algorithm4950})
			when, reasons := increases(t, c, 1, 80, tc.usage)
			if !sameInstants(when, tc.wantAt) || !sameReasons(reasons, tc.reasons) {
				t.Fatalf("increases at %v s by %v, want %v by %v", when, reasons, tc.wantAt, tc.reasons)
			}
		})
	}

	// From 40 s, created 30 s before t = 0 so no creation cooldown is left:
	// one high report at t = 20 s cuts to 30 s and marks instability, so
	// recovery runs the low path (x5/4) until very low is allowed again at
	// t >= 110 s (x3/2, then x6/5 above 60 s).
	c := mustNew(t, Config{Algorithm: Algorithm4950, InitialInterval: 40 * sim.Second, StartTime: at(-30)})
	feed(c, 1, 19, 0.05)
	c.Observe(at(20), Report{UsageRatio: 0.8})
	if c.Interval() != 30*sim.Second {
		t.Fatalf("high report: %v, want 30s", c.Interval())
	}
	when, reasons := increases(t, c, 21, 130, 0.05)
	want := []Reason{ReasonLowRecovery, ReasonLowRecovery, ReasonVeryLowRecovery, ReasonVeryLowRecovery}
	if !sameInstants(when, []float64{51, 81, 111, 141}) || !sameReasons(reasons, want) {
		t.Fatalf("after instability: increases at %v s by %v", when, reasons)
	}
	// 30 x 5/4 x 5/4 = 46.875 s; x 3/2 = 70.3125 s; x 6/5 = 84.375 s.
	if c.Interval() != 84375*sim.Millisecond {
		t.Fatalf("after instability: interval %v, want 84.375s", c.Interval())
	}
}

// increases feeds n reports of usage once a second from t = from s and
// returns when and why the interval rose; a decrease fails the test.
func increases(t *testing.T, c *Controller, from float64, n int, usage float64) ([]float64, []Reason) {
	t.Helper()
	var when []float64
	var why []Reason
	for i := range n {
		s := from + float64(i)
		before := c.Interval()
		c.Observe(at(s), Report{UsageRatio: usage})
		switch {
		case c.Interval() < before:
			t.Fatalf("t=%vs: decreased to %v", s, c.Interval())
		case c.Interval() > before:
			when = append(when, s)
			why = append(why, c.Stats().LastReason)
		}
	}
	return when, why
}

func sameReasons(got, want []Reason) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// TestSyncPointCap4950 checks that low recovery stops at the syncpoint
// interval and very-low recovery passes it up to 30 min, with the band
// factors slowing growth above 60 s and 120 s.
//
// Reference: TiCDC PR #4950 (scanWindowLowRecoveryScale,
// scanWindowVeryLowRecoveryScale; very low uses maxScanInterval).
func TestSyncPointCap4950(t *testing.T) {
	cfg := Config{Algorithm: Algorithm4950, SyncPointInterval: sim.Minute}

	low := mustNew(t, cfg)
	feed(low, 1, 900, 0.15)
	if got := low.Interval(); got != sim.Minute {
		t.Fatalf("low usage: interval %v, want the 1m syncpoint cap", got)
	}
	veryLow := mustNew(t, cfg)
	feed(veryLow, 1, 3000, 0.05)
	if got := veryLow.Interval(); got != 30*sim.Minute {
		t.Fatalf("very low usage: interval %v, want 30m", got)
	}
	// Unlike PR #4030, the low path never pulls it back (current >= cap).
	feed(veryLow, 3001, 60, 0.15)
	if got := veryLow.Interval(); got != 30*sim.Minute {
		t.Fatalf("low usage above the cap: interval %v, want 30m kept", got)
	}

	for _, tc := range []struct {
		from, want sim.Duration
	}{
		{40 * sim.Second, 60 * sim.Second},   // x3/2
		{80 * sim.Second, 96 * sim.Second},   // x6/5
		{150 * sim.Second, 165 * sim.Second}, // x11/10
	} {
		c := mustNew(t, Config{Algorithm: Algorithm4950, InitialInterval: tc.from})
		feed(c, 1, 31, 0)
		if c.Interval() != tc.want {
			t.Errorf("very low band from %v: %v, want %v", tc.from, c.Interval(), tc.want)
		}
	}
	c := mustNew(t, Config{Algorithm: Algorithm4950, InitialInterval: 80 * sim.Second})
	feed(c, 1, 31, 0.15)
	if c.Interval() != 88*sim.Second {
		t.Errorf("low band from 80s: %v, want 88s", c.Interval())
	}
}

// TestReleaseRelieves4950 checks that a release no longer resets the
// interval but removes 2 score points per release, so moderate pressure
// that would cut the interval at t = 10 s does not while releases arrive.
//
// Reference: TiCDC PR #4950 (relievePressureLocked;
// TestUpdateMemoryUsageDoesNotResetScanIntervalOnMemoryRelease).
func TestReleaseRelieves4950(t *testing.T) {
	c := mustNew(t, Config{Algorithm: Algorithm4950, InitialInterval: 40 * sim.Second})
	c.Observe(at(1), Report{UsageRatio: 0.5, ReleaseCount: 1})
	if c.Interval() != 40*sim.Second {
		t.Fatalf("release changed the interval to %v", c.Interval())
	}

	for _, tc := range []struct {
		name     string
		releases int
		want     sim.Duration
		score    float64
	}{
		{"no release", 0, 36 * sim.Second, 8},
		{"one release a report", 1, 40 * sim.Second, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, Config{Algorithm: Algorithm4950, InitialInterval: 40 * sim.Second})
			for s := 1; s <= 12; s++ {
				c.Observe(at(float64(s)), Report{UsageRatio: 0.6, ReleaseCount: tc.releases})
			}
			st := c.Stats()
			if c.Interval() != tc.want || st.PressureScore != tc.score {
				t.Fatalf("interval %v score %v, want %v and %v", c.Interval(), st.PressureScore, tc.want, tc.score)
			}
		})
	}
}

// TestCriticalSkipsScore4950 pins a reading of PR #4950: when the critical
// brake fires the report ends there, so neither the score nor a release's
// relief is applied for that report.
//
// Reference: TiCDC PR #4950 (OnCongestionReport returns after
// tryCriticalBrakeLocked, before updatePressureScoreLocked).
func TestCriticalSkipsScore4950(t *testing.T) {
	c := mustNew(t, Config{Algorithm: Algorithm4950})
	c.Observe(at(1), Report{UsageRatio: 0.8})
	c.Observe(at(2), Report{UsageRatio: 0.8})
	if got := c.Stats().PressureScore; got != 4 {
		t.Fatalf("score %v, want 4", got)
	}
	c.Observe(at(3), Report{UsageRatio: 0.95, ReleaseCount: 3})
	if st := c.Stats(); st.LastReason != ReasonCriticalBrake || st.PressureScore != 4 {
		t.Fatalf("%s score %v, want critical_brake and 4", st.LastReason, st.PressureScore)
	}
}
