package scanwindow

import (
	"math"

	"github.com/redosim/redosim/sim"
)

// Report is one congestion-control v2 report for a changefeed, as the event
// service receives it from one collector node about once a second.
type Report struct {
	// UsageRatio is the changefeed's memory usage, used/quota (see Combine).
	// NaN and negatives count as 0 and values above 1 as 1.
	UsageRatio float64
	// ReleaseCount is the memory releases since the previous report;
	// negatives count as 0.
	ReleaseCount int
}

// Reason names the branch that decided on a report. A branch may fire without
// changing the interval (at a floor or a cap); it is still the reason.
type Reason string

const (
	// ReasonNone: no branch fired, or the algorithm is AlgorithmNone.
	ReasonNone Reason = "none"
	// ReasonReleaseReset: PR #4030 reset the interval to InitialInterval on a
	// memory release and cleared the window.
	ReasonReleaseReset Reason = "release_reset"
	// ReasonCriticalBrake: PR #4030's critical tier or PR #4950's critical or
	// emergency brake.
	ReasonCriticalBrake Reason = "critical_brake"
	// ReasonHighPressure: PR #4030's high tier or PR #4950's high pressure.
	ReasonHighPressure Reason = "high_pressure"
	// ReasonTrendDamping: PR #4030's rising-trend tier.
	ReasonTrendDamping Reason = "trend_damping"
	// ReasonSustainedPressure: PR #4950's pressure-score decrease.
	ReasonSustainedPressure Reason = "sustained_pressure"
	// ReasonFloorRecovery: PR #4950's early recovery at or below
	// FloorInterval (TiCDC labels it low_recovery in its metrics).
	ReasonFloorRecovery Reason = "floor_recovery"
	// ReasonLowRecovery: the low-pressure increase of either PR.
	ReasonLowRecovery Reason = "low_recovery"
	// ReasonVeryLowRecovery: the very-low-pressure increase of either PR, the
	// one path that may pass the syncpoint cap.
	ReasonVeryLowRecovery Reason = "very_low_recovery"
	// ReasonCapClamp: PR #4030's low tier computed min(current x 5/4, cap)
	// with current above the cap (lifted there by a very-low step), which
	// lowers the interval back to the syncpoint cap.
	ReasonCapClamp Reason = "cap_clamp"
)

// Stats is what a Controller has done so far, for metrics and traces.
type Stats struct {
	// Reports counts observed reports.
	Reports int
	// Releases counts reports with ReleaseCount > 0.
	Releases int
	// AdjustUp and AdjustDown count reports that raised or lowered the interval.
	AdjustUp, AdjustDown int
	// Critical counts changes made by ReasonCriticalBrake (also in AdjustDown).
	Critical int
	// LastReason is the branch that decided the last report.
	LastReason Reason
	// LastChangeReason is the branch of the last change (ReasonNone if none yet).
	LastChangeReason Reason
	// LastChangeAt is when the interval last changed (StartTime if never).
	LastChangeAt sim.Instant
	// Interval is the current scan interval (0 for AlgorithmNone).
	Interval sim.Duration
	// Window summarises the samples at the last report.
	Window WindowStats
	// WindowDropped counts samples dropped by Config.WindowSamplesMax.
	WindowDropped int
	// FastEMA, SlowEMA and PressureScore are PR #4950's state (0 otherwise).
	FastEMA, SlowEMA, PressureScore float64
}

// decision is one algorithm's answer to one report.
type decision struct {
	interval sim.Duration
	reason   Reason
}

// policy is one scan-window algorithm: it owns its window and cooldown
// clocks; the Controller owns the interval and the statistics.
type policy interface {
	decide(now sim.Instant, current sim.Duration, usage float64, releases int) decision
	observe(st *Stats)
}

// Controller is the scan-window controller of one changefeed on one event
// service: a deterministic state machine fed with reports, answering the
// scan interval and the scan upper bound. It is not safe for concurrent use;
// one world drives it from one goroutine.
type Controller struct {
	cfg      Config
	policy   policy // nil for AlgorithmNone
	interval sim.Duration
	lastNow  sim.Instant
	stats    Stats
}

// New returns a Controller for cfg, or an error wrapping ErrConfig.
func New(cfg Config) (*Controller, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c := &Controller{cfg: cfg, lastNow: cfg.StartTime}
	c.stats = Stats{LastReason: ReasonNone, LastChangeReason: ReasonNone, LastChangeAt: cfg.StartTime}
	switch cfg.Algorithm {
	case Algorithm4030:
		c.policy = new4030(&c.cfg)
	case Algorithm4950:
		c.policy = new4950(&c.cfg)
	}
	if c.policy != nil {
		c.interval = cfg.InitialInterval
	}
	c.stats.Interval = c.interval
	return c, nil
}

// Config returns the controller's configuration with defaults filled in.
func (c *Controller) Config() Config { return c.cfg }

// Observe feeds one report received at now. An instant earlier than a
// previous one is taken as that previous one (virtual time never goes back).
func (c *Controller) Observe(now sim.Instant, r Report) {
	now = max(now, c.lastNow)
	c.lastNow = now
	releases := max(r.ReleaseCount, 0)
	c.stats.Reports++
	if releases > 0 {
		c.stats.Releases++
	}
	if c.policy == nil {
		return
	}
	d := c.policy.decide(now, c.interval, normalizeUsage(r.UsageRatio), releases)
	c.policy.observe(&c.stats)
	c.stats.LastReason = d.reason
	if d.interval == c.interval {
		return
	}
	if d.interval > c.interval {
		c.stats.AdjustUp++
	} else {
		c.stats.AdjustDown++
	}
	if d.reason == ReasonCriticalBrake {
		c.stats.Critical++
	}
	c.interval = d.interval
	c.stats.Interval = d.interval
	c.stats.LastChangeReason = d.reason
	c.stats.LastChangeAt = now
}

// Interval returns the current scan interval; 0 means "no cap"
// (AlgorithmNone).
func (c *Controller) Interval() sim.Duration { return c.interval }

// Stats returns a copy of the controller's statistics.
func (c *Controller) Stats() Stats { return c.stats }

// TSO layout: physical milliseconds above 18 logical bits.
const (
	tsoLogicalBits = 18
	tsoPhysicalMax = math.MaxUint64 >> tsoLogicalBits
)

// ScanMaxTs returns the upper bound of a scan, minSentTs plus the interval
// in TSO physical terms: ((minSentTs>>18) + interval in whole ms) << 18, the
// logical part dropped as oracle.GoTimeToTS(GetTimeFromTS(ts).Add(d)) does in
// TiCDC. It returns math.MaxUint64 (no cap) when minSentTs is 0, for
// AlgorithmNone, and when the sum would overflow.
func (c *Controller) ScanMaxTs(minSentTs uint64) uint64 {
	if minSentTs == 0 || c.policy == nil {
		return math.MaxUint64
	}
	physical := minSentTs >> tsoLogicalBits
	add := uint64(c.interval / sim.Millisecond)
	if add > tsoPhysicalMax-physical {
		return math.MaxUint64
	}
	return (physical + add) << tsoLogicalBits
}
