// Package tso models TiDB's timestamp oracle: a TSO timestamp is a 64-bit
// number whose high 46 bits are a physical clock in milliseconds since the
// Unix epoch and whose low 18 bits are a logical counter within that
// millisecond:
//
//	+--------------------------------------+------------------+
//	| physical ms since Unix epoch (46 b)  | logical (18 b)   |
//	+--------------------------------------+------------------+
//	  ts = physical_ms << 18 | logical
//
// A Clock maps a world's virtual time onto TSO: physical = StartPhysicalMs +
// the virtual time in whole milliseconds. Next hands out strictly
// increasing timestamps (commit and start ts); At gives the timestamp with
// logical 0 at an instant, the form resolved ts and syncpoint ts take. Next
// never returns logical 0, so a resolved ts taken with At(now) is strictly
// below every timestamp Next hands out from now on.
//
// FirstSyncPoint and NextSyncPoint compute TiCDC's syncpoint timestamps:
// multiples of the syncpoint interval on the physical clock, logical 0
// (ticdc downstreamadapter/syncpoint/sync_point.go).
//
// Usage:
//
//	c := tso.NewClock(tso.DefaultStartPhysicalMs)
//	commitTs := c.Next(w.Now())
//	resolvedTs := c.At(w.Now())
//	sp := tso.FirstSyncPoint(startTs, 10*sim.Minute, false)
package tso

import (
	"fmt"

	"github.com/redosim/redosim/internal/invariants"
	"github.com/redosim/redosim/sim"
)

// LogicalBits is the width of the logical part of a TSO timestamp.
// Wire format: never change.
const LogicalBits = 18

// LogicalMax is the largest logical value: 2^18 - 1.
const LogicalMax = 1<<LogicalBits - 1

// PhysicalMaxMs is the largest physical part a TSO can hold (46 bits of
// milliseconds, about the year 4199).
const PhysicalMaxMs = 1<<(64-LogicalBits) - 1

// DefaultStartPhysicalMs is the physical clock, in ms since the Unix epoch,
// at virtual time zero of a world unless configured otherwise:
// 2026-01-01T00:00:00Z. It is a constant, never the wall clock.
const DefaultStartPhysicalMs int64 = 1767225600000

// Compose returns the TSO timestamp physicalMs << 18 | logical. It panics
// when physicalMs is outside [0, PhysicalMaxMs] or logical above
// LogicalMax: such a timestamp cannot exist, so asking for one is a bug.
func Compose(physicalMs int64, logical uint32) uint64 {
	if physicalMs < 0 || physicalMs > PhysicalMaxMs {
		panic(fmt.Sprintf("model/tso: physical %d ms outside [0, %d]", physicalMs, int64(PhysicalMaxMs)))
	}
	if logical > LogicalMax {
		panic(fmt.Sprintf("model/tso: logical %d above %d", logical, LogicalMax))
	}
	return uint64(physicalMs)<<LogicalBits | uint64(logical)
}

// Physical returns the physical part of ts in milliseconds since the Unix
// epoch.
func Physical(ts uint64) int64 { return int64(ts >> LogicalBits) }

// Logical returns the logical part of ts.
func Logical(ts uint64) uint32 { return uint32(ts & LogicalMax) }

// Clock maps virtual time onto TSO timestamps for one world. It is not safe
// for concurrent use (one world, one goroutine).
type Clock struct {
	startMs int64
	last    uint64
}

// NewClock returns a clock whose physical part is startPhysicalMs at
// virtual time zero.
func NewClock(startPhysicalMs int64) *Clock {
	return &Clock{startMs: startPhysicalMs}
}

// StartPhysicalMs returns the physical clock at virtual time zero.
func (c *Clock) StartPhysicalMs() int64 { return c.startMs }

// physicalAt returns the physical part at instant now: StartPhysicalMs plus
// now in whole milliseconds (rounded down).
func (c *Clock) physicalAt(now sim.Instant) int64 {
	return c.startMs + int64(now)/int64(sim.Millisecond)
}

// Next returns a new timestamp at instant now, strictly greater than every
// timestamp Next returned before. Its physical part is the clock's at now
// and its logical part counts up from 1 within that millisecond (logical 0
// is left for At). When more than LogicalMax timestamps are asked for in
// one millisecond, or now goes back, Next borrows from the next
// millisecond, as PD does when its logical counter overflows.
func (c *Clock) Next(now sim.Instant) uint64 {
	ts := Compose(c.physicalAt(now), 1)
	if ts <= c.last {
		ts = c.last + 1
		if Logical(ts) == 0 {
			ts++
		}
	}
	if invariants.Enabled && ts <= c.last {
		invariants.Failf("model/tso: Next is strictly greater than every timestamp it returned before: %d <= %d", ts, c.last)
	}
	c.last = ts
	return ts
}

// Last returns the last timestamp Next handed out, or 0.
func (c *Clock) Last() uint64 { return c.last }

// At returns the timestamp with logical 0 at instant now. Every timestamp
// Next returns at now or later is strictly greater than it.
func (c *Clock) At(now sim.Instant) uint64 {
	return Compose(c.physicalAt(now), 0)
}

// InstantOf returns the virtual instant at which ts's physical millisecond
// begins on this clock. It is negative for a ts before the clock's start.
func (c *Clock) InstantOf(ts uint64) sim.Instant {
	return sim.Instant((Physical(ts) - c.startMs) * int64(sim.Millisecond))
}

// FirstSyncPoint returns the first syncpoint ts of a changefeed starting at
// startTs: the smallest k·interval on the physical clock (since the Unix
// epoch) whose timestamp, with logical 0, is at or above startTs. When
// startTs is exactly on a boundary (physical a multiple of the interval and
// logical 0) it is the first syncpoint unless skipAtStart, in which case the
// next boundary is. It returns 0 when interval <= 0 (syncpoint disabled),
// as TiCDC's CalculateStartSyncPointTs does.
func FirstSyncPoint(startTs uint64, interval sim.Duration, skipAtStart bool) uint64 {
	if interval <= 0 {
		return 0
	}
	phys, step := physicalUnits(Physical(startTs), interval)
	k := phys / step
	if phys%step != 0 || Logical(startTs) != 0 || skipAtStart {
		k++
	}
	return composeUnits(k*step, interval)
}

// NextSyncPoint returns the syncpoint after prev: prev's physical time plus
// interval, truncated to the millisecond, with logical 0. It returns 0 when
// interval <= 0 (syncpoint disabled).
func NextSyncPoint(prev uint64, interval sim.Duration) uint64 {
	if interval <= 0 {
		return 0
	}
	phys, step := physicalUnits(Physical(prev), interval)
	return composeUnits(phys+step, interval)
}

// physicalUnits expresses a physical time and an interval in one unit:
// milliseconds when the interval is a whole number of them (always, for
// TiCDC's whole-second intervals), else nanoseconds (valid until 2262).
func physicalUnits(physMs int64, interval sim.Duration) (phys, step int64) {
	if interval%sim.Millisecond == 0 {
		return physMs, int64(interval / sim.Millisecond)
	}
	return physMs * int64(sim.Millisecond), int64(interval)
}

// composeUnits turns a physical time in physicalUnits' unit back into a
// timestamp with logical 0, truncating to the millisecond.
func composeUnits(phys int64, interval sim.Duration) uint64 {
	if interval%sim.Millisecond == 0 {
		return Compose(phys, 0)
	}
	return Compose(phys/int64(sim.Millisecond), 0)
}
