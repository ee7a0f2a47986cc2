package scanwindow

import (
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/redosim/redosim/sim"
)

// propertySeed fixes the generated worlds; change it only on purpose.
const propertySeed = 4950

// run is a stretch of identical reports: the generator's element. Usage is
// drawn in [0, 1.5] or from the algorithms' thresholds; gaps vary in
// [0.5 s, 2 s] from report to report; a release, if any, rides on the first.
type run struct {
	Usage    float64
	Releases int
	Repeat   int
	GapMs    int64
	JitterMs int64
}

// gap returns the spacing before the k-th report of the run, in [0.5 s, 2 s].
func (r run) gap(k int) sim.Duration {
	ms := 500 + (r.GapMs-500+int64(k)*r.JitterMs)%1501
	return sim.Duration(ms) * sim.Millisecond
}

func genRun() gopter.Gen {
	usage := gen.OneGenOf(
		gen.Float64Range(0, 1.5),
		gen.OneConstOf(0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.35, 0.55, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 0.98, 1.0),
	)
	return gopter.CombineGens(
		usage,
		gen.IntRange(0, 29), // releases: 0 with 90 %, else 1..3
		gen.IntRange(1, 60), // repeat
		gen.Int64Range(500, 2000),
		gen.Int64Range(0, 1500),
	).Map(func(v []any) run {
		return run{
			Usage:    v[0].(float64),
			Releases: max(0, v[1].(int)-26),
			Repeat:   v[2].(int),
			GapMs:    v[3].(int64),
			JitterMs: v[4].(int64),
		}
	})
}

// world is one generated case: an algorithm configuration and the runs.
// UsageScale multiplies every run's usage: a third of the worlds are calm
// (usage x 0.15, so mostly below 20 %), long enough to grow past the
// syncpoint cap.
type world struct {
	SyncPoint  sim.Duration
	UsageScale float64
	Runs       []run
}

func genWorld() gopter.Gen {
	return gopter.CombineGens(
		gen.OneConstOf(sim.Duration(0), 30*sim.Second, sim.Minute, 10*sim.Minute),
		gen.OneConstOf(1.0, 1.0, 0.15),
		gen.SliceOf(genRun(), reflect.TypeOf(run{})),
	).Map(func(v []any) world {
		return world{SyncPoint: v[0].(sim.Duration), UsageScale: v[1].(float64), Runs: v[2].([]run)}
	})
}

// step is one report as the checks see it.
type step struct {
	now              sim.Instant
	usage            float64 // normalised
	releases         int
	before, after    sim.Duration
	reason           Reason
	recentUsageMaxed float64 // max normalised usage over the last window, this report included
}

// replay feeds w to a fresh controller and calls check after every report;
// check returns "" or what went wrong.
func replay(cfg Config, w world, check func(c *Controller, s step) string) string {
	cfg.SyncPointInterval = w.SyncPoint
	c, err := New(cfg)
	if err != nil {
		return err.Error()
	}
	var hist []usageSample
	now := cfg.StartTime
	for _, r := range w.Runs {
		for k := range r.Repeat {
			now = now.Add(r.gap(k))
			rel := 0
			if k == 0 {
				rel = r.Releases
			}
			usage := r.Usage * w.UsageScale
			s := step{now: now, usage: normalizeUsage(usage), releases: rel, before: c.Interval()}
			c.Observe(now, Report{UsageRatio: usage, ReleaseCount: rel})
			s.after, s.reason = c.Interval(), c.Stats().LastReason
			hist = append(hist, usageSample{at: now, ratio: s.usage})
			for i := len(hist) - 1; i >= 0 && hist[i].at >= now.Add(-c.cfg.WindowDuration); i-- {
				s.recentUsageMaxed = max(s.recentUsageMaxed, hist[i].ratio)
			}
			if msg := check(c, s); msg != "" {
				return fmt.Sprintf("t=%v usage=%.3f releases=%d: %s", now, s.usage, rel, msg)
			}
		}
	}
	return ""
}

// checkBounds: the interval stays within [MinInterval, MaxInterval], and it
// passes the normal cap (the syncpoint interval) only by a very-low step.
func checkBounds(c *Controller, s step) string {
	cfg := c.cfg
	if s.after < cfg.MinInterval || s.after > cfg.MaxInterval {
		return fmt.Sprintf("interval %v outside [%v, %v]", s.after, cfg.MinInterval, cfg.MaxInterval)
	}
	if s.after > s.before && s.after > cfg.normalMax() && s.reason != ReasonVeryLowRecovery {
		return fmt.Sprintf("rose to %v above the cap %v by %s", s.after, cfg.normalMax(), s.reason)
	}
	return ""
}

// decreaseFloor is the usage some report in the last window must exceed
// for a decrease. PR #4030: its lowest decrease tier is last > 0.3 (trend).
// PR #4950: its lowest is an EMA or average >= 0.55; with >= 16 samples in a
// 30 s window (gaps <= 2 s) all <= 0.5 the slow EMA stays <= 0.5 + 0.5 x
// 0.8^16 < 0.51, so some recent report must exceed 0.5.
func decreaseFloor(a Algorithm) float64 {
	if a == Algorithm4030 {
		return 0.3
	}
	return 0.5
}

// checkDecrease: the interval falls only under recent high usage, except
// PR #4030's release reset and its cap clamp (see ReasonCapClamp).
func checkDecrease(c *Controller, s step) string {
	if s.after >= s.before {
		return ""
	}
	if c.cfg.Algorithm == Algorithm4030 {
		if s.releases > 0 && s.reason == ReasonReleaseReset {
			return ""
		}
		if s.reason == ReasonCapClamp && s.after == c.cfg.normalMax() {
			return ""
		}
	}
	if floor := decreaseFloor(c.cfg.Algorithm); s.recentUsageMaxed <= floor {
		return fmt.Sprintf("fell %v -> %v by %s with window max usage %.3f <= %.2f",
			s.before, s.after, s.reason, s.recentUsageMaxed, floor)
	}
	return ""
}

func checkAll(c *Controller, s step) string {
	if msg := checkBounds(c, s); msg != "" {
		return msg
	}
	return checkDecrease(c, s)
}

func propertyParams() *gopter.TestParameters {
	p := gopter.DefaultTestParametersWithSeed(propertySeed)
	p.Workers = 1
	p.MinSuccessfulTests = 300
	p.MinSize, p.MaxSize = 1, 60
	p.MaxShrinkCount = 200
	return p
}

// TestProperties checks, for generated report sequences, the bounds and
// decrease properties of both algorithms and that none never caps.
//
// Reference: TiCDC PR #4030 and PR #4950 (scan_window.go); PR #5395 (off).
func TestProperties(t *testing.T) {
	props := gopter.NewProperties(propertyParams())
	hits := map[Algorithm]map[Reason]int{Algorithm4030: {}, Algorithm4950: {}}
	for _, alg := range []Algorithm{Algorithm4030, Algorithm4950} {
		props.Property(string(alg)+": bounds and decreases", prop.ForAll(func(w world) string {
			return replay(Config{Algorithm: alg}, w, func(c *Controller, s step) string {
				if s.after != s.before {
					hits[alg][s.reason]++
				}
				return checkAll(c, s)
			})
		}, genWorld()))
	}
	props.Property("none never caps", prop.ForAll(func(w world) string {
		return replay(Config{Algorithm: AlgorithmNone}, w, func(c *Controller, s step) string {
			if c.Interval() != 0 || c.ScanMaxTs(uint64(s.now)<<18|1) != math.MaxUint64 {
				return fmt.Sprintf("capped: interval %v", c.Interval())
			}
			return ""
		})
	}, genWorld()))
	props.Property("same reports, same intervals", prop.ForAll(func(w world) string {
		var a, b []sim.Duration
		replay(Config{Algorithm: Algorithm4950}, w, func(c *Controller, s step) string { a = append(a, s.after); return "" })
		replay(Config{Algorithm: Algorithm4950}, w, func(c *Controller, s step) string { b = append(b, s.after); return "" })
		if !reflect.DeepEqual(a, b) {
			return "two replays differ"
		}
		return ""
	}, genWorld()))
	props.TestingRun(t)

	// The generated worlds must reach every branch that moves the
	// interval, or the properties above would hold vacuously.
	for _, tc := range []struct {
		alg     Algorithm
		reasons []Reason
	}{
		{Algorithm4030, []Reason{ReasonReleaseReset, ReasonCriticalBrake, ReasonHighPressure, ReasonTrendDamping,
			ReasonVeryLowRecovery, ReasonLowRecovery, ReasonCapClamp}},
		{Algorithm4950, []Reason{ReasonCriticalBrake, ReasonHighPressure, ReasonSustainedPressure,
			ReasonFloorRecovery, ReasonVeryLowRecovery, ReasonLowRecovery}},
	} {
		for _, r := range tc.reasons {
			if hits[tc.alg][r] == 0 {
				t.Errorf("%s: no generated world changed the interval by %s", tc.alg, r)
			}
		}
		t.Logf("%s: changes by reason %v", tc.alg, hits[tc.alg])
	}
}

// TestPlantedBugCaught drops the MinInterval clamp (an unexported knob) and
// shows the bounds property fails for each algorithm: the checker can see
// the bug it exists for.
//
// Reference: TiCDC PR #4030 (max(current/4, minScanInterval)) and PR #4950
// (emergency path max(current/2, minScanInterval)).
func TestPlantedBugCaught(t *testing.T) {
	for _, alg := range []Algorithm{Algorithm4030, Algorithm4950} {
		t.Run(string(alg), func(t *testing.T) {
			p := prop.ForAll(func(w world) string {
				return replay(Config{Algorithm: alg, noLowerClamp: true}, w, checkBounds)
			}, genWorld())
			res := p.Check(propertyParams())
			if res.Passed() {
				t.Fatalf("bounds property passed %d cases with the lower clamp dropped", res.Succeeded)
			}
			t.Logf("caught after %d cases: %v", res.Succeeded, res.Args)
		})
	}
}
