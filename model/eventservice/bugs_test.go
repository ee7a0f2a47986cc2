package eventservice

import (
	"strings"
	"testing"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/sim"
)

// TestPlantedBugsAreCaught plants each bug the checkers exist for and
// requires the matching checker to fire; the same world without the bug
// passes (TestInvariantsOnUpstreamWorkload, TestWindowCapsAndLocalAdvance).
func TestPlantedBugsAreCaught(t *testing.T) {
	for _, tc := range []struct {
		name  string
		bug   plantedBug
		world func(t *testing.T, cfg Config) *harness
		want  string
	}{
		{"syncpoint after the first event above it", bugSyncPointLate, busyWorld, "invariant 1:"},
		{"seq gap after a DDL", bugSeqGap, busyWorld, "invariant 2:"},
		{"admission check skipped", bugSkipAdmission, tightWorld, "invariant 16:"},
		{"scan window ignored", bugIgnoreWindow, func(t *testing.T, cfg Config) *harness {
			h, _ := pinnedWorld(t, cfg)
			h.run(30 * sim.Second)
			return h
		}, "invariant 17:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clean := tc.world(t, Config{})
			if errs := clean.errors(); len(errs) > 0 {
				t.Fatalf("the world fails without the bug: %v", errs)
			}
			h := tc.world(t, Config{bug: tc.bug})
			errs := h.errors()
			for _, e := range errs {
				if strings.HasPrefix(e, tc.want) {
					return
				}
			}
			t.Fatalf("no %q error; got %v", tc.want, errs)
		})
	}
}

// busyWorld runs tables with DDLs and a 1 s syncpoint interval for 15 s.
func busyWorld(t *testing.T, cfg Config) *harness {
	h, _ := workloadWorld(t, 13, upstream.Config{Tables: 2, RowsPerSecond: 500, DDLPerMinute: 30}, cfg, 1)
	h.run(15 * sim.Second)
	return h
}

// tightWorld reports a changefeed memory of 2 KiB and a dispatcher memory
// of 512 B: a correct service scans only when both allow its 1 KiB budget.
func tightWorld(t *testing.T, cfg Config) *harness {
	h, _ := workloadWorld(t, 17, upstream.Config{Tables: 2, RowsPerSecond: 500, DDLPerMinute: -1}, cfg, 0)
	h.report = func(now sim.Instant) *msg.CongestionControl {
		if now < sim.Instant(5*sim.Second) {
			return h.plainReport(2<<10, GiB, 0.5)
		}
		return h.plainReport(GiB, 512, 0.5)
	}
	h.run(10 * sim.Second)
	return h
}

// TestDeterminism: the same seed gives the same trace hash and statistics;
// another seed gives another hash.
func TestDeterminism(t *testing.T) {
	run := func(seed uint64) (string, Stats) {
		h, _ := workloadWorld(t, seed, upstream.Config{Tables: 3, RowsPerSecond: 600, DDLPerMinute: 10}, Config{}, 2)
		h.run(20 * sim.Second)
		h.check()
		return h.w.Trace.HashString(), h.svc.Stats()
	}
	h1, s1 := run(42)
	h2, s2 := run(42)
	h3, _ := run(43)
	if h1 != h2 || s1 != s2 {
		t.Fatalf("seed 42 twice: %s %s\n%+v\n%+v", h1, h2, s1, s2)
	}
	if h1 == h3 {
		t.Fatalf("seeds 42 and 43 share hash %s", h1)
	}
}
