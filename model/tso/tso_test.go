package tso_test

import (
	"testing"

	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
)

func TestComposeRoundTrip(t *testing.T) {
	cases := []struct {
		phys    int64
		logical uint32
	}{
		{0, 0}, {0, 1}, {1, 0}, {tso.DefaultStartPhysicalMs, 0},
		{tso.DefaultStartPhysicalMs, tso.LogicalMax}, {tso.PhysicalMaxMs, tso.LogicalMax}, {12345, 678},
	}
	for _, c := range cases {
		ts := tso.Compose(c.phys, c.logical)
		if got := tso.Physical(ts); got != c.phys {
			t.Errorf("Physical(Compose(%d, %d)) = %d", c.phys, c.logical, got)
		}
		if got := tso.Logical(ts); got != c.logical {
			t.Errorf("Logical(Compose(%d, %d)) = %d", c.phys, c.logical, got)
		}
	}
	// A known TiDB value: 2026-01-01T00:00:00Z, logical 0.
	if got, want := tso.Compose(tso.DefaultStartPhysicalMs, 0), uint64(1767225600000)<<18; got != want {
		t.Errorf("Compose(epoch 2026) = %d, want %d", got, want)
	}
}

func TestComposeRejectsOutOfRange(t *testing.T) {
	for _, c := range []struct {
		name    string
		phys    int64
		logical uint32
	}{{"negative physical", -1, 0}, {"physical too big", tso.PhysicalMaxMs + 1, 0}, {"logical too big", 1, tso.LogicalMax + 1}} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Compose(%d, %d) did not panic", c.phys, c.logical)
				}
			}()
			tso.Compose(c.phys, c.logical)
		})
	}
}

func TestClockStrictlyIncreasing(t *testing.T) {
	c := tso.NewClock(tso.DefaultStartPhysicalMs)
	var last uint64
	now := sim.Instant(0)
	// Bursts inside one millisecond, steps across milliseconds, a step back
	// in time, and an overflow of the logical counter.
	steps := []sim.Duration{0, 0, 0, sim.Microsecond, sim.Millisecond, 0, 3 * sim.Millisecond, -2 * sim.Millisecond, 0, sim.Second}
	for _, d := range steps {
		now = now.Add(d)
		ts := c.Next(now)
		if ts <= last {
			t.Fatalf("Next(%v) = %d, not above %d", now, ts, last)
		}
		if tso.Logical(ts) == 0 {
			t.Fatalf("Next(%v) = %d has logical 0", now, ts)
		}
		if at := c.At(now); at >= ts {
			t.Fatalf("At(%v) = %d not below Next = %d", now, at, ts)
		}
		last = ts
	}
	for i := 0; i < tso.LogicalMax+10; i++ {
		ts := c.Next(now)
		if ts <= last || tso.Logical(ts) == 0 {
			t.Fatalf("overflow step %d: Next = %d after %d", i, ts, last)
		}
		last = ts
	}
	if tso.Physical(last) != tso.Physical(c.At(now))+1 {
		t.Errorf("after %d stamps in one ms physical = %d, want borrowed ms %d",
			tso.LogicalMax+10, tso.Physical(last), tso.Physical(c.At(now))+1)
	}
	if c.Last() != last {
		t.Errorf("Last = %d, want %d", c.Last(), last)
	}
}

func TestClockMapsVirtualTime(t *testing.T) {
	c := tso.NewClock(1000)
	now := sim.Instant(2*sim.Second + 500*sim.Microsecond)
	if got := c.At(now); got != tso.Compose(3000, 0) {
		t.Errorf("At(%v) = %d, want Compose(3000, 0)", now, got)
	}
	if got := c.Next(now); got != tso.Compose(3000, 1) {
		t.Errorf("Next(%v) = %d, want Compose(3000, 1)", now, got)
	}
	if got := c.InstantOf(tso.Compose(3000, 7)); got != sim.Instant(2*sim.Second) {
		t.Errorf("InstantOf = %v, want t+2s", got)
	}
	if got := c.InstantOf(tso.Compose(999, 0)); got != sim.Instant(-sim.Millisecond) {
		t.Errorf("InstantOf before start = %v, want -1ms", got)
	}
	if c.StartPhysicalMs() != 1000 {
		t.Errorf("StartPhysicalMs = %d", c.StartPhysicalMs())
	}
}

// TestSyncPointAlignment checks the alignment rules of section D2.
// Reference: ticdc downstreamadapter/syncpoint/sync_point.go
// CalculateStartSyncPointTs.
func TestSyncPointAlignment(t *testing.T) {
	const min10 = 10 * sim.Minute
	const i10 = int64(10 * 60 * 1000) // ms
	base := (tso.DefaultStartPhysicalMs / i10) * i10
	cases := []struct {
		name     string
		startTs  uint64
		interval sim.Duration
		skip     bool
		want     uint64
	}{
		{"exact boundary used", tso.Compose(base, 0), min10, false, tso.Compose(base, 0)},
		{"exact boundary skipped", tso.Compose(base, 0), min10, true, tso.Compose(base+i10, 0)},
		{"boundary physical, logical 1", tso.Compose(base, 1), min10, false, tso.Compose(base+i10, 0)},
		{"boundary physical, logical 1, skip", tso.Compose(base, 1), min10, true, tso.Compose(base+i10, 0)},
		{"one ms past boundary", tso.Compose(base+1, 0), min10, false, tso.Compose(base+i10, 0)},
		{"one ms before boundary", tso.Compose(base-1, 5), min10, false, tso.Compose(base, 0)},
		{"skip ignored off boundary", tso.Compose(base-1, 0), min10, true, tso.Compose(base, 0)},
		{"30s interval", tso.Compose(1_000_001, 0), 30 * sim.Second, false, tso.Compose(1_020_000, 0)},
		{"zero ts", 0, sim.Second, false, 0},
		{"zero ts skip", 0, sim.Second, true, tso.Compose(1000, 0)},
		{"sub-ms interval", tso.Compose(10, 0), 1500 * sim.Microsecond, false, tso.Compose(10, 0)},
		{"sub-ms interval truncates", tso.Compose(11, 0), 1500 * sim.Microsecond, false, tso.Compose(12, 0)},
		{"disabled", tso.Compose(base, 3), 0, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := tso.FirstSyncPoint(c.startTs, c.interval, c.skip)
			if got != c.want {
				t.Errorf("FirstSyncPoint = %d (phys %d logical %d), want phys %d logical %d",
					got, tso.Physical(got), tso.Logical(got), tso.Physical(c.want), tso.Logical(c.want))
			}
		})
	}
}

func TestNextSyncPoint(t *testing.T) {
	prev := tso.Compose(600_000, 0)
	if got := tso.NextSyncPoint(prev, 10*sim.Minute); got != tso.Compose(1_200_000, 0) {
		t.Errorf("NextSyncPoint = phys %d logical %d", tso.Physical(got), tso.Logical(got))
	}
	if got := tso.NextSyncPoint(tso.Compose(600_000, 9), sim.Minute); got != tso.Compose(660_000, 0) {
		t.Errorf("NextSyncPoint drops logical: got phys %d logical %d", tso.Physical(got), tso.Logical(got))
	}
	if got := tso.NextSyncPoint(prev, 0); got != 0 {
		t.Errorf("NextSyncPoint disabled = %d, want 0", got)
	}
	// A run of syncpoints stays aligned.
	sp := tso.FirstSyncPoint(tso.Compose(tso.DefaultStartPhysicalMs+123, 4), 30*sim.Second, false)
	for i := 0; i < 100; i++ {
		if tso.Physical(sp)%30_000 != 0 || tso.Logical(sp) != 0 {
			t.Fatalf("syncpoint %d = phys %d logical %d not aligned", i, tso.Physical(sp), tso.Logical(sp))
		}
		next := tso.NextSyncPoint(sp, 30*sim.Second)
		if tso.Physical(next)-tso.Physical(sp) != 30_000 {
			t.Fatalf("syncpoint step %d ms", tso.Physical(next)-tso.Physical(sp))
		}
		sp = next
	}
}
