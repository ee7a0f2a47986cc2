package collector

import (
	"errors"
	"fmt"
	"math"

	"github.com/redosim/redosim/model/scanwindow"
	"github.com/redosim/redosim/sim"
)

// ErrConfig marks every error returned for a bad Config.
var ErrConfig = errors.New("model/collector: bad config")

// Sizes.
const (
	// KiB is 1024 bytes.
	KiB int64 = 1 << 10
	// MiB is 1024 KiB.
	MiB int64 = 1 << 20
	// GiB is 1024 MiB.
	GiB int64 = 1 << 30
)

// Defaults (TiCDC's numbers: docs/FIDELITY.md, Constants and section 4).
const (
	// DefaultChangefeedQuotaBytes is a changefeed's memory-quota per node
	// (pkg/config DefaultChangefeedMemoryQuota, 1 GiB). The main area gets
	// what the redo area does not.
	DefaultChangefeedQuotaBytes = 1 * GiB
	// DefaultRedoQuotaBytes is the redo area's quota with the default 50 %
	// redo share (memory-usage.memory-quota-percentage) of 1 GiB.
	DefaultRedoQuotaBytes = 512 * MiB
	// DefaultPathDivisor gives a path at most a tenth of its area
	// (NewAreaSettingsWithMaxPendingSize: quota/10).
	DefaultPathDivisor = 10
	// DefaultPathMinBytes is the floor of a path's max pending (1 MiB).
	DefaultPathMinBytes = 1 * MiB
	// DefaultMainBatchCount is the MySQL sink's batch count: max-txn-row
	// 256 x 16 workers (MySQL downstream). A TiDB downstream has 64 workers,
	// 16384, which the dynamic stream caps at 8192
	// (MaxEventCollectorBatchCount).
	DefaultMainBatchCount = 4096
	// DefaultMainBatchBytes is the MySQL sink's batch bytes: the
	// downstream's max_allowed_packet, 64 MiB on TiDB.
	DefaultMainBatchBytes = 64 * MiB
	// DefaultRedoBatchCount is the redo sink's batch count (4096).
	DefaultRedoBatchCount = 4096
	// DefaultRedoBatchBytes is the redo sink's batch bytes: max-log-size,
	// 64 MiB.
	DefaultRedoBatchBytes = 64 * MiB
	// DefaultCongestionInterval is the congestion-control period (1 s).
	DefaultCongestionInterval = sim.Second
	// DefaultCongestionVersion is the congestion-control version TiCDC
	// sends today (2).
	DefaultCongestionVersion = 2
	// DefaultHandleCost is the modelled cost of handing one batch to a
	// dispatcher: a few microseconds of dynamic-stream work.
	DefaultHandleCost = sim.Microsecond
	// DefaultPathMetricsMax is how many dispatchers get a per-path pending
	// gauge (the first added).
	DefaultPathMetricsMax = 16
)

// Defaults of BreakerConfig (utils/dynstream/memory_control.go).
const (
	// DefaultUsageHigh is defaultReleaseMemoryRatio as a deadlock threshold:
	// usage above 60 % with no dequeue is a deadlock.
	DefaultUsageHigh = 0.6
	// DefaultNoDequeueFor is defaultDeadlockDuration (5 s).
	DefaultNoDequeueFor = 5 * sim.Second
	// DefaultHardLimit is the usage at which incoming events are dropped
	// (150 %).
	DefaultHardLimit = 1.5
	// DefaultReleaseShare is the share of the area's pending bytes a release
	// aims to free (defaultReleaseMemoryRatio, 60 %).
	DefaultReleaseShare = 0.6
	// DefaultMinInterval is the least time between two releases of an area
	// (1 s).
	DefaultMinInterval = sim.Second
	// DefaultMinPathBytes is defaultReleaseMemoryThreshold: a path with
	// fewer pending bytes is never released (256 B).
	DefaultMinPathBytes = 256
)

// Config configures a Collector: one capture node's event collector for one
// changefeed. The zero value is TiCDC's default with redo off; every zero
// field takes the default shown.
type Config struct {
	// MainQuotaBytes is the changefeed's area quota in the main dynamic
	// stream (event dispatchers), bytes. Default DefaultChangefeedQuotaBytes
	// minus RedoQuotaBytes: 1 GiB with redo off, 512 MiB with the default
	// redo share. > 0 after defaults.
	MainQuotaBytes int64
	// RedoQuotaBytes is the area quota in the redo dynamic stream (redo
	// dispatchers), bytes. 0 (the zero value) turns redo off: adding a redo
	// dispatcher then panics. DefaultRedoQuotaBytes (512 MiB) is TiCDC's
	// default when redo is on; SplitQuota computes other shares. >= 0.
	RedoQuotaBytes int64
	// PathDivisor and PathMinBytes give each path's max pending:
	// max(area quota / PathDivisor, PathMinBytes). Defaults 10 and 1 MiB.
	PathDivisor  int64
	PathMinBytes int64
	// MainBatchCount and MainBatchBytes bound one batch of DML and resolved
	// events handed to an event dispatcher: at most MainBatchCount events,
	// and events are added while the batch holds fewer than MainBatchBytes
	// (so it may overshoot by one event). Defaults 4096 and 64 MiB (MySQL
	// sink: 256 rows x 16 workers, max_allowed_packet).
	MainBatchCount int
	MainBatchBytes int64
	// RedoBatchCount and RedoBatchBytes are the same for redo dispatchers.
	// Defaults 4096 and 64 MiB (the redo sink: 4096, max-log-size).
	RedoBatchCount int
	RedoBatchBytes int64
	// CongestionInterval is the period of the congestion-control reports.
	// Default 1 s.
	CongestionInterval sim.Duration
	// CongestionVersion is 1 (Available and DispatcherAvailable) or 2 (plus
	// UsageRatio and ReleaseCount). Default 2.
	CongestionVersion int
	// Aggregation folds the main and redo areas' usage ratios into the v2
	// UsageRatio: "max" (TiCDC today, the default) or "min" (the first
	// revision of PR #4030, flagged in review for under-reporting pressure).
	Aggregation string
	// OmitZeroAvailable leaves dispatchers with no path memory left out of
	// the congestion report, as TiCDC did before issue #4899 (fixed by PR
	// #4902): the event service then keeps the last, stale amount it was
	// told and goes on scanning for a full path. Default false: zeros are
	// sent, as TiCDC does today.
	OmitZeroAvailable bool
	// Breaker configures the release circuit breaker.
	Breaker BreakerConfig
	// HandleCost is the virtual time one batch takes to hand to its
	// dispatcher: each stream hands out one batch per HandleCost, as a loop
	// event. Default 1 µs; >= 0.
	HandleCost sim.Duration
	// PathMetricsMax is the number of dispatchers (the first added) with a
	// per-path pending gauge. Default 16; negative for none.
	PathMetricsMax int
	// TestingKnobs plant bugs for checker tests. Never set in a real world.
	TestingKnobs TestingKnobs

	aggregation scanwindow.Aggregation
}

// BreakerConfig configures the release circuit breaker of each area
// (pingcap/ticdc:utils/dynstream memory control v2; docs/FIDELITY.md section 4). The zero value is
// TiCDC's breaker, switched on.
type BreakerConfig struct {
	// Disabled switches the breaker off: no release and no drop at the
	// hard limit, so the deadlocks it breaks can be shown. Default false
	// (the breaker is on).
	Disabled bool
	// UsageHigh: on an append, usage (used/quota) above it with no size
	// decrease for NoDequeueFor releases memory. Default 0.6; in (0, 10].
	UsageHigh float64
	// NoDequeueFor is how long the area's size must not have decreased for
	// the deadlock rule to fire. Default 5 s.
	NoDequeueFor sim.Duration
	// HardLimit: on an append at usage >= HardLimit the breaker releases
	// memory and replaces an incoming DML, DDL or syncpoint by a Drop event
	// of zero accounted size. Default 1.5; in (0, 10].
	HardLimit float64
	// ReleaseShare is the share of the area's pending bytes a release
	// picks paths to free. Default 0.6; in (0, 1].
	ReleaseShare float64
	// MinInterval is the least time between two releases of one area.
	// Default 1 s.
	MinInterval sim.Duration
	// MinPathBytes: paths with fewer pending bytes are never released.
	// Default 256.
	MinPathBytes int64
	// ResetOnRelease resets each released dispatcher at once (epoch+1,
	// rescan from its checkpoint). Default false: as in TiCDC the release is
	// silent and the reset follows from the sequence gap the collector sees
	// when the path next hands out an event (docs/FIDELITY.md section 4, d4).
	ResetOnRelease bool
}

// TestingKnobs are planted bugs: each breaks one promise of this package so
// that a test can show the checker of that promise fires. The zero value
// plants nothing.
type TestingKnobs struct {
	// ForgetPopDecrement leaves an event's bytes accounted after it is
	// popped for handling (breaks: used counts only queued events).
	ForgetPopDecrement bool
	// ReleaseNonBlocking lets a release pick paths that are not blocked
	// (breaks: release only targets blocking paths).
	ReleaseNonBlocking bool

	// Mutants: one realistic slip each, measured by the mutation harness
	// (model/cluster Mutants, simrun mutants).

	// DoubleCountAppend adds a queued event's bytes to the accounting
	// twice.
	DoubleCountAppend bool
	// CollapseOverDML lets a resolved event collapse into the event at the
	// back of the queue whatever its kind, replacing a queued DML.
	CollapseOverDML bool
	// DedupeBreaks ends a batch at the first DML the commit-ts filter
	// drops (break instead of continue): the events behind it are lost.
	DedupeBreaks bool
	// ReleaseMostLagging makes the breaker release the least advanced
	// paths first instead of the most advanced.
	ReleaseMostLagging bool
	// BatchSyncPoints lets a syncpoint share a batch with DML and
	// resolved events.
	BatchSyncPoints bool
}

// SplitQuota splits a changefeed's memory quota between the main and redo
// areas as TiCDC does (A2): redo = quota x redoPercent / 100 in integer
// math, main = the rest. redoPercent 0 means redo off.
func SplitQuota(changefeedQuotaBytes int64, redoPercent int) (mainBytes, redoBytes int64) {
	redoBytes = changefeedQuotaBytes * int64(redoPercent) / 100
	return changefeedQuotaBytes - redoBytes, redoBytes
}

// RedoEnabled reports whether the configuration has a redo area.
func (c *Config) RedoEnabled() bool { return c.RedoQuotaBytes > 0 }

// validate fills in the defaults and rejects contradictions.
func (c *Config) validate() error {
	if c.RedoQuotaBytes < 0 || c.MainQuotaBytes < 0 {
		return fmt.Errorf("%w: quotas main %d redo %d bytes, want >= 0", ErrConfig, c.MainQuotaBytes, c.RedoQuotaBytes)
	}
	if c.MainQuotaBytes == 0 {
		c.MainQuotaBytes = DefaultChangefeedQuotaBytes - c.RedoQuotaBytes
		if c.MainQuotaBytes <= 0 {
			return fmt.Errorf("%w: RedoQuotaBytes %d leaves no default main quota; set MainQuotaBytes", ErrConfig, c.RedoQuotaBytes)
		}
	}
	setDefault(&c.PathDivisor, DefaultPathDivisor)
	setDefault(&c.PathMinBytes, DefaultPathMinBytes)
	setDefault(&c.MainBatchCount, DefaultMainBatchCount)
	setDefault(&c.MainBatchBytes, DefaultMainBatchBytes)
	setDefault(&c.RedoBatchCount, DefaultRedoBatchCount)
	setDefault(&c.RedoBatchBytes, DefaultRedoBatchBytes)
	setDefault(&c.CongestionInterval, DefaultCongestionInterval)
	setDefault(&c.CongestionVersion, DefaultCongestionVersion)
	setDefault(&c.HandleCost, DefaultHandleCost)
	setDefault(&c.PathMetricsMax, DefaultPathMetricsMax)
	if c.PathDivisor < 0 || c.PathMinBytes < 0 || c.MainBatchCount < 0 || c.MainBatchBytes < 0 ||
		c.RedoBatchCount < 0 || c.RedoBatchBytes < 0 || c.CongestionInterval < 0 || c.HandleCost < 0 {
		return fmt.Errorf("%w: negative path, batch or time field in %+v", ErrConfig, *c)
	}
	if c.CongestionVersion != 1 && c.CongestionVersion != 2 {
		return fmt.Errorf("%w: CongestionVersion %d, want 1 or 2", ErrConfig, c.CongestionVersion)
	}
	if c.Aggregation == "" {
		c.Aggregation = string(scanwindow.AggregationMax)
	}
	a, err := scanwindow.ParseAggregation(c.Aggregation)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrConfig, err)
	}
	c.aggregation = a
	return c.Breaker.validate()
}

// validate fills in the breaker's defaults and checks its bounds.
func (b *BreakerConfig) validate() error {
	setDefault(&b.UsageHigh, DefaultUsageHigh)
	setDefault(&b.NoDequeueFor, DefaultNoDequeueFor)
	setDefault(&b.HardLimit, DefaultHardLimit)
	setDefault(&b.ReleaseShare, DefaultReleaseShare)
	setDefault(&b.MinInterval, DefaultMinInterval)
	setDefault(&b.MinPathBytes, DefaultMinPathBytes)
	if !inRange(b.UsageHigh, 10) || !inRange(b.HardLimit, 10) || !inRange(b.ReleaseShare, 1) {
		return fmt.Errorf("%w: breaker UsageHigh %v HardLimit %v ReleaseShare %v out of range",
			ErrConfig, b.UsageHigh, b.HardLimit, b.ReleaseShare)
	}
	if b.NoDequeueFor < 0 || b.MinInterval < 0 || b.MinPathBytes < 0 {
		return fmt.Errorf("%w: breaker NoDequeueFor %v MinInterval %v MinPathBytes %d, want >= 0",
			ErrConfig, b.NoDequeueFor, b.MinInterval, b.MinPathBytes)
	}
	return nil
}

// inRange reports whether v is a finite number in (0, hi].
func inRange(v, hi float64) bool {
	return v > 0 && v <= hi && !math.IsNaN(v)
}

// setDefault sets *v to def when it is zero.
func setDefault[T int | int64 | float64 | sim.Duration](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}

// pathMaxBytes is a path's max pending in an area of quotaBytes.
func (c *Config) pathMaxBytes(quotaBytes int64) int64 {
	return max(quotaBytes/c.PathDivisor, c.PathMinBytes)
}

// batchLimits returns the batch count and bytes of mode's stream.
func (c *Config) batchLimits(redo bool) (count int, bytes int64) {
	if redo {
		return c.RedoBatchCount, c.RedoBatchBytes
	}
	return c.MainBatchCount, c.MainBatchBytes
}
