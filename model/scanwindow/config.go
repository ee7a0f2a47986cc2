package scanwindow

import (
	"errors"
	"fmt"

	"github.com/redosim/redosim/sim"
)

// Algorithm names a scan-window controller.
type Algorithm string

const (
	// AlgorithmNone is congestion control v1: no scan window at all, so the
	// scan interval is unbounded (Interval returns 0 and ScanMaxTs never caps).
	// It stands for `enable-scan-window = false` (TiCDC PR #5395) as well.
	AlgorithmNone Algorithm = "none"
	// Algorithm4030 is the original tiered controller of TiCDC PR #4030
	// ("improve memory control", commit 2e6aabd14).
	Algorithm4030 Algorithm = "v2-4030"
	// Algorithm4950 is the EMA and pressure-score controller of TiCDC PR #4950
	// ("optimize scanwindow", commit a706358ec), the one in today's code.
	Algorithm4950 Algorithm = "v2-4950"
)

// ErrConfig marks every error returned for a bad Config or a bad name.
var ErrConfig = errors.New("model/scanwindow: bad config")

// ParseAlgorithm returns the Algorithm named s, one of "none", "v2-4030" and
// "v2-4950".
func ParseAlgorithm(s string) (Algorithm, error) {
	switch a := Algorithm(s); a {
	case AlgorithmNone, Algorithm4030, Algorithm4950:
		return a, nil
	}
	return "", fmt.Errorf("%w: unknown algorithm %q (want none, v2-4030 or v2-4950)", ErrConfig, s)
}

// Scale is an exact factor Num/Den applied to a duration with integer
// arithmetic, d*Num/Den truncated toward zero, as TiCDC's scaleDuration does.
// The zero Scale means "use the default" in a Config.
type Scale struct {
	// Num is the numerator, in [1, 1000].
	Num int64
	// Den is the denominator, in [1, 1000].
	Den int64
}

// Apply returns d scaled by s.
func (s Scale) Apply(d sim.Duration) sim.Duration {
	return sim.Duration(int64(d) * s.Num / s.Den)
}

// String formats s as "Num/Den".
func (s Scale) String() string { return fmt.Sprintf("%d/%d", s.Num, s.Den) }

// Config configures one Controller. Every zero field takes the documented
// default, so Config{} is TiCDC's configuration with PR #4950 and syncpoint
// off; New fills the defaults in and rejects contradictions.
type Config struct {
	// Algorithm selects the controller. Default Algorithm4950.
	Algorithm Algorithm
	// StartTime is the instant the controller is created (the changefeed
	// status appears on the event service). Both PRs start their "last
	// adjusted" clocks here, so increases wait one cooldown after creation.
	// Default 0 (the world's start).
	StartTime sim.Instant

	// InitialInterval is the scan interval at start (and the value PR #4030
	// resets to on a memory release). Default 5 s; within [MinInterval, MaxInterval].
	InitialInterval sim.Duration
	// MinInterval is the smallest scan interval. Default 1 s; > 0.
	MinInterval sim.Duration
	// MaxInterval is the largest scan interval, reachable only by the
	// very-low-pressure path. Default 30 min; at most 24 h.
	MaxInterval sim.Duration
	// SyncPointInterval is the changefeed's syncpoint interval; 0 means
	// syncpoint is off. When on, normal recovery stops at
	// min(SyncPointInterval, MaxInterval) (but never below MinInterval).
	// TiCDC requires >= 30 s; a value below InitialInterval starts the
	// interval above the cap. Default 0; >= 0.
	SyncPointInterval sim.Duration

	// WindowDuration is how long usage samples are kept. Default 30 s; > 0.
	WindowDuration sim.Duration
	// WindowSamplesMax bounds the samples kept; when more arrive within one
	// window the oldest are dropped (TiCDC keeps all; at one report per second
	// the bound is never reached). Default 4096; >= 1.
	WindowSamplesMax int
	// IncreaseCooldown is the time since the last adjustment before any
	// increase (scanIntervalAdjustCooldown). Default 30 s.
	IncreaseCooldown sim.Duration
	// IncreaseSamplesMin is the samples the window must hold before an
	// increase (minIncreaseSamples). Default 10; >= 1.
	IncreaseSamplesMin int
	// IncreaseSpanMin is the time the window must span before an increase.
	// Default 4/5 of WindowDuration (24 s).
	IncreaseSpanMin sim.Duration

	// V4030 holds the knobs of Algorithm4030.
	V4030 Params4030
	// V4950 holds the knobs of Algorithm4950.
	V4950 Params4950

	// noLowerClamp is a planted bug for tests only: decreases forget the
	// MinInterval clamp.
	noLowerClamp bool
}

// normalMax is the cap of normal recovery: min(SyncPointInterval,
// MaxInterval) when syncpoint is on, else MaxInterval, never below
// MinInterval (TiCDC changefeedStatus.maxScanInterval plus the clamp in the
// adjust functions).
func (c *Config) normalMax() sim.Duration {
	m := c.MaxInterval
	if c.SyncPointInterval > 0 {
		m = min(m, c.SyncPointInterval)
	}
	return max(m, c.MinInterval)
}

// lowerClamp returns max(d, MinInterval), unless the planted bug is on.
func (c *Config) lowerClamp(d sim.Duration) sim.Duration {
	if c.noLowerClamp {
		return d
	}
	return max(d, c.MinInterval)
}

// maxIntervalBound is the largest MaxInterval accepted; it keeps
// d*Scale.Num far from overflowing int64.
const maxIntervalBound = 24 * sim.Hour

// scaleBound is the largest numerator or denominator of a Scale.
const scaleBound = 1000

// validate fills in defaults and rejects contradictions.
func (c *Config) validate() error {
	if c.Algorithm == "" {
		c.Algorithm = Algorithm4950
	}
	if _, err := ParseAlgorithm(string(c.Algorithm)); err != nil {
		return err
	}
	defDuration(&c.InitialInterval, 5*sim.Second)
	defDuration(&c.MinInterval, sim.Second)
	defDuration(&c.MaxInterval, 30*sim.Minute)
	defDuration(&c.WindowDuration, 30*sim.Second)
	defInt(&c.WindowSamplesMax, 4096)
	defDuration(&c.IncreaseCooldown, 30*sim.Second)
	defInt(&c.IncreaseSamplesMin, 10)
	defDuration(&c.IncreaseSpanMin, c.WindowDuration*4/5)
	c.V4030.fill()
	c.V4950.fill()

	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...))
		}
	}
	check(c.MinInterval > 0, "min interval %v <= 0", c.MinInterval)
	check(c.MaxInterval <= maxIntervalBound, "max interval %v > %v", c.MaxInterval, maxIntervalBound)
	check(c.MinInterval <= c.InitialInterval, "initial interval %v < min interval %v", c.InitialInterval, c.MinInterval)
	check(c.InitialInterval <= c.MaxInterval, "initial interval %v > max interval %v", c.InitialInterval, c.MaxInterval)
	check(c.SyncPointInterval >= 0, "syncpoint interval %v < 0", c.SyncPointInterval)
	check(c.WindowDuration > 0, "window duration %v <= 0", c.WindowDuration)
	check(c.WindowSamplesMax >= 1, "window samples max %d < 1", c.WindowSamplesMax)
	check(c.IncreaseCooldown > 0, "increase cooldown %v <= 0", c.IncreaseCooldown)
	check(c.IncreaseSamplesMin >= 1, "increase samples min %d < 1", c.IncreaseSamplesMin)
	check(c.IncreaseSpanMin > 0, "increase span min %v <= 0", c.IncreaseSpanMin)
	c.V4030.check(check)
	c.V4950.check(check)
	return errors.Join(errs...)
}

// checkFunc records an error built from format and args unless ok.
type checkFunc func(ok bool, format string, args ...any)

func defDuration(v *sim.Duration, d sim.Duration) {
	if *v == 0 {
		*v = d
	}
}

func defInt(v *int, d int) {
	if *v == 0 {
		*v = d
	}
}

func defFloat(v *float64, d float64) {
	if *v == 0 {
		*v = d
	}
}

func defScale(v *Scale, d Scale) {
	if *v == (Scale{}) {
		*v = d
	}
}

// checkRatio checks a usage threshold: usage is clamped to [0, 1], so a
// threshold of 1 or more simply never fires; 2 is the accepted ceiling.
func checkRatio(check checkFunc, name string, v float64) {
	check(v > 0 && v <= 2, "%s %v not in (0, 2]", name, v)
}

// checkScaleDown checks a factor that must shrink a duration.
func checkScaleDown(check checkFunc, name string, s Scale) {
	check(scaleInRange(s) && s.Num < s.Den, "%s %v is not a factor in (0, 1)", name, s)
}

// checkScaleUp checks a factor that must grow a duration.
func checkScaleUp(check checkFunc, name string, s Scale) {
	check(scaleInRange(s) && s.Num > s.Den, "%s %v is not a factor above 1", name, s)
}

func scaleInRange(s Scale) bool {
	return s.Num >= 1 && s.Num <= scaleBound && s.Den >= 1 && s.Den <= scaleBound
}
