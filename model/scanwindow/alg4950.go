package scanwindow

import "github.com/redosim/redosim/sim"

// policy4950 is the controller of TiCDC PR #4950
// (adaptiveScanWindowController.OnCongestionReport at commit a706358ec).
// Per report, in order (defaults shown; "floor" is FloorInterval, 5 s):
//
//  1. add the sample; update the EMAs (fast 0.4, slow 0.2; the first sample
//     sets both).
//  2. critical brake, at most once per 10 s: last > 0.98 takes the emergency
//     brake (below the floor toward MinInterval only with >= 3 samples and
//     fast EMA >= 0.9); last > 0.9 halves down to the floor. Both end the
//     report, before the score is touched.
//  3. pressure score: +2 high, +1 moderate, -1.5 calm, -0.5 otherwise, in
//     [0, 8]; then -2 per memory release.
//  4. high pressure (10 s since the last decrease): x 3/4, floored.
//  5. sustained pressure (same cooldown, score >= 3): x 9/10, floored.
//  6. floor recovery (interval <= floor, calm, 5 s cooldowns): x 5/4.
//  7. increase gate: 30 s since any adjustment, 15 s since a decrease,
//     >= 10 samples spanning >= 24 s, score < 1.
//  8. very low (90 s since instability): x 3/2, 6/5, 11/10 by band, <= MaxInterval.
//  9. low (interval below the normal cap): x 5/4, 11/10, 21/20 by band, <= cap.
//
// No decrease goes below the floor except the emergency path, and a
// decrease never raises an interval that already is below the floor.
type policy4950 struct {
	cfg *Config
	p   *Params4950
	win usageWindow
	// usage is the window at the last report.
	usage WindowStats

	lastAdjust, lastDown sim.Instant
	// lastCritical and lastInstability are valid only when their flag is
	// set; TiCDC starts them at the zero time.Time, "long ago".
	lastCritical, lastInstability sim.Instant
	hasCritical, hasInstability   bool

	fastEMA, slowEMA float64
	emaInitialized   bool
	score            float64
}

// new4950 starts lastAdjust and lastDown at creation, as
// newAdaptiveScanWindowController(now) does in PR #4950: no pressure
// decrease in the first PressureCooldown, no normal increase in the first
// IncreaseCooldown; floor recovery may fire after FloorRecoveryCooldown.
func new4950(cfg *Config) *policy4950 {
	return &policy4950{
		cfg:        cfg,
		p:          &cfg.V4950,
		win:        newUsageWindow(cfg.WindowDuration, cfg.WindowSamplesMax),
		lastAdjust: cfg.StartTime,
		lastDown:   cfg.StartTime,
	}
}

func (a *policy4950) decide(now sim.Instant, current sim.Duration, usage float64, releases int) decision {
	p := a.p
	a.win.add(now, usage)
	u := a.win.stats(now)
	a.usage = u
	a.updateEMA(usage)

	if d, ok := a.criticalBrake(now, current, u); ok {
		return d
	}
	a.updateScore(u)
	if releases > 0 {
		// Reference: TiCDC PR #4950 relievePressureLocked: a release no
		// longer resets the interval; it only clears pressure score.
		a.score = max(0, a.score-min(float64(releases)*p.ReliefPerRelease, p.ScoreCeiling))
	}
	if a.pressureCooledDown(now) && a.highPressure(u) {
		a.note(now, true)
		return decision{interval: a.pressureInterval(current, p.HighScale), reason: ReasonHighPressure}
	}
	if a.pressureCooledDown(now) && a.score >= p.SustainedScore && a.moderatePressure(u) {
		a.note(now, true)
		return decision{interval: a.pressureInterval(current, p.SustainedScale), reason: ReasonSustainedPressure}
	}
	if a.floorRecoveryAllowed(now, current, u) {
		if next := min(p.FloorRecoveryScale.Apply(current), a.cfg.normalMax()); next > current {
			a.note(now, false)
			return decision{interval: next, reason: ReasonFloorRecovery}
		}
	}
	if !a.allowedToIncrease(now, u) {
		return decision{interval: current, reason: ReasonNone}
	}
	if a.veryLow(u) && (!a.hasInstability || now.Sub(a.lastInstability) >= p.VeryLowCooldown) {
		// Reference: TiCDC PR #4950 keeps PR #4030's exception: this path is
		// capped by MaxInterval (30 min), not by the syncpoint interval.
		next := min(a.band(current, &p.VeryLowScales).Apply(current), a.cfg.MaxInterval)
		if next > current {
			a.note(now, false)
			return decision{interval: next, reason: ReasonVeryLowRecovery}
		}
	}
	if capped := a.cfg.normalMax(); current < capped && a.low(u) {
		if next := min(a.band(current, &p.LowScales).Apply(current), capped); next > current {
			a.note(now, false)
			return decision{interval: next, reason: ReasonLowRecovery}
		}
	}
	return decision{interval: current, reason: ReasonNone}
}

func (a *policy4950) updateEMA(v float64) {
	if !a.emaInitialized {
		a.fastEMA, a.slowEMA, a.emaInitialized = v, v, true
		return
	}
	a.fastEMA += a.p.FastAlpha * (v - a.fastEMA)
	a.slowEMA += a.p.SlowAlpha * (v - a.slowEMA)
}

// criticalBrake is step 2. Reference: TiCDC PR #4950 tryCriticalBrakeLocked.
// It fires (and restarts every cooldown) even when the interval cannot move.
func (a *policy4950) criticalBrake(now sim.Instant, current sim.Duration, u WindowStats) (decision, bool) {
	p := a.p
	if a.hasCritical && now.Sub(a.lastCritical) < p.CriticalCooldown {
		return decision{}, false
	}
	var next sim.Duration
	switch {
	case u.Last > p.EmergencyRatio:
		next = a.emergencyInterval(current, a.emergencyUnlocked(current, u))
	case u.Last > p.CriticalRatio:
		next = a.pressureInterval(current, p.CriticalScale)
	default:
		return decision{}, false
	}
	a.lastCritical, a.hasCritical = now, true
	a.note(now, true)
	return decision{interval: next, reason: ReasonCriticalBrake}, true
}

// emergencyUnlocked reports whether the emergency brake may go below the
// floor: the interval is at or below it, and the pressure has lasted.
func (a *policy4950) emergencyUnlocked(current sim.Duration, u WindowStats) bool {
	return current <= a.p.FloorInterval &&
		u.Count >= a.p.EmergencyUnlockSamples &&
		a.fastEMA >= a.p.EmergencyUnlockFastEMA
}

// emergencyInterval is scanWindowEmergencyBrakeInterval: halve toward
// MinInterval when unlocked; halve down to the floor up to
// EmergencyModerateMax (30 s); above it quarter down to EmergencyPlateau
// (15 s), which keeps the brake continuous at 30 s.
func (a *policy4950) emergencyInterval(current sim.Duration, unlocked bool) sim.Duration {
	p := a.p
	if current <= p.FloorInterval && unlocked {
		return a.cfg.lowerClamp(p.CriticalScale.Apply(current))
	}
	if current <= p.EmergencyModerateMax {
		return a.pressureInterval(current, p.CriticalScale)
	}
	return max(p.EmergencyStrongScale.Apply(current), p.EmergencyPlateau)
}

// pressureInterval is min(current, max(current x s, floor)): a decrease
// floored at FloorInterval that never raises an interval already below it.
func (a *policy4950) pressureInterval(current sim.Duration, s Scale) sim.Duration {
	return min(current, max(s.Apply(current), a.p.FloorInterval))
}

// updateScore is step 3's first half (updatePressureScoreLocked).
func (a *policy4950) updateScore(u WindowStats) {
	p := a.p
	switch {
	case a.highPressure(u):
		a.score = min(a.score+p.ScoreHighStep, p.ScoreCeiling)
	case a.moderatePressure(u):
		a.score = min(a.score+p.ScoreModerateStep, p.ScoreCeiling)
	case a.fastEMA < p.CalmFastEMA && a.slowEMA < p.CalmSlowEMA && u.Last < p.CalmLast:
		a.score = max(0, a.score-p.ScoreCalmDecay)
	default:
		a.score = max(0, a.score-p.ScoreIdleDecay)
	}
}

func (a *policy4950) highPressure(u WindowStats) bool {
	return a.fastEMA >= a.p.HighEMARatio || a.slowEMA >= a.p.HighEMARatio || u.Last >= a.p.HighRatio
}

func (a *policy4950) moderatePressure(u WindowStats) bool {
	m := a.p.ModerateRatio
	return a.fastEMA >= m || a.slowEMA >= m || u.Avg >= m
}

func (a *policy4950) pressureCooledDown(now sim.Instant) bool {
	return now.Sub(a.lastDown) >= a.p.PressureCooldown
}

// floorRecoveryAllowed is step 6's condition (shouldRecoverFromFloorLocked).
func (a *policy4950) floorRecoveryAllowed(now sim.Instant, current sim.Duration, u WindowStats) bool {
	p := a.p
	if current > p.FloorInterval ||
		now.Sub(a.lastAdjust) < p.FloorRecoveryCooldown ||
		now.Sub(a.lastDown) < p.FloorRecoveryCooldown ||
		u.Count < p.FloorRecoverySamples {
		return false
	}
	return u.Last < p.FloorRecoveryLast &&
		u.Avg < p.FloorRecoveryAvg &&
		a.fastEMA < p.FloorRecoveryFastEMA &&
		a.slowEMA < p.FloorRecoverySlowEMA &&
		a.score < p.FloorRecoveryScore
}

// allowedToIncrease is step 7 (allowedToIncreaseLocked).
func (a *policy4950) allowedToIncrease(now sim.Instant, u WindowStats) bool {
	return now.Sub(a.lastAdjust) >= a.cfg.IncreaseCooldown &&
		now.Sub(a.lastDown) >= a.p.DownRecoveryCooldown &&
		u.Count >= a.cfg.IncreaseSamplesMin &&
		u.Span >= a.cfg.IncreaseSpanMin &&
		a.score < a.p.IncreaseScoreMax
}

func (a *policy4950) veryLow(u WindowStats) bool {
	r := a.p.VeryLowRatio
	return u.Max < r && u.Avg < r && a.fastEMA < r && a.slowEMA < r
}

func (a *policy4950) low(u WindowStats) bool {
	p := a.p
	return u.Max < p.LowRatio && u.Avg < p.LowRatio &&
		a.fastEMA < p.LowRatio+p.LowFastEMAOffset &&
		a.slowEMA < p.LowRatio+p.LowSlowEMAOffset
}

// band picks the factor for current's speed band: small below BandMid, mid
// below BandLarge, large from BandLarge on.
func (a *policy4950) band(current sim.Duration, scales *[3]Scale) Scale {
	switch {
	case current >= a.p.BandLarge:
		return scales[2]
	case current >= a.p.BandMid:
		return scales[1]
	}
	return scales[0]
}

// note records an adjustment decision (noteAdjustmentLocked); a downward
// one also counts as instability.
func (a *policy4950) note(now sim.Instant, down bool) {
	a.lastAdjust = now
	if down {
		a.lastDown = now
		a.lastInstability, a.hasInstability = now, true
	}
}

func (a *policy4950) observe(st *Stats) {
	st.Window = a.usage
	st.WindowDropped = a.win.dropped
	st.FastEMA, st.SlowEMA, st.PressureScore = a.fastEMA, a.slowEMA, a.score
}
