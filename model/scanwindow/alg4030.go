package scanwindow

import "github.com/redosim/redosim/sim"

// policy4030 is the tiered controller of TiCDC PR #4030
// (changefeedStatus.updateMemoryUsage and adjustScanInterval at commit
// 2e6aabd14): "fast brake, slow accelerate". Per report, in priority order:
//
//	release > 0           interval = InitialInterval, window cleared
//	last or max > 0.9     interval / 4     (>= MinInterval)
//	last or max > 0.7     interval / 2     (>= MinInterval)
//	last > 0.3, rising    interval x 9/10  (>= MinInterval; 5 s trend cooldown)
//	max, avg < 0.1        interval x 3/2   (<= MaxInterval, may pass the syncpoint cap)
//	max, avg < 0.2        interval x 5/4   (<= normal cap)
//
// The last two need the increase gate: IncreaseCooldown since the last
// adjustment, IncreaseSamplesMin samples spanning IncreaseSpanMin, and not
// (last > 0.3 and rising). Decreases are immediate.
type policy4030 struct {
	cfg *Config
	p   *Params4030
	win usageWindow
	// lastAdjust is when the interval last changed (or was reset);
	// lastTrend when the trend tier last changed it.
	lastAdjust, lastTrend sim.Instant
	// usage is the window at the last report.
	usage WindowStats
}

// new4030 starts both clocks at creation, as newChangefeedStatus does in
// PR #4030, so the first increase waits IncreaseCooldown.
func new4030(cfg *Config) *policy4030 {
	return &policy4030{
		cfg:        cfg,
		p:          &cfg.V4030,
		win:        newUsageWindow(cfg.WindowDuration, cfg.WindowSamplesMax),
		lastAdjust: cfg.StartTime,
		lastTrend:  cfg.StartTime,
	}
}

func (a *policy4030) decide(now sim.Instant, current sim.Duration, usage float64, releases int) decision {
	if releases > 0 {
		// Reference: TiCDC PR #4030 resetScanIntervalToDefault. Both clocks
		// restart even when the interval already is the default, and the
		// report becomes the only sample of a fresh window.
		a.lastAdjust, a.lastTrend = now, now
		a.win.reset()
		a.win.add(now, usage)
		a.usage = a.win.stats(now)
		return decision{interval: a.cfg.InitialInterval, reason: ReasonReleaseReset}
	}
	a.win.add(now, usage)
	u := a.win.stats(now)
	a.usage = u
	next, reason := a.tier(now, current, u)
	if next > current && !a.allowedToIncrease(now, u) {
		// Unreachable with validated scales (the increase tiers already
		// require the gate); kept as PR #4030's anti-oscillation guard.
		return decision{interval: current, reason: ReasonNone}
	}
	if next != current {
		a.lastAdjust = now
		if reason == ReasonTrendDamping {
			a.lastTrend = now
		}
	}
	return decision{interval: next, reason: reason}
}

// rising reports whether usage grew by more than TrendEpsilon across the
// window and whether the last sample is above TrendStartRatio.
func (a *policy4030) rising(u WindowStats) (rising, aboveTrend bool) {
	rising = u.Count >= a.p.TrendSamplesMin && u.Last-u.First > a.p.TrendEpsilon
	return rising, u.Last > a.p.TrendStartRatio
}

// allowedToIncrease is PR #4030's increase gate.
func (a *policy4030) allowedToIncrease(now sim.Instant, u WindowStats) bool {
	rising, aboveTrend := a.rising(u)
	return now.Sub(a.lastAdjust) >= a.cfg.IncreaseCooldown &&
		u.Count >= a.cfg.IncreaseSamplesMin &&
		u.Span >= a.cfg.IncreaseSpanMin &&
		!(aboveTrend && rising)
}

// tier picks the first tier that applies and the interval it proposes.
func (a *policy4030) tier(now sim.Instant, current sim.Duration, u WindowStats) (sim.Duration, Reason) {
	p := a.p
	rising, aboveTrend := a.rising(u)
	allowed := a.allowedToIncrease(now, u)
	switch {
	case u.Last > p.CriticalRatio || u.Max > p.CriticalRatio:
		return a.cfg.lowerClamp(p.CriticalScale.Apply(current)), ReasonCriticalBrake
	case u.Last > p.HighRatio || u.Max > p.HighRatio:
		return a.cfg.lowerClamp(p.HighScale.Apply(current)), ReasonHighPressure
	case aboveTrend && rising && now.Sub(a.lastTrend) >= p.TrendCooldown:
		return a.cfg.lowerClamp(p.TrendScale.Apply(current)), ReasonTrendDamping
	case allowed && u.Max < p.VeryLowRatio && u.Avg < p.VeryLowRatio:
		// Reference: TiCDC PR #4030 lets this tier exceed the syncpoint cap,
		// up to MaxInterval (30 min).
		return min(p.VeryLowScale.Apply(current), a.cfg.MaxInterval), ReasonVeryLowRecovery
	case allowed && u.Max < p.LowRatio && u.Avg < p.LowRatio:
		next := min(p.LowScale.Apply(current), a.cfg.normalMax())
		if next < current {
			// Reading of PR #4030: newInterval = min(current x 5/4,
			// maxInterval) is stored whenever it differs from current, so an
			// interval lifted above the syncpoint cap by the very-low tier
			// drops back to the cap once usage sits in [0.1, 0.2).
			return next, ReasonCapClamp
		}
		return next, ReasonLowRecovery
	}
	return current, ReasonNone
}

func (a *policy4030) observe(st *Stats) {
	st.Window = a.usage
	st.WindowDropped = a.win.dropped
}
