package eventservice

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/scanwindow"
	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/sim"
)

// workloadWorld builds a world with a real upstream of tables tables and
// the harness, and registers a main and a redo dispatcher per table plus
// the two table-trigger dispatchers, all from the upstream's start.
func workloadWorld(t testing.TB, seed uint64, ucfg upstream.Config, cfg Config, spSec int64) (*harness, *upstream.Upstream) {
	t.Helper()
	return workloadWorldWith(t, seed, ucfg, cfg, spSec, true)
}

// workloadWorldWith is workloadWorld with the syncpoint skip-at-start flag.
func workloadWorldWith(t testing.TB, seed uint64, ucfg upstream.Config, cfg Config, spSec int64, skipAtStart bool) (*harness, *upstream.Upstream) {
	t.Helper()
	w := sim.NewWorld(sim.WorldConfig{Seed: seed, StepsMax: 50_000_000})
	up := newUpstream(t, w, ucfg)
	h := newHarness(t, w, up, cfg)
	start := up.ResolvedTs()
	tables := append([]int64{msg.TableTrigger}, up.Tables()...)
	for _, table := range tables {
		for _, mode := range []msg.Mode{msg.ModeMain, msg.ModeRedo} {
			h.register(msg.RegisterDispatcher{
				Dispatcher: msg.DispatcherID{Table: table, Mode: mode}, Epoch: 1, StartTs: start,
				SyncPointIntervalSec: spSec, SkipSyncPointAtStart: skipAtStart,
			})
		}
	}
	up.Start()
	return h, up
}

// TestInvariantsOnUpstreamWorkload runs a few tables with DDLs and a short
// syncpoint interval and checks invariants 1, 2, 16, 17, the rate limiter
// and completeness.
//
// Reference: ticdc-mechanisms.md Invariants 1, 2, 16, 17; D3; E7.
func TestInvariantsOnUpstreamWorkload(t *testing.T) {
	for _, alg := range []scanwindow.Algorithm{scanwindow.AlgorithmNone, scanwindow.Algorithm4030, scanwindow.Algorithm4950} {
		t.Run(string(alg), func(t *testing.T) {
			h, _ := workloadWorld(t, 7, upstream.Config{Tables: 4, RowsPerSecond: 800, DDLPerMinute: 20},
				Config{Window: scanwindow.Config{Algorithm: alg}}, 2)
			h.run(30 * sim.Second)
			h.check()
			st := h.svc.Stats()
			if st.Scans == 0 || st.Sent.DML == 0 || st.Sent.DDL == 0 || st.Sent.SyncPoint == 0 || st.Sent.Handshake != 10 {
				t.Fatalf("stats %+v", st)
			}
			if h.quota.scans == 0 || h.window.scans == 0 {
				t.Fatalf("checkers saw %d and %d scans", h.quota.scans, h.window.scans)
			}
		})
	}
}

// TestSyncPointOrderAtBoundary checks D3 at the edges the real upstream
// never produces: a DML or a DDL exactly at a syncpoint comes before it,
// and an event crossing several intervals is preceded by one syncpoint per
// interval.
//
// Reference: TiCDC event_broker.go emitSyncPointEventIfNeeded; D3.
func TestSyncPointOrderAtBoundary(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	src := newFakeSource(ts(0))
	src.addDML(1, ts(9.5)+1, 2, 300)
	src.addDML(1, ts(10), 1, 300)
	src.addDDL(1, ts(20))
	src.addDML(1, ts(35)+7, 1, 300)
	h := newHarness(t, w, src, Config{Window: scanwindow.Config{Algorithm: scanwindow.AlgorithmNone}})
	h.keep = true
	h.register(msg.RegisterDispatcher{Dispatcher: mainT1, Epoch: 1, StartTs: ts(0), SyncPointIntervalSec: 10, SkipSyncPointAtStart: true})
	w.Loop.At(sim.Instant(2*sim.Second), func() { src.advance(ts(40)) })
	h.run(5 * sim.Second)
	h.check()
	var got []string
	for _, e := range h.received {
		got = append(got, e.Kind.String()+"@"+tsLabel(e.CommitTs))
	}
	// The 1 KiB budget interrupts the first scan after dml@10.
	want := "handshake@0 dml@9.5+1 dml@10 resolved@10 syncpoint@10 ddl@20 syncpoint@20 syncpoint@30 dml@35+7 resolved@40"
	if strings.Join(got, " ") != want {
		t.Fatalf("stream\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

// TestSyncPointAtExactTs: a DML exactly at S precedes Sync(S); a resolved
// ts at S does not emit it, one above does.
func TestSyncPointAtExactTs(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	src := newFakeSource(ts(0))
	src.addDML(1, ts(10), 1, 300)
	h := newHarness(t, w, src, Config{ResolvedFlushInterval: -1, Window: scanwindow.Config{Algorithm: scanwindow.AlgorithmNone}})
	h.keep = true
	h.register(msg.RegisterDispatcher{Dispatcher: mainT1, Epoch: 1, StartTs: ts(0), SyncPointIntervalSec: 10, SkipSyncPointAtStart: true})
	w.Loop.At(sim.Instant(2*sim.Second), func() { src.advance(ts(10)) })
	w.Loop.At(sim.Instant(5*sim.Second), func() { src.advance(ts(10) + 1) })
	h.run(7 * sim.Second)
	h.check()
	var got []string
	for _, e := range h.received {
		got = append(got, e.Kind.String()+"@"+tsLabel(e.CommitTs))
	}
	want := "handshake@0 dml@10 resolved@10 syncpoint@10 resolved@10+1"
	if strings.Join(got, " ") != want {
		t.Fatalf("stream\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

// tsLabel prints a test ts as seconds since ts(0), plus "+logical".
func tsLabel(t uint64) string {
	d := t - ts(0)
	label := fmt.Sprintf("%g", float64(d>>18)/1000)
	if logical := d & (1<<18 - 1); logical != 0 {
		label += fmt.Sprintf("+%d", logical)
	}
	return label
}

// TestResetRescansFromStartTs: a registration at a higher epoch replaces
// the stat, opens the epoch with a handshake and rescans from StartTs; a
// registration at an old epoch is ignored.
//
// Reference: ticdc-mechanisms.md E5; TiCDC event_broker.go resetDispatcher.
func TestResetRescansFromStartTs(t *testing.T) {
	h, up := workloadWorld(t, 3, upstream.Config{Tables: 2, RowsPerSecond: 300, DDLPerMinute: -1}, Config{}, 0)
	h.keep = true
	var resetTs uint64
	h.w.Loop.At(sim.Instant(10*sim.Second), func() {
		resetTs = up.Clock().At(sim.Instant(3 * sim.Second))
		h.reset(mainT1, resetTs)
	})
	h.w.Loop.At(sim.Instant(12*sim.Second), func() {
		r := h.regs[mainT1]
		r.Epoch = 1 // stale
		h.collector.Send(captureID, r, 64)
	})
	h.run(20 * sim.Second)
	h.check()
	var first *msg.Event
	var rescanned int
	for i := range h.received {
		e := &h.received[i]
		if e.Dispatcher != mainT1 || e.Epoch != 2 {
			continue
		}
		if first == nil {
			first = e
		}
		if e.Kind == msg.EventDML && e.CommitTs < up.Clock().At(sim.Instant(10*sim.Second)) {
			rescanned++
		}
	}
	if first == nil || first.Kind != msg.EventHandshake || first.CommitTs != resetTs {
		t.Fatalf("first epoch-2 event %+v, want a handshake at %d", first, resetTs)
	}
	if rescanned == 0 {
		t.Fatal("epoch 2 did not rescan the rows between its start ts and the reset")
	}
	if st := h.svc.Stats(); st.Resets != 1 || st.StaleRegisters != 1 {
		t.Fatalf("resets %d stale %d", st.Resets, st.StaleRegisters)
	}
}

// TestAdmissionRespectsQuota: with little changefeed and dispatcher memory
// reported, scans are refused for both reasons and no scan starts above
// either (invariant 16); before the first report scans skip "no_quota".
//
// Reference: TiCDC event_broker.go doScan; ticdc-mechanisms.md E7, inv. 16.
func TestAdmissionRespectsQuota(t *testing.T) {
	h, _ := workloadWorld(t, 5, upstream.Config{Tables: 3, RowsPerSecond: 2000, DDLPerMinute: -1}, Config{}, 0)
	h.report = func(now sim.Instant) *msg.CongestionControl {
		switch {
		case now < sim.Instant(3*sim.Second):
			return nil
		case now < sim.Instant(10*sim.Second):
			return h.plainReport(3<<10, 1<<10, 0.5) // room for 3 scans per second
		default:
			return h.plainReport(GiB, 512, 0.5) // dispatchers below the 1 KiB budget
		}
	}
	h.run(15 * sim.Second)
	h.check()
	st := h.svc.Stats()
	if st.Skips.NoQuota == 0 || st.Skips.ChangefeedQuota == 0 || st.Skips.DispatcherQuota == 0 {
		t.Fatalf("skips %+v", st.Skips)
	}
	if h.quota.scans == 0 {
		t.Fatal("no scan started")
	}
}

// TestScanLimitDoublesAndResets: the budget starts at 1 KiB, doubles every
// 10 s up to 1 MiB, and drops back to 1 KiB (restarting its clock) when
// the changefeed's available memory falls below 256 MiB.
//
// Reference: TiCDC dispatcher_stat.go getCurrentScanLimitInBytes,
// resetScanLimit; event_broker.go doScan.
func TestScanLimitDoublesAndResets(t *testing.T) {
	h, _ := workloadWorld(t, 9, upstream.Config{Tables: 1, RowsPerSecond: 300, DDLPerMinute: -1}, Config{}, 0)
	lowAt := sim.Instant(130 * sim.Second)
	h.report = func(now sim.Instant) *msg.CongestionControl {
		if now >= lowAt {
			return h.plainReport(100<<20, GiB, 0.8)
		}
		return h.plainReport(GiB, GiB, 0.1)
	}
	type point struct {
		at     sim.Instant
		budget int64
	}
	var points []point
	inner := h.svc.observe
	h.svc.observe = func(o observation) {
		inner(o)
		if o.kind == obsAdmission && o.adm.reason == skipNone && o.id == mainT1 {
			points = append(points, point{o.at, o.adm.budget})
		}
	}
	h.run(160 * sim.Second)
	h.check()
	var reachedMax bool
	resetSeen := sim.Instant(-1)
	for _, p := range points {
		from := sim.Instant(0)
		if p.at > lowAt && resetSeen >= 0 {
			from = resetSeen
		}
		periods := int(p.at.Sub(from) / (10 * sim.Second))
		bound := min(int64(1<<10)<<min(periods, 20), 1<<20)
		if p.budget > bound {
			t.Fatalf("budget %d at %v above %d (%d periods since %v)", p.budget, p.at, bound, periods, from)
		}
		if p.budget == 1<<20 {
			reachedMax = true
		}
		if p.at > lowAt+sim.Instant(sim.Second+10*sim.Millisecond) && resetSeen < 0 {
			if p.budget != 1<<10 {
				t.Fatalf("budget %d at %v after low memory, want 1 KiB", p.budget, p.at)
			}
			resetSeen = p.at
		}
	}
	if !reachedMax || resetSeen < 0 {
		t.Fatalf("reached max %v, reset seen at %v (%d scans)", reachedMax, resetSeen, len(points))
	}
	if h.svc.Stats().ScanLimitResets == 0 {
		t.Fatal("no scan limit reset counted")
	}
}

// TestTokenBucket checks the rate limiter on virtual time.
func TestTokenBucket(t *testing.T) {
	b := newTokenBucket(100, 1000, 0)
	if !b.allowN(0, 1000) || b.allowN(0, 1) {
		t.Fatal("a full bucket of 1000 should give 1000 and then nothing")
	}
	if b.allowN(sim.Instant(9*sim.Millisecond), 1) {
		t.Fatal("9 ms at 100/s earns no whole token")
	}
	if !b.allowN(sim.Instant(10*sim.Millisecond), 1) {
		t.Fatal("10 ms at 100/s earns one token")
	}
	if b.allowN(sim.Instant(100*sim.Second), 1001) || !b.allowN(sim.Instant(100*sim.Second), 0) {
		t.Fatal("above the burst never, zero always")
	}
	if got := b.tokens(sim.Instant(1000 * sim.Second)); got != 1000 {
		t.Fatalf("refill caps at the burst: %d", got)
	}
}

// TestRateLimiterRespected: a slow bucket refuses scans, and the bytes it
// let through never exceed burst + rate x time.
func TestRateLimiterRespected(t *testing.T) {
	h, _ := workloadWorld(t, 11, upstream.Config{Tables: 2, RowsPerSecond: 3000, DDLPerMinute: -1},
		Config{RateLimitBytesPerSec: 64 << 10, RateLimitBurstBytes: 64 << 10}, 0)
	var charged int64
	inner := h.svc.observe
	h.svc.observe = func(o observation) {
		inner(o)
		if o.kind == obsAdmission {
			charged += o.adm.charged
		}
	}
	h.run(20 * sim.Second)
	h.check()
	if h.svc.Stats().Skips.RateLimit == 0 {
		t.Fatal("no rate-limit skip")
	}
	if limit := int64(64<<10) + int64(64<<10)*20; charged > limit {
		t.Fatalf("charged %d above %d", charged, limit)
	}
}

// pinnedWorld has table 2's dispatcher starved by a zero dispatcher quota,
// so it pins minSentTs at its start, while table 1 has data and a
// syncpoint every 10 s, and table 99 has no data at all.
func pinnedWorld(t testing.TB, cfg Config) (*harness, *upstream.Upstream) {
	w := sim.NewWorld(sim.WorldConfig{Seed: 21, StepsMax: 50_000_000})
	up := newUpstream(t, w, upstream.Config{Tables: 2, RowsPerSecond: 400, DDLPerMinute: -1})
	h := newHarness(t, w, up, cfg)
	start := up.ResolvedTs()
	idle := msg.DispatcherID{Table: 99, Mode: msg.ModeMain}
	for _, id := range []msg.DispatcherID{mainT1, mainT2} {
		h.register(msg.RegisterDispatcher{Dispatcher: id, Epoch: 1, StartTs: start, SyncPointIntervalSec: 10, SkipSyncPointAtStart: true})
	}
	h.register(msg.RegisterDispatcher{Dispatcher: idle, Epoch: 1, StartTs: start})
	h.report = func(sim.Instant) *msg.CongestionControl {
		cc := h.plainReport(GiB, GiB, 0.1)
		for i := range cc.DispatcherAvailable {
			if cc.DispatcherAvailable[i].Dispatcher == mainT2 {
				cc.DispatcherAvailable[i].Bytes = 0
			}
		}
		return cc
	}
	up.Start()
	return h, up
}

// TestWindowCapsAndLocalAdvance: with minSentTs pinned by a starved
// dispatcher, others scan no further than minSentTs + interval, except the
// local advance to a pending syncpoint (PR #5547), which lets table 1 pass
// every syncpoint; the idle table sends the capped end (issue #6038).
//
// Reference: TiCDC getScanTaskRequestResult; ticdc-mechanisms.md E7, E9,
// invariant 17; issues #6038, PR #5547.
func TestWindowCapsAndLocalAdvance(t *testing.T) {
	h, up := pinnedWorld(t, Config{})
	h.run(45 * sim.Second)
	h.check()
	st := h.svc.Stats()
	if st.WindowCapped == 0 || st.LocalAdvances == 0 || h.window.local == 0 {
		t.Fatalf("capped %d local %d (checker %d)", st.WindowCapped, st.LocalAdvances, h.window.local)
	}
	syncs := h.streams.streams[streamKey{mainT1, 1}].syncs
	if len(syncs) < 3 {
		t.Fatalf("table 1 passed %d syncpoints, want every one of the 4", len(syncs))
	}
	idle := h.streams.streams[streamKey{msg.DispatcherID{Table: 99, Mode: msg.ModeMain}, 1}]
	start := up.Clock().At(0)
	if bound := addPhysical(start, 10*sim.Second); idle.lastResolved > bound || idle.lastResolved <= start {
		t.Fatalf("idle resolved %s, want in (0, 10] (the capped end)", tsLabel(idle.lastResolved))
	}
	pinned := h.streams.streams[streamKey{mainT2, 1}]
	if pinned.lastResolved != start {
		t.Fatalf("starved dispatcher advanced to %s", tsLabel(pinned.lastResolved))
	}
}

// TestNoLocalAdvance: on the broker PR #4030 shipped with (no local
// advance, before #4460 and #5547) the pinned window still caps ranges,
// but no collapsed range is stepped past its pending syncpoint, so table
// 1 passes fewer syncpoints than with the local advance.
func TestNoLocalAdvance(t *testing.T) {
	h, _ := pinnedWorld(t, Config{NoLocalAdvance: true})
	h.run(45 * sim.Second)
	st := h.svc.Stats()
	if st.WindowCapped == 0 || st.LocalAdvances != 0 || h.window.local != 0 {
		t.Fatalf("capped %d local %d (checker %d), want capped ranges and no local advance", st.WindowCapped, st.LocalAdvances, h.window.local)
	}
	with, _ := pinnedWorld(t, Config{})
	with.run(45 * sim.Second)
	got, want := len(h.streams.streams[streamKey{mainT1, 1}].syncs), len(with.streams.streams[streamKey{mainT1, 1}].syncs)
	if got >= want {
		t.Fatalf("table 1 passed %d syncpoints without the local advance, %d with it: want fewer", got, want)
	}
}

// TestIdleBeyondWindow: with the fix of issue #6038 the idle table's
// resolved ts follows the upstream despite the pinned window.
func TestIdleBeyondWindow(t *testing.T) {
	h, up := pinnedWorld(t, Config{IdleBeyondWindow: true})
	h.run(30 * sim.Second)
	h.check()
	idle := h.streams.streams[streamKey{msg.DispatcherID{Table: 99, Mode: msg.ModeMain}, 1}]
	if lag := up.ResolvedTs() - idle.lastResolved; idle.lastResolved < up.Clock().At(sim.Instant(25*sim.Second)) {
		t.Fatalf("idle resolved lags the upstream by %d", lag)
	}
}

// TestCongestionControlVersions: only v2 reports under congestion control
// v2 move the window.
//
// Reference: seed 001 (PR #4030, CongestionControl v1 vs v2).
func TestCongestionControlVersions(t *testing.T) {
	for _, tc := range []struct {
		name        string
		cfgVersion  int
		msgVersion  int
		wantChanged bool
	}{
		{"v2 service, v2 reports", 2, 2, true},
		{"v2 service, v1 reports", 2, 1, false},
		{"v1 service, v2 reports", 1, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := workloadWorld(t, 1, upstream.Config{Tables: 1, RowsPerSecond: 100, DDLPerMinute: -1},
				Config{CongestionControlVersion: tc.cfgVersion, Window: scanwindow.Config{Algorithm: scanwindow.Algorithm4030}}, 0)
			h.report = func(sim.Instant) *msg.CongestionControl {
				cc := h.plainReport(GiB, GiB, 1)
				cc.Version = tc.msgVersion
				return cc
			}
			h.run(5 * sim.Second)
			h.check()
			changed := h.svc.Stats().ScanInterval != 5*sim.Second
			if changed != tc.wantChanged {
				t.Fatalf("interval %v, changed %v want %v", h.svc.Stats().ScanInterval, changed, tc.wantChanged)
			}
		})
	}
}

// TestRemoveAndHandle: a removed dispatcher gets nothing more; unknown
// messages are refused.
func TestRemoveAndHandle(t *testing.T) {
	h, _ := workloadWorld(t, 2, upstream.Config{Tables: 2, RowsPerSecond: 300, DDLPerMinute: -1}, Config{}, 0)
	h.w.Loop.At(sim.Instant(5*sim.Second), func() { h.remove(mainT1) })
	h.run(6 * sim.Second)
	before := h.streams.streams[streamKey{mainT1, 1}].lastResolved
	h.run(10 * sim.Second)
	h.check()
	if after := h.streams.streams[streamKey{mainT1, 1}].lastResolved; after != before {
		t.Fatalf("removed dispatcher advanced from %d to %d", before, after)
	}
	if h.svc.Handle(collectorID, "hello") {
		t.Fatal("Handle accepted a string")
	}
	if st := h.svc.Stats(); st.Removes != 1 || st.Dispatchers != 5 {
		t.Fatalf("stats %+v", st)
	}
}

// TestCrashStopsService: after its node crashes the service does nothing,
// though the upstream keeps notifying.
func TestCrashStopsService(t *testing.T) {
	h, _ := workloadWorld(t, 4, upstream.Config{Tables: 2, RowsPerSecond: 300, DDLPerMinute: -1}, Config{}, 0)
	h.w.Loop.At(sim.Instant(3*sim.Second), h.capture.Crash)
	h.run(4 * sim.Second)
	scans := h.svc.Stats().Scans
	h.run(10 * sim.Second)
	if got := h.svc.Stats().Scans; got != scans {
		t.Fatalf("scans went from %d to %d after the crash", scans, got)
	}
}

// TestConfigValidate checks defaults and rejections.
func TestConfigValidate(t *testing.T) {
	var c Config
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	if c.ScanLimitMinBytes != 1<<10 || c.ScanLimitMaxBytes != 1<<20 || c.ScanLimitDoubleEvery != 10*sim.Second ||
		c.LowMemoryBytes != 256<<20 || c.RateLimitBytesPerSec != 256<<20 || c.RateLimitBurstBytes != 256<<20 ||
		c.MinSentTsRefresh != sim.Second || c.EventOverheadBytes != 100 || c.ResolvedFlushInterval != 25*sim.Millisecond ||
		c.SignalResolvedInterval != 2*sim.Second || c.CongestionControlVersion != 2 || c.ScanWorkers != 128 || c.ScanQueueMax != 8192 {
		t.Fatalf("defaults %+v", c)
	}
	for _, bad := range []Config{
		{ScanLimitMinBytes: 2 << 20},
		{CongestionControlVersion: 3},
		{ScanLimitDoubleEvery: -1},
		{ScanWorkers: -1},
		{RateLimitBurstBytes: -5},
		{Window: scanwindow.Config{Algorithm: "v3"}},
	} {
		err := bad.validate()
		if !errors.Is(err, ErrBadConfig) || !strings.HasPrefix(err.Error(), "model/eventservice: ") {
			t.Errorf("validate(%+v) = %v", bad, err)
		}
	}
	neg := Config{ScanCostPerByte: -1, EventOverheadBytes: -1, ResolvedFlushInterval: -1}
	if err := neg.validate(); err != nil || neg.ScanCostPerByte != 0 || neg.EventOverheadBytes != 0 || neg.ResolvedFlushInterval != 0 {
		t.Fatalf("negative means zero: %v %+v", err, neg)
	}
}

// TestWindowCatchUp: the upstream's resolved ts jumps once and then stays
// (no more notifications). Without the fix of issue #6028 the dispatcher
// stops at the end of its first window; with ContinueWindowLimited the
// per-second catch-up carries it to the received resolved ts.
//
// Reference: TiCDC issue #6028, commit 6878b44cd.
func TestWindowCatchUp(t *testing.T) {
	for _, fix := range []bool{false, true} {
		t.Run(fmt.Sprintf("fix=%v", fix), func(t *testing.T) {
			w := sim.NewWorld(sim.WorldConfig{Seed: 1})
			src := newFakeSource(ts(0))
			for sec := 1; sec < 60; sec++ {
				src.addDML(1, ts(float64(sec))+1, 1, 200)
			}
			h := newHarness(t, w, src, Config{ContinueWindowLimited: fix, Window: scanwindow.Config{Algorithm: scanwindow.Algorithm4030}})
			h.register(msg.RegisterDispatcher{Dispatcher: mainT1, Epoch: 1, StartTs: ts(0)})
			w.Loop.At(sim.Instant(1500*sim.Millisecond), func() { src.advance(ts(60)) })
			h.run(40 * sim.Second)
			h.check()
			got := h.streams.streams[streamKey{mainT1, 1}].lastResolved
			if reached := got == ts(60); reached != fix {
				t.Fatalf("resolved %s after 40 s; reached the upstream %v, want %v", tsLabel(got), reached, fix)
			}
		})
	}
}

// TestTableTriggerTick: the table triggers are scanned from their own
// 50 ms tick with no quota check: with no memory reported available, no
// table is scanned, yet both triggers receive every DDL and a resolved ts
// that follows the upstream; and no notification-driven scan ever reads a
// trigger.
//
// Reference: pingcap/ticdc:pkg/eventservice/event_broker.go
// tickTableTriggerDispatchers; docs/FIDELITY.md section 1, a2.
func TestTableTriggerTick(t *testing.T) {
	h, up := workloadWorld(t, 3, upstream.Config{Tables: 3, RowsPerSecond: 500, DDLPerMinute: 30}, Config{}, 0)
	h.keep = true
	h.report = func(sim.Instant) *msg.CongestionControl { return h.plainReport(0, 0, 1) }
	var triggerScans int
	prev := h.svc.observe
	h.svc.observe = func(o observation) {
		if o.id.Table == msg.TableTrigger {
			triggerScans++
		}
		prev(o)
	}
	h.run(20 * sim.Second)
	h.check()
	ddls, resolved := map[msg.Mode]int{}, map[msg.Mode]uint64{}
	for _, ev := range h.received {
		if ev.Dispatcher.Table != msg.TableTrigger {
			if ev.Kind == msg.EventDML {
				t.Fatalf("a table's DML was sent with no memory available: %+v", ev)
			}
			continue
		}
		switch ev.Kind {
		case msg.EventDDL:
			ddls[ev.Dispatcher.Mode]++
		case msg.EventResolved:
			resolved[ev.Dispatcher.Mode] = max(resolved[ev.Dispatcher.Mode], ev.CommitTs)
		}
	}
	want := up.Stats().DDLs
	for _, mode := range []msg.Mode{msg.ModeMain, msg.ModeRedo} {
		if want == 0 || ddls[mode] == 0 {
			t.Fatalf("trigger %v got %d DDLs of %d committed", mode, ddls[mode], want)
		}
		if resolved[mode] < up.ResolvedTs()-uint64(2*sim.Second/sim.Millisecond)<<18 {
			t.Fatalf("trigger %v resolved ts %d lags the upstream's %d by more than 2 s", mode, resolved[mode], up.ResolvedTs())
		}
	}
	if triggerScans != 0 {
		t.Fatalf("%d notification-driven scans observed on a trigger", triggerScans)
	}
}
