package eventservice

import (
	"errors"
	"fmt"

	"github.com/redosim/redosim/model/scanwindow"
	"github.com/redosim/redosim/sim"
)

// ErrBadConfig classes an error as a Config that New rejected; the message
// names the field. Test with errors.Is.
var ErrBadConfig = errors.New("model/eventservice: bad config")

// Defaults of Config (TiCDC pkg/eventservice, dispatcher_stat.go and
// event_broker.go, and the server debug config).
const (
	defaultScanLimitMinBytes      = 1 << 10 // minScanLimitInBytes
	defaultScanLimitMaxBytes      = 1 << 20 // maxScanLimitInBytes
	defaultScanLimitDoubleEvery   = 10 * sim.Second
	defaultLowMemoryBytes         = 256 << 20 // scan-limit-in-bytes
	defaultRateLimitBytesPerSec   = 256 << 20
	defaultRateLimitBurstBytes    = 256 << 20
	defaultMinSentTsRefresh       = sim.Second
	defaultEventOverheadBytes     = 100
	defaultScanCostPerScan        = 20 * sim.Microsecond
	defaultScanCostPerByte        = 1 * sim.Nanosecond
	defaultScanCostPerEvent       = 2 * sim.Microsecond
	defaultResolvedFlushInterval  = 25 * sim.Millisecond
	defaultSignalResolvedInterval = 2 * sim.Second
	defaultTableTriggerTick       = 50 * sim.Millisecond
	defaultTableTriggerDDLsMax    = 100
	defaultScanWorkers            = 128  // 32 x 4
	defaultScanQueueMax           = 8192 // 64 per worker x 128
	defaultCongestionControl      = 2
	// defaultLocalAdvance is TiCDC's defaultScanInterval, the step of the
	// pending-barrier local advance when the window reports no interval.
	defaultLocalAdvance = 5 * sim.Second
)

// Bounds of Config.
const (
	// ScanWorkersMax bounds Config.ScanWorkers.
	ScanWorkersMax = 1 << 16
	// ScanQueueMaxMax bounds Config.ScanQueueMax.
	ScanQueueMaxMax = 1 << 24
	// BytesMax bounds every byte count of Config (1 TiB).
	BytesMax = 1 << 40
)

// Config configures a Service. Every zero value is a documented default, so
// Config{} is TiCDC's event broker with congestion control v2 and the
// PR #4950 scan window. Durations that default to something non-zero take a
// negative value to mean zero.
type Config struct {
	// PerDispatcherMetrics keeps scan metrics per dispatcher (scan limit,
	// scans, scanned bytes, syncpoints, sent-resolved lag): series that
	// grow with the dispatchers, 200 000 of them at TiCDC's scale. Default
	// false: counters per node and mode, no per-dispatcher gauges.
	PerDispatcherMetrics bool
	// ScanLimitMinBytes is a dispatcher's first scan budget and the value it
	// is reset to under low memory, in bytes. Default 1 KiB; in [1, BytesMax].
	ScanLimitMinBytes int64
	// ScanLimitMaxBytes is the largest scan budget, in bytes. Default 1 MiB;
	// in [ScanLimitMinBytes, BytesMax].
	ScanLimitMaxBytes int64
	// ScanLimitDoubleEvery is how often a dispatcher's scan budget doubles
	// (checked lazily, when a scan asks for it). Default 10 s; > 0.
	ScanLimitDoubleEvery sim.Duration
	// LowMemoryBytes: when the changefeed's available memory for a
	// collector node falls below it, a scan resets its dispatcher's budget
	// to ScanLimitMinBytes and restarts the doubling clock. Default 256 MiB;
	// in [0, BytesMax].
	LowMemoryBytes int64
	// RateLimitBytesPerSec is the refill rate of the service's scan token
	// bucket, in bytes per second; a scan takes its dispatcher's last
	// scanned bytes from it. Default 256 MiB/s; in [1, BytesMax].
	RateLimitBytesPerSec int64
	// RateLimitBurstBytes is the bucket's depth, in bytes, and the cap of a
	// dispatcher's remembered last scanned bytes. Default 256 MiB; in
	// [1, BytesMax].
	RateLimitBurstBytes int64
	// Window configures the per-changefeed scan-window controller (algorithm
	// none, v2-4030 or v2-4950). Its StartTime is set to the instant the
	// changefeed appears on the service, and a zero SyncPointInterval is
	// taken from the first registration that enables syncpoints. Default
	// scanwindow.Config{} (PR #4950).
	Window scanwindow.Config
	// MinSentTsRefresh is how often the changefeed's minSentTs (the window
	// base) is recomputed. Default 1 s; > 0.
	MinSentTsRefresh sim.Duration
	// EventOverheadBytes is the memory overhead added to the row bytes of a
	// DML event and to a DDL's bytes, in bytes. Default 100; in [0, BytesMax]
	// (negative means 0).
	EventOverheadBytes int64
	// ScanCostPerScan, ScanCostPerByte and ScanCostPerEvent model the CPU and
	// I/O time of one scan: base + bytes*perByte + events*perEvent. A scan's
	// events are sent when it completes, that long after it started.
	// Defaults 20 µs, 1 ns/B, 2 µs; negative means 0.
	ScanCostPerScan, ScanCostPerByte, ScanCostPerEvent sim.Duration
	// ResolvedFlushInterval is how long resolved-ts events wait in a
	// collector's outbox for company; data events flush at the end of the
	// loop turn that made them, taking the waiting resolved events along.
	// Default 25 ms; negative means 0 (flush every turn).
	ResolvedFlushInterval sim.Duration
	// SignalResolvedInterval rate-limits the "signal" resend of a
	// dispatcher's last sent resolved ts on skipped scans, and is the period
	// of the idle resend tick. Default 2 s; > 0.
	SignalResolvedInterval sim.Duration
	// TableTriggerTick is the period of the table-trigger dispatchers' own
	// scan (TiCDC's tickTableTriggerDispatchers): each tick sends up to
	// TableTriggerDDLsMax DDLs and the resolved ts, with no window cap and
	// no quota check; notifications never scan them. Default 50 ms; > 0.
	TableTriggerTick sim.Duration
	// TableTriggerDDLsMax bounds the DDLs one tick sends. Default 100.
	TableTriggerDDLsMax int
	// CongestionControlVersion is 1 or 2. Version 1 ignores UsageRatio and
	// ReleaseCount, so the scan window is never fed and keeps its initial
	// interval (set Window.Algorithm to none for TiCDC before PR #4030).
	// Version 2 feeds every v2 report to the window. Default 2.
	CongestionControlVersion int
	// ScanWorkers is the number of scans that may run at once. Default 128;
	// in [1, ScanWorkersMax].
	ScanWorkers int
	// ScanQueueMax bounds the queued scan tasks; a task that does not fit is
	// dropped and its dispatcher goes idle until the next notification.
	// Default 8192; in [1, ScanQueueMaxMax].
	ScanQueueMax int
	// ContinueWindowLimited queues, after each minSentTs refresh, a scan
	// for every idle dispatcher whose progress is below both its received
	// resolved ts and the window's end (the fix of TiCDC issue #6028,
	// requestScanWindowCatchUp). Default false: a dispatcher that completed
	// a window-capped range waits for the next notification, as the
	// reference snapshot does.
	ContinueWindowLimited bool
	// IdleBeyondWindow lets a dispatcher with no data in its whole received
	// range send the pre-window end as its resolved ts (the fix of TiCDC
	// issue #6038). Default false: it sends the window-capped end.
	IdleBeyondWindow bool
	// NoLocalAdvance is the broker PR #4030 shipped with, before PRs #4460
	// and #5547: a range the window collapsed stays empty even while a DDL
	// or syncpoint is pending in it, and the dispatcher waits for the
	// window to move. Default false: the local advance of TiCDC today.
	NoLocalAdvance bool

	// bug plants a bug for tests of the checkers; tests only.
	bug plantedBug
	// TestingKnobs plant the mutation harness's slips (model/cluster
	// Mutants). Never set in a real world.
	TestingKnobs TestingKnobs
}

// TestingKnobs are mutants: one realistic slip each, measured by the
// mutation harness (model/cluster Mutants, simrun mutants). The zero value
// plants nothing.
type TestingKnobs struct {
	// InterruptedResolvedAtEnd closes a scan interrupted by its budget at
	// the range's end instead of its last event: the resolved ts covers
	// events never sent.
	InterruptedResolvedAtEnd bool
	// ResolvedBeforeEvents sends a scan's closing resolved ts before the
	// events it covers.
	ResolvedBeforeEvents bool
	// SyncPointNextFromEvent steps a dispatcher's next syncpoint from the
	// event that crossed it instead of from the syncpoint itself.
	SyncPointNextFromEvent bool
	// SkipSyncPointAtStart always skips a syncpoint exactly at a
	// registration's start ts, whatever the registration asks.
	SkipSyncPointAtStart bool
}

// plantedBug names a deliberate bug a test plants to show a checker fires.
type plantedBug uint8

const (
	_ plantedBug = iota // the zero value: no bug planted
	// bugSyncPointLate emits a syncpoint after the first event above it
	// instead of before (breaks invariant 1).
	bugSyncPointLate
	// bugSkipAdmission starts scans without the quota checks (breaks
	// invariant 16).
	bugSkipAdmission
	// bugIgnoreWindow scans past minSentTs + interval (breaks invariant 17).
	bugIgnoreWindow
	// bugSeqGap skips a sequence number after each DDL (breaks invariant 2).
	bugSeqGap
)

// validate fills in defaults and rejects contradictions; errors wrap
// ErrBadConfig and name the field.
func (c *Config) validate() error {
	if err := c.validateBytes(); err != nil {
		return err
	}
	if err := c.validateDurations(); err != nil {
		return err
	}
	return c.validateCounts()
}

func (c *Config) validateBytes() error {
	for _, f := range []struct {
		name   string
		v      *int64
		def    int64
		lo, hi int64
	}{
		{"ScanLimitMinBytes", &c.ScanLimitMinBytes, defaultScanLimitMinBytes, 1, BytesMax},
		{"ScanLimitMaxBytes", &c.ScanLimitMaxBytes, defaultScanLimitMaxBytes, 1, BytesMax},
		{"LowMemoryBytes", &c.LowMemoryBytes, defaultLowMemoryBytes, 0, BytesMax},
		{"RateLimitBytesPerSec", &c.RateLimitBytesPerSec, defaultRateLimitBytesPerSec, 1, BytesMax},
		{"RateLimitBurstBytes", &c.RateLimitBurstBytes, defaultRateLimitBurstBytes, 1, BytesMax},
		{"EventOverheadBytes", &c.EventOverheadBytes, defaultEventOverheadBytes, 0, BytesMax},
	} {
		switch {
		case *f.v == 0:
			*f.v = f.def
		case *f.v < 0 && f.lo == 0:
			*f.v = 0
		}
		if *f.v < f.lo || *f.v > f.hi {
			return fmt.Errorf("%w: %s %d outside [%d, %d]", ErrBadConfig, f.name, *f.v, f.lo, f.hi)
		}
	}
	if c.ScanLimitMaxBytes < c.ScanLimitMinBytes {
		return fmt.Errorf("%w: ScanLimitMaxBytes %d below ScanLimitMinBytes %d", ErrBadConfig, c.ScanLimitMaxBytes, c.ScanLimitMinBytes)
	}
	return nil
}

func (c *Config) validateDurations() error {
	for _, f := range []struct {
		name     string
		v        *sim.Duration
		def      sim.Duration
		positive bool // must stay > 0; else negative means 0
	}{
		{"ScanLimitDoubleEvery", &c.ScanLimitDoubleEvery, defaultScanLimitDoubleEvery, true},
		{"MinSentTsRefresh", &c.MinSentTsRefresh, defaultMinSentTsRefresh, true},
		{"SignalResolvedInterval", &c.SignalResolvedInterval, defaultSignalResolvedInterval, true},
		{"TableTriggerTick", &c.TableTriggerTick, defaultTableTriggerTick, true},
		{"ScanCostPerScan", &c.ScanCostPerScan, defaultScanCostPerScan, false},
		{"ScanCostPerByte", &c.ScanCostPerByte, defaultScanCostPerByte, false},
		{"ScanCostPerEvent", &c.ScanCostPerEvent, defaultScanCostPerEvent, false},
		{"ResolvedFlushInterval", &c.ResolvedFlushInterval, defaultResolvedFlushInterval, false},
	} {
		switch {
		case *f.v == 0:
			*f.v = f.def
		case *f.v < 0 && f.positive:
			return fmt.Errorf("%w: %s %v is not positive", ErrBadConfig, f.name, *f.v)
		case *f.v < 0:
			*f.v = 0
		}
	}
	return nil
}

func (c *Config) validateCounts() error {
	if c.CongestionControlVersion == 0 {
		c.CongestionControlVersion = defaultCongestionControl
	}
	if c.CongestionControlVersion != 1 && c.CongestionControlVersion != 2 {
		return fmt.Errorf("%w: CongestionControlVersion %d is not 1 or 2", ErrBadConfig, c.CongestionControlVersion)
	}
	if c.ScanWorkers == 0 {
		c.ScanWorkers = defaultScanWorkers
	}
	if c.TableTriggerDDLsMax == 0 {
		c.TableTriggerDDLsMax = defaultTableTriggerDDLsMax
	}
	if c.TableTriggerDDLsMax < 1 {
		return fmt.Errorf("%w: TableTriggerDDLsMax %d is not positive", ErrBadConfig, c.TableTriggerDDLsMax)
	}
	if c.ScanWorkers < 1 || c.ScanWorkers > ScanWorkersMax {
		return fmt.Errorf("%w: ScanWorkers %d outside [1, %d]", ErrBadConfig, c.ScanWorkers, ScanWorkersMax)
	}
	if c.ScanQueueMax == 0 {
		c.ScanQueueMax = defaultScanQueueMax
	}
	if c.ScanQueueMax < 1 || c.ScanQueueMax > ScanQueueMaxMax {
		return fmt.Errorf("%w: ScanQueueMax %d outside [1, %d]", ErrBadConfig, c.ScanQueueMax, ScanQueueMaxMax)
	}
	// Let the window package fill and check its own config now, so a bad
	// one fails New rather than the first registration.
	if _, err := scanwindow.New(c.Window); err != nil {
		return fmt.Errorf("%w: Window: %w", ErrBadConfig, err)
	}
	return nil
}
