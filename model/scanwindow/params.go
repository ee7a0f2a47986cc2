package scanwindow

import "github.com/redosim/redosim/sim"

// Params4030 holds the knobs of Algorithm4030 (TiCDC PR #4030,
// pkg/eventservice/scan_window.go at commit 2e6aabd14). A usage is a ratio of
// used to quota in [0, 1]; every zero field takes the default shown. Bounds:
// ratios in (0, 2] (1 or more never fires); durations and counts > 0;
// scales Num/Den in [1, 1000], below 1 for decreases and above 1 for increases.
type Params4030 struct {
	// CriticalRatio: when the last or the window's max usage is above it the
	// interval is scaled by CriticalScale. Default 0.9.
	CriticalRatio float64
	// CriticalScale is the critical tier's factor, floored at MinInterval.
	// Default 1/4.
	CriticalScale Scale
	// HighRatio: when the last or max usage is above it (and not critical)
	// the interval is scaled by HighScale. Default 0.7.
	HighRatio float64
	// HighScale is the high tier's factor, floored at MinInterval. Default 1/2.
	HighScale Scale
	// TrendStartRatio: a rising usage whose last sample is above it damps the
	// interval by TrendScale and blocks increases. Default 0.3.
	TrendStartRatio float64
	// TrendEpsilon is how much last must exceed first for "rising". Default 0.02.
	TrendEpsilon float64
	// TrendSamplesMin is the samples needed to call a trend. Default 4.
	TrendSamplesMin int
	// TrendCooldown is the time between trend damping steps. Default 5 s.
	TrendCooldown sim.Duration
	// TrendScale is the trend tier's factor, floored at MinInterval. Default 9/10.
	TrendScale Scale
	// VeryLowRatio: when max and average usage are below it (and increases
	// are allowed) the interval is scaled by VeryLowScale up to MaxInterval,
	// which may exceed the syncpoint cap. Default 0.1.
	VeryLowRatio float64
	// VeryLowScale is the very-low tier's factor. Default 3/2.
	VeryLowScale Scale
	// LowRatio: when max and average usage are below it (and increases are
	// allowed) the interval is scaled by LowScale up to the normal cap.
	// Default 0.2.
	LowRatio float64
	// LowScale is the low tier's factor. Default 5/4.
	LowScale Scale
}

func (p *Params4030) fill() {
	defFloat(&p.CriticalRatio, 0.9)
	defScale(&p.CriticalScale, Scale{1, 4})
	defFloat(&p.HighRatio, 0.7)
	defScale(&p.HighScale, Scale{1, 2})
	defFloat(&p.TrendStartRatio, 0.3)
	defFloat(&p.TrendEpsilon, 0.02)
	defInt(&p.TrendSamplesMin, 4)
	defDuration(&p.TrendCooldown, 5*sim.Second)
	defScale(&p.TrendScale, Scale{9, 10})
	defFloat(&p.VeryLowRatio, 0.1)
	defScale(&p.VeryLowScale, Scale{3, 2})
	defFloat(&p.LowRatio, 0.2)
	defScale(&p.LowScale, Scale{5, 4})
}

func (p *Params4030) check(check checkFunc) {
	checkRatio(check, "v4030 critical ratio", p.CriticalRatio)
	checkRatio(check, "v4030 high ratio", p.HighRatio)
	checkRatio(check, "v4030 trend start ratio", p.TrendStartRatio)
	checkRatio(check, "v4030 trend epsilon", p.TrendEpsilon)
	checkRatio(check, "v4030 very low ratio", p.VeryLowRatio)
	checkRatio(check, "v4030 low ratio", p.LowRatio)
	check(p.TrendSamplesMin >= 1, "v4030 trend samples min %d < 1", p.TrendSamplesMin)
	check(p.TrendCooldown > 0, "v4030 trend cooldown %v <= 0", p.TrendCooldown)
	checkScaleDown(check, "v4030 critical scale", p.CriticalScale)
	checkScaleDown(check, "v4030 high scale", p.HighScale)
	checkScaleDown(check, "v4030 trend scale", p.TrendScale)
	checkScaleUp(check, "v4030 very low scale", p.VeryLowScale)
	checkScaleUp(check, "v4030 low scale", p.LowScale)
}

// Params4950 holds the knobs of Algorithm4950 (TiCDC PR #4950,
// pkg/eventservice/scan_window.go at commit a706358ec). "fast" and "slow"
// are the two EMAs of the reported usage; "score" is the pressure score.
// Every zero field takes the default shown. Bounds as for Params4030; EMA
// weights in (0, 1]; score steps and bounds > 0; BandMid <= BandLarge.
type Params4950 struct {
	// FloorInterval is the floor of every non-emergency decrease and the
	// ceiling of floor recovery (defaultScanInterval). Default 5 s.
	FloorInterval sim.Duration
	// FastAlpha is the fast EMA's weight of a new sample. Default 0.4.
	FastAlpha float64
	// SlowAlpha is the slow EMA's weight of a new sample. Default 0.2.
	SlowAlpha float64

	// EmergencyRatio: a last usage above it takes the emergency brake.
	// Default 0.98.
	EmergencyRatio float64
	// CriticalRatio: a last usage above it (not emergency) halves the
	// interval down to FloorInterval. It is also the fast EMA that unlocks
	// the emergency path below the floor (EmergencyUnlockFastEMA). Default 0.9.
	CriticalRatio float64
	// CriticalCooldown is the time between two critical brakes. Default 10 s.
	CriticalCooldown sim.Duration
	// CriticalScale is the factor of the critical and emergency brakes on
	// windows up to EmergencyModerateMax. Default 1/2.
	CriticalScale Scale
	// EmergencyUnlockSamples is the samples needed before an emergency may
	// go below FloorInterval toward MinInterval. Default 3.
	EmergencyUnlockSamples int
	// EmergencyUnlockFastEMA is the fast EMA needed for the same. Default 0.9.
	EmergencyUnlockFastEMA float64
	// EmergencyModerateMax is the largest interval the emergency brake only
	// halves (6 x defaultScanInterval). Default 30 s.
	EmergencyModerateMax sim.Duration
	// EmergencyStrongScale is the emergency factor above
	// EmergencyModerateMax. Default 1/4.
	EmergencyStrongScale Scale
	// EmergencyPlateau is the floor of the strong emergency brake
	// (3 x defaultScanInterval). Default 15 s.
	EmergencyPlateau sim.Duration

	// HighRatio: a last usage at or above it is high pressure. Default 0.7.
	HighRatio float64
	// HighEMARatio: a fast or slow EMA at or above it is high pressure.
	// Default 0.75.
	HighEMARatio float64
	// ModerateRatio: a fast EMA, slow EMA or window average at or above it is
	// moderate pressure. Default 0.55.
	ModerateRatio float64
	// PressureCooldown is the time since the last decrease before a high or
	// sustained pressure decrease. Default 10 s.
	PressureCooldown sim.Duration
	// HighScale is the high-pressure factor, floored at FloorInterval.
	// Default 3/4.
	HighScale Scale
	// SustainedScore is the score from which moderate pressure decreases.
	// Default 3.
	SustainedScore float64
	// SustainedScale is the sustained-pressure factor, floored at
	// FloorInterval. Default 9/10.
	SustainedScale Scale

	// ScoreHighStep is added to the score under high pressure. Default 2.
	ScoreHighStep float64
	// ScoreModerateStep is added under moderate pressure. Default 1.
	ScoreModerateStep float64
	// CalmFastEMA, CalmSlowEMA and CalmLast: below all three the score decays
	// by ScoreCalmDecay, otherwise by ScoreIdleDecay. Defaults 0.30, 0.25, 0.30.
	CalmFastEMA, CalmSlowEMA, CalmLast float64
	// ScoreCalmDecay is the calm decay. Default 1.5.
	ScoreCalmDecay float64
	// ScoreIdleDecay is the decay when neither pressured nor calm. Default 0.5.
	ScoreIdleDecay float64
	// ScoreCeiling bounds the score (and the relief of one report). Default 8.
	ScoreCeiling float64
	// ReliefPerRelease is the score removed per memory release. Default 2.
	ReliefPerRelease float64

	// FloorRecoveryCooldown is the time since the last adjustment and since
	// the last decrease before floor recovery. Default 5 s.
	FloorRecoveryCooldown sim.Duration
	// FloorRecoverySamples is the samples needed for floor recovery. Default 3.
	FloorRecoverySamples int
	// FloorRecoveryLast, FloorRecoveryAvg, FloorRecoveryFastEMA,
	// FloorRecoverySlowEMA and FloorRecoveryScore are strict upper bounds of
	// last usage, window average, fast EMA, slow EMA and score for floor
	// recovery. Defaults 0.35, 0.55, 0.45, 0.40, 1.5.
	FloorRecoveryLast, FloorRecoveryAvg, FloorRecoveryFastEMA, FloorRecoverySlowEMA, FloorRecoveryScore float64
	// FloorRecoveryScale is the floor recovery factor, capped at the normal
	// cap. Default 5/4.
	FloorRecoveryScale Scale

	// DownRecoveryCooldown is the time since the last decrease before a
	// normal increase (scanWindowReleaseRecoveryCooldown). Default 15 s.
	DownRecoveryCooldown sim.Duration
	// IncreaseScoreMax is the strict upper bound of the score for a normal
	// increase. Default 1.
	IncreaseScoreMax float64
	// VeryLowRatio: max, average and both EMAs below it is very low pressure.
	// Default 0.1.
	VeryLowRatio float64
	// VeryLowCooldown is the time since the last instability (any decrease)
	// before a very-low increase. Default 90 s.
	VeryLowCooldown sim.Duration
	// LowRatio: max and average below it, fast EMA below it plus
	// LowFastEMAOffset and slow EMA below it plus LowSlowEMAOffset is low
	// pressure. Defaults 0.2, 0.03, 0.02.
	LowRatio, LowFastEMAOffset, LowSlowEMAOffset float64
	// BandMid and BandLarge split intervals into small, mid and large speed
	// bands. Defaults 60 s and 120 s.
	BandMid, BandLarge sim.Duration
	// VeryLowScales are the very-low factors for the small, mid and large
	// bands, capped at MaxInterval. Default 3/2, 6/5, 11/10.
	VeryLowScales [3]Scale
	// LowScales are the low factors per band, capped at the normal cap.
	// Default 5/4, 11/10, 21/20.
	LowScales [3]Scale
}

func (p *Params4950) fill() {
	p.fillBrake()
	p.fillPressure()
	p.fillRecovery()
}

func (p *Params4950) fillBrake() {
	defDuration(&p.FloorInterval, 5*sim.Second)
	defFloat(&p.FastAlpha, 0.4)
	defFloat(&p.SlowAlpha, 0.2)
	defFloat(&p.EmergencyRatio, 0.98)
	defFloat(&p.CriticalRatio, 0.9)
	defDuration(&p.CriticalCooldown, 10*sim.Second)
	defScale(&p.CriticalScale, Scale{1, 2})
	defInt(&p.EmergencyUnlockSamples, 3)
	defFloat(&p.EmergencyUnlockFastEMA, 0.9)
	defDuration(&p.EmergencyModerateMax, 30*sim.Second)
	defScale(&p.EmergencyStrongScale, Scale{1, 4})
	defDuration(&p.EmergencyPlateau, 15*sim.Second)
}

func (p *Params4950) fillPressure() {
	defFloat(&p.HighRatio, 0.7)
	defFloat(&p.HighEMARatio, 0.75)
	defFloat(&p.ModerateRatio, 0.55)
	defDuration(&p.PressureCooldown, 10*sim.Second)
	defScale(&p.HighScale, Scale{3, 4})
	defFloat(&p.SustainedScore, 3)
	defScale(&p.SustainedScale, Scale{9, 10})
	defFloat(&p.ScoreHighStep, 2)
	defFloat(&p.ScoreModerateStep, 1)
	defFloat(&p.CalmFastEMA, 0.30)
	defFloat(&p.CalmSlowEMA, 0.25)
	defFloat(&p.CalmLast, 0.30)
	defFloat(&p.ScoreCalmDecay, 1.5)
	defFloat(&p.ScoreIdleDecay, 0.5)
	defFloat(&p.ScoreCeiling, 8)
	defFloat(&p.ReliefPerRelease, 2)
}

func (p *Params4950) fillRecovery() {
	defDuration(&p.FloorRecoveryCooldown, 5*sim.Second)
	defInt(&p.FloorRecoverySamples, 3)
	defFloat(&p.FloorRecoveryLast, 0.35)
	defFloat(&p.FloorRecoveryAvg, 0.55)
	defFloat(&p.FloorRecoveryFastEMA, 0.45)
	defFloat(&p.FloorRecoverySlowEMA, 0.40)
	defFloat(&p.FloorRecoveryScore, 1.5)
	defScale(&p.FloorRecoveryScale, Scale{5, 4})
	defDuration(&p.DownRecoveryCooldown, 15*sim.Second)
	defFloat(&p.IncreaseScoreMax, 1)
	defFloat(&p.VeryLowRatio, 0.1)
	defDuration(&p.VeryLowCooldown, 90*sim.Second)
	defFloat(&p.LowRatio, 0.2)
	defFloat(&p.LowFastEMAOffset, 0.03)
	defFloat(&p.LowSlowEMAOffset, 0.02)
	defDuration(&p.BandMid, 60*sim.Second)
	defDuration(&p.BandLarge, 120*sim.Second)
	for i, d := range [3]Scale{{3, 2}, {6, 5}, {11, 10}} {
		defScale(&p.VeryLowScales[i], d)
	}
	for i, d := range [3]Scale{{5, 4}, {11, 10}, {21, 20}} {
		defScale(&p.LowScales[i], d)
	}
}

func (p *Params4950) check(check checkFunc) {
	for _, r := range []struct {
		name string
		v    float64
	}{
		{"fast alpha", p.FastAlpha}, {"slow alpha", p.SlowAlpha},
		{"emergency ratio", p.EmergencyRatio}, {"critical ratio", p.CriticalRatio},
		{"emergency unlock fast ema", p.EmergencyUnlockFastEMA},
		{"high ratio", p.HighRatio}, {"high ema ratio", p.HighEMARatio},
		{"moderate ratio", p.ModerateRatio},
		{"calm fast ema", p.CalmFastEMA}, {"calm slow ema", p.CalmSlowEMA}, {"calm last", p.CalmLast},
		{"floor recovery last", p.FloorRecoveryLast}, {"floor recovery avg", p.FloorRecoveryAvg},
		{"floor recovery fast ema", p.FloorRecoveryFastEMA}, {"floor recovery slow ema", p.FloorRecoverySlowEMA},
		{"very low ratio", p.VeryLowRatio}, {"low ratio", p.LowRatio},
		{"low fast ema offset", p.LowFastEMAOffset}, {"low slow ema offset", p.LowSlowEMAOffset},
	} {
		checkRatio(check, "v4950 "+r.name, r.v)
	}
	check(p.FastAlpha <= 1 && p.SlowAlpha <= 1, "v4950 ema alpha above 1")
	check(p.SustainedScore > 0 && p.ScoreCeiling > 0 && p.FloorRecoveryScore > 0 && p.IncreaseScoreMax > 0,
		"v4950 score bounds must be positive")
	check(p.ScoreHighStep > 0 && p.ScoreModerateStep > 0 && p.ScoreCalmDecay > 0 && p.ScoreIdleDecay > 0 &&
		p.ReliefPerRelease > 0, "v4950 score steps must be positive")
	check(p.FloorInterval > 0 && p.EmergencyModerateMax > 0 && p.EmergencyPlateau > 0,
		"v4950 brake intervals must be positive")
	check(p.CriticalCooldown > 0 && p.PressureCooldown > 0 && p.FloorRecoveryCooldown > 0 &&
		p.DownRecoveryCooldown > 0 && p.VeryLowCooldown > 0, "v4950 cooldowns must be positive")
	check(p.EmergencyUnlockSamples >= 1 && p.FloorRecoverySamples >= 1, "v4950 sample minimums must be >= 1")
	check(p.BandMid > 0 && p.BandMid <= p.BandLarge, "v4950 bands %v, %v not ordered", p.BandMid, p.BandLarge)
	checkScaleDown(check, "v4950 critical scale", p.CriticalScale)
	checkScaleDown(check, "v4950 emergency strong scale", p.EmergencyStrongScale)
	checkScaleDown(check, "v4950 high scale", p.HighScale)
	checkScaleDown(check, "v4950 sustained scale", p.SustainedScale)
	checkScaleUp(check, "v4950 floor recovery scale", p.FloorRecoveryScale)
	for i := range 3 {
		checkScaleUp(check, "v4950 very low scale", p.VeryLowScales[i])
		checkScaleUp(check, "v4950 low scale", p.LowScales[i])
	}
}
